#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ns.h"
#include "util.h"

int ns_sethostname(const char *name, struct ct_err *e)
{
	if (sethostname(name, strlen(name)) < 0)
		return ct_fail(e, errno, "sethostname %s", name);
	return 0;
}

int ns_lo_up(struct ct_err *e)
{
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return ct_fail(e, errno, "socket");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return ct_fail(e, errno, "get the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return ct_fail(e, errno, "bring up lo");
	return 0;
}
