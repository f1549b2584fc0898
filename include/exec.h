/* The executor: walks a plan, making the system calls. The only layer
 * that changes the machine. */
#ifndef CTLAUNCH_EXEC_H
#define CTLAUNCH_EXEC_H

#include <stdbool.h>

#include "err.h"
#include "plan.h"
#include "stats.h"

struct exec_opts {
	/* Called before each step runs, in the process that runs it; NULL
	 * for silence. */
	void (*log)(const struct plan *p, const struct step *s);
};

struct exec_result {
	int status;    /* the exit status ctlaunch passes on */
	bool oom;      /* the kernel's OOM killer killed something in it */
	bool interrupted; /* killed with SIGKILL after a second SIGINT or SIGTERM */
	bool cleanup_failed; /* a cleanup problem, in cleanup; never changes status */
	struct ct_err cleanup;
	struct ct_stats stats; /* --stats (STEP_STATS_READ); status is main's */
};

/* Run the plan to the end. 0 with r filled, or -1 with e filled (and
 * e->status 126 or 127 when the command could not be executed). Every
 * cgroup it made is gone on return, either way, or r->cleanup says
 * which is not (the status is the command's all the same). */
int exec_plan(const struct plan *p, const struct exec_opts *o, struct exec_result *r,
	      struct ct_err *e);

#endif
