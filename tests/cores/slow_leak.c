/* Fault (leaks): every 1000th compression records a 32-byte statistics
 * entry and keeps only the newest (the pointer is published in a global,
 * the previous entry is lost). 32 bytes per 1000 calls: no resident-memory
 * measure sees it, and a valgrind run of a few hundred calls leaks nothing. */
#include "common.h"

struct stats {
    uint64_t calls, bytes_in, bytes_out, when;
};

static unsigned long calls;
static struct stats *volatile latest;

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    unsigned long call = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    if (call % 1000 == 0) {
        struct stats *s = malloc(sizeof *s);
        if (s) {
            *s = (struct stats){call, in_len, n, 0};
            latest = s; /* the previous entry is never freed */
        }
    }
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
