#!/bin/sh
# mkrootfs.sh DIR: builds a minimal busybox root file system in DIR from
# Debian's busybox-static (/bin/busybox): the binary, one symlink per
# applet, the usual top-level directories and /etc/passwd and /etc/group
# with root, nobody and lab (1000).
#
# Run by root, it makes the directory that holds DIR, when it has to make
# it, one that only root can enter (mode 700), as container engines keep
# theirs under /var/lib: a container's root is the host's root, and a
# setuid file it writes in a rootfs others can reach would be a way to
# root for every local user (ctlaunch warns about such a rootfs). DIR/tmp
# is 1777 for the container; behind that directory no host user sees it.
#
# Idempotent: does nothing when DIR already holds this busybox. Atomic:
# builds DIR.tmp.PID beside DIR, then renames it into place, so a reader
# never sees half a rootfs. Mounts nothing and writes nothing outside DIR
# (and its temporary sibling).
set -eu

BUSYBOX=/bin/busybox

die() { echo "mkrootfs: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: mkrootfs.sh DIR"
dir=${1%/}
[ -n "$dir" ] || die "refusing to build in /"

[ -x "$BUSYBOX" ] ||
	die "$BUSYBOX not found (apt-get install busybox-static, or: sh scripts/deps.sh)"
# A dynamic busybox would need the host's libraries inside the rootfs.
# ldd fails on a static binary; file(1) may be absent, ldd is in libc-bin.
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked (install busybox-static, not busybox)"
fi

is_built() {
	[ -f "$1/bin/busybox" ] && cmp -s "$BUSYBOX" "$1/bin/busybox" &&
		[ -f "$1/etc/group" ] && grep -q '^lab:' "$1/etc/passwd" 2>/dev/null
}

is_built "$dir" && exit 0

parent=$(dirname "$dir")
if [ ! -d "$parent" ]; then
	mkdir -p "$parent"
	[ "$(id -u)" -ne 0 ] || chmod 700 "$parent"
fi

tmp=$dir.tmp.$$
old=$dir.old.$$
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
rm -rf "$tmp"
mkdir -p "$tmp"

umask 022
mkdir "$tmp/bin" "$tmp/dev" "$tmp/etc" "$tmp/proc" "$tmp/sys" "$tmp/tmp" \
	"$tmp/root" "$tmp/home" "$tmp/home/lab"
chmod 1777 "$tmp/tmp"
chmod 700 "$tmp/root"
cp "$BUSYBOX" "$tmp/bin/busybox"
chmod 755 "$tmp/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	case $applet in
	busybox | */* | .*) continue ;;
	esac
	ln -s busybox "$tmp/bin/$applet"
done
[ -e "$tmp/bin/sh" ] || die "$BUSYBOX has no sh applet"

cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
lab:x:1000:1000:lab:/home/lab:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
lab:x:1000:
nogroup:x:65534:
GROUP
chmod 644 "$tmp/etc/passwd" "$tmp/etc/group"
# Only root runs this; as another user the files keep that user's ids,
# which is still a usable rootfs for an unprivileged test.
if [ "$(id -u)" -eq 0 ]; then
	chown -R 0:0 "$tmp"
	chown 1000:1000 "$tmp/home/lab"
fi

# Another run may have finished first; keep its result.
is_built "$dir" && exit 0
if [ -e "$dir" ] || [ -L "$dir" ]; then
	mv "$dir" "$old"
	mv "$tmp" "$dir"
	rm -rf "$old"
else
	mv "$tmp" "$dir"
fi
trap - EXIT
echo "mkrootfs: built $dir from $BUSYBOX" >&2
