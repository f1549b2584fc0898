/* cgroup v1 operations, one kernel operation each. Used only by the
 * executor. */
#ifndef CTLAUNCH_CGROUP_H
#define CTLAUNCH_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Serialise cgroup setup and teardown between ctlaunch processes: one
 * removes the shared ctlaunch/ directory while another creates a leaf in
 * it, or two start the same name. Returns the lock's fd or -1. */
int cg_lock(const char *root, struct ct_err *e);
void cg_unlock(int *fd);

/* mkdir a cgroup directory. shared: it may exist already. Otherwise an
 * existing one is stale when it has no tasks (a killed run left it) and
 * is made anew; with tasks the container is running: an error. */
int cg_mkdir(const char *dir, bool shared, struct ct_err *e);

int cg_write(const char *dir, const char *file, const char *value, struct ct_err *e);

/* Write the parent directory's value of file into dir/file. */
int cg_copy_from_parent(const char *dir, const char *file, struct ct_err *e);

int cg_enter(const char *dir, pid_t pid, struct ct_err *e);

/* rmdir a leaf, retrying while the kernel still counts exiting tasks
 * (EBUSY); a shared directory is left alone when others still use it. */
int cg_remove(const char *dir, bool shared, struct ct_err *e);

/* The kernel's count of OOM kills in a v1 memory cgroup (oom_kill in
 * memory.oom_control, Linux 4.13+); 0 when unknown. */
uint64_t cg_oom_kills(const char *dir);

#endif
