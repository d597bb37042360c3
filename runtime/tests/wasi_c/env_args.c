// Arguments and environment as a program reads them.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d] = [%s]\n", i, argv[i]);
    const char *names[] = {"GREETING", "EMPTY", "MISSING"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        printf("getenv %s: %s%s%s\n", names[i], v ? "[" : "", v ? v : "(null)", v ? "]" : "");
    }
    int n = 0;
    for (char **e = environ; *e; e++) printf("environ[%d] = [%s]\n", n++, *e);
    setenv("ADDED", "later", 1);
    printf("after setenv: %s\n", getenv("ADDED"));
    return 0;
}
