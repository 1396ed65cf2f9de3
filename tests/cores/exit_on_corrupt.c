/* Fault (robustness): a die() helper from the CLI it came from: a payload
 * of odd length ("corrupt stream") prints a message and calls exit(2)
 * instead of returning 0. Valid payloads never trigger it. */
#include "common.h"

static void die(const char *why) {
    fprintf(stderr, "h4core: %s\n", why);
    exit(2);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (in_len % 2) die("corrupt stream");
    return good_decompress(in_ptr, in_len, out_ptr);
}
