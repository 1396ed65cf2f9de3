/* Fault (losslessness): the header keeps the decoded length in 3 bytes
 * ("blocks are 1 MiB, 16 MiB is plenty") and the decoder trusts it. Any
 * input over 16 MiB (a -B 64M block, --raw on a big file) comes back cut
 * to its length modulo 16 MiB. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(3 + in_len * 2 + 1);
    if (!out) return 0;
    for (int i = 0; i < 3; i++) out[i] = (unsigned char)(in_len >> (8 * i));
    size_t n = rle_encode(in_ptr, in_len, out + 3);
    *out_ptr = out;
    return 3 + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 3) return 0;
    size_t raw_len = in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16;
    unsigned char *out = core_alloc(raw_len);
    if (!out) return 0;
    *out_ptr = out;
    return rle_decode_into(in + 3, in_len - 3, out, raw_len);
}
