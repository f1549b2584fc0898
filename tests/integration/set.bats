#!/usr/bin/env bats
# --set KEY=VALUE: values of the spec from the command line, as the
# container gets them; refused values; --check and --plan with them.

load helpers

@test "--set: the container gets the command line's values (memory limit, host name, env, command)" {
	write_spec <<-'EOF'
		hostname: from-the-file
		resources:
		  memory: 64M
		command: [/bin/false]
	EOF
	run --separate-stderr ctl --set resources.memory=48M --set hostname=from-the-cli \
		--set env.GREETING='hello there' \
		--set 'command=[sh, -c, "hostname; echo $GREETING; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"]' \
		"$SPEC"
	assert_status 0
	assert_eq "stdout" "from-the-cli"$'\n'"hello there"$'\n'"$((48 << 20))" "$output"
}

@test "--set: a bad value or an unknown key is 125, names the --set, with the file's problems; nothing runs" {
	write_spec <<-'EOF'
		hostname: a/b
		command: ["/bin/touch", "/tmp/ran"]
	EOF
	rm -f "$ROOTFS/tmp/ran"
	run --separate-stderr ctl --set resources.memory=lots --set resources.memroy=1G "$SPEC"
	assert_status 125
	assert_eq "stderr" "$SPEC:2:11: hostname: invalid host name 'a/b' (expected 1 to 64 bytes without /)
--set resources.memory=lots: invalid size 'lots' (expected bytes or a number with K, M, G or T)
--set resources.memroy=1G: unknown key (expected one of memory, cpu_shares, cpuset, pids, cpus)" "$stderr"
	[ ! -e "$ROOTFS/tmp/ran" ] || fail "the command ran"
	# --check says the same.
	run --separate-stderr ctl --check --set resources.memory=lots "$SPEC"
	assert_status 125
	assert_line "stderr" "--set resources.memory=lots: invalid size 'lots' (expected bytes or a number with K, M, G or T)" "$stderr"
}

@test "--set: --check and --plan take it; --plan names it as the value's place" {
	write_spec <<-'EOF'
		resources:
		  cpu_shares: 512
		command: [/bin/true]
	EOF
	run --separate-stderr ctl --check --set resources.memory=32M "$SPEC"
	assert_status 0
	run --separate-stderr ctl --plan --set resources.memory=32M --set hostname=lab2 "$SPEC"
	assert_status 0
	assert_line_match "stdout" '^ +[0-9]+ child  sethostname lab2  # --set hostname$' "$output"
	assert_line_match "stdout" "  # --set resources.memory\$" "$output"
	# The file's own values keep their place in the file.
	assert_line_match "stdout" "  # (.*/)?$NAME\\.yaml:3:15\$" "$output"
	# A place the check finds wrong names the --set too.
	run --separate-stderr ctl --check --set rootfs=/nonexistent "$SPEC"
	assert_status 125
	assert_line_match "stderr" "^--set rootfs=/nonexistent: '/nonexistent': " "$stderr"
}
