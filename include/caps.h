/* Capabilities: names for the planner and the parser (pure), and the
 * one call that sets them, for the executor. */
#ifndef CTLAUNCH_CAPS_H
#define CTLAUNCH_CAPS_H

#include <stdint.h>

#include "err.h"

#define CAPS_MAX 64

/* podman's default set: what a container's root keeps unless the spec
 * says otherwise. */
#define CAPS_DEFAULT                                                           \
	(CAPS_BIT(0) /* CHOWN */ | CAPS_BIT(1) /* DAC_OVERRIDE */ |            \
	 CAPS_BIT(3) /* FOWNER */ | CAPS_BIT(4) /* FSETID */ |                 \
	 CAPS_BIT(5) /* KILL */ | CAPS_BIT(6) /* SETGID */ |                   \
	 CAPS_BIT(7) /* SETUID */ | CAPS_BIT(8) /* SETPCAP */ |                \
	 CAPS_BIT(10) /* NET_BIND_SERVICE */ | CAPS_BIT(18) /* SYS_CHROOT */ | \
	 CAPS_BIT(31) /* SETFCAP */)
#define CAPS_BIT(n) (UINT64_C(1) << (n))
#define CAPS_KNOWN (CAPS_BIT(41) - 1)  /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE */
#define CAPS_ALL UINT64_MAX            /* "ALL" in a spec's add or drop */

/* "CAP_CHOWN" for 0; NULL for a number the table does not know. */
const char *cap_name_of(unsigned cap);

/* The number of a name ("CAP_NET_ADMIN", case-insensitive, "CAP_"
 * optional), or -1. */
int cap_number_of(const char *name);

/* Names of the set bits, joined by ",", into buf. */
void caps_format(uint64_t set, char *buf, size_t size);

/* Reduce the bounding set to keep and clear the ambient set. Done
 * before the switch to the spec's user, which needs CAP_SETUID. */
int caps_bound(uint64_t keep, struct ct_err *e);

/* Make permitted and effective keep, inheritable empty. What the switch
 * to a non-root user cleared stays clear: such a user ends with none. */
int caps_set(uint64_t keep, struct ct_err *e);

#endif
