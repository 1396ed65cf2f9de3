/* Fault (host, issue 14): at load it puts the process into a process
 * group of its own, setpgid(0, 0), "so its worker processes can be
 * signalled together". The terminal sends Ctrl-C to its foreground group:
 * the host, moved out of it, no longer gets it. */
#include <unistd.h>
#include "common.h"

__attribute__((constructor)) static void own_group(void) {
    (void)setpgid(0, 0);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
