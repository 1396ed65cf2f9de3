/* Fault (hygiene): opens /dev/urandom at load and keeps the descriptor for
 * the life of the process "in case a seed is needed" (it never is, so the
 * output stays deterministic). One more open descriptor in the host, and
 * without O_CLOEXEC it is inherited by every program the host starts. */
#include <fcntl.h>
#include <unistd.h>
#include "common.h"

static int urandom = -1;

__attribute__((constructor)) static void open_seed_source(void) {
    urandom = open("/dev/urandom", O_RDONLY);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
