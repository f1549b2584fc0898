/* cgroup v1: directories and files under each controller's hierarchy. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "util.h"
#include "util_fd.h"

/* One of the signals that end a run is waiting (they are blocked). */
static int stop_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	if (sigismember(&pending, SIGINT))
		return SIGINT;
	if (sigismember(&pending, SIGTERM))
		return SIGTERM;
	return sigismember(&pending, SIGHUP) ? SIGHUP : 0;
}

int cg_lock(const char *path, bool dir, const char *fallback, bool interruptible,
	    struct ct_err *e)
{
	const struct timespec pause = { 0, 5000000 };
	struct stat st;
	int fd = dir ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		     : open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0 && errno == ENOENT && fallback) {
		path = fallback;
		dir = true;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return ct_fail(e, errno, "open the lock %s", path);
	/* O_NONBLOCK above, and a regular file here: a FIFO or a device
	 * put in its place must neither hang the open nor be locked. One of
	 * another user's, or a hard link to some other file, is not ours to
	 * lock or to chmod. */
	if (!dir && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		     st.st_nlink != 1)) {
		close(fd);
		return ct_fail(e, 0, "the lock %s is not a regular file of uid %u with one link "
				     "(remove it)", path, (unsigned)geteuid());
	}
	/* A file made by another tool with a wider mode: root's alone
	 * again. (Never the fallback directory.) */
	if (!dir && (st.st_mode & 077))
		fchmod(fd, 0600);
	/* Not a blocking wait: signals are blocked during setup, and a
	 * Control-C must still end a wait for a lock someone holds. */
	while (flock(fd, LOCK_EX | (interruptible ? LOCK_NB : 0)) < 0) {
		int err = errno, sig;

		if (err == EINTR)
			continue;
		if (err != EWOULDBLOCK) {
			close(fd);
			return ct_fail(e, err, "lock %s", path);
		}
		sig = stop_pending();
		if (sig) {
			close(fd);
			return ct_fail_status(e, 128 + sig, 0, "interrupted while waiting for %s "
					      "(another ctlaunch holds it)", path);
		}
		nanosleep(&pause, NULL);
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

/* The name's lock file in dfd, opened and locked (no wait). */
static int lock_file_at(int dfd, const char *file, const char *path, struct ct_err *e)
{
	struct stat st;
	int fd = openat(dfd, file, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0)
		return ct_fail(e, errno, "open the lock %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		close(fd);
		return ct_fail(e, 0, "the lock %s is not a regular file of uid %u with one link "
				     "(remove it)", path, (unsigned)geteuid());
	}
	/* Never a wait: the holder is a run of this name, which may last
	 * for days. */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		close(fd);
		if (err == EWOULDBLOCK) {
			ct_fail(e, 0, "already running: another ctlaunch holds %s, the lock of "
				      "this name's cgroups", path);
			return -3;
		}
		return ct_fail(e, err, "lock %s", path);
	}
	return fd;
}

/* Is dfd/file (still) the file open as fd? */
static bool same_file_at(int dfd, const char *file, int fd)
{
	struct stat a, b;

	return fstatat(dfd, file, &a, AT_SYMLINK_NOFOLLOW) == 0 && fstat(fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int cg_name_lock(const char *path, struct ct_err *e)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *dir = xasprintf("%.*s", (int)(slash ? slash - path : 0), path);
	cleanup_close int dfd = -1;
	struct stat st;

	/* The directory is root's (or, rootless, the user's) alone: a
	 * lock file another user could make or replace, they could hold,
	 * and refuse every run of that name. Root's may be read by all:
	 * the state files of its running containers are there, for every
	 * user's --list; the locks are root's alone (0600). */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		if (mkdir(dir, geteuid() == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
			return errno == ENOENT ? -2 : ct_fail(e, errno, "mkdir %s", dir);
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd < 0)
		return ct_fail(e, errno, "open %s", dir);
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022))
		return ct_fail(e, 0, "the lock directory %s is not of uid %u and writable by it "
				     "alone (remove it)", dir, (unsigned)geteuid());
	/* Made 0700 by ctlaunch before the state files were there. */
	if (geteuid() == 0 && (st.st_mode & 0777) == 0700)
		fchmod(dfd, 0755);
	/* ctlaunch --cleanup unlinks a free lock, holding it: a run that
	 * opened that file before and locked it after holds a lock nobody
	 * else can see, and opens the name's file again. */
	for (int tries = 0;; tries++) {
		int fd = lock_file_at(dfd, slash ? slash + 1 : path, path, e);
		if (fd < 0 || tries >= 100 || same_file_at(dfd, slash ? slash + 1 : path, fd))
			return fd;
		close(fd);
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
	cleanup_free char *path = path_join(dir, "cgroup.procs");
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

/* No malloc: a vfork child writes cgroup.procs with it. */
int cg_write(const char *dir, const char *file, const char *value, struct ct_err *e)
{
	char path[PATH_MAX];

	if (path_join_buf(path, sizeof path, dir, file) < 0)
		return ct_fail(e, ENAMETOOLONG, "write %s = %s in %s", file, value, dir);
	if (write_data(path, value, strlen(value)) < 0)
		return ct_fail(e, errno, "write %s = %s in %s", file, value, dir);
	return 0;
}

int cg_copy_from_parent(const char *dir, const char *file, struct ct_err *e)
{
	cleanup_free char *from = NULL, *to = NULL, *buf = NULL, *parent = NULL;
	const char *slash = strrchr(dir, '/');

	parent = xasprintf("%.*s", (int)(slash ? slash - dir : 0), dir);
	from = path_join(parent, file);
	to = path_join(dir, file);
	buf = read_text(from, e);
	if (!buf)
		return ct_fail(e, e->errnum, "read %s", from);
	/* An empty value would clear the set; write a newline, which the
	 * kernel reads the same way, rather than nothing at all. */
	if (write_data(to, *buf ? buf : "\n", *buf ? strlen(buf) : 1) < 0)
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

int cg_remove_empty(const char *dir, struct ct_err *e)
{
	if (rmdir(dir) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	if (errno == EBUSY || errno == ENOTEMPTY)
		return 2;
	return ct_fail(e, errno, "rmdir %s", dir);
}

/* SIGKILL every process listed in dir/cgroup.procs; how many there were. */
static int kill_procs(const char *dir)
{
	cleanup_free char *path = path_join(dir, "cgroup.procs");
	cleanup_fclose FILE *f = fopen(path, "re");
	long pid;
	int n = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	return n;
}

static int purge(const char *dir, int depth, struct ct_err *e);

static int purge_children(const char *dir, int depth, struct ct_err *e)
{
	DIR *d = opendir(dir);
	const struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : ct_fail(e, errno, "open %s", dir);
	while ((de = readdir(d))) {
		cleanup_free char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = path_join(dir, de->d_name);
		if (purge(sub, depth + 1, e) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

/* Kill what is in each cgroup of the tree, top down (the container's
 * pid 1 first: its death ends its pid namespace, and with it any new
 * fork or child cgroup), then rmdir the leaves before their parents.
 * v2 killed the tree already (cgroup.kill); v1 has no such file, so
 * each cgroup's processes are killed, and again at each retry (a
 * process can fork between the read of cgroup.procs and its kill). The
 * tree is the container's: with CAP_SYS_ADMIN it can make child
 * cgroups and put processes there, and neither may keep its cgroups
 * alive. */
static int purge(const char *dir, int depth, struct ct_err *e)
{
	const struct timespec pause = { 0, 2000000 };

	if (depth > 64)
		return ct_fail(e, 0, "cgroup %s: more than 64 levels of child cgroups", dir);
	kill_procs(dir);
	if (purge_children(dir, depth, e) < 0)
		return -1;
	/* Exiting tasks of a dead pid namespace leave a little after their
	 * init is reaped: up to 1500 tries 2 ms apart (~3 s), the first at
	 * once, so the common case costs one rmdir. */
	for (int i = 0; rmdir(dir) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= 1500)
			return ct_fail(e, errno, "rmdir %s", dir);
		nanosleep(&pause, NULL);
		if (kill_procs(dir) == 0 && cg_children(dir, "") > 0 &&
		    purge_children(dir, depth, e) < 0)
			return -1;
	}
	return 0;
}

int cg_purge(const char *dir, struct ct_err *e)
{
	cleanup_free char *kill_file = NULL;

	/* The common case first, at the cost of one call: the cgroup is
	 * gone or empty, with no child cgroup. */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return ct_fail(e, errno, "rmdir %s", dir);
	kill_file = path_join(dir, "cgroup.kill");
	if (access(kill_file, F_OK) == 0)
		write_data(kill_file, "1", 1);
	return purge(dir, 0, e);
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
	cleanup_free char *path = path_join(dir, "cgroup.subtree_control");
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
	cleanup_free char *path = path_join(dir, "cgroup.procs");
	cleanup_fclose FILE *f = fopen(path, "re");
	long self = (long)getpid(), pid;
	int state = 0;

	if (!f)
		return ct_fail(e, errno, "read %s", path);
	while (fscanf(f, "%ld", &pid) == 1)
		state = pid == self && state < 2 ? 1 : 2;
	return state;
}

bool cg_is_root(const char *dir)
{
	/* cgroup.events is on every cgroup but the root (Linux 4.5 on). */
	cleanup_free char *path = path_join(dir, "cgroup.events");

	return access(path, F_OK) < 0 && errno == ENOENT;
}

int cg_children(const char *dir, const char *except)
{
	DIR *d = opendir(dir);
	const struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 && strcmp(de->d_name, except) != 0)
			n++;
	closedir(d);
	return n;
}

int cg_subtree_clear(const char *dir, struct ct_err *e)
{
	cleanup_free char *path = path_join(dir, "cgroup.subtree_control");
	char have[512], off[600];
	size_t len = 0;

	if (read_small(path, have, sizeof have) < 0)
		return ct_fail(e, errno, "read %s", path);
	for (char *save = NULL, *w = strtok_r(have, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		len += (size_t)snprintf(off + len, sizeof off - len, "%s-%s", len ? " " : "", w);
	return len ? cg_write(dir, "cgroup.subtree_control", off, e) : 0;
}
