//! The Rust harnesses of the peer benchmark (run.py drives them):
//!
//!   proctest_peer_rust std|assert_cmd WORKLOAD ARGS...
//!   proctest_peer_rust std-tempdir cases N PROGRAM...
//!
//! `std` is `std::process::Command` as its documentation shows it;
//! `assert_cmd` is `assert_cmd::Command` (2.0), as a Rust CLI's tests use it.
//! `std-tempdir` is `std` with each case run in a fresh directory of its own
//! (its cwd), made with mode 0700 and removed after, as `tempfile::TempDir`
//! does (that crate is not in Debian's registry here): what ProcessFixture
//! gives each of its tests.
//! The workloads and the JSON line are those of peer.cpp:
//!   cases N PROGRAM...          (a) N cases back to back, unique stdin each
//!   capture BYTES PROGRAM...    (b) capture stdout and stderr
//!   pump IN OUT ERR PROGRAM...  (c) stdin, stdout and stderr at once
//!   ready N PROGRAM...          (d) start, wait for "ready", SIGTERM, reap
//!                                   (std only: assert_cmd runs a program to
//!                                   completion and cannot stop it)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const BLOCK: u64 = 100;

fn case_input(i: u64) -> String {
    format!("case {} of the peer suite\n", i)
}

fn pump_input(size: usize) -> Vec<u8> {
    (0..size).map(|i| b'a' + (i % 26) as u8).collect()
}

fn status_bytes(key: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let kib: i64 = rest
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(0);
            return kib * 1024;
        }
    }
    0
}

fn rusage(who: i32) -> libc::rusage {
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut ru);
        ru
    }
}

fn secs(tv: libc::timeval) -> f64 {
    tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6
}

/// Wall time, CPU of this process and of its reaped children, context
/// switches and the peak memory the block added (VmHWM reset by clear_refs).
struct Measure {
    start: Instant,
    self_: libc::rusage,
    children: libc::rusage,
    rss_before: i64,
    fields: String,
}

impl Measure {
    fn start() -> Measure {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let rss_before = status_bytes("VmRSS");
        let self_ = rusage(libc::RUSAGE_SELF);
        let children = rusage(libc::RUSAGE_CHILDREN);
        Measure {
            start: Instant::now(),
            self_,
            children,
            rss_before,
            fields: String::new(),
        }
    }

    fn stop(&mut self) {
        let wall = self.start.elapsed().as_secs_f64();
        let s = rusage(libc::RUSAGE_SELF);
        let c = rusage(libc::RUSAGE_CHILDREN);
        self.fields = format!(
            "\"wall_s\": {:.9}, \"user_s\": {:.6}, \"sys_s\": {:.6}, \"child_user_s\": {:.6}, \
             \"child_sys_s\": {:.6}, \"nvcsw\": {}, \"nivcsw\": {}, \"peak_added_bytes\": {}",
            wall,
            secs(s.ru_utime) - secs(self.self_.ru_utime),
            secs(s.ru_stime) - secs(self.self_.ru_stime),
            secs(c.ru_utime) - secs(self.children.ru_utime),
            secs(c.ru_stime) - secs(self.children.ru_stime),
            s.ru_nvcsw - self.self_.ru_nvcsw,
            s.ru_nivcsw - self.self_.ru_nivcsw,
            status_bytes("VmHWM") - self.rss_before
        );
    }
}

struct Outcome {
    n: u64,
    bytes: u64,
    parts: Vec<f64>,
    error: Option<String>,
}

impl Outcome {
    fn new(n: u64, bytes: u64) -> Outcome {
        Outcome {
            n,
            bytes,
            parts: Vec::new(),
            error: None,
        }
    }
    fn check(&mut self, ok: bool, what: &str) {
        if !ok && self.error.is_none() {
            self.error = Some(what.to_string());
        }
    }
}

fn command(program: &[String]) -> Command {
    let mut cmd = Command::new(&program[0]);
    cmd.args(&program[1..]);
    cmd
}

fn assert_command(program: &[String]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(&program[0]);
    cmd.args(&program[1..]);
    cmd
}

// A fresh directory of its own for case `i`, as tempfile::TempDir makes it:
// a new name in the temp dir, mode 0700, never an existing one.
fn case_dir(i: u64) -> std::path::PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!("proctest-peer-rust-{}-{}", std::process::id(), i));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .expect("create the case's dir");
    dir
}

fn cases(harness: &str, n: u64, program: &[String], o: &mut Outcome) {
    let mut block = Instant::now();
    for i in 0..n {
        let input = case_input(i);
        if harness == "std" || harness == "std-tempdir" {
            let dir = if harness == "std-tempdir" {
                Some(case_dir(i))
            } else {
                None
            };
            let mut cmd = command(program);
            if let Some(d) = &dir {
                cmd.current_dir(d);
            }
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            // A few bytes fit the pipe: written before reading, then closed.
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("wait");
            o.check(
                out.status.success() && out.stdout == input.as_bytes(),
                "case output",
            );
            if let Some(d) = dir {
                std::fs::remove_dir_all(d).expect("remove the case's dir");
            }
        } else {
            assert_command(program)
                .write_stdin(input.clone())
                .assert()
                .success()
                .stdout(input);
        }
        if (i + 1) % BLOCK == 0 {
            o.parts.push(block.elapsed().as_secs_f64());
            block = Instant::now();
        }
    }
}

fn ready(n: u64, program: &[String], o: &mut Outcome) {
    for _ in 0..n {
        let start = Instant::now();
        let mut child = command(program)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read");
        o.check(line == "ready\n", "no ready line");
        // std has only kill() (SIGKILL); a graceful stop needs libc.
        // SAFETY: kill(2) on our own, not yet reaped child.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        child.wait().expect("wait");
        o.parts.push(start.elapsed().as_secs_f64());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: proctest_peer_rust std|assert_cmd cases N|capture BYTES|pump IN OUT ERR|\
                 ready N PROGRAM...\n       proctest_peer_rust std-tempdir cases N PROGRAM...";
    if args.len() < 5
        || (args[1] != "std" && args[1] != "assert_cmd" && args[1] != "std-tempdir")
        || (args[1] == "std-tempdir" && args[2] != "cases")
    {
        eprintln!("{}", usage);
        std::process::exit(64);
    }
    let (harness, workload) = (args[1].as_str(), args[2].as_str());
    let params = if workload == "pump" { 3 } else { 1 };
    let num: Vec<u64> = args[3..3 + params]
        .iter()
        .map(|a| a.parse().expect("number"))
        .collect();
    let program = &args[3 + params..];
    if program.is_empty() || (workload == "ready" && harness != "std") {
        eprintln!("{}", usage);
        std::process::exit(64);
    }
    let name = match harness {
        "std" => "rust-std",
        "std-tempdir" => "rust-std-tempdir",
        _ => "rust-assert_cmd",
    };

    let mut o;
    let mut m;
    match workload {
        "cases" => {
            o = Outcome::new(num[0], 0);
            m = Measure::start();
            cases(harness, num[0], program, &mut o);
            m.stop();
        }
        "capture" => {
            o = Outcome::new(1, num[0]);
            m = Measure::start();
            // The clock stops before the output is looked at or freed.
            if harness == "std" {
                let out = command(program).output().expect("output");
                m.stop();
                o.check(
                    out.status.success() && out.stdout.len() as u64 == num[0],
                    "captured",
                );
            } else {
                let assert = assert_command(program).assert().success();
                m.stop();
                o.check(
                    assert.get_output().stdout.len() as u64 == num[0],
                    "captured size",
                );
            }
        }
        "pump" => {
            o = Outcome::new(1, num[0] + num[1] + num[2]);
            let data = pump_input(num[0] as usize);
            let mut cmd = assert_command(program);
            if harness == "assert_cmd" {
                // assert_cmd keeps its own copy: made before the clock starts.
                cmd.write_stdin(data.clone());
            }
            m = Measure::start();
            let sizes = |out: &std::process::Output| {
                out.status.success()
                    && out.stdout.len() as u64 == num[1]
                    && out.stderr.len() as u64 == num[2]
            };
            if harness == "std" {
                let mut child = command(program)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn");
                let mut stdin = child.stdin.take().unwrap();
                // The input is written on a thread while wait_with_output reads.
                let out = std::thread::scope(|s| {
                    s.spawn(|| {
                        let _ = stdin.write_all(&data);
                        drop(stdin);
                    });
                    child.wait_with_output().expect("wait")
                });
                m.stop();
                o.check(sizes(&out), "pump output");
            } else {
                let assert = cmd.assert().success();
                m.stop();
                o.check(sizes(assert.get_output()), "pump output");
            }
        }
        "ready" => {
            o = Outcome::new(num[0], 0);
            m = Measure::start();
            ready(num[0], program, &mut o);
            m.stop();
        }
        _ => {
            eprintln!("{}", usage);
            std::process::exit(64);
        }
    }
    let parts: Vec<String> = o.parts.iter().map(|p| format!("{:.9}", p)).collect();
    println!(
        "{{\"harness\": \"{}\", \"workload\": \"{}\", \"ok\": {}, \"n\": {}, \"bytes\": {}, {}, \
         \"parts_s\": [{}], \"error\": \"{}\"}}",
        name,
        workload,
        o.error.is_none(),
        o.n,
        o.bytes,
        m.fields,
        parts.join(", "),
        o.error.clone().unwrap_or_default()
    );
    std::process::exit(if o.error.is_none() { 0 } else { 1 });
}
