// The errno a program sees where a call fails: missing files, wrong kinds, closed and bad
// descriptors, seeking a stream, escaping the preopen, writing a read-only descriptor.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRY(what, call)                                                   \
    do {                                                                  \
        errno = 0;                                                        \
        long r = (long)(call);                                            \
        printf("%-40s %ld %s\n", what, r, r < 0 ? strerror(errno) : "");  \
    } while (0)

int main(void) {
    TRY("open a missing file", open("/sandbox/missing.txt", O_RDONLY));
    TRY("open a file as a directory", open("/sandbox/input.txt", O_RDONLY | O_DIRECTORY));
    TRY("open a directory for writing", open("/sandbox", O_WRONLY));
    TRY("create exclusively an existing file", open("/sandbox/input.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
    TRY("open through a file", open("/sandbox/input.txt/x", O_RDONLY));
    TRY("open outside every preopen", open("/elsewhere/x", O_RDONLY));
    TRY("open past the preopen with ..", open("/sandbox/../x", O_RDONLY));
    TRY("close a bad descriptor", close(99));
    int fd = open("/sandbox/input.txt", O_RDONLY);
    TRY("close twice: first", close(fd));
    TRY("close twice: second", close(fd));
    TRY("seek stdout", lseek(STDOUT_FILENO, 0, SEEK_SET));
    TRY("read stdout", read(STDOUT_FILENO, (char[4]){0}, 4));
    char buf[4];
    fd = open("/sandbox/input.txt", O_RDONLY);
    TRY("write a read-only descriptor", write(fd, "x", 1));
    TRY("read it", read(fd, buf, 4));
    TRY("pwrite it", pwrite(fd, "x", 1, 0));
    TRY("ftruncate it", ftruncate(fd, 0));
    close(fd);
    fd = open("/sandbox/new.txt", O_WRONLY | O_CREAT, 0644);
    TRY("read a write-only descriptor", read(fd, buf, 4));
    TRY("pread it", pread(fd, buf, 4, 0));
    TRY("write it", write(fd, "abc", 3));
    close(fd);
    TRY("mkdir over a file", mkdir("/sandbox/input.txt", 0755));
    TRY("rmdir a missing directory", rmdir("/sandbox/nothing"));
    TRY("rename a missing file", rename("/sandbox/nothing", "/sandbox/other"));
    TRY("symlink to an absolute path", symlink("/sandbox/input.txt", "/sandbox/link"));
    TRY("readlink a file", readlink("/sandbox/input.txt", buf, sizeof buf));
    return 0;
}
