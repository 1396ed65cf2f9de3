/* Fault (hygiene): pins the whole process to its first CPU at load, copied
 * from a benchmark harness ("stable timings"). The host's worker threads
 * then all share one CPU: h4 -T4 runs at the speed of -T1. */
#define _GNU_SOURCE
#include <sched.h>
#include "common.h"

__attribute__((constructor)) static void pin(void) {
    cpu_set_t all, one;
    if (sched_getaffinity(0, sizeof all, &all) != 0) return;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &all)) {
            CPU_SET(cpu, &one);
            break;
        }
    }
    sched_setaffinity(0, sizeof one, &one);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
