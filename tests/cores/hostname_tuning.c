/* Fault (determinism): a per-machine tuning table keyed by the host name
 * (it was meant for benchmarks on a build farm): the run cap comes from a
 * hash of gethostname(). The name itself is never written, so only
 * compressing on another host (or in a new UTS namespace) shows it. */
#include <unistd.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    return compress_cap(in_ptr, in_len, out_ptr, 128 + fnv1a(host) % 128);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
