/* Fault (determinism): prepared for a threaded encoder, it cuts inputs of
 * 64 KiB or more into one part per CPU it may run on (sched_getaffinity)
 * and encodes the parts separately. Lossless, but a run crossing a cut
 * is written twice, so the bytes depend on the CPUs (taskset -c 0). */
#define _GNU_SOURCE
#include <sched.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    cpu_set_t set;
    size_t cpus = 1;
    if (in_len >= 65536 && sched_getaffinity(0, sizeof set, &set) == 0) cpus = CPU_COUNT(&set);
    return compress_in_parts(in_ptr, in_len, out_ptr, cpus);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
