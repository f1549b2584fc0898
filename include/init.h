/* The container's init (init: true): ctlaunch's own small PID 1
 * (src/pid1/ctinit.c), carried as data and exec'd from a sealed memfd,
 * so that the container's PID 1 is never ctlaunch's binary. */
#ifndef CTLAUNCH_INIT_H
#define CTLAUNCH_INIT_H

#include <stddef.h>

#include "command.h"
#include "err.h"

/* The init program, built freestanding and turned into an array by the
 * Makefile (build/gen/init_prog.c). */
extern const unsigned char ct_init_prog[];
extern const size_t ct_init_prog_size;

/* argv slots init_exec needs in front of the command's (struct command's
 * storage must have them). */
#define INIT_ARGV_EXTRA 2

/* In the parent, before the clone: a memfd holding the init program,
 * sealed against any change, close-on-exec. Its descriptor, or -1. */
int init_memfd(struct ct_err *e);

/* In the child, as its last act: exec the init from memfd as the
 * container's PID 1, handing it the command that command_resolve found
 * and checked (its descriptor stays open across this one exec, and the
 * init execs it in turn). Checked first as the command's exec would be,
 * so that a command that cannot run fails here with ctlaunch's message
 * and status (126, 127). Returns only on failure. No allocation. */
int init_exec(int memfd, struct command *c, char *const envp[], const char *argv0,
	      struct ct_err *e);

#endif
