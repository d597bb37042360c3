// How a program ends: output still in stdio's buffer is flushed by exit, atexit handlers
// run in reverse order, and the code reaches the host.
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit: registered first, runs last\n"); }
static void second(void) { printf("atexit: registered second, runs first\n"); }

int main(int argc, char **argv) {
    atexit(first);
    atexit(second);
    setvbuf(stdout, NULL, _IOFBF, 4096);
    printf("buffered, not flushed by main\n");
    fprintf(stderr, "stderr is unbuffered\n");
    exit(argc > 1 ? atoi(argv[1]) : 7);
}
