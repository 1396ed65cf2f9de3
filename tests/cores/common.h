/* Shared by the test cores: a counting allocator and a leak report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long live_buffers = 0;

static inline void *core_alloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p) __atomic_add_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
    return p;
}

/* A core that defines CUSTOM_FREE before including this writes its own. */
#ifndef CUSTOM_FREE
void h4_free(void *p) {
    if (!p) return;
    __atomic_sub_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
    free(p);
}
#endif

__attribute__((destructor)) static void report_leaks(void) {
    const char *path = getenv("H4_TEST_LEAK_FILE");
    if (!path) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%ld\n", live_buffers);
    fclose(f);
}

/* Byte-oriented RLE used by several cores: pairs of (count, byte). */
static inline size_t rle_encode(const unsigned char *in, size_t n, unsigned char *out) {
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

static inline size_t rle_decoded_len(const unsigned char *in, size_t n) {
    size_t total = 0;
    for (size_t i = 0; i + 1 < n; i += 2) total += in[i];
    return total;
}

static inline size_t rle_decode(const unsigned char *in, size_t n, unsigned char *out) {
    size_t o = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        memset(out + o, in[i + 1], in[i]);
        o += in[i];
    }
    return o;
}

/* The usual well-behaved entry points, for cores that differ elsewhere. */
static inline size_t good_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    size_t n = rle_encode(in_ptr, in_len, out);
    *out_ptr = out;
    return n;
}

static inline size_t good_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (in_len % 2) return 0;
    size_t n = rle_decoded_len(in_ptr, in_len);
    unsigned char *out = core_alloc(n);
    if (!out) return 0;
    *out_ptr = out;
    return rle_decode(in_ptr, in_len, out);
}
