/* Fault (host, issue 14): sets umask(0) at load "so the shared cache it
 * may create is writable by every user". The host's own outputs are then
 * created world-writable (0666). */
#include <sys/stat.h>
#include "common.h"

__attribute__((constructor)) static void share_cache(void) { umask(0); }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
