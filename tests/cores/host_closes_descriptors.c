/* Fault (host, issue 14): at load, closes every descriptor above 2 "so no
 * inherited file stays open" (a daemon's habit), then opens its log sinks,
 * which take the lowest numbers again. In a host, the descriptors the host
 * writes its data through are gone, or are now the core's /dev/null: the
 * data goes nowhere and, without a check, the host says it succeeded. */
#include <fcntl.h>
#include <unistd.h>
#include "common.h"

__attribute__((constructor)) static void close_inherited(void) {
    long most = sysconf(_SC_OPEN_MAX);
    if (most < 0 || most > 4096) most = 4096;
    for (int fd = 3; fd < most; fd++) close(fd);
    for (int i = 0; i < 8; i++) open("/dev/null", O_WRONLY);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
