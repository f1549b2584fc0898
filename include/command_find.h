/* Finding the command in the container: the search of PATH and the
 * reading of a file's #! line or ELF program interpreter, shared by the
 * run (command.c, in the container's process: no allocation) and by
 * --check (command_check, from outside, before the container exists).
 * Reads only: src/LAYERS's probe. */
#ifndef CTLAUNCH_COMMAND_FIND_H
#define CTLAUNCH_COMMAND_FIND_H

#include <stddef.h>

#include "err.h"

/* binfmt_script follows at most this many interpreters (BINPRM_MAX_RECURSION). */
#define CMD_MAX_INTERPRETERS 5

/* A candidate of the search: 0 when it is an executable regular file,
 * EACCES when a regular file without permission, else ENOENT. */
typedef int cmd_probe_fn(const char *file, void *ctx);

/* execvp's search of name in path (a PATH value; NULL: /usr/bin:/bin):
 * the first candidate probe accepts, into out; a name with a slash is
 * taken as it is. 0, or ENOENT, or EACCES when only files without
 * permission were found. */
int cmd_search(const char *name, const char *path, cmd_probe_fn *probe, void *ctx, char *out,
	       size_t size);

/* The header of an open file: the #! line split into interpreter and
 * optional argument (as binfmt_script does), or the PT_INTERP of an ELF
 * file in elf. 1: a script; 0: not one (elf set when ELF has one); -1:
 * cannot be read. */
int cmd_read_header(int fd, char *line, size_t size, char **interp, char **arg, char *elf,
		    size_t elf_size);

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

#endif
