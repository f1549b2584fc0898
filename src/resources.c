/* The resource keys' table: one row a key (see resources.h). The rows'
 * order is the order the planner writes their files in, and the kernel's
 * ordering rules are at the rows that obey them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "resources.h"

static char *w_memory(const struct spec *s)
{
	return xasprintf("%llu", (unsigned long long)s->res.memory);
}

static char *w_zero(const struct spec *s)
{
	(void)s;
	return xstrdup("0");
}

static char *w_cpu_shares(const struct spec *s)
{
	return xasprintf("%llu", (unsigned long long)s->res.cpu_shares);
}

static char *w_cpu_weight(const struct spec *s)
{
	return xasprintf("%llu", (unsigned long long)cpu_shares_to_weight(s->res.cpu_shares));
}

static char *w_cpu_period(const struct spec *s)
{
	(void)s;
	return xasprintf("%d", CPU_PERIOD_US);
}

static char *w_cpu_quota(const struct spec *s)
{
	return xasprintf("%llu", (unsigned long long)s->res.cpu_quota_us);
}

static char *w_cpu_max(const struct spec *s)
{
	return xasprintf("%llu %d", (unsigned long long)s->res.cpu_quota_us, CPU_PERIOD_US);
}

/* Formatted on the heap, then copied: a stack buffer for the longest
 * list would take the stack pages deeper than anything else, and on a
 * virtual machine each new page is a fault of tens of microseconds. */
static char *cpulist(const struct cpuset *set)
{
	char *buf = xmalloc(CT_CPULIST_MAX), *v;

	cpulist_format(set, buf, CT_CPULIST_MAX);
	v = xstrdup(buf);
	free(buf);
	return v;
}

static char *w_mems(const struct spec *s)
{
	return cpulist(&s->res.mems);
}

static char *w_cpus(const struct spec *s)
{
	return cpulist(&s->res.cpus);
}

static char *w_pids(const struct spec *s)
{
	return xasprintf("%llu", (unsigned long long)s->res.pids);
}

/* The values as the spec says them, for --list. */
static char *s_memory(const struct spec *s)
{
	char v[32];

	size_format(s->res.memory, v, sizeof v);
	return xstrdup(v);
}

/* cpus x the period: "0.5", "2", "1.25". */
static char *s_cpus(const struct spec *s)
{
	char v[64];
	int len = snprintf(v, sizeof v, "%llu.%05llu",
			   (unsigned long long)(s->res.cpu_quota_us / CPU_PERIOD_US),
			   (unsigned long long)(s->res.cpu_quota_us % CPU_PERIOD_US));

	while (len > 0 && v[len - 1] == '0')
		v[--len] = '\0';
	if (len > 0 && v[len - 1] == '.')
		v[--len] = '\0';
	return xstrdup(v);
}

#define AT(field) offsetof(struct spec, res.field)
#define FIELD(field) \
	.off = offsetof(struct spec, res.field), .size = sizeof(((struct spec *)NULL)->res.field)

const struct res_key res_keys[] = {
	/* Below a page the kernel cannot charge even the first one: the
	 * command could never start. */
	{ "resources.memory", CTRL_MEMORY, AT(has_memory), AT(memory_at),
	  .type = &v_size, .arg = { .min = 4096 }, FIELD(memory), .listed = 0, .shown = s_memory,
	  .v1 = {
		  { "memory.limit_in_bytes", w_memory, false, RES_ALWAYS, NULL, "memory.limit" },
		  /* With swap accounting on, a limit on memory alone lets
		   * the container swap past it; memory+swap at the same
		   * value makes the limit mean the same on hosts with and
		   * without swap. After memory.limit_in_bytes: the kernel
		   * keeps memsw >= memory at every write. */
		  { "memory.memsw.limit_in_bytes", w_memory, false, RES_MEMSW, NULL, "memory.swap" },
		  /* v1 charges socket buffers to nothing unless this is set
		   * (v2 counts them in memory.max): without it a container
		   * holds as much of the host's memory in TCP queues as the
		   * host's tcp_mem lets every socket together. Set before
		   * any socket exists in the cgroup: the kernel starts
		   * counting at the first write. */
		  { "memory.kmem.tcp.limit_in_bytes", w_memory, false, RES_KMEM_TCP,
		    "on this host a cgroup v1 memory limit does not cover socket buffers "
		    "(no memory.kmem.tcp.limit_in_bytes): TCP queues are charged to no "
		    "container", "memory.kernelTCP" },
	  },
	  .v2 = {
		  { "memory.max", w_memory, false, RES_ALWAYS, NULL, "memory.limit" },
		  /* v1 sets memory+swap to the limit, so the limit means no
		   * swap; here swap has its own limit. Absent when the
		   * kernel does not account swap. */
		  { "memory.swap.max", w_zero, true, RES_ALWAYS, NULL, OCI_UNIFIED },
	  } },
	/* The kernel's own bounds for cpu.shares (MIN_SHARES, MAX_SHARES):
	 * it would clamp anything else without a word. */
	{ "resources.cpu_shares", CTRL_CPU, AT(has_cpu_shares), AT(cpu_shares_at),
	  .type = &v_uint, .arg = { .min = 2, .max = 262144 }, FIELD(cpu_shares), .listed = 1,
	  .shown = w_cpu_shares,
	  .v1 = { { "cpu.shares", w_cpu_shares, false, RES_ALWAYS, NULL, "cpu.shares" } },
	  .v2 = { { "cpu.weight", w_cpu_weight, false, RES_ALWAYS, NULL, OCI_UNIFIED } } },
	{ "resources.cpus", CTRL_CPU, AT(has_cpu_quota), AT(cpu_quota_at),
	  .type = &v_cpu_quota, FIELD(cpu_quota_us), .listed = 5, .shown = s_cpus,
	  /* The quota is a share of this period: the period the quota was
	   * computed for is written, not whatever it is now. */
	  .v1 = { { "cpu.cfs_period_us", w_cpu_period, false, RES_ALWAYS, NULL, "cpu.period" },
		  { "cpu.cfs_quota_us", w_cpu_quota, false, RES_ALWAYS, NULL, "cpu.quota" } },
	  .v2 = { { "cpu.max", w_cpu_max, false, RES_ALWAYS, NULL, OCI_UNIFIED } } },
	/* cpuset.mems before cpuset.cpus: a cpuset with CPUs but no memory
	 * nodes is as unusable as an empty one, and mems first keeps each
	 * write valid on its own, as runc and crun do. On v1 a new
	 * directory starts with both files empty, and the kernel refuses to
	 * attach a task to it (ENOSPC): what the spec does not set is
	 * copied from the parent (v1_inherit). In v2 an empty file means
	 * the parent's: only what the spec names is written. */
	{ "resources.cpuset.mems", CTRL_CPUSET, AT(has_mems), AT(mems_at), .v1_inherit = true,
	  .type = &v_cpulist, .arg = { .what = "memory node list", .example = "0-1" },
	  FIELD(mems), .listed = 3, .shown = w_mems,
	  .v1 = { { "cpuset.mems", w_mems, false, RES_ALWAYS, NULL, "cpu.mems" } },
	  .v2 = { { "cpuset.mems", w_mems, false, RES_ALWAYS, NULL, "cpu.mems" } } },
	{ "resources.cpuset.cpus", CTRL_CPUSET, AT(has_cpus), AT(cpus_at), .v1_inherit = true,
	  .type = &v_cpulist, .arg = { .what = "CPU list", .example = "0-3,5" }, FIELD(cpus),
	  .listed = 2, .shown = w_cpus,
	  .v1 = { { "cpuset.cpus", w_cpus, false, RES_ALWAYS, NULL, "cpu.cpus" } },
	  .v2 = { { "cpuset.cpus", w_cpus, false, RES_ALWAYS, NULL, "cpu.cpus" } } },
	/* PID_MAX_LIMIT: the kernel has no more pids to give. */
	{ "resources.pids", CTRL_PIDS, AT(has_pids), AT(pids_at),
	  .type = &v_uint, .arg = { .min = 1, .max = 4194304 }, FIELD(pids), .listed = 4,
	  .v1 = { { "pids.max", w_pids, false, RES_ALWAYS, NULL, "pids.limit" } },
	  .v2 = { { "pids.max", w_pids, false, RES_ALWAYS, NULL, "pids.limit" } } },
};

const size_t n_res_keys = sizeof res_keys / sizeof res_keys[0];

bool res_has(const struct spec *spec, const struct res_key *k)
{
	return *(const bool *)((const char *)spec + k->has);
}

struct ct_loc res_at(const struct spec *spec, const struct res_key *k)
{
	return *(const struct ct_loc *)((const char *)spec + k->at);
}

bool res_host_has(const struct host *h, enum res_need need)
{
	switch (need) {
	case RES_ALWAYS:
		return true;
	case RES_MEMSW:
		return h->memsw;
	case RES_KMEM_TCP:
		return h->kmem_tcp;
	}
	return false;
}

uint64_t cpu_shares_to_weight(uint64_t shares)
{
	double l, exponent;

	/* The curve runc and crun moved to (runc #4772): quadratic in
	 * log2(shares), so that both ends and the default meet: 2 -> 1,
	 * 1024 -> 100 (the default weight), 262144 -> 10000. The linear
	 * map before it put 1024 at 39. */
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	l = log2((double)shares);
	exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	return (uint64_t)ceil(pow(10, exponent));
}
