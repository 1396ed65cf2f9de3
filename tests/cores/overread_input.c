/* Fault (memory): measures runs eight bytes at a time and clamps the
 * result to the input, but loads the word before checking the end: up to
 * 7 bytes past the input are read. Harmless inside a heap block, a crash
 * when the input ends at a page boundary (a mapped file). */
#include "common.h"

static size_t run_at(const unsigned char *p, size_t left) {
    uint64_t pattern = 0x0101010101010101ull * p[0];
    size_t run = 0;
    while (run < 255) {
        uint64_t word;
        memcpy(&word, p + run, 8); /* may read past the input */
        uint64_t diff = word ^ pattern;
        if (diff) {
            run += (size_t)__builtin_ctzll(diff) / 8;
            break;
        }
        run += 8;
    }
    if (run > 255) run = 255;
    return run < left ? run : left;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    size_t o = 0;
    for (size_t i = 0; i < in_len;) {
        size_t run = run_at(in + i, in_len - i);
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
