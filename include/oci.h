/* --export-oci: a plan as an OCI runtime bundle's config.json, for crun
 * and runc. Pure: the caller opens the file and hands over the stream. */
#ifndef CTLAUNCH_OCI_H
#define CTLAUNCH_OCI_H

#include <stddef.h>
#include <stdio.h>

#include "plan.h"
#include "spec.h"

/* The container's cgroup, as a runtime's linux.cgroupsPath wants it:
 * "<parent>/ctlaunch/<name>", the place ctlaunch gives its own
 * (parent NULL: the root of each hierarchy). The caller frees it. */
char *oci_cgroups_path(const char *cgroup_parent, const char *name);

/* Writes the config.json of the container plan p makes from spec, with
 * the given cgroups path, to out. The spec's keys that have no OCI
 * equivalent, comma-separated, into unmapped ("" for none). */
void oci_config(const struct plan *p, const struct spec *spec, const char *cgroups_path,
		FILE *out, char *unmapped, size_t size);

#endif
