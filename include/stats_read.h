/* --stats' reads of a run's cgroups at exit (STEP_STATS_READ): files
 * only read, nothing changed. */
#ifndef CTLAUNCH_STATS_READ_H
#define CTLAUNCH_STATS_READ_H

#include <stdbool.h>

#include "plan.h"
#include "stats.h"

/* Fill st from the cgroups of r whose STEP_CG_MKDIR succeeded
 * (made[r->made_by[i]]); a file the kernel lacks leaves its value
 * unknown. Never fails: what cannot be read is said as such. */
void stats_read(const struct step_stats_read *r, const bool *made, struct ct_stats *st);

#endif
