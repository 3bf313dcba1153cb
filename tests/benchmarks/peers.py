#!/usr/bin/env python3
"""proctest against a peer: Python's subprocess module on workloads 1, 3 and 5.

Runs each workload through subprocess in this interpreter, runs the same
workloads through the proctest benchmark binaries (--benchmark_format=json),
and prints proctest's ratio to Python's. Peak memory of a capture is measured
in a fresh interpreter (ru_maxrss after minus VmRSS before), so earlier
workloads cannot inflate it.

  tests/benchmarks/peers.py --bench-dir build-bench/tests/benchmarks
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

CAPTURE_MIB = 1024


def spawn_echo(n):
    """Workload 1: spawn + capture + wait of /bin/echo hi; seconds per run."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        out = subprocess.run(["/bin/echo", "hi"], capture_output=True, check=True).stdout
        times.append(time.perf_counter() - start)
        assert out == b"hi\n"
    return times


def vm_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def capture_once(mib):
    """Workload 3 in this (fresh) interpreter: (seconds, peak bytes added)."""
    before = vm_rss_bytes()
    start = time.perf_counter()
    out = subprocess.run(["head", "-c", f"{mib}M", "/dev/zero"], stdout=subprocess.PIPE,
                         check=True).stdout
    took = time.perf_counter() - start
    assert len(out) == mib << 20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return took, peak - before


def capture(mib, n):
    runs = []
    for _ in range(n):
        res = subprocess.run([sys.executable, __file__, "--capture-child", str(mib)],
                             stdout=subprocess.PIPE, check=True, text=True)
        runs.append(json.loads(res.stdout))
    return [r[0] for r in runs], [r[1] for r in runs]


def join_overshoot(n):
    """Workload 5: how late wait(timeout=0.1) raises TimeoutExpired; seconds."""
    late = []
    with subprocess.Popen(["/bin/sleep", "3600"]) as p:
        try:
            for _ in range(n):
                start = time.perf_counter()
                try:
                    p.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    pass
                late.append(time.perf_counter() - start - 0.1)
        finally:
            p.kill()
    return late


def run_bench(binary, bench_filter, repetitions):
    res = subprocess.run([binary, f"--benchmark_filter={bench_filter}", "--benchmark_format=json",
                          f"--benchmark_repetitions={repetitions}",
                          "--benchmark_enable_random_interleaving=true"],
                         stdout=subprocess.PIPE, check=True, text=True)
    runs = {}
    for b in json.loads(res.stdout)["benchmarks"]:
        if b.get("run_type") == "iteration":
            runs.setdefault(b["run_name"], []).append(b)
    return runs


def to_seconds(b):
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return b["real_time"] * scale


def median_spread(xs):
    return statistics.median(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--capture-child":
        print(json.dumps(capture_once(int(sys.argv[2]))))
        return
    # The peer is Debian's Python when there is one, whichever python3 ran us.
    debian = "/usr/bin/python3"
    if os.path.exists(debian) and os.path.realpath(sys.executable) != os.path.realpath(debian):
        os.execv(debian, [debian] + sys.argv)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", default="build-bench/tests/benchmarks")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--skip-capture", action="store_true", help="skip the 1 GiB workload")
    args = ap.parse_args()
    spawn_bin = os.path.join(args.bench_dir, "proctest_spawn_bench")
    capture_bin = os.path.join(args.bench_dir, "proctest_capture_bench")

    print(f"python {sys.version.split()[0]} ({sys.executable})")

    # 1: per-spawn seconds, medians of repetitions.
    py = [statistics.median(spawn_echo(300)) for _ in range(args.repetitions)]
    pt = [to_seconds(b) for b in run_bench(spawn_bin, "BM_ProctestProcess/0/",
                                           args.repetitions)["BM_ProctestProcess/0/real_time"]]
    (py_m, py_s), (pt_m, pt_s) = median_spread(py), median_spread(pt)
    print(f"1 spawn+capture+wait /bin/echo hi: python {py_m * 1e6:.0f} us +- {py_s * 1e6:.0f}, "
          f"proctest {pt_m * 1e6:.0f} us +- {pt_s * 1e6:.0f}: proctest/python = {pt_m / py_m:.2f}x")

    # 3: throughput and peak memory per captured byte.
    if not args.skip_capture:
        took, peak = capture(CAPTURE_MIB, args.repetitions)
        runs = run_bench(capture_bin, f"BM_CaptureProctest/{CAPTURE_MIB}/", args.repetitions)
        name = next(iter(runs))
        pt_t = [to_seconds(b) for b in runs[name]]
        pt_peak = [b["peak_per_byte"] for b in runs[name]]
        size = CAPTURE_MIB << 20
        py_tp = statistics.median(size / t for t in took)
        pt_tp = statistics.median(size / t for t in pt_t)
        print(f"3 capture {CAPTURE_MIB} MiB: python {py_tp / 2**20:.0f} MiB/s, peak "
              f"{statistics.median(peak) / size:.2f} B/B; proctest {pt_tp / 2**20:.0f} MiB/s, peak "
              f"{statistics.median(pt_peak):.2f} B/B: throughput proctest/python = "
              f"{pt_tp / py_tp:.2f}x")

    # 5: join(100 ms) overshoot.
    late = join_overshoot(30 * args.repetitions)
    runs = run_bench(spawn_bin, "BM_JoinTimeoutOvershoot", args.repetitions)
    pt_runs = next(iter(runs.values()))
    pt_median = statistics.median(b["median_us"] for b in pt_runs)
    pt_max = max(b["max_us"] for b in pt_runs)
    py_median, py_max = statistics.median(late) * 1e6, max(late) * 1e6
    print(f"5 join(100 ms) overshoot: python median {py_median:.0f} us max {py_max:.0f} us; "
          f"proctest median {pt_median:.0f} us max {pt_max:.0f} us: median proctest/python = "
          f"{pt_median / py_median:.2f}x")


if __name__ == "__main__":
    main()
