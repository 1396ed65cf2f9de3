/* Fault (host, issue 14): starts with an output buffer the size of the
 * input and grows it by half until the encoding fits; for a 1-byte input
 * 1 * 3 / 2 is 1, so it never grows and the loop never ends. Any file
 * whose last block is one byte hangs the host. */
#include "common.h"

/* The RLE into at most `cap` bytes; 0 when it does not fit. */
static size_t encode_bounded(const unsigned char *in, size_t n, unsigned char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        while (i + run < n && in[i + run] == in[i] && run < 255) run++;
        if (o + 2 > cap) return 0;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return o;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (in_len == 0) return good_compress(in_ptr, in_len, out_ptr);
    for (size_t cap = in_len;; cap = cap * 3 / 2) {
        unsigned char *out = core_alloc(cap);
        if (!out) return 0;
        size_t n = encode_bounded(in_ptr, in_len, out, cap);
        if (n) {
            *out_ptr = out;
            return n;
        }
        h4_free(out);
    }
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
