#!/bin/sh
# tests/vm/run.sh BUILD_DIR: the cgroup v2 tests, in a VM. This machine's
# cgroups are v1 (hybrid), so the v2 code of ctlaunch runs under qemu, on
# Debian's own kernel with cgroup v2 as the only hierarchy.
#
# BUILD_DIR holds a static ctlaunch (make B=BUILD_DIR STATIC=1
# BUILD_DIR/ctlaunch): the VM has no shared libraries. Everything this
# script makes is under BUILD_DIR/vm:
#   kernel/      Debian's kernel, unpacked from linux-image-*-amd64 (only
#                boot/; fetched once with apt-get download, then reused)
#   private/rootfs/  the container's root file system (scripts/mkrootfs.sh)
#   runas, cgns, scprobe  tests/vm/runas.c, cgns.c, scprobe.c, static
#   console.log  the VM's console (kernel, /init, the tests' stderr) and
#   tap.log      its TAP channel (the second serial port), both of the
#                last run, for when something went wrong
#
# Prints TAP on stdout: the plan first, then the lines of tests/vm/tests.sh
# (run in the VM by tests/vm/init). When the VM did not get to its end (a
# timeout, a crash, no kernel), one more "not ok" says why, with the end
# of the console as "# " lines. Exits 1 if a test failed (TODO tests
# excepted, as TAP says) or the VM did not finish.
#
# Environment: VM_TIMEOUT (seconds, default 600) for the whole boot and
# tests; VM_KERNEL, a vmlinuz to boot instead of Debian's; VM_TESTS, a
# test script to run in the VM instead of tests/vm/tests.sh; VM_APPEND,
# more words for the kernel's command line (loglevel=7 to see it boot);
# VM_ACCEL, kvm or tcg to force one (default: KVM where /dev/kvm is usable,
# with a fall back to TCG when KVM cannot start the guest).
#
# Needs qemu-system-x86 (scripts/deps.sh), busybox-static and a C
# compiler with a static libc; root only to run apt-get update when the
# package lists are missing or too old to have the kernel. An ordinary
# user who cannot fetch the kernel gets TAP's "1..0 # SKIP reason": the
# suite is skipped, not failed (root would fail there).
set -eu

# TAP for a failure before the VM ran: one failed test, and why (with
# the end of the files named after the reason).
bail() {
	echo "1..1"
	echo "not ok 1 - vm: $1"
	shift
	for f; do
		if [ -s "$f" ]; then tail -n 40 "$f" | sed 's/^/# /'; fi
	done
	exit 1
}

[ $# -eq 1 ] || { echo "usage: sh tests/vm/run.sh BUILD_DIR" >&2; exit 2; }
BARG=$1
B=$(cd "$1" 2>/dev/null && pwd -P) || bail "no build directory $1"
TESTS=${VM_TESTS:-}
case $TESTS in '' | /*) ;; *) TESTS=$(pwd -P)/$TESTS ;; esac
cd "$(dirname "$0")/../.."
TESTS=${TESTS:-tests/vm/tests.sh}
VM=$B/vm
TIMEOUT=${VM_TIMEOUT:-600}
BUSYBOX=/bin/busybox

CT=$B/ctlaunch
[ -x "$CT" ] || bail "no $CT (make B=$BARG STATIC=1 $BARG/ctlaunch)"
# ldd fails on a static binary.
if ldd "$CT" >/dev/null 2>&1; then
	bail "$CT is dynamically linked (make B=$BARG clean; make B=$BARG STATIC=1 $BARG/ctlaunch)"
fi
command -v qemu-system-x86_64 >/dev/null ||
	bail "no qemu-system-x86_64 (apt-get install qemu-system-x86, or sh scripts/deps.sh)"
[ -x "$BUSYBOX" ] || bail "no $BUSYBOX (apt-get install busybox-static)"

mkdir -p "$VM"
# What a run killed outright (SIGKILL) left: older than any run can last.
find "$VM" -maxdepth 1 \( -name 'run.??????' -o -name 'kernel.tmp.*' \) \
	-mmin +$((TIMEOUT / 60 + 5)) -exec rm -rf {} + 2>/dev/null || true
tmp=$(mktemp -d "$VM/run.XXXXXX")
qpid=
# On any exit: stop qemu if it still runs (Ctrl-C, a kill, an error of
# ours), wait for it, remove the temporary files. qemu runs under
# timeout(1), which passes our SIGTERM on to it. (timeout puts itself in
# a process group of its own, so a Ctrl-C reaches only us.)
cleanup() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- the kernel --------------------------------------------------------

# Debian's current kernel: linux-image-amd64 is a metapackage, the real
# one is what it depends on (linux-image-6.1.0-NN-amd64). Not installed
# (that would run initramfs hooks and change /boot), only downloaded and
# its boot/ unpacked, and of its modules only those in VM_MODULES:
# cgroups, namespaces, tmpfs, devtmpfs and the 8250 UART are built in;
# overlayfs, veth and the bridge are modules in Debian's kernel, and so
# are ext4 and loop, for a file system with idmapped mounts (tmpfs, the
# VM's root, has them only from Linux 6.3: userns: true's overlay layers
# need them). The list is in load order (insmod does not resolve
# dependencies: bridge needs stp, which needs llc; ext4 needs jbd2,
# mbcache and crc16, and wants crc32c), paths under
# lib/modules/VERSION/kernel/.
VM_MODULES="fs/overlayfs/overlay.ko net/llc/llc.ko net/802/stp.ko net/bridge/bridge.ko drivers/net/veth.ko crypto/crc32c_generic.ko lib/crc16.ko fs/mbcache.ko fs/jbd2/jbd2.ko fs/ext4/ext4.ko drivers/block/loop.ko"
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# no_kernel REASON LOG: the kernel cannot be had. Root updates the
# package lists itself, so for root that fails the suite; an ordinary
# user could not have done better, so for one it is a skip.
no_kernel() {
	rm -rf "$kt"
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP no kernel for the VM: $1; as root, make check fetches it once"
		exit 0
	fi
	bail "$1" "$2"
}

fetch_kernel() {
	kt=$VM/kernel.tmp.$$
	rm -rf "$kt"
	mkdir -p "$kt/deb"
	pkg=$(kernel_pkg)
	# Fresh CI machines may have no package lists, old ones stale lists
	# that name a kernel the archive no longer has: update, then retry.
	if [ -z "$pkg" ] || ! (cd "$kt/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg") \
		>"$tmp/apt.log" 2>&1; then
		if [ "$(id -u)" -eq 0 ]; then
			apt-get update -q >>"$tmp/apt.log" 2>&1 || true
			pkg=$(kernel_pkg)
		fi
		[ -n "$pkg" ] || no_kernel "no linux-image-amd64 in the package lists (apt-get update)" "$tmp/apt.log"
		(cd "$kt/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg") >>"$tmp/apt.log" 2>&1 ||
			no_kernel "apt-get download $pkg failed" "$tmp/apt.log"
	fi
	set -f
	set -- ./boot
	for m in $VM_MODULES; do set -- "$@" "./lib/modules/*/kernel/$m"; done
	set +f
	dpkg-deb --fsys-tarfile "$kt"/deb/*.deb | tar -x -C "$kt" --wildcards "$@" ||
		{ rm -rf "$kt"; bail "cannot unpack $pkg"; }
	rm -rf "$kt/deb"
	echo "$pkg" >"$kt/package"
	echo "$VM_MODULES" >"$kt/modules"
	rm -rf "$VM/kernel"
	mv "$kt" "$VM/kernel"
}

if [ -n "${VM_KERNEL:-}" ]; then
	KERNEL=$VM_KERNEL
else
	set -- "$VM"/kernel/boot/vmlinuz-*
	# A kernel fetched before VM_MODULES changed lacks some: fetch again.
	if [ ! -f "$1" ] || [ "$(cat "$VM/kernel/modules" 2>/dev/null)" != "$VM_MODULES" ]; then
		fetch_kernel
	fi
	set -- "$VM"/kernel/boot/vmlinuz-*
	KERNEL=$1
fi
[ -f "$KERNEL" ] || bail "no kernel at $KERNEL"

# --- the initramfs -----------------------------------------------------

sh scripts/mkrootfs.sh "$VM/private/rootfs" 2>"$tmp/mkrootfs.log" ||
	bail "scripts/mkrootfs.sh $VM/private/rootfs failed" "$tmp/mkrootfs.log"

# The tests' own helpers, static: runas (a command as another user),
# cgns (a command in a cgroup namespace of its own), scprobe (the
# system calls the seccomp filter refuses, tried from a container) and
# nodeath (a pid 1 that clears its parent-death signal, shared with
# supervise.bats), ptydrive (ctlaunch on a pty of its own, typed
# into, shared with tty.bats) and counters (per-user kernel counters
# taken or tried, shared with userns.bats).
for helper in runas cgns scprobe nodeath ptydrive counters; do
	src=tests/vm/$helper.c
	[ -e "$src" ] || src=tests/integration/$helper.c
	[ -e "$src" ] || src=tests/integration/progs/$helper.c
	if [ ! -x "$VM/$helper" ] || [ -n "$(find "$src" -newer "$VM/$helper")" ]; then
		${CC:-cc} -static -O2 -Wall -Wextra -o "$tmp/$helper" "$src" 2>"$tmp/cc.log" ||
			bail "cannot build $src" "$tmp/cc.log"
		mv "$tmp/$helper" "$VM/$helper"
	fi
done

# The VM's own root: busybox, one link per applet in /bin, its users, and
# under /vm what the tests use. /dev, /proc and /sys are mount points.
r=$tmp/root
mkdir -p "$r/bin" "$r/etc" "$r/dev" "$r/proc" "$r/sys" "$r/tmp" "$r/root" \
	"$r/home/lab" "$r/vm"
cp "$BUSYBOX" "$r/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	case $applet in busybox | */* | .*) continue ;; esac
	ln -s busybox "$r/bin/$applet"
done
cp "$VM/private/rootfs/etc/passwd" "$VM/private/rootfs/etc/group" "$r/etc/"
cp tests/vm/init "$r/init"
cp "$TESTS" "$r/vm/tests.sh" 2>/dev/null || bail "no test script $TESTS"
cp "$CT" "$r/vm/ctlaunch"
mkdir -p "$r/vm/bin"
cp "$VM/runas" "$VM/cgns" "$VM/ptydrive" "$r/vm/"
mkdir -p "$r/vm/probe"
cp "$VM/scprobe" "$r/vm/probe/"
cp "$VM/nodeath" "$r/vm/bin/"
cp "$VM/counters" "$r/vm/bin/"
chmod 755 "$r/init" "$r/vm/ctlaunch" "$r/vm/runas" "$r/vm/cgns" "$r/vm/ptydrive" "$r/vm/probe" "$r/vm/probe/scprobe" \
	"$r/vm/bin/nodeath" "$r/vm/bin/counters"
cp -a "$VM/private/rootfs" "$r/vm/rootfs"
# The modules, and their load order for /init (none with VM_KERNEL: a
# kernel of one's own brings what it needs built in).
: >"$r/etc/vm-modules"
if [ -z "${VM_KERNEL:-}" ]; then
	for m in $VM_MODULES; do
		set -- "$VM"/kernel/lib/modules/*/kernel/"$m"
		[ -f "$1" ] || bail "the kernel package has no $m (VM_MODULES)"
		mkdir -p "$r/lib/modules"
		cp "$1" "$r/lib/modules/"
		echo "/lib/modules/$(basename "$m")" >>"$r/etc/vm-modules"
	done
fi
# Uncompressed: a few MB, and under TCG the kernel would take longer to
# gunzip it than qemu takes to load it.
(cd "$r" && find . | "$BUSYBOX" cpio -o -H newc >"$tmp/initramfs.cpio" 2>/dev/null) ||
	bail "cannot make the initramfs"

# --- the VM ------------------------------------------------------------

# TCG, one host thread per virtual CPU, where there is no KVM. -nodefaults:
# no VGA, no network card (whose option ROM, from ipxe-qemu, qemu would
# otherwise need). No -nographic: it would tie the monitor to our stdin
# and put a terminal into raw mode; both serial ports go to files, and
# the monitor is off. cgroup_no_v1=all: no v1 hierarchy can exist.
tcg="-accel tcg,thread=multi"
kvm="-accel kvm -cpu host"
case ${VM_ACCEL:-} in
kvm) accel=$kvm ;;
tcg) accel=$tcg ;;
'') if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel=$kvm; else accel=$tcg; fi ;;
*) bail "VM_ACCEL is '$VM_ACCEL' (expected kvm, tcg or nothing)" ;;
esac
append="console=ttyS0 panic=-1 quiet cgroup_no_v1=all rdinit=/init ${VM_APPEND:-}"

# boot ACCEL: one run of the VM; qrc is qemu's exit status.
boot() {
	: >"$tmp/console.log"
	: >"$tmp/tap.log"
	# setpriv --pdeathsig: should we be killed outright (SIGKILL, no
	# trap), timeout gets a SIGTERM and passes it on to qemu, which then
	# ends too.
	# shellcheck disable=SC2086 # $1 is several words
	setpriv --pdeathsig TERM timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -nodefaults -no-user-config \
		$1 -smp 2 -m 512M -no-reboot -display none -monitor none \
		-kernel "$KERNEL" -initrd "$tmp/initramfs.cpio" -append "$append" \
		-serial "file:$tmp/console.log" -serial "file:$tmp/tap.log" \
		</dev/null >"$tmp/qemu.log" 2>&1 &
	qpid=$!
	qrc=0
	wait "$qpid" || qrc=$?
	qpid=
}

start=$(date +%s)
boot "$accel"
# /dev/kvm can be there and still unable to run a guest: in a nested
# virtual machine qemu aborts under -cpu host ("failed to set MSR
# 0x10a"). A KVM run that failed before the guest printed anything is
# that case: boot again under TCG, and say so in the report.
fallback=
if [ "$qrc" -ne 0 ] && [ "$accel" = "$kvm" ] && [ -z "${VM_ACCEL:-}" ] && [ ! -s "$tmp/tap.log" ]; then
	fallback="kvm failed (qemu exit $qrc: $(grep -m 1 -iE 'error|assert' "$tmp/qemu.log" | cut -c 1-120)), so "
	accel=$tcg
	start=$(date +%s)
	boot "$accel"
fi
secs=$(($(date +%s) - start))

# Keep the logs of this run for a look after a failure; without the
# serial ports' "\r".
for f in console tap; do
	: >"$VM/$f.log"
	[ ! -f "$tmp/$f.log" ] || tr -d '\r' <"$tmp/$f.log" >"$VM/$f.log"
done
# qemu's own complaints, if any, after the console's.
cat "$tmp/qemu.log" >>"$VM/console.log"

# --- the report --------------------------------------------------------

tap=$VM/tap.log
end_rc=$(sed -n 's/^CTLAUNCH-VM-END rc=\([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
vm_plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
ran=$(grep -cE '^(ok|not ok)( |$)' "$tap" || true)

problem=
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	problem="the VM did not finish in ${TIMEOUT}s (VM_TIMEOUT)"
elif [ "$qrc" -ne 0 ]; then
	problem="qemu exited with status $qrc"
elif [ -z "$end_rc" ]; then
	problem="the VM ended before tests.sh did (no end marker)"
elif [ "$vm_plan" != "$ran" ]; then
	problem="tests.sh planned ${vm_plan:-no} tests and ran $ran"
elif [ "$end_rc" -ne 0 ] &&
	! grep -E '^not ok( |$)' "$tap" | grep -qvE '# TODO( |$)'; then
	problem="tests.sh exited with status $end_rc"
fi

total=$ran
[ -z "$problem" ] || total=$((ran + 1))
echo "1..$total"
# The tests' lines and their diagnostics, nothing else (not the plan,
# which comes first, nor the end marker).
grep -E '^(ok|not ok)( |$)|^#' "$tap" || true
if [ -n "$problem" ]; then
	echo "not ok $total - vm: $problem"
	grep -vE '^(ok|not ok)( |$)|^#|^1\.\.[0-9]|^CTLAUNCH-VM-END ' "$tap" | sed 's/^/# tap: /'
	echo "# the console's last lines ($VM/console.log):"
	tail -n 30 "$VM/console.log" | sed 's/^/#   /'
fi
echo "# vm: $(basename "$KERNEL"), ${fallback}${accel#-accel }, ${secs}s in qemu"

[ -z "$problem" ] && ! grep -E '^not ok( |$)' "$tap" | grep -qvE '# TODO( |$)'
