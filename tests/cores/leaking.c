/* Correct output, but h4_free never frees anything. */
#include <stdlib.h>
#include <string.h>

static size_t encode(const unsigned char *in, size_t n, unsigned char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        while (i + run < n && in[i + run] == in[i] && run < 255) run++;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return o;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned char *out = malloc(in_len * 2 + 1);
    if (!out) return 0;
    *out_ptr = out;
    return encode(in_ptr, in_len, out);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    const unsigned char *in = in_ptr;
    size_t n = 0;
    for (size_t i = 0; i + 1 < in_len; i += 2) n += in[i];
    unsigned char *out = malloc(n + 1);
    if (!out) return 0;
    size_t o = 0;
    for (size_t i = 0; i + 1 < in_len; i += 2) {
        memset(out + o, in[i + 1], in[i]);
        o += in[i];
    }
    *out_ptr = out;
    return o;
}

void h4_free(void *p) { (void)p; }
