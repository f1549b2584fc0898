/* What new namespaces need before the command runs. */
#ifndef CTLAUNCH_NS_H
#define CTLAUNCH_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

int ns_sethostname(const char *name, struct ct_err *e);
/* A new network namespace has lo down: bring it up so localhost works. */
int ns_lo_up(struct ct_err *e);
/* Rootless: write the uid ('u') or gid ('g') map of pid's user
 * namespace, map being "inside outside count" triples; through
 * newuidmap/newgidmap when helper, else directly (one triple). */
int ns_map_ids(pid_t pid, char which, const char *map, bool helper, bool deny_setgroups,
	       struct ct_err *e);

#endif
