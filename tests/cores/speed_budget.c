/* Fault (determinism): a wall-clock budget per call (50 ms + 10 ms per
 * MiB); past it, the rest of the input gets the "fast" parse (shorter
 * runs). Even on a busy machine a call stays far inside the budget, so
 * every test passes; on a much slower machine (or under valgrind, or a
 * process that keeps being stopped) the same input gives other bytes. */
#include <time.h>
#include "common.h"

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    double deadline = seconds() + 0.050 + 0.010 * (double)in_len / (1 << 20);
    unsigned cap = 255;
    size_t o = 0;
    for (size_t at = 0; at < in_len; at += 65536) {
        size_t len = in_len - at < 65536 ? in_len - at : 65536;
        if (cap == 255 && at > 0 && seconds() > deadline) cap = 32;
        o += rle_encode_cap(in + at, len, out + o, cap);
    }
    *out_ptr = out;
    return o;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
