/* --export-oci's config.json, from plans of hand-built specs and hosts:
 * the resource values through the table's OCI fields on v1 and v2, the
 * user's capabilities, JSON escapes, the keys without an equivalent.
 * tests/integration/oci-diff.bats runs the configs with crun and runc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "oci.h"
#include "plan.h"
#include "t.h"

static const struct plan_opts no_opts;

/* The config of spec s on host h, as a string the caller frees; the
 * unmapped keys in unmapped. */
static char *config_of(const struct spec *s, const struct host *h, char *unmapped, size_t size)
{
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (plan_build(s, h, &no_opts, &p, &e) < 0)
		return xstrdup("(plan_build failed)");
	f = open_memstream(&text, &len);
	if (!f)
		return xstrdup("(open_memstream failed)");
	oci_config(&p, s, "/ctlaunch/web", f, unmapped, size);
	fclose(f);
	return text;
}

#define CHECK_HAS(text, want)                                                     \
	do {                                                                      \
		if (!strstr((text), (want))) {                                    \
			fprintf(stderr, "  %s:%d: no %s in the config\n", __FILE__, \
				__LINE__, (want));                                \
			t_failed_checks++;                                        \
		}                                                                 \
	} while (0)

TEST(oci_v1_resources)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	char unmapped[64];
	char *c;

	fake_spec(&s);
	fake_host_v1(&h);
	h.ctrl[CTRL_PIDS].mount = xstrdup("/sys/fs/cgroup/pids");
	h.ctrl[CTRL_PIDS].own = xstrdup("/");
	h.ctrl[CTRL_PIDS].controllers = xstrdup("pids");
	fake_limits(&s, 512);
	c = config_of(&s, &h, unmapped, sizeof unmapped);
	CHECK_HAS(c, "\"memory\": {\n        \"limit\": 67108864,\n        \"swap\": 67108864,\n"
		     "        \"kernelTCP\": 67108864\n");
	CHECK_HAS(c, "\"shares\": 512");
	CHECK_HAS(c, "\"period\": 100000");
	CHECK_HAS(c, "\"quota\": 150000");
	CHECK_HAS(c, "\"mems\": \"0\"");
	CHECK_HAS(c, "\"cpus\": \"1-2\"");
	CHECK_HAS(c, "\"pids\": {\n        \"limit\": 100\n");
	CHECK_HAS(c, "\"cgroupsPath\": \"/ctlaunch/web\"");
	CHECK(!strstr(c, "unified"));
	CHECK_STR(unmapped, "");
	free(c);
}

/* On v2 the weight ctlaunch computes, not the runtime's own mapping of
 * shares; the default pids limit where the controller is there. */
TEST(oci_v2_unified)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	char unmapped[64];
	char *c;

	fake_spec(&s);
	fake_host_v2(&h);
	fake_limits(&s, 512);
	s.res.has_pids = false;
	c = config_of(&s, &h, unmapped, sizeof unmapped);
	CHECK_HAS(c, "\"unified\": {\n        \"memory.swap.max\": \"0\",\n"
		     "        \"cpu.weight\": \"59\",\n        \"cpu.max\": \"150000 100000\"\n");
	CHECK_HAS(c, "\"limit\": 2048");
	CHECK(!strstr(c, "\"shares\""));
	CHECK(!strstr(c, "\"quota\""));
	free(c);
}

/* Another user than root starts with no effective or permitted
 * capabilities, as the run's user switch leaves it; its group is its
 * only supplementary one. */
TEST(oci_user_caps)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	char unmapped[64];
	char *c;

	fake_spec(&s);
	fake_host_v1(&h);
	s.user = xstrdup("1000:100");
	s.uid = 1000;
	s.gid = 100;
	c = config_of(&s, &h, unmapped, sizeof unmapped);
	CHECK_HAS(c, "\"uid\": 1000,\n      \"gid\": 100,\n      \"additionalGids\": [\n        100\n");
	CHECK_HAS(c, "\"bounding\": [\n        \"CAP_CHOWN\"");
	CHECK_HAS(c, "\"effective\": [],\n      \"permitted\": []");
	CHECK_HAS(c, "\"noNewPrivileges\": true");
	free(c);
}

/* JSON escapes in the environment and the command; init and
 * unsafe_paths named as keys without an OCI equivalent. */
TEST(oci_escapes_and_unmapped)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	static const char *const argv[] = { "/bin/sh", "-c", "echo \"a\\b\"\ttab\x01" };
	char unmapped[64];
	char *c;

	fake_spec(&s);
	fake_host_v1(&h);
	spec_set_command(&s, (char *const *)argv, 3);
	s.env = xcalloc(1, sizeof *s.env);
	s.env[0].key = xstrdup("GREETING");
	s.env[0].value = xstrdup("line\nnext \"quoted\" back\\slash");
	s.n_env = 1;
	s.init = s.has_init = true;
	s.unsafe_paths = true;
	c = config_of(&s, &h, unmapped, sizeof unmapped);
	CHECK_HAS(c, "\"GREETING=line\\nnext \\\"quoted\\\" back\\\\slash\"");
	CHECK_HAS(c, "\"echo \\\"a\\\\b\\\"\\ttab\\u0001\"");
	CHECK_STR(unmapped, "init, unsafe_paths");
	free(c);
}

/* A bridge and an overlay have no OCI equivalent: named, and the config
 * keeps the container off the host's network and off the bottom
 * layer's writes. */
TEST(oci_bridge_and_overlay)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	char unmapped[512];
	char *c;

	fake_spec(&s);
	fake_host_v1(&h);
	s.net.mode = NET_BRIDGE;
	strcpy(s.net.br.name, "lab0");
	s.net.br.subnet = 0x0a580000;
	s.net.br.prefix = 24;
	s.overlay = OVERLAY_TMPFS;
	c = config_of(&s, &h, unmapped, sizeof unmapped);
	CHECK_HAS(c, "\"type\": \"network\"");
	CHECK_HAS(c, "\"readonly\": true");
	CHECK(strstr(unmapped, "network (a bridge") != NULL);
	CHECK(strstr(unmapped, "rootfs.overlay") != NULL);
	CHECK(strstr(unmapped, "idmapped") == NULL);
	free(c);
}

/* userns: true with an overlay: the uid and gid maps are the config's,
 * the layers' idmap is not (OCI has none for the root): said. */
TEST(oci_userns_overlay_idmap_named)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	char unmapped[512];
	char *c;

	fake_spec(&s);
	fake_host_v1(&h);
	s.userns = true;
	s.overlay = OVERLAY_TMPFS;
	c = config_of(&s, &h, unmapped, sizeof unmapped);
	CHECK_HAS(c, "\"uidMappings\"");
	CHECK_HAS(c, "\"readonly\": true");
	CHECK(strstr(unmapped, "rootfs.overlay (the bundle's root is the bottom layer, read-only, "
			       "not idmapped: OCI has no idmap for the root)") != NULL);
	free(c);
}
