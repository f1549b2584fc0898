#!/usr/bin/env bats
# What ctlaunch refuses and what it only shows: a bad spec creates
# nothing, --plan and --check change nothing. And every example runs.

load helpers

@test "bad spec: 125, file:line:col: key: message, and nothing created" {
	write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: lots
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_eq "stdout" "" "$output"
	# rootfs is line 1 (write_spec), so memory's value is at 4:11.
	assert_eq "stderr lines" 1 "$(grep -c . <<<"$stderr")"
	assert_match "stderr" "^(.*/)?$NAME\.yaml:4:11: resources\.memory: .*lots" "$stderr"
	[ ! -e "$(cg_dir memory)" ] || fail "a memory cgroup was made"
}

@test "bad spec: every problem reported in one run, one line each" {
	write_spec <<-'EOF'
		command: ["/bin/true"]
		resources:
		  memory: -1
		  cpu_shares: 1
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_eq "stderr lines" 2 "$(grep -c . <<<"$stderr")"
	assert_line_match "stderr" "^(.*/)?$NAME\.yaml:4:11: resources\.memory: " "$stderr"
	assert_line_match "stderr" "^(.*/)?$NAME\.yaml:5:15: resources\.cpu_shares: " "$stderr"
}

@test "bad spec: a missing rootfs is refused before anything is made" {
	cat >"$SPEC" <<-EOF
		rootfs: $BATS_TEST_TMPDIR/no-such-rootfs
		command: ["/bin/true"]
		resources:
		  memory: 32M
		  cpu_shares: 512
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_line_match "stderr" "^(.*/)?$NAME\.yaml:1:9: rootfs: " "$stderr"
	[ ! -e "$(cg_dir memory)" ] && [ ! -e "$(cg_dir cpu)" ] || fail "a cgroup was made"
}

@test "--plan: prints the steps, exits 0 and changes nothing" {
	write_spec <<-'EOF'
		hostname: planned
		resources:
		  memory: 64M
		  cpu_shares: 512
		  cpuset:
		    cpus: "1"
		    mems: "0"
		command: ["/bin/touch", "/tmp/ran"]
	EOF
	local parent_mem had_parent=0
	parent_mem=$(dirname "$(cg_dir memory)")
	[ -d "$parent_mem" ] && had_parent=1
	run --separate-stderr ctl --plan "$SPEC"
	assert_status 0
	# The plan names the cgroup files with their directories and values.
	assert_contains "plan" "$(cg_dir memory)" "$output"
	assert_match "plan" 'memory\.limit_in_bytes' "$output"
	assert_match "plan" '67108864|64M' "$output"
	assert_match "plan" 'cpu\.shares' "$output"
	assert_match "plan" 'cpuset\.mems' "$output"
	assert_match "plan" 'cpuset\.cpus' "$output"
	assert_match "plan" 'pivot_root' "$output"
	assert_match "plan" 'rprivate' "$output"
	assert_match "plan" 'planned' "$output"
	assert_match "plan" '/bin/touch' "$output"
	# Nothing exists: no cgroup (teardown checks that too), not even
	# the shared parent if it was not there, and the command never ran.
	[ ! -e "$(cg_dir memory)" ] || fail "the plan made a cgroup"
	[ "$had_parent" = 1 ] || [ ! -e "$parent_mem" ] || fail "the plan made $parent_mem"
	[ ! -e "$ROOTFS/tmp/ran" ] || fail "the command ran"
}

@test "--plan: the order of the steps" {
	write_spec <<-'EOF'
		resources:
		  memory: 64M
		  cpuset:
		    cpus: "1"
		    mems: "0"
		command: ["/bin/true"]
	EOF
	run --separate-stderr ctl --plan "$SPEC"
	assert_status 0
	line_of() { grep -nE -m 1 -- "$1" <<<"$output" | cut -d: -f1; }
	local rpriv pivot proc mems cpus exec_
	rpriv=$(line_of 'rprivate') pivot=$(line_of 'pivot_root') proc=$(line_of '[ (]/proc([ )]|$)')
	mems=$(line_of 'cpuset\.mems') cpus=$(line_of 'cpuset\.cpus') exec_=$(line_of '^[^(]*\<exec\>')
	[ -n "$rpriv" ] && [ -n "$pivot" ] && [ -n "$proc" ] && [ -n "$mems" ] && [ -n "$cpus" ] &&
		[ -n "$exec_" ] || fail "a step is missing from the plan:"$'\n'"$output"
	[ "$rpriv" -lt "$pivot" ] || fail "rprivate after pivot_root"$'\n'"$output"
	[ "$pivot" -lt "$proc" ] || fail "/proc before pivot_root"$'\n'"$output"
	[ "$mems" -lt "$cpus" ] || fail "cpuset.cpus before cpuset.mems"$'\n'"$output"
	[ "$exec_" -gt "$pivot" ] || fail "exec before pivot_root"$'\n'"$output"
	[ "$exec_" -gt "$cpus" ] || fail "exec before the cgroups are set"$'\n'"$output"
}

@test "--check: 0 for a good spec, and nothing made" {
	write_spec <<-'EOF'
		resources:
		  memory: 64M
		  cpuset:
		    cpus: "0-1"
		    mems: "0"
		command: ["/bin/touch", "/tmp/ran"]
	EOF
	run --separate-stderr ctl --check "$SPEC"
	assert_status 0
	[ ! -e "$(cg_dir memory)" ] || fail "--check made a cgroup"
	[ ! -e "$ROOTFS/tmp/ran" ] || fail "the command ran"
}

@test "--check: 125 for a CPU the host does not have" {
	[ ! -e /sys/devices/system/cpu/cpu7 ] || skip "this host has a CPU 7"
	write_spec <<-'EOF'
		resources:
		  cpuset:
		    cpus: "7"
		command: ["/bin/true"]
	EOF
	run --separate-stderr ctl --check "$SPEC"
	assert_status 125
	assert_line_match "stderr" "^(.*/)?$NAME\.yaml:4:11: resources\.cpuset\.cpus: " "$stderr"
	# And a run refuses it the same way.
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_line_match "stderr" "^(.*/)?$NAME\.yaml:4:11: resources\.cpuset\.cpus: " "$stderr"
}

@test "--check: the command is looked for as the run looks: 127 not there, 126 not executable, the run's status and nothing made" {
	local dir=$BATS_TEST_TMPDIR/tools
	mkdir "$dir"
	printf '#!/bin/sh\necho ran-tool\n' >"$dir/tool"
	printf '#!/bin/sh\necho ran-plain\n' >"$dir/plain"
	printf '#!/usr/bin/python3\nprint(1)\n' >"$dir/py"
	chmod 755 "$dir/tool" "$dir/py"
	chmod 644 "$dir/plain"
	local cmd want line
	for cmd in "/bin/nope:127:'/bin/nope' is not in the container" \
		"nope:127:no 'nope' in the container's PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/t)" \
		"/opt/t/plain:126:'/opt/t/plain' has no execute permission" \
		"/opt/t/py:127:'/opt/t/py': its interpreter '/usr/bin/python3' is not in the container" \
		"/opt/t/tool:0:" "tool:0:" "sh:0:"; do
		want=${cmd#*:}
		line=${want#*:}
		want=${want%%:*}
		cmd=${cmd%%:*}
		write_spec <<-EOF
			command: ["$cmd"]
			mounts:
			  - {type: bind, source: $dir, target: /opt/t, readonly: true}
			env:
			  PATH: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/t
		EOF
		run "-$want" --separate-stderr ctl --check "$SPEC"
		assert_status "$want"
		if [ -n "$line" ]; then
			assert_eq "--check $cmd" "$SPEC:2:10: command: $line" "$stderr"
		else
			assert_eq "--check $cmd" "$SPEC: ok" "$output"
		fi
		[ ! -e "$(cg_dir memory)" ] || fail "--check made a cgroup"
		# The run ends as --check said it would.
		run "-$want" --separate-stderr ctl "$SPEC"
		assert_status "$want"
	done
}

@test "examples: every example runs with its documented exit status" {
	local ex base want n=0 bad=
	for want in hello memory-oom cpuset-pin cpu-shares; do
		[ -f "$ROOT/examples/$want.yaml" ] || bad+="examples/$want.yaml is missing"$'\n'
	done
	for ex in "$ROOT"/examples/*.yaml; do
		want=$(sed -n 's/^#[[:space:]]*expect-exit:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$ex" | head -n 1)
		want=${want:-0}
		n=$((n + 1))
		# A terminal's (tty: true): tty.bats drives it on a pseudo-terminal.
		if grep -q '^tty: true' "$ex"; then
			run --separate-stderr ctl --check "$ex"
			[ "$status" -eq 0 ] || bad+="${ex#"$ROOT"/}: --check: exit $status"$'\n'"  stderr: $stderr"$'\n'
			continue
		fi
		# As written first; then run under a name of this test's, so
		# that a `make demo` next to the tests cannot collide with it.
		run --separate-stderr ctl --check "$ex"
		if [ "$status" -ne 0 ]; then
			bad+="${ex#"$ROOT"/}: --check: exit $status"$'\n'"  stderr: $stderr"$'\n'
			continue
		fi
		base=${ex##*/}
		run --separate-stderr ctl --name "$NAME-${base%.yaml}" "$ex"
		echo "# ${ex#"$ROOT"/}: exit $status (want $want)" >&3
		if [ "$status" -ne "$want" ]; then
			bad+="${ex#"$ROOT"/}: exit $status, want $want"$'\n'"  stdout: $output"$'\n'"  stderr: $stderr"$'\n'
		elif [ "$want" -eq 137 ] && ! grep -q 'killed by the OOM killer' <<<"$stderr"; then
			bad+="${ex#"$ROOT"/}: no OOM message; stderr: $stderr"$'\n'
		fi
	done
	[ "$n" -ge 4 ] || bad+="only $n examples"$'\n'
	[ -z "$bad" ] || fail "$bad"
}

@test "cli: -v logs every step of the plan, in order, as it runs" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		command: [/bin/true]
	EOF
	local steps
	steps=$(ctl --plan "$SPEC" | grep -cE '^ *[0-9]+ (parent|child) ')
	run --separate-stderr ctl -v "$SPEC"
	assert_status 0
	# One log line per step, each numbered i/N by the process that ran it.
	assert_eq "logged steps" "$steps" "$(grep -cE "^ctlaunch: $NAME: (parent|child) [0-9]+/$steps: " <<<"$stderr")"
	assert_line_match "log" "^ctlaunch: $NAME: child [0-9]+/$steps: pivot_root " "$stderr"
	assert_line_match "log" "^ctlaunch: $NAME: parent $steps/$steps: wait for the container's pid 1" "$stderr"
	# Root's child runs while ctlaunch sleeps (vfork): the log is the
	# plan, in its order, the child's steps after the clone and its own
	# join of its cgroup first.
	local order
	order=$(sed -nE "s|^ctlaunch: $NAME: (parent\|child) ([0-9]+)/$steps: .*|\2|p" <<<"$stderr")
	assert_eq "log order" "$(seq 1 "$steps")" "$order"
	assert_line_match "log" "^ctlaunch: $NAME: parent [0-9]+/$steps: clone .* with CLONE_VM\|CLONE_VFORK " "$stderr"
	assert_line_match "log" "^ctlaunch: $NAME: child [0-9]+/$steps: write 0 \(itself\) to .*/memory/.*/cgroup.procs$" "$stderr"
}

@test "cli: when ctlaunch is killed, the container dies with it; the next run clears its cgroup" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		command: echo ready; while :; do sleep 1; done
	EOF
	local mem init
	mem=$(cg_dir memory)
	ctl_bg "$SPEC"
	wait_for_line ready
	init=$(container_init_pid "$mem")
	kill -KILL "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	# PR_SET_PDEATHSIG kills the container's pid 1, and the kernel the
	# rest of its pid namespace.
	local i
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		[ -d "/proc/$init" ] || break
		sleep 0.05
	done
	[ ! -d "/proc/$init" ] || fail "the container's pid 1 ($init) outlived ctlaunch"
	# A killed launcher cannot clean up: its empty cgroup stays until the
	# next run of the same name, which removes it and leaves nothing.
	[ -d "$mem" ] || fail "expected the killed run's cgroup $mem to be left"
	run --separate-stderr ctl "$SPEC" -- /bin/true
	assert_status 0
	[ ! -e "$mem" ] || fail "the stale cgroup $mem is still there"
}

@test "bad spec: a flood of problems is cut to 50 lines and a count" {
	{
		printf 'rootfs: %s\ncommand: [/bin/true]\n' "$ROOTFS"
		for i in $(seq 120); do printf 'bogus%d: 1\n' "$i"; done
	} >"$SPEC"
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_eq "lines" 51 "$(wc -l <<<"$stderr")"
	assert_line "first" "$SPEC:3:1: bogus1: unknown key (expected one of name, rootfs, hostname, command, env, workdir, resources, user, readonly_rootfs, unsafe_paths, mounts, capabilities, no_new_privileges, rlimits, seccomp, userns, tty, init, network)" "$(head -n 1 <<<"$stderr")"
	assert_line "last" "$SPEC: 70 more problems not shown" "$stderr"
}

@test "cli: the shared ctlaunch/ cgroups stay after a run; --cleanup removes them when no container runs, and the locks of names not running" {
	write_spec <<-'EOF'
		command: echo ready; read x; echo done
	EOF
	local parent=/ctlt-cleanup-$$-$BATS_TEST_NUMBER h cs levels all=()
	for h in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d); do
		[ -e "$h/cgroup.procs" ] && all+=("$h$parent")
	done
	mkdir "${all[@]}"
	RMDIR_AFTER+=("${all[@]}")
	cs=$(cg_mount cpuset)
	cat "$cs/cpuset.mems" >"$cs$parent/cpuset.mems"
	cat "$cs/cpuset.cpus" >"$cs$parent/cpuset.cpus"
	levels=$(printf '%s/ctlaunch\n' "${all[@]}" | sort)
	# A lock of a name nothing runs, as a run leaves it.
	install -m 600 /dev/null "/run/ctlaunch/$NAME-gone.lock"

	ctl_bg --cgroup-parent "$parent" "$SPEC"
	wait_for_line ready
	run --separate-stderr ctl --cleanup --cgroup-parent "$parent"
	assert_status 0
	assert_eq "kept while a container runs" \
		"$(sed 's|$|: a container is running|; s|^|kept |' <<<"$levels")" "$(grep '^kept ' <<<"$output" | sort)"
	assert_line "the free lock" "removed /run/ctlaunch/$NAME-gone.lock" "$output"
	[ -e "/run/ctlaunch/$NAME.lock" ] || fail "--cleanup removed the lock of a running name"
	bg_wait
	assert_status 0
	assert_eq "left under the parent after the run" "$levels" "$(find "${all[@]}" -mindepth 1 -type d | sort)"

	run --separate-stderr ctl --cleanup --cgroup-parent "$parent"
	assert_status 0
	assert_eq "removed" "$(sed 's|^|removed |' <<<"$levels")" "$(grep "^removed .*$parent" <<<"$output" | sort)"
	assert_line "the lock of the name that ran" "removed /run/ctlaunch/$NAME.lock" "$output"
	assert_eq "left under the parent after --cleanup" "" "$(find "${all[@]}" -mindepth 1 -type d)"
	run --separate-stderr ctl --cleanup --cgroup-parent "$parent"
	assert_status 0
	assert_eq "a second --cleanup" "nothing to clean up" "$output"

	run --separate-stderr ctl --cleanup "$SPEC"
	assert_status 125
	assert_match "stderr" "--cleanup: unexpected argument" "$stderr"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$CTLAUNCH" --cleanup
	assert_status 125
	assert_match "stderr" "--cleanup: only root may" "$stderr"
}

@test "cli: --cgroup-parent puts the cgroups under that path; a missing parent is an error" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		  cpu_shares: 300
		command: echo ready; read x; echo done
	EOF
	local parent=/ctlt-parent-$$-$BATS_TEST_NUMBER mem cpu h all=()
	mem=$(cg_mount memory)$parent
	cpu=$(cg_mount cpu)$parent
	# The container has a cgroup in every hierarchy: the parent must be
	# in each (links such as cpu,cpuacct are not hierarchies of their own).
	for h in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d); do
		[ -e "$h/cgroup.procs" ] && all+=("$h$parent")
	done
	mkdir "${all[@]}"
	RMDIR_AFTER+=("${all[@]}")
	# A new v1 cpuset is empty, and ctlaunch copies its parent's.
	local cs
	cs=$(cg_mount cpuset)
	cat "$cs/cpuset.mems" >"$cs$parent/cpuset.mems"
	cat "$cs/cpuset.cpus" >"$cs$parent/cpuset.cpus"
	ctl_bg --cgroup-parent "$parent" "$SPEC"
	wait_for_line ready
	local got_mem got_cpu
	got_mem=$(cat "$mem/ctlaunch/$NAME/memory.limit_in_bytes" 2>&1)
	got_cpu=$(cat "$cpu/ctlaunch/$NAME/cpu.shares" 2>&1)
	bg_wait
	local left
	left=$(find "${all[@]}" -mindepth 1 -type d | sort)
	assert_status 0
	assert_eq "memory.limit_in_bytes under the parent" 33554432 "$got_mem"
	assert_eq "cpu.shares under the parent" 300 "$got_cpu"
	# The shared ctlaunch/ level stays, empty; the container's are gone.
	assert_eq "left under the parent" "$(printf '%s/ctlaunch\n' "${all[@]}" | sort)" "$left"

	run --separate-stderr ctl --cgroup-parent /ctlt-no-such-parent "$SPEC"
	assert_status 125
	assert_match "stderr" "ctlt-no-such-parent/ctlaunch \(does the parent cgroup exist\?\): No such file or directory" "$stderr"
	run --separate-stderr ctl --cgroup-parent ../escape "$SPEC"
	assert_status 125
	assert_match "stderr" "invalid path '../escape'" "$stderr"
	# One spelling per cgroup: a trailing / would name it twice.
	run --separate-stderr ctl --cgroup-parent "$parent/" "$SPEC"
	assert_status 125
	assert_match "stderr" "invalid path '$parent/'" "$stderr"
}
