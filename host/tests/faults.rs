//! Fault tests of the built `tcpcount` binary: every way the world can fail
//! it, each with the exit code and the exact message asserted. Missing files
//! and procfs, permissions, reads that fail midway, short reads and EINTR (an
//! `LD_PRELOAD` shim, `faults/shim.c`, compiled here with `cc`), a closed,
//! broken or full stdout, overlong lines, NUL bytes, and 100 MB inputs with
//! bounded memory and CPU time.
//!
//! Tests that need root (another uid, a mount namespace) say so on stderr and
//! return when not root; they never pass silently on a machine that could run
//! them. CI runs as root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod common;

use common::{BIN, TempDir, is_root, state_names};

/// Generous wall-clock limit per run, only to stop a hung process: the machine
/// is shared, so time bounds are asserted on CPU time instead.
const WALL_LIMIT: Duration = Duration::from_secs(120);

const V4_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

/// A directory for one test, readable by the unprivileged user of the
/// permission tests.
fn temp_dir(name: &str) -> TempDir {
    TempDir::new("faults", name, 0o755)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// An IPv4 row as the kernel prints it, padded to 149 bytes.
fn v4_row(slot: usize, state: u8) -> String {
    format!(
        "{slot:4}: 0100007F:1F90 0100007F:{port:04X} {state:02X} 00000000:00000000 00:00000000 00000000  1000        0 {inode} 1 0000000000000000 20 4 30 10 -1",
        port = slot % 65_536,
        inode = 1000 + slot,
    )
}

/// A valid IPv4 table of `rows` rows; row i has state `1 + i % 11`.
fn v4_table(rows: usize) -> Vec<u8> {
    let mut table = format!("{V4_HEADER:149}\n");
    for i in 0..rows {
        table += &format!("{:149}\n", v4_row(i, 1 + (i % 11) as u8));
    }
    table.into_bytes()
}

fn tcpcount() -> Command {
    Command::new(BIN)
}

/// Runs `cmd` to the end (killing it after [`WALL_LIMIT`]), with stdin empty
/// unless `cmd` set it.
fn run(cmd: &mut Command) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_bounded(child)
}

fn wait_bounded(mut child: Child) -> Output {
    let start = Instant::now();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            s.read_to_end(&mut buf).unwrap();
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            s.read_to_end(&mut buf).unwrap();
        }
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WALL_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tcpcount still running after {WALL_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

fn stderr(out: &Output) -> &str {
    std::str::from_utf8(&out.stderr).expect("UTF-8 stderr")
}

/// Asserts exit code 1 and exactly this one-line message.
fn assert_fails(out: &Output, message: &str) {
    assert_eq!(stderr(out), format!("tcpcount: {message}\n"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    assert!(out.stdout.is_empty(), "printed a table despite failing");
}

/// The printed table as `STATE -> [IPV4, IPV6, TOTAL]`, after checking exit
/// 0 and a silent stderr.
fn counted(out: &Output) -> BTreeMap<String, [u64; 3]> {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    assert_eq!(stderr(out), "");
    let text = std::str::from_utf8(&out.stdout).unwrap();
    let mut table = BTreeMap::new();
    for line in text.lines().skip(1) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, v4, v6, total] = words[..] else {
            panic!("not a table row: {line:?}");
        };
        table.insert(name.to_owned(), [v4, v6, total].map(|n| n.parse().unwrap()));
    }
    assert!(table.contains_key("TOTAL"), "no TOTAL row in {text}");
    table
}

/// What [`v4_table`] holds: `rows / 11` or one more per state.
fn expected_v4(rows: usize) -> BTreeMap<String, [u64; 3]> {
    let names = state_names();
    let mut table: BTreeMap<String, [u64; 3]> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let n = (rows / 11 + usize::from(i < rows % 11)) as u64;
            ((*name).to_owned(), [n, 0, n])
        })
        .collect();
    table.insert("TOTAL".to_owned(), [rows as u64, 0, rows as u64]);
    table
}

/// Prints why a test does not run its body here.
fn skip(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: {why}");
}

// ---------------------------------------------------------------- missing

#[test]
fn file_absent() {
    let dir = temp_dir("absent");
    let path = dir.join("no-such-table");
    let out = run(tcpcount().arg(&path));
    assert_fails(
        &out,
        &format!("{}: No such file or directory (os error 2)", path.display()),
    );
}

#[test]
fn proc_dir_without_procfs() {
    let dir = temp_dir("noprocfs");
    let out = run(tcpcount().arg("--proc").arg(&dir.0));
    assert_fails(
        &out,
        &format!("{}: no procfs mounted there", dir.0.display()),
    );
}

/// A fake procfs: `self/` (how tcpcount tells procfs is mounted) and
/// `net/tcp`, with or without `net/tcp6`.
fn fake_proc(dir: &TempDir, tcp: Option<&[u8]>, tcp6: Option<&[u8]>) -> PathBuf {
    fs::create_dir_all(dir.join("proc/self")).unwrap();
    fs::create_dir_all(dir.join("proc/net")).unwrap();
    if let Some(tcp) = tcp {
        dir.write("proc/net/tcp", tcp);
    }
    if let Some(tcp6) = tcp6 {
        dir.write("proc/net/tcp6", tcp6);
    }
    dir.join("proc")
}

#[test]
fn tcp6_absent_counts_zero_ipv6() {
    let dir = temp_dir("notcp6");
    let proc = fake_proc(&dir, Some(&v4_table(25)), None);
    let out = run(tcpcount().arg("--proc").arg(&proc));
    assert_eq!(counted(&out), expected_v4(25));
}

#[test]
fn tcp_absent_is_an_error() {
    // IPv4 is always there where procfs is: no tcp is not "no sockets".
    let dir = temp_dir("notcp");
    let proc = fake_proc(&dir, None, Some(b""));
    let out = run(tcpcount().arg("--proc").arg(&proc));
    assert_fails(
        &out,
        &format!(
            "{}: No such file or directory (os error 2)",
            proc.join("net/tcp").display()
        ),
    );
}

#[test]
fn proc_absent() {
    if !is_root() {
        return skip("proc_absent", "needs root for a mount namespace");
    }
    let probe = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "true"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            return skip(
                "proc_absent",
                &format!(
                    "unshare --mount fails here: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            );
        }
        Err(e) => return skip("proc_absent", &format!("no unshare: {e}")),
    }
    // A tmpfs over /proc, in a mount namespace of our own: /proc is empty.
    let out = run(Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg("mount -t tmpfs none /proc || exit 99; exec \"$0\"")
        .arg(BIN));
    assert_fails(
        &out,
        "/proc is not mounted; mount it with: mount -t proc proc /proc",
    );
}

// ------------------------------------------------------------ permissions

#[test]
fn permission_denied() {
    let dir = temp_dir("perm");
    let file = dir.write("table", &v4_table(3));
    let proc = fake_proc(&dir, Some(&v4_table(3)), Some(b""));
    let tcp = proc.join("net/tcp");
    set_mode(&file, 0o000);
    set_mode(&tcp, 0o000);
    // Root reads a 0000 file anyway: run as nobody instead, a copy of the
    // binary that nobody can reach (the target dir may be under /root).
    let bin = dir.join("tcpcount");
    fs::copy(BIN, &bin).unwrap();
    set_mode(&bin, 0o755);
    let as_user = |args: &[&Path]| {
        let mut cmd = if is_root() {
            let mut cmd = Command::new("setpriv");
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin);
            cmd
        } else {
            tcpcount()
        };
        run(cmd.args(args))
    };
    let out = as_user(&[&file]);
    assert_fails(
        &out,
        &format!("{}: Permission denied (os error 13)", file.display()),
    );
    let out = as_user(&[Path::new("--proc"), &proc]);
    assert_fails(
        &out,
        &format!("{}: Permission denied (os error 13)", tcp.display()),
    );
}

// -------------------------------------------------------- failing reads

/// The shim, compiled once per test run.
fn shim_library() -> &'static Path {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/faults/shim.c");
        let dir = std::env::temp_dir().join(format!("tcpcount-faults-{}-shim", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let so = dir.join("faults.so");
        let out = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o"])
            .arg(&so)
            .arg(&src)
            .arg("-ldl")
            .output()
            .expect("cc (needed to build the LD_PRELOAD shim)");
        assert!(
            out.status.success(),
            "cc failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        so
    })
}

/// What the shim did in one run.
#[derive(Debug, Default)]
struct ShimLog {
    reads: u64,
    short: u64,
    eintr: u64,
    eio: u64,
    maxrss_kb: u64,
    cpu_ms: u64,
}

/// Runs `cmd` with the shim preloaded and `FAULT_*` set from `faults`.
fn run_with_shim(cmd: &mut Command, dir: &TempDir, faults: &[(&str, &str)]) -> (Output, ShimLog) {
    let log = dir.join(&format!("shim-{}.log", fastrand_name()));
    cmd.env("LD_PRELOAD", shim_library()).env("FAULT_LOG", &log);
    for (key, value) in faults {
        cmd.env(key, value);
    }
    let out = run(cmd);
    let text = fs::read_to_string(&log).unwrap_or_else(|e| {
        panic!("the shim did not report ({e}): is {BIN} linked statically, so that LD_PRELOAD does nothing?")
    });
    let mut shim = ShimLog::default();
    for pair in text.split_whitespace() {
        let (key, value) = pair.split_once('=').unwrap();
        let value = value.parse().unwrap();
        match key {
            "reads" => shim.reads = value,
            "short" => shim.short = value,
            "eintr" => shim.eintr = value,
            "eio" => shim.eio = value,
            "maxrss_kb" => shim.maxrss_kb = value,
            "cpu_ms" => shim.cpu_ms = value,
            _ => panic!("unknown shim field {key}"),
        }
    }
    (out, shim)
}

fn fastrand_name() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn canonical(path: &Path) -> String {
    fs::canonicalize(path).unwrap().to_str().unwrap().to_owned()
}

#[test]
fn read_fails_midway_with_eio() {
    let dir = temp_dir("eio");
    let file = dir.write("table", &v4_table(50));
    let faults = [
        ("FAULT_MODE", "eio"),
        ("FAULT_PATH", &canonical(&file)),
        ("FAULT_AFTER", "1000"),
    ];
    let (out, shim) = run_with_shim(tcpcount().arg(&file), &dir, &faults);
    assert_fails(
        &out,
        &format!("{}: Input/output error (os error 5)", file.display()),
    );
    assert_eq!(shim.eio, 1, "{shim:?}");

    // The same through standard input.
    let stdin = fs::File::open(&file).unwrap();
    let (out, shim) = run_with_shim(tcpcount().arg("-").stdin(stdin), &dir, &faults);
    assert_fails(&out, "-: Input/output error (os error 5)");
    assert_eq!(shim.eio, 1, "{shim:?}");

    // And on a live table.
    let proc = fake_proc(&dir, Some(&v4_table(50)), Some(b""));
    let tcp = proc.join("net/tcp");
    let faults = [
        ("FAULT_MODE", "eio"),
        ("FAULT_PATH", &canonical(&tcp)),
        ("FAULT_AFTER", "5000"),
    ];
    let (out, shim) = run_with_shim(tcpcount().arg("--proc").arg(&proc), &dir, &faults);
    assert_fails(
        &out,
        &format!("{}: Input/output error (os error 5)", tcp.display()),
    );
    assert_eq!(shim.eio, 1, "{shim:?}");
}

#[test]
fn short_reads_and_eintr_change_nothing() {
    let dir = temp_dir("short");
    let rows = 300;
    let file = dir.write("table", &v4_table(rows));
    let path = canonical(&file);
    for mode in ["short", "eintr"] {
        let faults = [("FAULT_MODE", mode), ("FAULT_PATH", path.as_str())];
        let (out, shim) = run_with_shim(tcpcount().arg(&file), &dir, &faults);
        assert_eq!(counted(&out), expected_v4(rows), "{mode}");
        // 300 rows of 150 bytes in reads of at most 7 bytes.
        assert!(shim.short > 5_000, "{mode}: {shim:?}");
        if mode == "eintr" {
            assert!(shim.eintr > 5_000, "{shim:?}");
        }
    }
}

// ----------------------------------------------------------------- stdout

/// Counts a small table with standard output going to `stdout`.
fn with_stdout(name: &str, stdout: Stdio) -> Output {
    let dir = temp_dir(name);
    let file = dir.write("table", &v4_table(3));
    let child = tcpcount()
        .arg(&file)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_bounded(child)
}

#[test]
fn stdout_full() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return skip("stdout_full", "no /dev/full here");
    };
    let out = with_stdout("full", full.into());
    assert_eq!(
        stderr(&out),
        "tcpcount: stdout: No space left on device (os error 28)\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn stdout_broken_pipe_is_quiet_success() {
    // A pipe whose reader is gone before tcpcount starts: `cat` reads it, and
    // is killed and reaped first, so every write gets EPIPE.
    let mut reader = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pipe = reader.stdin.take().unwrap();
    reader.kill().unwrap();
    reader.wait().unwrap();
    let out = with_stdout("epipe", pipe.into());
    assert_eq!(stderr(&out), "", "a reader that went away is not an error");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn stdout_closed_behaves_like_dev_null() {
    // Rust's runtime opens /dev/null on a closed fd 0, 1 or 2 before main, so
    // tcpcount cannot tell `>&-` from `>/dev/null`: it succeeds, silently.
    // (docs/robustness.md). A panic or a crash would fail here.
    let dir = temp_dir("closed");
    let file = dir.write("table", &v4_table(3));
    let out = run(Command::new("sh")
        .args(["-c", "exec \"$0\" \"$1\" >&-"])
        .arg(BIN)
        .arg(&file));
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

// ------------------------------------------------------------ odd input

#[test]
fn overlong_lines() {
    let dir = temp_dir("long");
    // A row padded with spaces to exactly LINE_CAPACITY (512) bytes is fine,
    let mut table = format!("{V4_HEADER}\n{:512}\n", v4_row(0, 0x0A));
    let file = dir.write("512", table.as_bytes());
    assert_eq!(counted(&run(tcpcount().arg(&file)))["LISTEN"], [1, 0, 1]);
    // one byte more is not,
    table.insert(table.len() - 1, ' ');
    let file = dir.write("513", table.as_bytes());
    assert_fails(
        &run(tcpcount().arg(&file)),
        &format!("{}: line 2: line longer than 512 bytes", file.display()),
    );
    // nor is a 1 MB line, even split over many reads,
    let mut table = v4_table(3);
    table.extend(std::iter::repeat_n(b'7', 1 << 20));
    table.push(b'\n');
    let file = dir.write("1mb", &table);
    assert_fails(
        &run(tcpcount().arg(&file)),
        &format!("{}: line 5: line longer than 512 bytes", file.display()),
    );
    // nor an endless header.
    let file = dir.write("header", &[b' '; 100_000]);
    assert_fails(
        &run(tcpcount().arg(&file)),
        &format!("{}: line 1: line longer than 512 bytes", file.display()),
    );
}

#[test]
fn nul_bytes() {
    let dir = temp_dir("nul");
    let row = v4_row(0, 0x01);
    // In a field: an error naming the line and the field.
    let mut bad = format!("{V4_HEADER}\n{row}\n").into_bytes();
    let at = V4_HEADER.len() + 1 + row.find(" 01 ").unwrap() + 2;
    bad[at] = 0;
    let file = dir.write("in-field", &bad);
    assert_fails(
        &run(tcpcount().arg(&file)),
        &format!("{}: line 2: bad st (expected 2 hex digits)", file.display()),
    );
    // A file of NULs (a truncated write, a sparse file): one overlong line.
    let file = dir.write("zeros", &[0; 4096]);
    assert_fails(
        &run(tcpcount().arg(&file)),
        &format!("{}: line 1: line longer than 512 bytes", file.display()),
    );
    // In the tail after the inode, which the core does not read: counted.
    let table = format!("{V4_HEADER}\n{row}\0\0\n");
    let file = dir.write("in-tail", table.as_bytes());
    assert_eq!(
        counted(&run(tcpcount().arg(&file)))["ESTABLISHED"],
        [1, 0, 1]
    );
}

#[test]
fn single_row_without_last_newline_is_counted() {
    // Found by fuzzing (the chunked target): the family was read before the
    // last line was parsed, so a capture whose only row had no newline counted
    // nothing. Fixed by Parser::end.
    let dir = temp_dir("nonl");
    let table = format!("{V4_HEADER}\n{}", v4_row(0, 0x0A));
    let file = dir.write("table", table.as_bytes());
    assert_eq!(counted(&run(tcpcount().arg(&file)))["LISTEN"], [1, 0, 1]);
}

// ----------------------------------------------------------------- 100 MB

/// Writes about `bytes` of table: the header, then the same rows over and
/// over, and returns how many rows.
fn write_big_table(path: &Path, bytes: usize) -> usize {
    let block_rows = 11 * 64;
    let block = v4_table(block_rows);
    let header_len = 150;
    let body = &block[header_len..];
    let mut file = std::io::BufWriter::new(fs::File::create(path).unwrap());
    file.write_all(&block[..header_len]).unwrap();
    let mut rows = 0;
    let mut written = header_len;
    while written < bytes {
        file.write_all(body).unwrap();
        written += body.len();
        rows += block_rows;
    }
    file.flush().unwrap();
    rows
}

/// Memory and CPU bounds for 100 MB, against a few MB for a small table.
const MAX_RSS_KB: u64 = 16 * 1024;
const MAX_CPU_MS: u64 = 20_000;

#[test]
fn hundred_megabytes_of_table_in_bounded_memory_and_time() {
    let dir = temp_dir("big");
    let file = dir.join("table");
    let rows = write_big_table(&file, 100 << 20);
    let (out, shim) = run_with_shim(tcpcount().arg(&file), &dir, &[]);
    assert_eq!(counted(&out), expected_v4(rows));
    eprintln!(
        "100 MB table, {rows} rows: peak RSS {} kB, CPU {} ms",
        shim.maxrss_kb, shim.cpu_ms
    );
    assert!(shim.maxrss_kb < MAX_RSS_KB, "{shim:?}");
    assert!(shim.cpu_ms < MAX_CPU_MS, "{shim:?}");

    // The same through a pipe, as `cat capture | tcpcount -`.
    let mut child = tcpcount()
        .arg("-")
        .env("LD_PRELOAD", shim_library())
        .env("FAULT_LOG", dir.join("pipe.log"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn({
        let file = file.clone();
        move || std::io::copy(&mut fs::File::open(file).unwrap(), &mut stdin).unwrap()
    });
    let out = wait_bounded(child);
    feeder.join().unwrap();
    assert_eq!(counted(&out), expected_v4(rows));
    let log = fs::read_to_string(dir.join("pipe.log")).unwrap();
    let rss: u64 = log
        .split("maxrss_kb=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rss < MAX_RSS_KB, "{log}");
}

#[test]
fn hundred_megabytes_of_garbage_fail_fast() {
    let dir = temp_dir("garbage");
    let file = dir.join("garbage");
    // xorshift bytes, with a newline now and then so that lines stay short.
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut w = std::io::BufWriter::new(fs::File::create(&file).unwrap());
    let mut block = vec![0u8; 1 << 16];
    for _ in 0..(100 << 20) / block.len() {
        for b in block.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = if x & 63 == 0 { b'\n' } else { x as u8 };
        }
        w.write_all(&block).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let (out, shim) = run_with_shim(tcpcount().arg(&file), &dir, &[]);
    let message = stderr(&out);
    assert!(
        message.starts_with(&format!(
            "tcpcount: {}: line 1: not a /proc/net/tcp",
            file.display()
        )),
        "{message}"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        shim.maxrss_kb < MAX_RSS_KB && shim.cpu_ms < MAX_CPU_MS,
        "{shim:?}"
    );
}
