#!/usr/bin/env bats
# network: (issue 12): none, host and a bridge, with real containers.
# Tests may use ip(8) to look at the host; ctlaunch never runs it. Each
# test's bridge is named for the test (ctlt-br-PID-N), so nothing of the
# host's can clash; teardown removes it and its leases if a test failed
# half-way, and fails the test if a run left them.

load helpers

LEASES=/run/ctlaunch/net

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	BR=ctlt-br-$$-$BATS_TEST_NUMBER
	BR=${BR:0:15}
	# A subnet of the test's own: 10.(200+N%50).0.0/24.
	NET=10.$((200 + BATS_TEST_NUMBER % 50)).0
}

teardown() {
	local left= v
	for v in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^ctv' || true); do
		# A veth of a run of this test's would be on its bridge.
		if ip -o link show dev "$v" 2>/dev/null | grep -q "master $BR "; then
			left+="veth $v left on $BR"$'\n'
			ip link del "$v" 2>/dev/null || true
		fi
	done
	if ip link show dev "$BR" >/dev/null 2>&1; then
		left+="bridge $BR left"$'\n'
		ip link del "$BR" 2>/dev/null || true
	fi
	if [ -e "$LEASES/$BR" ] || [ -e "$LEASES/$BR.made" ]; then
		left+="leases of $BR left: $(ls "$LEASES/$BR" 2>&1)"$'\n'
		rm -rf "${LEASES:?}/$BR" "$LEASES/$BR.made"
	fi
	rm -f "$LEASES/$NAME"*.hosts
	helpers_teardown || left+="helpers' teardown failed"$'\n'
	[ -z "$left" ] || fail "$left"
}

# bridge_spec [ADDRESS-LINE]: a spec on the test's bridge, its command
# from stdin.
bridge_spec() {
	local cmd
	cmd=$(cat)
	write_spec <<-EOF
	network:
	  bridge: $BR
	  subnet: $NET.0/24
	${1:-}
	command: |
	$(sed 's/^/  /' <<<"$cmd")
	EOF
}

@test "network: a bridge: eth0 with its address and route, the bridge made and removed" {
	bridge_spec "  address: $NET.5" <<-'EOF'
	ip -4 -o addr show dev eth0
	ip route
	cat /etc/hosts
	ls /sys/class/net
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_contains stdout "inet $NET.5/24" "$output"
	assert_contains stdout "default via $NET.1 dev eth0" "$output"
	assert_line_match stdout "$NET\.5[[:space:]]+$NAME" "$output"
	assert_line stdout eth0 "$output"
	assert_line stdout lo "$output"
	# Gone once the run ended: the veth with the namespace, the bridge
	# with its last lease.
	! ip link show dev "$BR" 2>/dev/null
	[ ! -e "$LEASES/$BR" ]
}

@test "network: examples/client-server: by address and by name over one bridge" {
	local ex=$ROOT/examples/client-server srv cli
	[ -x "$ROOT/build/private/rootfs/bin/busybox" ] || skip "examples need build/private/rootfs"
	srv=$BATS_TEST_TMPDIR/$NAME-srv.yaml
	cli=$BATS_TEST_TMPDIR/$NAME-cli.yaml
	# The examples, moved here: their rootfs by its absolute path, the
	# test's bridge, subnet and names.
	sed "s#\.\./\.\./build#$ROOT/build#; s/^name: .*/name: $NAME-srv/; s/lab0/$BR/; s/10\.77\.0/$NET/g" \
		"$ex/server.yaml" >"$srv"
	sed "s#\.\./\.\./build#$ROOT/build#; s/^name: .*/name: $NAME-cli/; s/lab0/$BR/; s/10\.77\.0/$NET/g; s/ server / $NAME-srv /; s/-w server/-w $NAME-srv/" \
		"$ex/client.yaml" >"$cli"
	printf 'env:\n  CTLT_MARKER: %s\n' "$NAME" | tee -a "$srv" >>"$cli"
	ctl_bg "$srv"
	wait_for_line "server: listening on $NET.2 port 7000"
	run --separate-stderr ctl "$cli"
	assert_status 0
	assert_line_match stdout "^$NET\.2[[:space:]]+$NAME-srv" "$output"
	bg_wait
	assert_status 0
	assert_contains stdout "hello by name" "$output"
	assert_contains stdout "hello by address from $NET.3/24" "$output"
	! ip link show dev "$BR" 2>/dev/null
}

@test "network: the host reaches a container on the bridge" {
	bridge_spec "  address: $NET.7" <<-'EOF'
	mkfifo /dev/shm/quiet
	exec 3<>/dev/shm/quiet
	echo listening
	nc -l -p 7001 <&3
	EOF
	ctl_bg "$SPEC"
	wait_for_line listening
	# The bridge has the subnet's first address on the host's side.
	ip -4 -o addr show dev "$BR" | grep -q "inet $NET.1/24"
	# --join enters the namespace ctlaunch made, which the clone did not.
	run --separate-stderr ctl --join "$NAME" -- ip -4 -o addr show dev eth0
	assert_status 0
	assert_contains stdout "inet $NET.7/24" "$output"
	local i
	for i in $(seq 100); do
		echo "from the host" | "$ROOTFS/bin/busybox" nc "$NET.7" 7001 2>/dev/null && break
		sleep 0.1
	done
	bg_wait
	assert_status 0
	assert_line stdout "from the host" "$output"
}

@test "network: host: the host's interfaces, and a warning in --plan and the run" {
	write_spec <<-'EOF'
	network: host
	command: ls /sys/class/net
	EOF
	run --separate-stderr ctl --plan "$SPEC"
	assert_status 0
	assert_contains stderr "shares the host's network namespace" "$stderr"
	assert_no_match plan "CLONE_NEWNET" "$output"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_contains stderr "shares the host's network namespace" "$stderr"
	assert_eq stdout "$(ls /sys/class/net)" "$output"
}

@test "network: none (the default) has lo alone" {
	write_spec <<-'EOF'
	command: ls /sys/class/net
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq stdout lo "$output"
}

@test "network: 10 concurrent launches without an address get 10 distinct ones, and leave nothing" {
	bridge_spec <<-'EOF'
	ip -4 -o addr show dev eth0 | awk '{print $4}'
	sleep 1
	EOF
	local i pids=()
	for i in $(seq 10); do
		ctl --name "$NAME-$i" "$SPEC" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 &
		pids+=($!)
	done
	local bad=
	for i in $(seq 10); do
		wait "${pids[i - 1]}" || bad+="run $i: exit $?: $(cat "$BATS_TEST_TMPDIR/out.$i")"$'\n'
	done
	[ -z "$bad" ] || fail "$bad"
	cat "$BATS_TEST_TMPDIR"/out.* | sort >"$BATS_TEST_TMPDIR/all"
	echo "# $(tr '\n' ' ' <"$BATS_TEST_TMPDIR/all")" >&3
	[ "$(wc -l <"$BATS_TEST_TMPDIR/all")" -eq 10 ] || fail "$(cat "$BATS_TEST_TMPDIR/all")"
	[ "$(sort -u "$BATS_TEST_TMPDIR/all" | wc -l)" -eq 10 ] || fail "an address twice: $(cat "$BATS_TEST_TMPDIR/all")"
	! grep -vq "^$NET\.[0-9]*/24$" "$BATS_TEST_TMPDIR/all"
	! ip link show dev "$BR" 2>/dev/null
	[ ! -e "$LEASES/$BR" ]
	[ -z "$(ip -o link show master "$BR" 2>/dev/null)" ]
}

@test "network: after a SIGKILL of ctlaunch the next run sweeps its lease, veth and bridge" {
	bridge_spec <<-'EOF'
	echo up
	sleep 60
	EOF
	ctl_bg "$SPEC"
	wait_for_line up
	kill -KILL "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	# Left by the killed run: its lease and the bridge.
	ip link show dev "$BR" >/dev/null
	[ -n "$(ls "$LEASES/$BR")" ]
	# The watcher kills the container; the next run on the bridge
	# sweeps what its launcher left.
	wait_no_marked_procs >/dev/null
	bridge_spec <<-'EOF'
	ip -4 -o addr show dev eth0 | awk '{print $4}'
	EOF
	# The same name: its run also sweeps the cgroups the killed one left.
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	# The dead run's address is free again: the first one.
	assert_eq stdout "$NET.2/24" "$output"
	! ip link show dev "$BR" 2>/dev/null
	[ ! -e "$LEASES/$BR" ]
	[ ! -e "$LEASES/$BR.made" ]
}

@test "network: a bridge that ctlaunch did not make stays" {
	ip link add "$BR" type bridge
	bridge_spec "  address: $NET.9" <<-'EOF'
	ip -4 -o addr show dev eth0 | awk '{print $4}'
	EOF
	run --separate-stderr ctl "$SPEC"
	local still=0
	ip link show dev "$BR" >/dev/null 2>&1 && still=1
	ip link del "$BR"
	assert_status 0
	assert_eq stdout "$NET.9/24" "$output"
	[ "$still" -eq 1 ] || fail "ctlaunch removed a bridge it did not make"
}
