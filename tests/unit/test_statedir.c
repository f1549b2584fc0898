/* The state files on a real file system: a directory of the test's
 * own in /tmp, the test's own process as a live PID 1 and a reaped
 * child as a dead one. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "statedir.h"
#include "t.h"
#include "util.h"

/* A record of pid, with the start time of the test's own process. */
static void record(struct ct_state *s, const char *name, pid_t pid)
{
	cleanup_free char *path = xasprintf("/proc/%d/stat", (int)getpid());
	struct ct_err e = { 0 };
	cleanup_free char *stat = read_text(path, &e);
	char st;

	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	s->pid = pid;
	s->owner = (uint32_t)geteuid();
	s->spec = xstrdup("/lab/spec.yaml");
	s->nsflags = 0x20000;
	if (!stat || state_proc_start(stat, &s->start, &st) < 0)
		CHECK(!"no start time of our own");
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static char *tmpdir(void)
{
	char *dir = xstrdup("/tmp/ctlaunch-unit-XXXXXX");

	if (!mkdtemp(dir))
		CHECK(!"mkdtemp");
	return dir;
}

static void rm_tree(const char *dir)
{
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		CHECK(!"rm -rf");
}

TEST(statedir_write_read)
{
	cleanup_free char *dir = tmpdir();
	struct ct_state s, r;
	struct ct_err e = { 0 };
	struct stat st;
	uint64_t up = 99999;
	char path[256];

	record(&s, "alive", getpid());
	CHECK(state_write(dir, &s, true, &e) == 0);
	snprintf(path, sizeof path, "%s/alive.state", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0644 & ~(mode_t)umask(022)));
	umask(022);
	snprintf(path, sizeof path, "%s/.alive.state.tmp", dir);
	CHECK(access(path, F_OK) < 0);
	CHECK(state_read(dir, geteuid(), "alive", &r, &e) == 0);
	CHECK(r.pid == getpid() && r.start == s.start);
	CHECK(state_alive(&r, &up) == 1 && up < 86400 * 365);
	state_free(&r);
	/* Another owner's, or none. */
	CHECK(state_read(dir, geteuid() + 1, "alive", &r, &e) < 0);
	CHECK(state_read(dir, geteuid(), "none", &r, &e) < 0 && e.errnum == ENOENT);
	/* The same pid, another start: a reused pid is not the container. */
	s.start++;
	CHECK(state_alive(&s, NULL) == 0);
	state_remove(dir, "alive");
	CHECK(state_read(dir, geteuid(), "alive", &r, &e) < 0 && e.errnum == ENOENT);
	state_free(&s);
	rm_tree(dir);
}

/* Only live records are listed; a dead one is removed; what another
 * user could have written is named and skipped. */
TEST(statedir_scan)
{
	cleanup_free char *dir = tmpdir();
	struct state_scan sc = { 0 };
	struct ct_state s;
	struct ct_err e = { 0 };
	char path[256], other[256];
	int fd;

	record(&s, "alive", getpid());
	CHECK(state_write(dir, &s, true, &e) == 0);
	state_free(&s);
	record(&s, "dead", dead_pid());
	CHECK(state_write(dir, &s, true, &e) == 0);
	state_free(&s);
	record(&s, "link", getpid());
	snprintf(other, sizeof other, "%s/elsewhere", dir);
	CHECK(mkdir(other, 0700) == 0);
	CHECK(state_write(other, &s, true, &e) == 0);
	snprintf(path, sizeof path, "%s/link.state", dir);
	snprintf(other, sizeof other, "%s/elsewhere/link.state", dir);
	CHECK(symlink(other, path) == 0);
	state_free(&s);
	record(&s, "wide", getpid());
	CHECK(state_write(dir, &s, true, &e) == 0);
	snprintf(path, sizeof path, "%s/wide.state", dir);
	CHECK(chmod(path, 0666) == 0);
	state_free(&s);
	snprintf(path, sizeof path, "%s/junk.state", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && write(fd, "hello\n", 6) == 6);
	close(fd);

	CHECK(state_scan(dir, geteuid(), true, &sc, &e) == 0);
	CHECK(sc.n == 1 && strcmp(sc.v[0].st.name, "alive") == 0);
	CHECK(sc.n_warn == 3);
	for (size_t i = 0; i < sc.n_warn; i++)
		CHECK(strstr(sc.warn[i], "ignoring ") == sc.warn[i]);
	snprintf(path, sizeof path, "%s/dead.state", dir);
	CHECK(access(path, F_OK) < 0);
	state_scan_free(&sc);

	/* A directory others may write: nothing in it is trusted. */
	CHECK(chmod(dir, 0777) == 0);
	CHECK(state_scan(dir, geteuid(), true, &sc, &e) == 0);
	CHECK(sc.n == 0 && sc.n_warn == 1);
	state_scan_free(&sc);
	rm_tree(dir);
}
