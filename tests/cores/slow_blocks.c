/* A good core (issue 16): the RLE of common.h, taking 30 ms per block it
 * compresses, so tests can change a file while h4 is still reading it. It
 * has no levels: h4 ignores a level asked of it, saying so under -v. */
#include <time.h>

#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    struct timespec pause = {0, 30 * 1000 * 1000};
    nanosleep(&pause, NULL);
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
