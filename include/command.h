/* The command the container runs: looked up in the container's PATH and
 * checked in the child, then exec'd. */
#ifndef CTLAUNCH_COMMAND_H
#define CTLAUNCH_COMMAND_H

#include <limits.h>
#include <stddef.h>

#include "command_find.h"
#include "err.h"

/* The command, found and checked in the child: what is exec'd is the
 * descriptor that was checked. Made by the parent (a vfork child must
 * not allocate): argv holds argv_cap pointers, at least the exec step's
 * argc + 2 * CMD_MAX_INTERPRETERS + 2. */
struct command {
	int fd;                 /* the file exec'd (the last interpreter of a script) */
	int scripts[CMD_MAX_INTERPRETERS]; /* the #! scripts before it */
	size_t n_scripts;
	char path[PATH_MAX];    /* argv0 found in PATH */
	char lines[CMD_MAX_INTERPRETERS][512]; /* their #! lines, split in place */
	char **argv;            /* storage for exec_argv */
	size_t argv_cap;
	char **exec_argv;       /* the interpreters' arguments, then argv[1...] */
	char fd_arg[16];        /* init_exec: fd as its argument to the init */
};

/* Find argv0 in envp's PATH (as execvp would), open it and each
 * interpreter its #! lines name, and refuse the chain when one of them,
 * or an ELF file's program interpreter, is ctlaunch's own binary. Run
 * while still root, before the user switch, so every file of the chain
 * can be read. -1 with e->status 127 (not found), 126 (cannot be
 * executed, or refused), or 0 for any other error. */
int command_resolve(const char *argv0, char *const argv[], char *const envp[], struct command *c,
		    struct ct_err *e);

/* What the exec would check, without the exec: the scripts' and the
 * file's execute permission, as the user the command runs as (for an
 * exec by another program: the init). -1 with e->status 126 or 127. */
int command_check_exec(const struct command *c, const char *argv0, struct ct_err *e);

/* execveat the checked descriptor; returns only on failure, with
 * e->status 127 or 126. */
int command_exec(struct command *c, char *const envp[], const char *argv0, struct ct_err *e);

#endif
