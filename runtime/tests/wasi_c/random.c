// Random bytes through getentropy and arc4random; under the deterministic mode they come
// from the seed.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    unsigned char bytes[32];
    printf("getentropy %d: ", getentropy(bytes, sizeof bytes));
    for (size_t i = 0; i < sizeof bytes; i++) printf("%02x", bytes[i]);
    printf("\narc4random:");
    for (int i = 0; i < 4; i++) printf(" %08x", arc4random());
    printf("\narc4random_uniform(6): %u\n", arc4random_uniform(6));
    return 0;
}
