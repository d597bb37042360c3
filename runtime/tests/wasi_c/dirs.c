// Directories: mkdir, nested files, opendir/readdir (sorted, and in readdir's own order),
// stat of each entry, rmdir, rename of a directory.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(what, cond) printf("%-36s %s\n", what, (cond) ? "ok" : strerror(errno))

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    printf("%s has %d entries:\n", path, n);
    for (int i = 0; i < n; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        struct stat st;
        if (stat(full, &st) == 0)
            printf("  %-12s %s %lld\n", names[i], S_ISDIR(st.st_mode) ? "dir " : "file", S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
        else
            printf("  %-12s stat: %s\n", names[i], strerror(errno));
        free(names[i]);
    }
}

// The names in the order readdir gives them, unsorted: under the deterministic mode both
// engines give the same order.
static void raw_order(const char *path) {
    DIR *d = opendir(path);
    struct dirent *e;
    printf("readdir order of %s:", path);
    while (d && (e = readdir(d))) printf(" %s", e->d_name);
    printf("\n");
    if (d) closedir(d);
}

int main(void) {
    CHECK("mkdir tree", mkdir("/sandbox/tree", 0755) == 0);
    CHECK("mkdir tree again (fails)", mkdir("/sandbox/tree", 0755) == 0);
    CHECK("mkdir tree/sub", mkdir("/sandbox/tree/sub", 0755) == 0);
    for (int i = 0; i < 5; i++) {
        char path[64];
        snprintf(path, sizeof path, "/sandbox/tree/file%d.txt", 4 - i);
        FILE *f = fopen(path, "w");
        for (int j = 0; j <= i; j++) fputs("line\n", f);
        fclose(f);
    }
    list("/sandbox");
    list("/sandbox/tree");
    raw_order("/sandbox/tree");
    CHECK("rmdir a non-empty dir (fails)", rmdir("/sandbox/tree") == 0);
    CHECK("rmdir a file (fails)", rmdir("/sandbox/tree/file0.txt") == 0);
    CHECK("unlink a dir (fails)", unlink("/sandbox/tree/sub") == 0);
    CHECK("rename a dir", rename("/sandbox/tree/sub", "/sandbox/moved") == 0);
    CHECK("rename a dir into itself (fails)", rename("/sandbox/tree", "/sandbox/tree/inner") == 0);
    CHECK("rmdir the moved dir", rmdir("/sandbox/moved") == 0);
    list("/sandbox/tree");
    list("/sandbox/missing");
    return 0;
}
