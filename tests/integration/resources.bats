#!/usr/bin/env bats
# cgroups: the limits of the spec, read on the host while the container
# runs and inside it; the OOM kill; stale and live cgroups of the same
# name.

load helpers

@test "cgroups: memory, cpu.shares and cpuset on the host while it runs; the container is in them" {
	write_spec <<-'EOF'
		resources:
		  memory: 64M
		  cpu_shares: 512
		  cpuset:
		    cpus: "1"
		    mems: "0"
		command: |
		  grep -E '^(Cpus|Mems)_allowed_list' /proc/self/status
		  grep -E ':(memory|cpu|cpuset)(,[^:]*)?:' /proc/1/cgroup
		  echo ready
		  read x
		  true
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready

	local mem cpu cpuset pid
	mem=$(cg_dir memory) cpu=$(cg_dir cpu) cpuset=$(cg_dir cpuset)
	assert_eq "memory.limit_in_bytes" 67108864 "$(cat "$mem/memory.limit_in_bytes")"
	if [ -e "$mem/memory.memsw.limit_in_bytes" ]; then
		assert_eq "memory.memsw.limit_in_bytes" 67108864 "$(cat "$mem/memory.memsw.limit_in_bytes")"
	fi
	assert_eq "cpu.shares" 512 "$(cat "$cpu/cpu.shares")"
	assert_eq "cpuset.cpus" 1 "$(cat "$cpuset/cpuset.cpus")"
	assert_eq "cpuset.mems" 0 "$(cat "$cpuset/cpuset.mems")"

	# The host's view of the container's PID 1: a child of ctlaunch, in
	# every cgroup, in namespaces of its own.
	pid=$(container_init_pid "$mem")
	assert_eq "parent of PID 1" "$BG_PID" "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")"
	assert_line "$cpu/cgroup.procs" "$pid" "$(cat "$cpu/cgroup.procs")"
	assert_line "$cpuset/cgroup.procs" "$pid" "$(cat "$cpuset/cgroup.procs")"
	local ns
	for ns in uts pid mnt ipc net; do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
			fail "the container shares the host's $ns namespace"
	done
	# A cgroup in the hierarchies the spec does not limit too (issue
	# 10), with the default pids limit.
	local pids_dir
	pids_dir=$(cg_dir pids)
	assert_eq "default pids.max" 2048 "$(cat "$pids_dir/pids.max")"
	assert_line "$pids_dir/cgroup.procs" "$pid" "$(cat "$pids_dir/cgroup.procs")"

	# With a cgroup namespace of its own, the container sees its cgroup
	# as /; without, as the host's path.
	local cgns=
	[ "$(readlink "/proc/$pid/ns/cgroup")" != "$(readlink /proc/self/ns/cgroup)" ] && cgns=1

	bg_wait
	assert_status 0
	# Inside: pinned as the spec says, and in the cgroups from its first
	# instruction on.
	assert_line "inside" $'Cpus_allowed_list:\t1' "$output"
	assert_line "inside" $'Mems_allowed_list:\t0' "$output"
	local sub own
	for sub in memory cpu cpuset; do
		own=$(cg_own "$sub")
		[ "$own" = / ] && own=
		own=$own/ctlaunch/$NAME
		[ -z "$cgns" ] || own=/
		assert_line_match "/proc/1/cgroup inside" \
			"^[0-9]+:([^:]*,)?$sub(,[^:]*)?:$own\$" "$output"
	done
	[ ! -e "$mem" ] && [ ! -e "$cpu" ] && [ ! -e "$cpuset" ] || fail "a cgroup is left after the run"
}

@test "cgroups: the pinned CPU list reaches the container (cpus 0)" {
	write_spec <<-'EOF'
		resources:
		  cpuset:
		    cpus: "0"
		command: grep ^Cpus_allowed_list /proc/self/status
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "inside" $'Cpus_allowed_list:\t0' "$output"
}

@test "oom: memory 16M and a growing command: exit 137 and the OOM message" {
	write_spec <<-'EOF'
		resources:
		  memory: 16M
		command: ["/bin/tail", "/dev/zero"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 137
	assert_line "stderr" "ctlaunch: $NAME: killed by the OOM killer (memory limit 16M)" "$stderr"
}

@test "cgroups: a stale empty cgroup of the same name is removed and made anew" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		  cpu_shares: 256
		command: echo ready; read x; echo done
	EOF
	local mem cpu
	mem=$(cg_dir memory) cpu=$(cg_dir cpu)
	mkdir -p "$mem" "$cpu"
	# Settings the spec does not name must not survive from a stale cgroup.
	echo 1048576 >"$mem/memory.soft_limit_in_bytes"
	echo 2 >"$cpu/cpu.shares"

	ctl_bg "$SPEC"
	wait_for_line ready
	assert_eq "memory.limit_in_bytes" 33554432 "$(cat "$mem/memory.limit_in_bytes")"
	assert_eq "cpu.shares" 256 "$(cat "$cpu/cpu.shares")"
	[ "$(cat "$mem/memory.soft_limit_in_bytes")" != 1048576 ] ||
		fail "memory.soft_limit_in_bytes of the stale cgroup survived: the cgroup was reused, not made anew"
	bg_wait
	assert_status 0
	assert_line "output" "done" "$output"
	[ ! -e "$mem" ] && [ ! -e "$cpu" ] || fail "the cgroups are still there after the run"
}

@test "cgroups: a cgroup of the same name with a live task: 125, and it is left alone" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		command: echo should not run
	EOF
	local mem sleeper
	mem=$(cg_dir memory)
	mkdir -p "$mem"
	sleep 300 </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	sleeper=$!
	echo "$sleeper" >"$mem/cgroup.procs"

	run --separate-stderr ctl "$SPEC"
	local procs
	procs=$(cat "$mem/cgroup.procs" 2>/dev/null || true)
	# Clean up before asserting: teardown must find nothing of ours.
	kill "$sleeper" 2>/dev/null || true
	wait "$sleeper" 2>/dev/null || true
	rmdir "$mem" 2>/dev/null || true

	assert_status 125
	assert_no_line "stdout" 'should not run' "$output"
	assert_match "stderr" "$NAME" "$stderr"
	assert_match "stderr" '(already|running|in use|busy|live|task)' "$stderr"
	assert_eq "cgroup.procs of the live cgroup" "$sleeper" "$procs"
}
