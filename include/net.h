/* Container networking as data: the spec's network: key, the IPv4
 * arithmetic of a bridge's subnet, the leases of its addresses and the
 * container's /etc/hosts, as text. Pure: the machine is net.c's. */
#ifndef CTLAUNCH_NET_H
#define CTLAUNCH_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_IFNAMSIZ 16       /* the kernel's IFNAMSIZ, with the NUL */
#define NET_LEASE_DIR "net"   /* below the state directory: /run/ctlaunch/net */

enum net_mode {
	NET_NONE,    /* a new network namespace with lo up (the default) */
	NET_HOST,    /* the host's network namespace */
	NET_BRIDGE,  /* a new one, joined to a bridge of the host by a veth pair */
};

/* A bridge and the container's place on it; addresses in host order. */
struct net_bridge {
	char name[NET_IFNAMSIZ];
	uint32_t subnet;     /* its network address: host bits zero */
	unsigned prefix;     /* 8..30: room for the bridge and one container */
	uint32_t address;    /* the container's; 0: the first free one, leased */
};

/* "10.88.0.2" to an address in host order. */
bool net_parse_addr(const char *s, uint32_t *out);
/* "10.88.0.2/24"; prefix 0 and no '/': plain address (has_prefix false). */
bool net_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix, bool *has_prefix);
uint32_t net_mask(unsigned prefix);
/* The bridge's own address: the subnet's first. */
uint32_t net_gateway(const struct net_bridge *b);
/* Why addr cannot be a container's on b ("outside 10.88.0.0/24", "the
 * subnet's broadcast address"...), into buf; NULL when it can. */
const char *net_addr_problem(const struct net_bridge *b, uint32_t addr, char *buf, size_t size);
/* A valid interface name: 1..15 bytes, no '/', ':', space, not . or .. */
const char *net_ifname_problem(const char *name);
/* Dotted text of addr into buf (16 bytes). */
const char *net_fmt(uint32_t addr, char *buf);

/* The first address of b's subnet that is none of used[0..n), nor the
 * network, broadcast or bridge address; 0 when the subnet is full. */
uint32_t net_first_free(const struct net_bridge *b, const uint32_t *used, size_t n);

/* A lease: one file per address in the bridge's directory, written by
 * the run that holds it (the launcher, by pid and start time: a lease
 * whose launcher is gone is stale, whatever killed it). */
struct net_lease {
	long pid;            /* ctlaunch's */
	uint64_t start;      /* its start time (/proc/PID/stat, field 22) */
	uint32_t addr;
	char veth[NET_IFNAMSIZ]; /* the host's end of its veth pair */
	char name[65];       /* the container's name */
	char hostname[65];   /* and its host name */
};

/* As one line of text, and back; parse false for anything else. */
void net_lease_format(const struct net_lease *l, char *buf, size_t size);
bool net_lease_parse(const char *text, struct net_lease *l);
/* "ctv" and the pid: the host's end of a run's veth pair. */
void net_veth_name(long pid, char *buf);

/* The container's /etc/hosts (malloc'd): localhost, its own host name
 * and name at addr, and those of peers[0..n) (the others leased on its
 * bridge as it starts). */
char *net_hosts_text(const char *hostname, const char *name, uint32_t addr,
		     const struct net_lease *peers, size_t n);

#endif
