// Reading stdin line by line, then at its end.
#include <ctype.h>
#include <stdio.h>

int main(void) {
    char line[128];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        for (char *c = line; *c; c++) *c = (char)toupper((unsigned char)*c);
        printf("%d: %s", ++n, line);
    }
    printf("eof %d, getchar after the end: %d\n", feof(stdin) != 0, getchar());
    return 0;
}
