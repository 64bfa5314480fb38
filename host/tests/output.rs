//! `--output FILE` against a hostile directory (issue 12 items 1, 2, 9): links
//! and files planted under every name an attacker could guess, FILE itself a
//! link, a device, a FIFO, a socket or a directory. Every run is traced with
//! `strace`, and the trace must show that the only file opened for writing is
//! a temporary created `O_CREAT|O_EXCL|O_NOFOLLOW` in FILE's directory, and
//! the only rename that temporary onto FILE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/all-states/tcp")
}

mod common;

use common::{BIN, TempDir};

/// A directory of its own, world-writable and sticky like /tmp, removed on
/// drop.
fn shared_dir(name: &str) -> TempDir {
    TempDir::new("output", name, 0o1777)
}

/// What `strace` must be: installed by the project's own script if missing.
fn strace() -> &'static str {
    let works = |_: ()| {
        Command::new("strace")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(()) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/apt-install");
        let _ = Command::new(script).arg("strace").status();
    }
    assert!(works(()), "strace is needed (scripts/apt-install strace)");
    "strace"
}

/// Runs `sh -c "umask U; exec tcpcount ARGS"` under strace; returns the
/// output and the traced calls that create, write, rename or remove files.
fn traced(dir: &TempDir, umask: &str, args: &[&Path]) -> (Output, Vec<String>) {
    let log = dir.0.with_extension("strace");
    let out = Command::new(strace())
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .args([
            "-e",
            "trace=open,openat,openat2,creat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,truncate,mknodat,chmod,fchmodat",
            "sh",
            "-c",
        ])
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args)
        .output()
        .unwrap();
    let calls = fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let _ = fs::remove_file(&log);
    (out, calls)
}

/// The temporaries tcpcount may create for `file`: `.NAME.XXXXXX.tmp` in
/// its directory (NAME cut at 200 bytes).
fn is_temporary(path: &str, file: &Path) -> bool {
    let name = file.file_name().unwrap().to_str().unwrap();
    let name = &name[..name.len().min(200)];
    let dir = file.parent().unwrap().to_str().unwrap();
    path.strip_prefix(&format!("{dir}/.{name}."))
        .is_some_and(|rest| rest.ends_with(".tmp") && !rest.contains('/'))
}

/// Asserts that the traced processes opened for writing only temporaries
/// created O_CREAT|O_EXCL|O_NOFOLLOW, renamed only a temporary onto `file`,
/// removed only temporaries, and made no links; returns how many
/// temporaries were renamed onto `file`.
fn assert_only_temporaries_written(calls: &[String], file: &Path) -> usize {
    let quoted = |call: &str| -> Vec<String> {
        call.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let mut renamed = 0;
    for call in calls {
        let body = call
            .split_once(' ')
            .map_or(call.as_str(), |(_, b)| b.trim());
        let paths = quoted(body);
        if body.starts_with("open") || body.starts_with("creat") {
            let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]
                .iter()
                .any(|f| body.contains(f))
                || body.starts_with("creat");
            if writes && !body.contains("/dev/tty") {
                let path = paths.first().expect("a path");
                assert!(is_temporary(path, file), "opened for writing: {call}");
                for flag in ["O_CREAT", "O_EXCL", "O_NOFOLLOW"] {
                    assert!(body.contains(flag), "no {flag}: {call}");
                }
            }
        } else if body.starts_with("rename") {
            assert!(
                paths.len() == 2 && is_temporary(&paths[0], file) && Path::new(&paths[1]) == file,
                "renamed: {call}"
            );
            renamed += 1;
        } else if body.starts_with("unlink") {
            let path = paths.first().expect("a path");
            assert!(is_temporary(path, file), "removed: {call}");
        } else if body.starts_with("link")
            || body.starts_with("symlink")
            || body.starts_with("mknod")
            || body.starts_with("truncate")
            || body.starts_with("chmod")
            || body.starts_with("fchmodat")
        {
            panic!("touched by path: {call}");
        }
    }
    renamed
}

/// Every entry of `dir` with what it is (type, mode, size, link target).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = fs::symlink_metadata(entry.path()).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("link -> {}", fs::read_link(entry.path()).unwrap().display())
            } else {
                format!(
                    "{:?} {:o} {} bytes ino {}",
                    meta.file_type(),
                    meta.mode(),
                    meta.len(),
                    meta.ino()
                )
            };
            (entry.file_name().to_string_lossy().into_owned(), what)
        })
        .collect()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn planted_links_and_names_are_never_written_through() {
    let dir = shared_dir("planted");
    let victims = shared_dir("victims");
    let victim = victims.join("shadow");
    fs::write(&victim, "secret\n").unwrap();
    fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
    let file = dir.join("tcp.prom");
    fs::write(&file, "old\n").unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();

    // Links for the old predictable names (.NAME.tmpPID) of the next PIDs,
    // links and FIFOs under names shaped like tempfile's, a dangling link,
    // names with newlines and with the target's name as a prefix.
    let next_pid: u32 = fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .map_or(1000, |s| s.trim().parse().unwrap_or(1000));
    for pid in next_pid..next_pid + 300 {
        symlink(&victim, dir.join(&format!(".tcp.prom.tmp{pid}"))).unwrap();
    }
    for name in [".tcp.prom.AAAAAA.tmp", ".tcp.prom..tmp", ".tcp.prom.tmp"] {
        symlink(&victim, dir.join(name)).unwrap();
    }
    symlink(dir.join("nowhere"), dir.join(".tcp.prom.dangle.tmp")).unwrap();
    let fifo = dir.join(".tcp.prom.fifo00.tmp");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    fs::write(dir.join("tcp.prom\n.tmp"), "newline\n").unwrap();
    fs::write(dir.join("tcp.prom.new"), "neighbour\n").unwrap();
    let before = snapshot(&dir.0);
    let victim_before = snapshot(&victims.0);
    let table = fixture();

    for args in [
        vec!["-f", "prometheus"],
        vec!["-f", "json", "-n", "3", "-i", "0.01"],
    ] {
        let mut all: Vec<&Path> = args.iter().map(Path::new).collect();
        all.extend([Path::new("-o"), &file, &table]);
        let (out, calls) = traced(&dir, "022", &all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let samples = if args.contains(&"-n") { 3 } else { 1 };
        assert_eq!(assert_only_temporaries_written(&calls, &file), samples);
        assert_eq!(snapshot(&victims.0), victim_before, "victim touched");
        let mut after = snapshot(&dir.0);
        let written = after.remove("tcp.prom").expect("FILE written");
        assert!(written.starts_with("File"), "{written}");
        let mut expected = before.clone();
        expected.remove("tcp.prom");
        assert_eq!(after, expected, "only FILE changed in the directory");
        assert_eq!(mode(&file), 0o640, "FILE's mode kept");
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.contains("ESTABLISHED") || text.contains("established"));
    }
}

#[test]
fn a_new_file_gets_0644_less_the_umask() {
    let dir = shared_dir("umask");
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        // The longest name a file may have: the temporary's is cut to fit.
        let file = dir.join(&format!("new-{umask}-{}", "n".repeat(255 - 8)));
        let (out, calls) = traced(&dir, umask, &[Path::new("-o"), &file, &fixture()]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(assert_only_temporaries_written(&calls, &file), 1);
        assert_eq!(mode(&file), expected, "umask {umask}");
    }
    // An old FILE's permission bits are kept whatever the umask; set-id and
    // sticky bits are not.
    for (old, expected) in [
        (0o600, 0o600),
        (0o664, 0o664),
        (0o6755, 0o755),
        (0o1640, 0o640),
    ] {
        let file = dir.join(&format!("old-{old:o}"));
        fs::write(&file, "old\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(old)).unwrap();
        let (out, _) = traced(&dir, "077", &[Path::new("-o"), &file, &fixture()]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(mode(&file), expected, "old mode {old:o}");
        assert_eq!(fs::metadata(&file).unwrap().uid(), own_uid());
    }
}

/// This process's uid, which a written FILE belongs to.
fn own_uid() -> u32 {
    fs::metadata("/proc/self").unwrap().uid()
}

#[test]
fn what_is_not_a_regular_file_is_refused_and_left_alone() {
    let dir = shared_dir("refused");
    let target = dir.join("target");
    fs::write(&target, "target\n").unwrap();
    symlink(&target, dir.join("link")).unwrap();
    symlink("/dev/null", dir.join("link-to-null")).unwrap();
    symlink(dir.join("nowhere"), dir.join("dangling")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .unwrap()
            .success()
    );
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("socket")).unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
    let link_message =
        "is a symbolic link; tcpcount replaces only regular files, so name the file it points to";
    let cases: [(PathBuf, &str); 11] = [
        (
            PathBuf::from("/dev/null"),
            "is a device, not a regular file; left alone",
        ),
        (
            PathBuf::from("/dev/zero"),
            "is a device, not a regular file; left alone",
        ),
        (
            dir.join("fifo"),
            "is a FIFO, not a regular file; left alone",
        ),
        (
            dir.join("socket"),
            "is a socket, not a regular file; left alone",
        ),
        (dir.join("sub"), "is a directory"),
        (dir.join("sub/"), "is a directory"),
        (dir.join("."), "is a directory"),
        (dir.join(".."), "is a directory"),
        (dir.join("link"), link_message),
        (dir.join("link-to-null"), link_message),
        (dir.join("dangling"), link_message),
    ];
    let before = snapshot(&dir.0);
    let null_before = fs::symlink_metadata("/dev/null").unwrap();
    for (path, message) in cases {
        let (out, calls) = traced(&dir, "022", &[Path::new("-o"), &path, &fixture()]);
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("tcpcount: {}: {message}\n", path.display())
        );
        assert!(out.stdout.is_empty());
        assert_eq!(
            assert_only_temporaries_written(&calls, &dir.join("never")),
            0
        );
        assert_eq!(snapshot(&dir.0), before, "{}", path.display());
    }
    let null_after = fs::symlink_metadata("/dev/null").unwrap();
    assert!(null_after.file_type().is_char_device());
    assert_eq!(null_after.ino(), null_before.ino());
    assert_eq!(fs::read_to_string(&target).unwrap(), "target\n");
}
