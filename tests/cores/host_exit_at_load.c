/* Fault (host, issue 14): a licence check in the initialiser that ends the
 * program, successfully, when no licence is set: written for the core's
 * own command-line tool, where exit(0) meant "nothing to do". In a host it
 * ends the host with status 0 before anything is written. H4CORE_LICENCE
 * set: a good core. */
#include <stdlib.h>
#include "common.h"

__attribute__((constructor)) static void check_licence(void) {
    if (!getenv("H4CORE_LICENCE")) exit(EXIT_SUCCESS); /* no licence: nothing to do */
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
