/* --stats: what a run used, read from its cgroups at exit (the
 * executor's STEP_STATS_READ) and said by main, as a short block of
 * text or as one JSON object. The data and its wording are pure; the
 * reading is cgroup.c's. */
#ifndef CTLAUNCH_STATS_H
#define CTLAUNCH_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Each value has a flag: false when there was nothing to read it from.
 * A value the kernel does not count (v2's memory.peak before Linux
 * 5.19, pids.peak on older kernels) is unknown with its cgroup there. */
struct ct_stats {
	const char *layout;      /* "v1", "v2", or NULL: no cgroup of its own */
	uint64_t wall_us;        /* from just before the clone to the exit's read */
	bool has_cpu;
	uint64_t cpu_user_us, cpu_system_us;
	bool has_memory;         /* its memory cgroup was read */
	bool has_memory_peak;
	uint64_t memory_peak;    /* bytes */
	bool has_memory_limit;   /* false: no limit ("max") */
	uint64_t memory_limit;   /* bytes */
	bool has_oom;
	uint64_t oom_kills;
	bool quota;              /* resources.cpus set a quota: throttling said */
	bool has_throttle;
	uint64_t nr_periods, nr_throttled, throttled_us;
	bool has_pids;           /* its pids cgroup was read */
	bool has_pids_peak;
	uint64_t pids_peak;
	bool has_pids_limit;
	uint64_t pids_limit;
	int status;              /* ctlaunch's exit status (the command's, 128+N, 125..127) */
};

/* The block of text, each line "ctlaunch: NAME: stats: ..." */
void stats_print_text(const struct ct_stats *st, const char *name, FILE *out);

/* The same as one JSON object and a newline (schema: ctlaunch(1),
 * man/ctlaunch-json.schema.json). */
void stats_print_json(const struct ct_stats *st, const char *name, FILE *out);

#endif
