/* The state of a running container: what a run records about itself
 * (its name, the host pid of its PID 1 and that process's start time,
 * its spec, its owner, its namespaces, cgroups and limits), so that
 * --list, --join and --stop can find it. Pure: the record as data, its
 * text form and back, and what --list prints of it. The files are
 * read and written by statedir.c. */
#ifndef CTLAUNCH_STATE_H
#define CTLAUNCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"

/* Root's state directory; the names' locks are there too. */
#define CT_STATE_DIR "/run/ctlaunch"

/* The state directory of uid (malloc'd): CT_STATE_DIR for root, else
 * RUNTIME_DIR/ctlaunch; NULL for a user without a runtime directory. */
char *state_dir_of(uid_t uid, const char *runtime_dir);

/* One cgroup a hierarchy (20 at most: see host.h). */
#define STATE_MAX_CGROUPS 32
#define STATE_MAX_LIMITS 8
/* A state file is small: a few hundred bytes, a line per cgroup. */
#define STATE_MAX_FILE (64 * 1024)

struct state_limit {
	const char *key;   /* "memory", "cpu_shares", ... (static) */
	char value[64];    /* as the spec would say it: "64M", "0.5", "0-3" */
};

struct ct_state {
	char *name;
	pid_t pid;            /* the container's PID 1, in the host's pid namespace */
	uint64_t start;       /* its start time: field 22 of /proc/PID/stat */
	uint32_t owner;       /* the uid that ran it */
	char *spec;           /* the spec file, an absolute path */
	uint64_t digest;      /* state_digest() of the spec's text */
	char **sets;          /* the run's --set arguments, in order */
	size_t n_sets;
	unsigned long nsflags; /* its namespaces, CLONE_NEW* */
	uint32_t uid, gid;    /* its command's user and group, in the container */
	char *login, *home;   /* their passwd entry's name and home directory,
			       * as its run read them (NULL: none) */
	bool seccomp;         /* a filter was loaded; then its state_digest() */
	uint64_t filter;
	char *cgroups[STATE_MAX_CGROUPS]; /* its cgroup in each hierarchy */
	size_t n_cgroups;
	struct state_limit limits[STATE_MAX_LIMITS];
	size_t n_limits;
};

/* FNV-1a, 64 bits: to tell whether a spec or a filter is the one the
 * run had (a change, not an attack: whoever can write root's spec owns
 * root's container anyway). */
uint64_t state_digest(const void *data, size_t len);

/* The record as text, one "key value" a line (malloc'd). */
char *state_format(const struct ct_state *s);

/* Text to record; -1 with e filled when it is not one ctlaunch wrote. */
int state_parse(const char *text, struct ct_state *s, struct ct_err *e);

void state_free(struct ct_state *s);
#define cleanup_state __attribute__((cleanup(state_free)))

/* Field 22 of /proc/PID/stat's text, the start time, and field 3, the
 * state ('Z' for a zombie), read after the last ')', where the
 * command's name cannot reach; -1 when they are not there. */
int state_proc_start(const char *stat, uint64_t *start, char *state);

/* A duration as a person reads it: "42s", "5m03s", "2h05m", "3d04h". */
void state_uptime_format(uint64_t secs, char *buf, size_t size);

/* What --list shows of one container. */
struct state_entry {
	struct ct_state st;
	uint64_t uptime;      /* seconds */
};

/* The table (NAME, PID, UPTIME, OWNER, SPEC, LIMITS), or with json a
 * JSON array of objects, one per container. */
void state_list_print(const struct state_entry *v, size_t n, bool json, FILE *out);

#endif
