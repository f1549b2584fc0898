/* The spec's resource keys, one row each (src/resources.c): the key's
 * name, how it is read (its converter and bounds), where struct spec
 * keeps it, its cgroup controller, and the files and values it writes
 * on cgroup v1 and v2. Nothing else knows a resource key: spec_keys.c
 * makes the resources: mapping's keys from these rows, and the planner
 * and the policy read them. Adding one is its field in struct spec's
 * res and its row here. Pure. */
#ifndef CTLAUNCH_RESOURCES_H
#define CTLAUNCH_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "spec.h"
#include "spec_value.h"

/* A key's value as the kernel wants it in one file: a string the caller
 * owns. */
typedef char *res_value_fn(const struct spec *spec);

/* What a v1 file needs of the host besides the controller. */
enum res_need { RES_ALWAYS, RES_MEMSW, RES_KMEM_TCP };

struct res_file {
	const char *file;     /* NULL: no more files */
	res_value_fn *value;
	bool optional;        /* a file the kernel may lack: skipped then */
	enum res_need need;   /* v1: written only on a host that has it */
	const char *without;  /* v1: the plan's note on a host without it */
	const char *oci;      /* --export-oci: the field of an OCI config's
			       * linux.resources that makes a runtime write this
			       * file with this value ("memory.limit"), or
			       * OCI_UNIFIED: the file itself in "unified", where
			       * the runtime's own conversion would write another
			       * value (cpu.weight) or none fits */
};

#define OCI_UNIFIED "unified"

#define RES_FILES 3

struct res_key {
	const char *key;      /* its name in the spec: "resources.cpuset.cpus" */
	enum cg_ctrl ctrl;
	size_t has, at;       /* offsetof(struct spec, ...): its bool has_ and its ct_loc */
	/* How the spec's value is read: the converter (spec_value.h), its
	 * bounds and words, and the field of struct spec it fills. */
	const struct value_type *type;
	struct value_arg arg;
	size_t off, size;
	/* Its place, from 0, in the order the keys are listed to a user
	 * ("unknown key (expected one of ...)"): the order they were added
	 * in, which the write order (the rows') need not be. A new key
	 * takes the next number. */
	unsigned listed;
	/* Its value as --list shows it, the spec's words ("64M", "0.5");
	 * NULL: what the plan writes is shown (pids: its default too). */
	res_value_fn *shown;
	bool v1_inherit;      /* v1: without the key the file is copied from the
			       * parent cgroup, in the leaf and in ctlaunch/ */
	struct res_file v1[RES_FILES], v2[RES_FILES]; /* written in this order */
};

/* In the order their files are written: the kernel's rules between
 * them are at the rows. */
extern const struct res_key res_keys[];
extern const size_t n_res_keys;

bool res_has(const struct spec *spec, const struct res_key *k);
struct ct_loc res_at(const struct spec *spec, const struct res_key *k);
bool res_host_has(const struct host *h, enum res_need need);

/* cpu_shares (v1, 2..262144) as cpu.weight (v2, 1..10000). */
uint64_t cpu_shares_to_weight(uint64_t shares);

#endif
