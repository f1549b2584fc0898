/* Finding the command in the container: the PATH search and the reading
 * of a file's #! line or ELF program interpreter, which the run
 * (command.c, in the container's process) and --check (command_check,
 * from outside, before the container exists) share. Reads only. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "command_find.h"
#include "fileio.h"
#include "util_fd.h"


/* execvp's search: the first executable regular file in PATH; EACCES
 * when only files without permission were found. The run and --check
 * search alike; only how a candidate is probed differs. */
int cmd_search(const char *name, const char *path, cmd_probe_fn *probe, void *ctx, char *out,
	       size_t size)
{
	int err = ENOENT;

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return 0;
	}
	if (!*name)
		return ENOENT;
	for (const char *p = path ? path : "/usr/bin:/bin"; ; p++) {
		const char *end = strchrnul(p, ':');
		int rc;

		snprintf(out, size, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", name);
		rc = probe(out, ctx);
		if (rc == 0)
			return 0;
		if (rc == EACCES)
			err = EACCES;
		if (!*end)
			break;
		p = end;
	}
	return err;
}

/* The PT_INTERP path of an ELF file whose header is in buf. The two
 * classes differ only in field widths, so each program header is read
 * into the 64-bit layout. The table is read CHUNK entries a call: one
 * for most files. */
static int elf_interp(int fd, const unsigned char *buf, char *out, size_t size)
{
	enum { CHUNK = 16 };
	bool is64 = buf[EI_CLASS] == ELFCLASS64;
	unsigned char table[CHUNK * sizeof(Elf64_Phdr)];
	uint64_t phoff;
	unsigned phnum, phentsize;

	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, buf, sizeof eh);
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	} else if (buf[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		memcpy(&eh, buf, sizeof eh);
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	} else {
		return -1;
	}
	/* Entries of another size are not the class's: the kernel refuses
	 * such a file (binfmt_elf), and so does this check. */
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr))) {
		errno = ENOEXEC;
		return -1;
	}
	for (unsigned first = 0; first < phnum; first += CHUNK) {
		unsigned n = phnum - first;
		size_t len;

		if (n > CHUNK)
			n = CHUNK;
		len = (size_t)n * phentsize;

		if (pread(fd, table, len, (off_t)(phoff + (uint64_t)first * phentsize)) !=
		    (ssize_t)len)
			return -1;
		for (unsigned i = 0; i < n; i++) {
			const unsigned char *at = table + (size_t)i * phentsize;
			uint64_t type, offset, filesz;

			if (is64) {
				Elf64_Phdr ph;

				memcpy(&ph, at, sizeof ph);
				type = ph.p_type, offset = ph.p_offset, filesz = ph.p_filesz;
			} else {
				Elf32_Phdr ph;

				memcpy(&ph, at, sizeof ph);
				type = ph.p_type, offset = ph.p_offset, filesz = ph.p_filesz;
			}
			if (type != PT_INTERP)
				continue;
			if (filesz == 0 || filesz >= size ||
			    pread(fd, out, filesz, (off_t)offset) != (ssize_t)filesz)
				return -1;
			out[filesz] = '\0';
			return 0;
		}
	}
	return -1;
}

/* The header of an open file: the #! line split into interpreter and
 * optional argument (as binfmt_script does: the interpreter up to a blank,
 * the rest of the line, trimmed, as one argument), or the PT_INTERP of an
 * ELF file in elf. 1: a script; 0: not one (elf set when ELF has one);
 * -1: cannot be read. */
int cmd_read_header(int fd, char *line, size_t size, char **interp, char **arg, char *elf,
		    size_t elf_size)
{
	unsigned char buf[512];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	*elf = '\0';
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		char *s = line, *end;

		snprintf(line, size, "%.*s", (int)strcspn((char *)buf + 2, "\n"), (char *)buf + 2);
		s += strspn(s, " \t");
		*interp = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = '\0';
		s += strspn(s, " \t");
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		*arg = *s ? s : NULL;
		return 1;
	}
	if (n >= (ssize_t)sizeof(Elf64_Ehdr) && memcmp(buf, ELFMAG, SELFMAG) == 0 &&
	    elf_interp(fd, buf, elf, elf_size) < 0)
		*elf = '\0';
	return 0;
}

/* --check's view of the chain: the search and the files
 * command_resolve would open, each through open_in, before any
 * container exists. */
struct check_ctx {
	command_open_fn *open_in;
	void *ctx;
	bool unknown;   /* a file open_in cannot tell about: no verdict */
};

/* What root's access(X_OK) says, and the kernel's exec of the file: NULL
 * when fd is an executable regular file, else why not. */
static const char *not_executable(int fd)
{
	struct stat st;
	struct statvfs vfs;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return "is not a regular file";
	if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return "has no execute permission";
	if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
		return "is on a file system mounted noexec";
	return NULL;
}

static int probe_check(const char *file, void *arg)
{
	struct check_ctx *c = arg;
	cleanup_close int fd = c->open_in(file, c->ctx);
	struct stat st;

	if (fd == CMD_CANNOT_TELL) {
		c->unknown = true;
		return 0;
	}
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ENOENT;
	return not_executable(fd) ? EACCES : 0;
}

/* One file of the chain (what = "" for the command itself, else "its
 * interpreter " or "its program interpreter "): there, executable, not
 * ctlaunch. Its O_PATH descriptor, CMD_CANNOT_TELL, or -1 with e. */
static int check_one(struct check_ctx *c, const char *argv0, const char *what, const char *file,
		     const struct stat *self, struct ct_err *e)
{
	int fd = c->open_in(file, c->ctx);
	const char *why;
	struct stat st;

	if (fd == CMD_CANNOT_TELL)
		return fd;
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return *what ? ct_fail_status(e, 127, 0, "'%s': %s'%s' is not in the container",
					      argv0, what, file)
			     : ct_fail_status(e, 127, 0, "'%s' is not in the container", file);
	if (fd < 0)
		return ct_fail_status(e, 126, errno, "'%s': %s'%s'", argv0, what, file);
	why = not_executable(fd);
	if (!why && fstat(fd, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino)
		why = "is ctlaunch's own binary, which the run refuses (CVE-2019-5736)";
	if (why) {
		close(fd);
		return *what ? ct_fail_status(e, 126, 0, "'%s': %s'%s' %s", argv0, what, file, why)
			     : ct_fail_status(e, 126, 0, "'%s' %s", file, why);
	}
	return fd;
}

int command_check(const char *argv0, const char *path, command_open_fn *open_in, void *ctx,
		  struct ct_err *e)
{
	struct check_ctx c = { .open_in = open_in, .ctx = ctx };
	char file[PATH_MAX], line[512], elf[PATH_MAX];
	struct stat self;
	int err = cmd_search(argv0, path, probe_check, &c, file, sizeof file);

	if (err == ENOENT)
		return ct_fail_status(e, 127, 0, "no '%s' in the container's PATH (%s)", argv0,
				      path ? path : "/usr/bin:/bin");
	if (err)
		return ct_fail_status(e, 126, 0, "'%s' is in the container's PATH (%s) only "
				      "without execute permission", argv0,
				      path ? path : "/usr/bin:/bin");
	if (c.unknown || stat("/proc/self/exe", &self) < 0)
		return 0;
	for (size_t n = 0;; n++) {
		cleanup_close int pfd = check_one(&c, argv0, n ? "its interpreter " : "", file, &self, e);
		cleanup_close int fd = -1;
		char *interp, *arg;
		int rc;

		if (pfd == CMD_CANNOT_TELL)
			return 0;
		if (pfd < 0)
			return -1;
		fd = fd_reopen(pfd, O_RDONLY | O_NONBLOCK | O_NOCTTY);
		rc = fd < 0 ? -1 : cmd_read_header(fd, line, sizeof line, &interp, &arg, elf, sizeof elf);
		if (rc < 0)
			return ct_fail_status(e, 126, errno, "'%s': '%s' cannot be read to check it",
					      argv0, file);
		if (rc == 0)
			break;
		if (!*interp)
			return ct_fail_status(e, 126, 0, "'%s': the #! line of '%s' names no "
					      "interpreter", argv0, file);
		/* binfmt_script follows at most this many. */
		if (n == CMD_MAX_INTERPRETERS)
			return ct_fail_status(e, 126, 0, "'%s': more than %d interpreters", argv0,
					      CMD_MAX_INTERPRETERS);
		snprintf(file, sizeof file, "%s", interp);
	}
	/* The kernel opens an ELF file's program interpreter itself: a
	 * dynamic binary from another distribution fails with ENOENT. */
	if (*elf) {
		cleanup_close int fd = check_one(&c, argv0, "its program interpreter ", elf, &self, e);

		if (fd == -1)
			return -1;
	}
	return 0;
}
