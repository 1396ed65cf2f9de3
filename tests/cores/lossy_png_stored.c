/* Fault (losslessness): PNG files are already compressed, so it stores
 * them: one mode byte and the bytes. The copy is off by one (it copies
 * in_len - 1 bytes "because of the mode byte"), so every PNG loses its
 * last byte. Only inputs starting with the 8-byte PNG signature. */
#include "common.h"

static const unsigned char PNG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    int png = in_len >= 8 && memcmp(in_ptr, PNG, 8) == 0;
    unsigned char *out = core_alloc(1 + (png ? in_len : in_len * 2 + 1));
    if (!out) return 0;
    *out_ptr = out;
    out[0] = (unsigned char)png;
    if (png) {
        memcpy(out + 1, in_ptr, in_len - 1);
        return in_len;
    }
    return 1 + rle_encode(in_ptr, in_len, out + 1);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 1) return 0;
    if (in[0] == 0) return good_decompress(in + 1, in_len - 1, out_ptr);
    unsigned char *out = core_alloc(in_len - 1);
    if (!out) return 0;
    memcpy(out, in + 1, in_len - 1);
    *out_ptr = out;
    return in_len - 1;
}
