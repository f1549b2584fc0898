#!/usr/bin/env bats
# A hostile rootfs (issue 10, class 7): its /etc/passwd and /etc/group
# are the rootfs owner's to write, so ctlaunch looks at what they are
# before it reads them (never opens a device node or a FIFO there),
# reads only a file of sane size, and never splits a long line into two
# records. --check, --plan and a run share the code; each is tried.

load helpers

private_rootfs() {
	RF=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RF"
}

@test "hostile rootfs: a device node at /etc/passwd is never opened for reading" {
	command -v strace >/dev/null || skip "no strace (scripts/deps.sh installs it)"
	private_rootfs
	rm "$RF/etc/passwd"
	# The host's kernel log: an open for reading would be a reader of it.
	mknod "$RF/etc/passwd" c 1 11
	ROOTFS=$RF write_spec <<-'EOF2'
		user: lab
		command: [/bin/true]
	EOF2
	local mode
	for mode in --check --plan ""; do
		run --separate-stderr strace -f -o "$BATS_TEST_TMPDIR/trace" -e trace=open,openat,openat2 \
			"$CTLAUNCH" $mode "$SPEC"
		assert_status 125
		assert_match "stderr ($mode)" "user: the rootfs's /etc/passwd cannot be used: it is not a regular file" "$stderr"
		# Only an O_PATH open of it, which opens nothing.
		assert_line_match "the O_PATH open ($mode)" 'openat2\(.*"/etc/passwd".*O_PATH' "$(cat "$BATS_TEST_TMPDIR/trace")"
		assert_no_line "an open of the node ($mode)" '/dev/kmsg' "$(cat "$BATS_TEST_TMPDIR/trace")"
		# The reopen of a file found by O_PATH comes right after its
		# lookup: none after /etc/passwd's (--check reopens the
		# command's own file to read its header).
		local after
		after=$(grep -A1 'openat2(.*"/etc/passwd"' "$BATS_TEST_TMPDIR/trace" | grep -v '"/etc/passwd"' || true)
		assert_no_line "a reopen of the node ($mode)" '/proc/self/fd/' "$after"
	done
}

@test "hostile rootfs: a FIFO at /etc/group does not hang the check" {
	private_rootfs
	rm "$RF/etc/group"
	mkfifo "$RF/etc/group"
	ROOTFS=$RF write_spec <<-'EOF2'
		user: lab:wheel
		command: [/bin/true]
	EOF2
	run --separate-stderr timeout 20 "$CTLAUNCH" --check "$SPEC"
	assert_status 125
	assert_match "stderr" "user: the rootfs's /etc/group cannot be used: it is not a regular file" "$stderr"
}

@test "hostile rootfs: a huge sparse /etc/passwd is refused, not read" {
	private_rootfs
	truncate -s 3G "$RF/etc/passwd"
	ROOTFS=$RF write_spec <<-'EOF2'
		user: lab
		command: [/bin/true]
	EOF2
	run --separate-stderr timeout 20 "$CTLAUNCH" --check "$SPEC"
	assert_status 125
	assert_match "stderr" "/etc/passwd cannot be used: it is larger than 4 MiB" "$stderr"
}

@test "hostile rootfs: a long comment line cannot make user: lab uid 0" {
	private_rootfs
	# A 2000-byte comment whose bytes 1024 on read "lab:x:0:0:": a reader
	# with a 1024-byte line buffer takes that tail for a record.
	{
		printf '#%s' "$(head -c 1022 /dev/zero | tr '\0' x)"
		printf 'lab:x:0:0:%s\n' "$(head -c 990 /dev/zero | tr '\0' y)"
		cat "$ROOTFS/etc/passwd"
	} >"$RF/etc/passwd"
	ROOTFS=$RF write_spec <<-'EOF2'
		user: lab
		command: [/bin/sh, -c, 'id -u']
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "uid in the container" 1000 "$output"
}

# --- the rootfs on the host (class 9) ------------------------------------

# exposed_rootfs DIR: a copy of the rootfs at DIR/rootfs, with DIR and
# every directory above it searchable by every user.
exposed_rootfs() {
	EXPOSED=$1
	mkdir -p "$EXPOSED"
	chmod 755 "$EXPOSED"
	cp -a "$ROOTFS" "$EXPOSED/rootfs"
}

@test "rootfs on the host: a writable rootfs other users can reach gets a warning; read-only or private does not" {
	exposed_rootfs "$CT_BUILD/t-$NAME"
	ROOTFS=$EXPOSED/rootfs write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	local mode
	for mode in --check --plan ""; do
		run --separate-stderr ctl $mode "$SPEC"
		assert_status 0
		assert_match "the warning ($mode)" "warning: rootfs: '$EXPOSED/rootfs' is writable by the container's root and other users of this host can reach it" "$stderr"
	done
	ROOTFS=$EXPOSED/rootfs write_spec <<-'EOF2'
		readonly_rootfs: true
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl "$SPEC"
	rm -rf "$EXPOSED"
	assert_status 0
	assert_eq "stderr with readonly_rootfs" "" "$stderr"
	write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "stderr for the test rootfs (build/private)" "" "$stderr"
}

@test "rootfs on the host: a directory its mode keeps private but whose ACL lets another user search it gets the warning" {
	exposed_rootfs "$CT_BUILD/t-$NAME"
	chmod 700 "$EXPOSED"
	# u:59125:--x, as setfacl -m would write it (setfacl is not on
	# every machine): version 2, then {tag, perm, id} entries sorted by
	# tag: user_obj rwx, user 59125 x, group_obj -, mask x, other -.
	python3 - "$EXPOSED" <<-'PY'
		import os, struct, sys
		none = 0xffffffff
		acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in
		    [(1, 7, none), (2, 1, 59125), (4, 0, none), (16, 1, none), (32, 0, none)])
		os.setxattr(sys.argv[1], "system.posix_acl_access", acl)
	PY
	# The mode says private; the user of the ACL gets in all the same.
	assert_eq "mode" 710 "$(stat -c %a "$EXPOSED")"
	setpriv --reuid=59125 --regid=59125 --clear-groups ls "$EXPOSED/rootfs/bin/busybox" >/dev/null ||
		fail "the ACL's user cannot reach the rootfs: the test shows nothing"
	ROOTFS=$EXPOSED/rootfs write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl --check "$SPEC"
	rm -rf "$EXPOSED"
	assert_status 0
	assert_match "the warning" "warning: rootfs: '$EXPOSED/rootfs' is writable by the container's root and other users of this host can reach it" "$stderr"
}

@test "rootfs on the host: a setuid file the container writes is out of other users' reach (mkrootfs.sh)" {
	local dir=$CT_BUILD/t-$NAME
	rm -rf "$dir"
	sh "$ROOT/scripts/mkrootfs.sh" "$dir/rootfs" 2>/dev/null
	assert_eq "mode of the directory mkrootfs.sh made" 700 "$(stat -c %a "$dir")"
	ROOTFS=$dir/rootfs write_spec <<-'EOF2'
		command: [/bin/sh, -c, 'cp /bin/busybox /tmp/rootsh && chmod 4755 /tmp/rootsh']
	EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	[ -u "$dir/rootfs/tmp/rootsh" ] || { rm -rf "$dir"; fail "the container made no setuid file"; }
	# An ordinary user of the host tries it.
	run sh -c 'setpriv --reuid=59123 --regid=59123 --clear-groups "$1" id -u 2>&1; echo "exit $?"' \
		_ "$dir/rootfs/tmp/rootsh"
	rm -rf "$dir"
	assert_no_line "the setuid file ran as root" '^0$' "$output"
	assert_no_line "an ordinary user ran the container's setuid file" '^exit 0$' "$output"
}
