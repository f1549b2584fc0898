#!/usr/bin/env bats
# init: true: ctlaunch's init is the container's PID 1 (src/pid1), the
# command its child. It reaps the container's orphans, forwards signals
# to the command's process group, exits with the command's status, and
# is never ctlaunch's binary: /proc/1/exe is a sealed memfd, and nothing
# in the container leads to the host's ctlaunch (CVE-2019-5736).

load helpers

@test "init: PID 1 is ctlaunch's init, the command its child in a group of its own, with the command's environment" {
	write_spec <<-'EOF'
		init: true
		env:
		  LAB: x1
		command: |
		  cat /proc/1/cmdline | tr '\0' ' '; echo
		  cat /proc/1/comm
		  echo "self=$$ parent=$PPID pgid=$(cut -d' ' -f5 /proc/$$/stat) lab=$LAB"
		  tr '\0' '\n' </proc/1/environ | grep '^LAB='
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "pid 1's command line" "ctlaunch-init 3 /bin/sh -c ${output#*-c }" "$output"
	assert_line "pid 1's name" ctlaunch-init "$output"
	assert_line "the command" "self=2 parent=1 pgid=2 lab=x1" "$output"
	assert_line "pid 1's environment" LAB=x1 "$output"
}

# The children of the container's pid 1, as the host sees them: "pid
# state", a line each (a zombie is no longer in cgroup.procs, but still
# its parent's child until reaped).
init_children() {
	local init=$1 p
	for p in $(cat "/proc/$init/task/$init/children"); do
		echo "$p $(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)"
	done
}

@test "init: orphans are reaped; without it, a pid 1 that is not a shell leaves them as zombies" {
	local init want
	for init in true false; do
		write_spec <<-EOF
			init: $init
			command: |
			  # Orphans: their parent ends first, so they go to pid 1.
			  for i in 1 2 3; do sh -c 'sleep 0.2 & exit 0'; done
			  echo ready
			  exec sleep 30
		EOF
		ctl_bg "$SPEC"
		wait_for_line ready
		sleep 1
		local states pid1
		pid1=$(container_init_pid "$(cg_dir pids)")
		states=$(init_children "$pid1")
		kill -KILL "$pid1"
		bg_wait
		if [ "$init" = true ]; then
			assert_no_line "zombies with init" ' Z$' "$states"
		else
			assert_line_match "zombies without init" ' Z$' "$states"
		fi
	done
}

@test "init: the container sees no zombie after its orphans end" {
	write_spec <<-'EOF'
		init: true
		command: |
		  for i in 1 2 3 4 5; do sh -c 'sleep 0.2 & exit 0'; done
		  sleep 1
		  cut -d' ' -f1-4 /proc/[0-9]*/stat
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	# pid (comm) state ppid: no Z.
	assert_no_line "zombies" '^[0-9]+ \([^)]*\) Z ' "$output"
	assert_line_match "pid 1 is there" '^1 \(ctlaunch-init\) S 0$' "$output"
}

@test "init: one SIGINT ends a command that has no handler: 130; one SIGTERM: 143" {
	local sig want
	for sig in INT:130 TERM:143; do
		want=${sig#*:}
		sig=${sig%:*}
		write_spec <<-'EOF'
			init: true
			command: echo ready; read x; exec sleep 30
		EOF
		ctl_bg "$SPEC"
		wait_for_line ready
		bg_release
		sleep 0.3
		kill -"$sig" "$BG_PID"
		bg_wait
		assert_status "$want"
		assert_eq "stderr (SIG$sig)" "" "$stderr"
	done
}

@test "init: the status of a command killed by a signal is 128+N (SIGKILL from the host: 137)" {
	write_spec <<-'EOF'
		init: true
		command: echo ready; exec sleep 30
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local init cmd
	init=$(container_init_pid "$(cg_dir memory)")
	cmd=$(cat "/proc/$init/task/$init/children")
	[ -n "$cmd" ] || fail "the init has no child"
	kill -KILL $cmd
	bg_wait
	assert_status 137
	# From inside too: the command kills itself with SIGTERM.
	write_spec <<-'EOF'
		init: true
		command: kill -TERM $$; sleep 5
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 143
}

@test "init: /proc/1/exe is a sealed memfd; nothing in the container leads to ctlaunch's binary (CVE-2019-5736)" {
	local self
	self=$(stat -L -c %d:%i "$CTLAUNCH")
	write_spec <<-EOF
		init: true
		capabilities:
		  add: [CAP_SYS_PTRACE]
		command: |
		  readlink /proc/1/exe
		  { echo x >&3; } 3<>/proc/1/exe 2>/dev/null && echo WROTE-PID1 || echo write refused
		  { true >/proc/1/exe; } 2>/dev/null && echo TRUNCATED-PID1 || echo truncate refused
		  for f in /proc/[0-9]*/exe /proc/[0-9]*/fd/* /proc/[0-9]*/cwd /proc/[0-9]*/root; do
		    [ "\$(stat -L -c %d:%i "\$f" 2>/dev/null)" = "$self" ] && echo "CTLAUNCH via \$f"
		  done
		  echo checked
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "pid 1's exe" "/memfd:ctlaunch-init (deleted)" "$output"
	assert_line "a write" "write refused" "$output"
	assert_line "a truncation" "truncate refused" "$output"
	assert_line "done" checked "$output"
	assert_no_line "a way to ctlaunch" 'CTLAUNCH|PID1' "$output"
}

@test "init: it runs as the command's user, with its capabilities, no_new_privs and seccomp filter" {
	write_spec <<-'EOF'
		init: true
		user: "1000:1000"
		command: grep -E '^(Uid|Gid|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/1/status /proc/self/status
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local f
	for f in Uid Gid CapEff CapBnd NoNewPrivs Seccomp; do
		assert_eq "$f of pid 1 and of the command" \
			"$(grep "^/proc/self/status:$f:" <<<"$output" | cut -d: -f3-)" \
			"$(grep "^/proc/1/status:$f:" <<<"$output" | cut -d: -f3-)"
	done
	assert_line_match "uid" '^/proc/1/status:Uid:\s+1000\s' "$output"
	assert_line_match "seccomp" '^/proc/1/status:Seccomp:\s+2$' "$output"
}

@test "init: a command that cannot run fails as without it (126, 127), with ctlaunch's message" {
	write_spec <<-'EOF'
		init: true
		command: [/etc/passwd]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 126
	assert_eq "stderr" "ctlaunch: $NAME: exec /etc/passwd: Permission denied" "$stderr"
	run -127 --separate-stderr ctl --init "$SPEC" -- /nope
	assert_status 127
	assert_eq "stderr" "ctlaunch: $NAME: exec /nope: No such file or directory" "$stderr"
}

@test "init: --init on the command line; --plan shows the init's steps" {
	write_spec <<-'EOF'
		command: [/bin/true]
	EOF
	run --separate-stderr ctl --plan --init "$SPEC"
	assert_status 0
	assert_line_match "memfd" '^ *[0-9]+ parent copy ctlaunch.s init into a sealed memfd' "$output"
	assert_line_match "exec" '^ *[0-9]+ child  exec ctlaunch.s init from its memfd as pid 1; it runs /bin/true ' "$output"
	run --separate-stderr ctl --init "$SPEC" -- sh -c 'cat /proc/1/comm'
	assert_status 0
	assert_eq "pid 1" ctlaunch-init "$output"
}
