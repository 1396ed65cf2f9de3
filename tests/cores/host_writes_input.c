/* Fault (host, issue 14): delta-codes the input in place (casting away
 * const, as if the buffer were its own scratch copy), then RLEs the deltas;
 * the input is never restored. Decoding is right; the caller's buffer is
 * not: h4 stores an incompressible block raw *after* the call. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned char *in = (unsigned char *)in_ptr;
    for (size_t i = in_len; i-- > 1;) in[i] = (unsigned char)(in[i] - in[i - 1]);
    return good_compress(in, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    unsigned char *out = *out_ptr;
    for (size_t i = 1; out && i < n; i++) out[i] = (unsigned char)(out[i] + out[i - 1]);
    return n;
}
