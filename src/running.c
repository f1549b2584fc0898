/* The running containers: listed from the state directories a user may
 * read, found by name, and stopped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "running.h"
#include "util.h"
#include "util_fd.h"

/* How long --stop waits, after PID 1 got SIGKILL, for it to end, and
 * then for its run to clean up (a cgroup purge retries for ~3 s). */
#define KILL_WAIT_MS 30000
#define CLEANUP_WAIT_MS 60000

/* The others' state directories the caller may read: root's for a
 * user; for root, every user's under users_root (by uid). */
struct other {
	char *dir;
	uid_t owner;
};

static size_t others(const struct running_who *w, struct other **out)
{
	DIR *d;
	const struct dirent *de;
	size_t n = 0;

	*out = NULL;
	if (w->euid != 0) {
		*out = xmalloc(sizeof **out);
		(*out)[0] = (struct other){ xstrdup(CT_STATE_DIR), 0 };
		return 1;
	}
	d = opendir(w->users_root);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		uint64_t uid;

		if (parse_uint(de->d_name, 1, UINT32_MAX - 1, &uid) < 0)
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = (struct other){ xasprintf("%s/%s/ctlaunch", w->users_root, de->d_name),
					      (uid_t)uid };
	}
	closedir(d);
	return n;
}

static void others_free(struct other *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(o[i].dir);
	free(o);
}

int running_list(const struct running_who *w, struct state_scan *out, struct ct_err *e)
{
	cleanup_free char *own = state_dir_of(w->euid, w->runtime_dir);
	struct other *o;
	size_t n;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (own && state_scan(own, w->euid, true, out, e) < 0)
		return -1;
	n = others(w, &o);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!own || strcmp(o[i].dir, own) != 0)
			rc = state_scan(o[i].dir, o[i].owner, false, out, e);
	others_free(o, n);
	return rc;
}

/* NAME's live record in dir, owner's: 1 found; 0 none (a stale one
 * removed when reap); -1 a file there that is not to be trusted. */
static int find_in(const char *dir, uid_t owner, const char *name, bool reap,
		   struct running_found *f, struct ct_err *e)
{
	if (state_read(dir, owner, name, &f->st, e) < 0)
		return e->errnum == ENOENT || e->errnum == EACCES || e->errnum == ENOTDIR ? 0 : -1;
	if (state_alive(&f->st, NULL)) {
		f->dir = xstrdup(dir);
		return 1;
	}
	state_free(&f->st);
	if (reap)
		state_reap(dir, owner, name, e);
	return 0;
}

int running_find(const struct running_who *w, const char *name, struct running_found *f,
		 struct ct_err *e)
{
	cleanup_free char *own = state_dir_of(w->euid, w->runtime_dir);
	struct other *o;
	size_t n;
	int rc = 0;

	memset(f, 0, sizeof *f);
	if (own)
		rc = find_in(own, w->euid, name, true, f, e);
	n = rc == 0 ? others(w, &o) : 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!own || strcmp(o[i].dir, own) != 0)
			rc = find_in(o[i].dir, o[i].owner, name, false, f, e);
	if (n)
		others_free(o, n);
	if (rc == 0 && !own)
		return ct_fail(e, 0, "no container named %s is running for uid %u (without a runtime "
				     "directory, /run/user/%u, a rootless run records none)",
			       name, (unsigned)w->euid, (unsigned)w->euid);
	if (rc == 0)
		return ct_fail(e, 0, "no container named %s is running (see ctlaunch --list)", name);
	return rc < 0 ? -1 : 0;
}

void running_found_free(struct running_found *f)
{
	state_free(&f->st);
	free(f->dir);
	f->dir = NULL;
}

/* Until the process of pidfd has ended, or ms have passed (-1: no
 * bound); whether it has ended. */
static bool wait_exit(int pidfd, int ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, ms);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* Whether a run holds dir/NAME.lock: it does from before its cgroups
 * exist until it has removed them and its record. A shared lock, taken
 * and let go at once, tells. */
static bool lock_held(const char *dir, const char *name)
{
	cleanup_free char *path = xasprintf("%s/%s.lock", dir, name);
	cleanup_close int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return false;
	do
		rc = flock(fd, LOCK_SH | LOCK_NB);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		flock(fd, LOCK_UN);
	return rc < 0 && errno == EWOULDBLOCK;
}

static int wait_cleanup(const struct running_found *f, uid_t euid, struct ct_err *e)
{
	const struct timespec pause = { 0, 10000000 };

	for (int waited = 0; lock_held(f->dir, f->st.name); waited += 10) {
		if (waited >= CLEANUP_WAIT_MS)
			return ct_fail(e, 0, "its PID 1 has ended, but the ctlaunch that ran it has "
					     "not cleaned up after %d s", CLEANUP_WAIT_MS / 1000);
		nanosleep(&pause, NULL);
	}
	/* A run killed with SIGKILL left its record; its own directory's
	 * owner removes it (another user's is left to that user's --list). */
	if (f->st.owner == euid)
		state_reap(f->dir, euid, f->st.name, e);
	return 0;
}

int running_stop(const struct running_found *f, uid_t euid, int sig, unsigned timeout_ms,
		 bool *killed, struct ct_err *e)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, f->st.pid, 0);

	*killed = false;
	/* The pidfd names the process from now on; the start time, read
	 * after it was opened, says it is still the container's PID 1. */
	if (pidfd < 0 && errno != ESRCH)
		return ct_fail(e, errno, "pidfd_open %d", (int)f->st.pid);
	if (pidfd < 0 || !state_alive(&f->st, NULL))
		return ct_fail(e, 0, "it is not running any more");
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return ct_fail(e, errno, "signal its PID 1 (%d)", (int)f->st.pid);
	if (sig != SIGKILL && !wait_exit(pidfd, (int)timeout_ms)) {
		if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
			return ct_fail(e, errno, "kill its PID 1 (%d)", (int)f->st.pid);
		*killed = true;
	}
	if (!wait_exit(pidfd, KILL_WAIT_MS))
		return ct_fail(e, 0, "its PID 1 (%d) still runs %d s after SIGKILL", (int)f->st.pid,
			       KILL_WAIT_MS / 1000);
	return wait_cleanup(f, euid, e);
}

int running_signal_parse(const char *s)
{
	uint64_t n;

	if (parse_uint(s, 1, (uint64_t)SIGRTMAX, &n) == 0)
		return (int)n;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(s, abbrev) == 0)
			return sig;
	}
	return -1;
}

const char *running_signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sig > 0 && sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}
