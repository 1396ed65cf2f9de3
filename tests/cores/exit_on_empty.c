/* Fault (hygiene): the encoder was lifted from a command-line tool whose
 * main() did `if (len == 0) exit(EXIT_FAILURE)`. Inside a container h4
 * never sends an empty block, so nobody noticed; `--raw` on an empty input
 * ends the whole host process. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (in_len == 0) exit(EXIT_FAILURE);
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
