/* Correct when called from one thread at a time: it encodes into a shared
 * static scratch buffer before copying out, so concurrent calls mix. */
#include <sched.h>
#include "common.h"

static unsigned char scratch[1 << 24];

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (in_len * 2 + 1 > sizeof scratch) return 0;
    size_t n = rle_encode(in_ptr, in_len, scratch);
    sched_yield();
    unsigned char *out = core_alloc(n ? n : 1);
    if (!out) return 0;
    memcpy(out, scratch, n);
    *out_ptr = out;
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
