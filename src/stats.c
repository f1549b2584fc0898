/* --stats' wording: the block of text and the JSON object (stats.h). */
#include <inttypes.h>
#include <stdio.h>

#include "json.h"
#include "stats.h"

/* "2.950 s" from microseconds, to the millisecond. */
static void secs(FILE *out, uint64_t us)
{
	uint64_t ms = (us + 500) / 1000;

	fprintf(out, "%" PRIu64 ".%03" PRIu64 " s", ms / 1000, ms % 1000);
}

/* "12.3 MiB" (to a tenth), or "512 KiB" and "100 B" for small ones. */
static void bytes(FILE *out, uint64_t b)
{
	if (b >= (uint64_t)1 << 20) {
		uint64_t tenths = (b * 10 + (1 << 19)) >> 20;

		fprintf(out, "%" PRIu64 ".%" PRIu64 " MiB", tenths / 10, tenths % 10);
	} else if (b >= 1024) {
		fprintf(out, "%" PRIu64 " KiB", (b + 512) / 1024);
	} else {
		fprintf(out, "%" PRIu64 " B", b);
	}
}

static void memory_text(const struct ct_stats *st, FILE *out)
{
	fputs("  memory peak    ", out);
	if (!st->has_memory) {
		fputs("not measured (no memory cgroup of its own)\n", out);
		return;
	}
	if (!st->has_memory_peak) {
		fputs("not available on this kernel", out);
	} else {
		bytes(out, st->memory_peak);
		fprintf(out, " (%" PRIu64 " bytes)", st->memory_peak);
	}
	if (st->has_memory_limit) {
		fputs(st->has_memory_peak ? " of " : ", limit ", out);
		bytes(out, st->memory_limit);
		fputs(st->has_memory_peak ? " limit" : "", out);
	} else {
		fputs(", no limit", out);
	}
	fputc('\n', out);
	fputs("  oom kills      ", out);
	if (st->has_oom)
		fprintf(out, "%" PRIu64 "\n", st->oom_kills);
	else
		fputs("not available on this kernel\n", out);
}

static void cpu_text(const struct ct_stats *st, FILE *out)
{
	fputs("  cpu time       ", out);
	if (st->has_cpu) {
		secs(out, st->cpu_user_us);
		fputs(" user, ", out);
		secs(out, st->cpu_system_us);
		fputs(" system\n", out);
	} else {
		fputs(st->layout ? "not available on this kernel\n"
				 : "not measured (no cgroup of its own)\n", out);
	}
	if (!st->quota)
		return;
	fputs("  cpu throttled  ", out);
	if (st->has_throttle) {
		fprintf(out, "%" PRIu64 " of %" PRIu64 " periods, ", st->nr_throttled, st->nr_periods);
		secs(out, st->throttled_us);
		fputc('\n', out);
	} else {
		fputs("not available on this kernel\n", out);
	}
}

static void pids_text(const struct ct_stats *st, FILE *out)
{
	if (!st->has_pids)
		return;
	fputs("  tasks peak     ", out);
	if (st->has_pids_peak)
		fprintf(out, "%" PRIu64, st->pids_peak);
	else
		fputs("not available on this kernel", out);
	if (st->has_pids_limit)
		fprintf(out, "%s%" PRIu64, st->has_pids_peak ? " of " : ", limit ", st->pids_limit);
	fputc('\n', out);
}

void stats_print_text(const struct ct_stats *st, const char *name, FILE *out)
{
	fprintf(out, "ctlaunch: %s: stats (%s):\n", name,
		st->layout ? st->layout[1] == '1' ? "cgroup v1" : "cgroup v2" : "no cgroups");
	fputs("  wall time      ", out);
	secs(out, st->wall_us);
	fputc('\n', out);
	cpu_text(st, out);
	memory_text(st, out);
	pids_text(st, out);
	fprintf(out, "  exit status    %d\n", st->status);
}

/* The value, or null when there was none to read. */
static void maybe(struct json *j, const char *key, bool has, uint64_t v)
{
	if (has)
		json_u64(j, key, v);
	else
		json_null(j, key);
}

void stats_print_json(const struct ct_stats *st, const char *name, FILE *out)
{
	struct json j = { .out = out };
	bool thr = st->quota && st->has_throttle;

	json_begin(&j, NULL, '{');
	json_str(&j, "name", name);
	json_str(&j, "cgroup", st->layout);
	json_u64(&j, "wall_us", st->wall_us);
	maybe(&j, "cpu_user_us", st->has_cpu, st->cpu_user_us);
	maybe(&j, "cpu_system_us", st->has_cpu, st->cpu_system_us);
	maybe(&j, "memory_peak_bytes", st->has_memory && st->has_memory_peak, st->memory_peak);
	maybe(&j, "memory_limit_bytes", st->has_memory && st->has_memory_limit, st->memory_limit);
	maybe(&j, "oom_kills", st->has_memory && st->has_oom, st->oom_kills);
	json_bool(&j, "cpu_quota", st->quota);
	maybe(&j, "cpu_periods", thr, st->nr_periods);
	maybe(&j, "cpu_throttled_periods", thr, st->nr_throttled);
	maybe(&j, "cpu_throttled_us", thr, st->throttled_us);
	maybe(&j, "tasks_peak", st->has_pids && st->has_pids_peak, st->pids_peak);
	maybe(&j, "tasks_limit", st->has_pids && st->has_pids_limit, st->pids_limit);
	json_int(&j, "exit_status", st->status);
	json_end(&j, '}');
	fputc('\n', out);
}
