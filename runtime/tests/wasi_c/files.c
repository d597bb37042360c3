// Files through stdio and POSIX calls: write, seek, tell, read back, truncate, append,
// pread and pwrite, stat, rename over a file, unlink, access.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(what, cond) printf("%-32s %s\n", what, (cond) ? "ok" : strerror(errno))

int main(void) {
    FILE *f = fopen("/sandbox/data.bin", "w+");
    CHECK("fopen w+", f != NULL);
    for (int i = 0; i < 1000; i++) fprintf(f, "%04d,", i);
    printf("ftell after writes: %ld\n", ftell(f));
    CHECK("fseek to 100", fseek(f, 100, SEEK_SET) == 0);
    char buf[32] = {0};
    printf("fread 10 at 100: %zu [%.10s]\n", fread(buf, 1, 10, f), buf);
    CHECK("fseek from the end", fseek(f, -5, SEEK_END) == 0);
    printf("ftell near the end: %ld\n", ftell(f));
    fclose(f);

    int fd = open("/sandbox/data.bin", O_RDWR);
    CHECK("open O_RDWR", fd >= 0);
    CHECK("ftruncate to 64", ftruncate(fd, 64) == 0);
    struct stat st;
    CHECK("fstat", fstat(fd, &st) == 0);
    printf("size %lld regular %d dir %d\n", (long long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));
    CHECK("pwrite at 200", pwrite(fd, "HOLE", 4, 200) == 4);
    memset(buf, 'z', sizeof buf);
    printf("pread 8 at 60: %zd\n", pread(fd, buf, 8, 60));
    for (int i = 0; i < 8; i++) printf("%02x", (unsigned char)buf[i]);
    printf("\nlseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    close(fd);

    FILE *a = fopen("/sandbox/log.txt", "a");
    fputs("first\n", a);
    fclose(a);
    a = fopen("/sandbox/log.txt", "a");
    fputs("second\n", a);
    fclose(a);
    a = fopen("/sandbox/log.txt", "r");
    while (fgets(buf, sizeof buf, a)) printf("log: %s", buf);
    fclose(a);

    FILE *input = fopen("/sandbox/input.txt", "r");
    CHECK("read the host's input.txt", input != NULL);
    if (input) {
        while (fgets(buf, sizeof buf, input)) printf("input: %s", buf);
        fclose(input);
    }
    CHECK("rename over an existing file", rename("/sandbox/log.txt", "/sandbox/data.bin") == 0);
    CHECK("stat the renamed file", stat("/sandbox/data.bin", &st) == 0);
    printf("renamed size %lld\n", (long long)st.st_size);
    CHECK("access the old name (fails)", access("/sandbox/log.txt", F_OK) == 0);
    CHECK("unlink", unlink("/sandbox/data.bin") == 0);
    CHECK("unlink again (fails)", unlink("/sandbox/data.bin") == 0);
    return 0;
}
