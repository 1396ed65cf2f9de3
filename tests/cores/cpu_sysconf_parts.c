/* Fault (determinism): as cpu_affinity_parts, but the part count is the
 * number of online CPUs from sysconf(_SC_NPROCESSORS_ONLN), which glibc
 * reads from /sys and which taskset does not change: the bytes differ
 * only between machines with different CPU counts. */
#include <unistd.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    long cpus = in_len >= 65536 ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
    return compress_in_parts(in_ptr, in_len, out_ptr, cpus > 0 ? (size_t)cpus : 1);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
