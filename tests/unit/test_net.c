/* network: the subnet arithmetic, the leases' text and the first free
 * address, and the container's /etc/hosts (netaddr.c, pure). */
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "t.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

TEST(net_addresses)
{
	static const char *const bad[] = {
		"", "10.88.0", "10.88.0.0.1", "10.88.0.256", "010.88.0.1", "10.88.0.1 ", "0x0a.0.0.1",
		"10..0.1", "-1.0.0.0", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/x", "1.2.3.4/-1",
	};
	uint32_t a;
	unsigned prefix;
	bool has;

	CHECK(net_parse_addr("10.88.0.2", &a) && a == IP(10, 88, 0, 2));
	CHECK(net_parse_addr("0.0.0.0", &a) && a == 0);
	CHECK(net_parse_cidr("10.88.0.2/24", &a, &prefix, &has) && has && prefix == 24 &&
	      a == IP(10, 88, 0, 2));
	CHECK(net_parse_cidr("10.88.0.2", &a, &prefix, &has) && !has);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (net_parse_cidr(bad[i], &a, &prefix, &has)) {
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
			CHECK(!"a bad address accepted");
		}
	CHECK(net_mask(24) == IP(255, 255, 255, 0));
	CHECK(net_mask(0) == 0);
	CHECK(net_mask(32) == 0xffffffffu);
}

TEST(net_problems)
{
	struct net_bridge b = { .name = "lab0", .subnet = IP(10, 88, 0, 0), .prefix = 24 };
	char buf[128], s[16];

	CHECK(net_gateway(&b) == IP(10, 88, 0, 1));
	CHECK(!net_addr_problem(&b, IP(10, 88, 0, 2), buf, sizeof buf));
	CHECK(!net_addr_problem(&b, IP(10, 88, 0, 254), buf, sizeof buf));
	CHECK_STR(net_addr_problem(&b, IP(10, 88, 0, 0), buf, sizeof buf),
		  "the subnet's network address");
	CHECK_STR(net_addr_problem(&b, IP(10, 88, 0, 255), buf, sizeof buf),
		  "the subnet's broadcast address");
	CHECK(strstr(net_addr_problem(&b, IP(10, 88, 0, 1), buf, sizeof buf), "bridge"));
	CHECK_STR(net_addr_problem(&b, IP(10, 89, 0, 2), buf, sizeof buf),
		  "outside the subnet 10.88.0.0/24");
	CHECK_STR(net_fmt(IP(192, 168, 10, 254), s), "192.168.10.254");
	CHECK(!net_ifname_problem("lab0"));
	CHECK(!net_ifname_problem("123456789012345"));
	CHECK(net_ifname_problem("1234567890123456"));
	CHECK(net_ifname_problem(""));
	CHECK(net_ifname_problem("a/b"));
	CHECK(net_ifname_problem(".."));
	CHECK(net_ifname_problem("a b"));
}

TEST(net_lease_pick)
{
	struct net_bridge b = { .name = "lab0", .subnet = IP(10, 88, 0, 0), .prefix = 24 };
	struct net_bridge tiny = { .name = "lab0", .subnet = IP(10, 88, 0, 0), .prefix = 30 };
	uint32_t used[3] = { IP(10, 88, 0, 2), IP(10, 88, 0, 4) };
	uint32_t all[256];

	CHECK(net_first_free(&b, NULL, 0) == IP(10, 88, 0, 2));
	CHECK(net_first_free(&b, used, 1) == IP(10, 88, 0, 3));
	CHECK(net_first_free(&b, used, 2) == IP(10, 88, 0, 3));
	used[2] = IP(10, 88, 0, 3);
	CHECK(net_first_free(&b, used, 3) == IP(10, 88, 0, 5));
	/* /30: the network, the bridge, one container, the broadcast. */
	CHECK(net_first_free(&tiny, NULL, 0) == IP(10, 88, 0, 2));
	CHECK(net_first_free(&tiny, used, 1) == 0);
	for (unsigned i = 0; i < 256; i++)
		all[i] = IP(10, 88, 0, i);
	CHECK(net_first_free(&b, all, 256) == 0);
	CHECK(net_first_free(&b, all, 200) == IP(10, 88, 0, 200));
}

TEST(net_leases)
{
	struct net_lease l = { .pid = 4242, .start = 123456789, .addr = IP(10, 88, 0, 7) }, back;
	char line[256];
	static const char *const bad[] = {
		"", "1 2 10.88.0.2 ctv1 a\n", "x 2 10.88.0.2 ctv1 a a\n", "1 x 10.88.0.2 ctv1 a a\n",
		"1 2 10.88.0 ctv1 a a\n", "0 2 10.88.0.2 ctv1 a a\n", "1 2 10.88.0.2 ctv1 a a b\n",
		"1 2 10.88.0.2 veth-name-too-long a a\n",
	};

	net_veth_name(l.pid, l.veth);
	CHECK_STR(l.veth, "ctv4242");
	strcpy(l.name, "server");
	strcpy(l.hostname, "srv");
	net_lease_format(&l, line, sizeof line);
	CHECK_STR(line, "4242 123456789 10.88.0.7 ctv4242 server srv\n");
	CHECK(net_lease_parse(line, &back));
	CHECK(back.pid == 4242 && back.start == 123456789 && back.addr == l.addr);
	CHECK_STR(back.veth, "ctv4242");
	CHECK_STR(back.name, "server");
	CHECK_STR(back.hostname, "srv");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (net_lease_parse(bad[i], &back)) {
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
			CHECK(!"a bad lease accepted");
		}
}

TEST(net_hosts_file)
{
	struct net_lease peers[2] = {
		{ .addr = IP(10, 88, 0, 2), .name = "server", .hostname = "server" },
		{ .addr = IP(10, 88, 0, 3), .name = "client", .hostname = "cl" },
	};
	char *text = net_hosts_text("cl", "client", IP(10, 88, 0, 3), peers, 2);

	CHECK_STR(text, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			"10.88.0.3\tcl client\n10.88.0.2\tserver\n");
	free(text);
}
