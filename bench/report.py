#!/usr/bin/env python3
"""The benchmark's helpers that are easier in Python than in the shell.

  report.py limits KEY OUT -- COMMAND...   launch, find the container's
                                           process, read its limits from
                                           the host side, append to OUT
  report.py phases FULL LANDMARKS...       where a launch spends its time,
                                           from strace -f -T -tt output
  report.py cgcost OUT CGROOT ID           mkdir/rmdir cost of a cgroup
  report.py perf DIR KEY...                perf stat files to one line each
  report.py table DIR                      the markdown report of a run

Standard library only. Nothing here is timed: timings come from
hyperfine and bench/timeit.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

WANT = {"memory": "67108864", "shares": "512", "cpus": "0", "mems": "0"}


# ---------------------------------------------------------------- limits

def cgroup_mounts():
    """controller -> mount point of its v1 hierarchy, from our mountinfo."""
    out = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            fields, sup = pre.split(), post.split()
            if len(sup) < 3 or sup[0] != "cgroup":
                continue
            for opt in sup[2].split(","):
                out.setdefault(opt, fields[4])
    return out


def ppid_map():
    m = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: split after the last ')'
        rest = s[s.rindex(")") + 2:].split()
        m[int(pid)] = (int(rest[1]), s[s.index("(") + 1:s.rindex(")")])
    return m


def argv0_name(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return os.path.basename(f.read().split(b"\0")[0].decode(errors="replace"))
    except (OSError, IndexError):
        return None


def find_descendant(root, comm):
    """A process below root named comm: by its comm, or by its argv[0]
    (ctlaunch execs the checked descriptor, so a busybox applet's comm
    is "busybox" on Linux 6.14 and later, its descriptor's number
    before)."""
    m = ppid_map()
    for pid, (_, c) in m.items():
        if c != comm and argv0_name(pid) != comm:
            continue
        p = pid
        while p > 1 and p in m:
            p = m[p][0]
            if p == root:
                return pid
    return None


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError as e:
        return f"unreadable ({e.strerror})"


def limits(key, out, cmd):
    """Run cmd (whose container runs `sleep 1`), find that sleep among
    its descendants, and read the limits of the cgroups it is in, on the
    host side: what the kernel enforces, not what the launcher says."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    pid, deadline = None, time.monotonic() + 5
    while pid is None and p.poll() is None and time.monotonic() < deadline:
        pid = find_descendant(p.pid, "sleep")
        if pid is None:
            time.sleep(0.01)
    def cgroups_of(pid):
        cg = {}
        for line in read(f"/proc/{pid}/cgroup").splitlines():
            _, ctrls, path = line.split(":", 2)
            for c in ctrls.split(","):
                cg[c] = path
        return cg

    got, applied, where = {}, {}, ""
    if pid is not None:
        cg, own, mnt = cgroups_of(pid), cgroups_of("self"), cgroup_mounts()
        for k, ctrl, name in (("memory", "memory", "memory.limit_in_bytes"),
                              ("shares", "cpu", "cpu.shares"),
                              ("cpus", "cpuset", "cpuset.cpus"),
                              ("mems", "cpuset", "cpuset.mems")):
            if ctrl not in cg or ctrl not in mnt:
                got[k] = "no hierarchy"
            else:
                got[k] = read(os.path.join(mnt[ctrl] + cg[ctrl], name))
            # A value the container merely inherits (it is still in the
            # cgroup it was started from) is not a limit applied.
            applied[k] = got[k] == WANT[k] and cg.get(ctrl) != own.get(ctrl)
        where = cg.get("memory", "?")
    _, err = p.communicate(timeout=30)
    if p.returncode != 0:
        sys.stderr.write(err.decode(errors="replace"))
        print(f"bench: {key}: the limits check launch failed (exit {p.returncode})",
              file=sys.stderr)
        return 1
    if pid is None:
        verdict, detail = "unknown", "the container's process was not found"
    else:
        n = sum(applied.values())
        verdict = "yes" if n == len(WANT) else ("partly" if n else "no")
        mem = got["memory"]
        if mem.isdigit() and int(mem) >= 1 << 60:
            mem = "unlimited"
        elif mem.isdigit():
            mem = f"{int(mem) >> 20}M"
        detail = (f"memory {mem}, shares {got['shares']}, cpus {got['cpus']}, "
                  f"mems {got['mems']} (memory cgroup {where})")
    with open(out, "a") as f:
        f.write(f"{key}\t{verdict}\t{detail}\n")
    return 0


PLAN_RUNS = 50  # bench/run.sh's PLAN_RUNS

# ---------------------------------------------------------------- strace

LINE = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)$")
DUR = re.compile(r"<(\d+\.\d+)>$")


def parse_strace(path):
    ev = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid = int(m.group(1))
            t = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + float(m.group(4))
            rest = m.group(5)
            d = DUR.search(rest)
            name = re.match(r"(<\.\.\. )?([a-z_0-9]+)", rest)
            ev.append({"pid": pid, "t": t, "text": rest,
                       "call": name.group(2) if name and not rest.startswith("+++") else "",
                       "resumed": rest.startswith("<..."),
                       "dur": float(d.group(1)) if d else 0.0})
    # A call another process interrupted in the output ("<unfinished
    # ...>") has its duration on its "<... resumed>" line.
    open_call = {}
    for e in ev:
        if e["text"].endswith("<unfinished ...>"):
            open_call[e["pid"]] = e
        elif e["resumed"] and e["pid"] in open_call:
            open_call.pop(e["pid"])["dur"] = e["dur"]
    return ev


PHASES = [
    "exec of ctlaunch and its start-up (libc, libcap)",
    "read the spec, probe the host, check, plan",
    "cgroups: lock, mkdir, limits (shared ctlaunch/ dirs too)",
    "clone with 5 new namespaces, to the child's first step",
    "the child into its cgroups: it joins them (vfork), or ctlaunch puts it there and releases it",
    "child set-up: cgroupns, hostname, lo, mounts, /dev, masks, caps",
    "the command: execve(/bin/true) to its exit",
    "reap, OOM check, rmdir of the cgroups, exit",
]


def clone_return(ev, main, clone):
    """The line with the return value of that clone of main: the clone's
    own, or its "<... clone resumed>" line."""
    if re.search(r"\) = \d+", clone["text"]):
        return clone
    for e in ev:
        if (e["t"] >= clone["t"] and e["pid"] == main and e["resumed"] and
                e["call"].startswith("clone") and re.search(r"\) = \d+", e["text"])):
            return e
    return None


def landmarks(ev):
    """(phase durations in seconds, child pid), or None."""
    if not ev:
        return None
    main, t0 = ev[0]["pid"], ev[0]["t"]

    def first(pred, after=0.0):
        for e in ev:
            if e["t"] >= after and pred(e):
                return e
        return None

    spec = first(lambda e: e["pid"] == main and e["call"] == "openat" and ".yaml" in e["text"])
    cg = first(lambda e: e["pid"] == main and "/sys/fs/cgroup" in e["text"])
    # The container's clone: the one with namespace flags (the watcher's
    # comes first, CLONE_FILES alone).
    clone = first(lambda e: e["pid"] == main and e["call"].startswith("clone") and
                  "CLONE_NEW" in e["text"])
    if not (spec and cg and clone):
        return None
    done = clone_return(ev, main, clone)
    child = int(re.search(r"\) = (\d+)", done["text"]).group(1)) if done else None
    cexec = [e for e in ev if e["pid"] == child and e["call"] in ("execve", "execveat") and
             not e["resumed"]]
    cexit = first(lambda e: e["pid"] == child and e["text"].startswith("+++"))
    mexit = first(lambda e: e["pid"] == main and e["text"].startswith("+++"))
    release = first(lambda e: e["pid"] == main and e["call"] == "write" and '"1", 1' in e["text"],
                    clone["t"])
    if not (cexec and cexit and mexit):
        return None
    if release:
        # fork: the clone returns at once; ctlaunch writes the child's
        # pid to cgroup.procs and releases it through a pipe.
        clone_end = done["t"] + (0.0 if done["resumed"] else done["dur"])
        marks = [t0, spec["t"], cg["t"], clone["t"], clone_end, release["t"]]
        child_start = release["t"]
    else:
        # vfork: ctlaunch sleeps in clone until the exec; the child's
        # first calls write itself to its cgroups' cgroup.procs.
        first_child = first(lambda e: e["pid"] == child)
        if not first_child:
            return None
        joined = first_child["t"]
        procs = False
        for e in ev:
            if e["pid"] != child or e["t"] >= cexec[-1]["t"]:
                continue
            if e["call"] == "openat" and "cgroup.procs" in e["text"]:
                procs = True
            elif procs and e["call"] == "write":
                joined = e["t"] + e["dur"]
                procs = False
        marks = [t0, spec["t"], cg["t"], clone["t"], first_child["t"], joined]
        child_start = joined
    marks += [cexec[-1]["t"], cexit["t"], mexit["t"]]
    return [b - a for a, b in zip(marks, marks[1:])], child, child_start, cexec[-1]["t"]


def norm(text):
    text = re.sub(r"/process_api/[0-9a-f]+", "/…", text)
    return re.sub(r"ctbench-\d+", "ctbench-ID", text)


def phases(full, marks):
    """Phase times: the median over the low-overhead landmark traces,
    beside the full trace's; then the full trace's child set-up by kind
    of system call, and the slowest single calls of the landmark traces."""
    runs = []
    for path in marks:
        r = landmarks(parse_strace(path))
        if r:
            runs.append(r[0])
    fev = parse_strace(full)
    fr = landmarks(fev)
    if not runs or not fr:
        return "could not find the launch's landmarks in the strace output\n"
    med = [statistics.median(r[i] for r in runs) for i in range(len(PHASES))]
    total, ftotal = sum(med), sum(fr[0])
    out = [f"| phase | ms, landmarks only (median of {len(runs)}) | share | "
           "ms, full trace | share |", "|---|---:|---:|---:|---:|"]
    for name, m, f in zip(PHASES, med, fr[0]):
        out.append(f"| {name} | {m * 1e3:.2f} | {m / total * 100:.0f}% | {f * 1e3:.2f} | "
                   f"{f / ftotal * 100:.0f}% |")
    out.append(f"| **total** | **{total * 1e3:.2f}** | | **{ftotal * 1e3:.2f}** | |")
    out.append("")
    out.append("Landmarks only: `strace -f --seccomp-bpf -e trace=openat,mkdir,rmdir,clone,"
               "write,execve,execveat`, so the other system calls run at full speed; full trace: "
               "`strace -f -T -tt`, every call stopped, so phases with many calls "
               "(the child's set-up) look far bigger than they are.")
    out += child_setup_kinds(fev, fr)
    out += slowest_calls(marks)
    return "\n".join(out) + "\n"


def child_setup_kinds(fev, fr):
    """The child's set-up in the full trace, by kind of system call."""
    out = []
    _, child, rel, cx = fr
    kinds = {}
    for e in fev:
        if e["pid"] != child or not (rel <= e["t"] < cx) or e["resumed"] or not e["call"]:
            continue
        c = e["call"]
        k = ("mount, umount2, pivot_root" if c in ("mount", "umount2", "pivot_root")
             else "prctl, capget, capset (capabilities)" if c in ("prctl", "capget", "capset")
             else "newfstatat, statfs" if c in ("newfstatat", "statfs", "stat", "lstat")
             else "mknodat, symlink, chmod, mkdir (/dev, mount points)"
             if c in ("mknodat", "symlink", "chmod", "mkdir") else "other")
        n, bad, d = kinds.get(k, (0, 0, 0.0))
        kinds[k] = (n + 1, bad + (" = -1 " in e["text"]), d + e["dur"])
    out += ["", "| the child's set-up in the full trace | calls | of which failed | "
            "ms inside the calls |", "|---|---:|---:|---:|"]
    for k, (n, bad, d) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
        out.append(f"| {k} | {n} | {bad} | {d * 1e3:.2f} |")
    return out


def slowest_calls(marks):
    """The slowest single calls of the landmark traces, per kind."""
    out = []
    calls = {}
    for path in marks:
        ev = parse_strace(path)
        last_open = {}
        for e in ev:
            c = e["call"]
            if e["resumed"] or not c:
                continue
            m = re.search(r'"([^"]*)"', e["text"])
            arg = m.group(1) if m else ""
            if c == "openat":
                last_open[e["pid"]] = arg
                continue
            if c == "write":
                key = f"write {last_open.get(e['pid'], '?').rsplit('/', 1)[-1]}"
                if '"1", 1' in e["text"]:
                    key = "write (release the child)"
            elif c.startswith("clone") and "CLONE_NEW" not in e["text"]:
                key = "clone (the watcher: CLONE_FILES)"
            elif c.startswith("clone"):
                key = ("clone (5 namespaces; CLONE_VFORK: returns at the child's exec)"
                       if "CLONE_VFORK" in e["text"] else "clone (5 namespaces)")
            elif c in ("execve", "execveat"):
                key = f"execve {arg}"
            else:
                key = f"{c} {norm(arg)}"
            calls.setdefault(key, []).append(e["dur"])
    nrun = len(marks)
    out += ["", "| slowest single calls (landmark traces) | per launch | median ms | max ms |",
            "|---|---:|---:|---:|"]
    ranked = sorted(calls.items(), key=lambda kv: -statistics.median(kv[1]) * len(kv[1]))
    for key, ds in ranked[:12]:
        out.append(f"| `{key}` | {len(ds) / nrun:g} | {statistics.median(ds) * 1e3:.3f} | "
                   f"{max(ds) * 1e3:.3f} |")
    return out


# ---------------------------------------------------------------- cgcost

def cgcost(out, cg, ident, n=30):
    """mkdir and rmdir of an empty cgroup, at the hierarchy root and one
    level below, 10 ms apart (about a launch's rhythm)."""
    rows = []
    for ctrl in ("cpuset", "memory", "cpu"):
        for where, d in (("at the root", f"{cg}/{ctrl}/{ident}-probe"),
                         ("one level down", f"{cg}/{ctrl}/{ident}/probe")):
            mk, rm = [], []
            for _ in range(n):
                time.sleep(0.01)
                a = time.perf_counter_ns()
                os.mkdir(d)
                b = time.perf_counter_ns()
                os.rmdir(d)
                c = time.perf_counter_ns()
                mk.append((b - a) / 1e6)
                rm.append((c - b) / 1e6)
            rows.append(f"{ctrl}\t{where}\t{statistics.median(mk):.3f}\t{max(mk):.3f}\t"
                        f"{sum(x > 1 for x in mk)}\t{n}\t{statistics.median(rm):.3f}")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    return 0


def perf(d, keys):
    for k in keys:
        try:
            with open(os.path.join(d, f"perf-{k}.txt")) as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        parts = []
        for line in lines:
            p = line.split(",")
            if len(p) < 3 or not p[0]:
                continue
            if p[2].startswith("task-clock"):
                parts.append(f"{float(p[0]):.2f} ms CPU")
            elif p[2].startswith("instructions"):
                parts.append(f"{p[0]} instructions" if p[0][0].isdigit()
                             else "instructions: not supported")
        print(f"{k}\t{', '.join(parts)}")
    return 0


# ---------------------------------------------------------------- table

def ms(x):
    return f"{x * 1e3:.2f}"


def q(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], statistics.median(xs), xs[-1]
    a, b, c = statistics.quantiles(xs, n=4, method="inclusive")
    return a, b, c


def load_tsv(path):
    try:
        with open(path) as f:
            return [l.rstrip("\n").split("\t") for l in f if l.strip()]
    except OSError:
        return []


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def perf_trace(path, top=8):
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    out = ["| process | syscall | calls | errors | total ms | max ms |",
           "|---|---|---:|---:|---:|---:|"]
    proc, rows = None, []

    def flush():
        for r in sorted(rows, key=lambda r: -r[3])[:top]:
            out.append(f"| {proc} | {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | {r[4]:.3f} |")
        tot = sum(r[3] for r in rows)
        n = sum(r[1] for r in rows)
        if proc:
            out.append(f"| {proc} | all, waits included | {n} | | {tot:.3f} | |")

    for line in lines:
        m = re.match(r"^ (\S.*) \((\d+)\), (\d+) events", line)
        if m:
            flush()
            proc, rows = m.group(1), []
            continue
        m = re.match(r"^\s+([a-z_0-9]+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)"
                     r"\s+([\d.]+)", line)
        if m and proc:
            rows.append((m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4)),
                         float(m.group(7))))
    flush()
    return "\n".join(out) + "\n" if len(out) > 2 else ""


def round_ratio(by_iter, key, ref):
    """The median over the rounds of key's time over ref's in that round."""
    rs = [r[key] / r[ref] for r in by_iter.values() if key in r and ref in r]
    return statistics.median(rs) if rs else None


def fmt_ratio(r):
    return f"{r:.2f}" if r else "–"


def goal_lines(g):
    """Issues 5's and 10's targets beside this run's figures. Information,
    not a verdict on the build: the benchmark never fails on timing."""
    rows = []

    def row(what, target, value, met):
        rows.append(f"| {what} | {target} | {value} | {'met' if met else '**not met**'} |")
    if g.get("crun") is not None:
        row("ctlaunch launch, against crun (interleaved)", "≤ 0.40×", f"{g['crun']:.2f}×",
            g["crun"] <= 0.40)
    if g.get("floor") is not None:
        row("ctlaunch launch, against the floor (bench/floor.c: none of issue 10's work)",
            "≤ 1.25×", f"{g['floor']:.2f}×", g["floor"] <= 1.25)
    if g.get("secure") is not None:
        row("ctlaunch launch, against the secure floor (`floor --secure`: issue 10's "
            "mandatory work)", "≤ 1.25×", f"{g['secure']:.2f}×", g["secure"] <= 1.25)
    if "rss" in g:
        row("ctlaunch peak RSS", "≤ 2 MiB", f"{g['rss']:.1f} MiB", g["rss"] <= 2)
    if "plan" in g:
        empty = (f" (an empty static C program: {g['plan_empty'] * 1e3:.2f} ms)"
                 if "plan_empty" in g else "")
        row("`--plan` of the example specs, slowest median", "< 2 ms",
            f"{g['plan'] * 1e3:.2f} ms{empty}", g["plan"] < 0.002)
    if "seq" in g and "seq_control" in g:
        # The machine's own drift, measured by the floor over the same
        # launches, is taken out: what is left is ctlaunch's.
        net = (1 + g["seq"]) / (1 + g["seq_control"]) - 1
        row("last 100 of 1000 sequential launches against the first 100", "within 10%",
            f"{g['seq'] * 100:+.1f}%; the floor control {g['seq_control'] * 100:+.1f}%, "
            f"so ctlaunch's own {net * 100:+.1f}%", abs(net) <= 0.10)
    elif "seq" in g:
        row("last 100 of 1000 sequential launches against the first 100", "within 10%",
            f"{g['seq'] * 100:+.1f}%", abs(g["seq"]) <= 0.10)
    if "left" in g:
        row("left behind after the sequential and concurrent runs", "nothing",
            ", ".join(g["left"]) or "nothing", not g["left"])
    if "conc" in g:
        ok, n = g["conc"]
        row(f"{n} concurrent launches", "all exit 0", f"{ok} of {n}", ok == n)
    if "linear" in g:
        row("parse and plan time against spec size", "linear (1.0)",
            f"{g['linear']:.2f} (10× entries: {g['linear'] * 10:.1f}× time)",
            0.5 <= g["linear"] <= 1.5)
    if not rows:
        return []
    return (["## Targets (issue 10's launch ratios, issue 5's others), this run", "",
             "| target | wanted | this run | |", "|---|---|---|---|"] + rows +
            ["", "Timings on this machine drift by 15% and more between runs (other work on "
             "the VM): compare ratios from one run, not absolute times across runs.", ""])


def sec_header(J, info, goals):
    """The title and what was launched."""
    o = []
    o.append(f"# ctlaunch benchmark, {info.get('date', '?')}")
    o.append("")
    o.append(f"Host: {info.get('host', '?')}. Container: busybox rootfs, `/bin/true`, new "
             "uts/pid/mnt/ipc/net namespaces, memory 64M, cpu shares 512, cpuset cpus 0 "
             "mems 0. Every launcher ran inside one private mount namespace whose "
             "/sys/fs/cgroup is a fresh tmpfs with the v1 hierarchies mounted again "
             "(see bench/README.md).")
    o.append("")
    return o


def sec_launches(J, info, goals):
    """Launch to exit, every launcher: times, ratios, RSS, limits."""
    launchers = load_tsv(J("launchers.tsv"))  # key, label, group
    hf = load_json(J("launch.json"))
    hres = {r["command"]: r for r in hf["results"]} if hf else {}
    inter = {}
    by_iter = {}
    for it, key, ns in load_tsv(J("interleaved.tsv")):
        inter.setdefault(key, []).append(int(ns) / 1e9)
        by_iter.setdefault(it, {})[key] = int(ns) / 1e9
    rss = {}
    for key, kb in load_tsv(J("rss.tsv")):
        rss.setdefault(key, []).append(int(kb))
    lim = {r[0]: (r[1], r[2]) for r in load_tsv(J("limits.tsv"))}
    o = []
    o.append(f"## Launch to exit ({info.get('runs', '?')} hyperfine runs each; "
             f"{info.get('iters', '?')} interleaved rounds)")
    o.append("")
    o.append("| launcher | median | IQR | min–max | interleaved median | vs crun "
             "(interleaved) | vs floor | vs secure floor | peak RSS | limits applied (read on "
             "the host) |")
    o.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    ratios = {}
    for key in inter:
        ratios[key] = tuple(round_ratio(by_iter, key, ref)
                            for ref in ("crun", "floor", "floor-secure"))
    if "ctlaunch" in ratios:
        goals["crun"], goals["floor"], goals["secure"] = ratios["ctlaunch"]
    if rss.get("ctlaunch"):
        goals["rss"] = statistics.median(rss["ctlaunch"]) / 1024
    group = None
    for key, label, grp in launchers:
        if grp != group and grp == "variant":
            o.append("| *diagnostic variants, same runs:* | | | | | | | | | |")
        group = grp
        h = hres.get(key)
        med = iqr = mm = "–"
        if h:
            a, b, c = q(h["times"])
            med, iqr, mm = ms(h["median"]), f"{ms(a)}–{ms(c)}", f"{ms(h['min'])}–{ms(h['max'])}"
        im = ms(statistics.median(inter[key])) if key in inter else "–"
        rc, rf, rsf = ratios.get(key, (None, None, None))
        r = rss.get(key)
        rs = f"{statistics.median(r) / 1024:.1f} MiB" if r else "–"
        v, det = lim.get(key, ("–", "no container"))
        lt = {"yes": "yes: ", "no": "**no**: ", "partly": "**partly**: "}.get(v, v + " ") + det
        o.append(f"| {label} | {med} ms | {iqr} | {mm} | {im} ms | "
                 f"{fmt_ratio(rc)} | {fmt_ratio(rf)} | {fmt_ratio(rsf)} | {rs} | {lt} |")
    o.append("")
    o.append("Median, IQR and min–max: hyperfine (`-N`, no shell), one launcher after the "
             "other, so rows measured a minute apart may see a different machine: compare "
             "rows by the interleaved columns. Interleaved: every round runs each launcher once, in a rotating order, "
             "timed by bench/timeit (fork/exec to exit, CLOCK_MONOTONIC); the ratios are "
             "the medians of the per-round ratios, so slow drift of the machine cancels. "
             "Peak RSS: `/usr/bin/time -f %M`, median of 5 (the launcher and the children "
             "it reaped). Limits: the container runs `sleep 1`; the bench finds that process "
             "and reads memory.limit_in_bytes, cpu.shares, cpuset.cpus and cpuset.mems of the "
             "cgroups in its /proc/PID/cgroup.")
    o.append("")

    return o


def sec_plan(J, info, goals):
    """`--plan` of the examples beside an empty program."""
    o = []
    hf = load_json(J("plan-examples.json"))
    pe = {}
    for _, label, ns in load_tsv(J("plan-examples.tsv")):
        pe.setdefault(label, []).append(int(ns) / 1e9)
    if hf or pe:
        o.append("## `ctlaunch --plan`")
        o.append("")
        o.append(f"| spec | hyperfine median ({PLAN_RUNS} runs) | min–max | interleaved median "
                 "| min–max |")
        o.append("|---|---:|---:|---:|---:|")
        hres = {r["command"]: r for r in (hf or {}).get("results", [])}
        labels = list(hres) + [k for k in pe if k not in hres]
        ex = []
        for label in labels:
            h, v = hres.get(label), pe.get(label)
            hcol = f"{ms(h['median'])} ms | {ms(h['min'])}–{ms(h['max'])}" if h else "– | –"
            icol = (f"{ms(statistics.median(v))} ms | {ms(min(v))}–{ms(max(v))}" if v
                    else "– | –")
            o.append(f"| {label} | {hcol} | {icol} |")
            if label.endswith(".yaml") and h:
                ex.append(h["median"])
            if label.startswith("an empty") and h:
                goals["plan_empty"] = h["median"]
        if ex:
            goals["plan"] = max(ex)
        o.append("")
        o.append("hyperfine (`-N`, 5 warm-ups) runs each command in a row, the empty program "
                 "first; the interleaved rounds run every command once a round, in a rotating "
                 "order (bench/timeit). The two differ by about as much for the empty "
                 "program, which is process start-up alone on this machine: what ctlaunch adds "
                 "is the difference to it.")
        o.append("")

    return o


def sec_scale(J, info, goals):
    """Parse and plan time against spec size."""
    o = []
    sizes = load_tsv(J("plan-scale.tsv"))  # name, env, mounts, bytes
    rounds = {}
    for r, name, ns in load_tsv(J("plan-scale-rounds.tsv")):
        rounds.setdefault(r, {})[name] = int(ns) / 1e9
    if sizes and rounds:
        base = sizes[0][0]
        o.append(f"## Parse and plan time against spec size (`--plan`, {len(rounds)} "
                 "interleaved rounds)")
        o.append("")
        o.append("| spec | env entries | tmpfs mounts | bytes | median | above the empty spec "
                 "(median of per-round differences) | per entry |")
        o.append("|---|---:|---:|---:|---:|---:|---:|")
        deltas = {}
        for name, env, mnts, size in sizes:
            t = [x[name] for x in rounds.values() if name in x]
            dl = [x[name] - x[base] for x in rounds.values() if name in x and base in x]
            extra = statistics.median(dl) if dl else 0.0
            n = int(env) + int(mnts)
            deltas[name] = (n, extra)
            per = f"{extra / n * 1e6:.1f} µs" if n else "–"
            o.append(f"| {name} | {env} | {mnts} | {size} | {ms(statistics.median(t))} ms | "
                     f"{ms(extra)} ms | {per} |")
        pts = [v for v in deltas.values() if v[0] > 0]
        if len(pts) >= 2 and pts[0][1] > 0:
            (n1, d1), (n2, d2) = pts[0], pts[-1]
            goals["linear"] = (d2 / d1) / (n2 / n1)
            o.append("")
            o.append(f"{n2 // n1}× the entries cost {d2 / d1:.1f}× the time above the empty "
                     f"spec ({n2 // n1}× is linear). The empty spec's time is process start-up, "
                     "host probe and printing.")
        o.append("")

    return o


def sec_sequential(J, info, goals):
    """The sequential launches, and the floor's control."""
    o = []
    seq = [int(x[0]) / 1e9 for x in load_tsv(J("seq.tsv"))]
    if seq:
        w = min(100, len(seq) // 2)
        a, b = statistics.median(seq[:w]), statistics.median(seq[-w:])
        goals["seq"] = b / a - 1
        o.append(f"## {len(seq)} sequential launches of ctlaunch")
        o.append("")
        o.append(f"Median of the first {w}: {ms(a)} ms; of the last {w}: {ms(b)} ms "
                 f"({(b / a - 1) * 100:+.1f}%); overall median {ms(statistics.median(seq))} ms, "
                 f"max {ms(max(seq))} ms.")
        ctl = [int(x[0]) / 1e9 for x in load_tsv(J("seq-floor.tsv"))]
        if len(ctl) >= 4:
            w = min(10, len(ctl) // 2)
            fa, fb = statistics.median(ctl[:w]), statistics.median(ctl[-w:])
            goals["seq_control"] = fb / fa - 1
            o.append(f"Control, the floor once every 10 launches over the same period: first "
                     f"{w} {ms(fa)} ms, last {w} {ms(fb)} ms ({(fb / fa - 1) * 100:+.1f}%): "
                     "the part of the change that is the machine's.")
        o.append("")
    return o


def sec_leftovers(J, info, goals):
    """What the runs left behind, and the descriptors inside."""
    o = []
    left = load_tsv(J("leftovers.tsv"))
    if left:
        # More after than before is a leak; the host's mounts are left
        # out (other work on the machine mounts too).
        goals["left"] = [r[0] for r in left if "host" not in r[0] and
                         max(int(r[2]), int(r[3])) > int(r[1])]
        o.append(f"| left behind? | before | after {info.get('seq', '?')} sequential | "
                 f"after {info.get('conc', '?')} concurrent |")
        o.append("|---|---:|---:|---:|")
        for r in left:
            o.append("| " + " | ".join(r) + " |")
        o.append("")
    fds = load_tsv(J("fds-inside.tsv"))
    if fds:
        o.append(f"Descriptors open in the container's command (`ls /proc/self/fd` inside, "
                 f"ls's own directory included): {fds[0][0]}.")
        o.append("")
    return o


def sec_concurrent(J, info, goals):
    """The concurrent launches."""
    o = []
    conc = load_tsv(J("concurrent.tsv"))
    if conc:
        n, ok, wall = conc[0]
        goals["conc"] = (int(ok), int(n))
        o.append(f"## {n} concurrent launches, distinct names, each running `sleep 1`")
        o.append("")
        o.append(f"{ok} of {n} exited 0; wall time for all {int(wall) / 1e9:.2f} s.")
        o.append("")

    return o


def sec_where(J, info, goals):
    """Where ctlaunch's time goes: strace, perf."""
    o = []
    o.append("## Where ctlaunch's time goes")
    o.append("")
    try:
        with open(J("strace-phases.md")) as f:
            o.append(f.read())
    except OSError:
        o.append("strace output missing.")
    sc = J("strace-c.txt")
    if os.path.exists(sc):
        rows = []
        with open(sc) as f:
            for line in f:
                p = line.split()
                if len(p) >= 5 and re.match(r"^\d+\.\d+$", p[0]) and p[-1] != "total":
                    calls = int(p[3])
                    errs = int(p[4]) if len(p) == 6 else 0
                    rows.append((p[-1], float(p[1]), calls, errs))
                elif p and p[-1] == "total":
                    o.append(f"System calls per launch (strace -f -c -w, launcher and "
                             f"container): **{p[3]}**, {p[4] if len(p) == 6 else 0} of them "
                             f"failed.")
                    o.append("")
        o.append("| syscall | wall ms (under strace) | calls | errors |")
        o.append("|---|---:|---:|---:|")
        for name, sec, calls, errs in sorted(rows, key=lambda r: -r[1])[:10]:
            o.append(f"| {name} | {sec * 1e3:.2f} | {calls} | {errs} |")
        o.append("")
    perf = load_tsv(J("perf.tsv"))
    if perf:
        o.append("CPU time (perf stat, task-clock, launcher and children, 20 runs): " +
                 "; ".join(f"{k} {v}" for k, v in perf) + ".")
        o.append("")
    pt = perf_trace(J("perf-trace.txt"))
    if pt:
        o.append("`perf trace -s` of one launch (tracepoints, not ptrace: close to the real "
                 "costs; each call still pays a few µs of tracing). `true` is the container's "
                 "process, before and after its exec. ctlaunch's clone, and its first "
                 "rt_sigtimedwait, are sleeps: the clone returns at the child's exec "
                 "(CLONE_VFORK), the wait at the command's exit:")
        o.append("")
        o.append(pt)
    return o


def sec_static(J, info, goals):
    """The static and dynamic builds."""
    o = []
    st = dict((r[0], r[1]) for r in load_tsv(J("static.tsv")))
    if st:
        o.append("## Static and dynamic builds")
        o.append("")
        o.append(f"`{st.get('how', '')}`: {st.get('result', '')}.")
        if "libs" in st:
            o.append("")
            o.append(f"With only libyaml and libcap linked in (`PKG_LIBS='-Wl,-Bstatic -lyaml "
                     f"-lcap -Wl,-Bdynamic'`): {st['libs']}.")
        o.append("")
    return o


SECTIONS = (sec_launches, sec_plan, sec_scale, sec_sequential, sec_leftovers, sec_concurrent,
            sec_where, sec_static)


def table(d):
    """The markdown report: the header, the targets (filled in by the
    sections through goals), then each section."""
    def J(name):
        return os.path.join(d, name)
    info = dict((r[0], r[1]) for r in load_tsv(J("info.tsv")))
    goals = {}
    body = []
    for sec in SECTIONS:
        body += sec(J, info, goals)
    o = sec_header(J, info, goals) + goal_lines(goals) + body
    return "\n".join(o) + "\n"


def main(argv):
    if len(argv) >= 5 and argv[1] == "limits" and argv[4] == "--":
        return limits(argv[2], argv[3], argv[5:])
    if len(argv) >= 4 and argv[1] == "phases":
        sys.stdout.write(phases(argv[2], argv[3:]))
        return 0
    if len(argv) == 5 and argv[1] == "cgcost":
        return cgcost(argv[2], argv[3], argv[4])
    if len(argv) >= 3 and argv[1] == "perf":
        return perf(argv[2], argv[3:])
    if len(argv) == 3 and argv[1] == "table":
        sys.stdout.write(table(argv[2]))
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:  # Ctrl-C: run.sh cleans up and says so
        sys.exit(130)
