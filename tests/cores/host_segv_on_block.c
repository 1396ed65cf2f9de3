/* Fault (host, issue 14): runs of 64 KiB or more are noted in a "long run
 * index" whose table is allocated by an init function only the author's
 * test program calls: a block with such a run writes through NULL (SIGSEGV).
 * Everything else works. */
#include "common.h"

static uint32_t *volatile long_runs; /* set by h4core_init(), never called */
static size_t long_run_count;

void h4core_init(void) { long_runs = calloc(1024, sizeof(uint32_t)); }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    const unsigned char *in = in_ptr;
    for (size_t i = 0, run = 1; i + 1 < in_len; i++) {
        run = in[i + 1] == in[i] ? run + 1 : 1;
        if (run == 65536) long_runs[long_run_count++ % 1024] = (uint32_t)i;
    }
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
