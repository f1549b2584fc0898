/* The container's init (see init.h and src/pid1/ctinit.c).
 *
 * Why a program of its own, in a memfd, and not ctlaunch's child staying
 * on as PID 1 (as bubblewrap's does): a PID 1 that never execs runs
 * ctlaunch's binary, and its /proc/1/exe is the host's file. A container
 * process that may open it (same uid, or CAP_SYS_PTRACE) holds a way to
 * the host's ctlaunch, to be opened for writing once nothing runs it:
 * CVE-2019-5736, runc's. tini and catatonit avoid it by being another
 * binary, bind-mounted read-only (docker --init, podman --init); runc
 * and crun exec themselves from a sealed memfd copy. ctlaunch does the
 * latter with a program of about 2 KB, so the copy costs nothing worth
 * measuring: the container's PID 1 is then an anonymous file of this
 * launch, sealed, that leads nowhere on the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int init_memfd(struct ct_err *e)
{
	/* MFD_EXEC (Linux 6.3): executable even where vm.memfd_noexec makes
	 * memfds noexec by default; older kernels know no such flag. */
	int fd = memfd_create("ctlaunch-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("ctlaunch-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return ct_fail(e, errno, errno == EACCES ? "memfd for the init (vm.memfd_noexec "
							  "forbids executable memfds)"
							: "memfd for the init");
	if (write_all(fd, ct_init_prog, ct_init_prog_size) < 0) {
		ct_fail(e, errno, "write the init into its memfd");
		close(fd);
		return -1;
	}
	/* No write, no size change, no mode change, no new seal: the file
	 * stays what was written, whoever opens it (/proc/1/exe). */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_EXEC |
					 F_SEAL_SEAL) < 0 &&
	    (errno != EINVAL ||
	     fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)) {
		ct_fail(e, errno, "seal the init's memfd");
		close(fd);
		return -1;
	}
	return fd;
}

int init_exec(int memfd, struct command *c, char *const envp[], const char *argv0,
	      struct ct_err *e)
{
	char **argv = c->exec_argv - INIT_ARGV_EXTRA;
	int err;

	if (c->exec_argv - c->argv < INIT_ARGV_EXTRA)
		return ct_fail(e, 0, "no room for the init's arguments");
	if (command_check_exec(c, argv0, e) < 0)
		return -1;
	snprintf(c->fd_arg, sizeof c->fd_arg, "%d", c->fd);
	argv[0] = (char *)"ctlaunch-init";
	argv[1] = c->fd_arg;
	/* The command's descriptor is the one the init needs open; the
	 * init makes it close-on-exec again before the command's exec. */
	if (fcntl(c->fd, F_SETFD, 0) < 0)
		return ct_fail(e, errno, "exec the init");
	syscall(SYS_execveat, memfd, "", argv, envp, AT_EMPTY_PATH);
	err = errno;
	fcntl(c->fd, F_SETFD, FD_CLOEXEC);
	return ct_fail(e, err, "exec the init");
}
