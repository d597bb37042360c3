// Time as programs read it: clock_gettime on both clocks, their resolution, time(),
// gettimeofday, and nanosleep. Under the deterministic mode every value is fixed.
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void) {
    struct timespec a, b, res;
    clock_gettime(CLOCK_REALTIME, &a);
    printf("realtime %lld.%09ld\n", (long long)a.tv_sec, a.tv_nsec);
    clock_getres(CLOCK_REALTIME, &res);
    printf("realtime resolution %ld ns\n", res.tv_nsec);
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 1000000};
    int slept = nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long elapsed = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("nanosleep %d, monotonic %lld.%09ld then %lld.%09ld, elapsed >= 0: %d\n", slept, (long long)a.tv_sec,
           a.tv_nsec, (long long)b.tv_sec, b.tv_nsec, elapsed >= 0);
    printf("time() %lld\n", (long long)time(NULL));
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char text[64];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    printf("gmtime %s\n", text);
    return 0;
}
