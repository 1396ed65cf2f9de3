/* Fault (host, issue 14): caps the size of the files the process writes at
 * load, "so a runaway spill file cannot fill the disk", as its own tool
 * did with its scratch files: setrlimit(RLIMIT_FSIZE) to 64 KiB. In a
 * host, the host's own output stops at 64 KiB: SIGXFSZ kills it (or, with
 * the signal ignored, writes fail with EFBIG). -DHARD: the hard limit too,
 * which an unprivileged host cannot raise back. */
#include <sys/resource.h>
#include "common.h"

__attribute__((constructor)) static void cap_spill_files(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_FSIZE, &limit) != 0) return;
    limit.rlim_cur = 64 * 1024;
#ifdef HARD
    limit.rlim_max = 64 * 1024;
#endif
    setrlimit(RLIMIT_FSIZE, &limit);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
