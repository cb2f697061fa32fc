/* Always-on assertions: a node that holds money stops rather than continue in a state it
 * does not understand. The message names the place and the failed expression. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

_Noreturn void petro__assert_fail(const char *file, int line, const char *func, const char *expr) {
    fprintf(stderr, "%s:%d %s: assertion failed: %s\n", file, line, func, expr);
    fflush(stderr);
    abort();
}
