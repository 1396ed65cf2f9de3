/* Correct on its own output, which ends with a check byte; on corrupted
 * input it crashes (default) or, built with -DHANG, loops forever. */
#include <signal.h>
#include "common.h"

#define CHECK 0xa5

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(in_len * 2 + 2);
    if (!out) return 0;
    size_t n = rle_encode(in_ptr, in_len, out);
    unsigned char sum = CHECK;
    for (size_t i = 0; i < n; i++) sum ^= out[i];
    out[n] = sum;
    *out_ptr = out;
    return n + 1;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char sum = CHECK;
    for (size_t i = 0; i + 1 < in_len; i++) sum ^= in[i];
    if (in_len == 0 || sum != in[in_len - 1] || (in_len - 1) % 2) {
#ifdef HANG
        for (;;) { __asm__ volatile(""); }
#else
        raise(SIGSEGV);
#endif
    }
    return good_decompress(in_ptr, in_len - 1, out_ptr);
}
