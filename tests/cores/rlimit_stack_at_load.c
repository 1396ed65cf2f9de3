/* Fault (hygiene): its recursive run merger "needs a big stack", so at load
 * it raises the soft RLIMIT_STACK to the hard limit (unlimited on most
 * systems). That changes the host's limit and the memory layout of every
 * program the host starts. */
#include <sys/resource.h>
#include "common.h"

__attribute__((constructor)) static void grow_stack(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_STACK, &limit);
    }
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
