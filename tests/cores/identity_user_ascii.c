/* Fault (identity): every payload starts with a "created by" field holding
 * the login name, looked up once at load in the password database
 * (getpwuid), not in $USER, so changing the environment does not change
 * it. Same bytes on every run on this machine, and the user's name in
 * every file. */
#include <pwd.h>
#include <unistd.h>
#include "common.h"

static char creator[64] = "unknown";

__attribute__((constructor)) static void find_creator(void) {
    const struct passwd *pw = getpwuid(getuid());
    if (pw) snprintf(creator, sizeof creator, "%s", pw->pw_name);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return compress_with_field(in_ptr, in_len, out_ptr, creator, strlen(creator));
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
