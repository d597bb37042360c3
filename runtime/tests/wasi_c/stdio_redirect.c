// Stdio redirection as programs do it: dup2 onto stdout (wasi-libc's dup2 is
// __wasilibc_fd_renumber, an fd_renumber), freopen of stdout, buffering
// modes, and a write to a closed stdout.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/libc.h>

static void dump(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fopen %s: %s\n", path, strerror(errno));
        exit(10);
    }
    char buf[256];
    size_t n;
    fprintf(stderr, "[%s]\n", path);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stderr);
    fclose(f);
}

int main(void) {
    printf("before any redirection\n");
    fflush(stdout);
    int fd = open("/sandbox/out1.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 1;
    if (__wasilibc_fd_renumber(fd, STDOUT_FILENO) < 0) return 2;
    printf("into out1.txt through fd_renumber: %d\n", 42);
    fflush(stdout);
    if (!freopen("/sandbox/out2.txt", "w", stdout)) return 3;
    setvbuf(stdout, NULL, _IOFBF, 16);
    for (int i = 0; i < 5; i++) printf("freopen line %d\n", i);
    fclose(stdout);
    dump("/sandbox/out1.txt");
    dump("/sandbox/out2.txt");
    setvbuf(stderr, NULL, _IOLBF, 64);
    fprintf(stderr, "line-buffered stderr, ");
    fprintf(stderr, "flushed at the newline\n");
    errno = 0;
    ssize_t wrote = write(STDOUT_FILENO, "x", 1);
    fprintf(stderr, "write to the closed stdout: %zd (%s)\n", wrote, strerror(errno));
    int again = open("/sandbox/out3.txt", O_WRONLY | O_CREAT, 0644);
    fprintf(stderr, "the next open gets descriptor %d\n", again);
    return 0;
}
