#!/usr/bin/env bats
# What a container is: its host name, its PID 1, its environment, its
# working directory, its root and its /proc; seen from inside and out.

load helpers

@test "hostname: defaults to the name, which defaults to the spec's file name" {
	write_spec <<-'EOF'
		command: ["/bin/hostname"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "hostname inside" "$NAME" "$output"
	assert_eq "hostname of the host" "$HOST_HOSTNAME" "$(uname -n)"
}

@test "hostname: the spec's hostname, also in \$HOSTNAME" {
	write_spec <<-'EOF'
		hostname: lab1
		command: 'echo "$(hostname) $HOSTNAME $(cat /proc/sys/kernel/hostname)"'
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "hostname, \$HOSTNAME, kernel hostname" "lab1 lab1 lab1" "$output"
	assert_eq "hostname of the host" "$HOST_HOSTNAME" "$(uname -n)"
}

@test "pid: the command is PID 1 (string form through /bin/sh -c)" {
	write_spec <<-'EOF'
		command: 'echo "$$ $PPID"'
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "pid and parent pid" "1 0" "$output"
}

@test "pid: the exec form runs as is, as PID 1" {
	write_spec <<-'EOF'
		command: ["/bin/cat", "/proc/1/cmdline"]
	EOF
	# /proc/1/cmdline holds NULs, which bash variables cannot.
	status=0
	ctl "$SPEC" >"$BATS_TEST_TMPDIR/out" || status=$?
	output=$(tr '\0' '|' <"$BATS_TEST_TMPDIR/out")
	assert_status 0
	assert_eq "/proc/1/cmdline" "/bin/cat|/proc/1/cmdline|" "$output"
}

@test "pid: the string form is /bin/sh -c COMMAND" {
	write_spec <<-'EOF'
		command: cat /proc/1/cmdline; true
	EOF
	status=0
	ctl "$SPEC" >"$BATS_TEST_TMPDIR/out" || status=$?
	output=$(tr '\0' '|' <"$BATS_TEST_TMPDIR/out")
	assert_status 0
	assert_eq "/proc/1/cmdline" "/bin/sh|-c|cat /proc/1/cmdline; true|" "$output"
}

@test "env: the spec's env on top of PATH, HOSTNAME, HOME and TERM; nothing of the host" {
	write_spec <<-'EOF'
		hostname: envhost
		env:
		  GREETING: hello
		  SPACED: "a b  c"
		command: ["/bin/env"]
	EOF
	run --separate-stderr env -i PATH=/usr/bin:/bin TERM=xterm-ctlt LEAKED=yes \
		CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC"
	assert_status 0
	assert_line "env" "GREETING=hello" "$output"
	assert_line "env" "SPACED=a b  c" "$output"
	assert_line "env" "HOSTNAME=envhost" "$output"
	assert_line "env" "HOME=/root" "$output"
	assert_line "env" "TERM=xterm-ctlt" "$output"
	assert_match "env" $'(^|\n)PATH=([^\n]*:)?/bin(:|\n|$)' "$output"
	assert_no_line "env" '^LEAKED=' "$output"
	# Nothing but the defaults, the spec's, and the marker.
	local names
	names=$(sed -n 's/=.*//p' <<<"$output" | sort | tr '\n' ' ')
	assert_eq "variables" "CTLT_MARKER GREETING HOME HOSTNAME LOGNAME PATH SPACED TERM USER " "$names"
}

@test "env: HOME, USER and LOGNAME from the rootfs's passwd entry of the container's user; the spec's env wins; a uid with no entry gets HOME=/ and no name" {
	local user env want
	for user in "-::HOME=/root USER=root LOGNAME=root uid=0" \
		"lab::HOME=/home/lab USER=lab LOGNAME=lab uid=1000" \
		"1000:0::HOME=/home/lab USER=lab LOGNAME=lab uid=1000" \
		"65534::HOME=/nonexistent USER=nobody LOGNAME=nobody uid=65534" \
		"4242::HOME=/ USER= LOGNAME= uid=4242" \
		"lab:HOME=/tmp:HOME=/tmp USER=lab LOGNAME=lab uid=1000" \
		"lab:USER=me:HOME=/home/lab USER=me LOGNAME=lab uid=1000"; do
		want=${user##*:}
		user=${user%:*}
		env=${user##*:}
		user=${user%:*}
		{
			[ "$user" = - ] || printf 'user: "%s"\n' "$user"
			printf '%s\n' 'command: echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME uid=$(id -u)"'
			[ -z "$env" ] || printf 'env:\n  %s: %s\n' "${env%%=*}" "${env#*=}"
		} | write_spec
		run --separate-stderr ctl "$SPEC"
		assert_status 0
		assert_eq "user '$user', env '$env'" "$want" "$output"
	done
	# No USER or LOGNAME at all, not empty ones, without an entry.
	write_spec <<-'EOF'
		user: "4242"
		command: ["/bin/env"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "env" "HOME=/" "$output"
	assert_no_line "env" '^(USER|LOGNAME)=' "$output"
}

@test "env: no TERM in the container when ctlaunch has none" {
	write_spec <<-'EOF'
		command: ["/bin/env"]
	EOF
	run --separate-stderr env -u TERM CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC"
	assert_status 0
	assert_no_line "env" '^TERM=' "$output"
	assert_line "env" "HOME=/root" "$output"
	assert_line "env" "HOSTNAME=$NAME" "$output"
}

@test "env: PATH finds a command given without a slash" {
	write_spec <<-'EOF'
		command: ["busybox", "echo", "found"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "output" "found" "$output"
}

@test "workdir: the command starts in the spec's workdir" {
	write_spec <<-'EOF'
		workdir: /tmp
		command: ["/bin/pwd"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "pwd" "/tmp" "$output"
}

@test "workdir: defaults to /" {
	write_spec <<-'EOF'
		command: ["/bin/pwd"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "pwd" "/" "$output"
}

@test "rootfs: the rootfs is / and the host's files are out of sight" {
	[ -e /etc/os-release ] && [ -d /work ] || skip "needs a host with /etc/os-release and /work"
	[ ! -e "$ROOTFS/etc/os-release" ] && [ ! -e "$ROOTFS/work" ] || skip "the rootfs has them too"
	write_spec <<-'EOF'
		command: |
		  test -x /bin/busybox && echo busybox
		  test -e /etc/os-release && echo os-release
		  test -e /work && echo work
		  test -e /.oldroot && echo oldroot
		  cat /etc/passwd
		  awk '{ print $5 }' /proc/self/mountinfo
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "inside" busybox "$output"
	assert_no_line "inside" '^(os-release|work|oldroot)$' "$output"
	assert_line "/etc/passwd of the rootfs" "lab:x:1000:1000:lab:/home/lab:/bin/sh" "$output"
	# The old root is gone: every mount point is /, or below /proc, /dev or /sys.
	local stray
	stray=$(grep '^/' <<<"$output" | grep -vxE '/|/(proc|dev|sys)(/.*)?' || true)
	assert_eq "mount points outside /proc, /dev, /sys" "" "$stray"
}

@test "proc: /proc and ps show only the container's processes" {
	write_spec <<-'EOF'
		command: |
		  echo "count $(ls /proc | grep -c '^[0-9]')"
		  ps -o pid,comm
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local count
	count=$(sed -n 's/^count //p' <<<"$output")
	# sh, the subshell of $(...), ls and grep at most.
	[ -n "$count" ] && [ "$count" -ge 1 ] && [ "$count" -le 4 ] ||
		fail "numeric entries in /proc: want 1 to 4, got '$count'"$'\n'"$output"
	# The command is exec'd by descriptor (execveat), so its name is the
	# file's own: busybox for the /bin/sh link.
	assert_match "ps" $'\n *1 (sh|busybox)\n' "$output"
	local nps
	nps=$(sed '1,/PID/d' <<<"$output" | grep -c '^ *[0-9]')
	[ "$nps" -le 2 ] || fail "ps: want sh and ps only, got:"$'\n'"$output"
	assert_no_line "ps" '^ *[0-9]+ (bats|bash|ctlaunch|systemd|init)' "$output"
}

@test "name: the spec's name is the container's name and default hostname" {
	write_spec <<-EOF
		name: $NAME-spec
		command: ["/bin/hostname"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "hostname" "$NAME-spec" "$output"
}
