#!/usr/bin/env bats
# --export-image DIR: the spec's rootfs and command as an OCI image
# layout, read back by umoci (another implementation of the image spec,
# in Go): the tree it unpacks is the rootfs, entry for entry (types,
# modes, owners, sizes, times, links, device numbers, the files' SHA-256),
# and the runtime config it makes from the image config carries the
# spec's command, environment, working directory and user.

load helpers

setup_file() {
	command -v umoci >/dev/null || skip "no umoci (scripts/deps.sh installs it)"
}

# A rootfs with one of each kind of entry a layer must carry exactly.
tricky_rootfs() {
	RF=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RF"
	mkdir -p "$RF/data/empty"
	chmod 0700 "$RF/data/empty"
	printf 'same inode\n' >"$RF/data/a"
	ln "$RF/data/a" "$RF/data/b"
	ln "$RF/data/a" "$RF/data/c"
	head -c 100000 /dev/urandom >"$RF/data/random"
	install -m 4755 -o 1234 -g 5678 /dev/null "$RF/data/setuid"
	# A user namespace's ids: beyond ustar's 7 octal digits (pax).
	printf 'big ids\n' >"$RF/data/userns"
	chown 2147352576:2147352577 "$RF/data/userns"
	# A path of more than 255 bytes (pax path) and one that ustar's
	# prefix and name hold (150 + 90).
	local long=$RF/data/$(printf 'd%.0s' {1..120})/$(printf 'e%.0s' {1..120})
	mkdir -p "$long"
	printf 'deep\n' >"$long/$(printf 'f%.0s' {1..90})"
	mkdir -p "$RF/data/$(printf 'p%.0s' {1..145})"
	printf 'split\n' >"$RF/data/$(printf 'p%.0s' {1..145})/$(printf 'n%.0s' {1..90})"
	ln -s "$(printf 't%.0s' {1..150})" "$RF/data/longlink"
	printf 'utf-8\n' >"$RF/data/ünïcode name"
	mkfifo "$RF/data/fifo"
	mknod "$RF/data/null" c 1 3
	mknod -m 0600 "$RF/data/loop" b 7 200
	touch -h -d '2001-02-03 04:05:06' "$RF/data/a" "$RF/data/longlink"
}

# The tree under $1 as one line per entry: path, type and mode, owner,
# size (but a directory's), link count, symlink target, device, mtime,
# and a regular file's SHA-256.
listing() {
	(cd "$1" && find . -mindepth 1 -printf '%P|%M|%U:%G|%y%s|%n|%l|%T@\n' |
		awk -F'|' -v OFS='|' '{ sub(/\..*/, "", $7); if ($4 ~ /^d/) $4 = "d"; print }' | sort)
	(cd "$1" && find . -mindepth 1 \( -type c -o -type b \) -printf '%P ' -exec stat -c '%t:%T' {} \; | sort)
	(cd "$1" && find . -mindepth 1 -type f -exec sha256sum {} + | sort -k2)
}

@test "export-image: umoci unpacks the very rootfs, and the spec's process" {
	tricky_rootfs
	ROOTFS=$RF write_spec <<-'EOF2'
		hostname: imagehost
		user: 1000:1000
		workdir: /data
		env:
		  GREETING: hello there
		command: [/bin/echo, "$GREETING"]
	EOF2
	run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/img" "$SPEC"
	assert_status 0
	assert_match "stdout" "^$BATS_TEST_TMPDIR/img: $NAME sha256:[0-9a-f]{64} \([0-9]+ entries, layer [0-9]+ bytes\)\$" "$output"
	assert_eq "stderr" "" "$stderr"
	run umoci unpack --image "$BATS_TEST_TMPDIR/img:$NAME" "$BATS_TEST_TMPDIR/bundle"
	assert_status 0
	listing "$RF" >"$BATS_TEST_TMPDIR/want"
	listing "$BATS_TEST_TMPDIR/bundle/rootfs" >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" ||
		fail "the unpacked tree differs from the rootfs"
	# The lists are not empty, and hold what the test made.
	run listing "$RF"
	assert_line_match "the hard links" '^data/a\|-rw-r--r--\|0:0\|f11\|3\|\|981173106$' "$output"
	assert_line_match "the pax ids" '^data/userns\|.*\|2147352576:2147352577\|' "$output"
	assert_line_match "the device" '^data/loop 7:c8$' "$output"
	local config=$BATS_TEST_TMPDIR/bundle/config.json
	run jq -c '.process | [.args, .cwd, .user.uid, .user.gid, (.env | map(select(startswith("GREETING=") or startswith("PATH="))))]' "$config"
	assert_status 0
	assert_eq "the process" '[["/bin/echo","$GREETING"],"/data",1000,1000,["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello there"]]' "$output"
	run umoci stat --image "$BATS_TEST_TMPDIR/img:$NAME" --json
	assert_status 0
	assert_match "umoci stat" '"created_by":"ctlaunch --export-image"' "$output"
}

@test "export-image: the same rootfs makes the same image; SOURCE_DATE_EPOCH clamps the times" {
	ROOTFS=$ROOTFS write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	run ctl --export-image "$BATS_TEST_TMPDIR/one" "$SPEC"
	assert_status 0
	local first=$output
	run ctl --export-image "$BATS_TEST_TMPDIR/two" "$SPEC"
	assert_status 0
	assert_eq "the second export" "${first#"$BATS_TEST_TMPDIR/one"}" "${output#"$BATS_TEST_TMPDIR/two"}"
	cmp "$BATS_TEST_TMPDIR/one/index.json" "$BATS_TEST_TMPDIR/two/index.json"
	SOURCE_DATE_EPOCH=86400 run ctl --export-image "$BATS_TEST_TMPDIR/three" "$SPEC"
	assert_status 0
	run umoci stat --image "$BATS_TEST_TMPDIR/three:$NAME" --json
	assert_match "created" '"created":"1970-01-02T00:00:00Z"' "$output"
	local layer
	layer=$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/three/blobs/sha256/$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/three/index.json" | cut -d: -f2)" | cut -d: -f2)
	run tar --list --verbose --full-time --numeric-owner -f "$BATS_TEST_TMPDIR/three/blobs/sha256/$layer"
	assert_status 0
	assert_line_match "a clamped time" ' 1970-01-02 00:00:00 bin/busybox$' "$output"
	assert_no_line "a later time" ' (19[7-9][0-9]-..-.. ..:..:..|20..-..-.. ..:..:..) ' \
		"$(grep -v ' 1970-01-0[12] ' <<<"$output")"
	SOURCE_DATE_EPOCH=soon run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/four" "$SPEC"
	assert_status 125
	assert_eq "stderr" "ctlaunch: SOURCE_DATE_EPOCH: invalid time 'soon' (expected seconds since 1970)" "$stderr"
}

@test "export-image: a hostile rootfs's symlinks are links in the layer, never followed" {
	RF=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RF"
	ln -s /etc/shadow "$RF/shadow"
	ln -s ../../../../../../etc "$RF/hostetc"
	ROOTFS=$RF write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	run strace -f -o "$BATS_TEST_TMPDIR/trace" -e trace=open,openat,openat2 \
		"$CTLAUNCH" --export-image "$BATS_TEST_TMPDIR/img" "$SPEC"
	assert_status 0
	assert_no_line "an open of the host's /etc" '"/etc/shadow"|"hostetc"|"shadow"' "$(cat "$BATS_TEST_TMPDIR/trace")"
	run umoci unpack --image "$BATS_TEST_TMPDIR/img:$NAME" "$BATS_TEST_TMPDIR/bundle"
	assert_status 0
	assert_eq "the link" /etc/shadow "$(readlink "$BATS_TEST_TMPDIR/bundle/rootfs/shadow")"
	assert_eq "the directory link" ../../../../../../etc "$(readlink "$BATS_TEST_TMPDIR/bundle/rootfs/hostetc")"
	assert_eq "the layer's hostetc entries" 1 \
		"$(find "$BATS_TEST_TMPDIR/bundle/rootfs" -path '*hostetc*' | wc -l)"
}

@test "export-image: -- COMMAND and --name make the image's Cmd and tag" {
	ROOTFS=$ROOTFS write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	run ctl --export-image "$BATS_TEST_TMPDIR/img" --name other "$SPEC" -- /bin/sh -c 'echo hi'
	assert_status 0
	run umoci unpack --image "$BATS_TEST_TMPDIR/img:other" "$BATS_TEST_TMPDIR/bundle"
	assert_status 0
	assert_eq "args" '["/bin/sh","-c","echo hi"]' "$(jq -c .process.args "$BATS_TEST_TMPDIR/bundle/config.json")"
}

@test "export-image: DIR must be new or empty; a failure leaves nothing; errors name the path" {
	ROOTFS=$ROOTFS write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	mkdir "$BATS_TEST_TMPDIR/full"
	touch "$BATS_TEST_TMPDIR/full/x"
	run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/full" "$SPEC"
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: $BATS_TEST_TMPDIR/full: the directory is not empty" "$stderr"
	assert_eq "the directory" x "$(ls -A "$BATS_TEST_TMPDIR/full")"
	run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/no/such" "$SPEC"
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: $BATS_TEST_TMPDIR/no/such: cannot make the directory: No such file or directory" "$stderr"
	# An empty directory is taken; a file where DIR goes is not.
	mkdir "$BATS_TEST_TMPDIR/empty"
	run ctl --export-image "$BATS_TEST_TMPDIR/empty" "$SPEC"
	assert_status 0
	run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/full/x" "$SPEC"
	assert_status 125
	assert_match "stderr" "full/x: cannot open the directory: Not a directory" "$stderr"
	# DIR inside the rootfs: the walk would read its own output.
	RF=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RF"
	ROOTFS=$RF write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	run --separate-stderr ctl --export-image "$RF/tmp/img" "$SPEC"
	assert_status 125
	assert_match "stderr" "/tmp/img: the rootfs: /tmp/img: the image's directory is in the rootfs" "$stderr"
	[ ! -e "$RF/tmp/img" ] || fail "$RF/tmp/img left behind"
}

@test "export-image: what it does not go with" {
	ROOTFS=$ROOTFS write_spec <<-'EOF2'
		command: [/bin/true]
	EOF2
	local opt
	for opt in --plan --check -t --init "--cgroup-parent=/x"; do
		run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/img" $opt "$SPEC"
		assert_status 125
		assert_eq "stderr ($opt)" "ctlaunch: --export-image does not go with ${opt%%=*}" "$stderr"
	done
	run --separate-stderr ctl --export-image "$BATS_TEST_TMPDIR/img" --list
	assert_status 125
	assert_eq "stderr" "ctlaunch: --export-image does not go with --list" "$stderr"
	[ ! -e "$BATS_TEST_TMPDIR/img" ] || fail "the refused invocations made $BATS_TEST_TMPDIR/img"
}
