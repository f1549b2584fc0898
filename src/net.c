/* network: a bridge, on the machine. Netlink goes through libnl-route-3
 * (Debian's libnl-route-3-dev, whose static archive the static launcher
 * links); nothing here runs ip(8). All of it runs in ctlaunch before the
 * clone or at exit, where allocation is free; the vfork child calls
 * net_enter only, one setns.
 *
 * The leases: dir/BRIDGE/ADDRESS, one file per address in use, its
 * line the lease (net.h) of the ctlaunch that holds it; dir/BRIDGE.made
 * when ctlaunch made the bridge; dir/NAME.hosts the container's
 * /etc/hosts. Every change is made under dir/leases.lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "cgroup.h"
#include "fileio.h"
#include "netif.h"
#include "ns.h"
#include "spec.h"
#include "statedir.h"
#include "util.h"
#include "util_fd.h"

#define NET_MAX_LEASES 4096 /* read of one bridge's directory; more is refused */

static void sock_free(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}
#define cleanup_sock __attribute__((cleanup(sock_free)))

static void link_free(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
#define cleanup_link __attribute__((cleanup(link_free)))

static int nl_fail(struct ct_err *e, int err, const char *what, const char *name)
{
	return ct_fail(e, 0, "%s %s: %s", what, name, nl_geterror(err));
}

/* A route netlink socket in the network namespace the caller is in. */
static struct nl_sock *rt_sock(struct ct_err *e)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		ct_fail(e, ENOMEM, "netlink socket");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		ct_fail(e, 0, "netlink socket: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* Up, and on master (0: no change of master). */
static int link_up(struct nl_sock *sk, const char *name, int master, struct ct_err *e)
{
	cleanup_link struct rtnl_link *orig = NULL;
	cleanup_link struct rtnl_link *change = rtnl_link_alloc();
	int err = rtnl_link_get_kernel(sk, 0, name, &orig);

	if (err < 0)
		return nl_fail(e, err, "find the interface", name);
	if (!change)
		return ct_fail(e, ENOMEM, "bring up %s", name);
	rtnl_link_set_flags(change, IFF_UP);
	if (master)
		rtnl_link_set_master(change, master);
	err = rtnl_link_change(sk, orig, change, 0);
	return err < 0 ? nl_fail(e, err, "bring up", name) : 0;
}

static int link_delete(struct nl_sock *sk, const char *name, struct ct_err *e)
{
	cleanup_link struct rtnl_link *l = rtnl_link_alloc();
	int err;

	if (!if_nametoindex(name))
		return 0;
	if (!l)
		return ct_fail(e, ENOMEM, "delete %s", name);
	rtnl_link_set_name(l, name);
	err = rtnl_link_delete(sk, l);
	return err < 0 && if_nametoindex(name) ? nl_fail(e, err, "delete the interface", name) : 0;
}

static int addr_add(struct nl_sock *sk, const char *ifname, uint32_t a, unsigned prefix,
		    struct ct_err *e)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	uint32_t be = htonl(a);
	struct nl_addr *local = nl_addr_build(AF_INET, &be, sizeof be);
	int idx = (int)if_nametoindex(ifname), err = -NLE_NOMEM;

	if (addr && local && idx) {
		nl_addr_set_prefixlen(local, (int)prefix);
		rtnl_addr_set_ifindex(addr, idx);
		rtnl_addr_set_family(addr, AF_INET);
		err = rtnl_addr_set_local(addr, local);
		if (err >= 0)
			err = rtnl_addr_add(sk, addr, 0);
	}
	if (!idx)
		err = -NLE_NODEV;
	nl_addr_put(local);
	rtnl_addr_put(addr);
	return err < 0 ? nl_fail(e, err, "give an address to", ifname) : 0;
}

static int route_default(struct nl_sock *sk, const char *ifname, uint32_t gw, struct ct_err *e)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	uint32_t zero = 0, be = htonl(gw);
	struct nl_addr *dst = nl_addr_build(AF_INET, &zero, sizeof zero);
	struct nl_addr *via = nl_addr_build(AF_INET, &be, sizeof be);
	int idx = (int)if_nametoindex(ifname), err = -NLE_NOMEM;

	if (r && nh && dst && via && idx) {
		nl_addr_set_prefixlen(dst, 0);
		rtnl_route_set_family(r, AF_INET);
		rtnl_route_set_table(r, RT_TABLE_MAIN);
		rtnl_route_set_protocol(r, RTPROT_STATIC);
		rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
		rtnl_route_set_type(r, RTN_UNICAST);
		err = rtnl_route_set_dst(r, dst);
		rtnl_route_nh_set_ifindex(nh, idx);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(r, nh);
		nh = NULL; /* the route's now */
		if (err >= 0)
			err = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL);
	}
	if (!idx)
		err = -NLE_NODEV;
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	rtnl_route_put(r);
	return err < 0 ? nl_fail(e, err, "add the default route on", ifname) : 0;
}

/* --- the leases ---------------------------------------------------------- */

/* dir 0700, and the directories above it 0755 where they are missing:
 * the leases need their lock even on a host without /run (a VM's
 * initramfs), where the name's lock does without. */
static int mkdir_private(const char *dir, struct ct_err *e)
{
	cleanup_free char *up = xstrdup(dir);
	struct stat st;

	for (char *s = strchr(up + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(up, 0755) < 0 && errno != EEXIST)
			return ct_fail(e, errno, "mkdir %s", up);
		*s = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ct_fail(e, errno, "mkdir %s", dir);
	/* Root's alone: a lease another user could write would steer
	 * which interface ctlaunch deletes. */
	if (lstat(dir, &st) < 0)
		return ct_fail(e, errno, "stat %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return ct_fail(e, 0, "%s is not a directory writable by %s alone", dir,
			       geteuid() ? "this user" : "root");
	return 0;
}

int net_lock(const char *dir, bool interruptible, struct ct_err *e)
{
	cleanup_free char *path = xasprintf("%s/leases.lock", dir);

	if (mkdir_private(dir, e) < 0)
		return -1;
	return cg_lock(path, false, NULL, interruptible, e);
}

static bool self_lease(struct net_lease *l, struct ct_err *e)
{
	char st;

	memset(l, 0, sizeof *l);
	l->pid = (long)getpid();
	if (state_proc_stat(getpid(), &l->start, &st) < 0) {
		ct_fail(e, errno, "read /proc/self/stat");
		return false;
	}
	net_veth_name(l->pid, l->veth);
	return true;
}

/* The lease's ctlaunch still runs: the same pid, started when it was. */
static bool lease_alive(const struct net_lease *l)
{
	uint64_t start;
	char st;

	return state_proc_stat((pid_t)l->pid, &start, &st) == 0 && start == l->start && st != 'Z';
}

static bool lease_read(int dfd, const char *file, struct net_lease *l)
{
	cleanup_close int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	cleanup_free char *text = NULL;
	struct stat st;

	memset(l, 0, sizeof *l);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return false;
	text = read_fd(fd, 512, NULL);
	return text && net_lease_parse(text, l);
}

/* The live leases of bridge (at most max, into v); the dead ones, and
 * files that are no lease, removed with what they held. */
static size_t leases_of(const char *dir, const char *bridge, struct nl_sock *sk,
			struct net_lease *v, size_t max)
{
	cleanup_free char *bdir = xasprintf("%s/%s", dir, bridge);
	cleanup_close int dfd = open(bdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(fcntl(dfd, F_DUPFD_CLOEXEC, 0));
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d))) {
		struct net_lease l;
		struct ct_err ignored = { 0 };

		if (de->d_name[0] == '.')
			continue;
		if (lease_read(dfd, de->d_name, &l) && lease_alive(&l)) {
			if (n < max)
				v[n++] = l;
			continue;
		}
		if (sk && l.veth[0] && !net_ifname_problem(l.veth))
			(void)link_delete(sk, l.veth, &ignored);
		if (l.name[0] && spec_name_valid(l.name)) {
			cleanup_free char *hosts = xasprintf("%s/%s.hosts", dir, l.name);

			unlink(hosts);
		}
		unlinkat(dfd, de->d_name, 0);
	}
	if (d)
		closedir(d);
	return n;
}

/* A bridge no lease uses: deleted if ctlaunch made it, and its
 * directory removed. */
static int bridge_gc(const char *dir, const char *bridge, struct nl_sock *sk, struct ct_err *e)
{
	cleanup_free char *made = xasprintf("%s/%s.made", dir, bridge);
	cleanup_free char *bdir = xasprintf("%s/%s", dir, bridge);
	struct net_lease one;

	if (leases_of(dir, bridge, sk, &one, 1) > 0)
		return 0;
	if (access(made, F_OK) == 0) {
		if (link_delete(sk, bridge, e) < 0)
			return -1;
		unlink(made);
	}
	rmdir(bdir);
	return 0;
}

int net_sweep(const char *dir, struct ct_err *e)
{
	cleanup_sock struct nl_sock *sk = rt_sock(e);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (!sk)
		return -1;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : ct_fail(e, errno, "open %s", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR || net_ifname_problem(de->d_name))
			continue;
		if (bridge_gc(dir, de->d_name, sk, e) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int net_lease(const char *dir, const struct net_bridge *b, const char *name,
	      const char *hostname, uint32_t *addr, struct ct_err *e)
{
	cleanup_free struct net_lease *v = xcalloc(NET_MAX_LEASES, sizeof *v);
	cleanup_free uint32_t *used = xcalloc(NET_MAX_LEASES, sizeof *used);
	cleanup_free char *bdir = xasprintf("%s/%s", dir, b->name);
	cleanup_free char *file = NULL;
	cleanup_close int fd = -1;
	struct net_lease me;
	size_t n = leases_of(dir, b->name, NULL, v, NET_MAX_LEASES);
	char a[16], line[256];

	for (size_t i = 0; i < n; i++) {
		used[i] = v[i].addr;
		if (b->address && v[i].addr == b->address)
			return ct_fail(e, EADDRINUSE, "%s on %s is container %s's (ctlaunch pid %ld)",
				       net_fmt(b->address, a), b->name, v[i].name, v[i].pid);
	}
	*addr = b->address ? b->address : net_first_free(b, used, n);
	if (!*addr)
		return ct_fail(e, EADDRNOTAVAIL, "no free address left in %s/%u on %s",
			       net_fmt(b->subnet, a), b->prefix, b->name);
	if (!self_lease(&me, e))
		return -1;
	me.addr = *addr;
	snprintf(me.name, sizeof me.name, "%s", name);
	snprintf(me.hostname, sizeof me.hostname, "%s", hostname);
	net_lease_format(&me, line, sizeof line);
	if (mkdir(bdir, 0700) < 0 && errno != EEXIST)
		return ct_fail(e, errno, "mkdir %s", bdir);
	file = xasprintf("%s/%s", bdir, net_fmt(*addr, a));
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		int err = errno;

		if (fd >= 0)
			unlink(file);
		return ct_fail(e, err, "write the lease %s", file);
	}
	return 0;
}

int net_bridge_up(const char *dir, const struct net_bridge *b, struct ct_err *e)
{
	cleanup_sock struct nl_sock *sk = rt_sock(e);
	cleanup_link struct rtnl_link *br = NULL;
	cleanup_free char *made = xasprintf("%s/%s.made", dir, b->name);
	int err, fd;

	if (!sk)
		return -1;
	if (if_nametoindex(b->name))
		return link_up(sk, b->name, 0, e);
	br = rtnl_link_bridge_alloc();
	if (!br)
		return ct_fail(e, ENOMEM, "make the bridge %s", b->name);
	rtnl_link_set_name(br, b->name);
	err = rtnl_link_add(sk, br, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0)
		return nl_fail(e, err, "make the bridge", b->name);
	/* Marked before anything else can fail: the run's exit, or the
	 * next run's sweep, then removes it with the last lease. */
	fd = open(made, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ct_fail(e, errno, "mark the bridge %s ctlaunch's: %s", b->name, made);
	close(fd);
	if (addr_add(sk, b->name, net_gateway(b), b->prefix, e) < 0)
		return -1;
	return link_up(sk, b->name, 0, e);
}

int net_netns(struct ct_err *e)
{
	cleanup_close int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct ct_err lo = { 0 };
	int fd, rc;

	if (self < 0)
		return ct_fail(e, errno, "open /proc/thread-self/ns/net");
	if (unshare(CLONE_NEWNET) < 0)
		return ct_fail(e, errno, "unshare CLONE_NEWNET");
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	rc = fd < 0 ? ct_fail(e, errno, "open the new network namespace") : ns_lo_up(&lo);
	/* ctlaunch itself never stays in the container's namespace. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	if (rc < 0 && fd >= 0) {
		close(fd);
		*e = lo;
		return -1;
	}
	return fd;
}

int net_veth(int nsfd, const struct net_bridge *b, struct ct_err *e)
{
	cleanup_sock struct nl_sock *sk = rt_sock(e);
	cleanup_link struct rtnl_link *veth = rtnl_link_veth_alloc();
	cleanup_link struct rtnl_link *peer = NULL;
	char name[NET_IFNAMSIZ];
	int master = (int)if_nametoindex(b->name), err;

	if (!sk)
		return -1;
	if (!veth)
		return ct_fail(e, ENOMEM, "make a veth pair");
	if (!master)
		return ct_fail(e, errno, "find the bridge %s", b->name);
	net_veth_name((long)getpid(), name);
	/* One of a dead ctlaunch of the same pid: not ours, and in the way. */
	if (link_delete(sk, name, e) < 0)
		return -1;
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, name);
	rtnl_link_set_name(peer, "eth0");
	rtnl_link_set_ns_fd(peer, nsfd);
	err = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0)
		return nl_fail(e, err, "make the veth pair", name);
	return link_up(sk, name, master, e);
}

/* In the container's namespace for the time of the three: the netlink
 * socket is made there (it stays there), and if_nametoindex asks the
 * namespace its caller is in. */
int net_addr(int nsfd, const struct net_bridge *b, uint32_t addr, struct ct_err *e)
{
	cleanup_close int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cleanup_sock struct nl_sock *sk = NULL;
	int rc = -1;

	if (self < 0 || setns(nsfd, CLONE_NEWNET) < 0)
		return ct_fail(e, errno, "setns into the container's network namespace");
	sk = rt_sock(e);
	if (sk)
		rc = addr_add(sk, "eth0", addr, b->prefix, e);
	if (rc == 0)
		rc = link_up(sk, "eth0", 0, e);
	if (rc == 0)
		rc = route_default(sk, "eth0", net_gateway(b), e);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return rc;
}

int net_hosts(const char *dir, const struct net_bridge *b, const char *name,
	      const char *hostname, uint32_t addr, struct ct_err *e)
{
	cleanup_free struct net_lease *v = xcalloc(NET_MAX_LEASES, sizeof *v);
	size_t n = leases_of(dir, b->name, NULL, v, NET_MAX_LEASES);
	cleanup_free char *text = net_hosts_text(hostname, name, addr, v, n);
	cleanup_free char *file = xasprintf("%s/%s.hosts", dir, name);
	cleanup_free char *tmp = xasprintf("%s/.%s.hosts", dir, name);
	cleanup_close int fd = -1;
	size_t len = strlen(text);

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, 0644) < 0 ||
	    rename(tmp, file) < 0) {
		int err = errno;

		unlink(tmp);
		return ct_fail(e, err, "write %s", file);
	}
	return 0;
}

int net_release(const char *dir, const struct net_bridge *b, const char *name, uint32_t addr,
		bool written, struct ct_err *e)
{
	cleanup_close int lock = net_lock(dir, false, e);
	cleanup_sock struct nl_sock *sk = NULL;
	char veth[NET_IFNAMSIZ];
	int rc = 0;

	if (lock < 0)
		return -1;
	sk = rt_sock(e);
	if (!sk)
		return -1;
	net_veth_name((long)getpid(), veth);
	if (link_delete(sk, veth, e) < 0)
		rc = -1;
	if (written) {
		cleanup_free char *hosts = xasprintf("%s/%s.hosts", dir, name);

		unlink(hosts);
	}
	if (addr) {
		char a[16];
		cleanup_free char *file = xasprintf("%s/%s/%s", dir, b->name, net_fmt(addr, a));

		unlink(file);
	}
	if (bridge_gc(dir, b->name, sk, e) < 0)
		rc = -1;
	return rc;
}

int net_enter(int nsfd, struct ct_err *e)
{
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return ct_fail(e, errno, "setns into the network namespace ctlaunch made");
	return 0;
}
