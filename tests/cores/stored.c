/* A good core: the "stored" format, a one-byte version header and the
 * input copied unchanged. Never smaller, always right; h4 verify must pass
 * it. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(1 + in_len);
    if (!out) return 0;
    out[0] = 1;
    memcpy(out + 1, in_ptr, in_len);
    *out_ptr = out;
    return 1 + in_len;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 1 || in[0] != 1) return 0;
    unsigned char *out = core_alloc(in_len - 1);
    if (!out) return 0;
    memcpy(out, in + 1, in_len - 1);
    *out_ptr = out;
    return in_len - 1;
}
