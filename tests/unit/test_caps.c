#include "caps.h"
#include "t.h"

TEST(cap_names)
{
	char buf[512];

	CHECK(cap_number_of("CAP_NET_ADMIN") == 12);
	CHECK(cap_number_of("cap_net_admin") == 12);
	CHECK(cap_number_of("SYS_ADMIN") == 21);
	CHECK(cap_number_of("CAP_CHECKPOINT_RESTORE") == 40);
	CHECK(cap_number_of("CAP_NOPE") == -1 && cap_number_of("") == -1 && cap_number_of("CAP_") == -1);
	CHECK_STR(cap_name_of(0), "CAP_CHOWN");
	CHECK(cap_name_of(63) == NULL);
	caps_format(CAPS_DEFAULT, buf, sizeof buf);
	CHECK_STR(buf, "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,"
		       "CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_SETFCAP");
	/* podman's eleven, as /proc/self/status shows them in CapBnd. */
	CHECK(CAPS_DEFAULT == 0x800405fbULL);
	caps_format(0, buf, sizeof buf);
	CHECK_STR(buf, "");
}
