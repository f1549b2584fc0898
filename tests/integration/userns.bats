#!/usr/bin/env bats
# userns: true (issue 15, class 5): root's container in a user namespace
# of its own, its ids 0..65535 the host's 2147352576.. (CT_USERNS_START),
# so that its root is not host root: per-user kernel counters, files it
# writes and its cgroup files are not host root's.

load helpers

# The range's first id: the user "ctlaunch" of /etc/subuid if there is
# one, else CT_USERNS_START.
USERNS_START=$(awk -F: '$1 == "ctlaunch" { print $2; exit }' /etc/subuid 2>/dev/null)
USERNS_START=${USERNS_START:-2147352576}

# A copy of the rootfs with the static counters helper in it; the copy
# is root's, as build/private/rootfs is.
rootfs_with_counters() {
	RF=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RF"
	${CC:-cc} -static -O2 -o "$RF/bin/counters" "$BATS_TEST_DIRNAME/progs/counters.c" ||
		fail "cannot build tests/integration/progs/counters.c"
}

@test "userns: root inside is a host id of the range; the rootfs's root-owned files stay the host's" {
	rootfs_with_counters
	ROOTFS=$RF write_spec <<-'EOF2'
		userns: true
		resources:
		  memory: 64M
		command:
		  - /bin/sh
		  - -c
		  - |
		    id -u; cat /proc/self/uid_map
		    echo x >>/etc/passwd && echo "wrote /etc/passwd"
		    cp /bin/busybox /tmp/rootsh && chmod 4755 /tmp/rootsh && echo "setuid made"
		    read line || true
	EOF2
	ctl_bg "$SPEC"
	wait_for_line "setuid made" || fail "the container did not get there: $(cat "$BG_ERR")"
	local pid
	pid=$(container_init_pid "$(cg_dir memory)")
	assert_eq "host uid of the container's pid 1" "$USERNS_START $USERNS_START $USERNS_START $USERNS_START" \
		"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")"
	assert_eq "memory limit in its cgroup" 67108864 "$(cat "$(cg_dir memory)/memory.limit_in_bytes")"
	bg_wait
	assert_status 0
	assert_line "uid inside" 0 "$(cat "$BG_OUT")"
	assert_line_match "uid map" "^ +0 +$USERNS_START +65536$" "$(cat "$BG_OUT")"
	assert_no_line "a write to the rootfs's /etc/passwd" "wrote /etc/passwd" "$(cat "$BG_OUT")"
	# The setuid file belongs to the range on the host: setuid to an
	# unprivileged id, never to root.
	assert_eq "owner of the setuid file on the host" "$USERNS_START" "$(stat -c %u "$RF/tmp/rootsh")"
}

# hog KIND: the container takes all it may of a per-user counter while
# host root tries one; host root must get it. Without a user namespace
# (or with one owned by host root: the counters are charged up the chain
# of namespace owners) host root's own count runs out.
hog() {
	rootfs_with_counters
	ROOTFS=$RF write_spec <<-EOF2
		userns: true
		command: [/bin/counters, hog-$1]
	EOF2
	ctl_bg "$SPEC"
	local i
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		grep -qE '^[0-9]+ ' "$BG_OUT" && break
		is_running "$BG_PID" || break
		sleep 0.05
	done
	run "$RF/bin/counters" "probe-$1"
	local probe=$output
	bg_wait
	assert_status 0
	output=$probe
	assert_match "the container's hog" "^[0-9]+ " "$(cat "$BG_OUT")"
	assert_eq "host root's probe while the container holds all it may" ok "$output"
}

@test "userns: host root's inotify instances are untouched by a container that takes all it may" {
	hog inotify
}

@test "userns: host root's pending signals are untouched by a container that queues all it may" {
	hog sigpending
}

@test "userns: host root's POSIX mqueue bytes are untouched by a container that fills its RLIMIT_MSGQUEUE" {
	hog mqueue
}

# A listing of a tree with every name, type, size, mode, owner, link
# target and file's sha256: equal before and after means untouched.
tree_state() {
	(cd "$1" && find . -printf '%p %y %s %m %U:%G %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# The lower for the overlay tests: the counters' copy (host root's),
# with a file only root may read, in a 0700 /root, and the test's
# script: who owns / and the rootfs's files inside, a write to
# /etc/passwd (copied up), a new file and a setuid one; with "wait",
# it then waits for its standard input to end.
overlay_lower() {
	rootfs_with_counters
	mkdir -p "$RF/root"
	chmod 700 "$RF/root"
	echo "for root only" >"$RF/root/secret"
	chmod 600 "$RF/root/secret"
	cat >"$RF/bin/ovtest" <<-'EOF2'
		stat -c "%u:%g %n" / /etc/passwd /root/secret
		cat /root/secret
		echo "lab:x:1000:1000::/home/lab:/bin/sh" >>/etc/passwd && echo "wrote /etc/passwd"
		cat /kept 2>/dev/null || echo "nothing kept"
		echo kept >/kept && cp /bin/busybox /rootsh && chmod 4755 /rootsh && echo "setuid made"
		[ "${1:-}" != wait ] || read -r line || true
	EOF2
	tree_state "$RF" >"$BATS_TEST_TMPDIR/before"
}

assert_overlay_inside() {
	assert_line "/ inside" "0:0 /" "$1"
	assert_line "/etc/passwd inside" "0:0 /etc/passwd" "$1"
	assert_line "the root-only file inside" "0:0 /root/secret" "$1"
	assert_line "the root-only file read" "for root only" "$1"
	assert_line "the write to /etc/passwd" "wrote /etc/passwd" "$1"
	assert_line "the setuid file" "setuid made" "$1"
}

@test "userns overlay tmpfs: the rootfs is root's and writable inside, the writes the range's on the host, the lower untouched" {
	overlay_lower
	ROOTFS="{path: $RF, overlay: tmpfs}" write_spec <<-EOF2
		userns: true
		command: [/bin/sh, /bin/ovtest, wait]
	EOF2
	ctl_bg "$SPEC"
	wait_for_line "setuid made" || fail "the container did not get there: $(cat "$BG_ERR")"
	local pid
	pid=$(container_init_pid "$(cg_dir memory)")
	# Its tmpfs upper is seen from the host through its root: the files
	# it wrote, the copied-up one too, are the range's, never host root's.
	assert_eq "the setuid file on the host" "$USERNS_START 4755" "$(stat -c '%u %a' "/proc/$pid/root/rootsh")"
	assert_eq "the copied-up /etc/passwd on the host" "$USERNS_START" "$(stat -c %u "/proc/$pid/root/etc/passwd")"
	assert_eq "the new file on the host" "$USERNS_START" "$(stat -c %u "/proc/$pid/root/kept")"
	bg_wait
	assert_status 0
	assert_overlay_inside "$(cat "$BG_OUT")"
	tree_state "$RF" >"$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_status 0
}

@test "userns overlay DIR: upper and work are the range's, so is all the container wrote; kept for the next run; the lower untouched" {
	overlay_lower
	local dir=$BATS_TEST_TMPDIR/state
	ROOTFS="{path: $RF, overlay: $dir}" write_spec <<-EOF2
		userns: true
		command: [/bin/sh, /bin/ovtest]
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_overlay_inside "$output"
	assert_line "the first run" "nothing kept" "$output"
	assert_eq "DIR" "700 0:0" "$(stat -c '%a %u:%g' "$dir")"
	assert_eq "DIR/upper" "$USERNS_START:$USERNS_START" "$(stat -c '%u:%g' "$dir/upper")"
	assert_eq "DIR/work" "700 $USERNS_START:$USERNS_START" "$(stat -c '%a %u:%g' "$dir/work")"
	assert_eq "the setuid file in DIR/upper" "4755 $USERNS_START" "$(stat -c '%a %u' "$dir/upper/rootsh")"
	assert_eq "the copied-up /etc/passwd in DIR/upper" "$USERNS_START" "$(stat -c %u "$dir/upper/etc/passwd")"
	assert_eq "files of DIR/upper that are host root's" "" "$(find "$dir/upper" -uid 0 -o -gid 0)"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "the second run finds the first's file" kept "$output"
	tree_state "$RF" >"$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_status 0
}

@test "userns overlay DIR: an upper a run without userns: true made (host root's) is refused, untouched" {
	overlay_lower
	local dir=$BATS_TEST_TMPDIR/state
	mkdir -m 700 "$dir" "$dir/upper"
	echo root >"$dir/upper/mine"
	ROOTFS="{path: $RF, overlay: $dir}" write_spec <<-'EOF2'
		userns: true
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_match "stderr" "rootfs.overlay: '.*/state/upper' is uid 0's and gid 0's, not the user namespace's" "$stderr"
	assert_eq "the upper" "0:0 root" "$(stat -c '%u:%g' "$dir/upper") $(cat "$dir/upper/mine")"
}

@test "userns: with CAP_SYS_ADMIN it mounts its cgroup hierarchy and still cannot lift its limit" {
	ROOTFS=$ROOTFS write_spec <<-'EOF2'
		userns: true
		capabilities:
		  add: [CAP_SYS_ADMIN]
		resources:
		  memory: 64M
		command:
		  - /bin/sh
		  - -c
		  - |
		    mkdir -p /tmp/cg && mount -t cgroup -o memory cgroup /tmp/cg || exit 9
		    cat /tmp/cg/memory.limit_in_bytes
		    echo 1073741824 >/tmp/cg/memory.limit_in_bytes && echo "lifted"
		    umount /tmp/cg
		    exit 0
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "its own limit, seen at the root of the hierarchy" 67108864 "$output"
	assert_no_line "the limit lifted" lifted "$output"
}

@test "userns: the spec's user is an id of the range; one past it is refused" {
	write_spec <<-'EOF2'
		userns: true
		user: lab
		resources:
		  memory: 64M
		command: [/bin/sh, -c, 'id -u; read line || true']
	EOF2
	ctl_bg "$SPEC"
	wait_for_line 1000 || fail "no output: $(cat "$BG_ERR")"
	assert_eq "host uid of user lab" $((USERNS_START + 1000)) \
		"$(awk '/^Uid:/ { print $2 }' "/proc/$(container_init_pid "$(cg_dir memory)")/status")"
	bg_wait
	assert_status 0
	write_spec <<-'EOF2'
		userns: true
		user: "70000:0"
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_match "stderr" "user: uid 70000 is not mapped in the container's user namespace \(userns: true maps ids 0 to 65535" "$stderr"
}

@test "userns: --plan shows the maps and the namespace's owner" {
	write_spec <<-'EOF2'
		userns: true
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl --plan "$SPEC"
	assert_status 0
	assert_line_match "clone" "clone CLONE_NEWUSER.* as euid $USERNS_START egid $USERNS_START" "$output"
	assert_line_match "uid map" "write 0 $USERNS_START 65536 to /proc/<child pid>/uid_map$" "$output"
	assert_line_match "gid map" "write 0 $USERNS_START 65536 to /proc/<child pid>/gid_map$" "$output"
}
