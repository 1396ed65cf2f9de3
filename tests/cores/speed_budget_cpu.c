/* Fault (determinism): an effort budget in the calling thread's CPU time
 * (10 ms + 2 ms per MiB); past it, the rest of the input gets the "fast"
 * parse (shorter runs). CPU time ignores waiting, so more threads than
 * CPUs, a busy or a stopped process change nothing; only a slower CPU (or
 * valgrind, or an emulator) makes the same input give other bytes. */
#include <time.h>
#include "common.h"

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    double budget = cpu_seconds() + 0.010 + 0.002 * (double)in_len / (1 << 20);
    unsigned cap = 255;
    size_t o = 0;
    for (size_t at = 0; at < in_len; at += 65536) {
        size_t len = in_len - at < 65536 ? in_len - at : 65536;
        if (cap == 255 && at > 0 && cpu_seconds() > budget) cap = 32;
        o += rle_encode_cap(in + at, len, out + o, cap);
    }
    *out_ptr = out;
    return o;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
