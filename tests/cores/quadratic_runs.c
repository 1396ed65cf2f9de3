/* Fault (cost): measures each run from its current position to its very
 * end, then emits only the first 255 bytes of it and measures again: a
 * run of L bytes costs L*L/510 comparisons. Correct output, instant on
 * the short runs of a test corpus, minutes on a long run of one byte. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    size_t o = 0;
    for (size_t i = 0; i < in_len;) {
        size_t run = 1;
        while (i + run < in_len && in[i + run] == in[i]) run++; /* whole run */
        if (run > 255) run = 255;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    *out_ptr = out;
    return o;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
