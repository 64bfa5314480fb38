//! The built `tcpcount` binary end to end: exit codes, messages, stdin, a
//! closed pipe, and the help text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clap::CommandFactory;

fn tcpcount(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tcpcount"))
        .args(args)
        .output()
        .expect("tcpcount runs")
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

#[test]
fn cli_definition_is_consistent() {
    tcpcount::Cli::command().debug_assert();
}

#[test]
fn live_tables_print_every_state_and_a_total() {
    let out = tcpcount(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let first_words: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .filter(|w| *w != "UNKNOWN")
        .collect();
    assert_eq!(
        first_words,
        [
            "STATE",
            "ESTABLISHED",
            "SYN_SENT",
            "SYN_RECV",
            "FIN_WAIT1",
            "FIN_WAIT2",
            "TIME_WAIT",
            "CLOSE",
            "CLOSE_WAIT",
            "LAST_ACK",
            "LISTEN",
            "CLOSING",
            "TOTAL"
        ]
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn stdin_dash_reads_a_table() {
    let table = std::fs::read(fixture("bad/no-header")).expect("fixture");
    let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcpcount"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("tcpcount runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(header.as_bytes()).expect("write");
    stdin.write_all(&table).expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    let listen = text(&out.stdout)
        .lines()
        .find(|l| l.starts_with("LISTEN"))
        .expect("a LISTEN row");
    assert_eq!(
        listen.split_whitespace().collect::<Vec<_>>(),
        ["LISTEN", "1", "0", "1"]
    );
}

#[test]
fn a_bad_table_exits_1_naming_file_and_line() {
    let path = fixture("bad/bad-hex-state");
    let out = tcpcount(&[path.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        format!(
            "tcpcount: {}: line 4: bad st (expected 2 hex digits)\n",
            path.display()
        )
    );
}

#[test]
fn a_missing_file_exits_1_naming_it() {
    let out = tcpcount(&["/nonexistent/tcp"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "tcpcount: /nonexistent/tcp: No such file or directory (os error 2)\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = tcpcount(&["--no-such-option"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Usage: tcpcount"));
}

#[test]
fn help_and_version_exit_0() {
    let help = tcpcount(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Usage: tcpcount"));
    let version = tcpcount(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert!(text(&version.stdout).starts_with("tcpcount "));
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    // `tcpcount | head -1` once head has exited: every write gets EPIPE.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_tcpcount"))
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("tcpcount runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}
