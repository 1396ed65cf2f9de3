/* Fault (host, issue 14): at load it forks a child to warm its tables in
 * the background, and the child, done warming, returns from the
 * constructor instead of calling _exit: a second copy of the host runs on
 * from the load with the same descriptors. */
#include <unistd.h>
#include "common.h"

static unsigned char table[4096];

__attribute__((constructor)) static void warm_in_background(void) {
    if (fork() == 0) {
        for (unsigned i = 0; i < sizeof table; i++) table[i] = (unsigned char)(i * 31);
        /* forgot: _exit(0); */
    }
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
