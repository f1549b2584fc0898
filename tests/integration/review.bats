#!/usr/bin/env bats
# Findings of the review after issues 10 and 15 landed: attacks on the
# merged branches (descriptor setup, userns, supervision, cgroups), each
# a real container, each failing against the launcher before its fix.

load helpers

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	WORK=$(mktemp -d /tmp/ctlt-review.XXXXXX)
	chmod 755 "$WORK"
	HOST_PATHS=()
}

teardown() {
	rm -rf "$WORK"
	local f
	for f in "${HOST_PATHS[@]}"; do rm -rf "$f"; done
	helpers_teardown
}

# A private copy of the rootfs, root's, in $WORK (which root owns).
copy_rootfs() {
	cp -a "$ROOTFS" "$WORK/rfs"
	ROOTFS=$WORK/rfs
}

@test "stdio: a directory on descriptor 0, 1 or 2 is refused: the container never gets the host's tree, a rootfs link to it makes nothing on the host" {
	# A hostile rootfs: /data is a link to /proc/self/fd/0. With the
	# caller's stdin on the host's /, ctlaunch (host root) made the
	# mount point /data/<x> at /<x> on the host; and any command could
	# read /proc/self/fd/0/etc/shadow.
	copy_rootfs
	rm -rf "$ROOTFS/data"
	ln -s /proc/self/fd/0 "$ROOTFS/data"
	local probe=ctlt-review-$NAME
	HOST_PATHS+=("/$probe")
	write_spec <<-EOF
		mounts:
		  - {type: tmpfs, target: /data/$probe}
		command: 'echo ran'
	EOF
	run --separate-stderr ctl "$SPEC" 0</
	[ ! -e "/$probe" ] || fail "ctlaunch made /$probe on the host"
	assert_status 125
	assert_contains stderr "descriptor 0 is a directory" "$stderr"
	# The command alone, which reads the host's /etc through fd 0.
	run --separate-stderr ctl "$SPEC" -- /bin/ls /proc/self/fd/0/etc/shadow 0</
	assert_status 125
	assert_no_line stdout shadow "$output"
	# 1 and 2 (through bash: `run` takes them for itself).
	local fd
	for fd in 1 2; do
		run bash -c 'CTLT_MARKER=$2 "$0" "$1" -- /bin/echo ran 2>/dev/null '"$fd"'</; echo "rc=$?"' \
			"$CTLAUNCH" "$SPEC" "$NAME"
		assert_line "descriptor $fd" rc=125 "$output"
	done
	# A file on 0 still works (a spec without the hostile target).
	write_spec <<<'command: [/bin/cat]'
	run --separate-stderr ctl "$SPEC" </etc/hostname
	assert_status 0
	assert_eq stdout "$(cat /etc/hostname)" "$output"
}
