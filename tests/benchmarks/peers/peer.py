#!/usr/bin/env python3
"""The Python harness of the peer benchmark (run.py drives it).

  peer.py subprocess WORKLOAD ARGS...
  peer.py subprocess-tempdir cases N PROGRAM...

Python's subprocess module as a Python project's tests use it (run() with
capture_output, Popen for a process that runs alongside); subprocess-tempdir
runs each case in a tempfile.TemporaryDirectory() of its own, as its cwd (what
pytest's tmp_path gives each test, and ProcessFixture each of its tests). The
workloads and the JSON line are those of peer.cpp:
  cases N PROGRAM...          (a) N cases back to back, unique stdin each
  capture BYTES PROGRAM...    (b) capture stdout and stderr
  pump IN OUT ERR PROGRAM...  (c) stdin, stdout and stderr at once
  ready N PROGRAM...          (d) start, wait for "ready", SIGTERM, reap
"""

import json
import resource
import subprocess
import sys
import tempfile
import time

BLOCK = 100


def case_input(i):
    return f"case {i} of the peer suite\n".encode()


def pump_input(size):
    period = bytes(range(ord("a"), ord("a") + 26))
    return (period * (size // 26 + 1))[:size]


def status_bytes(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


class Measure:
    """Wall time, CPU of this process and of its reaped children, context
    switches and the peak memory the block added (VmHWM reset by clear_refs)."""

    def __init__(self):
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass  # then the peak is the process's own high-water mark
        self.rss_before = status_bytes("VmRSS")
        self.self0 = resource.getrusage(resource.RUSAGE_SELF)
        self.children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.start = time.perf_counter()
        self.fields = {}

    def stop(self):
        wall = time.perf_counter() - self.start
        s = resource.getrusage(resource.RUSAGE_SELF)
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.fields = {
            "wall_s": wall,
            "user_s": s.ru_utime - self.self0.ru_utime,
            "sys_s": s.ru_stime - self.self0.ru_stime,
            "child_user_s": c.ru_utime - self.children0.ru_utime,
            "child_sys_s": c.ru_stime - self.children0.ru_stime,
            "nvcsw": s.ru_nvcsw - self.self0.ru_nvcsw,
            "nivcsw": s.ru_nivcsw - self.self0.ru_nivcsw,
            "peak_added_bytes": status_bytes("VmHWM") - self.rss_before,
        }


def run_case(program, data, own_dir):
    if not own_dir:
        return subprocess.run(program, input=data, capture_output=True)
    with tempfile.TemporaryDirectory() as d:
        return subprocess.run(program, input=data, capture_output=True, cwd=d)


def cases(n, program, out, own_dir=False):
    start = time.perf_counter()
    for i in range(n):
        data = case_input(i)
        r = run_case(program, data, own_dir)
        if r.returncode != 0 or r.stdout != data:
            out["error"] = out["error"] or f"case {i}"
        if (i + 1) % BLOCK == 0:
            out["parts_s"].append(time.perf_counter() - start)
            start = time.perf_counter()


def ready(n, program, out):
    for _ in range(n):
        start = time.perf_counter()
        with subprocess.Popen(program, stdout=subprocess.PIPE) as p:
            if p.stdout.readline() != b"ready\n":
                out["error"] = out["error"] or "no ready line"
            p.terminate()
            p.wait()
        out["parts_s"].append(time.perf_counter() - start)


def main():
    args = sys.argv[1:]
    params = 3 if len(args) > 1 and args[1] == "pump" else 1
    own_dir = len(args) > 0 and args[0] == "subprocess-tempdir"
    if (len(args) < 3 + params or args[0] not in ("subprocess", "subprocess-tempdir")
            or (own_dir and args[1] != "cases")):
        sys.exit("usage: peer.py subprocess cases N|capture BYTES|pump IN OUT ERR|ready N "
                 "PROGRAM...\n       peer.py subprocess-tempdir cases N PROGRAM...")
    workload = args[1]
    num = [int(a) for a in args[2:2 + params]]
    program = args[2 + params:]
    out = {"harness": "python-tempdir" if own_dir else "python", "workload": workload,
           "ok": True, "n": 1, "bytes": 0, "parts_s": [], "error": ""}
    if workload == "cases":
        out["n"] = num[0]
        m = Measure()
        cases(num[0], program, out, own_dir)
        m.stop()
    elif workload == "ready":
        out["n"] = num[0]
        m = Measure()
        ready(num[0], program, out)
        m.stop()
    elif workload == "capture":
        out["bytes"] = num[0]
        m = Measure()
        r = subprocess.run(program, capture_output=True)
        m.stop()
        if r.returncode != 0 or len(r.stdout) != num[0]:
            out["error"] = f"captured {len(r.stdout)} bytes"
        del r
    elif workload == "pump":
        out["bytes"] = sum(num)
        data = pump_input(num[0])
        m = Measure()
        r = subprocess.run(program, input=data, capture_output=True)
        m.stop()
        if r.returncode != 0 or len(r.stdout) != num[1] or len(r.stderr) != num[2]:
            out["error"] = "pump output"
    else:
        sys.exit(f"unknown workload {workload}")
    out.update(m.fields)
    out["ok"] = not out["error"]
    print(json.dumps(out), flush=True)
    sys.exit(0 if out["ok"] else 1)


if __name__ == "__main__":
    main()
