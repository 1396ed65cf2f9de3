/* Fault (thread-safety): compression counts byte frequencies in a static
 * table ("1 KiB is too much for the stack") to record the most common byte
 * as a fill hint in the header. No lock: concurrent compressions add into
 * each other's counts and record another byte. Decompression is fine. */
#include "common.h"

static uint32_t histogram[256];

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(1 + in_len * 2 + 1);
    if (!out) return 0;
    memset(histogram, 0, sizeof histogram);
    for (size_t i = 0; i < in_len; i++) histogram[in[i]]++;
    unsigned most = 0;
    for (unsigned b = 1; b < 256; b++)
        if (histogram[b] > histogram[most]) most = b;
    out[0] = (unsigned char)most;
    size_t n = rle_encode(in, in_len, out + 1);
    *out_ptr = out;
    return 1 + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (in_len < 1) return 0;
    return good_decompress((const unsigned char *)in_ptr + 1, in_len - 1, out_ptr);
}
