#!/usr/bin/env bats
# The container's file systems and namespaces: /dev, /proc, /sys, the
# network, and no descriptor of the launcher inside.

load helpers

@test "dev: the device nodes, /dev/pts, /dev/ptmx, /dev/shm and the standard symlinks" {
	write_spec <<-'EOF'
		command: |
		  for d in null zero full random urandom tty; do
		    test -c /dev/$d && echo "chr $d"
		  done
		  for l in fd stdin stdout stderr; do test -L /dev/$l && echo "link $l"; done
		  test -d /dev/pts && echo "dir pts"
		  test -e /dev/ptmx && echo "ptmx"
		  test -d /dev/shm && echo "dir shm"
		  test -e /dev/mem && echo "host mem"
		  test -e /dev/kmsg && echo "host kmsg"
		  echo discard >/dev/null && echo "null writes"
		  echo "zero $(head -c 5 /dev/zero | wc -c)"
		  echo "urandom $(head -c 16 /dev/urandom | wc -c)"
		  echo x 2>/dev/null >/dev/full || echo "full refuses"
		  echo shm >/dev/shm/t && cat /dev/shm/t
		  awk '$5 ~ "^/dev" { for (i = 7; $i != "-"; i++) ; print "mnt", $5, $(i + 1) }' /proc/self/mountinfo
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local l
	for l in "chr null" "chr zero" "chr full" "chr random" "chr urandom" "chr tty" \
		"link fd" "link stdin" "link stdout" "link stderr" "dir pts" ptmx "dir shm" \
		"null writes" "zero 5" "urandom 16" "full refuses" shm \
		"mnt /dev tmpfs" "mnt /dev/pts devpts" "mnt /dev/shm tmpfs"; do
		assert_line "inside" "$l" "$output"
	done
	assert_no_line "inside" '^host ' "$output"
}

@test "dev: /dev/pts is a new instance: a pty opens, and the host's ptys are not there" {
	write_spec <<-'EOF'
		command: |
		  ls /dev/pts | tr '\n' ' '; echo
		  grep ' /dev/pts ' /proc/self/mountinfo
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	# A new instance holds ptmx and nothing else until someone opens one.
	assert_eq "ls /dev/pts" "ptmx " "$(head -n 1 <<<"$output")"
	assert_match "/dev/pts mount" 'devpts' "$output"
}

@test "proc: /proc is mounted nosuid,nodev,noexec" {
	write_spec <<-'EOF'
		command: ["/bin/awk", "$5 == \"/proc\" { print $4, $6; for (i = 7; $i != \"-\"; i++) ; print $(i + 1) }", "/proc/self/mountinfo"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local opts
	opts=$(head -n 1 <<<"$output")
	assert_match "/proc mount options" '(^| |,)nosuid(,|$)' "$opts"
	assert_match "/proc mount options" '(^| |,)nodev(,|$)' "$opts"
	assert_match "/proc mount options" '(^| |,)noexec(,|$)' "$opts"
	assert_eq "/proc file system" proc "$(sed -n 2p <<<"$output")"
}

@test "sys: /sys is read-only" {
	write_spec <<-'EOF'
		command: |
		  awk '$5 == "/sys" { print "opts", $6 }' /proc/self/mountinfo
		  mkdir /sys/ctlt 2>/dev/null && echo "mkdir worked"
		  # Opening for writing calls no store method: harmless even if it works.
		  test -f /sys/class/net/lo/tx_queue_len && echo "sys present"
		  # A failed redirection of : would end the shell: a subshell.
		  (: >/sys/class/net/lo/tx_queue_len) 2>/dev/null && echo "open for writing worked"
		  true
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "inside" "sys present" "$output"
	assert_line_match "/sys mount options" '^opts ro(,|$)' "$output"
	assert_no_line "inside" 'worked' "$output"
	[ ! -e /sys/ctlt ] || { rmdir /sys/ctlt; fail "/sys/ctlt was made on the host"; }
}

@test "net: a network namespace with only lo, and lo is up" {
	write_spec <<-'EOF'
		command: |
		  ip -o link show | awk -F': ' '{ print "link", $2, $3 }'
		  awk 'NR > 2 { sub(":", "", $1); print "dev", $1 }' /proc/net/dev
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line_match "ip link" '^link lo <([A-Z_]+,)*UP(,[A-Z_]+)*>' "$output"
	assert_eq "interfaces (ip link)" 1 "$(grep -c '^link ' <<<"$output")"
	assert_eq "interfaces (/proc/net/dev)" "dev lo" "$(grep '^dev ' <<<"$output")"
}

@test "ipc: the container has its own IPC namespace" {
	write_spec <<-'EOF'
		command: ["/bin/cat", "/proc/sysvipc/shm"]
	EOF
	# A segment on the host that the container must not see.
	local key
	key=$(command -v ipcmk >/dev/null && ipcmk -M 4096 2>/dev/null | awk '{ print $NF }') || true
	[ -n "$key" ] || skip "ipcmk (util-linux) unavailable"
	run --separate-stderr ctl "$SPEC"
	ipcrm -m "$key" 2>/dev/null || true
	assert_status 0
	assert_eq "System V segments inside" 1 "$(wc -l <<<"$output")"
}

@test "fds: no descriptor of the launcher reaches the command" {
	write_spec <<-'EOF'
		command: ["/bin/ls", "/proc/self/fd"]
	EOF
	# Bats keeps descriptors of its own open: close every one above 2, so
	# whatever the container sees beyond 0 1 2 is ctlaunch's.
	run --separate-stderr bash -c '
		for f in /proc/$$/fd/*; do
			n=${f##*/}
			[ "$n" -gt 2 ] && eval "exec $n>&-"
		done
		exec "$@"' _ env CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC"
	assert_status 0
	# 3 is the directory ls reads.
	assert_eq "fds of PID 1" "0 1 2 3" "$(tr '\n' ' ' <<<"$output" | sed 's/ $//')"
}

@test "fds: stdin, stdout and stderr pass through" {
	write_spec <<-'EOF'
		command: read line; echo "out $line"; echo "err $line" >&2
	EOF
	status=0
	ctl "$SPEC" <<<"piped" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out") stderr=$(cat "$BATS_TEST_TMPDIR/err")
	assert_status 0
	assert_eq "stdout" "out piped" "$output"
	assert_eq "stderr" "err piped" "$stderr"
}
