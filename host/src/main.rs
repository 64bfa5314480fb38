//! `tcpcount`: parse the command line, run, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use tcpcount::{Cli, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let exit = match tcpcount::run(&cli, &mut stdout).and_then(|()| flush(&mut stdout)) {
        Ok(()) => Exit::Ok,
        Err(failure) if failure.is_broken_pipe() => Exit::Ok,
        Err(failure) => {
            let _ = writeln!(io::stderr(), "tcpcount: {failure}");
            Exit::Failure
        }
    };
    ExitCode::from(exit as u8)
}

fn flush(stdout: &mut impl Write) -> Result<(), tcpcount::Failure> {
    stdout.flush().map_err(tcpcount::Failure::stdout)
}
