#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "command_find.h"
#include "fake.h"
#include "syscall_filter.h"
#include "t.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* The user is looked up in the rootfs's own files; empty fields (no
 * password, no members) must not shift the ones after them. */
TEST(users_from_the_rootfs)
{
	char root[] = "/tmp/ctlaunch-check.XXXXXX", etc[64], file[96];
	static const struct {
		const char *user;
		uint32_t uid, gid;
	} cases[] = {
		{ "lab", 1001, 1000 },  { "1001", 1001, 1000 }, { "lab:wheel", 1001, 10 },
		{ "4242", 4242, 0 },    { "lab:7", 1001, 7 },   { "0:wheel", 0, 10 },
	};
	cleanup_host struct host h;

	fake_host_v1(&h);
	CHECK(mkdtemp(root) != NULL);
	snprintf(etc, sizeof etc, "%s/etc", root);
	CHECK(mkdir(etc, 0755) == 0);
	snprintf(file, sizeof file, "%s/passwd", etc);
	write_file(file, "root:x:0:0:root:/root:/bin/sh\nlab::1001:1000:Lab:/home/lab:/bin/sh\n");
	snprintf(file, sizeof file, "%s/group", etc);
	write_file(file, "root:x:0:\nwheel::10:lab\n");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };

		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xstrdup(root);
		s.user = xstrdup(cases[i].user);
		CHECK(spec_check(&s, &h, &d) == 0);
		if (s.uid != cases[i].uid || s.gid != cases[i].gid) {
			fprintf(stderr, "  user '%s': got %u:%u\n", cases[i].user, s.uid, s.gid);
			CHECK(!"wrong ids");
		}
		/* The entry of the uid gives the name and home, or nothing. */
		if (cases[i].uid == 1001) {
			CHECK_STR(s.login, "lab");
			CHECK_STR(s.home, "/home/lab");
		} else if (cases[i].uid == 0) {
			CHECK_STR(s.login, "root");
			CHECK_STR(s.home, "/root");
		} else {
			CHECK(s.login == NULL && s.home == NULL);
		}
	}
	{
		/* Root without user: is root's entry; one with an empty home
		 * has none. */
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };

		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xstrdup(root);
		CHECK(spec_check(&s, &h, &d) == 0);
		CHECK_STR(s.login, "root");
		CHECK_STR(s.home, "/root");
		snprintf(file, sizeof file, "%s/passwd", etc);
		write_file(file, "root:x:0:0:root::/bin/sh\n");
		spec_free(&s);
		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xstrdup(root);
		CHECK(spec_check(&s, &h, &d) == 0);
		CHECK_STR(s.login, "root");
		CHECK(s.home == NULL);
		write_file(file, "root:x:0:0:root:/root:/bin/sh\nlab::1001:1000:Lab:/home/lab:/bin/sh\n");
		snprintf(file, sizeof file, "%s/group", etc);
	}
	{
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };

		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xstrdup(root);
		s.user = xstrdup("ghost:nogroup");
		s.user_at = (struct ct_loc){ .line = 3, .col = 7 };
		CHECK(spec_check(&s, &h, &d) == -1 && d.n == 1);
		if (d.n)
			CHECK_STR(d.v[0], "web.yaml:3:7: user: no user 'ghost' in the rootfs's /etc/passwd (expected a name it has, or a number)");
	}
	unlink(file);
	snprintf(file, sizeof file, "%s/passwd", etc);
	unlink(file);
	rmdir(etc);
	CHECK(rmdir(root) == 0);
}


/* A hostile rootfs: the id files are looked at before they are read,
 * and a record is never split. Unit-testable without root: a FIFO
 * stands for a device node (both would be opened, and a FIFO's open
 * blocks for ever), a sparse file for a huge one. */
TEST(hostile_id_files)
{
	char root[] = "/tmp/ctlaunch-check.XXXXXX", etc[64], file[96];
	cleanup_host struct host h;
	static const struct {
		const char *what, *user, *diag;
		uint32_t uid;
	} cases[] = {
		{ "fifo", "lab", "web.yaml:3:7: user: the rootfs's /etc/passwd cannot be used: it is not a regular file", 0 },
		{ "huge", "lab", "web.yaml:3:7: user: the rootfs's /etc/passwd cannot be used: it is larger than 4 MiB", 0 },
		{ "nul", "lab", "web.yaml:3:7: user: the rootfs's /etc/passwd cannot be used: it holds a NUL byte", 0 },
		/* The tail of a 2000-byte comment line looks like "lab:x:0:0"
		 * to a reader that splits lines at 1024 bytes. */
		{ "long", "lab", NULL, 1000 },
		{ "numeric", "1234:5", NULL, 1234 },
	};

	fake_host_v1(&h);
	CHECK(mkdtemp(root) != NULL);
	snprintf(etc, sizeof etc, "%s/etc", root);
	CHECK(mkdir(etc, 0755) == 0);
	snprintf(file, sizeof file, "%s/passwd", etc);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };
		int rc;

		unlink(file);
		if (strcmp(cases[i].what, "fifo") == 0) {
			CHECK(mkfifo(file, 0644) == 0);
		} else if (strcmp(cases[i].what, "huge") == 0) {
			FILE *f = fopen(file, "w");

			CHECK(f && ftruncate(fileno(f), 5L << 20) == 0);
			if (f)
				fclose(f);
		} else if (strcmp(cases[i].what, "nul") == 0) {
			FILE *f = fopen(file, "w");

			CHECK(f && fwrite("lab:x:0:0::/:/bin/sh\n\0\n", 1, 23, f) == 23);
			if (f)
				fclose(f);
		} else {
			char line[2100];

			memset(line, 'x', sizeof line);
			memcpy(line, "#", 1);
			memcpy(line + 1023, "lab:x:0:0:", 10);
			line[2000] = '\0';
			{
				FILE *f = fopen(file, "w");

				CHECK(f != NULL);
				if (f) {
					fprintf(f, "%s\nlab:x:1000:1000::/home/lab:/bin/sh\n", line);
					fclose(f);
				}
			}
		}
		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xstrdup(root);
		s.user = xstrdup(cases[i].user);
		s.user_at = (struct ct_loc){ .line = 3, .col = 7 };
		rc = spec_check(&s, &h, &d);
		if (cases[i].diag) {
			CHECK(rc == -1 && d.n == 1);
			if (d.n)
				CHECK_STR(d.v[0], cases[i].diag);
		} else {
			CHECK(rc == 0);
			CHECK(s.uid == cases[i].uid);
		}
	}
	unlink(file);
	rmdir(etc);
	CHECK(rmdir(root) == 0);
}

/* StrictModes for paths: a directory every user may write, without the
 * sticky bit, is refused on a rootfs's path unless unsafe_paths; even
 * then a link in it is never followed. The check keeps the device and
 * inode the run must find again. */
TEST(unsafe_paths_refused)
{
	char top[] = "/tmp/ctlaunch-check.XXXXXX", rfs[sizeof top + 8], link[sizeof top + 8];
	cleanup_host struct host h;
	struct stat st;

	fake_host_v1(&h);
	CHECK(mkdtemp(top) != NULL);
	snprintf(rfs, sizeof rfs, "%s/rfs", top);
	snprintf(link, sizeof link, "%s/link", top);
	CHECK(mkdir(rfs, 0755) == 0 && symlink("rfs", link) == 0 && stat(rfs, &st) == 0);
	CHECK(chmod(top, 0777) == 0);
	for (int pass = 0; pass < 3; pass++) {
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };
		char want[512];

		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xstrdup(pass == 2 ? link : rfs);
		s.unsafe_paths = pass > 0;
		if (pass == 1) {
			CHECK(spec_check(&s, &h, &d) == 0);
			CHECK_STR(s.rootfs, rfs);
			CHECK(s.rootfs_dev == (uint64_t)st.st_dev && s.rootfs_ino == (uint64_t)st.st_ino);
			continue;
		}
		CHECK(spec_check(&s, &h, &d) == -1 && d.n >= 1);
		if (pass == 0)
			snprintf(want, sizeof want,
				 "web.yaml:2:9: rootfs: '%s': %s is writable by every user, who could swap it for "
				 "another directory while ctlaunch uses it (move it, or set unsafe_paths: true)",
				 rfs, top);
		else
			snprintf(want, sizeof want,
				 "web.yaml:2:9: rootfs: '%s': %s is a symbolic link in a directory other users can "
				 "write (with unsafe_paths, give a path with no link on it)", link, link);
		if (d.n)
			CHECK_STR(d.v[0], want);
	}
	unlink(link);
	rmdir(rfs);
	CHECK(rmdir(top) == 0);
}

/* A dynamic ELF file (the unit test binary itself) in a rootfs without
 * its program interpreter: the kernel's exec would fail with ENOENT. */
static void dynamic_elf(const char *top)
{
	char path[128];
	FILE *in = fopen("/proc/self/exe", "rb"), *out;
	char buf[65536];
	size_t n;

	snprintf(path, sizeof path, "%s/rfs/bin/elf", top);
	out = fopen(path, "wb");
	CHECK(in && out);
	while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
		CHECK(fwrite(buf, 1, n, out) == n);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	CHECK(chmod(path, 0755) == 0);
	{
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };
		char *const argv[] = { (char *)"/bin/elf", NULL };
		cleanup_host struct host h;

		fake_host_v1(&h);
		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xasprintf("%s/rfs", top);
		spec_set_command(&s, argv, 1);
		CHECK(spec_check(&s, &h, &d) == 0);
		CHECK(spec_check_command(&s, &d) == 127 && d.n == 1);
		CHECK(d.n == 1 && strstr(d.v[0], "web.yaml: command: '/bin/elf': its program interpreter '/lib") == d.v[0]);
		CHECK(d.n == 1 && strstr(d.v[0], "' is not in the container") != NULL);
	}
}

/* --check looks the command up as the run will: in the spec's PATH,
 * by descriptor under the rootfs (a link cannot leave it), through the
 * spec's mounts, following #! lines; with the run's exit statuses. */
TEST(command_in_the_container)
{
	char top[] = "/tmp/ctlaunch-check.XXXXXX", path[128];
	static const struct {
		const char *argv0, *path_env;
		int status;
		const char *msg;
	} cases[] = {
		{ "/bin/ok", NULL, 0, NULL },
		{ "ok", NULL, 0, NULL },
		{ "./bin/ok", NULL, 0, NULL },
		{ "/usr/../bin//ok", NULL, 0, NULL },
		{ "nope", NULL, 127, "no 'nope' in the container's PATH (" CMD_DEFAULT_PATH ")" },
		{ "ok", "/usr/bin", 127, "no 'ok' in the container's PATH (/usr/bin)" },
		{ "/bin/nope", NULL, 127, "'/bin/nope' is not in the container" },
		{ "/bin/plain", NULL, 126, "'/bin/plain' has no execute permission" },
		{ "plain", NULL, 126, "'plain' is in the container's PATH (" CMD_DEFAULT_PATH
				       ") only without execute permission" },
		{ "/bin", NULL, 126, "'/bin' is not a regular file" },
		{ "/bin/py", NULL, 127, "'/bin/py': its interpreter '/usr/bin/python3' is not in the container" },
		{ "/bin/empty-bang", NULL, 126, "'/bin/empty-bang': the #! line of '/bin/empty-bang' names no interpreter" },
		/* A link resolves in the rootfs: its /etc/shadow is not the host's. */
		{ "/bin/escape", NULL, 127, "'/bin/escape' is not in the container" },
		{ "/opt/tools/run", NULL, 0, NULL },
		{ "run", "/usr/bin:/opt/tools", 0, NULL },
		{ "/scratch/run", NULL, 127, "'/scratch/run' is not in the container" },
		{ "/proc/self/exe", NULL, 0, NULL },
	};
	static const struct {
		const char *name, *text;
		mode_t mode;
	} files[] = {
		{ "rfs/bin/sh", "not ELF, no #!: the kernel's to judge\n", 0755 },
		{ "rfs/bin/ok", "#!/bin/sh\n", 0755 },
		{ "rfs/bin/plain", "#!/bin/sh\n", 0644 },
		{ "rfs/bin/py", "#!/usr/bin/python3 -u\n", 0755 },
		{ "rfs/bin/empty-bang", "#!   \n", 0755 },
		{ "tools/run", "#!/bin/sh\n", 0755 },
	};
	cleanup_host struct host h;

	fake_host_v1(&h);
	CHECK(mkdtemp(top) != NULL);
	for (const char *const *d = (const char *const[]){ "rfs", "rfs/bin", "rfs/opt", "tools", NULL }; *d; d++) {
		snprintf(path, sizeof path, "%s/%s", top, *d);
		CHECK(mkdir(path, 0755) == 0);
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", top, files[i].name);
		write_file(path, files[i].text);
		CHECK(chmod(path, files[i].mode) == 0);
	}
	snprintf(path, sizeof path, "%s/rfs/bin/escape", top);
	CHECK(symlink("/etc/shadow", path) == 0);
	dynamic_elf(top);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cleanup_spec struct spec s;
		cleanup_diags struct ct_diags d = { 0 };
		char *const argv[] = { (char *)cases[i].argv0, NULL };
		struct spec_env env = { xstrdup("PATH"), xstrdup(cases[i].path_env ? cases[i].path_env : ""), { 0 } };
		int status;

		fake_spec(&s);
		free(s.rootfs);
		s.rootfs = xasprintf("%s/rfs", top);
		spec_set_command(&s, argv, 1);
		s.command_at = (struct ct_loc){ .line = 4, .col = 10 };
		s.mounts = xcalloc(2, sizeof *s.mounts);
		s.n_mounts = 2;
		s.mounts[0] = (struct spec_mount){ .type = MOUNT_BIND, .source = xasprintf("%s/tools", top),
						  .target = xstrdup("/opt/tools") };
		s.mounts[1] = (struct spec_mount){ .type = MOUNT_TMPFS, .target = xstrdup("/scratch") };
		if (cases[i].path_env) {
			s.env = xcalloc(1, sizeof *s.env);
			s.env[0] = env;
			s.n_env = 1;
		} else {
			free(env.key);
			free(env.value);
		}
		CHECK(spec_check(&s, &h, &d) == 0);
		status = spec_check_command(&s, &d);
		if (status != cases[i].status) {
			fprintf(stderr, "  %s: status %d, want %d\n", cases[i].argv0, status, cases[i].status);
			CHECK(!"wrong status");
		}
		CHECK(d.n == (cases[i].msg ? 1u : 0u));
		if (d.n && cases[i].msg) {
			char want[512];

			snprintf(want, sizeof want, "web.yaml:4:10: command: %s", cases[i].msg);
			CHECK_STR(d.v[0], want);
		}
	}
	for (size_t i = sizeof files / sizeof files[0]; i-- > 0;) {
		snprintf(path, sizeof path, "%s/%s", top, files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/rfs/bin/escape", top);
	unlink(path);
	snprintf(path, sizeof path, "%s/rfs/bin/elf", top);
	unlink(path);
	for (const char *const *d = (const char *const[]){ "tools", "rfs/opt", "rfs/bin", "rfs", NULL }; *d; d++) {
		snprintf(path, sizeof path, "%s/%s", top, *d);
		CHECK(rmdir(path) == 0);
	}
	CHECK(rmdir(top) == 0);
}

/* A profile of the spec's own that the kernel would not load: too
 * long a filter. The run would stop before its first step; --check and
 * --plan say so at the profile. */
TEST(filter_too_long)
{
	cleanup_spec struct spec s;
	cleanup_diags struct ct_diags d = { 0 };
	struct sc_profile *prof = xcalloc(1, sizeof *prof);
	enum { RULES = 300 };

	fake_spec(&s);
	prof->default_action = SC_ALLOW;
	prof->rules = xcalloc(RULES, sizeof *prof->rules);
	for (size_t i = 0; i < RULES; i++) {
		const char **names = xcalloc(1, sizeof *names);
		struct sc_rule *r = &prof->rules[prof->n_rules++];

		names[0] = xstrdup("write");
		r->names = names;
		r->n_names = 1;
		r->action = SC_ERRNO;
		r->errno_ret = 1;
		r->args[0] = (struct sc_arg){ .index = 0, .op = SC_EQ, .value = 100 + i };
		r->n_args = 1;
	}
	s.seccomp = SC_MODE_CUSTOM;
	s.seccomp_profile = prof;
	s.seccomp_at = (struct ct_loc){ .line = 6, .col = 3 };
	CHECK(spec_check_filter(&s, &d) == 0 && d.n == 0);
	/* Six comparisons a rule: past the kernel's 4096 instructions. */
	for (size_t i = 0; i < RULES; i++) {
		for (unsigned a = 1; a < SC_MAX_ARGS; a++)
			prof->rules[i].args[a] = (struct sc_arg){ .index = a, .op = SC_EQ, .value = i + a };
		prof->rules[i].n_args = SC_MAX_ARGS;
	}
	CHECK(spec_check_filter(&s, &d) == -1 && d.n == 1);
	CHECK(d.n == 1 && strstr(d.v[0], "web.yaml:6:3: seccomp: the filter has ") == d.v[0]);
	CHECK(d.n == 1 && strstr(d.v[0], "(the kernel takes at most 4096 instructions)") != NULL);
}

