#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "t.h"

/* Specs are written to a private directory and loaded from inside it,
 * so the messages name "lab.yaml" whatever the directory is. */
static char tmpdir[] = "/tmp/ctlaunch-unit.XXXXXX";

static void in_tmp(int *back)
{
	if (tmpdir[sizeof tmpdir - 2] == 'X' && !mkdtemp(tmpdir))
		abort();
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

/* Load text as lab.yaml; the diags, one per line, into buf. */
static int load_n(const char *text, size_t len, struct spec *s, char *buf, size_t size)
{
	struct ct_diags d = { 0 };
	size_t used = 0;
	int back, rc;

	in_tmp(&back);
	write_file("lab.yaml", text, len);
	rc = spec_load("lab.yaml", s, &d);
	out_of_tmp(back);
	buf[0] = '\0';
	for (size_t i = 0; i < d.n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "\n" : "", d.v[i]);
	ct_diags_free(&d);
	return rc;
}

static int load(const char *text, struct spec *s, char *buf, size_t size)
{
	return load_n(text, strlen(text), s, buf, size);
}

/* The single error a bad spec gives. */
static void refused(const char *text, const char *want)
{
	struct spec s;
	char got[4096];

	CHECK(load(text, &s, got, sizeof got) == -1);
	CHECK_STR(got, want);
	CHECK(s.file == NULL && s.argv == NULL);
}

static void every_key(void)
{
	cleanup_spec struct spec s;
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
	CHECK_STR(s.name, "web");
	CHECK(s.name_at.line == 1 && s.name_at.col == 7);
	CHECK_STR(s.rootfs, "././rootfs");
	CHECK_STR(s.hostname, "lab1");
	CHECK(s.argc == 3 && !s.shell_form && s.argv[3] == NULL);
	CHECK_STR(s.argv[2], "echo hi");
	CHECK(s.n_env == 2);
	CHECK_STR(s.env[1].key, "N");
	CHECK_STR(s.env[1].value, "42");
	CHECK(s.env[1].at.line == 7 && s.env[1].at.col == 6);
	CHECK_STR(s.workdir, "/tmp");
	CHECK(s.res.has_memory && s.res.memory == 64ULL << 20);
	CHECK(s.res.memory_at.line == 10 && s.res.memory_at.col == 11);
	CHECK(s.res.has_cpu_shares && s.res.cpu_shares == 512);
	CHECK(s.res.has_cpus && s.res.has_mems);
}

static void defaults_and_shell_form(void)
{
	cleanup_spec struct spec s;
	char diags[4096];

	CHECK(load("rootfs: /srv/root\ncommand: echo $HOME\n", &s, diags, sizeof diags) == 0);
	CHECK_STR(s.name, "lab");
	CHECK(s.name_at.line == 0);
	CHECK_STR(s.rootfs, "/srv/root");
	CHECK(s.hostname == NULL && s.workdir == NULL && s.n_env == 0);
	CHECK(s.shell_form && s.argc == 3);
	CHECK_STR(s.argv[0], "/bin/sh");
	CHECK_STR(s.argv[1], "-c");
	CHECK_STR(s.argv[2], "echo $HOME");
	CHECK(!s.res.has_memory && !s.res.has_cpus && !s.res.has_cpu_shares);
}

static void name_from_the_file_name(void)
{
	cleanup_spec struct spec s;
	struct ct_diags d = { 0 };
	int back;

	in_tmp(&back);
	write_file("my-lab.v2.yml", "rootfs: r\n", 10);
	write_file("my lab.yaml", "rootfs: r\n", 10);
	CHECK(spec_load("my-lab.v2.yml", &s, &d) == 0);
	CHECK_STR(s.name, "my-lab.v2");
	CHECK_STR(s.rootfs, "./r");
	spec_free(&s);
	CHECK(spec_load("./my lab.yaml", &s, &d) == -1);
	out_of_tmp(back);
	CHECK(d.n == 1);
	if (d.n)
		CHECK_STR(d.v[0], "./my lab.yaml: name: 'my lab' (from the file name) is not a valid name; set name: in the spec");
	ct_diags_free(&d);
}

static void overrides(void)
{
	cleanup_spec struct spec s;
	struct ct_err e = { 0 };
	char diags[256];
	char *argv[] = { "ls", "-l" };

	CHECK(load("rootfs: r\ncommand: echo\n", &s, diags, sizeof diags) == 0);
	spec_set_command(&s, argv, 2);
	CHECK(s.argc == 2 && !s.shell_form && s.argv[2] == NULL);
	CHECK_STR(s.argv[1], "-l");
	CHECK(spec_set_name(&s, "other", &e) == 0);
	CHECK_STR(s.name, "other");
	CHECK(spec_set_name(&s, "..", &e) == -1);
	CHECK_STR(e.msg, "--name: invalid name '..' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)");
	CHECK(!spec_name_valid("") && !spec_name_valid(".") && !spec_name_valid("a/b"));
	CHECK(!spec_name_valid("x\n") && spec_name_valid("...") && spec_name_valid("A_b-1.2"));
	CHECK(!spec_name_valid("12345678901234567890123456789012345678901234567890123456789012345"));
}

static void value_errors(void)
{
	refused("rootfs: r\nresources:\n  memory: lots\n",
		"lab.yaml:3:11: resources.memory: invalid size 'lots' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: -1\n",
		"lab.yaml:3:11: resources.memory: invalid size '-1' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: 1.5G\n",
		"lab.yaml:3:11: resources.memory: invalid size '1.5G' (expected bytes or a number with K, M, G or T)");
	refused("rootfs: r\nresources:\n  memory: 100\n",
		"lab.yaml:3:11: resources.memory: 100 is too small (expected at least 4K)");
	refused("rootfs: r\nresources:\n  cpu_shares: 262145\n",
		"lab.yaml:3:15: resources.cpu_shares: invalid value '262145' (expected an integer from 2 to 262144)");
	refused("rootfs: r\nresources:\n  cpuset: {cpus: \"0-\"}\n",
		"lab.yaml:3:18: resources.cpuset.cpus: invalid CPU list '0-' (expected the kernel list format, e.g. 0-3,5)");
	refused("rootfs: r\nresources:\n  cpuset: {mems: \"a\"}\n",
		"lab.yaml:3:18: resources.cpuset.mems: invalid memory node list 'a' (expected the kernel list format, e.g. 0-1)");
	refused("rootfs: r\nhostname: a/b\n",
		"lab.yaml:2:11: hostname: invalid host name 'a/b' (expected 1 to 64 bytes without /)");
	refused("rootfs: r\nworkdir: tmp\n",
		"lab.yaml:2:10: workdir: 'tmp' is not an absolute path (expected a path starting with /)");
	refused("rootfs: r\ncommand: []\n",
		"lab.yaml:2:10: command: empty (expected a program and its arguments)");
	refused("rootfs: r\ncommand: ''\n", "lab.yaml:2:10: command: empty (expected a command line)");
	refused("rootfs: r\ncommand: [sh, {a: 1}]\n",
		"lab.yaml:2:15: command[1]: expected a string, got a mapping");
	refused("rootfs: r\nenv:\n  1X: y\n",
		"lab.yaml:3:3: env.1X: invalid variable name (expected letters, digits and _, not starting with a digit)");
	refused("rootfs: r\nenv:\n  A=B: y\n",
		"lab.yaml:3:3: env.A=B: invalid variable name (expected letters, digits and _, not starting with a digit)");
	refused("rootfs: r\nenv:\n  X:\n", "lab.yaml:3:5: env.X: expected a string, got null");
	refused("rootfs: ~\n", "lab.yaml:1:9: rootfs: expected a string, got null");
	refused("rootfs: ''\n",
		"lab.yaml:1:9: rootfs: empty (expected the path of the container's root directory)");
}

static void structure_errors(void)
{
	refused("command: [x]\n",
		"lab.yaml:1:1: rootfs: missing (expected the path of the container's root directory)");
	refused("rootfs: r\nfoo: 1\n",
		"lab.yaml:2:1: foo: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources)");
	refused("rootfs: r\nresources:\n  cpuset:\n    cpu: 1\n",
		"lab.yaml:4:5: resources.cpuset.cpu: unknown key (expected one of cpus, mems)");
	refused("rootfs: r\nname: a\nname: b\n", "lab.yaml:3:1: name: duplicate key (first at line 2)");
	refused("rootfs: r\nenv:\n  A: 1\n  A: 2\n", "lab.yaml:4:3: env.A: duplicate key");
	refused("rootfs: r\nresources: [1]\n",
		"lab.yaml:2:12: resources: expected a mapping, got a sequence");
	refused("rootfs: r\n[a]: b\n", "lab.yaml:2:1: a key must be a string, not a sequence");
	refused("- a\n", "lab.yaml:1:1: expected a mapping, got a sequence");
	refused("", "lab.yaml: empty (expected a mapping with at least rootfs:)");
	refused("rootfs: !!str r\n", "lab.yaml:1:9: tags are not supported");
	refused("rootfs: r\ncommand: [a\n",
		"lab.yaml:3:1: did not find expected ',' or ']' while parsing a flow sequence");
}

static void every_problem_in_one_run(void)
{
	struct spec s;
	char got[4096];

	CHECK(load("name: a/b\nrootfs: r\nbogus: 1\nresources:\n  memory: x\n  cpu_shares: 0\n",
		   &s, got, sizeof got) == -1);
	CHECK_STR(got,
		  "lab.yaml:1:7: name: invalid name 'a/b' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)\n"
		  "lab.yaml:3:1: bogus: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources)\n"
		  "lab.yaml:5:11: resources.memory: invalid size 'x' (expected bytes or a number with K, M, G or T)\n"
		  "lab.yaml:6:15: resources.cpu_shares: invalid value '0' (expected an integer from 2 to 262144)");
}

static void hostile_input(void)
{
	struct spec s;
	char got[4096], *big, deep[4 * 70 + 16];
	size_t n = 0;
	struct ct_diags d = { 0 };
	int back;

	refused("rootfs: &a r\n", "lab.yaml:1:9: aliases and anchors are not supported");
	refused("a: &a [x, x]\nb: [*a, *a]\n", "lab.yaml:1:4: aliases and anchors are not supported");
	refused("rootfs: r\n---\nrootfs: s\n", "lab.yaml:2:1: more than one YAML document");
	CHECK(load_n("rootfs: r\0x\n", 12, &s, got, sizeof got) == -1);
	CHECK_STR(got, "lab.yaml:1:10: NUL byte in spec");
	refused("rootfs: r\nname: \xc3\x28\n", "lab.yaml:2:7: invalid UTF-8");
	refused("name: \xc0\xaf\n", "lab.yaml:1:7: invalid UTF-8");          /* overlong '/' */
	refused("name: \xed\xa0\x80\n", "lab.yaml:1:7: invalid UTF-8");      /* a surrogate */
	refused("name: \xf4\x90\x80\x80\n", "lab.yaml:1:7: invalid UTF-8");  /* > U+10FFFF */
	refused("name: \xe2\x82\n", "lab.yaml:1:7: invalid UTF-8");          /* cut short */

	/* 65 levels of flow sequences: one too many. */
	for (int i = 0; i < 65; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	refused(deep, "lab.yaml:1:65: nested deeper than 64 levels");

	big = malloc(SPEC_MAX_FILE + 2);
	memset(big, '#', SPEC_MAX_FILE + 1);
	big[SPEC_MAX_FILE + 1] = '\0';
	CHECK(load_n(big, SPEC_MAX_FILE + 1, &s, got, sizeof got) == -1);
	CHECK_STR(got, "lab.yaml: larger than 1 MiB (a spec is a small text file)");
	free(big);

	/* A FIFO must be refused at once, not read (which would hang). */
	in_tmp(&back);
	unlink("fifo.yaml");
	CHECK(mkfifo("fifo.yaml", 0600) == 0);
	CHECK(spec_load("fifo.yaml", &s, &d) == -1);
	CHECK(spec_load("missing.yaml", &s, &d) == -1);
	CHECK(spec_load(".", &s, &d) == -1);
	unlink("fifo.yaml");
	out_of_tmp(back);
	CHECK(d.n == 3);
	if (d.n == 3) {
		CHECK_STR(d.v[0], "fifo.yaml: not a regular file");
		CHECK_STR(d.v[1], "missing.yaml: No such file or directory");
		CHECK_STR(d.v[2], ".: not a regular file");
	}
	ct_diags_free(&d);
}

static void cleanup_tmp(void)
{
	int back;

	in_tmp(&back);
	unlink("lab.yaml");
	unlink("my-lab.v2.yml");
	unlink("my lab.yaml");
	out_of_tmp(back);
	CHECK(rmdir(tmpdir) == 0);
}

T_LIST(t_spec) = {
	T(every_key),
	T(defaults_and_shell_form),
	T(name_from_the_file_name),
	T(overrides),
	T(value_errors),
	T(structure_errors),
	T(every_problem_in_one_run),
	T(hostile_input),
	T(cleanup_tmp),
	{ 0 },
};
