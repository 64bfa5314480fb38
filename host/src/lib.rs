//! The `tcpcount` command as a library: [`main`] parses the command line,
//! runs it and says how it ended, so all of it can be tested in-process.
//!
//! The layers read top-down: the command line ([`cli`]), where tables come
//! from ([`source`]), what one reading holds ([`sample`]), each output format
//! ([`format`](mod@format)), the repeat loop ([`watch`]) writing to standard output or the
//! safe atomic file ([`output`]), and the exit status ([`exit`]).

pub mod cli;
pub mod exit;
pub mod failure;
pub mod format;
pub mod output;
pub mod sample;
mod signals;
pub mod source;
pub mod time;
pub mod watch;
pub mod write;

use std::io::{self, Write};

pub use cli::{Cli, Format};
pub use exit::Exit;
pub use failure::Failure;
pub use sample::{Sample, Tables};
pub use watch::run;

use format::check::{self, Status};

/// The whole command: parse the process's arguments, run, report a failure
/// on standard error (in check mode as the plugin's UNKNOWN line on standard
/// output), and say how it ended.
pub fn main() -> Exit {
    let cli = match Cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(rejected) => return refused(&rejected),
    };
    let mut stdout = io::stdout().lock();
    match run(&cli, &mut stdout) {
        Ok(exit) => exit,
        Err(failure) if cli.check_mode() => {
            // The status line could not be written (stdout full or gone):
            // still UNKNOWN, told on stderr.
            let _ = writeln!(io::stderr(), "tcpcount: {failure}");
            Exit::Check(Status::Unknown)
        }
        Err(failure) if failure.is_broken_pipe() => Exit::Ok,
        Err(failure) => {
            let _ = writeln!(io::stderr(), "tcpcount: {failure}");
            Exit::Failure
        }
    }
}

/// Reports a command line that was not accepted: help and version are
/// printed and succeed; in check mode the reason is the UNKNOWN line.
fn refused(rejected: &cli::Rejected) -> Exit {
    let error = &rejected.error;
    let _ = error.print();
    if !error.use_stderr() {
        return Exit::Ok;
    }
    if !rejected.check_mode {
        return Exit::Usage;
    }
    let rendered = error.render().to_string();
    let reason = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    let _ = check::report_unknown(&mut io::stdout().lock(), &reason);
    Exit::Check(Status::Unknown)
}
