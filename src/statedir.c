/* The state files: one per running container, beside its name's lock.
 * Written by the run (the executor's record step) and removed at its
 * exit; read by --list, --join and --stop, which trust nothing another
 * user could have put there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "spec.h"
#include "statedir.h"
#include "util.h"
#include "util_fd.h"

#define SUFFIX ".state"

int state_write(const char *dir, const struct ct_state *s, bool world_readable,
		struct ct_err *e)
{
	cleanup_free char *text = state_format(s);
	cleanup_free char *tmp = xasprintf("%s/.%s" SUFFIX ".tmp", dir, s->name);
	cleanup_free char *path = xasprintf("%s/%s" SUFFIX, dir, s->name);
	size_t len = strlen(text), done = 0;
	/* The directory is the owner's alone (the name's lock checked it):
	 * nobody else can have put a link or a file of theirs there. A
	 * temporary file a killed run left is truncated. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      world_readable ? 0644 : 0600);

	if (fd < 0)
		return ct_fail(e, errno, "record the container: open %s", tmp);
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;

			close(fd);
			unlink(tmp);
			return ct_fail(e, err, "record the container: write %s", tmp);
		}
		done += (size_t)n;
	}
	/* /run is a tmpfs: nothing to sync. */
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int err = errno;

		unlink(tmp);
		return ct_fail(e, err, "record the container in %s", path);
	}
	return 0;
}

void state_remove(const char *dir, const char *name)
{
	cleanup_free char *path = xasprintf("%s/%s" SUFFIX, dir, name);

	unlink(path);
}

/* dir, when it is owner's and writable by owner alone. */
static int open_dir(const char *dir, uid_t owner, struct ct_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return ct_fail(e, errno, "open %s", dir);
	if (fstat(fd, &st) < 0 || st.st_uid != owner || (st.st_mode & 022)) {
		close(fd);
		return ct_fail(e, 0, "ignoring %s: not a directory of uid %u writable by it alone",
			       dir, (unsigned)owner);
	}
	return fd;
}

/* dir/file, the record of name, when nobody but owner could have
 * written it. */
static int read_entry(int dfd, const char *dir, const char *file, uid_t owner, const char *name,
		      struct ct_state *s, struct ct_err *e)
{
	cleanup_close int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	cleanup_free char *text = NULL;
	struct stat st;
	size_t len;

	memset(s, 0, sizeof *s);
	if (fd < 0 && errno == ELOOP)
		return ct_fail(e, 0, "ignoring %s/%s: a symbolic link", dir, file);
	if (fd < 0)
		return ct_fail(e, errno, "open %s/%s", dir, file);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != owner || st.st_nlink != 1 ||
	    (st.st_mode & 022))
		return ct_fail(e, 0, "ignoring %s/%s: not a regular file of uid %u with one link, "
				     "writable by it alone", dir, file, (unsigned)owner);
	text = read_fd(fd, STATE_MAX_FILE, &len);
	if (!text)
		return ct_fail(e, errno, "read %s/%s", dir, file);
	if (len == STATE_MAX_FILE)
		return ct_fail(e, 0, "ignoring %s/%s: larger than a state file", dir, file);
	if (state_parse(text, s, e) < 0)
		return ct_wrap(e, "ignoring %s/%s", dir, file);
	if (strcmp(s->name, name) != 0 || s->owner != owner) {
		state_free(s);
		return ct_fail(e, 0, "ignoring %s/%s: the record of another container", dir, file);
	}
	return 0;
}

int state_read(const char *dir, uid_t owner, const char *name, struct ct_state *s,
	       struct ct_err *e)
{
	cleanup_free char *file = xasprintf("%s" SUFFIX, name);
	cleanup_close int dfd = open_dir(dir, owner, e);

	memset(s, 0, sizeof *s);
	if (dfd < 0)
		return -1;
	return read_entry(dfd, dir, file, owner, name, s, e);
}

int state_proc_stat(pid_t pid, uint64_t *start, char *st)
{
	char path[64], buf[1024];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* One read: the kernel makes the whole line at once, and it is
	 * short (the name is 16 bytes at most). */
	do
		n = read(fd, buf, sizeof buf - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return state_proc_start(buf, start, st);
}

int state_alive(const struct ct_state *s, uint64_t *uptime)
{
	uint64_t start;
	char st;
	struct timespec now;

	/* A zombie has ended: only its parent's wait is missing. */
	if (state_proc_stat(s->pid, &start, &st) < 0 || start != s->start || st == 'Z')
		return 0;
	if (uptime) {
		long hz = sysconf(_SC_CLK_TCK);

		*uptime = 0;
		if (hz > 0 && clock_gettime(CLOCK_BOOTTIME, &now) == 0 &&
		    (uint64_t)now.tv_sec >= start / (uint64_t)hz)
			*uptime = (uint64_t)now.tv_sec - start / (uint64_t)hz;
	}
	return 1;
}

int state_reap(const char *dir, uid_t owner, const char *name, struct ct_err *e)
{
	cleanup_free char *lock = xasprintf("%s/%s.lock", dir, name);
	struct ct_state s;
	int fd, rc = 0;

	if (state_read(dir, owner, name, &s, e) < 0)
		return e->errnum == ENOENT ? 0 : -1;
	if (state_alive(&s, NULL)) {
		state_free(&s);
		return 0;
	}
	state_free(&s);
	/* Held: a run of the name is alive (a new one, or the dead one's
	 * cleanup); it replaces or removes the file itself. */
	fd = cg_name_lock(lock, e);
	if (fd == -2 || fd == -3)
		return 0;
	if (fd < 0)
		return -1;
	/* Read again under the lock: the file may be a new run's by now. */
	if (state_read(dir, owner, name, &s, e) == 0) {
		if (!state_alive(&s, NULL)) {
			state_remove(dir, name);
			rc = 1;
		}
		state_free(&s);
	}
	cg_unlock(&fd);
	return rc;
}

static void add_warning(struct state_scan *out, const struct ct_err *e)
{
	char text[1200];

	out->warn = xrealloc(out->warn, (out->n_warn + 1) * sizeof *out->warn);
	out->warn[out->n_warn++] = xstrdup(ct_err_text(e, text, sizeof text));
}

/* One directory entry: a live record into out, a stale one reaped, a
 * file nobody should trust named in a warning. */
static void scan_entry(int dfd, const char *dir, const char *file, uid_t owner, bool reap,
		       struct state_scan *out)
{
	size_t len = strlen(file);
	char name[SPEC_MAX_NAME + 1];
	struct ct_err e = { 0 };
	struct ct_state s;
	uint64_t uptime;

	if (len <= strlen(SUFFIX) || strcmp(file + len - strlen(SUFFIX), SUFFIX) != 0)
		return;
	snprintf(name, sizeof name, "%.*s", (int)(len - strlen(SUFFIX)), file);
	if (len - strlen(SUFFIX) > SPEC_MAX_NAME || !spec_name_valid(name))
		return;
	if (read_entry(dfd, dir, file, owner, name, &s, &e) < 0) {
		add_warning(out, &e);
		return;
	}
	if (state_alive(&s, &uptime)) {
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		out->v[out->n].st = s;
		out->v[out->n++].uptime = uptime;
		return;
	}
	state_free(&s);
	if (reap && state_reap(dir, owner, name, &e) < 0)
		add_warning(out, &e);
}

int state_scan(const char *dir, uid_t owner, bool reap, struct state_scan *out,
	       struct ct_err *e)
{
	int dfd = open_dir(dir, owner, e);
	const struct dirent *de;
	DIR *d;

	if (dfd < 0) {
		/* None, or not ours to read: nothing to show. */
		if (e->errnum == ENOENT || e->errnum == EACCES)
			return 0;
		add_warning(out, e);
		return 0;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return ct_fail(e, errno, "read %s", dir);
	}
	while ((de = readdir(d)))
		scan_entry(dirfd(d), dir, de->d_name, owner, reap, out);
	closedir(d);
	return 0;
}

void state_scan_free(struct state_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		state_free(&s->v[i].st);
	for (size_t i = 0; i < s->n_warn; i++)
		free(s->warn[i]);
	free(s->v);
	free(s->warn);
	memset(s, 0, sizeof *s);
}

static void cleaned_add(struct state_cleaned *out, char *path)
{
	out->path = xrealloc(out->path, (out->n + 1) * sizeof *out->path);
	out->path[out->n++] = path;
}

/* NAME of dir/NAME.EXT, a valid name; false for any other file. */
static bool name_of(const char *file, const char *ext, char *name, size_t size)
{
	size_t len = strlen(file), n = strlen(ext);

	if (len <= n || strcmp(file + len - n, ext) != 0 || len - n >= size)
		return false;
	snprintf(name, size, "%.*s", (int)(len - n), file);
	return spec_name_valid(name);
}

/* The lock of a name no run holds: unlinked while this holds it (a run
 * that opened it meanwhile opens the name's new file: cg_name_lock). */
static int clean_lock(const char *dir, uid_t owner, const char *name, struct state_cleaned *out,
		      struct ct_err *e)
{
	char *path = xasprintf("%s/%s.lock", dir, name);
	struct ct_state s;
	int fd = cg_name_lock(path, e);

	if (fd < 0) {
		free(path);
		return fd == -2 || fd == -3 ? 0 : -1;
	}
	/* A record alive without its lock held is not possible; never
	 * remove what a live one may need, all the same. */
	if (state_read(dir, owner, name, &s, e) == 0) {
		bool alive = state_alive(&s, NULL);

		state_free(&s);
		if (alive) {
			cg_unlock(&fd);
			free(path);
			return 0;
		}
	}
	if (unlink(path) == 0)
		cleaned_add(out, path);
	else
		free(path);
	cg_unlock(&fd);
	return 0;
}

int state_clean(const char *dir, uid_t owner, struct state_cleaned *out, struct ct_err *e)
{
	char name[SPEC_MAX_NAME + 1];
	char **names = NULL;
	size_t n = 0;
	int dfd = open_dir(dir, owner, e), rc = 0;
	const struct dirent *de;
	DIR *d;

	if (dfd < 0)
		return e->errnum == ENOENT ? 0 : -1;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return ct_fail(e, errno, "read %s", dir);
	}
	/* The names first: nothing is removed while the directory is read. */
	while ((de = readdir(d)))
		if (name_of(de->d_name, SUFFIX, name, sizeof name) ||
		    name_of(de->d_name, ".lock", name, sizeof name)) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	closedir(d);
	/* The records before the locks: state_reap takes the name's. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (pass == 0 && name_of(names[i], SUFFIX, name, sizeof name)) {
				int r = state_reap(dir, owner, name, e);

				if (r > 0)
					cleaned_add(out, xasprintf("%s/%s", dir, names[i]));
				rc = r < 0 ? -1 : 0;
			} else if (pass == 1 && name_of(names[i], ".lock", name, sizeof name)) {
				rc = clean_lock(dir, owner, name, out, e);
			}
		}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

void state_cleaned_free(struct state_cleaned *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->path[i]);
	free(c->path);
	memset(c, 0, sizeof *c);
}
