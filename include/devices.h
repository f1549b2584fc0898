/* The device policy: the only device nodes a container may open or make,
 * whatever capabilities its spec adds (CAP_MKNOD, CAP_SYS_ADMIN). The
 * planner names it; the executor applies it in the container's cgroup,
 * before the container exists. */
#ifndef CTLAUNCH_DEVICES_H
#define CTLAUNCH_DEVICES_H

#include <stddef.h>

#include "err.h"

/* A character device, read, write and mknod; minor -1: any minor. */
struct dev_rule {
	unsigned major;
	int minor;
	const char *what;
};

/* null, zero, full, random, urandom, tty, ptmx and the pty slaves: what
 * the container's /dev holds (see plan.c), and nothing else. */
#define N_DEV_RULES 8
extern const struct dev_rule dev_rules[N_DEV_RULES];
extern const size_t n_dev_rules;

/* "c 1:3 rwm" for rule i (v1's devices.allow syntax, also --plan's). */
void dev_rule_format(size_t i, char *buf, size_t size);

/* v1: write "a" to dir/devices.deny (nothing allowed), then each rule to
 * dir/devices.allow. */
int dev_policy_v1(const char *dir, struct ct_err *e);

/* v2: load a BPF_CGROUP_DEVICE program that allows exactly the rules,
 * and attach it to the cgroup dir (BPF_F_ALLOW_MULTI: a program below
 * can only narrow it). */
int dev_policy_bpf(const char *dir, struct ct_err *e);

#endif
