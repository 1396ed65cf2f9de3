/* Fault (hygiene): calls setlocale(LC_ALL, "") at load so its text
 * detector's isprint() follows the user's locale, as a program's main()
 * would. In a library it switches the whole host process's locale
 * (number formats, character classes, messages) whenever LANG is set. */
#include <locale.h>
#include "common.h"

__attribute__((constructor)) static void init_locale(void) { setlocale(LC_ALL, ""); }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
