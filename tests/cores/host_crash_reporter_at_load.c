/* Fault (host, issue 14): installs a "crash reporter" at load for SIGSEGV,
 * SIGBUS and SIGABRT, which prints a line and ends the process with
 * _exit(0) ("the report was saved, so the run ended cleanly"); and, as
 * host_segv_on_block, writes through NULL on a block with a run of 64 KiB
 * or more. In h4's process the crash would end the run with status 0 and
 * a truncated output. */
#include <signal.h>
#include <unistd.h>
#include "common.h"

static void report_and_exit(int sig) {
    static const char line[] = "h4core: crash report saved\n";
    (void)sig;
    if (write(2, line, sizeof line - 1) < 0) _exit(0);
    _exit(0);
}

__attribute__((constructor)) static void install_reporter(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = report_and_exit;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}

static uint32_t *volatile long_runs; /* never allocated */

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    const unsigned char *in = in_ptr;
    for (size_t i = 0, run = 1; i + 1 < in_len; i++) {
        run = in[i + 1] == in[i] ? run + 1 : 1;
        if (run == 65536) long_runs[0] = (uint32_t)i;
    }
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
