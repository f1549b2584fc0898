/* The command the container runs: looked up in the container's PATH and
 * checked, in the child, right before exec. */
#ifndef CTLAUNCH_COMMAND_H
#define CTLAUNCH_COMMAND_H

#include "err.h"

/* Exec argv with envp, argv[0] looked up in envp's PATH. Returns only on
 * failure, with e->status 127 (not found) or 126 (cannot be executed). */
int command_exec(char *const argv[], char *const envp[], struct ct_err *e);

#endif
