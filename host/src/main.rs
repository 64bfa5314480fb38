//! `tcpcount`: parse the command line, run, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use tcpcount::{Cli, Exit, check};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Monitoring plugins report bad arguments as UNKNOWN.
            let check_mode =
                std::env::args().any(|a| a.starts_with("--warn") || a.starts_with("--crit"));
            let code = match (error.use_stderr(), check_mode) {
                (false, _) => Exit::Ok as u8,
                (true, true) => check::Status::Unknown as u8,
                (true, false) => Exit::Usage as u8,
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let mut stdout = io::stdout().lock();
    let code = match tcpcount::run(&cli, &mut stdout) {
        Ok(code) => code,
        Err(failure) if failure.is_broken_pipe() => Exit::Ok as u8,
        Err(failure @ tcpcount::Failure::Usage(_)) => {
            let _ = writeln!(io::stderr(), "tcpcount: {failure}");
            Exit::Usage as u8
        }
        Err(failure) => {
            let _ = writeln!(io::stderr(), "tcpcount: {failure}");
            Exit::Failure as u8
        }
    };
    ExitCode::from(code)
}
