/* Hand-built specs and hosts for the planner tests: no parser, no
 * kernel. */
#ifndef CTLAUNCH_FAKE_H
#define CTLAUNCH_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "plan.h"
#include "spec.h"

/* A cgroup v1 host like the CI machine: memory nested under /lab,
 * cpu joined with cpuacct, swap accounting on, CPUs 0-3, node 0. */
void fake_host_v1(struct host *h);

/* A cgroup v2 host: ctlaunch in /lab.scope with every controller, as
 * root, on a kernel with CLONE_INTO_CGROUP, CPUs 0-3, node 0. */
void fake_host_v2(struct host *h);

/* name "web", rootfs /srv/rootfs, command echo hi; no resources. */
void fake_spec(struct spec *s);

/* Every resource a host can have, as a spec that sets them all would:
 * memory 64M, the given cpu shares, quota 150ms, cpus 1-2, mems 0, pids
 * 100, each with a location as the parser would give it. */
void fake_limits(struct spec *s, uint64_t shares);

/* The planner's tests find steps by kind and payload, never by their
 * printed wording (that is the golden files' business):
 *   FIND(&p, STEP_CG_WRITE, cg_write, streq(it->file, "memory.max"))
 * is the index of the first step of kind STEP_CG_WRITE whose payload
 * (it, a pointer to p.steps[i].u.cg_write) meets the condition, or -1. */
#define FIND(pl, kind_, member, cond) FIND_FROM(pl, 0, kind_, member, cond)
#define FIND_FROM(pl, start, kind_, member, cond)                                  \
	({                                                                         \
		long found_ = -1;                                                  \
		for (size_t i_ = (size_t)(start); i_ < (pl)->n && found_ < 0; i_++) { \
			const struct step *st_ = &(pl)->steps[i_];                 \
			const __typeof__(st_->u.member) *it = &st_->u.member;      \
			(void)it;                                                  \
			if (st_->kind == (kind_) && (cond))                        \
				found_ = (long)i_;                                 \
		}                                                                  \
		found_;                                                            \
	})

/* Both NULL, or equal strings. */
bool streq(const char *a, const char *b);

/* Index of the first step of kind k, or -1; how many there are. */
long plan_find_kind(const struct plan *p, enum step_kind k);
size_t plan_count_kind(const struct plan *p, enum step_kind k);

/* The most common lookups. dir NULL: in any directory; value NULL: any
 * value. */
long find_write(const struct plan *p, const char *dir, const char *file, const char *value);
long find_copy(const struct plan *p, const char *dir, const char *file);
long find_mkdir(const struct plan *p, const char *dir);
long find_enter(const struct plan *p, const char *dir);
long find_mount(const struct plan *p, const char *target);
long find_attach(const struct plan *p, const char *target);

#endif
