/* Shared by the test cores: a counting allocator and a leak report. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long live_buffers = 0;

/* Writes the count of buffers handed out and not yet freed to the file
 * named by H4_TEST_LEAK_FILE, if set, after every change: a host may end
 * without running the library's destructors (h4 does, once a core is
 * loaded), so the last count is on disk whenever the process ends. Under
 * the lock, the count read is the one after every change that came
 * before this write. */
__attribute__((unused)) static void report_leaks(void) {
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    const char *path = getenv("H4_TEST_LEAK_FILE");
    if (!path) return;
    pthread_mutex_lock(&lock);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%ld\n", __atomic_load_n(&live_buffers, __ATOMIC_SEQ_CST));
        fclose(f);
    }
    pthread_mutex_unlock(&lock);
}

/* The count starts on disk at load, for a host that never calls. */
__attribute__((constructor)) static void start_leak_report(void) {
    report_leaks();
}

static inline void *core_alloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p) {
        __atomic_add_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
        report_leaks();
    }
    return p;
}

/* A core that defines CUSTOM_FREE before including this writes its own. */
#ifndef CUSTOM_FREE
void h4_free(void *p) {
    if (!p) return;
    __atomic_sub_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
    free(p);
    report_leaks();
}
#endif

/* Byte-oriented RLE used by several cores: pairs of (count, byte), runs
 * cut at `cap` (1 to 255). Any cap decodes with rle_decode, so a core can
 * vary it (the zoo's "parsing choice") without ever losing data. */
static inline size_t rle_encode_cap(const unsigned char *in, size_t n, unsigned char *out,
                                    unsigned cap) {
    if (cap < 1) cap = 1;
    if (cap > 255) cap = 255;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        while (i + run < n && in[i + run] == in[i] && run < cap) run++;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return o;
}

static inline size_t rle_encode(const unsigned char *in, size_t n, unsigned char *out) {
    return rle_encode_cap(in, n, out, 255);
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

/* ---- Helpers for the zoo (see README.md): each zoo core is this RLE with
 * exactly one fault, so the fault is the only thing that can go wrong. ---- */

/* The RLE with runs cut at `cap`: decodes with good_decompress. */
static inline size_t compress_cap(const void *in_ptr, size_t in_len, void **out_ptr,
                                  unsigned cap) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    size_t n = rle_encode_cap(in_ptr, in_len, out, cap);
    *out_ptr = out;
    return n;
}

/* A payload that starts with `field` (`len` bytes, at most 255) behind a
 * one-byte length: [len][field][RLE]. The field is written but never
 * needed to decode, like a metadata header. */
static inline size_t compress_with_field(const void *in_ptr, size_t in_len, void **out_ptr,
                                         const void *field, size_t len) {
    *out_ptr = NULL;
    if (len > 255) len = 255;
    unsigned char *out = core_alloc(1 + len + in_len * 2 + 1);
    if (!out) return 0;
    out[0] = (unsigned char)len;
    memcpy(out + 1, field, len);
    size_t n = rle_encode(in_ptr, in_len, out + 1 + len);
    *out_ptr = out;
    return 1 + len + n;
}

/* Decodes what compress_with_field made, skipping the field. */
static inline size_t decompress_after_field(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 1 || (size_t)in[0] + 1 > in_len) return 0;
    return good_decompress(in + 1 + in[0], in_len - 1 - in[0], out_ptr);
}

/* The RLE applied to `parts` consecutive pieces of the input separately
 * (runs never cross a boundary): still plain RLE tokens, so it decodes
 * with good_decompress, but the bytes depend on `parts`. */
static inline size_t compress_in_parts(const void *in_ptr, size_t in_len, void **out_ptr,
                                       size_t parts) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    if (parts < 1) parts = 1;
    size_t each = (in_len + parts - 1) / parts, o = 0;
    for (size_t at = 0; at < in_len; at += each) {
        size_t len = in_len - at < each ? in_len - at : each;
        o += rle_encode(in + at, len, out + o);
    }
    *out_ptr = out;
    return o;
}

static inline void put_le32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static inline void put_be32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (24 - 8 * i));
}

static inline uint32_t get_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* FNV-1a, for cores that hash a string into a parsing choice. */
static inline uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Decodes RLE tokens into `out`, writing at most `cap` bytes; returns how
 * many it wrote. For cores whose header carries the decoded length. */
static inline size_t rle_decode_into(const unsigned char *in, size_t n, unsigned char *out,
                                     size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i + 1 < n && o < cap; i += 2) {
        size_t run = in[i] < cap - o ? in[i] : cap - o;
        memset(out + o, in[i + 1], run);
        o += run;
    }
    return o;
}
