/* Checks of a parsed spec against the host: the rootfs is a directory,
 * the cpuset's CPUs and memory nodes exist, a command is given; and
 * what a run finds out only as it starts. Reads the file system,
 * changes nothing. */
#ifndef CTLAUNCH_CHECK_H
#define CTLAUNCH_CHECK_H

#include "err.h"
#include "host.h"
#include "spec.h"

/* Resolve spec->rootfs to an absolute real path and check everything the
 * host decides. -1 with one diag line per problem. */
int spec_check(struct spec *spec, const struct host *h, struct ct_diags *d);

/* A seccomp profile of the spec's own compiles (libseccomp; a filter
 * longer than the kernel takes does not): what a run does before its
 * first step, done here for --check and --plan. -1 with the problem in
 * d. */
int spec_check_filter(const struct spec *spec, struct ct_diags *d);

/* --check: what the run finds out only at the exec, found out now:
 * the command is in the container and executable (command_check). The
 * status the run would end with, 0, 127 (not found) or 126, with the
 * problem in d. */
int spec_check_command(const struct spec *spec, struct ct_diags *d);

#endif
