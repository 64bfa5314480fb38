//! What the end-to-end tests of the built binary share: where the binary and
//! the fixtures are, a private temporary directory, and the root check.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tcpcount_core::conntrack::CtCounts;
use tcpcount_core::{Family, TcpState};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_tcpcount");

/// A file under the repository's `fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

/// Output bytes as text (lossy: a test's message shows whatever came).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The kernel's state names in its order, as every format lists them.
pub fn state_names() -> Vec<&'static str> {
    TcpState::ALL.iter().map(|s| s.name()).collect()
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Whether a test that needs root (namespaces, mounts) should run: always as
/// root; otherwise it runs (and fails) unless TCPCOUNT_SKIP_ROOT_TESTS is
/// set, so it never passes silently on a machine that could run it.
pub fn runs_as_root(test: &str) -> bool {
    if !is_root() && std::env::var_os("TCPCOUNT_SKIP_ROOT_TESTS").is_some() {
        eprintln!("SKIPPED {test}: needs root");
        return false;
    }
    true
}

/// For a test that needs root: runs `timeout SECONDS WRAPPER... python3
/// SCRIPT BIN` (SCRIPT relative to host/), asserts that it succeeded, and
/// returns its standard output, the report the test reads; None when
/// skipped (see [`runs_as_root`]).
pub fn root_script(test: &str, seconds: u32, wrapper: &[&str], script: &str) -> Option<String> {
    if !runs_as_root(test) {
        return None;
    }
    let out = Command::new("timeout")
        .arg(seconds.to_string())
        .args(wrapper)
        .arg("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(script))
        .arg(BIN)
        .output()
        .expect("the helper runs");
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}{}", text(&out.stderr));
    Some(report)
}

/// [`root_script`] without a wrapper, then asserts that its report has
/// every one of `passes` (its `PASS ...` lines).
pub fn root_script_passes(test: &str, seconds: u32, script: &str, passes: &[&str]) {
    if let Some(report) = root_script(test, seconds, &[], script) {
        assert_all_in(&report, passes);
    }
}

/// Asserts that `text` holds every one of `parts`.
pub fn assert_all_in(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
}

/// Asserts an exit code, showing what `what` ran and its output otherwise.
pub fn assert_code(out: &Output, code: i32, what: &dyn std::fmt::Debug) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Asserts an exit code and exactly this standard error.
pub fn assert_exit(out: &Output, code: i32, stderr: &str) {
    assert_eq!(text(&out.stderr), stderr);
    assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
}

/// A directory of its own under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// `tcpcount-TEST-PID-NAME`, empty, with `mode`.
    pub fn new(test: &str, name: &str, mode: u32) -> TempDir {
        use std::os::unix::fs::PermissionsExt;
        let path =
            std::env::temp_dir().join(format!("tcpcount-{test}-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        TempDir(path)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to `name`, making its directories.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Non-zero conntrack counts as the oracle files list them: `FAMILY
/// state|protocol|flag NAME` -> count.
pub fn ct_listed(counts: &CtCounts) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for (family, name) in [(Family::Ipv4, "ipv4"), (Family::Ipv6, "ipv6")] {
        let c = counts.family(family);
        let mut put = |kind: &str, what: &str, n: u32| {
            if n > 0 {
                out.insert(format!("{name} {kind} {what}"), n);
            }
        };
        for (state, n) in c.iter() {
            put("state", state.name(), n);
        }
        for (protocol, n) in c.protocols() {
            put("protocol", protocol.name(), n);
        }
        put("flag", "ASSURED", c.assured());
        put("flag", "UNREPLIED", c.unreplied());
    }
    out
}
