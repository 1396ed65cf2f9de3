/* Fault (host, issue 14): a hostile core. In every compression it tries to
 * get the data out or touch the system: create the file named by
 * H4_ESCAPE_FILE, open a network socket, start a program, and signal its
 * parent process. If any attempt works it returns 0 (the failure signal),
 * so the host's exit status says whether its sandbox held: in-process h4
 * fails, `--isolate` (Landlock and seccomp) succeeds. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common.h"

extern char **environ;

static int escaped(void) {
    int any = 0;
    const char *path = getenv("H4_ESCAPE_FILE");
    if (path) {
        int fd = open(path, O_CREAT | O_WRONLY, 0644);
        if (fd >= 0) {
            any = 1;
            close(fd);
        }
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0) {
        any = 1;
        close(s);
    }
    pid_t child;
    char *argv[] = {"/bin/true", NULL};
    if (posix_spawn(&child, "/bin/true", NULL, NULL, argv, environ) == 0) any = 1;
    if (kill(getppid(), 0) == 0) any = 1;
    return any;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (escaped()) return 0;
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
