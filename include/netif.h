/* network: a bridge, on the machine: the leases' lock and files, the
 * bridge, the container's network namespace, its veth pair, address and
 * route (netlink through libnl-route-3), and its /etc/hosts. Run by
 * ctlaunch before the clone and at exit; the child only enters the
 * namespace (net_enter). */
#ifndef CTLAUNCH_NETIF_H
#define CTLAUNCH_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "net.h"

/* dir/leases.lock, waiting (interruptible: a Control-C ends the wait);
 * dir (and its parent) made if missing. The descriptor, or -1 with e. */
int net_lock(const char *dir, bool interruptible, struct ct_err *e);
/* The leases of dead runs (their ctlaunch's pid and start time) on
 * every bridge: their veth deleted, the lease and its hosts file
 * removed, and a bridge ctlaunch made deleted once no lease is left. */
int net_sweep(const char *dir, struct ct_err *e);
/* b's address, or its subnet's first free one, leased by this process
 * for the container name (its host name, for the others' hosts files). */
int net_lease(const char *dir, const struct net_bridge *b, const char *name,
	      const char *hostname, uint32_t *addr, struct ct_err *e);
/* The bridge, made if missing (marked ctlaunch's), with the subnet's
 * first address, up. */
int net_bridge_up(const char *dir, const struct net_bridge *b, struct ct_err *e);
/* A new network namespace, lo up in it: its descriptor, or -1 with e.
 * The caller stays in its own. */
int net_netns(struct ct_err *e);
/* The veth pair: ctv<pid> on b, up; eth0 in the namespace nsfd. */
int net_veth(int nsfd, const struct net_bridge *b, struct ct_err *e);
/* In the namespace nsfd: eth0 at addr, up, the default route. */
int net_addr(int nsfd, const struct net_bridge *b, uint32_t addr, struct ct_err *e);
/* dir/name.hosts: name at addr and the others leased on b. */
int net_hosts(const char *dir, const struct net_bridge *b, const char *name,
	      const char *hostname, uint32_t addr, struct ct_err *e);
/* At exit, under the lock: the veth, the lease of addr (0: none), the
 * hosts file (written: this run wrote it), the bridge if the last. */
int net_release(const char *dir, const struct net_bridge *b, const char *name, uint32_t addr,
		bool written, struct ct_err *e);
/* The child: into the namespace nsfd, with no allocation. */
int net_enter(int nsfd, struct ct_err *e);

#endif
