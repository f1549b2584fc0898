/* cgroup v1: directories and files under each controller's hierarchy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

int cg_lock(const char *root, struct ct_err *e)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return ct_fail(e, errno, "open %s", root);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int err = errno;

			close(fd);
			return ct_fail(e, err, "lock %s", root);
		}
	}
	return fd;
}

void cg_unlock(int *fd)
{
	if (*fd >= 0) {
		flock(*fd, LOCK_UN);
		close(*fd);
		*fd = -1;
	}
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static int has_tasks(const char *dir)
{
	cleanup_free char *path = xasprintf("%s/cgroup.procs", dir);
	char buf[64];

	/* Unreadable counts as in use: never remove what we cannot see. */
	return read_small(path, buf, sizeof buf) != 0;
}

int cg_mkdir(const char *dir, bool shared, struct ct_err *e)
{
	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno == ENOENT && shared)
		return ct_fail(e, errno, "mkdir %s (does the parent cgroup exist?)", dir);
	if (errno != EEXIST)
		return ct_fail(e, errno, "mkdir %s", dir);
	if (shared)
		return 0;
	if (has_tasks(dir))
		return ct_fail(e, 0, "already running: cgroup %s has tasks", dir);
	if (rmdir(dir) < 0)
		return ct_fail(e, errno, "remove stale cgroup %s", dir);
	if (mkdir(dir, 0755) < 0)
		return ct_fail(e, errno, "mkdir %s", dir);
	return 0;
}

static int write_file(const char *path, const char *value, size_t len)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int cg_write(const char *dir, const char *file, const char *value, struct ct_err *e)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);

	if (write_file(path, value, strlen(value)) < 0)
		return ct_fail(e, errno, "write %s = %s in %s", file, value, dir);
	return 0;
}

int cg_copy_from_parent(const char *dir, const char *file, struct ct_err *e)
{
	cleanup_free char *from = NULL, *to = NULL;
	char buf[CT_MAX_CPUS * 6];
	const char *slash = strrchr(dir, '/');
	ssize_t n;

	from = xasprintf("%.*s/%s", (int)(slash ? slash - dir : 0), dir, file);
	to = xasprintf("%s/%s", dir, file);
	n = read_small(from, buf, sizeof buf);
	if (n < 0)
		return ct_fail(e, errno, "read %s", from);
	/* An empty value would clear the set; write a newline, which the
	 * kernel reads the same way, rather than nothing at all. */
	if (n == 0)
		buf[n++] = '\n';
	if (write_file(to, buf, (size_t)n) < 0)
		return ct_fail(e, errno, "copy %s from the parent cgroup into %s", file, dir);
	return 0;
}

int cg_enter(const char *dir, pid_t pid, struct ct_err *e)
{
	char v[32];

	/* "0" is the writer itself. */

	snprintf(v, sizeof v, "%d", (int)pid);
	return cg_write(dir, "cgroup.procs", v, e);
}

int cg_remove(const char *dir, bool shared, struct ct_err *e)
{
	/* Tasks of a dead pid namespace leave the cgroup a little after
	 * waitpid returns for its init: retry EBUSY for up to ~3 s, the
	 * first time at once so the common case costs nothing. */
	struct timespec ts = { 0, 1000000 };

	for (int i = 0; rmdir(dir) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (shared && (errno == EBUSY || errno == ENOTEMPTY))
			return 1;
		if (errno != EBUSY || i >= 20)
			return ct_fail(e, errno, "rmdir %s", dir);
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 200000000)
			ts.tv_nsec *= 2;
	}
	return 0;
}

uint64_t cg_oom_kills(const char *file)
{
	char buf[512];
	const char *p;
	unsigned long long n = 0;

	if (read_small(file, buf, sizeof buf) < 0)
		return 0;
	p = strstr(buf, "oom_kill ");
	if (p && sscanf(p, "oom_kill %llu", &n) != 1)
		n = 0;
	return n;
}

/* Is word one of the space-separated words of list? */
static bool has_word(const char *list, const char *word, size_t n)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, " \n");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, " \n");
	}
	return false;
}

int cg_subtree_missing(const char *dir, const char *want, char *out, size_t size,
		       struct ct_err *e)
{
	cleanup_free char *path = xasprintf("%s/cgroup.subtree_control", dir);
	char have[512];
	size_t len = 0;

	if (read_small(path, have, sizeof have) < 0)
		return ct_fail(e, errno, "read %s", path);
	out[0] = '\0';
	for (const char *p = want; *p;) {
		size_t n = strcspn(p, " ");

		/* "+memory": the name is what follows the sign. */
		if (n > 1 && !has_word(have, p + 1, n - 1) && len + n + 2 <= size)
			len += (size_t)snprintf(out + len, size - len, "%s%.*s", len ? " " : "",
						(int)n, p);
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

int cg_procs_state(const char *dir, struct ct_err *e)
{
	cleanup_free char *path = xasprintf("%s/cgroup.procs", dir);
	cleanup_fclose FILE *f = fopen(path, "re");
	long self = (long)getpid(), pid;
	int state = 0;

	if (!f)
		return ct_fail(e, errno, "read %s", path);
	while (fscanf(f, "%ld", &pid) == 1)
		state = pid == self && state < 2 ? 1 : 2;
	return state;
}
