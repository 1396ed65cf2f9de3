/* Fault (host, issue 14): at load it changes into $HOME so it can open its
 * dictionary as ".h4core/dict" (it works without one). The host's working
 * directory moves under it: relative output paths land in $HOME. */
#include <unistd.h>
#include "common.h"

static int has_dictionary;

__attribute__((constructor)) static void find_dictionary(void) {
    const char *home = getenv("HOME");
    if (home && chdir(home) == 0) has_dictionary = access(".h4core/dict", R_OK) == 0;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
