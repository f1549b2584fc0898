#include <errno.h>
#include <string.h>

#include "err.h"
#include "t.h"

/* Context on the way up keeps the error's number and status, and the
 * message's start when the buffer is full. */
TEST(err_wrap_and_append)
{
	struct ct_err e = { 0 };
	char text[2048];

	CHECK(ct_fail(&e, ENOENT, "rmdir %s", "/sys/fs/cgroup/x") == -1);
	e.status = 126;
	CHECK(ct_wrap(&e, "a stale cgroup of %s", "this name") == -1);
	CHECK(ct_append(&e, " (%s:%u:%u)", "lab.yaml", 3u, 5u) == -1);
	CHECK_STR(e.msg, "a stale cgroup of this name: rmdir /sys/fs/cgroup/x (lab.yaml:3:5)");
	CHECK(e.errnum == ENOENT && e.status == 126);
	CHECK_STR(ct_err_text(&e, text, sizeof text),
		  "a stale cgroup of this name: rmdir /sys/fs/cgroup/x (lab.yaml:3:5): "
		  "No such file or directory");
}

TEST(err_wrap_full)
{
	struct ct_err e = { 0 };
	char big[2000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ct_fail(&e, 0, "%s", big);
	ct_wrap(&e, "ctx");
	CHECK(strlen(e.msg) == sizeof e.msg - 1);
	CHECK(strncmp(e.msg, "ctx: xxx", 8) == 0);
	ct_append(&e, " (more)");
	CHECK(strlen(e.msg) == sizeof e.msg - 1);
	/* A context longer than the buffer: the context, cut. */
	ct_wrap(&e, "%s", big);
	CHECK(strlen(e.msg) == sizeof e.msg - 1 && e.msg[0] == 'x');
}

/* An errno alone reads as strerror's text; a caller's context in front
 * of it reads "what: strerror", with no empty message between. */
TEST(err_errno_alone)
{
	struct ct_err e = { 0 };
	char text[2048];

	CHECK(ct_errno(&e, ENOENT) == -1);
	CHECK_STR(ct_err_text(&e, text, sizeof text), "No such file or directory");
	ct_wrap(&e, "'%s'", "./nope");
	CHECK_STR(ct_err_text(&e, text, sizeof text), "'./nope': No such file or directory");
	CHECK(ct_fail_status(&e, 127, 0, "'%s' is not in the container", "sh") == -1);
	CHECK(e.status == 127 && e.errnum == 0);
	CHECK_STR(ct_err_text(&e, text, sizeof text), "'sh' is not in the container");
}
