/* The command the container runs: looked up in the container's PATH and
 * checked in the child, then exec'd. */
#ifndef CTLAUNCH_COMMAND_H
#define CTLAUNCH_COMMAND_H

#include <stddef.h>

#include "err.h"

/* Find argv0 in envp's PATH (as execvp would) into path, and refuse the
 * file when it, or an interpreter it names, is ctlaunch's own binary.
 * Run while still root, before the user switch, so every file of the
 * chain can be read. -1 with e->status 127 (not found), 126 (cannot be
 * executed, or refused), or 0 for any other error. */
int command_resolve(const char *argv0, char *const envp[], char *path, size_t size,
		    struct ct_err *e);

/* execve path; returns only on failure, with e->status 127 or 126. */
int command_exec(const char *path, char *const argv[], char *const envp[], struct ct_err *e);

#endif
