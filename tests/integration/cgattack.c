/* cgattack [-U] DIR: what a container's root can reach of the host's
 * cgroups by mounting every hierarchy again (issue 10 class 1, issue
 * 15 class 3). With -U, first a user namespace mapping root to itself,
 * a cgroup namespace and a mount namespace, as an attacker without
 * CAP_SYS_ADMIN does; without, only a mount namespace (the container
 * has CAP_SYS_ADMIN). Each hierarchy of /proc/self/cgroup is mounted on
 * DIR/N (DIR on a tmpfs of the container's), and reported, one line
 * each, so the test can judge:
 *   mount CONTROLLERS ok|ERRNO-NAME
 *   own CONTROLLERS PATH          (our cgroup there, from /proc/self/cgroup)
 *   release_agent CONTROLLERS     (the file is there: the hierarchy's real root)
 *   subdirs CONTROLLERS N         (cgroups below the namespace's root)
 *   foreign CONTROLLERS N         (tasks there that are not in our pid namespace)
 * Nothing is written to any cgroup file. Static, built by the test. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

static void report(const char *dir, const char *ctrls)
{
	char path[4096];
	struct stat st;
	DIR *d;
	const struct dirent *de;
	FILE *f;
	int n = 0, foreign = 0, pid;

	snprintf(path, sizeof path, "%s/release_agent", dir);
	if (stat(path, &st) == 0)
		printf("release_agent %s\n", ctrls);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	printf("subdirs %s %d\n", ctrls, n);
	/* A task outside our pid namespace is listed as 0 or not at all:
	 * count the pids /proc of ours does not have. */
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	while (f && fscanf(f, "%d", &pid) == 1) {
		snprintf(path, sizeof path, "/proc/%d", pid);
		if (pid <= 0 || stat(path, &st) < 0)
			foreign++;
	}
	if (f)
		fclose(f);
	printf("foreign %s %d\n", ctrls, foreign);
}

int main(int argc, char **argv)
{
	int userns = argc > 2 && strcmp(argv[1], "-U") == 0;
	const char *base = argv[argc - 1];
	char line[4096], dir[1024];
	FILE *f;
	int i = 0;

	if (argc < 2)
		return 2;
	if (userns) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWNS) < 0) {
			printf("unshare %s\n", strerrorname_np(errno));
			return 1;
		}
		put("/proc/self/setgroups", "deny");
		if (put("/proc/self/uid_map", "0 0 1") < 0 || put("/proc/self/gid_map", "0 0 1") < 0) {
			printf("map %s\n", strerrorname_np(errno));
			return 1;
		}
	} else if (unshare(CLONE_NEWNS) < 0) {
		printf("unshare %s\n", strerrorname_np(errno));
		return 1;
	}
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const char *ctrls;
		int rc;

		if (!c2)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		ctrls = c1[1] ? c1 + 1 : "cgroup2";
		printf("own %s %s\n", ctrls, c2 + 1);
		snprintf(dir, sizeof dir, "%s/%d", base, i++);
		mkdir(dir, 0700);
		if (c1[1])
			rc = mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, c1 + 1);
		else
			rc = mount("cgroup2", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		printf("mount %s %s\n", ctrls, rc < 0 ? strerrorname_np(errno) : "ok");
		if (rc == 0)
			report(dir, ctrls);
	}
	return 0;
}
