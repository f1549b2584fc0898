/* Checks of a parsed spec against the host: the rootfs is a directory,
 * the cpuset's CPUs and memory nodes exist, a command is given. Reads
 * the file system, changes nothing. */
#ifndef CTLAUNCH_CHECK_H
#define CTLAUNCH_CHECK_H

#include "err.h"
#include "host.h"
#include "spec.h"

/* Resolve spec->rootfs to an absolute real path and check everything the
 * host decides. -1 with one diag line per problem. */
int spec_check(struct spec *spec, const struct host *h, struct ct_diags *d);

#endif
