#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fake.h"
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
