#!/bin/sh
# The whole test run of `make check`: unit tests, the same under
# ASan+UBSan, golden files, the man pages' lint, and (as root) the
# integration tests with real containers. Prints every suite's results
# and ends with one line "N passed, N failed". A failing suite does not
# stop the others; the exit status is 1 if anything failed.
set -u
cd "$(dirname "$0")/.." || exit 1

B=build
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctlaunch-tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); }

# run_tap LABEL CMD...: runs a suite that prints "ok ..." and "not ok ..."
# lines (the unit runner's "ok - name", or TAP), shows its output as it
# comes, and counts the lines. A suite that exits non-zero without a
# "not ok" line (a crash, a sanitizer report, a syntax error), or that
# runs fewer tests than its TAP plan announced, counts one failure more.
run_tap() {
	label=$1
	shift
	echo "== $label"
	{
		"$@" 2>&1
		echo $? >"$tmp/rc"
	} | tee "$tmp/out"
	rc=$(cat "$tmp/rc")
	# A "not ok ... # TODO" is a known gap, not a failure (TAP).
	ok=$(grep -cE '^ok( |$)' "$tmp/out")
	nok=$(grep -E '^not ok( |$)' "$tmp/out" | grep -cvE '# TODO( |$)')
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		echo "$label: exited with status $rc"
		fail
	elif [ -n "$plan" ] && [ "$(grep -cE '^(not )?ok( |$)' "$tmp/out")" -lt "$plan" ]; then
		echo "$label: $(grep -cE '^(not )?ok( |$)' "$tmp/out") of $plan tests ran"
		fail
	fi
	echo "$label: $ok passed, $nok failed"
}

# (a), (b) unit tests, plain and under the sanitizers.
for suite in "unit:$B/unit" "unit (asan+ubsan):$B/unit-san"; do
	label=${suite%%:*}
	bin=${suite#*:}
	if [ -x "$bin" ]; then
		run_tap "$label" "$bin"
	else
		echo "== $label"
		echo "not ok - $bin is missing (make $bin)"
		fail
	fi
done

# (c) golden files: NAME.yaml beside the expected plan (NAME.plan) or
# the expected error text (NAME.err), planned for a fake host: the one
# in NAME.facts where there is one, else the v1 host of host-v1.facts. The
# expected text says @TOP@ for the absolute path of the source tree (a
# rootfs resolves to one), and is made without TERM in the environment.
echo "== golden"
g_pass=$passed g_fail=$failed
top=$(pwd -P)
for spec in tests/golden/*.yaml; do
	[ -e "$spec" ] || continue
	base=${spec%.yaml}
	name=${base##*/}
	if [ -f "$base.plan" ]; then
		want=$base.plan want_rc=0 stream=out
	elif [ -f "$base.err" ]; then
		want=$base.err want_rc=125 stream=err
	else
		echo "not ok - golden $name: neither $name.plan nor $name.err"
		fail
		continue
	fi
	rc=0
	facts=tests/golden/host-v1.facts
	[ -f "$base.facts" ] && facts=$base.facts
	env -u TERM "$B/ctlaunch-san" --plan --host-facts "$facts" "$spec" \
		>"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	# --check refuses what --plan refuses, with the same lines and
	# status, and passes what it plans.
	check_rc=0
	env -u TERM "$B/ctlaunch-san" --check --host-facts "$facts" "$spec" \
		>/dev/null 2>"$tmp/check" </dev/null || check_rc=$?
	check_ok=true
	[ "$check_rc" -eq "$want_rc" ] || check_ok=false
	[ "$stream" = out ] || cmp -s "$tmp/err" "$tmp/check" || check_ok=false
	for f in out err; do
		awk -v top="$top" '{
			while ((i = index($0, top)) > 0)
				$0 = substr($0, 1, i - 1) "@TOP@" substr($0, i + length(top))
			print
		}' "$tmp/$f" >"$tmp/$f.top"
	done
	if diff -u "$want" "$tmp/$stream.top" >"$tmp/diff" 2>&1 && [ "$rc" -eq "$want_rc" ] &&
		$check_ok; then
		echo "ok - golden $name"
		pass
	else
		echo "not ok - golden $name (exit $rc, --check $check_rc, want $want_rc)"
		sed 's/^/    /' "$tmp/diff"
		[ "$stream" = err ] || sed 's/^/    stderr: /' "$tmp/err"
		[ "$stream" = out ] || diff "$tmp/err" "$tmp/check" | sed 's/^/    --plan, --check: /'
		fail
	fi
done
echo "golden: $((passed - g_pass)) passed, $((failed - g_fail)) failed"

# (d) the man pages.
set -- man/*.1 man/*.5
man=
for f; do [ -e "$f" ] && man="$man $f"; done
if [ -n "$man" ]; then
	echo "== man"
	# shellcheck disable=SC2086 # one word per page
	if mandoc -Tlint -W warning $man >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		echo "ok - mandoc -Tlint -W warning$man"
		pass
	else
		cat "$tmp/out"
		echo "not ok - mandoc -Tlint -W warning$man"
		fail
	fi
fi

# (d2) static analysis of our own code: cppcheck and clang-tidy must be
# silent. One test each; the commands are the Makefile's lint targets.
for tool in cppcheck clang-tidy; do
	echo "== $tool"
	if make -s --no-print-directory "lint-$tool" >"$tmp/out" 2>&1 &&
		! grep -qE '(warning|error):' "$tmp/out"; then
		echo "ok - $tool"
		pass
	else
		grep -E '(warning|error):' "$tmp/out" || tail -n 20 "$tmp/out"
		echo "not ok - $tool"
		fail
	fi
done

# (e) integration tests: real containers, so root only. Root's rootfs
# in a directory only root can enter (mkrootfs.sh makes build/private
# so), and one an ordinary user can reach for the rootless tests and
# examples/rootless.yaml.
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$B/rootless"
	if sh scripts/mkrootfs.sh "$B/private/rootfs" && sh scripts/mkrootfs.sh "$B/rootless/rootfs"; then
		run_tap integration bats --tap tests/integration
	else
		echo "== integration"
		echo "not ok - scripts/mkrootfs.sh $B/private/rootfs $B/rootless/rootfs"
		fail
	fi
else
	echo "integration: skipped (not root)"
fi

# (f) cgroup v2 and rootless on v2: this host's cgroups are v1, so a VM
# boots Debian's kernel with cgroup v2 alone and runs tests/vm/tests.sh
# there, with the static launcher make check built for it.
run_tap "vm (cgroup v2)" sh tests/vm/run.sh "$B/vm-static"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
