#!/bin/sh
# tests/layers.sh: the layers of src/LAYERS, checked on what the
# compiler made of each file rather than on what its text says: the
# undefined symbols of its object (nm) and the headers it includes,
# however indirectly (cc -M). Prints one "ok"/"not ok" line per rule and,
# under a failure, each offending file and symbol or header.
#
# Environment (the Makefile's lint-layers target sets them): B, the
# build directory whose obj/ holds the objects; CC and CPPFLAGS, to list
# a source's headers as the build sees them; NM.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
CC=${CC:-cc}
NM=${NM:-nm}
CPPFLAGS=${CPPFLAGS:--std=gnu11 -D_GNU_SOURCE -Iinclude}

# What a pure object may call outside the pure objects: the C library's
# memory, strings, numbers and formatting into a stream it is handed.
# An allow list, so that a system call nobody thought of is caught too.
PURE_LIBC="abort calloc free malloc realloc reallocarray strdup strndup asprintf vasprintf
snprintf vsnprintf sprintf fprintf vfprintf fputc fputs fwrite putc stderr
memcpy memmove memset memcmp memchr memmem strlen strnlen strcmp strncmp strcasecmp
strncasecmp strchr strrchr strchrnul strstr strspn strcspn strpbrk strsep strtok_r
strtol strtoll strtoul strtoull __isoc99_sscanf strerror qsort bsearch log2 pow
__errno_location __ctype_b_loc __ctype_tolower_loc __ctype_toupper_loc __stack_chk_fail
seccomp_arch_resolve_name seccomp_syscall_resolve_name"
# (the last two: libseccomp's name tables, which make no system call)

# What changes the machine (or the process, for the container's sake):
# no probe object calls these, nor any function an edge file defines.
EDGE_CALLS="mount umount umount2 pivot_root clone clone3 __clone unshare setns
mkdir mkdirat rmdir unlink unlinkat remove rename renameat renameat2
write pwrite pwrite64 writev pwritev sendfile copy_file_range truncate ftruncate fopen
chmod fchmod fchmodat chown fchown lchown fchownat utimensat futimens
kill killpg tgkill sigqueue setrlimit prlimit prlimit64 sethostname setdomainname
mknod mknodat symlink symlinkat link linkat execve execveat fexecve execv execvp
fork vfork posix_spawn _exit capset cap_set_proc setuid setgid seteuid setegid
setreuid setregid setresuid setresgid setgroups setsid setpgid
fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr bpf
flock lockf chdir fchdir chroot ioctl socket bind connect seccomp_load"

# Headers whose business is system calls: a pure file includes none,
# not even through another header (util.h once pulled <unistd.h> into
# every file).
SYS_HEADERS="unistd.h fcntl.h sched.h signal.h dirent.h poll.h grp.h pwd.h termios.h
sys/mount.h sys/syscall.h sys/stat.h sys/prctl.h sys/socket.h sys/ioctl.h
sys/wait.h sys/file.h sys/mman.h sys/xattr.h sys/statvfs.h sys/statfs.h
sys/capability.h sys/signalfd.h sys/utsname.h sys/sendfile.h"

# syscall(2) hides which call it makes: the numbers a probe file may name.
PROBE_SYS="SYS_openat2 SYS_faccessat2 SYS_statx"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctlaunch-layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

# result NAME FILE: "ok - layers: NAME" when FILE is empty, else
# "not ok" and FILE's lines.
result() {
	if [ -s "$2" ]; then
		echo "not ok - layers: $1"
		sed 's/^/    /' "$2"
		failed=1
	else
		echo "ok - layers: $1"
	fi
}

layer_of() { awk -v f="$1" '$1 !~ /^#/ && $2 == f { print $1 }' src/LAYERS; }
files_in() { awk -v l="$1" '$1 == l { print $2 }' src/LAYERS; }

# 1. Every source file has its layer, and every listed file exists.
: >"$tmp/f"
for src in src/*.c; do
	[ -n "$(layer_of "${src#src/}")" ] || echo "${src#src/}: not in src/LAYERS (add it: pure, probe or edge)" >>"$tmp/f"
done
for f in $(files_in pure) $(files_in probe) $(files_in edge); do
	[ -f "src/$f" ] || echo "src/LAYERS names $f, which is not in src/" >>"$tmp/f"
done
for f in $(files_in edge-h); do
	[ -f "include/$f" ] || echo "src/LAYERS names include/$f, which does not exist" >>"$tmp/f"
done
result "every file of src/ is in src/LAYERS" "$tmp/f"

# defined LAYER: the global symbols the objects of LAYER define.
defined() {
	for f in $(files_in "$1"); do
		o=$B/obj/${f%.c}.o
		[ -f "$o" ] && "$NM" --defined-only -g "$o" | awk '{ print $3 }'
	done
	# The precompiled default seccomp filter is data.
	[ "$1" != pure ] || [ ! -f "$B/obj/seccomp_builtin.o" ] ||
		"$NM" --defined-only -g "$B/obj/seccomp_builtin.o" | awk '{ print $3 }'
}
defined pure | sort -u >"$tmp/pure.def"
defined edge | sort -u >"$tmp/edge.def"
for w in $PURE_LIBC; do echo "$w"; done | sort -u >"$tmp/pure.allow"
for w in $EDGE_CALLS; do echo "$w"; done | sort -u >"$tmp/edge.calls"

# undefined FILE: the symbols FILE's object needs from elsewhere.
undefined() {
	o=$B/obj/${1%.c}.o
	if [ ! -f "$o" ]; then
		echo "$1: no object $o (make B=$B lint-layers builds it)" >>"$tmp/f"
		return
	fi
	"$NM" -u "$o" | awk '{ print $2 }' | sort -u
}

# 2. Pure objects call pure objects and the allow list only.
: >"$tmp/f"
cat "$tmp/pure.def" "$tmp/pure.allow" | sort -u >"$tmp/pure.ok"
for f in $(files_in pure); do
	undefined "$f" | comm -23 - "$tmp/pure.ok" |
		sed "s|^|$f: calls |; s|\$| (defined by no pure file and not in PURE_LIBC of tests/layers.sh)|" >>"$tmp/f"
done
result "pure files make no system call and call no probe or edge file (nm)" "$tmp/f"

# headers SRC: every header SRC includes, directly or not, as the
# include directive names it ("unistd.h", "sys/mount.h", "cgroup.h").
headers() {
	# shellcheck disable=SC2086 # CPPFLAGS is a list of words
	$CC $CPPFLAGS -M "src/$1" 2>&1 | tr ' \\' '\n\n' | awk 'NR > 1 && /\.h$/ {
		sub(/^(.*\/)?include\//, ""); sub(/^[a-z0-9_]+-linux-gnu\//, ""); print }' | sort -u
}
for w in $SYS_HEADERS; do echo "$w"; done | sort -u >"$tmp/sys.h"
files_in edge-h | sort -u >"$tmp/edge.h"

# 3. Pure sources include no system-call header and no edge header.
: >"$tmp/f"
for f in $(files_in pure); do
	headers "$f" >"$tmp/h"
	comm -12 "$tmp/h" "$tmp/sys.h" | sed "s|^|$f: includes <|; s|\$|> (system calls)|" >>"$tmp/f"
	comm -12 "$tmp/h" "$tmp/edge.h" | sed "s|^|$f: includes \"|; s|\$|\" (an edge header)|" >>"$tmp/f"
done
result "pure files include no system-call or edge header (cc -M)" "$tmp/f"

# 4. Probe objects change nothing: none of EDGE_CALLS, nothing an edge
# file defines, no syscall(2) number but PROBE_SYS, no prctl that sets,
# no open for writing.
: >"$tmp/f"
cat "$tmp/edge.calls" "$tmp/edge.def" | sort -u >"$tmp/edge.all"
for f in $(files_in probe); do
	undefined "$f" | comm -12 - "$tmp/edge.all" |
		sed "s|^|$f: calls |; s|\$| (changes the machine: an edge file's business)|" >>"$tmp/f"
	grep -oE '\bSYS_[a-z0-9_]+' "src/$f" | sort -u | while read -r n; do
		case " $PROBE_SYS " in *" $n "*) ;; *) echo "$f: syscall $n (not in PROBE_SYS)" ;; esac
	done >>"$tmp/f"
	grep -nE '\bPR_SET_|\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND)\b' "src/$f" |
		sed "s|^|$f:|; s|\$|  (sets or writes)|" >>"$tmp/f"
	headers "$f" | comm -12 - "$tmp/edge.h" | sed "s|^|$f: includes \"|; s|\$|\" (an edge header)|" >>"$tmp/f"
done
result "probe files change nothing (nm, syscall numbers, open flags, headers)" "$tmp/f"

exit "$failed"
