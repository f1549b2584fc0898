# scripts/v1-cgroups.sh: sourced (bash) by bench/run.sh and
# tests/oci-diff.sh, which run crun and runc beside ctlaunch. crun 1.8
# refuses this machine's hybrid layout (v1 hierarchies and a cgroup2
# "unified" mount); both callers run in a private mount namespace of
# their own (unshare -m --propagation private) and call
# remount_v1_cgroups there, which makes /sys/fs/cgroup a fresh tmpfs
# with the v1 hierarchies mounted again by their controllers' names and
# no unified mount: to crun a plain v1 host. The host's mounts are never
# touched; the cgroups made in these hierarchies are the host's.

# The v1 hierarchies: "mountpoint superoptions" per line.
v1_hierarchies() {
	awk '{ split($0, h, " - "); split(h[1], f, " "); split(h[2], g, " ")
	       if (g[1] == "cgroup" && index(f[5], "/sys/fs/cgroup/") == 1) print f[5], g[3] }' \
		/proc/self/mountinfo
}

# In the private mount namespace only. Symlinks such as
# cpu -> cpu,cpuacct are made again too.
remount_v1_cgroups() {
	local cg=/sys/fs/cgroup list links dir opts o name target
	list=$(v1_hierarchies)
	links=$(find $cg -maxdepth 1 -type l -printf '%f %l\n')
	umount -R $cg
	mount -t tmpfs -o mode=755,size=64k v1-cgroups $cg
	while read -r dir opts; do
		o=$(tr , '\n' <<<"$opts" |
			grep -Ev '^(rw|ro|clone_children|noprefix|xattr|cpuset_v2_mode|release_agent=.*)$' |
			paste -sd, -)
		mkdir -p "$dir"
		mount -t cgroup -o "$o" cgroup "$dir"
	done <<<"$list"
	while read -r name target; do
		[ -n "$name" ] && ln -s "$target" "$cg/$name"
	done <<<"$links"
	return 0
}
