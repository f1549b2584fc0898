#!/usr/bin/env bats
# Regression guards that count work instead of time: a timing is never
# a pass/fail test (it drifts 15% between runs on one machine), but the
# number of system calls a launch makes is the same on every run.

load helpers

@test "work: a launch with every resource makes at most 407 system calls and 10 per cgroup hierarchy (507 on the CI machine)" {
	command -v strace >/dev/null || skip "no strace (scripts/deps.sh installs it)"
	write_spec <<-'EOF'
		resources:
		  memory: 64M
		  cpu_shares: 512
		  cpuset: {cpus: "0", mems: "0"}
		command: [/bin/true]
	EOF
	local trace=$BATS_TEST_TMPDIR/strace
	# -f: the container's process too, up to its exec of /bin/true
	# (whose own calls are in the count, a handful).
	run strace -f -c -o "$trace" "$CTLAUNCH" "$SPEC"
	assert_status 0
	local total
	# "% time, seconds, usecs/call, calls, [errors,] total"
	total=$(awk '$NF == "total" { print $4 }' "$trace")
	[ -n "$total" ] || fail "no total in the strace summary: $(cat "$trace")"
	# The container gets a cgroup in every hierarchy, at about 10 calls
	# each (mkdir x2, the cgroup.procs write and its close, the leaf's
	# rmdir, the sweep's rmdir, the mount inside, its mount point's stat
	# and mkdir):
	# the bounds grow with the host's hierarchies, one line each of
	# /proc/self/cgroup (10 on the CI machine, 1 on a cgroup v2 host).
	local h
	h=$(wc -l </proc/self/cgroup)
	# 348 on the CI machine when this was first written (450 before the
	# capability and mount-point calls were cut), 304 since the vfork-
	# style child and the one-read ELF check (333 just before); 348 with
	# the descriptor-based setup (+44: each mask found by openat2 from
	# the proc or sysfs descriptor and mounted with open_tree or fsmount
	# and move_mount, about 4 calls where lstat and mount were 2; the
	# rootfs opened, checked and moved by descriptor; the command's
	# files opened once). With a cgroup in every hierarchy (issue 10),
	# +90: seven more hierarchies on the CI machine, the default
	# pids.max (3), memory.kmem.tcp (3) and the device rules (13: two
	# files, nine writes): 454 after both. With supervision that does not
	# trust the container, +24: the watcher (its pidfd_open, clone,
	# signal mask, poll, kill, wait4, closes: 8), the child's look at
	# that pidfd after each parent-death signal (2), the name's lock (8)
	# and the stale sweep (one rmdir per hierarchy): 492 with 10
	# hierarchies (498 by December). +8 for HOME, USER and LOGNAME from
	# the passwd entry of root, which a spec without user: never read
	# before (the rootfs, the file by O_PATH, its fstat, its reopen and
	# read, three closes): 506. +9 for the record of the running
	# container (issue 11: /proc/PID/stat's open, read and close, a
	# getcwd for a spec named by a relative path, the file's open,
	# write, close and rename, its unlink at exit): 515. 516 by issue
	# 10's close; 502 since the shared ctlaunch/ level stays between
	# runs (-10: its rmdir in each hierarchy; -4: the global lock not
	# taken again at exit, its open, two flocks and close; +1: the
	# fstatat that checks the name's lock is still the file of that
	# name after its flock, since ctlaunch --cleanup unlinks free ones);
	# the bound per hierarchy from 11 to 10. A new loop over
	# capabilities, or a retry per mount, shows up here.
	local bound=$((407 + 10 * h))
	[ "$total" -le "$bound" ] || fail "$total system calls with $h hierarchies (at most $bound expected):"$'\n'"$(cat "$trace")"

	# The calls that fail: the sweep's rmdir and the mount point's stat
	# in each hierarchy, the masks this kernel has no file for, the
	# capabilities past the last one. Not counted: the shared parent's
	# mkdir (EEXIST), which fails on every run but the first since that
	# level stays between runs (ctlaunch(1), FILES), and an rmdir's
	# EBUSY (a leaf whose exiting tasks have not left yet: the purge
	# tries again; on v2 ctlaunch/ beside the supervisor cgroup while
	# another container uses it); so the count is the same beside other
	# containers.
	run strace -f -Z -o "$trace" "$CTLAUNCH" "$SPEC"
	assert_status 0
	local failed
	failed=$(grep -E ' = -1 E' "$trace" | grep -vcE '^[0-9]+ +(mkdir\(.*EEXIST|rmdir\(.*EBUSY)')
	bound=$((20 + 2 * h))
	[ "$failed" -le "$bound" ] || fail "$failed failing system calls with $h hierarchies (at most $bound expected):"$'\n'"$(cat "$trace")"
}

@test "work: root's container process shares ctlaunch's memory until its exec (no fork, no pipes); so does the watcher" {
	command -v strace >/dev/null || skip "no strace (scripts/deps.sh installs it)"
	write_spec <<-'EOF2'
		resources:
		  memory: 64M
		command: [/bin/true]
	EOF2
	local trace=$BATS_TEST_TMPDIR/strace
	run strace -f -o "$trace" -e trace=clone,clone3,fork,vfork,pipe,pipe2 "$CTLAUNCH" "$SPEC"
	assert_status 0
	# Two clones. The container's shares ctlaunch's memory
	# (CLONE_VM|CLONE_VFORK): no page tables copied, no pipe to sync on.
	# The watcher's, which kills the container if ctlaunch dies whatever
	# the container did to its parent-death signal, shares the
	# descriptors only (CLONE_FILES): the OOM killer kills every process
	# that shares its victim's memory, and must not take the watcher
	# with ctlaunch (supervise.bats).
	assert_eq "process creations" 2 "$(grep -cE '(clone3?|v?fork)\(' "$trace")"
	assert_line_match "the container's clone" 'clone\(.*flags=CLONE_VM\|CLONE_PIDFD\|CLONE_VFORK\|' "$(cat "$trace")"
	assert_line_match "the watcher's clone" 'clone\(.*flags=CLONE_FILES\)' "$(cat "$trace")"
	assert_no_line "pipes" 'pipe2?\(' "$(cat "$trace")"
}

@test "work: a launch takes far fewer page faults than with a fork (perf stat)" {
	command -v perf >/dev/null && perf stat -e page-faults true >/dev/null 2>&1 ||
		skip "no perf (Debian's linux-perf) to count page faults"
	write_spec <<-'EOF2'
		resources:
		  memory: 64M
		  cpu_shares: 512
		  cpuset: {cpus: "0", mems: "0"}
		command: [/bin/true]
	EOF2
	local out faults
	out=$(perf stat -x, -e page-faults "$CTLAUNCH" "$SPEC" 2>&1 >/dev/null)
	faults=$(awk -F, '$3 == "page-faults" { print $1 }' <<<"$out")
	[ -n "$faults" ] || fail "no page-faults count in: $out"
	# The CI machine: 86 with the vfork-style child (launcher, child and
	# /bin/true together), 116 when the child was a fork (copy-on-write
	# faults in both processes), 77 for bench/floor.c. Each costs 15-35
	# us there (bench/README.md). 95 in December with the terminal, the
	# record and the join; 125 since the watcher has a memory of its own
	# (copy-on-write faults in ctlaunch and its child after the watcher's
	# clone: the price of a watcher the OOM killer does not take with
	# ctlaunch). libnl-route, linked in for network: bridges (issue 12),
	# adds about 8 at every start, bridge or not (its constructors
	# register its object types; ctlaunch --version: 46 instead of 38).
	[ "$faults" -le 150 ] || fail "$faults page faults (at most 150 expected)"
}
