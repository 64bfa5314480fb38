//! The built `tcpcount` binary end to end: exit codes, usage messages in the
//! user's terms, stdin, a closed pipe, the help text, and the source each
//! format names.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use clap::CommandFactory;

mod common;

use common::{BIN, assert_exit, fixture, state_names, text};

fn tcpcount(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("tcpcount runs")
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
    let mut expected = vec!["STATE"];
    expected.extend(state_names());
    expected.push("TOTAL");
    assert_eq!(first_words, expected);
    assert!(out.stderr.is_empty());
}

#[test]
fn stdin_dash_reads_a_table() {
    let table = std::fs::read(fixture("bad/no-header")).expect("fixture");
    let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    let mut child = Command::new(BIN)
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
    let stdout = text(&out.stdout);
    let listen = stdout
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
    assert!(out.stdout.is_empty());
    assert_exit(
        &out,
        1,
        &format!(
            "tcpcount: {}: line 4: bad st (expected 2 hex digits)\n",
            path.display()
        ),
    );
}

#[test]
fn a_missing_file_exits_1_naming_it() {
    let out = tcpcount(&["/nonexistent/tcp"]);
    assert_exit(
        &out,
        1,
        "tcpcount: /nonexistent/tcp: No such file or directory (os error 2)\n",
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
    let out = Command::new(BIN)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("tcpcount runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

/// Runs tcpcount with `args`, stdin empty.
fn run_quiet(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("tcpcount runs")
}

#[test]
fn usage_errors_say_what_is_wrong_in_the_users_terms() {
    let table = fixture("all-states/tcp");
    let table = table.to_str().expect("UTF-8 path");
    // (arguments, a phrase stderr must hold); every one exits 2.
    let cases: [(&[&str], &str); 14] = [
        (
            &["--lport", "100-50", table],
            "port range 100-50 is reversed: write 50-100",
        ),
        (
            &["--rport", "8080,90-80", table],
            "port range 90-80 is reversed",
        ),
        (
            &["--lport", "70000", table],
            "not a port (use numbers 0-65535",
        ),
        (&["--laddr", "::ffff:10.0.0.0/8", table], "write 10.0.0.0/8"),
        (
            &["--raddr", "::ffff:192.168.0.0/95", table],
            "write 192.168.0.0/95",
        ),
        (&["-s", "unknown", table], "unknown is not a state"),
        (
            &["-s", "estab,bogus", table],
            "use one of established, syn-sent",
        ),
        (
            &[
                "--warn",
                "bogus=1,total=1",
                "--crit",
                "total=2",
                "-f",
                "table",
            ],
            "",
        ),
        (&["--source", "netlink", "--pid", "1"], "use --source proc"),
        (
            &["--source", "netlink", "--proc", "/proc"],
            "use --source proc",
        ),
        (
            &["-i", "1", "-"],
            "standard input (-) can be read only once",
        ),
        (
            &["-n", "2", table, "-"],
            "standard input (-) can be read only once",
        ),
        (
            &["--per-port", "local", "--listeners", table],
            "cannot be used with",
        ),
        (&["-o", "x", "--pid", "1", table], "cannot be used with"),
    ];
    for (args, phrase) in cases {
        let out = run_quiet(args);
        let stderr = text(&out.stderr);
        if args.contains(&"--warn") {
            // Check mode: UNKNOWN (tested in monitor.rs).
            assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(phrase), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn pid_of_no_process_is_no_such_process() {
    for pid in ["0", "4294967295"] {
        let out = run_quiet(&["--pid", pid]);
        assert_exit(
            &out,
            1,
            &format!("tcpcount: --pid {pid}: no such process\n"),
        );
        let out = run_quiet(&["--pid", pid, "--source", "auto"]);
        assert_eq!(out.status.code(), Some(1), "auto with --pid reads procfs");
    }
}

#[test]
fn help_says_which_options_exclude_each_other() {
    let help = text(&run_quiet(&["--help"]).stdout).replace(char::is_whitespace, " ");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in [
        "(not with --listeners)",
        "(not with --per-port)",
        "without --interval the samples are one second apart",
        "not with --interval or --count",
        "not with --source netlink",
        "with --pid or --proc always proc",
        "symbolic link is refused",
    ] {
        assert!(help.contains(phrase), "help lacks {phrase:?}:\n{help}");
    }
}

/// The JSON `source` of one run.
fn json_source(args: &[&str]) -> String {
    let mut all = vec!["-f", "json"];
    all.extend_from_slice(args);
    let out = run_quiet(&all);
    common::assert_code(&out, 0, &args);
    let json = text(&out.stdout);
    let start = json.find("\"source\":\"").expect("a source") + 10;
    json[start..].split('"').next().expect("closed").to_owned()
}

#[test]
fn source_names_what_was_really_read() {
    // A procfs copy that is not this machine's: auto with --proc reads it.
    let dir = std::env::temp_dir().join(format!("tcpcount-cli-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("self")).expect("dir");
    std::fs::create_dir_all(dir.join("net")).expect("dir");
    std::fs::copy(fixture("all-states/tcp"), dir.join("net/tcp")).expect("copy");
    let proc = dir.to_str().expect("UTF-8");
    assert_eq!(
        json_source(&["--source", "auto", "--proc", proc]),
        format!("{proc}/net")
    );
    assert_eq!(json_source(&["--source", "proc"]), "/proc/net");
    assert_eq!(json_source(&["--source", "netlink"]), "netlink");
    // auto without --proc/--pid: netlink where the kernel has it (this
    // one does, as the line above shows).
    assert_eq!(json_source(&["--source", "auto"]), "netlink");
    let pid = std::process::id().to_string();
    assert_eq!(
        json_source(&["--source", "auto", "--pid", &pid]),
        format!("/proc/{pid}/net")
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn source_survives_odd_file_names_in_every_format() {
    let dir = std::env::temp_dir().join(format!("tcpcount-odd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let odd = dir.join("it's \"odd\"\\ $(x)\nname");
    std::fs::copy(fixture("ipv4-only/tcp"), &odd).expect("copy");
    let odd_text = odd.to_str().expect("UTF-8");
    // env: a shell's eval gives the name back unchanged, and runs nothing.
    let env = run_quiet(&["-f", "env", odd_text]);
    assert_eq!(env.status.code(), Some(0));
    let mut sh = Command::new("sh")
        .args(["-c", "eval \"$(cat)\"; printf %s \"$TCPCOUNT_SOURCE\""])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh runs");
    sh.stdin
        .take()
        .expect("stdin")
        .write_all(&env.stdout)
        .expect("write");
    let evaluated = sh.wait_with_output().expect("sh ends");
    assert_eq!(text(&evaluated.stdout), odd_text);
    // prometheus: the label value escaped as the exposition format asks.
    let prom = run_quiet(&["-f", "prometheus", odd_text]);
    let escaped = odd_text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    assert!(
        text(&prom.stdout).contains(&format!("tcpcount_source_info{{source=\"{escaped}\"}} 1\n")),
        "{}",
        text(&prom.stdout)
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}
