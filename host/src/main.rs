//! `tcpcount`: everything is in the library; this only hands its exit code
//! to the process, and in the static release builds replaces the unwinder
//! that nothing uses ([`unwind`]).

#[cfg(all(
    target_env = "musl",
    panic = "abort",
    any(target_arch = "x86_64", target_arch = "x86", target_arch = "aarch64")
))]
mod unwind;

fn main() -> std::process::ExitCode {
    tcpcount::main().into()
}
