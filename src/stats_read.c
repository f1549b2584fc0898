/* --stats: the counters of a run's cgroups, read once at exit (see
 * stats_read.h). The files and their units:
 *   v1 cpuacct.usage_user, cpuacct.usage_sys  ns (Linux 4.7+; else
 *      cpuacct.stat's user and system, in USER_HZ ticks)
 *   v1 cpu.stat        nr_periods, nr_throttled, throttled_time (ns)
 *   v1 memory.max_usage_in_bytes, memory.limit_in_bytes  bytes
 *   v1 memory.oom_control's oom_kill (Linux 4.13+)
 *   v2 cpu.stat        user_usec, system_usec, nr_periods, nr_throttled,
 *                      throttled_usec
 *   v2 memory.peak (Linux 5.19+), memory.max ("max": none), memory.events'
 *      oom_kill
 *   pids.peak (where the kernel has it; Debian's 6.1 has it on v2),
 *   pids.max ("max": none) */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats_read.h"
#include "util.h"
#include "util_fd.h"

/* dir/file into buf, NUL-terminated; false when it cannot be read. */
static bool read_file(const char *dir, const char *file, char *buf, size_t size)
{
	cleanup_free char *path = path_join(dir, file);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* A file of one number; "max" (v2) is no limit: false, as is v1's
 * "no limit", the largest page-aligned value (above 2^62). */
static bool read_num(const char *dir, const char *file, uint64_t *v)
{
	char buf[64], *end;

	if (!read_file(dir, file, buf, sizeof buf) || buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno == 0 && end != buf && (*end == '\n' || *end == '\0') &&
	       *v < (uint64_t)1 << 62;
}

/* The value of the line "key N" of a flat keyed file (cpu.stat,
 * memory.events). */
static bool keyed(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	for (const char *l = text; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return sscanf(l + n + 1, "%" SCNu64, v) == 1;
	}
	return false;
}

static void cpu_v1(const char *dir, struct ct_stats *st)
{
	char buf[256];
	uint64_t user, sys;
	long hz = sysconf(_SC_CLK_TCK);

	if (read_num(dir, "cpuacct.usage_user", &user) && read_num(dir, "cpuacct.usage_sys", &sys)) {
		st->cpu_user_us = user / 1000;
		st->cpu_system_us = sys / 1000;
		st->has_cpu = true;
	} else if (hz > 0 && read_file(dir, "cpuacct.stat", buf, sizeof buf) &&
		   keyed(buf, "user", &user) && keyed(buf, "system", &sys)) {
		st->cpu_user_us = user * 1000000 / (uint64_t)hz;
		st->cpu_system_us = sys * 1000000 / (uint64_t)hz;
		st->has_cpu = true;
	}
}

static void throttle(const char *dir, bool v2, struct ct_stats *st)
{
	char buf[1024];
	uint64_t t;

	if (!read_file(dir, "cpu.stat", buf, sizeof buf))
		return;
	if (v2 && keyed(buf, "user_usec", &st->cpu_user_us) &&
	    keyed(buf, "system_usec", &st->cpu_system_us))
		st->has_cpu = true;
	if (!st->quota || !keyed(buf, "nr_periods", &st->nr_periods) ||
	    !keyed(buf, "nr_throttled", &st->nr_throttled) ||
	    !keyed(buf, v2 ? "throttled_usec" : "throttled_time", &t))
		return;
	st->throttled_us = v2 ? t : t / 1000;
	st->has_throttle = true;
}

static void memory(const char *dir, bool v2, struct ct_stats *st)
{
	char buf[1024];

	st->has_memory = true;
	st->has_memory_peak = read_num(dir, v2 ? "memory.peak" : "memory.max_usage_in_bytes",
				       &st->memory_peak);
	st->has_memory_limit = read_num(dir, v2 ? "memory.max" : "memory.limit_in_bytes",
					&st->memory_limit);
	st->has_oom = read_file(dir, v2 ? "memory.events" : "memory.oom_control", buf, sizeof buf) &&
		      keyed(buf, "oom_kill", &st->oom_kills);
}

static void pids(const char *dir, struct ct_stats *st)
{
	st->has_pids = true;
	st->has_pids_peak = read_num(dir, "pids.peak", &st->pids_peak);
	st->has_pids_limit = read_num(dir, "pids.max", &st->pids_limit);
}

void stats_read(const struct step_stats_read *r, const bool *made, struct ct_stats *st)
{
	const char *dir[STATS_DIRS];

	for (int i = 0; i < STATS_DIRS; i++)
		dir[i] = r->dir[i] && made[r->made_by[i]] ? r->dir[i] : NULL;
	st->quota = r->quota;
	for (int i = 0; i < STATS_DIRS; i++)
		if (dir[i])
			st->layout = r->v2 ? "v2" : "v1";
	if (!r->v2 && dir[STATS_CPUACCT])
		cpu_v1(dir[STATS_CPUACCT], st);
	/* v2's cpu.stat has the times with or without the cpu controller;
	 * the throttling only with it (a quota enables it). */
	if (dir[STATS_CPU])
		throttle(dir[STATS_CPU], r->v2, st);
	if (dir[STATS_MEMORY])
		memory(dir[STATS_MEMORY], r->v2, st);
	if (dir[STATS_PIDS])
		pids(dir[STATS_PIDS], st);
}
