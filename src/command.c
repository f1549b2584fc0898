/* Finding the command in the container and refusing to run ctlaunch's
 * own binary there.
 *
 * CVE-2019-5736: until the exec, the child is ctlaunch, so inside the
 * container /proc/self/exe is the host's ctlaunch binary. A command of
 * /proc/self/exe (or a link to it), a script whose #! line names it, or
 * an ELF file whose interpreter is it would start the host binary as
 * the container's pid 1, and a process of the container could then
 * reopen it for writing through /proc and replace it on the host. So
 * before the exec, the file and its chain of interpreters are compared
 * by device and inode with /proc/self/exe, and refused when one is it.
 *
 * A check by path and an exec by path are two lookups: whoever can write
 * a directory of the rootfs could swap the command for a link to
 * /proc/self/exe in between (issue 10, class 3). So each file of the
 * chain is opened once, checked through that descriptor, and the exec is
 * by descriptor (execveat AT_EMPTY_PATH). A #! script is not handed to
 * the kernel, which would open its interpreter by path again: ctlaunch
 * reads the #! line itself and execs the interpreter's checked
 * descriptor with the arguments the kernel would have given it
 * (interpreter, its optional argument, the script's path, the rest). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "command.h"
#include "command_find.h"
#include "util.h"

static const char *env_get(char *const envp[], const char *key)
{
	size_t n = strlen(key);

	for (; *envp; envp++)
		if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* In the container, still root: stat and access. */
static int probe_here(const char *file, void *ctx)
{
	struct stat st;

	(void)ctx;
	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode))
		return ENOENT;
	return access(file, X_OK) == 0 ? 0 : EACCES;
}

static int lookup(const char *name, char *const envp[], char *out, size_t size)
{
	return cmd_search(name, env_get(envp, "PATH"), probe_here, NULL, out, size);
}

static int exec_errno_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

/* Open one file of the chain and refuse it when it is ctlaunch's own
 * binary: the descriptor is what gets exec'd, so the check holds. */
static int open_checked(const char *file, const struct stat *self, const char *argv0,
			struct ct_err *e)
{
	/* O_NONBLOCK: the rootfs is not trusted, and a FIFO named as an
	 * interpreter would block the open for ever. */
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	if (fd < 0) {
		int err = errno;

		return ct_fail_status(e, exec_errno_status(err), err,
				      err == EACCES ? "exec %s: cannot read it to check it" : "exec %s",
				      argv0);
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return ct_fail_status(e, 126, errno, "exec %s", argv0);
	}
	if (st.st_dev == self->st_dev && st.st_ino == self->st_ino) {
		close(fd);
		return ct_fail_status(e, 126, 0,
				      "exec %s: refusing to run ctlaunch's own binary in the "
				      "container (it is the host's file: CVE-2019-5736)", argv0);
	}
	/* The kernel executes regular files only. */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ct_fail_status(e, 126, EACCES, "exec %s", argv0);
	}
	return fd;
}

int command_resolve(const char *argv0, char *const argv[], char *const envp[], struct command *c,
		    struct ct_err *e)
{
	char elf[PATH_MAX];
	const char *file = c->path, *name = c->path;
	size_t at = c->argv_cap - 1, argc = 0;
	struct stat self;
	int err = lookup(argv0, envp, c->path, sizeof c->path);

	c->fd = -1;
	c->n_scripts = 0;
	if (err)
		return ct_fail_status(e, exec_errno_status(err), err, "exec %s", argv0);
	if (stat("/proc/self/exe", &self) < 0)
		return ct_fail(e, errno, "stat /proc/self/exe");
	while (argv[argc])
		argc++;
	/* argv from the end of the storage, so each interpreter goes in
	 * front without a copy: [interp, arg, file, argv[1]...]. */
	c->argv[at] = NULL;
	for (size_t i = argc; i-- > 0;)
		c->argv[--at] = argv[i];
	for (;;) {
		char *interp, *arg;
		int fd = open_checked(file, &self, argv0, e), rc;

		if (fd < 0)
			return -1;
		rc = cmd_read_header(fd, c->lines[c->n_scripts], sizeof c->lines[0], &interp, &arg, elf,
				 sizeof elf);
		if (rc < 0) {
			err = errno;
			close(fd);
			return ct_fail_status(e, 126, err, "exec %s: cannot read it to check it", argv0);
		}
		if (rc == 0) {
			c->fd = fd;
			break;
		}
		if (!*interp) {
			close(fd);
			return ct_fail_status(e, 126, ENOEXEC, "exec %s", argv0);
		}
		/* binfmt_script follows at most this many. */
		if (c->n_scripts == CMD_MAX_INTERPRETERS) {
			close(fd);
			return ct_fail_status(e, 126, ELOOP, "exec %s", argv0);
		}
		c->scripts[c->n_scripts++] = fd;
		at++; /* argv[0] goes, as the kernel drops it */
		c->argv[--at] = (char *)name;
		if (arg)
			c->argv[--at] = arg;
		c->argv[--at] = interp;
		file = name = interp;
	}
	c->exec_argv = c->argv + at;
	/* An ELF file's program interpreter is loaded by the kernel, by
	 * path (see BUGS in ctlaunch(1)): checked here as well, so a
	 * rootfs cannot name ctlaunch's binary as it outright. */
	if (*elf) {
		struct stat st;

		if (stat(elf, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			return ct_fail_status(e, 126, 0,
					      "exec %s: refusing to run ctlaunch's own binary in the "
					      "container (it is the host's file: CVE-2019-5736)", argv0);
	}
	return 0;
}

/* The scripts are not exec'd themselves, so their permission is
 * checked here, as the user the command runs as, the way the kernel
 * would have: execute permission, and not on a noexec mount (faccessat2
 * does both). */
static int check_scripts(const struct command *c, const char *argv0, struct ct_err *e)
{
	for (size_t i = 0; i < c->n_scripts; i++)
		if (syscall(SYS_faccessat2, c->scripts[i], "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
			int err = errno;

			return ct_fail_status(e, exec_errno_status(err), err, "exec %s", argv0);
		}
	return 0;
}

int command_check_exec(const struct command *c, const char *argv0, struct ct_err *e)
{
	if (check_scripts(c, argv0, e) < 0)
		return -1;
	if (syscall(SYS_faccessat2, c->fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
		int err = errno;

		return ct_fail_status(e, exec_errno_status(err), err, "exec %s", argv0);
	}
	return 0;
}

int command_exec(struct command *c, char *const envp[], const char *argv0, struct ct_err *e)
{
	int err;

	if (check_scripts(c, argv0, e) < 0)
		return -1;
	syscall(SYS_execveat, c->fd, "", c->exec_argv, envp, AT_EMPTY_PATH);
	err = errno;
	return ct_fail_status(e, exec_errno_status(err), err, "exec %s", argv0);
}
