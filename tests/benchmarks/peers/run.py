#!/usr/bin/env python3
"""The peer benchmark: the same four workloads through proctest, a plain C++
loop and Python, Rust and Go, run interleaved, with a table of medians and
ratios.

  tests/benchmarks/peers/run.py --build-dir build-bench          # the full run
  tests/benchmarks/peers/run.py --build-dir build-bench --smoke  # ctest -L benchmark

Workloads (each harness implements them alike; see peer.cpp):
  (a) N short cases back to back (default 1,000): /bin/cat with a unique
      stdin per case, stdout and stderr captured, exit code and output
      checked -- a suite's work, timed as one block of N calls, with sub-blocks
      of 100 timed too;
  (b) capture 256 MiB of stdout (`head -c ... /dev/zero`), optionally 1 GiB,
      beside two limits measured in the same run: `memset` (mmap + memset of
      the same size: this machine's fresh-memory write rate) and `pipe` (the
      plain loop reading into one reused buffer);
  (c) 64 MiB stdin + 64 MiB stdout + 64 MiB stderr at once (lean_pump);
  (d) start a program, wait for its "ready" line, SIGTERM it, reap (x100).

Harnesses: plain (posix_spawn + pipes + poll + waitpid in C++: the physical
reference), proctest (proctest::Process), proctest-fixture (ProcessFixture
tests in one GoogleTest binary; (a) only), python (subprocess),
rust-std (std::process::Command), rust-assert_cmd (assert_cmd 2.0; not (d)),
go (os/exec, a context deadline in (d)); python-tempdir and rust-std-tempdir
((a) only) run each case in a fresh directory of its own, as ProcessFixture
runs each test. A peer whose toolchain is missing is skipped with the
reason.

Each harness runs each workload in a fresh process of its own, which times
the block itself and prints one JSON line: wall time, its own CPU (all its
threads), its reaped children's CPU, context switches, the peak memory the
block added. Rounds interleave the harnesses (ABCDE BCDEA ...), so load
drift hits all of them alike; the table gives the median over rounds and the
spread [min-max]. Rust and Go are built here, offline, under the build
directory: cargo from Debian's crates (/usr/share/cargo/registry) through a
source replacement in a CARGO_HOME of the build directory, Go without modules.
"""

import argparse
import collections
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20
REGISTRY = "/usr/share/cargo/registry"

# name -> (workloads it runs, one-line description)
HARNESSES = {
    "plain": ("abcd", "C++ posix_spawn + pipes + poll/read + waitpid (the reference)"),
    "guarded": ("a", "the plain loop plus the system calls proctest's guarantees need "
                "(process group, signal defaults, closefrom, pidfd, group check)"),
    "proctest": ("abcd", "proctest::Process"),
    "proctest-fixture": ("a", "proctest::ProcessFixture tests under RUN_ALL_TESTS"),
    "python": ("abcd", "Python subprocess.run / Popen"),
    "rust-std": ("abcd", "Rust std::process::Command"),
    "rust-assert_cmd": ("abc", "Rust assert_cmd::Command 2.0"),
    "python-tempdir": ("a", "python, each case in a tempfile.TemporaryDirectory() as its cwd "
                       "(pytest's tmp_path)"),
    "rust-std-tempdir": ("a", "rust-std, each case in a fresh 0700 dir as its cwd, removed "
                         "after (tempfile::TempDir's work)"),
    "go": ("abcd", "Go os/exec (context deadline in d)"),
    "pipe": ("b", "limit: the plain loop reading into one reused 1 MiB buffer"),
    "memset": ("b", "limit: mmap + memset of the same size (fresh memory)"),
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run_quiet(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def copy_if_changed(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(src, "rb") as f:
        data = f.read()
    if os.path.exists(dst):
        with open(dst, "rb") as f:
            if f.read() == data:
                return
    with open(dst, "wb") as f:
        f.write(data)


def find_tool(choice, debian, name):
    """`choice` from the command line ("auto", "none" or a path), else Debian's, else PATH's."""
    if choice == "none":
        return None
    if choice != "auto":
        return choice if os.path.exists(choice) else None
    return debian if os.path.exists(debian) else shutil.which(name)


def build_rust(build_dir, first_build_allowed, choice="auto"):
    """Builds the Rust harnesses offline; returns (binary, None) or (None, why)."""
    cargo = find_tool(choice, "/usr/bin/cargo", "cargo")
    rustc = os.path.join(os.path.dirname(cargo), "rustc") if cargo else None
    if not cargo or not rustc or not os.path.exists(rustc):
        return None, "no cargo/rustc (Debian: cargo rustc librust-assert-cmd-dev)"
    if not os.path.isdir(REGISTRY) or not any(
            d.startswith("assert_cmd-2.") for d in os.listdir(REGISTRY)):
        return None, f"no assert_cmd 2.x in {REGISTRY} (Debian: librust-assert-cmd-dev)"
    crate = os.path.join(build_dir, "rust")
    binary = os.path.join(crate, "target", "release", "proctest_peer_rust")
    if not first_build_allowed and not os.path.exists(binary):
        return None, "not built yet (a run without --smoke builds it once, ~40 s of CPU)"
    copy_if_changed(os.path.join(HERE, "rust", "Cargo.toml"), os.path.join(crate, "Cargo.toml"))
    copy_if_changed(os.path.join(HERE, "rust", "src", "main.rs"),
                    os.path.join(crate, "src", "main.rs"))
    home = os.path.join(build_dir, "cargo-home")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write(f'[source.crates-io]\nreplace-with = "debian"\n\n'
                f'[source.debian]\ndirectory = "{REGISTRY}"\n\n[net]\noffline = true\n')
    env = dict(os.environ, CARGO_HOME=home, RUSTC=rustc,
               CARGO_TARGET_DIR=os.path.join(crate, "target"))
    r = run_quiet(["nice", "-n", "10", cargo, "build", "--release", "--offline", "--quiet"],
                  cwd=crate, env=env)
    if r.returncode != 0:
        return None, "cargo build failed: " + r.stdout.strip().splitlines()[-1:][0]
    return binary, None


def build_go(build_dir, choice="auto"):
    go = find_tool(choice, "/usr/bin/go", "go")
    if not go:
        return None, "no go toolchain (Debian: golang-go)"
    binary = os.path.join(build_dir, "proctest_peer_go")
    env = dict(os.environ, GO111MODULE="off", GOFLAGS="", GOPROXY="off", GOTOOLCHAIN="local",
               GOPATH=os.path.join(build_dir, "go", "path"),
               GOCACHE=os.path.join(build_dir, "go", "cache"))
    r = run_quiet(["nice", "-n", "10", go, "build", "-o", binary,
                   os.path.join(HERE, "go", "main.go")], env=env)
    if r.returncode != 0:
        return None, "go build failed: " + (r.stdout.strip().splitlines() or ["?"])[-1]
    return binary, None


def commands(paths, args):
    """Harness name -> argv prefix (before WORKLOAD), or a reason it is skipped."""
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    cmd = {
        "plain": [paths["cpp"], "plain"],
        "guarded": [paths["cpp"], "guarded"],
        "proctest": [paths["cpp"], "proctest"],
        "python": [python, os.path.join(HERE, "peer.py"), "subprocess"],
        "python-tempdir": [python, os.path.join(HERE, "peer.py"), "subprocess-tempdir"],
        "pipe": [paths["cpp"], "pipe"],
        "memset": [paths["cpp"], "memset"],
    }
    skipped = {}
    if paths.get("fixture"):
        cmd["proctest-fixture"] = [paths["fixture"], "fixture"]
    else:
        skipped["proctest-fixture"] = "built without GoogleTest"
    wanted = args.harnesses or list(HARNESSES)
    if any(h.startswith("rust") for h in wanted):
        rust, why = (None, "--no-build") if args.no_build else build_rust(
            paths["build"], not args.smoke, args.cargo)
        if rust:
            cmd["rust-std"] = [rust, "std"]
            cmd["rust-assert_cmd"] = [rust, "assert_cmd"]
            cmd["rust-std-tempdir"] = [rust, "std-tempdir"]
        else:
            skipped["rust-std"] = skipped["rust-assert_cmd"] = skipped["rust-std-tempdir"] = why
    if "go" in wanted:
        go, why = (None, "--no-build") if args.no_build else build_go(paths["build"], args.go)
        if go:
            cmd["go"] = [go, "exec"]
        else:
            skipped["go"] = why
    for extra in args.extra:
        name, _, program = extra.partition("=")
        if "fixture" in os.path.basename(program):  # another build's proctest_peer_fixture
            cmd[name] = [program, "fixture"]
            HARNESSES.setdefault(name, ("a", f"proctest::ProcessFixture of {program}"))
        else:
            cmd[name] = [program, "proctest"]
            HARNESSES.setdefault(name, ("abcd", f"proctest::Process of {program}"))
        wanted = list(wanted) + [name]
    return ({h: c for h, c in cmd.items() if h in wanted},
            {h: s for h, s in skipped.items() if h in wanted})


def workload_argv(paths, workload, size):
    """The workload's arguments after WORKLOAD: its size, then the program."""
    if workload == "a":
        return ["cases", str(size), "/bin/cat"]
    if workload == "b":
        head = shutil.which("head") or "/usr/bin/head"
        return ["capture", str(size), head, "-c", str(size), "/dev/zero"]
    if workload == "c":
        s = str(size)
        return ["pump", s, s, s, paths["lean_pump"], s, s, s]
    return ["ready", str(size), paths["child"], "pause"]


def invoke(argv, timeout):
    """Runs one harness block; returns its JSON record (ok false on failure)."""
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout} s"}
    record = None
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                pass
    if record is None:
        tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
        return {"ok": False, "error": f"exit {r.returncode}: {tail}"}
    if r.returncode != 0 and record.get("ok"):
        record["ok"], record["error"] = False, f"exit {r.returncode}"
    return record


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, scale=1.0, fmt="{:.0f}"):
    if not xs:
        return "-"
    return "[" + fmt.format(min(xs) * scale) + "–" + fmt.format(max(xs) * scale) + "]"


def ratio(a, b):
    return f"{a / b:.2f}×" if b and a == a and b == b else "-"


class Table:
    def __init__(self, header):
        self.rows = [header]

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def print(self):
        print("| " + " | ".join(self.rows[0]) + " |")
        print("|" + "---|" * len(self.rows[0]))
        for row in self.rows[1:]:
            print("| " + " | ".join(row) + " |")


def same_round_ratios(ok, h, ref, value):
    """value(h) / value(ref) of each round both ran: drift between rounds cancels."""
    refs = {r["round"]: value(r) for r in ok.get(ref, []) if "round" in r}
    return [value(r) / refs[r["round"]] for r in ok.get(h, []) if r.get("round") in refs]


def cpu(r):
    return r["user_s"] + r["sys_s"]


def report(workload, size, results, skipped, order, load):
    """Prints the workload's table; returns its medians for the target lines."""
    ok = {h: [r for r in rs if r.get("ok")] for h, rs in results.items()}
    failed = {h: rs for h, rs in results.items() if any(not r.get("ok") for r in rs)}
    title = {
        "a": f"(a) {size} cases of /bin/cat with a unique stdin each, back to back",
        "b": f"(b) capture {size // MIB} MiB of stdout (head -c)",
        "c": f"(c) {size // MIB} MiB stdin + stdout + stderr at once (lean_pump)",
        "d": f"(d) start, wait for 'ready', SIGTERM, reap (proctest_child pause), x{size}",
    }[workload]
    rounds = max((len(rs) for rs in results.values()), default=0)
    print(f"\n### {title}\n\n{rounds} rounds, harnesses interleaved; load average "
          f"{load[0]:.2f} before, {load[1]:.2f} after\n")
    m = {}
    if workload == "a":
        t = Table(["harness", "wall µs/case median [min–max]", "× plain",
                   "× plain in the same round, median [min–max]", "µs/case, blocks of 100", "parent CPU µs/case", "× plain",
                   "child CPU µs/case", "vol. + invol. switches/case"])
        for h, rs in ok.items():
            if not rs:
                continue
            n = rs[0]["n"]
            walls = [r["wall_s"] / n for r in rs]
            blocks = [p / 100 for r in rs for p in r.get("parts_s", [])]
            m[h] = {"wall": med(walls), "cpu": med([cpu(r) / n for r in rs])}
            m[h]["child"] = med([(r["child_user_s"] + r["child_sys_s"]) / n for r in rs])
            m[h]["vcs"] = med([r["nvcsw"] / n for r in rs])
            m[h]["ics"] = med([r["nivcsw"] / n for r in rs])
            m[h]["blocks"] = med(blocks)
        base = m.get("plain", {})
        for h in order:
            if h in m:
                x = m[h]
                walls = [r["wall_s"] / r["n"] for r in ok[h]]
                rounds = same_round_ratios(ok, h, "plain", lambda r: r["wall_s"] / r["n"])
                t.add(h, f"**{x['wall'] * 1e6:.0f}** {spread(walls, 1e6)}",
                      ratio(x["wall"], base.get("wall")),
                      f"{med(rounds):.2f} {spread(rounds, 1, '{:.2f}')}" if rounds else "-",
                      f"{x['blocks'] * 1e6:.0f}" if x["blocks"] == x["blocks"] else "-",
                      f"{x['cpu'] * 1e6:.0f}", ratio(x["cpu"], base.get("cpu")),
                      f"{x['child'] * 1e6:.0f}", f"{x['vcs']:.1f} + {x['ics']:.1f}")
    elif workload == "b":
        t = Table(["harness", "GB/s median [min–max]", "× memset", "× plain", "wall ms",
                   "parent CPU ms", "peak / bytes"])
        for h, rs in ok.items():
            if rs:
                m[h] = {"rate": med([r["bytes"] / r["wall_s"] / 1e9 for r in rs]),
                        "wall": med([r["wall_s"] for r in rs]),
                        "cpu": med([cpu(r) for r in rs]),
                        "peak": med([r["peak_added_bytes"] / r["bytes"] for r in rs])}
        for h in order:
            if h in m:
                x = m[h]
                rates = [r["bytes"] / r["wall_s"] / 1e9 for r in ok[h]]
                t.add(h, f"**{x['rate']:.2f}** {spread(rates, 1, '{:.2f}')}",
                      ratio(x["rate"], m.get("memset", {}).get("rate")),
                      ratio(x["rate"], m.get("plain", {}).get("rate")),
                      f"{x['wall'] * 1e3:.0f}", f"{x['cpu'] * 1e3:.0f}", f"{x['peak']:.3f}")
    elif workload == "c":
        t = Table(["harness", "wall ms median [min–max]", "× plain", "parent CPU ms", "× plain",
                   "child CPU ms", "peak MiB"])
        for h, rs in ok.items():
            if rs:
                m[h] = {"wall": med([r["wall_s"] for r in rs]), "cpu": med([cpu(r) for r in rs]),
                        "child": med([r["child_user_s"] + r["child_sys_s"] for r in rs]),
                        "peak": med([r["peak_added_bytes"] for r in rs])}
        base = m.get("plain", {})
        for h in order:
            if h in m:
                x = m[h]
                t.add(h, f"**{x['wall'] * 1e3:.0f}** "
                         f"{spread([r['wall_s'] for r in ok[h]], 1e3)}",
                      ratio(x["wall"], base.get("wall")), f"{x['cpu'] * 1e3:.0f}",
                      ratio(x["cpu"], base.get("cpu")), f"{x['child'] * 1e3:.0f}",
                      f"{x['peak'] / MIB:.0f}")
    else:
        t = Table(["harness", "µs/cycle median [min–max of rounds]", "× plain", "p90 µs",
                   "max µs", "parent CPU µs/cycle", "× plain"])
        for h, rs in ok.items():
            if rs:
                cycles = sorted(p for r in rs for p in r["parts_s"])
                m[h] = {"wall": med([med(r["parts_s"]) for r in rs]),
                        "p90": cycles[int(0.9 * (len(cycles) - 1))], "max": cycles[-1],
                        "cpu": med([cpu(r) / r["n"] for r in rs])}
        base = m.get("plain", {})
        for h in order:
            if h in m:
                x = m[h]
                t.add(h, f"**{x['wall'] * 1e6:.0f}** "
                         f"{spread([med(r['parts_s']) for r in ok[h]], 1e6)}",
                      ratio(x["wall"], base.get("wall")), f"{x['p90'] * 1e6:.0f}",
                      f"{x['max'] * 1e6:.0f}", f"{x['cpu'] * 1e6:.0f}",
                      ratio(x["cpu"], base.get("cpu")))
    t.print()
    if workload == "a":
        for h in order:
            threads = collections.defaultdict(list)
            for r in ok.get(h, []):
                for th in r.get("threads", []):
                    threads[th["name"]].append(th)
            if threads:
                parts = [f"{name} {med([x['cpu_s'] for x in ts]) / size * 1e6:.0f} µs CPU, "
                         f"{med([x['nvcsw'] for x in ts]) / size:.1f} voluntary switches"
                         for name, ts in threads.items()]
                print(f"- {h} per case and thread: " + "; ".join(parts))
    for h, why in skipped.items():
        if workload in HARNESSES[h][0]:
            print(f"- {h}: skipped: {why}")
    if workload == "d" and "rust-assert_cmd" not in skipped:
        print("- rust-assert_cmd: not applicable: assert_cmd runs a program to completion")
    for h, rs in failed.items():
        for r in rs:
            if not r.get("ok"):
                print(f"- {h}: FAILED: {r.get('error')}")
    return m


def targets(all_m, capture_sizes):
    """Issue 16's targets as ratios of this run."""
    lines = []
    a = all_m.get("a", {})
    if "proctest" in a and "plain" in a:
        p, pl = a["proctest"], a["plain"]
        lines.append(f"(a) proctest wall / plain = {p['wall'] / pl['wall']:.2f} (target ≤ 1.05); "
                     f"parent CPU / plain = {p['cpu'] / pl['cpu']:.2f} (≤ 1.15)")
        if "guarded" in a:
            g = a["guarded"]
            lines.append(f"(a) guarded / plain: wall {g['wall'] / pl['wall']:.2f}, parent CPU "
                         f"{g['cpu'] / pl['cpu']:.2f} (the guarantees' own price); proctest / "
                         f"guarded: wall {p['wall'] / g['wall']:.2f}, parent CPU "
                         f"{p['cpu'] / g['cpu']:.2f} (proctest's own)")
        if "python" in a:
            lines.append(f"(a) proctest wall / python = {p['wall'] / a['python']['wall']:.2f} "
                         "(≤ 0.95)")
    if "proctest-fixture" in a and "proctest" in a:
        f = a["proctest-fixture"]
        lines.append(f"(a) ProcessFixture per test − Process per case = "
                     f"{(f['wall'] - a['proctest']['wall']) * 1e6:+.0f} µs (≤ +100 µs)")
        peers = {h: x["wall"] for h, x in a.items()
                 if h in ("python", "rust-std", "rust-assert_cmd", "go")}
        if peers:
            best = min(peers, key=peers.get)
            lines.append(f"(a) ProcessFixture suite / fastest peer ({best}) = "
                         f"{f['wall'] / peers[best]:.2f} (≤ 1.00)")
        with_dirs = {h: x["wall"] for h, x in a.items()
                     if h in ("python-tempdir", "rust-std-tempdir")}
        if with_dirs:
            best = min(with_dirs, key=with_dirs.get)
            lines.append(f"(a) ProcessFixture suite / fastest peer that gives each case a "
                         f"fresh dir too ({best}) = {f['wall'] / with_dirs[best]:.2f}")
    for size in capture_sizes:
        b = all_m.get(f"b{size}", {})
        if "proctest" in b:
            p = b["proctest"]
            line = f"(b) {size // MIB} MiB: proctest"
            if "memset" in b:
                line += f" / memset rate = {p['rate'] / b['memset']['rate']:.2f} (≥ 0.8)"
            peers = {h: x["rate"] for h, x in b.items()
                     if h in ("python", "rust-std", "rust-assert_cmd", "go")}
            if peers:
                best = max(peers, key=peers.get)
                line += f"; / fastest peer ({best}) = {p['rate'] / peers[best]:.2f} (≥ 1.25)"
            line += f"; peak / bytes = {p['peak']:.3f} (≤ 1.05)"
            lines.append(line)
    if lines:
        print("\n### Issue 16's targets in this run\n")
        for line in lines:
            print("- " + line)


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // (1 << 20)
    thp = "?"
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().strip()
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({model}), {mem} GiB, Linux {platform.release()}, "
            f"THP {thp}")


def versions(cmds):
    out = []
    if "python" in cmds:
        out.append(run_quiet([cmds["python"][0], "--version"]).stdout.strip())
    rustc = "/usr/bin/rustc" if os.path.exists("/usr/bin/rustc") else shutil.which("rustc")
    if "rust-std" in cmds and rustc:
        out.append(run_quiet([rustc, "--version"]).stdout.strip())
    if "go" in cmds and shutil.which("go"):
        out.append(run_quiet(["go", "version"]).stdout.strip())
    return ", ".join(out)


def report_saved(path):
    """The tables of a run saved with --json, as they were printed."""
    with open(path) as f:
        saved = json.load(f)
    groups, loads = {}, {}
    for r in saved["runs"]:
        if "harness" in r:
            groups.setdefault((r["workload"], r["size"]), {}).setdefault(r["harness"], []).append(r)
        else:
            loads[r["workload"]] = r["load"]
    order = [h for h in HARNESSES if any(h in g for g in groups.values())]
    all_m, capture_sizes = {}, []
    for (w, size), results in groups.items():
        key = w if w != "b" else f"b{size}"
        if w == "b":
            capture_sizes.append(size)
        all_m[key] = report(w, size, results, saved.get("skipped", {}), order,
                            loads.get(key, (float("nan"), float("nan"))))
    targets(all_m, capture_sizes)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--build-dir", default="build-bench", help="the CMake build directory")
    ap.add_argument("--paths", help="paths.json (default: BUILD/tests/benchmarks/peers/paths.json)")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes, one round: checks that every harness works (ctest)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--capture-mib", default="256", help="comma-separated, e.g. 256,1024")
    ap.add_argument("--pump-mib", type=int, default=64)
    ap.add_argument("--ready", type=int, default=100, help="start/stop cycles per block in (d)")
    ap.add_argument("--workloads", default="abcd")
    ap.add_argument("--harnesses", type=lambda s: s.split(","), help="comma-separated subset")
    ap.add_argument("--extra", action="append", default=[], metavar="NAME=PEER_CPP",
                    help="another build's peer.cpp program as harness NAME, run like "
                         "'proctest' (e.g. the code before a change, in the same run); "
                         "its proctest_peer_fixture runs like 'proctest-fixture'")
    ap.add_argument("--no-build", action="store_true", help="skip the Rust and Go peers")
    ap.add_argument("--cargo", default="auto",
                    help="cargo to build with (rustc beside it), 'none' to skip Rust; "
                         "default: Debian's /usr/bin/cargo, else PATH's")
    ap.add_argument("--go", default="auto", help="go to build with, 'none' to skip Go")
    ap.add_argument("--json", help="write every block's record here")
    ap.add_argument("--report", metavar="JSON", help="print the tables of a saved --json run")
    args = ap.parse_args()
    if args.report:
        return report_saved(args.report)
    paths_file = args.paths or os.path.join(args.build_dir, "tests", "benchmarks", "peers",
                                            "paths.json")
    if not os.path.exists(paths_file):
        sys.exit(f"{paths_file} not found: configure and build with -DPROCTEST_BUILD_BENCHMARKS=ON "
                 "(ninja proctest_peer_cpp proctest_peer_fixture proctest_child "
                 "proctest_lean_pump)")
    with open(paths_file) as f:
        paths = json.load(f)
    if args.smoke:
        args.rounds, args.cases, args.pump_mib, args.ready = 1, 20, 1, 3
        args.capture_mib = "1"
    capture_sizes = [int(x) * MIB for x in args.capture_mib.split(",") if x]

    cmds, skipped = commands(paths, args)
    order = [h for h in HARNESSES if h in cmds]
    print(f"## Peer benchmark, {time.strftime('%Y-%m-%d %H:%M')}\n")
    print(f"- machine: {machine()}")
    print(f"- peers: {versions(cmds)}")
    print(f"- command: {' '.join(sys.argv)}")
    print(f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    runs = []
    all_m = {}
    for w in args.workloads:
        sizes = {"a": [args.cases], "b": capture_sizes, "c": [args.pump_mib * MIB],
                 "d": [args.ready]}[w]
        for size in sizes:
            hs = [h for h in order if w in HARNESSES[h][0]]
            tiny = {"a": 5, "b": MIB, "c": MIB, "d": 2}[w]
            if not args.smoke:  # warm the page cache and the binaries; not recorded
                for h in hs:
                    invoke(cmds[h] + workload_argv(paths, w, tiny), 120)
            load0 = os.getloadavg()[0]
            results = {h: [] for h in hs}
            for rnd in range(args.rounds):
                k = rnd % len(hs) if hs else 0
                for h in hs[k:] + hs[:k]:
                    r = invoke(cmds[h] + workload_argv(paths, w, size), 600)
                    r.update(harness=h, workload=w, size=size, round=rnd,
                             load1=os.getloadavg()[0])
                    results[h].append(r)
                    runs.append(r)
                    if not r.get("ok"):
                        log(f"{h} {w} {size}: FAILED: {r.get('error')}")
                log(f"{w} {size}: round {rnd + 1}/{args.rounds} done, "
                    f"load {os.getloadavg()[0]:.2f}")
            load = (load0, os.getloadavg()[0])
            key = w if w != "b" else f"b{size}"
            runs.append({"workload": key, "load": load})
            all_m[key] = report(w, size, results, skipped, order, load)
    targets(all_m, capture_sizes)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"paths": paths, "skipped": skipped, "runs": runs}, f, indent=1)
    failures = [r for r in runs if "ok" in r and not r["ok"]]
    if failures:
        print(f"\n{len(failures)} blocks FAILED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
