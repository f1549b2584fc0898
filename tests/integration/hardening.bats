#!/usr/bin/env bats
# Isolation and hardening (issue 3): every attack from inside a real
# container fails and leaves the host as it was; the default capability
# set, no_new_privs, the masked and read-only kernel files, the session;
# the spec's user, capabilities, mounts, read-only rootfs, rlimits, pids
# and CPU quota; CVE-2019-5736; and the spec errors of the new keys.
#
# Tests that change the rootfs (links, scripts, mount points) work on a
# private copy of build/private/rootfs, never on the shared one.

load helpers

# podman's eleven: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
# SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP.
CAPS_DEFAULT=00000000800405fb
CAPS_ZERO=0000000000000000

# --- helpers of this file ----------------------------------------------

# private_rootfs: a copy of build/private/rootfs in the test's directory, in $RF.
# Use as `ROOTFS=$RF write_spec`.
private_rootfs() {
	RF=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RF"
}

# A listing of a directory tree (type, mode, owner, size, name), to
# compare before and after a run: nothing may be made, removed or changed.
# The files of bats's `run --separate-stderr` are not the run's doing.
tree_of() {
	find "$1" -mindepth 1 -maxdepth "${2:-64}" ! -name 'separate-stderr-*' \
		-printf '%y %m %u %s %p\n' 2>/dev/null | sort
}

# ctl_t ARGS...: ctl with a time limit, so a hanging ctlaunch fails the
# test instead of stalling the suite.
ctl_t() {
	CTLT_MARKER=$NAME timeout -k 5 "${CTL_TIMEOUT:-30}" "$CTLAUNCH" "$@"
}

# The host's mount table right now against the one setup saw (teardown
# checks it too; asserting here names the test's own step).
assert_host_mounts_unchanged() {
	local d
	d=$(list_mounts | diff "$MNT_BEFORE" - 2>&1) && return 0
	fail "the host's mount table changed:"$'\n'"$d"
}

# assert_host_names HOST DOMAIN: the host's host and domain names are
# still these. A container that renamed the machine must not spoil the
# tests after it: the names are put back before the test fails. Call it
# right after the run.
assert_host_names() {
	local h d
	h=$(cat /proc/sys/kernel/hostname) d=$(cat /proc/sys/kernel/domainname)
	[ "$h" = "$1" ] && [ "$d" = "$2" ] && return 0
	echo "$1" >/proc/sys/kernel/hostname
	echo "$2" >/proc/sys/kernel/domainname
	fail "the container renamed the host: hostname '$1' -> '$h', domainname '$2' -> '$d' (put back)"
}

# cap_line NAME TEXT: the hex value of /proc/self/status line NAME: in TEXT.
cap_line() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$2"
}

# assert_caps TEXT INH PRM EFF BND AMB: the five sets in a
# /proc/self/status dump.
assert_caps() {
	assert_eq "CapInh" "$2" "$(cap_line CapInh "$1")"
	assert_eq "CapPrm" "$3" "$(cap_line CapPrm "$1")"
	assert_eq "CapEff" "$4" "$(cap_line CapEff "$1")"
	assert_eq "CapBnd" "$5" "$(cap_line CapBnd "$1")"
	assert_eq "CapAmb" "$6" "$(cap_line CapAmb "$1")"
}

# bad_spec LINE:COL KEY ERE: run $SPEC (rootfs $RF), which holds one
# error: exit 125, one line "<spec>:LINE:COL: KEY: ..." matching ERE,
# nothing on stdout, and nothing created: no memory cgroup (the specs ask
# for one), the rootfs and the spec's directory unchanged.
bad_spec() {
	local rf_before dir_before
	rf_before=$(tree_of "$RF")
	dir_before=$(tree_of "$BATS_TEST_TMPDIR" 1)
	run --separate-stderr ctl_t "$SPEC"
	assert_status 125
	assert_eq "stdout" "" "$output"
	assert_eq "stderr lines" 1 "$(grep -c . <<<"$stderr")"
	assert_match "stderr" "^(.*/)?$NAME\.yaml:$1: $2: " "$stderr"
	assert_match "stderr" "$3" "$stderr"
	[ ! -e "$(cg_dir memory)" ] || fail "a memory cgroup was made: $(cg_dir memory)"
	assert_eq "the rootfs" "$rf_before" "$(tree_of "$RF")"
	assert_eq "the spec's directory" "$dir_before" "$(tree_of "$BATS_TEST_TMPDIR" 1)"
	assert_host_mounts_unchanged
}

# refused_5736 CMD...: the command must be refused with 126 and a message
# naming CVE-2019-5736, and the host's ctlaunch stays byte for byte.
refused_5736() {
	local before after
	before=$(sha256sum <"$CTLAUNCH")
	run --separate-stderr ctl_t "$SPEC" -- "$@"
	after=$(sha256sum <"$CTLAUNCH")
	assert_status 126
	assert_no_line "stdout" '.' "$output"
	assert_match "stderr of '$*'" "^ctlaunch: $NAME: exec $1: .*CVE-2019-5736" "$stderr"
	assert_eq "sha256 of $CTLAUNCH after '$*'" "$before" "$after"
}

# --- attacks: each fails, and the host is unchanged --------------------

@test "attack: mount, remount and umount fail with EPERM; the host's mounts are unchanged" {
	write_spec <<-'EOF'
		command: |
		  # busybox says "permission denied (are you root?)" for EPERM only.
		  mount -t tmpfs none /tmp 2>&1; echo "tmpfs $?"
		  mount -t proc proc /tmp 2>&1; echo "proc $?"
		  mount -o bind / /tmp 2>&1; echo "bind $?"
		  mount -o remount,rw /proc/sys 2>&1; echo "remount $?"
		  umount /proc/keys 2>&1; echo "umount $?"
		  awk '$5 == "/tmp" { print "mounted", $5 }' /proc/self/mountinfo
		  awk '$5 == "/proc/sys" { print "proc/sys", $6 }' /proc/self/mountinfo
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	local what
	for what in tmpfs proc bind remount umount; do
		assert_line_match "inside" "^$what [1-9][0-9]*\$" "$output"
	done
	assert_eq "EPERM from mount" 4 "$(grep -c 'permission denied (are you root?)' <<<"$output")"
	assert_line_match "umount" 'unmount /proc/keys: Operation not permitted' "$output"
	assert_no_line "inside" '^mounted ' "$output"
	assert_line_match "/proc/sys inside" '^proc/sys ro(,|$)' "$output"
	assert_host_mounts_unchanged
}

@test "attack: mknod fails with EPERM and makes no node" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: |
		  mknod /x c 1 3 2>&1; echo "mknod $?"
		  mknod /dev/mem2 c 1 1 2>&1; echo "mknod-dev $?"
		  mknod /dev/shm/sda b 8 0 2>&1; echo "mknod-blk $?"
		  test -e /x && echo "node made"
		  true
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_line_match "inside" '^mknod [1-9]' "$output"
	assert_line_match "inside" '^mknod-dev [1-9]' "$output"
	assert_line_match "inside" '^mknod-blk [1-9]' "$output"
	assert_eq "Operation not permitted" 3 "$(grep -c 'Operation not permitted' <<<"$output")"
	assert_no_line "inside" 'node made' "$output"
	[ ! -e "$RF/x" ] || fail "mknod made $RF/x on the host"
}

@test "attack: /proc/sys/kernel, /proc/sysrq-trigger and /sys refuse writes; the host's values stay" {
	local core dom ksm=
	core=$(cat /proc/sys/kernel/core_pattern)
	dom=$(cat /proc/sys/kernel/domainname)
	[ -e /sys/kernel/mm/ksm/run ] && ksm=$(cat /sys/kernel/mm/ksm/run)
	# Each write puts back the value that is there: if a protection were
	# missing, the write's status fails the test and the host is unharmed.
	write_spec <<-'EOF'
		command: |
		  (echo evil >/proc/sys/kernel/hostname) 2>&1; echo "hostname $?"
		  (echo evil >/proc/sys/kernel/domainname) 2>&1; echo "domainname $?"
		  (cat /proc/sys/kernel/core_pattern >/proc/sys/kernel/core_pattern) 2>&1; echo "core_pattern $?"
		  test -e /proc/sysrq-trigger && echo "sysrq present"
		  (echo >/proc/sysrq-trigger) 2>&1; echo "sysrq $?"
		  if test -e /sys/kernel/mm/ksm/run; then
		    (cat /sys/kernel/mm/ksm/run >/sys/kernel/mm/ksm/run) 2>&1; echo "ksm $?"
		  fi
		  mkdir /sys/kernel/ctlt 2>&1; echo "mkdir $?"
		  echo "name $(hostname)"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_host_names "$HOST_HOSTNAME" "$dom"
	assert_status 0
	local what
	for what in hostname domainname core_pattern sysrq mkdir; do
		assert_line_match "inside" "^$what [1-9][0-9]*\$" "$output"
	done
	[ -z "$ksm" ] || assert_line_match "inside" '^ksm [1-9][0-9]*$' "$output"
	assert_eq "read-only refusals in /proc/sys" 3 \
		"$(grep -c "can't create /proc/sys/kernel/.*: Read-only file system" <<<"$output")"
	# This kernel may lack sysrq (CONFIG_MAGIC_SYSRQ): then it is absent
	# inside too; where the host has it, it is a read-only mount.
	if [ -e /proc/sysrq-trigger ]; then
		assert_line "inside" "sysrq present" "$output"
		assert_line_match "sysrq" "sysrq-trigger: Read-only file system" "$output"
	else
		assert_no_line "inside" '^sysrq present' "$output"
	fi
	assert_line "inside" "name $NAME" "$output"
	assert_eq "host core_pattern" "$core" "$(cat /proc/sys/kernel/core_pattern)"
	[ -z "$ksm" ] || assert_eq "host ksm/run" "$ksm" "$(cat /sys/kernel/mm/ksm/run)"
	[ ! -e /sys/kernel/ctlt ] || fail "/sys/kernel/ctlt was made on the host"
}

@test "attack: the masked files read empty and the masked directories are empty, where the host's have content" {
	# On the host: which masked paths exist, and that those have content.
	local f d host_files='' host_dirs=''
	for f in /proc/kcore /proc/keys /proc/interrupts /proc/timer_list /proc/sched_debug \
		/proc/latency_stats /proc/timer_stats; do
		[ -e "$f" ] || continue
		host_files+="$f "
	done
	for d in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
		[ -d "$d" ] && [ -n "$(ls -A "$d")" ] && host_dirs+="$d "
	done
	# Where the host has /proc/keys and /proc/kcore, they must have
	# content there, or an empty read inside proves nothing.
	[ ! -e /proc/keys ] || [ "$(head -c 1 /proc/keys | wc -c)" -eq 1 ] ||
		fail "the host's /proc/keys is empty: the test cannot tell a mask from nothing"
	[ ! -e /proc/kcore ] || [ "$(head -c 1 /proc/kcore | wc -c)" -eq 1 ] ||
		fail "the host's /proc/kcore reads nothing"

	write_spec <<-'EOF'
		command: |
		  for f in /proc/kcore /proc/keys /proc/interrupts /proc/timer_list /proc/sched_debug \
		           /proc/latency_stats /proc/timer_stats; do
		    if test -e $f; then echo "file $f $(cat $f | wc -c)"; else echo "file $f absent"; fi
		  done
		  for d in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
		    if test -d $d; then echo "dir $d $(ls -A $d | wc -l)"; else echo "dir $d absent"; fi
		  done
		  (echo x >/proc/acpi/x) 2>/dev/null && echo "acpi writable"
		  true
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	for f in /proc/kcore /proc/keys /proc/interrupts /proc/timer_list /proc/sched_debug \
		/proc/latency_stats /proc/timer_stats; do
		if [[ " $host_files" == *" $f "* ]]; then
			assert_line "inside: $f is masked" "file $f 0" "$output"
		else
			assert_line_match "inside: $f" "^file $f (absent|0)\$" "$output"
		fi
	done
	for d in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
		if [[ " $host_dirs" == *" $d "* ]]; then
			assert_line "inside: $d is masked" "dir $d 0" "$output"
		else
			assert_line_match "inside: $d" "^dir $d (absent|0)\$" "$output"
		fi
	done
	assert_no_line "inside" 'writable' "$output"
}

@test "attack: a host process is neither seen nor signalled" {
	local sleeper
	sleep 60 </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	sleeper=$!
	# The container's own pids are small: a small host pid could be one.
	[ "$sleeper" -gt 100 ] || { kill "$sleeper"; skip "host pid $sleeper is too small to tell apart"; }
	write_spec <<-EOF
		command: |
		  test -e /proc/$sleeper && echo "visible"
		  kill -0 $sleeper 2>&1; echo "kill0 \$?"
		  kill -KILL $sleeper 2>&1; echo "kill9 \$?"
		  kill -0 1 && echo "own pid 1 ok"
		  ls /proc | grep -c '^[0-9]' | sed 's/^/procs /'
	EOF
	run --separate-stderr ctl_t "$SPEC"
	local alive=
	is_running "$sleeper" && alive=1
	kill "$sleeper" 2>/dev/null || true
	wait "$sleeper" 2>/dev/null || true
	assert_status 0
	assert_no_line "inside" '^visible' "$output"
	assert_line_match "inside" '^kill0 [1-9]' "$output"
	assert_line_match "inside" '^kill9 [1-9]' "$output"
	assert_line_match "kill" "$sleeper.*No such process" "$output"
	assert_line "inside" "own pid 1 ok" "$output"
	[ -n "$alive" ] || fail "the host's sleep (pid $sleeper) was killed from the container"
}

@test "attack: hostname changes only the container's name; with CAP_SYS_ADMIN too" {
	local dom
	dom=$(cat /proc/sys/kernel/domainname)
	write_spec <<-'EOF'
		command: |
		  hostname evil 2>&1; echo "hostname $?"
		  echo "now $(hostname)"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_host_names "$HOST_HOSTNAME" "$dom"
	assert_status 0
	assert_line_match "inside" '^hostname [1-9]' "$output"
	assert_line_match "inside" 'sethostname: Operation not permitted' "$output"
	assert_line "inside" "now $NAME" "$output"

	# Given the capability, the container renames its own UTS namespace
	# and nothing else.
	write_spec <<-'EOF'
		capabilities:
		  add: [CAP_SYS_ADMIN]
		command: |
		  hostname evil 2>&1; echo "hostname $?"
		  echo "now $(hostname) $(uname -n)"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_host_names "$HOST_HOSTNAME" "$dom"
	assert_status 0
	assert_line "inside" "hostname 0" "$output"
	assert_line "inside" "now evil evil" "$output"
}

@test "attack: the old root is out of reach: / is the rootfs, no stacked root, a host file unreachable" {
	private_rootfs
	local marker=$BATS_TEST_TMPDIR/host-only-$NAME
	echo secret >"$marker"
	ROOTFS=$RF write_spec <<-EOF
		command: |
		  echo "ls \$(ls -a / | tr '\n' ' ')"
		  test -e $marker && echo "marker by path"
		  test -e /proc/1/root$marker && echo "marker by /proc/1/root"
		  cd /../../..; echo "up \$(pwd) \$(ls | tr '\n' ' ')"
		  echo "root \$(readlink /proc/1/root)"
		  awk '\$5 == "/" { n++ } END { print "slash mounts", n }' /proc/self/mountinfo
		  for d in /.oldroot /oldroot /.pivot_root /old_root /put_old; do test -e \$d && echo "leftover \$d"; done
		  grep -rl secret /tmp /root /home 2>/dev/null | sed 's/^/found /'
		  true
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_eq "ls -a / inside" "ls $(LC_ALL=C ls -a "$RF" | tr '\n' ' ')" "$(grep '^ls ' <<<"$output")"
	assert_no_line "inside" '^marker' "$output"
	assert_eq "cd /../../.." "up / $(LC_ALL=C ls "$RF" | tr '\n' ' ')" "$(grep '^up ' <<<"$output")"
	assert_line "inside" "root /" "$output"
	# pivot_root(".", ".") stacks the old root on /: it must be gone.
	assert_line "inside" "slash mounts 1" "$output"
	assert_no_line "inside" '^(leftover|found) ' "$output"
	assert_eq "the rootfs copy: no leftovers" "" \
		"$(LC_ALL=C comm -13 <(LC_ALL=C ls -a "$ROOTFS") <(LC_ALL=C ls -a "$RF"))"
}

# --- links in the rootfs (the class of CVE-2021-30465) -----------------

@test "links: a mount target that is a link to /etc is refused (125); the host's /etc is untouched" {
	private_rootfs
	ln -sT /etc "$RF/ctlt-etc"
	local etc_before
	etc_before=$(tree_of /etc 1)
	ROOTFS=$RF write_spec <<-'EOF'
		mounts:
		  - {type: tmpfs, target: /ctlt-etc, size: 1M}
		command: touch /ctlt-etc/pwned-by-ctlt; echo ran
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 125
	assert_no_line "stdout" '^ran' "$output"
	# The spec's target is at line 3, column 26.
	assert_match "stderr" "^ctlaunch: $NAME: mount tmpfs on /ctlt-etc: the target is a symbolic link in the rootfs \\((.*/)?$NAME\\.yaml:3:27\\)" "$stderr"
	assert_eq "the host's /etc" "$etc_before" "$(tree_of /etc 1)"
	[ ! -e /etc/pwned-by-ctlt ] || fail "/etc/pwned-by-ctlt was made on the host"
	[ -L "$RF/ctlt-etc" ] || fail "the link in the rootfs was replaced"
	assert_host_mounts_unchanged
}

@test "links: a bind target that is a link to ../../.. is refused (125); the host above the rootfs is untouched" {
	private_rootfs
	ln -sT ../../.. "$RF/ctlt-up"
	mkdir "$BATS_TEST_TMPDIR/src"
	echo bound >"$BATS_TEST_TMPDIR/src/file"
	# Where ../../.. from the rootfs's / would land on the host.
	local above above_before
	above=$(cd "$RF/../../.." && pwd)
	above_before=$(tree_of "$above" 1)
	ROOTFS=$RF write_spec <<-'EOF'
		mounts:
		  - {type: bind, source: src, target: /ctlt-up}
		command: touch /ctlt-up/pwned-by-ctlt; echo ran
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 125
	assert_no_line "stdout" '^ran' "$output"
	assert_match "stderr" "^ctlaunch: $NAME: bind mount on /ctlt-up: the target is a symbolic link in the rootfs \\((.*/)?$NAME\\.yaml:3:39\\)" "$stderr"
	assert_eq "the host's $above" "$above_before" "$(tree_of "$above" 1)"
	[ -L "$RF/ctlt-up" ] || fail "the link in the rootfs was replaced"
	assert_host_mounts_unchanged
}

@test "links: a target below a link resolves inside the rootfs: /etc/sub and /sub of the rootfs, never the host's" {
	private_rootfs
	ln -sT /etc "$RF/ctlt-etc"
	ln -sT ../../.. "$RF/ctlt-up"
	local above etc_before above_before
	above=$(cd "$RF/../../.." && pwd)
	etc_before=$(tree_of /etc 1)
	above_before=$(tree_of "$above" 1)
	ROOTFS=$RF write_spec <<-'EOF'
		mounts:
		  - {type: tmpfs, target: /ctlt-etc/ctlt-sub, size: 1M}
		  - {type: tmpfs, target: /ctlt-up/ctlt-sub, size: 1M}
		command: |
		  awk '$5 ~ /ctlt-sub/ { print "mnt", $5 }' /proc/self/mountinfo | sort
		  echo x >/ctlt-etc/ctlt-sub/f && echo "wrote data"
		  echo x >/ctlt-up/ctlt-sub/f && echo "wrote up"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_eq "mounts inside" $'mnt /ctlt-sub\nmnt /etc/ctlt-sub' "$(grep '^mnt ' <<<"$output")"
	assert_line "inside" "wrote data" "$output"
	assert_line "inside" "wrote up" "$output"
	# The mount points were made in the rootfs, and the files went to the
	# tmpfs: nothing on the host, in the copy or outside it.
	[ -d "$RF/etc/ctlt-sub" ] && [ -d "$RF/ctlt-sub" ] ||
		fail "the mount points were not made in the rootfs: $(ls "$RF" "$RF/etc")"
	[ ! -e "$RF/etc/ctlt-sub/f" ] && [ ! -e "$RF/ctlt-sub/f" ] ||
		fail "a file written to the tmpfs is in the rootfs"
	assert_eq "the host's /etc" "$etc_before" "$(tree_of /etc 1)"
	assert_eq "the host's $above" "$above_before" "$(tree_of "$above" 1)"
	assert_host_mounts_unchanged
}

@test "links: a rootfs whose /proc, /dev or /sys is a link out is refused (125), and nothing is mounted there" {
	local dir link target etc_before
	etc_before=$(tree_of /etc 1)
	for dir in proc dev sys; do
		for target in /etc ../../..; do
			rm -rf "$BATS_TEST_TMPDIR/rootfs"
			private_rootfs
			rm -rf "${RF:?}/$dir"
			ln -sT "$target" "$RF/$dir"
			ROOTFS=$RF write_spec <<-'EOF'
				command: echo ran
			EOF
			run --separate-stderr ctl_t "$SPEC"
			assert_status 125
			assert_no_line "stdout ($dir -> $target)" '^ran' "$output"
			assert_match "stderr ($dir -> $target)" "on /$dir: the target is a symbolic link in the rootfs" "$stderr"
			link=$(readlink "$RF/$dir")
			assert_eq "the link $dir" "$target" "$link"
		done
	done
	assert_eq "the host's /etc" "$etc_before" "$(tree_of /etc 1)"
	assert_host_mounts_unchanged
}

# --- capabilities and no_new_privs -------------------------------------

@test "caps: root gets podman's eleven in CapBnd, CapPrm and CapEff; CapInh and CapAmb are 0" {
	write_spec <<-'EOF'
		command: |
		  grep '^Cap' /proc/self/status
		  touch /dev/shm/f && chown 1000 /dev/shm/f && echo "chown ok"
		  ip link set lo down 2>&1; echo "net_admin $?"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_caps "$output" $CAPS_ZERO $CAPS_DEFAULT $CAPS_DEFAULT $CAPS_DEFAULT $CAPS_ZERO
	# And they act: CAP_CHOWN works, CAP_NET_ADMIN is not there.
	assert_line "inside" "chown ok" "$output"
	assert_line_match "inside" '^net_admin [1-9]' "$output"
}

@test "caps: add CAP_NET_ADMIN and drop CAP_CHOWN" {
	write_spec <<-'EOF'
		capabilities:
		  add: [CAP_NET_ADMIN]
		  drop: [CAP_CHOWN]
		command: |
		  grep '^Cap' /proc/self/status
		  touch /dev/shm/f
		  chown 1000 /dev/shm/f 2>&1; echo "chown $?"
		  ip link set lo down; echo "net_admin $?"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	# The default minus bit 0 (CHOWN), plus bit 12 (NET_ADMIN).
	assert_caps "$output" $CAPS_ZERO 00000000800415fa 00000000800415fa 00000000800415fa $CAPS_ZERO
	assert_line_match "inside" '^chown [1-9]' "$output"
	assert_line_match "inside" 'Operation not permitted' "$output"
	assert_line "inside" "net_admin 0" "$output"
}

@test "caps: drop ALL, add CAP_NET_BIND_SERVICE keeps exactly that one" {
	write_spec <<-'EOF'
		capabilities:
		  drop: [ALL]
		  add: [CAP_NET_BIND_SERVICE]
		command: ["/bin/grep", "^Cap", "/proc/self/status"]
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_caps "$output" $CAPS_ZERO 0000000000000400 0000000000000400 0000000000000400 $CAPS_ZERO
}

@test "caps: a non-root user has no effective or permitted capabilities; the bounding set stays" {
	write_spec <<-'EOF'
		user: "1000:1000"
		capabilities:
		  add: [CAP_NET_ADMIN]
		command: |
		  grep '^Cap' /proc/self/status
		  touch /dev/shm/f && chown 0 /dev/shm/f 2>&1; echo "chown $?"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_caps "$output" $CAPS_ZERO $CAPS_ZERO $CAPS_ZERO 00000000800415fb $CAPS_ZERO
	assert_line_match "inside" '^chown [1-9]' "$output"
}

@test "no_new_privs: 1 by default, 0 with no_new_privileges: false" {
	[ "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)" = 0 ] ||
		skip "the test itself runs with no_new_privs: 0 cannot be seen inside"
	write_spec <<-'EOF'
		command: ["/bin/grep", "^NoNewPrivs:", "/proc/self/status"]
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_eq "default" $'NoNewPrivs:\t1' "$output"

	write_spec <<-'EOF'
		no_new_privileges: false
		command: ["/bin/grep", "^NoNewPrivs:", "/proc/self/status"]
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_eq "no_new_privileges: false" $'NoNewPrivs:\t0' "$output"
}

# --- descriptors and the session ---------------------------------------

@test "fds: descriptors open in ctlaunch's caller (3, 7, a directory at 9) do not reach the command" {
	write_spec <<-'EOF'
		command: ["/bin/ls", "/proc/self/fd"]
	EOF
	# Every descriptor of bats above 2 is closed, then 3, 7 and 9 opened:
	# the container must see 0 1 2 and the directory ls reads (3).
	run --separate-stderr bash -c '
		for f in /proc/$$/fd/*; do
			n=${f##*/}
			[ "$n" -gt 2 ] && eval "exec $n>&-"
		done
		exec 3</dev/null 7</etc/passwd 9<"$1"
		[ "$(readlink /proc/$$/fd/7)" = /etc/passwd ] && [ -d /proc/$$/fd/9/. ] || exit 99
		shift
		exec timeout -k 5 30 "$@"' _ "$BATS_TEST_TMPDIR" env CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC" </dev/null
	assert_status 0
	assert_eq "fds of PID 1" "0 1 2 3" "$(tr '\n' ' ' <<<"$output" | sed 's/ $//')"
}

@test "session: PID 1 leads its own session, on the host too" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		command: |
		  echo "stat $(cut -d' ' -f6 /proc/1/stat) $(cut -d' ' -f5 /proc/1/stat)"
		  ps -o pid,sid | awk 'NR > 1 { print "ps", $1, $2 }'
		  echo ready
		  read x
		  true
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local pid stat sid pgid
	pid=$(container_init_pid "$(cg_dir memory)")
	stat=$(cat "/proc/$pid/stat")
	stat=${stat##*) }
	read -r _ _ pgid sid _ <<<"$stat"
	bg_wait
	assert_status 0
	assert_eq "host: session of PID 1" "$pid" "$sid"
	assert_eq "host: process group of PID 1" "$pid" "$pgid"
	[ "$sid" != "$(cut -d' ' -f6 /proc/$$/stat)" ] || fail "PID 1 shares the test's session"
	assert_line "inside: /proc/1/stat session and process group" "stat 1 1" "$output"
	assert_line "inside: ps" "ps 1 1" "$output"
}

@test "session: no controlling terminal inside, even when ctlaunch has one (TIOCSTI)" {
	command -v script >/dev/null || skip "script (util-linux) unavailable"
	write_spec <<-'EOF'
		command: |
		  test -t 0 && echo "stdin is a tty"
		  cat /dev/tty </dev/null 2>&1; echo "devtty $?"
		  ps -o pid,tty | awk 'NR > 1 { print "tty", $1, $2 }'
	EOF
	# script gives ctlaunch a terminal of its own as controlling terminal.
	run script -qec "bash -c 'cat /dev/tty </dev/null >/dev/null && echo host-has-tty; env CTLT_MARKER=$NAME timeout -k 5 30 $CTLAUNCH $SPEC'" /dev/null
	output=${output//$'\r'/}
	assert_status 0
	assert_line "host side" "host-has-tty" "$output"
	assert_line "inside" "stdin is a tty" "$output"
	assert_line_match "inside" "No such device or address" "$output"
	assert_line_match "inside" '^devtty [1-9]' "$output"
	assert_line "inside" "tty 1 ?" "$output"
}

# --- mounts, read-only rootfs, user, rlimits ---------------------------

@test "readonly_rootfs: writes to / fail; tmpfs mounts (16M 1777, 1M 0750) take them; the host's rootfs is unchanged" {
	private_rootfs
	local before
	before=$(tree_of "$RF")
	ROOTFS=$RF write_spec <<-'EOF'
		readonly_rootfs: true
		mounts:
		  - {type: tmpfs, target: /tmp, size: 16M, mode: "1777"}
		  - {type: tmpfs, target: /home/lab, size: 1M, mode: "0750"}
		command: |
		  touch /x 2>&1; echo "touch $?"
		  mkdir /etc/x 2>&1; echo "mkdir $?"
		  (echo x >>/etc/passwd) 2>&1; echo "append $?"
		  echo hello >/tmp/y && cat /tmp/y
		  echo lab >/home/lab/z && cat /home/lab/z
		  echo "mode $(stat -c %a /tmp) $(stat -c %a /home/lab)"
		  df -k /tmp /home/lab | awk 'NR > 1 { print "size", $2 }'
		  awk '$5 == "/" { print "root", $6 } $5 == "/tmp" { print "tmp", $6 }' /proc/self/mountinfo
		  echo shm >/dev/shm/z && echo "shm ok"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_line_match "inside" '^touch [1-9]' "$output"
	assert_line_match "inside" '^mkdir [1-9]' "$output"
	assert_line_match "inside" '^append [1-9]' "$output"
	assert_eq "Read-only file system" 3 "$(grep -c 'Read-only file system' <<<"$output")"
	assert_line "inside" "hello" "$output"
	assert_line "inside" "lab" "$output"
	assert_line "inside: modes of /tmp and /home/lab" "mode 1777 750" "$output"
	assert_eq "inside: sizes" $'size 16384\nsize 1024' "$(grep '^size ' <<<"$output")"
	assert_line_match "inside" '^root ro(,|$)' "$output"
	assert_line_match "inside" '^tmp rw(,|$)' "$output"
	assert_line "inside" "shm ok" "$output"
	assert_eq "the rootfs on the host" "$before" "$(tree_of "$RF")"
}

@test "binds: a read-only bind refuses writes; a read-write bind's file appears on the host" {
	private_rootfs
	mkdir "$BATS_TEST_TMPDIR/ro-src" "$BATS_TEST_TMPDIR/rw-src"
	echo "from the host" >"$BATS_TEST_TMPDIR/ro-src/f"
	ROOTFS=$RF write_spec <<-'EOF'
		mounts:
		  - {type: bind, source: ./ro-src, target: /mnt/ro, readonly: true}
		  - {type: bind, source: rw-src, target: /mnt/rw}
		command: |
		  cat /mnt/ro/f
		  (echo x >/mnt/ro/g) 2>&1; echo "create $?"
		  rm /mnt/ro/f 2>&1; echo "rm $?"
		  (echo x >>/mnt/ro/f) 2>&1; echo "append $?"
		  echo "from $CTLT_MARKER" >/mnt/rw/out && echo "rw ok"
		  awk '$5 ~ "^/mnt/" { print "mnt", $5, $6 }' /proc/self/mountinfo
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_line "inside" "from the host" "$output"
	assert_line_match "inside" '^create [1-9]' "$output"
	assert_line_match "inside" '^rm [1-9]' "$output"
	assert_line_match "inside" '^append [1-9]' "$output"
	assert_eq "Read-only file system" 3 "$(grep -c 'Read-only file system' <<<"$output")"
	assert_line "inside" "rw ok" "$output"
	assert_line_match "inside" '^mnt /mnt/ro ro(,|$)' "$output"
	assert_line_match "inside" '^mnt /mnt/rw rw(,|$)' "$output"
	# On the host: the read-write file is there, the read-only source
	# untouched and still writable from the host (only the container's
	# copy of the mount is read-only).
	assert_eq "rw-src/out on the host" "from $NAME" "$(cat "$BATS_TEST_TMPDIR/rw-src/out" 2>&1)"
	assert_eq "ro-src on the host" "f" "$(ls "$BATS_TEST_TMPDIR/ro-src")"
	assert_eq "ro-src/f on the host" "from the host" "$(cat "$BATS_TEST_TMPDIR/ro-src/f")"
	touch "$BATS_TEST_TMPDIR/ro-src/host-writes" || fail "the host can no longer write to ro-src"
	# The mount points were made in the rootfs copy.
	[ -d "$RF/mnt/ro" ] && [ -d "$RF/mnt/rw" ] || fail "no /mnt/ro and /mnt/rw in the rootfs"
	assert_host_mounts_unchanged
}

@test "rlimits: nofile and nproc show in /proc/self/limits" {
	write_spec <<-'EOF'
		rlimits:
		  nofile: 1024
		  nproc: {soft: 100, hard: 200}
		command: |
		  grep -E '^Max (open files|processes) ' /proc/self/limits | awk '{ print $3, $4, $5 }'
		  echo "ulimit $(ulimit -n)"
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_line "nofile" "files 1024 1024" "$output"
	assert_line "nproc" "100 200 processes" "$output"
	assert_line "inside" "ulimit 1024" "$output"
}

@test "user: 1000:1000 and lab run as lab, with lab's group only" {
	local user
	for user in '"1000:1000"' lab; do
		write_spec <<-EOF
			user: $user
			command: |
			  id
			  grep -E '^(Uid|Gid|Groups):' /proc/self/status
		EOF
		run --separate-stderr ctl_t "$SPEC"
		assert_status 0
		assert_line "id ($user)" "uid=1000(lab) gid=1000(lab) groups=1000(lab)" "$output"
		assert_line "Uid ($user): real, effective, saved, fs" $'Uid:\t1000\t1000\t1000\t1000' "$output"
		assert_line "Gid ($user)" $'Gid:\t1000\t1000\t1000\t1000' "$output"
		assert_line_match "Groups ($user)" $'^Groups:\t1000 ?$' "$output"
	done
}

@test "user: nobody, and a group by name (lab:root)" {
	write_spec <<-'EOF'
		user: nobody
		command: ["/bin/id"]
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_eq "id (nobody)" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" "$output"

	write_spec <<-'EOF'
		user: "lab:root"
		command: ["/bin/id"]
	EOF
	run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	assert_eq "id (lab:root)" "uid=1000(lab) gid=0(root) groups=0(root)" "$output"
}

# --- cgroups: pids, CPU quota, the read-only cgroup view ---------------

@test "pids: pids.max 20 holds a fork bomb; ctlaunch returns and cleans up" {
	write_spec <<-'EOF'
		resources:
		  pids: 20
		command: |
		  cat /sys/fs/cgroup/*/pids.max | sed 's/^/max /'
		  ev=$(ls /sys/fs/cgroup/*/pids.events)
		  # From here on, builtins only: a fork may find no pid left.
		  ok=0 bad=0 i=0
		  while [ $i -lt 100 ]; do
		    i=$((i + 1))
		    if (sleep 30 &) 2>/dev/null; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		  done
		  echo "ok $ok bad $bad"
		  read -r _ events <"$ev"
		  echo "events $events"
	EOF
	local start=$SECONDS
	CTL_TIMEOUT=20 run --separate-stderr ctl_t "$SPEC"
	assert_status 0
	[ $((SECONDS - start)) -lt 15 ] || fail "ctlaunch took $((SECONDS - start))s: the sleeps outlived PID 1?"
	assert_line "inside" "max 20" "$output"
	local ok bad events
	read -r _ ok _ bad <<<"$(grep '^ok ' <<<"$output")"
	events=$(sed -n 's/^events //p' <<<"$output")
	[ -n "$ok" ] && [ "$ok" -lt 20 ] && [ "$bad" -gt 80 ] ||
		fail "forks: want fewer than 20 to succeed, got '$ok' ok, '$bad' failed"$'\n'"$output"$'\n'"$stderr"
	[ -n "$events" ] && [ "$events" -gt 0 ] || fail "pids.events max: want > 0, got '$events'"
	[ ! -e "$(cg_dir pids)" ] || fail "the pids cgroup is left: $(cg_dir pids)"
}

@test "cpus: 0.5 sets cpu.cfs_quota_us 50000 and cpu.cfs_period_us 100000 while it runs" {
	write_spec <<-'EOF'
		resources:
		  cpus: 0.5
		command: |
		  for f in /sys/fs/cgroup/*/cpu.cfs_quota_us; do echo "quota $(cat $f)"; done
		  echo ready
		  read x
		  true
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local cpu quota period
	cpu=$(cg_dir cpu)
	quota=$(cat "$cpu/cpu.cfs_quota_us" 2>&1)
	period=$(cat "$cpu/cpu.cfs_period_us" 2>&1)
	bg_wait
	assert_status 0
	assert_eq "host: cpu.cfs_quota_us" 50000 "$quota"
	assert_eq "host: cpu.cfs_period_us" 100000 "$period"
	assert_line "inside" "quota 50000" "$output"
	[ ! -e "$cpu" ] || fail "the cpu cgroup is left: $cpu"
}

@test "cgroupfs: /sys/fs/cgroup inside is read-only and shows the container's own memory limit" {
	write_spec <<-'EOF'
		resources:
		  memory: 48M
		command: |
		  f=$(ls /sys/fs/cgroup/*/memory.limit_in_bytes)
		  echo "limit $(cat $f)"
		  (echo 1G >$f) 2>&1; echo "write $?"
		  mkdir ${f%/*}/escape 2>&1; echo "mkdir $?"
		  (echo 1 >${f%/*}/cgroup.procs) 2>&1; echo "procs $?"
		  echo "procs: $(cat ${f%/*}/cgroup.procs | tr '\n' ' ')"
		  awk '$5 ~ "^/sys/fs/cgroup" { print "mnt", $5, $6 }' /proc/self/mountinfo
		  echo ready
		  read x
		  true
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local mem limit
	mem=$(cg_dir memory)
	limit=$(cat "$mem/memory.limit_in_bytes" 2>&1)
	bg_wait
	assert_status 0
	assert_line "inside" "limit 50331648" "$output"
	assert_line_match "inside" '^write [1-9]' "$output"
	assert_line_match "inside" '^mkdir [1-9]' "$output"
	assert_line_match "inside" '^procs [1-9]' "$output"
	# The container's own cgroup is the root of its view: PID 1 is in it.
	assert_line_match "inside" '^procs: (.* )?1 ' "$output"
	local mounts
	mounts=$(grep '^mnt ' <<<"$output")
	[ -n "$mounts" ] || fail "no /sys/fs/cgroup mounts inside"
	assert_no_line "/sys/fs/cgroup mounts inside" '^mnt [^ ]+ rw' "$mounts"
	assert_eq "host: memory.limit_in_bytes after the writes" 50331648 "$limit"
}

# --- CVE-2019-5736: the host's ctlaunch through /proc/self/exe ---------

@test "CVE-2019-5736: a command of /proc/self/exe or /proc/1/exe is refused (126); ctlaunch is unchanged" {
	write_spec <<-'EOF'
		command: ["/bin/true"]
	EOF
	refused_5736 /proc/self/exe
	refused_5736 /proc/1/exe
	refused_5736 /proc/thread-self/exe
}

@test "CVE-2019-5736: a link in the rootfs to /proc/self/exe is refused (126), by path and through PATH" {
	private_rootfs
	ln -sT /proc/self/exe "$RF/bin/selfexe"
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
	EOF
	refused_5736 /bin/selfexe
	refused_5736 selfexe
}

@test "CVE-2019-5736: a #!/proc/self/exe script, a script through a link, an ELF interpreter: each refused (126)" {
	private_rootfs
	ln -sT /proc/self/exe "$RF/bin/selfexe"
	printf '#!/proc/self/exe\necho ran\n' >"$RF/bin/script-self"
	printf '#! /bin/selfexe -x\necho ran\n' >"$RF/bin/script-link"
	printf '#!/bin/script-self\necho ran\n' >"$RF/bin/script-chain"
	chmod 755 "$RF/bin/script-self" "$RF/bin/script-link" "$RF/bin/script-chain"
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
	EOF
	refused_5736 /bin/script-self
	refused_5736 /bin/script-link
	refused_5736 /bin/script-chain

	# An ELF file whose PT_INTERP names /proc/self/exe: the host's
	# dynamic /bin/true with its interpreter path overwritten in place.
	local interp off
	command -v readelf >/dev/null || skip "readelf unavailable"
	interp=$(readelf -l /bin/true 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] && [ ${#interp} -ge 15 ] || skip "/bin/true has no interpreter to replace"
	cp /bin/true "$RF/bin/elf-self"
	off=$(grep -obUaF -- "$interp" "$RF/bin/elf-self" | head -n 1 | cut -d: -f1)
	{ printf '/proc/self/exe'; head -c $((${#interp} - 14)) /dev/zero; } |
		dd of="$RF/bin/elf-self" bs=1 seek="$off" conv=notrunc status=none
	assert_match "the patched interpreter" 'interpreter: /proc/self/exe\]' \
		"$(readelf -l "$RF/bin/elf-self")"
	refused_5736 /bin/elf-self
}

@test "a FIFO named as a script's interpreter: 126 at once, no hang in the check" {
	private_rootfs
	mkfifo "$RF/fifo"
	printf '#!/fifo\necho ran\n' >"$RF/bin/script-fifo"
	chmod 755 "$RF/bin/script-fifo"
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/script-fifo"]
		resources:
		  memory: 32M
	EOF
	CTL_TIMEOUT=10 run --separate-stderr ctl_t "$SPEC"
	assert_status 126
	assert_no_line "stdout" '.' "$output"
	assert_match "stderr" "^ctlaunch: $NAME: exec /bin/script-fifo: Permission denied" "$stderr"
}

# --- spec errors of the new keys: 125, file:line:col, nothing made -----

@test "bad spec: an unknown capability name" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: 32M
		capabilities:
		  drop: [CAP_BOGUS]
	EOF
	bad_spec 6:10 'capabilities\.drop\[0\]' "unknown capability 'CAP_BOGUS'"
}

@test "bad spec: a relative mount target" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: 32M
		mounts:
		  - {type: tmpfs, target: ctlt-rel}
	EOF
	bad_spec 6:27 'mounts\[0\]\.target' "'ctlt-rel' is not an absolute path"
	[ ! -e "$RF/ctlt-rel" ] || fail "the target was made"
}

@test "bad spec: a missing bind source" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: 32M
		mounts:
		  - {type: bind, source: ./no-such-dir, target: /ctlt-data}
	EOF
	bad_spec 6:26 'mounts\[0\]\.source' "'\./no-such-dir': No such file or directory"
	[ ! -e "$RF/ctlt-data" ] || fail "the target was made"
}

@test "bad spec: an unknown rlimit" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: 32M
		rlimits:
		  bogus: 1
	EOF
	bad_spec 6:3 'rlimits\.bogus' "unknown limit"
}

@test "bad spec: a user name the rootfs does not know" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: 32M
		user: nosuchuser
	EOF
	bad_spec 5:7 'user' "no user 'nosuchuser' in the rootfs's /etc/passwd"
}

@test "bad spec: cpus: 0" {
	private_rootfs
	ROOTFS=$RF write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: 32M
		  cpus: 0
	EOF
	bad_spec 5:9 'resources\.cpus' "invalid value '0'"
	[ ! -e "$(cg_dir cpu)" ] || fail "a cpu cgroup was made"
}

@test "pdeathsig: a container of another user still dies when ctlaunch is killed" {
	write_spec <<-'EOF'
		user: lab
		resources:
		  memory: 32M
		command: echo ready; while :; do sleep 1; done
	EOF
	local mem init i
	mem=$(cg_dir memory)
	ctl_bg "$SPEC"
	wait_for_line ready
	init=$(container_init_pid "$mem")
	assert_eq "the container's uid" 1000 "$(awk '/^Uid:/ { print $2 }' "/proc/$init/status")"
	kill -KILL "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	# The kernel clears the parent-death signal at a change of uid:
	# ctlaunch must set it again after the switch.
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		[ -d "/proc/$init" ] || break
		sleep 0.05
	done
	[ ! -d "/proc/$init" ] || fail "the container's pid 1 ($init, uid 1000) outlived ctlaunch"
	run --separate-stderr ctl "$SPEC" -- /bin/true
	assert_status 0
}

@test "untrusted rootfs: a FIFO where a bind target goes does not block the launch" {
	private_rootfs
	mkfifo "$RF/etc/ctlt-fifo"
	echo "from the host" >"$BATS_TEST_TMPDIR/src"
	ROOTFS=$RF write_spec <<-EOF
		mounts:
		  - {type: bind, source: $BATS_TEST_TMPDIR/src, target: /etc/ctlt-fifo}
		command: [cat, /etc/ctlt-fifo]
	EOF
	CTL_TIMEOUT=15 run --separate-stderr ctl_t "$SPEC"
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "the launch hung on the FIFO (status $status)"
	assert_status 0
	assert_eq "the bound file" "from the host" "$output"
}

@test "caller's state: an ignored SIGCHLD and closed stdio change nothing" {
	write_spec <<-'EOF'
		command: [/bin/sh, -c, "exit 3"]
	EOF
	# An ignored SIGCHLD survives exec; the kernel would then reap the
	# container's pid 1 itself and leave no status to pass on.
	# (Under a timeout: the launcher that got this wrong waited for ever.)
	run --separate-stderr timeout -k 5 20 bash -c 'trap "" CHLD; exec "$0" "$1"' "$CTLAUNCH" "$SPEC"
	assert_status 3
	run --separate-stderr timeout -k 5 20 bash -c 'exec "$0" "$1" <&- >&-' "$CTLAUNCH" "$SPEC"
	assert_status 3
}
