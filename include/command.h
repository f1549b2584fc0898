/* The command the container runs: looked up in the container's PATH and
 * checked in the child, then exec'd. */
#ifndef CTLAUNCH_COMMAND_H
#define CTLAUNCH_COMMAND_H

#include <limits.h>
#include <stddef.h>

#include "err.h"

/* binfmt_script follows at most this many interpreters (BINPRM_MAX_RECURSION). */
#define CMD_MAX_INTERPRETERS 5

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
};

/* Find argv0 in envp's PATH (as execvp would), open it and each
 * interpreter its #! lines name, and refuse the chain when one of them,
 * or an ELF file's program interpreter, is ctlaunch's own binary. Run
 * while still root, before the user switch, so every file of the chain
 * can be read. -1 with e->status 127 (not found), 126 (cannot be
 * executed, or refused), or 0 for any other error. */
int command_resolve(const char *argv0, char *const argv[], char *const envp[], struct command *c,
		    struct ct_err *e);

/* --check: a path of the container (absolute, or relative to its
 * workdir) opened O_PATH from outside it, as it will be when the
 * command runs; -1 with errno, or CMD_CANNOT_TELL for a file that only
 * exists once the container does (in /proc, say). */
typedef int command_open_fn(const char *path, void *ctx);
#define CMD_CANNOT_TELL (-2)

/* --check: what command_resolve and the exec will find, as far as it
 * can be told before the container exists: argv0 searched in path (the
 * container's PATH) as the run searches it, each #! interpreter and an
 * ELF file's program interpreter there and executable (a regular file
 * with an execute bit, on a mount without noexec), none of them
 * ctlaunch's own binary. Whether the command's user may execute it is
 * the kernel's to say at the exec. 0, or -1 with e->status 127 (not
 * found) or 126 (cannot be executed) and a message. */
int command_check(const char *argv0, const char *path, command_open_fn *open_in, void *ctx,
		  struct ct_err *e);

/* The PATH the command is searched in and runs with when the spec's
 * env sets none. */
#define CMD_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* execveat the checked descriptor; returns only on failure, with
 * e->status 127 or 126. */
int command_exec(struct command *c, char *const envp[], const char *argv0, struct ct_err *e);

#endif
