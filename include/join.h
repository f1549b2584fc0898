/* What --join does to the machine, a call each: used only by the
 * executor, which walks a plan_join() plan. */
#ifndef CTLAUNCH_JOIN_H
#define CTLAUNCH_JOIN_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* A pidfd of pid, opened and then checked to be the process that
 * started at start (a pid the kernel gave to another process since is
 * not the container's). -1 with e filled. */
int join_open(pid_t pid, uint64_t start, struct ct_err *e);

/* The resource limits of pid (its /proc/PID/limits), each made the
 * caller's; a hard limit the caller may not raise (without
 * CAP_SYS_RESOURCE: rootless) stays its own. pidfd, pid's, says
 * afterwards that the values were pid's. */
int join_rlimits(pid_t pid, int pidfd, struct ct_err *e);

/* The umask of pid (the Umask: line of its /proc/PID/status, Linux
 * 4.7), made the caller's; pidfd, pid's, says afterwards that it was
 * pid's. */
int join_umask(pid_t pid, int pidfd, struct ct_err *e);

/* Into the namespaces nsflags of the process of pidfd, at once (Linux
 * 5.8: the user namespace first, then the rest with its rights). */
int join_setns(int pidfd, unsigned long nsflags, struct ct_err *e);

#endif
