#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "spec.h"
#include "t.h"

/* Specs are written to a private directory and loaded from inside it,
 * so the messages name "lab.yaml" whatever the directory is. */
static char tmpdir[] = "/tmp/ctlaunch-unit.XXXXXX";
static bool tmpdir_made;

static void in_tmp(int *back)
{
	/* A flag, not a look at the name: mkdtemp may well end it in 'X'
	 * (one time in 62), and a second mkdtemp of that fails. */
	if (!tmpdir_made && !mkdtemp(tmpdir))
		abort();
	tmpdir_made = true;
	*back = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*back < 0 || chdir(tmpdir) < 0)
		abort();
}

static void out_of_tmp(int back)
{
	if (fchdir(back) < 0)
		abort();
	close(back);
}

static void write_file(const char *name, const char *text, size_t len)
{
	FILE *f = fopen(name, "w");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		abort();
}

/* The diags, one per line, into buf. */
static void join_diags(const struct ct_diags *d, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "\n" : "", d->v[i]);
}

/* Write text as name and load it from inside the directory. */
static int load_as(const char *name, const char *text, size_t len, struct spec *s,
		   char *buf, size_t size)
{
	struct ct_diags d = { 0 };
	int back, rc;

	in_tmp(&back);
	write_file(name, text, len);
	rc = spec_load(name, s, &d);
	out_of_tmp(back);
	join_diags(&d, buf, size);
	ct_diags_free(&d);
	return rc;
}

static int load_n(const char *text, size_t len, struct spec *s, char *buf, size_t size)
{
	return load_as("lab.yaml", text, len, s, buf, size);
}

static int load(const char *text, struct spec *s, char *buf, size_t size)
{
	return load_n(text, strlen(text), s, buf, size);
}

/* The errors a bad spec gives, one per line; the spec is left empty. */
static void refused_n(const char *text, size_t len, const char *want)
{
	struct spec s = { 0 };
	static const struct spec empty;
	char got[4096];

	CHECK(load_n(text, len, &s, got, sizeof got) == -1);
	CHECK_STR(got, want);
	CHECK(memcmp(&s, &empty, sizeof s) == 0);
}

static void refused(const char *text, const char *want)
{
	refused_n(text, strlen(text), want);
}

TEST(every_key)
{
	cleanup_spec struct spec s = { 0 };
	char diags[4096];

	CHECK(load("name: web\n"
		   "rootfs: ./rootfs\n"
		   "hostname: lab1\n"
		   "command: [\"/bin/sh\", \"-c\", \"echo hi\"]\n"
		   "env:\n"
		   "  GREETING: hello\n"
		   "  N: 42\n"
		   "workdir: /tmp\n"
		   "resources:\n"
		   "  memory: 64M\n"
		   "  cpu_shares: 512\n"
		   "  cpuset:\n"
		   "    cpus: \"0-1\"\n"
		   "    mems: 0\n",
		   &s, diags, sizeof diags) == 0);
	CHECK_STR(diags, "");
	CHECK_STR(s.file, "lab.yaml");
	CHECK_STR(s.dir, ".");
	CHECK_STR(s.name, "web");
	CHECK(s.name_at.line == 1 && s.name_at.col == 7);
	CHECK_STR(s.rootfs, "././rootfs");
	CHECK(s.rootfs_at.line == 2 && s.rootfs_at.col == 9);
	CHECK_STR(s.hostname, "lab1");
	CHECK(s.hostname_at.line == 3 && s.hostname_at.col == 11);
	CHECK(s.argc == 3 && !s.shell_form && s.argv[3] == NULL);
	CHECK_STR(s.argv[0], "/bin/sh");
	CHECK_STR(s.argv[2], "echo hi");
	CHECK(s.command_at.line == 4 && s.command_at.col == 10);
	CHECK(s.n_env == 2);
	CHECK_STR(s.env[0].key, "GREETING");
	CHECK_STR(s.env[0].value, "hello");
	CHECK_STR(s.env[1].key, "N");
	CHECK_STR(s.env[1].value, "42");
	CHECK(s.env[1].at.line == 7 && s.env[1].at.col == 6);
	CHECK_STR(s.workdir, "/tmp");
	CHECK(s.workdir_at.line == 8 && s.workdir_at.col == 10);
	CHECK(s.res.has_memory && s.res.memory == 64ULL << 20);
	CHECK(s.res.memory_at.line == 10 && s.res.memory_at.col == 11);
	CHECK(s.res.has_cpu_shares && s.res.cpu_shares == 512);
	CHECK(s.res.cpu_shares_at.line == 11 && s.res.cpu_shares_at.col == 15);
	CHECK(s.res.has_cpus && s.res.has_mems);
	CHECK(s.res.cpus_at.line == 13 && s.res.cpus_at.col == 11);
	CHECK(s.res.mems_at.line == 14 && s.res.mems_at.col == 11);
	CHECK(s.res.cpus.bits[0] == 3 && s.res.mems.bits[0] == 1);
}

TEST(defaults_and_shell_form)
{
	cleanup_spec struct spec s = { 0 };
	char diags[4096];

	CHECK(load("rootfs: /srv/root\ncommand: echo $HOME\n", &s, diags, sizeof diags) == 0);
	CHECK_STR(s.name, "lab");
	CHECK(s.name_at.line == 0);
	CHECK_STR(s.rootfs, "/srv/root");
	CHECK(s.hostname == NULL && s.workdir == NULL && s.n_env == 0);
	CHECK(s.shell_form && s.argc == 3 && s.argv[3] == NULL);
	CHECK_STR(s.argv[0], "/bin/sh");
	CHECK_STR(s.argv[1], "-c");
	CHECK_STR(s.argv[2], "echo $HOME");
	CHECK(!s.res.has_memory && !s.res.has_cpus && !s.res.has_mems && !s.res.has_cpu_shares);
	CHECK(s.no_new_privileges);
	spec_free(&s);

	/* No command: main may take one from after "--". */
	CHECK(load("rootfs: r\n", &s, diags, sizeof diags) == 0);
	CHECK(s.argv == NULL && s.argc == 0);
}

/* Scalars are taken as written: YAML's numbers and booleans are text. */
TEST(scalars_as_written)
{
	cleanup_spec struct spec s = { 0 };
	char diags[4096];

	CHECK(load("rootfs: r\nhostname: \"null\"\n"
		   "env: {A: 042, B: yes, C: 1.50, D: \"a b\", E: '', F: ~x}\n"
		   "resources: {memory: 1g, cpu_shares: \"2\", cpuset: {cpus: 0-3}}\n",
		   &s, diags, sizeof diags) == 0);
	CHECK_STR(diags, "");
	CHECK_STR(s.hostname, "null");
	CHECK(s.n_env == 6);
	if (s.n_env == 6) {
		CHECK_STR(s.env[0].value, "042");
		CHECK_STR(s.env[1].value, "yes");
		CHECK_STR(s.env[2].value, "1.50");
		CHECK_STR(s.env[3].value, "a b");
		CHECK_STR(s.env[4].value, "");
		CHECK_STR(s.env[5].value, "~x");
	}
	CHECK(s.res.memory == 1ULL << 30 && s.res.cpu_shares == 2 && s.res.cpus.bits[0] == 15);
}

/* JSON is YAML: a generated spec with quoted keys is read as well. */
TEST(json_spec)
{
	cleanup_spec struct spec s = { 0 };
	char diags[4096];

	CHECK(load("{\"rootfs\": \"/r\", \"command\": [\"/bin/true\"], \"env\": {\"A\": \"1\"}}\n",
		   &s, diags, sizeof diags) == 0);
	CHECK_STR(diags, "");
	CHECK(s.argc == 1 && s.n_env == 1);
	CHECK_STR(s.rootfs, "/r");
}

TEST(name_from_the_file_name)
{
	cleanup_spec struct spec s = { 0 };
	char diags[4096];

	CHECK(load_as("my-lab.v2.yml", "rootfs: r\n", 10, &s, diags, sizeof diags) == 0);
	CHECK_STR(s.name, "my-lab.v2");
	spec_free(&s);
	CHECK(load_as("web.yaml", "rootfs: r\n", 10, &s, diags, sizeof diags) == 0);
	CHECK_STR(s.name, "web");
	spec_free(&s);
	CHECK(load_as("noext", "rootfs: r\n", 10, &s, diags, sizeof diags) == 0);
	CHECK_STR(s.name, "noext");
	spec_free(&s);
	/* A name in the spec wins over an unusable file name. */
	CHECK(load_as("my lab.yaml", "name: ok\nrootfs: r\n", 19, &s, diags, sizeof diags) == 0);
	CHECK_STR(s.name, "ok");
	spec_free(&s);
	CHECK(load_as("my lab.yaml", "rootfs: r\n", 10, &s, diags, sizeof diags) == -1);
	CHECK_STR(diags, "my lab.yaml: name: 'my lab' (from the file name) is not a valid name; set name: in the spec");
}

/* A relative rootfs is relative to the spec's directory, lexically. */
TEST(rootfs_relative_to_the_spec)
{
	cleanup_spec struct spec s = { 0 };
	struct ct_diags d = { 0 };
	char *abs = NULL;
	int back;

	in_tmp(&back);
	CHECK(mkdir("sub", 0700) == 0);
	write_file("sub/lab.yaml", "rootfs: ../r\n", 13);
	CHECK(spec_load("sub/lab.yaml", &s, &d) == 0);
	CHECK_STR(s.dir, "sub");
	CHECK_STR(s.rootfs, "sub/../r");
	CHECK_STR(s.name, "lab");
	spec_free(&s);
	write_file("sub/abs.yaml", "rootfs: /srv/r\n", 15);
	CHECK(spec_load("sub/abs.yaml", &s, &d) == 0);
	CHECK_STR(s.rootfs, "/srv/r");
	spec_free(&s);
	abs = malloc(sizeof tmpdir + 16);
	snprintf(abs, sizeof tmpdir + 16, "%s/sub/lab.yaml", tmpdir);
	CHECK(spec_load(abs, &s, &d) == 0);
	CHECK_STR(s.file, abs);
	snprintf(abs, sizeof tmpdir + 16, "%s/sub/../r", tmpdir);
	CHECK_STR(s.rootfs, abs);
	free(abs);
	out_of_tmp(back);
	CHECK(d.n == 0);
	ct_diags_free(&d);
}

TEST(overrides)
{
	cleanup_spec struct spec s = { 0 };
	struct ct_err e = { 0 };
	char diags[256];
	char *argv[] = { "ls", "-l" };

	CHECK(load("rootfs: r\ncommand: echo\n", &s, diags, sizeof diags) == 0);
	CHECK(s.shell_form);
	spec_set_command(&s, argv, 2);
	CHECK(s.argc == 2 && !s.shell_form && s.argv[2] == NULL);
	CHECK(s.argv[0] != argv[0]);
	CHECK_STR(s.argv[1], "-l");
	CHECK(spec_set_name(&s, "other", &e) == 0);
	CHECK_STR(s.name, "other");
	CHECK(s.name_at.line == 0);
	CHECK(spec_set_name(&s, "..", &e) == -1);
	CHECK_STR(e.msg, "--name: invalid name '..' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)");
	CHECK(spec_set_name(&s, "a/b", &e) == -1);
	CHECK_STR(e.msg, "--name: invalid name 'a/b' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)");
	CHECK_STR(s.name, "other");
	CHECK(!spec_name_valid("") && !spec_name_valid(".") && !spec_name_valid("a/b"));
	CHECK(!spec_name_valid("x\n") && spec_name_valid("...") && spec_name_valid("A_b-1.2"));
	CHECK(spec_name_valid("1234567890123456789012345678901234567890123456789012345678901234"));
	CHECK(!spec_name_valid("12345678901234567890123456789012345678901234567890123456789012345"));
}

TEST(free_is_safe)
{
	struct spec s = { 0 };
	char diags[256];

	spec_free(NULL);
	spec_free(&s);
	CHECK(load("rootfs: r\ncommand: [a]\nenv: {A: b}\n", &s, diags, sizeof diags) == 0);
	spec_free(&s);
	CHECK(s.file == NULL && s.argv == NULL && s.env == NULL && s.n_env == 0);
	spec_free(&s);
}

TEST(value_errors)
{
	refused("rootfs: r\nresources:\n  memory: lots\n",
		"lab.yaml:3:11: resources.memory: invalid size 'lots' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: -1\n",
		"lab.yaml:3:11: resources.memory: invalid size '-1' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: 1.5G\n",
		"lab.yaml:3:11: resources.memory: invalid size '1.5G' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: 64MB\n",
		"lab.yaml:3:11: resources.memory: invalid size '64MB' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: 100\n",
		"lab.yaml:3:11: resources.memory: 100 is too small (expected at least 4K)");
	refused("rootfs: r\nresources:\n  memory: 4095\n",
		"lab.yaml:3:11: resources.memory: 4095 is too small (expected at least 4K)");
	refused("rootfs: r\nresources:\n  memory: 0K\n",
		"lab.yaml:3:11: resources.memory: 0K is too small (expected at least 4K)");
	refused("rootfs: r\nresources:\n  cpu_shares: 1\n",
		"lab.yaml:3:15: resources.cpu_shares: invalid value '1' (expected an integer from 2 to 262144)");
	refused("rootfs: r\nresources:\n  cpu_shares: 262145\n",
		"lab.yaml:3:15: resources.cpu_shares: invalid value '262145' (expected an integer from 2 to 262144)");
	refused("rootfs: r\nresources:\n  cpuset: {cpus: \"0-\"}\n",
		"lab.yaml:3:18: resources.cpuset.cpus: invalid CPU list '0-' (expected the kernel list format, e.g. 0-3,5)");
	refused("rootfs: r\nresources:\n  cpuset: {cpus: x}\n",
		"lab.yaml:3:18: resources.cpuset.cpus: invalid CPU list 'x' (expected the kernel list format, e.g. 0-3,5)");
	refused("rootfs: r\nresources:\n  cpuset: {mems: \"a\"}\n",
		"lab.yaml:3:18: resources.cpuset.mems: invalid memory node list 'a' (expected the kernel list format, e.g. 0-1)");
	refused("rootfs: r\nhostname: a/b\n",
		"lab.yaml:2:11: hostname: invalid host name 'a/b' (expected 1 to 64 bytes without /)");
	refused("rootfs: r\nhostname: 12345678901234567890123456789012345678901234567890123456789012345\n",
		"lab.yaml:2:11: hostname: invalid host name '12345678901234567890123456789012345678901234567890123456789012345' (expected 1 to 64 bytes without /)");
	refused("rootfs: r\nhostname: ''\n",
		"lab.yaml:2:11: hostname: invalid host name '' (expected 1 to 64 bytes without /)");
	refused("rootfs: r\nname: ..\n",
		"lab.yaml:2:7: name: invalid name '..' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)");
	refused("rootfs: r\nworkdir: tmp\n",
		"lab.yaml:2:10: workdir: 'tmp' is not an absolute path (expected a path starting with /)");
	refused("rootfs: r\ncommand: []\n",
		"lab.yaml:2:10: command: empty (expected a program and its arguments)");
	refused("rootfs: r\ncommand: ''\n", "lab.yaml:2:10: command: empty (expected a command line)");
	refused("rootfs: r\ncommand: [\"\", x]\n",
		"lab.yaml:2:11: command[0]: empty (expected the program to run)");
	refused("rootfs: r\ncommand: [sh, {a: 1}, ~]\n",
		"lab.yaml:2:15: command[1]: expected a string, got a mapping\n"
		"lab.yaml:2:23: command[2]: expected a string, got null");
	refused("rootfs: r\nenv:\n  1X: y\n",
		"lab.yaml:3:3: env.1X: invalid variable name (expected letters, digits and _, not starting with a digit)");
	refused("rootfs: r\nenv:\n  A=B: y\n",
		"lab.yaml:3:3: env.A=B: invalid variable name (expected letters, digits and _, not starting with a digit)");
	refused("rootfs: r\nenv:\n  \"\": y\n",
		"lab.yaml:3:3: env.: invalid variable name (expected letters, digits and _, not starting with a digit)");
	refused("rootfs: r\nenv:\n  X:\n", "lab.yaml:3:5: env.X: expected a string, got null");
	refused("rootfs: r\nenv:\n  X: [1]\n", "lab.yaml:3:6: env.X: expected a string, got a sequence");
	refused("rootfs: ''\n",
		"lab.yaml:1:9: rootfs: empty (expected the path of the container's root directory)");
}

/* Plain empty, ~, null, Null and NULL are YAML's null; quoted, text. */
TEST(nulls)
{
	static const char *const forms[] = { "", "~", "null", "Null", "NULL" };
	char text[64], want[128];

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		snprintf(text, sizeof text, "rootfs: r\nhostname: %s\n", forms[i]);
		snprintf(want, sizeof want, "lab.yaml:2:%d: hostname: expected a string, got null",
			 *forms[i] ? 11 : 10);
		refused(text, want);
	}
	refused("rootfs:\n", "lab.yaml:1:8: rootfs: expected a string, got null");
	refused("rootfs: r\ncommand: ~\n",
		"lab.yaml:2:10: command: expected a sequence or a string, got null");
	refused("rootfs: r\nresources: ~\n", "lab.yaml:2:12: resources: expected a mapping, got null");
}

TEST(structure_errors)
{
	refused("command: [x]\n",
		"lab.yaml:1:1: rootfs: missing (expected the path of the container's root directory)");
	refused("rootfs: r\nfoo: 1\n",
		"lab.yaml:2:1: foo: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources, user, readonly_rootfs, unsafe_paths, mounts, capabilities, no_new_privileges, rlimits, seccomp, userns, tty, init, network)");
	refused("rootfs: r\nresources:\n  foo: 1\n",
		"lab.yaml:3:3: resources.foo: unknown key (expected one of memory, cpu_shares, cpuset, pids, cpus)");
	refused("rootfs: r\nresources:\n  cpuset:\n    cpu: 1\n",
		"lab.yaml:4:5: resources.cpuset.cpu: unknown key (expected one of cpus, mems)");
	refused("rootfs: r\nname: a\nname: b\n", "lab.yaml:3:1: name: duplicate key (first at line 2)");
	refused("rootfs: r\nresources:\n  memory: 4K\n  memory: 8K\n",
		"lab.yaml:4:3: resources.memory: duplicate key (first at line 3)");
	refused("rootfs: r\nenv:\n  A: 1\n  B: 2\n  A: 3\n",
		"lab.yaml:5:3: env.A: duplicate key (first at line 3)");
	refused("foo: 1\nrootfs: r\nfoo: 2\n",
		"lab.yaml:1:1: foo: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources, user, readonly_rootfs, unsafe_paths, mounts, capabilities, no_new_privileges, rlimits, seccomp, userns, tty, init, network)\n"
		"lab.yaml:3:1: foo: duplicate key (first at line 1)");
	refused("rootfs: r\nresources: [1]\n",
		"lab.yaml:2:12: resources: expected a mapping, got a sequence");
	refused("rootfs: {a: 1}\n", "lab.yaml:1:10: rootfs.a: unknown key (expected one of path, overlay, size)");
	refused("rootfs: [a]\n",
		"lab.yaml:1:9: rootfs: expected a path, or a mapping with path: and overlay:, got a sequence");
	refused("rootfs: r\nresources: {cpuset: {cpus: [0]}}\n",
		"lab.yaml:2:28: resources.cpuset.cpus: expected a string, got a sequence");
	refused("rootfs: r\nenv: [A=1]\n", "lab.yaml:2:6: env: expected a mapping, got a sequence");
	refused("rootfs: r\n[a]: b\n", "lab.yaml:2:1: a key must be a string, not a sequence");
	refused("? {a: 1}\n: b\nrootfs: r\n", "lab.yaml:1:3: a key must be a string, not a mapping");
	refused("~: x\nrootfs: r\n", "lab.yaml:1:1: a key must be a string, not null");
	refused("rootfs: r\nenv:\n  ? [A]\n  : 1\n",
		"lab.yaml:3:5: env: a key must be a string, not a sequence");
	refused("- a\n", "lab.yaml:1:1: expected a mapping, got a sequence");
	refused("hello\n", "lab.yaml:1:1: expected a mapping, got a string");
	refused("", "lab.yaml: empty (expected a mapping with at least rootfs:)");
	refused("# only a comment\n\n", "lab.yaml: empty (expected a mapping with at least rootfs:)");
	refused("---\n", "lab.yaml: empty (expected a mapping with at least rootfs:)");
	refused("rootfs: !!str r\n", "lab.yaml:1:9: tags are not supported");
	refused("rootfs: !foo r\n", "lab.yaml:1:9: tags are not supported");
	refused("rootfs: r\nresources: !!map\n  memory: 4K\n", "lab.yaml:2:12: tags are not supported");
	refused("rootfs: r\ncommand: [a\n",
		"lab.yaml:3:1: did not find expected ',' or ']' while parsing a flow sequence");
	refused("rootfs: r\n\tx: 1\n",
		"lab.yaml:2:1: found a tab character that violates indentation while scanning a plain scalar");
}

TEST(every_problem_in_one_run)
{
	refused("name: a/b\nrootfs: r\nbogus: 1\nenv: {A: [x], 2: y}\n"
		"resources:\n  memory: x\n  cpu_shares: 0\n  cpuset: {cpus: 9999, mems: ''}\n",
		"lab.yaml:1:7: name: invalid name 'a/b' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)\n"
		"lab.yaml:3:1: bogus: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources, user, readonly_rootfs, unsafe_paths, mounts, capabilities, no_new_privileges, rlimits, seccomp, userns, tty, init, network)\n"
		"lab.yaml:4:10: env.A: expected a string, got a sequence\n"
		"lab.yaml:4:15: env.2: invalid variable name (expected letters, digits and _, not starting with a digit)\n"
		"lab.yaml:6:11: resources.memory: invalid size 'x' (expected bytes or a number with K, M, G or T)\n"
		"lab.yaml:7:15: resources.cpu_shares: invalid value '0' (expected an integer from 2 to 262144)\n"
		"lab.yaml:8:18: resources.cpuset.cpus: invalid CPU list '9999' (expected the kernel list format, e.g. 0-3,5)\n"
		"lab.yaml:8:30: resources.cpuset.mems: invalid memory node list '' (expected the kernel list format, e.g. 0-1)");
}

/* Many keys, some repeated: each repeat names its first line. */
TEST(many_keys)
{
	size_t size = 16 * 3000 + 64, n = 0;
	char *text = malloc(size), got[512];
	cleanup_spec struct spec s = { 0 };
	struct ct_diags d = { 0 };
	int back;

	n += (size_t)snprintf(text + n, size - n, "rootfs: r\nenv:\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(text + n, size - n, "  K%d: v\n", i % 1000 == 999 ? 7 : i);
	in_tmp(&back);
	write_file("many.yaml", text, n);
	CHECK(spec_load("many.yaml", &s, &d) == -1);
	out_of_tmp(back);
	join_diags(&d, got, sizeof got);
	CHECK_STR(got, "many.yaml:1002:3: env.K7: duplicate key (first at line 10)\n"
		       "many.yaml:2002:3: env.K7: duplicate key (first at line 10)\n"
		       "many.yaml:3002:3: env.K7: duplicate key (first at line 10)");
	ct_diags_free(&d);
	free(text);
}

TEST(hostile_input)
{
	refused("rootfs: &a r\n", "lab.yaml:1:9: aliases and anchors are not supported");
	refused("rootfs: *a\n", "lab.yaml:1:9: aliases and anchors are not supported");
	/* Billion laughs: refused at the first anchor, nothing expanded. */
	refused("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
		"lab.yaml:1:4: aliases and anchors are not supported");
	refused("rootfs: r\n---\nrootfs: s\n", "lab.yaml:2:1: more than one YAML document");
	refused("---\nrootfs: r\n...\n---\nrootfs: s\n", "lab.yaml:4:1: more than one YAML document");
	refused_n("rootfs: r\0x\n", 12, "lab.yaml:1:10: NUL byte in spec");
	refused("rootfs: r\nname: \"x\\0y\"\n", "lab.yaml:2:7: NUL character in a quoted string");
	refused("rootfs: r\nenv: {A: \"\\u0000\"}\n", "lab.yaml:2:10: NUL character in a quoted string");
	refused("rootfs: r\n\nname: a\x01z\n", "lab.yaml:3:8: control character U+0001 in spec");
	refused("rootfs: r\nname: \xc2\x9b\n", "lab.yaml:2:7: control character U+009B in spec");
	refused("rootfs: r\nname: \xc3\x28\n", "lab.yaml:2:7: invalid UTF-8");
	refused("name: \xc0\xaf\n", "lab.yaml:1:7: invalid UTF-8");          /* overlong '/' */
	refused("name: \xe0\x80\xaf\n", "lab.yaml:1:7: invalid UTF-8");      /* overlong, 3 bytes */
	refused("name: \xed\xa0\x80\n", "lab.yaml:1:7: invalid UTF-8");      /* a surrogate */
	refused("name: \xf4\x90\x80\x80\n", "lab.yaml:1:7: invalid UTF-8");  /* > U+10FFFF */
	refused("name: \xe2\x82\n", "lab.yaml:1:7: invalid UTF-8");          /* cut short */
	refused("name: \xff\n", "lab.yaml:1:7: invalid UTF-8");
	/* Lines and columns as libyaml counts them: characters, CR LF as
	 * one break, a byte order mark not at all. */
	refused("rootfs: r\r\nhostname: \"\xc3\xa9\xe2\x82\xac\" \xff\r\n", "lab.yaml:2:16: invalid UTF-8");
	refused("\xef\xbb\xbfrootfs: \x01\n", "lab.yaml:1:9: control character U+0001 in spec");
	refused("rootfs: r\r\nresources:\r\n  memory: lots\r\n",
		"lab.yaml:3:11: resources.memory: invalid size 'lots' (expected bytes or a number with K, M, G or T)");
}

TEST(too_deep)
{
	char text[65 * 68 + 1];
	size_t n = 0;

	/* 64 levels are fine as far as depth goes. */
	n = (size_t)snprintf(text, sizeof text, "rootfs: r\nx: ");
	for (int i = 0; i < 63; i++)
		text[n++] = '[';
	for (int i = 0; i < 63; i++)
		text[n++] = ']';
	text[n] = '\0';
	refused(text, "lab.yaml:2:1: x: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources, user, readonly_rootfs, unsafe_paths, mounts, capabilities, no_new_privileges, rlimits, seccomp, userns, tty, init, network)");

	/* 65 flow sequences: refused at the one too many. */
	for (n = 0; n < 65; n++)
		text[n] = '[';
	text[n] = '\0';
	refused(text, "lab.yaml:1:65: nested deeper than 64 levels");

	/* 65 block mappings: the 65th starts at line 65, column 65. */
	n = 0;
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%*sk:\n", i, "");
	refused(text, "lab.yaml:65:65: nested deeper than 64 levels");
}

TEST(size_limit)
{
	cleanup_spec struct spec s = { 0 };
	char *big = malloc(SPEC_MAX_FILE + 1), got[256];

	/* Exactly 1 MiB is still a spec. */
	memset(big, '#', SPEC_MAX_FILE);
	memcpy(big, "rootfs: r\n", 10);
	big[SPEC_MAX_FILE - 1] = '\n';
	CHECK(load_n(big, SPEC_MAX_FILE, &s, got, sizeof got) == 0);
	CHECK_STR(got, "");
	big[SPEC_MAX_FILE] = '\n';
	refused_n(big, SPEC_MAX_FILE + 1, "lab.yaml: larger than 1 MiB (a spec is a small text file)");
	free(big);
}

TEST(not_a_file)
{
	struct spec s = { 0 };
	struct ct_diags d = { 0 };
	char got[512];
	int back;

	/* A FIFO must be refused at once, not read (which would hang). */
	in_tmp(&back);
	CHECK(mkfifo("fifo.yaml", 0600) == 0);
	CHECK(spec_load("fifo.yaml", &s, &d) == -1);
	CHECK(spec_load("missing.yaml", &s, &d) == -1);
	CHECK(spec_load(".", &s, &d) == -1);
	CHECK(spec_load("/dev/null", &s, &d) == -1);
	out_of_tmp(back);
	join_diags(&d, got, sizeof got);
	CHECK_STR(got, "fifo.yaml: not a regular file\n"
		       "missing.yaml: No such file or directory\n"
		       ".: not a regular file\n"
		       "/dev/null: not a regular file");
	CHECK(s.file == NULL);
	ct_diags_free(&d);
}

/* Root reads a file whatever its mode: only checked as someone else. */
TEST(unreadable)
{
	struct spec s = { 0 };
	struct ct_diags d = { 0 };
	int back;

	if (geteuid() == 0)
		return;
	in_tmp(&back);
	write_file("secret.yaml", "rootfs: r\n", 10);
	CHECK(chmod("secret.yaml", 0) == 0);
	CHECK(spec_load("secret.yaml", &s, &d) == -1);
	out_of_tmp(back);
	CHECK(d.n == 1);
	if (d.n == 1)
		CHECK_STR(d.v[0], "secret.yaml: Permission denied");
	ct_diags_free(&d);
}

TEST(hardening_keys)
{
	static const struct {
		const char *cpus;
		uint64_t quota;
	} quotas[] = {
		{ "0.5", 50000 }, { "1.25", 125000 }, { "2", 200000 }, { "0.01", 1000 },
		{ "0.00001", 1 }, { "3.14159", 314159 },
	};
	char text[512], diags[4096];

	for (size_t i = 0; i < sizeof quotas / sizeof quotas[0]; i++) {
		struct spec s;

		snprintf(text, sizeof text, "rootfs: r\nresources:\n  cpus: %s\n", quotas[i].cpus);
		if (quotas[i].quota < 1000) {
			CHECK(load(text, &s, diags, sizeof diags) == -1);
			continue;
		}
		CHECK(load(text, &s, diags, sizeof diags) == 0);
		CHECK(s.res.has_cpu_quota && s.res.cpu_quota_us == quotas[i].quota);
		spec_free(&s);
	}
	{
		cleanup_spec struct spec s;

		CHECK(load("rootfs: r\n"
			   "user: lab:100\n"
			   "readonly_rootfs: true\n"
			   "no_new_privileges: False\n"
			   "mounts:\n"
			   "  - {type: bind, source: data, target: /data, readonly: true}\n"
			   "  - {type: tmpfs, target: /tmp, size: 16M, mode: \"1777\"}\n"
			   "capabilities: {add: [CAP_NET_ADMIN], drop: [all]}\n"
			   "rlimits:\n"
			   "  nofile: 1024\n"
			   "  core: {soft: 0, hard: unlimited}\n"
			   "resources: {pids: 64}\n",
			   &s, diags, sizeof diags) == 0);
		CHECK_STR(diags, "");
		CHECK_STR(s.user, "lab:100");
		CHECK(s.readonly_rootfs && !s.no_new_privileges);
		CHECK(s.n_mounts == 2);
		CHECK(s.mounts[0].type == MOUNT_BIND && s.mounts[0].readonly);
		CHECK_STR(s.mounts[0].source, "./data");
		CHECK_STR(s.mounts[0].target, "/data");
		CHECK(s.mounts[1].type == MOUNT_TMPFS && s.mounts[1].size == 16 << 20 &&
		      s.mounts[1].mode == 01777);
		CHECK(s.caps_add == CAPS_BIT(12) && s.caps_drop == CAPS_ALL);
		CHECK(s.n_rlimits == 2 && s.rlimits[0].soft == 1024 && s.rlimits[0].hard == 1024);
		CHECK(s.rlimits[1].soft == 0 && s.rlimits[1].hard == UINT64_MAX);
		CHECK(s.res.has_pids && s.res.pids == 64);
	}
	refused("rootfs: r\nmounts:\n  - {type: bind, source: a, target: /x}\n  - {type: tmpfs, target: /x}\n",
		"lab.yaml:4:27: mounts: target '/x' is mounted twice (first at line 3)");
	refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: /a/../b}\n",
		"lab.yaml:3:27: mounts[0].target: invalid target '/a/../b' (expected a plain path below /, without //, . or .. parts)");
	/* One spelling per place: no way around the /proc, /sys, /dev ban. */
	refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: //proc}\n",
		"lab.yaml:3:27: mounts[0].target: invalid target '//proc' (expected a plain path below /, without //, . or .. parts)");
	refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: /./dev}\n",
		"lab.yaml:3:27: mounts[0].target: invalid target '/./dev' (expected a plain path below /, without //, . or .. parts)");
	refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: /data/}\n",
		"lab.yaml:3:27: mounts[0].target: invalid target '/data/' (expected a plain path below /, without //, . or .. parts)");
	refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: /sys/x}\n",
		"lab.yaml:3:27: mounts[0].target: invalid target '/sys/x' (expected a path outside /proc, /sys and /dev, which ctlaunch sets up)");
	refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: /t, mode: \"8\"}\n",
		"lab.yaml:3:37: mounts[0].mode: invalid mode '8' (expected octal permission bits, e.g. \"1777\")");
	refused("rootfs: r\nmounts:\n  - {type: bind, target: /t}\n",
		"lab.yaml:3:5: mounts[0]: source: missing (a bind mount needs a host path)");
	refused("rootfs: r\ncapabilities: {drop: [NET_ADMIN]}\n",
		"lab.yaml:2:23: capabilities.drop[0]: unknown capability 'NET_ADMIN' (expected a name from capabilities(7), e.g. CAP_NET_ADMIN, or ALL)");
	refused("rootfs: r\nrlimits: {nproc: {soft: 1}}\n",
		"lab.yaml:2:18: rlimits.nproc: expected both soft and hard, or a single value for both");
	refused("rootfs: r\nresources: {cpus: 1.5.0}\n",
		"lab.yaml:2:19: resources.cpus: invalid value '1.5.0' (expected a number of CPUs, at least 0.01, e.g. 0.5)");
	refused("rootfs: r\nresources: {cpus: -1}\n",
		"lab.yaml:2:19: resources.cpus: invalid value '-1' (expected a number of CPUs, at least 0.01, e.g. 0.5)");
	refused("rootfs: r\nresources: {cpus: 0.123456}\n",
		"lab.yaml:2:19: resources.cpus: invalid value '0.123456' (expected a number of CPUs, at least 0.01, e.g. 0.5)");
}

TEST(seccomp_key)
{
	cleanup_spec struct spec s = { 0 };
	char got[4096];
	const struct sc_profile *p;

	CHECK(load("rootfs: r\n", &s, got, sizeof got) == 0);
	CHECK(s.seccomp == SC_MODE_DEFAULT && !s.seccomp_profile);
	spec_free(&s);
	CHECK(load("rootfs: r\nseccomp: unconfined\n", &s, got, sizeof got) == 0);
	CHECK(s.seccomp == SC_MODE_UNCONFINED && s.seccomp_at.line == 2);
	spec_free(&s);
	/* An OCI linux.seccomp, as YAML: errnoRet defaults to EPERM,
	 * numbers may be hex. */
	CHECK(load("rootfs: r\n"
		   "seccomp:\n"
		   "  defaultAction: SCMP_ACT_ALLOW\n"
		   "  architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86]\n"
		   "  syscalls:\n"
		   "  - names: [mkdir, mkdirat]\n"
		   "    action: SCMP_ACT_ERRNO\n"
		   "    errnoRet: 38\n"
		   "  - names: [personality]\n"
		   "    action: SCMP_ACT_ERRNO\n"
		   "    args:\n"
		   "    - {index: 0, value: 0x8, op: SCMP_CMP_EQ}\n"
		   "    - {index: 1, value: 0xff, valueTwo: 3, op: SCMP_CMP_MASKED_EQ}\n",
		   &s, got, sizeof got) == 0);
	CHECK_STR(got, "");
	p = s.seccomp_profile;
	CHECK(s.seccomp == SC_MODE_CUSTOM && p && p->default_action == SC_ALLOW && p->n_archs == 2);
	CHECK(p && p->n_rules == 2 && p->rules[0].n_names == 2 && p->rules[0].errno_ret == 38 &&
	      p->rules[0].at.line == 6);
	CHECK(p && strcmp(p->rules[0].names[1], "mkdirat") == 0);
	CHECK(p && p->rules[1].errno_ret == 1 && p->rules[1].n_args == 2 &&
	      p->rules[1].args[0].value == 8 && p->rules[1].args[1].op == SC_MASKED_EQ &&
	      p->rules[1].args[1].value == 0xff && p->rules[1].args[1].value_two == 3);
}

TEST(seccomp_errors)
{
	refused("rootfs: r\nseccomp: tight\n",
		"lab.yaml:2:10: seccomp: unknown value 'tight' (expected default, unconfined, or a "
		"profile: a mapping with defaultAction and syscalls)");
	refused("rootfs: r\nseccomp: {syscalls: []}\n",
		"lab.yaml:2:10: seccomp: defaultAction: missing (expected e.g. SCMP_ACT_ERRNO)");
	refused("rootfs: r\nseccomp: {defaultAction: SCMP_ACT_NOTIFY}\n",
		"lab.yaml:2:26: seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported (it needs a "
		"seccomp agent on a socket)");
	refused("rootfs: r\nseccomp: {defaultAction: SCMP_ACT_ALLOW, defaultErrnoRet: 1}\n",
		"lab.yaml:2:59: seccomp: defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one");
	refused("rootfs: r\nseccomp:\n  defaultAction: SCMP_ACT_ALLOW\n  syscalls:\n"
		"  - {names: [Mount], action: SCMP_ACT_ERRNO, args: [{index: 6, value: x}]}\n",
		"lab.yaml:5:14: seccomp.syscalls[0].names[0]: invalid system call name 'Mount' (expected "
		"lower-case letters, digits and _, e.g. mount)\n"
		"lab.yaml:5:61: seccomp.syscalls[0].args[0].index: invalid number '6' (expected a whole "
		"number from 0 to 5, decimal or 0x hex)\n"
		"lab.yaml:5:71: seccomp.syscalls[0].args[0].value: invalid number 'x' (expected a whole "
		"number from 0 to 18446744073709551615, decimal or 0x hex)");
	refused("rootfs: r\nseccomp: {defaultAction: SCMP_ACT_ALLOW, architectures: [SCMP_ARCH_VAX]}\n",
		"lab.yaml:2:58: seccomp.architectures[0]: unknown architecture 'SCMP_ARCH_VAX' (expected "
		"a name such as SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64)");
}

/* text as lab.yaml, loaded with the --set arguments sets. */
static int load_set(const char *text, char *const *sets, size_t n, struct spec *s, char *buf,
		    size_t size)
{
	struct ct_diags d = { 0 };
	int back, rc;

	in_tmp(&back);
	write_file("lab.yaml", text, strlen(text));
	rc = spec_load_set("lab.yaml", sets, n, s, &d);
	out_of_tmp(back);
	join_diags(&d, buf, size);
	ct_diags_free(&d);
	return rc;
}

static void set_refused(const char *text, char *const *sets, size_t n, const char *want)
{
	struct spec s = { 0 };
	static const struct spec empty;
	char got[4096];

	CHECK(load_set(text, sets, n, &s, got, sizeof got) == -1);
	CHECK_STR(got, want);
	CHECK(memcmp(&s, &empty, sizeof s) == 0);
}

#define SETS(...) (char *[]){ __VA_ARGS__ }, sizeof (char *[]){ __VA_ARGS__ } / sizeof(char *)

/* --set replaces a value of the file or adds one, through the file's
 * own key tables; the value's place names the --set. */
TEST(set_values)
{
	cleanup_spec struct spec s = { 0 };
	char *sets[] = {
		"hostname=b", "resources.memory=128M", "resources.cpuset.cpus=0-1",
		"env.B=two words", "command=[sh, -c, \"echo $B\"]", "readonly_rootfs=true",
		"rlimits.nofile={soft: 10, hard: 20}",
	};
	char got[4096];

	CHECK(load_set("rootfs: r\nhostname: a\nresources:\n  cpu_shares: 512\nenv: {A: one}\n"
		       "command: echo hi\n",
		       sets, sizeof sets / sizeof sets[0], &s, got, sizeof got) == 0);
	CHECK_STR(got, "");
	CHECK_STR(s.hostname, "b");
	CHECK(s.hostname_at.line == 1 && s.hostname_at.col == 0);
	CHECK(s.hostname_at.set && strcmp(s.hostname_at.set, "hostname=b") == 0);
	/* The copy the spec keeps, not the caller's string. */
	CHECK(s.hostname_at.set != sets[0]);
	CHECK(s.res.has_memory && s.res.memory == 128ULL << 20 && s.res.memory_at.line == 2);
	CHECK_STR(s.res.memory_at.set, "resources.memory=128M");
	/* The file's other resources stay, at their places. */
	CHECK(s.res.has_cpu_shares && s.res.cpu_shares == 512 && !s.res.cpu_shares_at.set &&
	      s.res.cpu_shares_at.line == 4);
	CHECK(s.res.has_cpus && s.res.cpus.bits[0] == 3 && s.res.cpus_at.line == 3);
	CHECK(s.n_env == 2);
	if (s.n_env == 2) {
		CHECK_STR(s.env[0].key, "A");
		CHECK_STR(s.env[1].value, "two words");
	}
	CHECK(s.argc == 3 && !s.shell_form && s.command_at.line == 5);
	CHECK_STR(s.argv[2], "echo $B");
	CHECK(s.readonly_rootfs && s.readonly_rootfs_at.line == 6);
	CHECK(s.n_rlimits == 1 && s.rlimits[0].soft == 10 && s.rlimits[0].hard == 20);
	spec_free(&s);

	/* The last of two --set of one key wins; a quoted value is a string. */
	CHECK(load_set("rootfs: r\n", SETS("hostname=a", "hostname=\"null\""), &s, got,
		       sizeof got) == 0);
	CHECK_STR(s.hostname, "null");
	CHECK(s.hostname_at.line == 2);
	spec_free(&s);

	/* An empty spec with its keys from the command line; a null
	 * "resources:" is filled. */
	CHECK(load_set("", SETS("rootfs=/r", "name=x"), &s, got, sizeof got) == 0);
	CHECK_STR(s.rootfs, "/r");
	CHECK_STR(s.name, "x");
	spec_free(&s);
	CHECK(load_set("rootfs: r\nresources:\n", SETS("resources.pids=7"), &s, got,
		       sizeof got) == 0);
	CHECK(s.res.has_pids && s.res.pids == 7);
}

TEST(set_errors)
{
	/* Each names its --set, the key when another; all in one pass
	 * with the file's own problems. */
	set_refused("rootfs: r\nhostname: a/b\n",
		    SETS("resources.memory=lots", "resurces.memory=1", "x", "a..b=1", "command=[a",
			 "env.1X=y", "hostname.x=1", "mounts.0.target=/x", "command=[sh, {a: b}]",
			 "workdir=", "name=&a x"),
		    "--set x: expected KEY=VALUE (e.g. resources.memory=128M)\n"
		    "--set a..b=1: invalid key 'a..b' (expected names joined by dots, e.g. resources.cpuset.cpus)\n"
		    "--set command=[a: did not find expected ',' or ']' while parsing a flow sequence\n"
		    "--set hostname.x=1: hostname is a string (lab.yaml:2:11), not a mapping\n"
		    "--set name=&a x: aliases and anchors are not supported\n"
		    "lab.yaml:2:11: hostname: invalid host name 'a/b' (expected 1 to 64 bytes without /)\n"
		    "--set resources.memory=lots: invalid size 'lots' (expected bytes or a number with K, M, G or T)\n"
		    "--set resurces.memory=1: resurces: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources, user, readonly_rootfs, unsafe_paths, mounts, capabilities, no_new_privileges, rlimits, seccomp, userns, tty, init, network)\n"
		    "--set env.1X=y: invalid variable name (expected letters, digits and _, not starting with a digit)\n"
		    "--set mounts.0.target=/x: mounts: expected a sequence, got a mapping\n"
		    "--set command=[sh, {a: b}]: command[1]: expected a string, got a mapping\n"
		    "--set workdir=: expected a string, got null");
	set_refused("rootfs: r\nmounts:\n  - {type: tmpfs, target: /t}\n", SETS("mounts.0.readonly=true"),
		    "--set mounts.0.readonly=true: mounts is a sequence (lab.yaml:3:3), not a mapping "
		    "(a sequence is set whole: mounts=[...])");
	set_refused("- a\n", SETS("rootfs=r"),
		    "--set rootfs=r: the spec is a sequence (lab.yaml:1:1), not a mapping\n"
		    "lab.yaml:1:1: expected a mapping, got a sequence");
	/* Inside one --set's flow value, the first of two is that --set. */
	set_refused("rootfs: r\n",
		    SETS("resources={pids: 1, pids: 2}",
			 "mounts=[{type: tmpfs, target: /t}, {type: tmpfs, target: /t}]"),
		    "--set resources={pids: 1, pids: 2}: resources.pids: duplicate key (first at --set resources)\n"
		    "--set mounts=[{type: tmpfs, target: /t}, {type: tmpfs, target: /t}]: target '/t' is "
		    "mounted twice (first at --set mounts)");
	/* A file that cannot be read: the arguments are still checked. */
	set_refused("rootfs: [\n", SETS("x"),
		    "lab.yaml:2:1: did not find expected node content while parsing a flow node\n"
		    "--set x: expected KEY=VALUE (e.g. resources.memory=128M)");
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}
/* rootfs: its mapping forms, and their errors at their places. */
TEST(rootfs_overlay_forms)
{
	cleanup_spec struct spec a = { 0 };
	cleanup_spec struct spec b = { 0 };
	cleanup_spec struct spec c = { 0 };
	char diags[4096];

	CHECK(load("rootfs: {path: r, overlay: tmpfs, size: 64M}\ncommand: x\n", &a, diags,
		   sizeof diags) == 0);
	CHECK_STR(a.rootfs, "./r");
	CHECK(a.overlay == OVERLAY_TMPFS && a.has_overlay_size && a.overlay_size == 64 << 20);
	CHECK(a.rootfs_at.line == 1 && a.rootfs_at.col == 16 && a.overlay_at.col == 28);
	CHECK(load("rootfs:\n  path: [base, /opt/tools]\n  overlay: ./tmpfs\ncommand: x\n", &b,
		   diags, sizeof diags) == 0);
	CHECK_STR(b.rootfs, "./base");
	CHECK(b.n_layers == 1);
	CHECK_STR(b.layers[0].path, "/opt/tools");
	CHECK(b.layers[0].at.line == 2 && b.layers[0].at.col == 16);
	CHECK(b.overlay == OVERLAY_DIR);
	CHECK_STR(b.overlay_dir, "././tmpfs");
	CHECK(load("rootfs: {path: r, size: 1M}\ncommand: x\n", &c, diags, sizeof diags) == -1);
	CHECK(strstr(diags, "lab.yaml:1:9: rootfs.overlay: missing") != NULL);
	CHECK(strstr(diags, "lab.yaml:1:25: rootfs.size: only with overlay: tmpfs") != NULL);
}


/* Last in the file: the tests run in the order they are written, and
 * the ones above work in tmpdir. */
TEST(cleanup_tmp)
{
	CHECK(nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

