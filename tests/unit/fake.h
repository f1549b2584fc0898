/* Hand-built specs and hosts for the planner tests: no parser, no
 * kernel. */
#ifndef CTLAUNCH_FAKE_H
#define CTLAUNCH_FAKE_H

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

/* Index of the first step whose printed form contains text, or -1. */
long plan_find(const struct plan *p, const char *text);

/* Index of the first step of kind k, or -1. */
long plan_find_kind(const struct plan *p, enum step_kind k);

#endif
