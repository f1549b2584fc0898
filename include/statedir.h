/* The state files of running containers on the machine: written by a
 * run, read by --list, --join and --stop. Beside each name's lock, in
 * one directory per user: /run/ctlaunch for root, the runtime
 * directory's ctlaunch/ for others. Nothing there is trusted that
 * another user could have written: the directory and the file must be
 * the owner's and writable by the owner alone, and no link is followed. */
#ifndef CTLAUNCH_STATEDIR_H
#define CTLAUNCH_STATEDIR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "state.h"

/* DIR/NAME.state, written whole under another name and renamed over
 * it, so that a reader sees the old record or the new one. Mode 0644
 * (root's: --list shows them to every user; the umask may narrow it)
 * or 0600 (world_readable false). */
int state_write(const char *dir, const struct ct_state *s, bool world_readable,
		struct ct_err *e);

/* Remove DIR/NAME.state; a missing one is no error. */
void state_remove(const char *dir, const char *name);

/* DIR/NAME.state, when the directory and the file are owner's and
 * writable by owner alone, the file a regular one with one link (no
 * link followed), and it says it is NAME's and owner's. -1 with e filled
 * (e->errnum ENOENT: there is none). */
int state_read(const char *dir, uid_t owner, const char *name, struct ct_state *s,
	       struct ct_err *e);

/* The start time and state of process pid (/proc/PID/stat); -1 when
 * there is no such process. */
int state_proc_stat(pid_t pid, uint64_t *start, char *st);

/* Whether the record's PID 1 still runs: 1 when /proc/PID/stat shows
 * the start time it recorded (a pid reused by another process does
 * not), with its uptime in seconds; 0 when not. */
int state_alive(const struct ct_state *s, uint64_t *uptime);

/* Remove DIR/NAME.state if it is stale (its PID 1 is gone) and no run
 * of NAME is alive: under the name's lock, which every run holds from
 * before its cgroups exist until it has removed its state. 1: removed;
 * 0: left (alive, or the lock is held); -1 with e. */
int state_reap(const char *dir, uid_t owner, const char *name, struct ct_err *e);

/* Every live container recorded in dir, owner's (v: malloc'd, free
 * each st and then v); the stale ones removed where state_reap may.
 * A file another user could have written is skipped, with one line
 * for it in warn (one string each, malloc'd). */
struct state_scan {
	struct state_entry *v;
	size_t n;
	char **warn;
	size_t n_warn;
};
int state_scan(const char *dir, uid_t owner, bool reap, struct state_scan *out,
	       struct ct_err *e);
void state_scan_free(struct state_scan *s);

/* ctlaunch --cleanup: in dir, owner's, the records of containers that
 * are gone and the lock files of names no run holds, removed (each
 * under the name's lock); their paths in out (malloc'd, each and the
 * array). -1 with e: a file there that is not to be trusted, or an
 * error; what was removed before it is in out. */
struct state_cleaned {
	char **path;
	size_t n;
};
int state_clean(const char *dir, uid_t owner, struct state_cleaned *out, struct ct_err *e);
void state_cleaned_free(struct state_cleaned *c);

#endif
