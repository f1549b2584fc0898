#include <string.h>

#include "host.h"
#include "t.h"

/* This CI machine's shape: v1 controllers each on their own, and a
 * cgroup2 mount at unified/ that carries none of them. */
static const char hybrid_mountinfo[] =
	"22 1 0:21 / / rw,relatime - ext4 /dev/vda rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char hybrid_cgroup[] =
	"9:name=systemd:/\n"
	"4:memory:/process_api/d883\n"
	"3:cpuset:/\n"
	"2:cpuacct:/\n"
	"1:cpu:/\n"
	"0::/\n";

TEST(parses_hybrid_host)
{
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, hybrid_mountinfo, &e) == 0);
	CHECK(host_parse_proc_cgroup(&h, hybrid_cgroup, &e) == 0);
	CHECK(h.layout == CG_HYBRID);
	CHECK_STR(h.ctrl[CTRL_CPU].mount, "/sys/fs/cgroup/cpu");
	CHECK_STR(h.ctrl[CTRL_CPU].own, "/");
	CHECK_STR(h.ctrl[CTRL_MEMORY].mount, "/sys/fs/cgroup/memory");
	CHECK_STR(h.ctrl[CTRL_MEMORY].own, "/process_api/d883");
	CHECK_STR(h.ctrl[CTRL_CPUSET].mount, "/sys/fs/cgroup/cpuset");
	/* The hierarchies no limit uses, each with our cgroup in it. */
	CHECK(h.n_hier == 3);
	CHECK_STR(h.hier[0].mount, "/sys/fs/cgroup/cpuacct");
	CHECK_STR(h.hier[0].data, "cpuacct");
	CHECK_STR(h.hier[1].mount, "/sys/fs/cgroup/systemd");
	CHECK_STR(h.hier[1].data, "name=systemd");
	CHECK_STR(h.hier[2].mount, "/sys/fs/cgroup/unified");
	CHECK(h.hier[2].data == NULL);
	CHECK_STR(h.hier[2].own, "/");
	host_free(&h);
}

/* Other hierarchies: joined controllers with a name, listed in another
 * order in /proc/self/cgroup; a second mount of one (a bind) is not a
 * hierarchy of its own; one we are not in is left out; a subtree mount
 * makes our cgroup relative to it. */
TEST(other_hierarchies)
{
	static const char mi[] =
		"31 30 0:28 / /sys/fs/cgroup/net rw - cgroup cgroup rw,net_cls,net_prio,name=n\n"
		"32 30 0:29 /lab /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
		"33 30 0:29 /lab /mnt/freezer rw - cgroup cgroup rw,freezer\n"
		"34 30 0:30 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n"
		"35 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"36 30 0:31 / /mnt/memory rw - cgroup cgroup rw,memory\n";
	static const char cg[] =
		"6:net_prio,net_cls,name=n:/a\n"
		"5:freezer:/lab/b\n"
		"4:memory:/\n";
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, mi, &e) == 0);
	CHECK(host_parse_proc_cgroup(&h, cg, &e) == 0);
	CHECK(h.n_hier == 2);
	CHECK_STR(h.hier[0].data, "net_cls,net_prio,name=n");
	CHECK_STR(h.hier[0].own, "/a");
	CHECK_STR(h.hier[1].mount, "/sys/fs/cgroup/freezer");
	CHECK_STR(h.hier[1].own, "/b");
	host_free(&h);
}

/* cpu and cpuacct joined in one hierarchy, as systemd mounts them; the
 * memory hierarchy mounted from a subtree (a cgroup namespace); a path
 * with an escaped space; no cgroup2 at all. */
TEST(joined_hierarchies_and_mount_roots)
{
	static const char mi[] =
		"31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
		"34 30 0:31 /lab /sys/fs/cgroup/mem\\040ory rw - cgroup cgroup rw,memory\n"
		"35 30 0:32 / /sys/fs/cgroup/cpuset rw shared:5 - cgroup cgroup rw,cpuset,clone_children\n";
	static const char cg[] =
		"5:cpu,cpuacct:/a:b\n"
		"4:memory:/lab/x\n"
		"3:cpuset:/\n";
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, mi, &e) == 0);
	CHECK(host_parse_proc_cgroup(&h, cg, &e) == 0);
	CHECK(h.layout == CG_V1);
	CHECK_STR(h.ctrl[CTRL_CPU].mount, "/sys/fs/cgroup/cpu,cpuacct");
	CHECK_STR(h.ctrl[CTRL_CPU].own, "/a:b");
	CHECK_STR(h.ctrl[CTRL_CPU].controllers, "cpu,cpuacct");
	CHECK_STR(h.ctrl[CTRL_CPUSET].controllers, "cpuset");
	CHECK_STR(h.ctrl[CTRL_MEMORY].mount, "/sys/fs/cgroup/mem ory");
	CHECK_STR(h.ctrl[CTRL_MEMORY].own, "/x");
	CHECK_STR(h.ctrl[CTRL_CPUSET].mount, "/sys/fs/cgroup/cpuset");
	CHECK_STR(h.ctrl[CTRL_CPUSET].own, "/");
	host_free(&h);
}

TEST(unified_and_none)
{
	static const char unified[] =
		"30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
	static const char none[] = "22 1 0:21 / / rw - ext4 /dev/vda rw\n";
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, unified, &e) == 0);
	CHECK(h.layout == CG_UNIFIED);
	host_free(&h);
	CHECK(host_parse_mountinfo(&h, none, &e) == 0);
	CHECK(h.layout == CG_NONE);
	host_free(&h);
}

TEST(controller_we_are_not_in_is_absent)
{
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, hybrid_mountinfo, &e) == 0);
	CHECK(host_parse_proc_cgroup(&h, "4:memory:/\n", &e) == 0);
	CHECK(h.ctrl[CTRL_MEMORY].mount != NULL);
	CHECK(h.ctrl[CTRL_CPU].mount == NULL && h.ctrl[CTRL_CPU].own == NULL);
	host_free(&h);
}

TEST(malformed_input_is_an_error)
{
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, "31 30 0:28 / /x\n", &e) == -1);
	CHECK_STR(e.msg, "/proc/self/mountinfo: unexpected line format");
	host_free(&h);
	CHECK(host_parse_proc_cgroup(&h, "garbage\n", &e) == -1);
	CHECK_STR(e.msg, "/proc/self/cgroup: unexpected line 'garbage'");
	host_free(&h);
}

/* A systemd v2 host: our place is the "0::" line, relative to the
 * mount's root (a cgroup namespace mounts a subtree as its /). */
TEST(unified_own_cgroup_and_controllers)
{
	static const char mi[] =
		"22 1 0:21 / / rw - ext4 /dev/vda rw\n"
		"30 22 0:27 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
	struct host h = { 0 };
	struct ct_err e = { 0 };

	CHECK(host_parse_mountinfo(&h, mi, &e) == 0);
	CHECK(host_parse_proc_cgroup(&h, "0::/user.slice/user-1000.slice/lab.scope\n", &e) == 0);
	CHECK(h.layout == CG_UNIFIED);
	CHECK_STR(h.cg_own, "/user-1000.slice/lab.scope");
	for (int c = 0; c < CTRL__N; c++) {
		CHECK_STR(h.ctrl[c].mount, "/sys/fs/cgroup");
		CHECK_STR(h.ctrl[c].own, "/user-1000.slice/lab.scope");
	}
	/* Only what our cgroup.controllers lists is usable. */
	host_v2_available(&h, "cpu io pids\n");
	CHECK(h.ctrl[CTRL_CPU].mount && h.ctrl[CTRL_PIDS].mount);
	CHECK(!h.ctrl[CTRL_MEMORY].mount && !h.ctrl[CTRL_CPUSET].mount);
	/* "cpu" is not "cpuset", nor the other way round. */
	host_v2_available(&h, "cpuset\n");
	CHECK(!h.ctrl[CTRL_CPU].mount && !h.ctrl[CTRL_PIDS].mount);
	host_free(&h);
}

TEST(subordinate_ranges)
{
	static const char text[] = "alice:100000:65536\n"
				   "bob:x:5\n"
				   "bob:4294967295:2\n"
				   "1000:200000:1000\n"
				   "bob:300000:10\n"
				   "carol:400000:0\n";
	struct id_range r;

	r = host_parse_subid(text, "alice", 1001);
	CHECK(r.start == 100000 && r.count == 65536);
	/* By uid when the name has none; malformed and overflowing lines
	 * are skipped, the first good one wins. */
	r = host_parse_subid(text, "dave", 1000);
	CHECK(r.start == 200000 && r.count == 1000);
	r = host_parse_subid(text, "bob", 1002);
	CHECK(r.start == 300000 && r.count == 10);
	r = host_parse_subid(text, "carol", 1003);
	CHECK(r.count == 0);
	r = host_parse_subid(text, NULL, 7);
	CHECK(r.count == 0);
	r = host_parse_subid("", "alice", 1);
	CHECK(r.count == 0);
}
