#!/usr/bin/env python3
"""Where a harness's time goes in workload (a) of the peer benchmark: system
calls, context switches and CPU per case, in the parent process only.

  tests/benchmarks/peers/profile.py --build-dir build-bench [--cases 200]

Run after run.py (which builds the Rust and Go peers). For each harness:
- system calls per case (strace -ff): each task's calls are counted, split
  into the parent's main thread, its other threads, and the spawned child
  before its execve (the part of a spawn that runs in the child: dup2,
  signal resets...). Per case = the difference between a run of 20 + N cases
  and one of 20, divided by N, so start-up is not counted;
- context switches per case (getrusage, without strace), and for the C++
  harnesses per thread (/proc/self/task: CPU and voluntary switches, i.e.
  how often each thread went to sleep and was woken);
- for the C++ harnesses, a CPU profile of the parent's threads
  (perf record -e cpu-clock, then perf report --pid): CPU per case by thread,
  kernel / user, and the top symbols. In a VM without PMU, kernel samples
  pile up on the instruction after interrupts are re-enabled
  (e.g. pvm_irq_enable), so the kernel figure is a total, not a breakdown.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (the harness commands and their build)

CALL = re.compile(r"^([a-z_0-9]+)\(")
EXECVE = re.compile(r'^execve\("([^"]*)"')
WARM = 20


def strace_counts(argv, n, workdir):
    """{'main'|'threads'|'child': Counter} of one run of n cases under strace."""
    prefix = os.path.join(workdir, f"t{n}")
    cmd = ["strace", "-ff", "-qq", "-o", prefix] + argv + ["cases", str(n), "/bin/cat"]
    subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    counts = {"main": collections.Counter(), "threads": collections.Counter(),
              "child": collections.Counter()}
    for name in os.listdir(workdir):
        if not name.startswith(f"t{n}."):
            continue
        with open(os.path.join(workdir, name), errors="replace") as f:
            lines = f.read().splitlines()
        calls = []
        role = "threads"
        for line in lines:
            m = CALL.match(line)
            if not m:
                continue
            e = EXECVE.match(line)
            if e and "= 0" in line.rsplit(")", 1)[-1]:
                # The harness itself, or a child: a child's calls after its
                # execve are the program's, not the spawn's.
                role = "main" if os.path.basename(e.group(1)) == os.path.basename(argv[0]) \
                    else "child"
                if role == "child":
                    calls.append("execve")
                    break
                continue
            calls.append(m.group(1))
        counts[role].update(calls)
        os.unlink(os.path.join(workdir, name))
    return counts


def syscalls(h, argv, cases):
    with tempfile.TemporaryDirectory(prefix="proctest-peers-strace-") as d:
        base = strace_counts(argv, WARM, d)
        more = strace_counts(argv, WARM + cases, d)
    per = {}
    for role in more:
        diff = more[role] - base[role]  # Counter subtraction keeps positives
        per[role] = {k: v / cases for k, v in diff.items()}
    return per


def fmt_calls(calls, limit=12):
    top = sorted(calls.items(), key=lambda kv: -kv[1])[:limit]
    return ", ".join(f"{k} {v:.1f}" for k, v in top if v >= 0.05)


def switches(argv, cases):
    r = run.invoke(argv + ["cases", str(cases), "/bin/cat"], 600)
    return r


def perf_profile(argv, cases, top):
    """CPU per case of the parent's threads from perf samples."""
    freq = 4999
    with tempfile.TemporaryDirectory(prefix="proctest-peers-perf-") as d:
        data = os.path.join(d, "perf.data")
        r = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", str(freq), "-o",
                            data, "--"] + argv + ["cases", str(cases), "/bin/cat"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        if r.returncode != 0:
            return None
        pid = json.loads([x for x in r.stdout.splitlines() if x.startswith("{")][-1])["pid"]
        script = subprocess.run(["perf", "script", "-i", data, "--pid", str(pid), "-F",
                                 "tid,comm,ip,sym,dso"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True).stdout
    per_thread = collections.Counter()
    kernel = collections.Counter()
    syms = collections.Counter()
    for line in script.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        comm = parts[0]
        dso = parts[-1].strip("()")
        sym = " ".join(parts[3:-1]) if len(parts) > 4 else "?"
        sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
        per_thread[comm] += 1
        if "kernel" in dso:
            kernel[comm] += 1
        syms[(comm, "[k] " if "kernel" in dso else "", sym, os.path.basename(dso))] += 1
    us = 1e6 / freq / cases  # µs per case for one sample
    lines = []
    for comm, n in per_thread.most_common():
        lines.append(f"  - thread {comm}: {n * us:.0f} µs CPU/case "
                     f"({kernel[comm] * us:.0f} in the kernel)")
        mine = [(key, m) for key, m in syms.most_common() if key[0] == comm]
        for (_, k, sym, dso), m in mine[:top]:
            lines.append(f"    - {m * us:5.1f} µs {k}{sym} ({dso})")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--build-dir", default="build-bench")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--harnesses", type=lambda s: s.split(","),
                    default=["plain", "proctest", "proctest-fixture", "python", "rust-std",
                             "rust-assert_cmd", "go"])
    ap.add_argument("--top", type=int, default=12, help="symbols per thread in the profile")
    args = ap.parse_args()
    with open(os.path.join(args.build_dir, "tests", "benchmarks", "peers", "paths.json")) as f:
        paths = json.load(f)
    opts = argparse.Namespace(harnesses=args.harnesses, no_build=False, smoke=True, cargo="auto",
                              go="auto", extra=[])
    cmds, skipped = run.commands(paths, opts)
    print(f"## Workload (a) per case, parent process only ({args.cases} cases, load average "
          f"{os.getloadavg()[0]:.2f})\n")
    if not shutil.which("strace"):
        print("- strace missing (Debian: strace): no system call counts")
    print("| harness | syscalls/case: main thread | other threads | child before exec | "
          "voluntary + involuntary switches/case | the calls (per case) |")
    print("|---|---|---|---|---|---|")
    for h in args.harnesses:
        if h not in cmds:
            continue
        argv = cmds[h]
        per = syscalls(h, argv, args.cases) if shutil.which("strace") else {}
        r = switches(argv, args.cases)
        n = args.cases
        sw = f"{r['nvcsw'] / n:.1f} + {r['nivcsw'] / n:.1f}" if r.get("ok") else "failed"
        total = {role: sum(c.values()) for role, c in per.items()}
        calls = collections.Counter()
        for role in ("main", "threads"):
            calls.update(per.get(role, {}))
        print(f"| {h} | {total.get('main', 0):.1f} | {total.get('threads', 0):.1f} | "
              f"{total.get('child', 0):.1f} | {sw} | {fmt_calls(calls)} |")
        if r.get("threads"):
            parts = [f"{t['name']} {t['cpu_s'] / n * 1e6:.0f} µs CPU, {t['nvcsw'] / n:.1f} + "
                     f"{t['nivcsw'] / n:.1f} switches" for t in r["threads"]]
            print(f"|  | per thread: {'; '.join(parts)} | | | | |")
    for h, why in skipped.items():
        print(f"- {h}: skipped: {why}")
    if shutil.which("perf"):
        print("\n## CPU profile of the parent's threads (perf record -e cpu-clock)\n")
        for h in ("plain", "proctest", "proctest-fixture"):
            if h in cmds:
                lines = perf_profile(cmds[h], max(args.cases, 300), args.top)
                print(f"- {h}:" if lines else f"- {h}: perf record failed")
                for line in lines or []:
                    print(line)
    else:
        print("\n- perf missing (Debian: linux-perf): no CPU profile")


if __name__ == "__main__":
    main()
