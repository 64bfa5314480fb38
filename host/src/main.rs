//! `tcpcount`: everything is in the library; this only hands its exit code
//! to the process.

fn main() -> std::process::ExitCode {
    tcpcount::main().into()
}
