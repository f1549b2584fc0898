/* The running containers a user may see, found by their state files
 * (statedir.h): --list, the lookup behind --join, and --stop. */
#ifndef CTLAUNCH_RUNNING_H
#define CTLAUNCH_RUNNING_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "state.h"
#include "statedir.h"

/* Whose containers a caller sees: its own (its state directory: root's
 * /run/ctlaunch, or the runtime directory's ctlaunch/), then, read
 * only, root's for a user and every user's (/run/user/UID/ctlaunch)
 * for root. */
struct running_who {
	uid_t euid;
	const char *runtime_dir;  /* the caller's, checked (host.h); or NULL */
	const char *users_root;   /* where users' runtime directories are:
				   * "/run/user" (a test may point elsewhere) */
};

/* Every live container the caller may see, its own first; stale
 * records of its own removed. out->warn: the files skipped. */
int running_list(const struct running_who *w, struct state_scan *out, struct ct_err *e);

/* The live container NAME: the caller's own, else another's it may
 * see (then found->owner says whose). -1 with e filled: none runs. */
struct running_found {
	struct ct_state st;
	char *dir;      /* its state directory (malloc'd) */
};
int running_find(const struct running_who *w, const char *name, struct running_found *found,
		 struct ct_err *e);
void running_found_free(struct running_found *f);

/* Stop it: sig to its PID 1, through a pidfd opened while its start
 * time matched the record; SIGKILL after timeout_ms (never when sig is
 * SIGKILL); then wait until the run that started it has cleaned up
 * (its name's lock is let go), and remove the record of a run that
 * was killed before it could. *killed: SIGKILL was needed. */
int running_stop(const struct running_found *f, uid_t euid, int sig, unsigned timeout_ms,
		 bool *killed, struct ct_err *e);

/* "TERM", "SIGTERM", "15" to 15; -1 when it is none of the signals. */
int running_signal_parse(const char *s);
/* "SIGTERM" for 15; "SIG15" for one without a name here. */
const char *running_signal_name(int sig, char *buf, size_t size);

#endif
