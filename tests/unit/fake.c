#include <string.h>

#include "fake.h"
#include "util.h"

void fake_host_v1(struct host *h)
{
	memset(h, 0, sizeof *h);
	h->layout = CG_HYBRID;
	h->cgroup_root = xstrdup("/sys/fs/cgroup");
	h->ctrl[CTRL_MEMORY].mount = xstrdup("/sys/fs/cgroup/memory");
	h->ctrl[CTRL_MEMORY].own = xstrdup("/lab");
	h->ctrl[CTRL_MEMORY].controllers = xstrdup("memory");
	h->ctrl[CTRL_CPU].mount = xstrdup("/sys/fs/cgroup/cpu,cpuacct");
	h->ctrl[CTRL_CPU].own = xstrdup("/");
	h->ctrl[CTRL_CPU].controllers = xstrdup("cpu,cpuacct");
	h->ctrl[CTRL_CPUSET].mount = xstrdup("/sys/fs/cgroup/cpuset");
	h->ctrl[CTRL_CPUSET].own = xstrdup("/");
	h->ctrl[CTRL_CPUSET].controllers = xstrdup("cpuset");
	h->memsw = true;
	h->kmem_tcp = true;
	/* Hierarchies the spec cannot limit: the container gets a cgroup
	 * in them all the same. */
	h->hier[0] = (struct host_hier){ xstrdup("/sys/fs/cgroup/devices"), xstrdup("/"),
					 xstrdup("devices") };
	h->hier[1] = (struct host_hier){ xstrdup("/sys/fs/cgroup/unified"), xstrdup("/"), NULL };
	h->n_hier = 2;
	parse_cpulist("0-3", &h->online_cpus);
	parse_cpulist("0", &h->online_mems);
}

void fake_spec(struct spec *s)
{
	static const char *const argv[] = { "/bin/echo", "hi" };

	memset(s, 0, sizeof *s);
	s->file = xstrdup("web.yaml");
	s->dir = xstrdup(".");
	s->name = xstrdup("web");
	s->rootfs = xstrdup("/srv/rootfs");
	s->rootfs_at = (struct ct_loc){ .line = 2, .col = 9 };
	s->no_new_privileges = true;
	spec_set_command(s, (char *const *)argv, 2);
}

void fake_host_v2(struct host *h)
{
	memset(h, 0, sizeof *h);
	h->layout = CG_UNIFIED;
	h->cgroup_root = xstrdup("/sys/fs/cgroup");
	h->cg_own = xstrdup("/lab.scope");
	for (int c = 0; c < CTRL__N; c++) {
		h->ctrl[c].mount = xstrdup("/sys/fs/cgroup");
		h->ctrl[c].own = xstrdup("/lab.scope");
	}
	h->cg_writable = true;
	h->clone_into_cgroup = true;
	parse_cpulist("0-3", &h->online_cpus);
	parse_cpulist("0", &h->online_mems);
}

bool streq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

long plan_find_kind(const struct plan *p, enum step_kind k)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].kind == k)
			return (long)i;
	return -1;
}

size_t plan_count_kind(const struct plan *p, enum step_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->steps[i].kind == k;
	return n;
}

long find_write(const struct plan *p, const char *dir, const char *file, const char *value)
{
	return FIND(p, STEP_CG_WRITE, cg_write,
		    (!dir || streq(it->dir, dir)) && streq(it->file, file) &&
			    (!value || streq(it->value, value)));
}

long find_copy(const struct plan *p, const char *dir, const char *file)
{
	return FIND(p, STEP_CG_COPY, cg_copy, streq(it->dir, dir) && streq(it->file, file));
}

long find_mkdir(const struct plan *p, const char *dir)
{
	return FIND(p, STEP_CG_MKDIR, cg_mkdir, streq(it->dir, dir));
}

long find_enter(const struct plan *p, const char *dir)
{
	return FIND(p, STEP_CG_ENTER, cg_enter, streq(it->dir, dir));
}

long find_mount(const struct plan *p, const char *target)
{
	return FIND(p, STEP_MOUNT, mount, streq(it->target, target));
}

long find_attach(const struct plan *p, const char *target)
{
	return FIND(p, STEP_BIND_ATTACH, bind_attach, streq(it->target, target));
}

void fake_limits(struct spec *s, uint64_t shares)
{
	s->res.has_memory = true;
	s->res.memory = 64 << 20;
	s->res.memory_at = (struct ct_loc){ .line = 5, .col = 11 };
	s->res.has_cpu_shares = true;
	s->res.cpu_shares = shares;
	s->res.cpu_shares_at = (struct ct_loc){ .line = 6, .col = 15 };
	s->res.has_cpu_quota = true;
	s->res.cpu_quota_us = 150000;
	s->res.cpu_quota_at = (struct ct_loc){ .line = 7, .col = 9 };
	s->res.has_cpus = true;
	parse_cpulist("1-2", &s->res.cpus);
	s->res.cpus_at = (struct ct_loc){ .line = 9, .col = 11 };
	s->res.has_mems = true;
	parse_cpulist("0", &s->res.mems);
	s->res.mems_at = (struct ct_loc){ .line = 10, .col = 11 };
	s->res.has_pids = true;
	s->res.pids = 100;
	s->res.pids_at = (struct ct_loc){ .line = 11, .col = 9 };
}
