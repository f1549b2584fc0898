/* cgroup v1 and v2 operations, one kernel operation each. Used only
 * by the executor. */
#ifndef CTLAUNCH_CGROUP_H
#define CTLAUNCH_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Serialise cgroup setup and teardown between ctlaunch processes: one
 * removes the shared ctlaunch/ directory while another creates a leaf in
 * it, or two start the same name. path is a file, made 0600 when
 * missing, or with dir a directory; where path's directory is missing,
 * fallback (a directory) is locked instead. interruptible: give up when
 * SIGINT, SIGTERM or SIGHUP is pending (blocked) while another holds it.
 * Returns the lock's fd or -1. */
int cg_lock(const char *path, bool dir, const char *fallback, bool interruptible,
	    struct ct_err *e);
void cg_unlock(int *fd);

/* The lock of one container name's cgroups (path: DIR/NAME.lock, DIR
 * made 0700 when missing), held by one run from before its cgroups are
 * made until they are removed, so that no run of the same name takes
 * or removes cgroups whose owner has not finished. Never waits: held
 * by another, it fails with "already running". Returns the fd, -1 with
 * e filled, -2 when DIR's parent does not exist (no lock there), or -3
 * with e filled when another holds it. */
int cg_name_lock(const char *path, struct ct_err *e);

/* mkdir a cgroup directory. shared: it may exist already. Otherwise an
 * existing one is stale when it has no tasks (a killed run left it) and
 * is made anew; with tasks the container is running: an error. */
int cg_mkdir(const char *dir, bool shared, struct ct_err *e);

int cg_write(const char *dir, const char *file, const char *value, struct ct_err *e);

/* Write the parent directory's value of file into dir/file. */
int cg_copy_from_parent(const char *dir, const char *file, struct ct_err *e);

/* Move pid into dir; pid 0 is the caller. */
int cg_enter(const char *dir, pid_t pid, struct ct_err *e);

/* rmdir dir, a cgroup, if it is empty: 1 removed, 0 none there, 2 in
 * use (a cgroup below it), -1 with e. */
int cg_remove_empty(const char *dir, struct ct_err *e);

/* rmdir a leaf, retrying while the kernel still counts exiting tasks
 * (EBUSY); a shared directory is left alone when others still use it.
 * 0: gone; 1: a shared directory still in use; -1: error. */
int cg_remove(const char *dir, bool shared, struct ct_err *e);

/* The kernel's count of OOM kills from the "oom_kill N" line of file:
 * memory.oom_control (v1, Linux 4.13+) or memory.events (v2); 0 when
 * unknown. */
/* Remove the cgroup dir and every cgroup below it, killing the
 * processes in them first (cgroup.kill on v2; SIGKILL, and again at
 * each retry, on v1). 0 when dir is gone (or was not there), -1 with e
 * filled when something stays after ~3 s of retries. */
int cg_purge(const char *dir, struct ct_err *e);

uint64_t cg_oom_kills(const char *file);

/* v2: of want ("+memory +cpu"), the controllers not yet enabled in
 * dir/cgroup.subtree_control, in the same form, into out ("" for none). */
int cg_subtree_missing(const char *dir, const char *want, char *out, size_t size,
		       struct ct_err *e);

/* v2: who is in dir: 0 no process, 1 only the caller, 2 others too. */
int cg_procs_state(const char *dir, struct ct_err *e);

/* v2: is dir the hierarchy's real root (not a cgroup namespace's)? */
bool cg_is_root(const char *dir);

/* How many child cgroups dir has, but the one named except; -1 when it
 * cannot be read. */
int cg_children(const char *dir, const char *except);

/* v2: disable every controller dir hands down. */
int cg_subtree_clear(const char *dir, struct ct_err *e);

#endif
