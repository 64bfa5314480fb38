//! The monitoring side of the binary: check mode (every failure one UNKNOWN
//! line, exit 3), --interval stopped by SIGTERM or SIGINT (also while a read
//! blocks on a FIFO), and --output replacing its file atomically (the old
//! file intact when the directory is read-only or full; those need root for
//! a private tmpfs mount).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{BIN, text};

fn bin() -> &'static str {
    BIN
}

/// A fixture's path as an argument.
fn fixture(path: &str) -> String {
    common::fixture(path).to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("tcpcount runs")
}

#[test]
fn check_mode_exit_codes() {
    let tcp = fixture("all-states/tcp");
    // all-states/tcp: 34 sockets, 2 TIME_WAIT, 11 ESTABLISHED.
    // ARGS | EXIT | START OF THE ONE LINE ON STDOUT. Every failure once check
    // mode is known, bad usage included, is one UNKNOWN line and exit 3.
    let cases = "
        --warn time_wait=2 --crit total=34 | 0 | TCPCOUNT OK - 34 sockets
        --warn time_wait=1 --crit total=34 | 1 | TCPCOUNT WARNING - time_wait=2 > 1
        --warn time_wait=1 --crit estab=10 | 2 | TCPCOUNT CRITICAL - established=11 > 10
        --crit total=100 | 0 | TCPCOUNT OK
        --warn bogus=1 | 3 | TCPCOUNT UNKNOWN - invalid value 'bogus=1' for '--warn <SPEC>'
        --warn total=1 --no-such-flag | 3 | TCPCOUNT UNKNOWN - unexpected argument '--no-such-flag'
        --crit total=x | 3 | TCPCOUNT UNKNOWN - invalid value 'total=x'
        --warn total=1 -f json | 3 | TCPCOUNT UNKNOWN - the argument '--warn <SPEC>' cannot be used with '--format <FORMAT>'
        -f env --crit total=1 | 3 | TCPCOUNT UNKNOWN - the argument '--format <FORMAT>' cannot be used with '--crit <SPEC>'
        --warn total=1 -i 5 | 3 | TCPCOUNT UNKNOWN - the argument '--warn <SPEC>' cannot be used with '--interval <SECONDS>'
        --warn total=1 --lport 9-1 | 3 | TCPCOUNT UNKNOWN - invalid value '9-1' for '--lport <LIST>': port range 9-1 is reversed
    ";
    let cases = cases.lines().filter(|l| !l.trim().is_empty()).map(|line| {
        let [args, code, start] = [0, 1, 2].map(|i| line.split(" | ").nth(i).expect("3 columns"));
        let args: Vec<&str> = args.split_whitespace().collect();
        (args, code.parse::<i32>().expect("an exit code"), start)
    });
    let mut checked = 0;
    for (args, code, start) in cases {
        checked += 1;
        let mut all: Vec<&str> = args.clone();
        all.push(&tcp);
        let out = run(&all);
        common::assert_code(&out, code, &args);
        assert!(
            text(&out.stdout).starts_with(start),
            "{args:?}: {}",
            text(&out.stdout)
        );
        assert_eq!(text(&out.stdout).lines().count(), 1, "{args:?}");
    }
    assert_eq!(checked, 11, "every case ran");
    let netlink_pid = run(&["--warn", "total=1", "--source", "netlink", "--pid", "1"]);
    assert_eq!(netlink_pid.status.code(), Some(3));
    assert!(
        text(&netlink_pid.stdout).starts_with("TCPCOUNT UNKNOWN - --pid and --proc read procfs"),
        "{}",
        text(&netlink_pid.stdout)
    );
    assert_eq!(text(&netlink_pid.stdout).lines().count(), 1);
    let unreadable = run(&["--warn", "total=1", "/nonexistent/tcp"]);
    assert_eq!(unreadable.status.code(), Some(3));
    assert_eq!(
        text(&unreadable.stdout),
        "TCPCOUNT UNKNOWN - /nonexistent/tcp: No such file or directory (os error 2)\n"
    );
}

#[test]
fn check_mode_stdout_write_failure_is_unknown() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full here");
        return;
    };
    let out = Command::new(bin())
        .args(["--warn", "total=1", &fixture("all-states/tcp")])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("tcpcount runs");
    assert_eq!(out.status.code(), Some(3), "UNKNOWN, not WARNING");
    assert_eq!(
        text(&out.stderr),
        "tcpcount: stdout: No space left on device (os error 28)\n"
    );
}

/// A fake procfs whose `net/tcp` is a FIFO, in a fresh directory.
fn fifo_proc(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tcpcount-fifo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("proc/self")).expect("dir");
    std::fs::create_dir_all(dir.join("proc/net")).expect("dir");
    let made = Command::new("mkfifo")
        .arg(dir.join("proc/net/tcp"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    dir
}

/// Sends `signal` to `child` after `after` and returns its exit code and
/// how long it took to exit after the signal (failing past 5 s).
fn signal_and_wait(
    child: &mut std::process::Child,
    signal: &str,
    after: Duration,
) -> (Option<i32>, Duration) {
    std::thread::sleep(after);
    assert!(
        child.try_wait().expect("wait").is_none(),
        "ended before the signal"
    );
    let sent = Instant::now();
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), sent.elapsed());
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tcpcount did not stop within 5 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_signal_ends_a_watch_blocked_on_a_fifo() {
    for (signal, output) in [
        ("-TERM", false),
        ("-INT", false),
        ("-TERM", true),
        ("-INT", true),
    ] {
        let dir = fifo_proc(&format!("{}{output}", &signal[1..]));
        let fifo = dir.join("proc/net/tcp");
        let out_file = dir.join("out");
        std::fs::write(&out_file, "old\n").expect("old output");
        // A writer that never writes: the read blocks (and so would the
        // open, without one).
        let writer = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo)
            .expect("writer");
        let mut cmd = Command::new(bin());
        cmd.arg("--proc").arg(dir.join("proc")).args(["-i", "0.1"]);
        if output {
            cmd.arg("-o").arg(&out_file);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tcpcount runs");
        let (code, took) = signal_and_wait(&mut child, signal, Duration::from_millis(300));
        let out = child.wait_with_output().expect("output");
        drop(writer);
        assert!(took < Duration::from_secs(1), "{signal}: took {took:?}");
        assert_eq!(code, Some(1), "{signal}: no sample was complete");
        assert_eq!(
            text(&out.stderr),
            "tcpcount: stopped by a signal before the sample was complete\n"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&out_file).expect("old"), "old\n");
        assert_eq!(leftovers(&dir), ["out", "proc"], "no temporary left");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}

#[test]
fn a_signal_ends_a_watch_blocked_after_a_complete_sample_with_exit_0() {
    let dir = fifo_proc("after");
    let fifo = dir.join("proc/net/tcp");
    let table = std::fs::read(fixture("ipv4-only/tcp")).expect("fixture");
    let mut child = Command::new(bin())
        .arg("--proc")
        .arg(dir.join("proc"))
        .args(["-4", "-f", "json", "-i", "0.1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tcpcount runs");
    // One table through the FIFO; the next sample waits for a writer that
    // never comes.
    std::fs::write(&fifo, &table).expect("write the FIFO");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a record").expect("readable");
    assert!(
        first.starts_with("{\"time\":") && first.ends_with('}'),
        "{first}"
    );
    let (code, took) = signal_and_wait(&mut child, "-TERM", Duration::from_millis(300));
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(code, Some(0), "a stop after a complete record is clean");
    assert!(lines.next().is_none(), "nothing after the stop");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn interval_stops_cleanly_on_sigterm_after_a_complete_record() {
    let mut child = Command::new(bin())
        .args(["-f", "json", "-i", "0.05"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tcpcount runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for _ in 0..3 {
        let line = lines.next().expect("a record").expect("readable");
        assert!(
            line.starts_with("{\"time\":") && line.ends_with('}'),
            "{line}"
        );
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "tcpcount did not stop within 5 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "a requested stop is a clean exit");
    for line in lines {
        let line = line.expect("readable");
        assert!(
            line.starts_with('{') && line.ends_with('}'),
            "torn record: {line}"
        );
    }
}

#[test]
fn count_repeats_and_each_table_carries_its_time() {
    let out = run(&["-n", "2", "-i", "0.01", &fixture("all-states/tcp")]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("TIME ").count(), 2, "{stdout}");
    assert_eq!(stdout.matches("\nTOTAL ").count(), 2, "{stdout}");
}

#[test]
fn output_replaces_the_file_atomically() {
    let dir = std::env::temp_dir().join(format!("tcpcount-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("tcp.prom");
    std::fs::write(&file, "old\n").expect("old file");
    let out = run(&[
        "-f",
        "prometheus",
        "-o",
        file.to_str().expect("UTF-8"),
        &fixture("all-states/tcp"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("new file");
    assert!(written.starts_with("# HELP node_tcp_connection_states"));
    assert_eq!(leftovers(&dir), ["tcp.prom"]);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `script` with `$D` a fresh small tmpfs in a private mount namespace.
fn in_private_tmpfs(script: &str) -> Output {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "tcpcount-tmpfs-{}-{}",
        std::process::id(),
        script.len()
    ));
    std::fs::create_dir_all(&dir).expect("mount point");
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-euc"])
        .arg(format!(
            "D={}; BIN={}; FIX={}; mount -t tmpfs -o size=256k tmpfs \"$D\"; {script}",
            dir.display(),
            bin(),
            fixture("all-states/tcp")
        ))
        .output()
        .expect("unshare runs");
    let _ = std::fs::remove_dir(&dir);
    out
}

#[test]
fn output_keeps_the_old_file_when_the_directory_is_read_only_or_full() {
    if !common::runs_as_root("output_keeps_the_old_file_when_the_directory_is_read_only_or_full") {
        return;
    }
    let read_only = in_private_tmpfs(
        "echo old > $D/out; mount -o remount,ro $D; \
         if $BIN -o $D/out $FIX 2>$D/../err-ro-$$; then echo rc=0; else echo rc=$?; fi; \
         cat $D/out; ls -A $D; cat $D/../err-ro-$$; rm -f $D/../err-ro-$$",
    );
    let report = text(&read_only.stdout);
    assert!(
        read_only.status.success(),
        "{report}{}",
        text(&read_only.stderr)
    );
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.first(), Some(&"rc=1"), "{report}");
    assert_eq!(lines.get(1), Some(&"old"), "old file intact: {report}");
    assert_eq!(lines.get(2), Some(&"out"), "no temporary left: {report}");
    assert!(
        lines
            .get(3)
            .is_some_and(|l| l.starts_with("tcpcount: ") && l.contains("Read-only file system")),
        "{report}"
    );

    let full = in_private_tmpfs(
        "echo old > $D/out; dd if=/dev/zero of=$D/filler bs=4k 2>/dev/null || true; \
         if $BIN -f json -o $D/out $FIX 2>/dev/null; then echo rc=0; else echo rc=$?; fi; \
         cat $D/out; ls -A $D",
    );
    let report = text(&full.stdout);
    assert!(full.status.success(), "{report}{}", text(&full.stderr));
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines, ["rc=1", "old", "filler", "out"], "{report}");
}
