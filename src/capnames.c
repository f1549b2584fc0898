/* Capability names, as capabilities(7) spells them. Pure. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "caps.h"

static const char *const names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *cap_name_of(unsigned cap)
{
	return cap < sizeof names / sizeof names[0] ? names[cap] : NULL;
}

int cap_number_of(const char *name)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(bare, names[i] + 4) == 0)
			return (int)i;
	return -1;
}

void caps_format(uint64_t set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < CAPS_MAX && len < size; i++) {
		const char *n = cap_name_of(i);

		if (!(set & CAPS_BIT(i)))
			continue;
		if (n)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", n);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%u", len ? "," : "", i);
	}
}
