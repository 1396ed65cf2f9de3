/* Fault (hygiene): every compression sets umask(077) "so scratch files are
 * private" and never restores the old mask: files the host creates
 * afterwards lose their group and other permissions. */
#include <sys/stat.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    umask(077);
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
