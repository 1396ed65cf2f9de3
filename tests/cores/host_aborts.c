/* Fault (host, issue 14): assert(in_len <= 1 MiB), h4's default block size,
 * which the author took for a limit. A larger block (-B 2M and up, or
 * --raw on a larger input) aborts the host (SIGABRT). */
#include <assert.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    assert(in_len <= (1u << 20));
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
