//! `tcpcount --version` names the version and the target it was built for
//! (issue 15), on standard output, exit 0.

use std::process::Command;

#[test]
fn version_names_version_and_target() {
    let out = Command::new(env!("CARGO_BIN_EXE_tcpcount"))
        .arg("--version")
        .output()
        .expect("run tcpcount");
    assert_eq!(out.status.code(), Some(0));
    let line = String::from_utf8(out.stdout).expect("UTF-8");
    let target = env!("TCPCOUNT_TARGET");
    assert_eq!(
        line,
        format!("tcpcount {} ({target})\n", env!("CARGO_PKG_VERSION"))
    );
    // The triple is this build's, not a constant: its architecture and
    // operating system are the ones the test itself was compiled for.
    let arch = match std::env::consts::ARCH {
        "x86" => "i686",
        arch => arch,
    };
    assert!(target.starts_with(arch), "{target} is not for {arch}");
    assert!(target.contains(std::env::consts::OS), "{target}");
}
