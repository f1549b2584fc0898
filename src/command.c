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
 * by device and inode with /proc/self/exe, and refused when one is it. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "util.h"

/* binfmt_script follows at most this many interpreters (BINPRM_MAX_RECURSION). */
#define MAX_INTERPRETERS 5

static const char *env_get(char *const envp[], const char *key)
{
	size_t n = strlen(key);

	for (; *envp; envp++)
		if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* execvp's search: the first executable regular file in PATH; EACCES
 * when only files without permission were found. */
static int lookup(const char *name, char *const envp[], char *out, size_t size)
{
	const char *path = env_get(envp, "PATH");
	int err = ENOENT;

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return 0;
	}
	if (!*name)
		return ENOENT;
	for (const char *p = path ? path : "/usr/bin:/bin"; ; p++) {
		const char *end = strchrnul(p, ':');
		struct stat st;

		snprintf(out, size, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", name);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			err = EACCES;
		}
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

/* The interpreter a file asks for: the #! line of a script, or the
 * PT_INTERP of an ELF file. 0 with out filled; -1 with errno 0 when it
 * names none, or with errno set when the file cannot be read. */
static int interpreter_of(const char *file, char *out, size_t size)
{
	/* O_NONBLOCK: the rootfs is not trusted, and a FIFO named as an
	 * interpreter would block the open for ever. */
	cleanup_close int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	unsigned char buf[512];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	/* The kernel executes regular files only: nothing else can be one
	 * with an interpreter. */
	if (!S_ISREG(st.st_mode)) {
		errno = 0;
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		return -1;
	/* From here on, -1 with errno 0: a file with no interpreter. */
	errno = 0;
	if (n < 4)
		return -1;
	buf[n] = '\0';
	if (buf[0] == '#' && buf[1] == '!') {
		char *s = (char *)buf + 2;

		s += strspn(s, " \t");
		s[strcspn(s, " \t\n")] = '\0';
		snprintf(out, size, "%s", s);
		return *s ? 0 : -1;
	}
	if (memcmp(buf, ELFMAG, SELFMAG) != 0 || (size_t)n < sizeof(Elf64_Ehdr))
		return -1;
	return elf_interp(fd, buf, out, size);
}

static bool is_self(const char *file, const struct stat *self)
{
	struct stat st;

	return stat(file, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino;
}

static int fail_status(struct ct_err *e, int errnum, int status, const char *fmt, const char *arg)
{
	ct_fail(e, errnum, fmt, arg);
	e->status = status;
	return -1;
}

int command_resolve(const char *argv0, char *const envp[], char *path, size_t size,
		    struct ct_err *e)
{
	char file[PATH_MAX], interp[PATH_MAX];
	struct stat self;
	int err = lookup(argv0, envp, path, size);

	if (err)
		return fail_status(e, err, err == ENOENT ? 127 : 126, "exec %s", argv0);
	if (stat("/proc/self/exe", &self) < 0)
		return ct_fail(e, errno, "stat /proc/self/exe");
	snprintf(file, sizeof file, "%s", path);
	/* Every link is checked, the last one too: after the #! scripts an
	 * ELF file's PT_INTERP is loaded without counting as a level. */
	for (int depth = 0;; depth++) {
		int rc;

		if (is_self(file, &self))
			return fail_status(e, 0, 126,
					   "exec %s: refusing to run ctlaunch's own binary in the "
					   "container (it is the host's file: CVE-2019-5736)", argv0);
		rc = interpreter_of(file, interp, sizeof interp);
		if (rc == 0 && depth > MAX_INTERPRETERS)
			return fail_status(e, ELOOP, 126, "exec %s", argv0);
		if (rc == 0) {
			memcpy(file, interp, sizeof file);
			continue;
		}
		/* A file the check cannot read is refused, not waved through:
		 * its interpreter could be anything. One that does not exist
		 * makes the exec fail on its own. */
		if (rc < 0 && errno != ENOENT && errno != 0)
			return fail_status(e, errno, 126, "exec %s: cannot read it to check it", argv0);
		break;
	}
	return 0;
}

int command_exec(const char *path, char *const argv[], char *const envp[], struct ct_err *e)
{
	int err;

	execve(path, argv, envp);
	err = errno;
	return fail_status(e, err, err == ENOENT || err == ENOTDIR ? 127 : 126, "exec %s", argv[0]);
}
