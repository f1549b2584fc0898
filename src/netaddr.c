/* Container networking as data: IPv4 addresses of a bridge's subnet,
 * the leases of its addresses, the container's /etc/hosts. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "util.h"

/* Four decimal numbers 0..255 and nothing else: no octal, no hex, no
 * shortened forms, which inet_aton would take and nobody means. */
bool net_parse_addr(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-(int)digits] == '0'))
			return false;
		a = a << 8 | v;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s)
		return false;
	*out = a;
	return true;
}

bool net_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix, bool *has_prefix)
{
	const char *slash = strchr(s, '/');
	char buf[16];
	char *end;
	unsigned long n;

	*has_prefix = slash != NULL;
	*prefix = 32;
	if (!slash)
		return net_parse_addr(s, addr);
	if ((size_t)(slash - s) >= sizeof buf || slash[1] < '0' || slash[1] > '9')
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	n = strtoul(slash + 1, &end, 10);
	if (*end || n > 32 || end - (slash + 1) > 2)
		return false;
	*prefix = (unsigned)n;
	return net_parse_addr(buf, addr);
}

uint32_t net_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
}

uint32_t net_gateway(const struct net_bridge *b)
{
	return b->subnet + 1;
}

const char *net_fmt(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

const char *net_addr_problem(const struct net_bridge *b, uint32_t addr, char *buf, size_t size)
{
	uint32_t mask = net_mask(b->prefix);

	if ((addr & mask) != b->subnet) {
		char net[16];

		snprintf(buf, size, "outside the subnet %s/%u", net_fmt(b->subnet, net), b->prefix);
	} else if (addr == b->subnet)
		snprintf(buf, size, "the subnet's network address");
	else if (addr == (b->subnet | ~mask))
		snprintf(buf, size, "the subnet's broadcast address");
	else if (addr == net_gateway(b))
		snprintf(buf, size, "the bridge's own address (the subnet's first)");
	else
		return NULL;
	return buf;
}

const char *net_ifname_problem(const char *name)
{
	if (!*name)
		return "empty";
	if (strlen(name) >= NET_IFNAMSIZ)
		return "longer than the kernel's 15 bytes for an interface name";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strpbrk(name, "/: \t\n"))
		return "not an interface name (no '/', ':' or space, not . or ..)";
	return NULL;
}

static bool used_by(uint32_t a, const uint32_t *used, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (used[i] == a)
			return true;
	return false;
}

uint32_t net_first_free(const struct net_bridge *b, const uint32_t *used, size_t n)
{
	uint32_t last = b->subnet | ~net_mask(b->prefix);
	char buf[64];

	for (uint32_t a = net_gateway(b) + 1; a < last; a++)
		if (!net_addr_problem(b, a, buf, sizeof buf) && !used_by(a, used, n))
			return a;
	return 0;
}

void net_lease_format(const struct net_lease *l, char *buf, size_t size)
{
	char a[16];

	snprintf(buf, size, "%ld %llu %s %s %s %s\n", l->pid, (unsigned long long)l->start,
		 net_fmt(l->addr, a), l->veth, l->name, l->hostname);
}

/* One word of text into out (size bytes with the NUL); false when it is
 * missing or longer. */
static bool word(const char **text, char *out, size_t size)
{
	size_t n = strcspn(*text, " \n");

	if (n == 0 || n >= size)
		return false;
	memcpy(out, *text, n);
	out[n] = '\0';
	*text += n;
	if (**text == ' ')
		(*text)++;
	return true;
}

bool net_lease_parse(const char *text, struct net_lease *l)
{
	char pid[24], start[24], addr[16];
	char *end;

	memset(l, 0, sizeof *l);
	if (!word(&text, pid, sizeof pid) || !word(&text, start, sizeof start) ||
	    !word(&text, addr, sizeof addr) || !word(&text, l->veth, sizeof l->veth) ||
	    !word(&text, l->name, sizeof l->name) || !word(&text, l->hostname, sizeof l->hostname))
		return false;
	if (strcmp(text, "\n") != 0 && *text)
		return false;
	l->pid = strtol(pid, &end, 10);
	if (*end || l->pid <= 0)
		return false;
	l->start = strtoull(start, &end, 10);
	if (*end)
		return false;
	return net_parse_addr(addr, &l->addr) && !net_ifname_problem(l->veth);
}

void net_veth_name(long pid, char *buf)
{
	snprintf(buf, NET_IFNAMSIZ, "ctv%ld", pid);
}

/* "ADDR\tNAME[ NAME2]\n", the second only when it differs. */
static char *append_host(char *text, uint32_t addr, const char *hostname, const char *name)
{
	char a[16];
	char *more = xasprintf("%s%s\t%s%s%s\n", text, net_fmt(addr, a), hostname,
			       strcmp(hostname, name) ? " " : "", strcmp(hostname, name) ? name : "");

	free(text);
	return more;
}

char *net_hosts_text(const char *hostname, const char *name, uint32_t addr,
		     const struct net_lease *peers, size_t n)
{
	char *text = xstrdup("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");

	text = append_host(text, addr, hostname, name);
	for (size_t i = 0; i < n; i++)
		if (peers[i].addr != addr)
			text = append_host(text, peers[i].addr, peers[i].hostname, peers[i].name);
	return text;
}
