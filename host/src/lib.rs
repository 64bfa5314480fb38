//! The `tcpcount` command as a library: the command line ([`Cli`]), reading
//! tables through one fixed buffer into the core parser ([`source`]), and the
//! printed table ([`table`]). `main.rs` only maps the outcome of [`run`] to an
//! exit code, so everything here can be tested without spawning a process.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

pub mod source;
pub mod table;

pub use source::{Failure, Tables};

/// Exit codes that scripts can rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Counted and printed (a closed stdout counts as success).
    Ok = 0,
    /// A table could not be read or parsed, or stdout failed.
    Failure = 1,
    /// Bad command line (clap's own exit code).
    Usage = 2,
}

/// Count TCP sockets per state from /proc/net/tcp and /proc/net/tcp6.
///
/// With no FILE, reads this machine's tables; a missing /proc/net/tcp6 (no
/// IPv6) counts as zero IPv6 sockets. Exit status: 0 counted, 1 a table could
/// not be read or parsed, 2 bad usage.
#[derive(Debug, Parser)]
#[command(name = "tcpcount", version)]
pub struct Cli {
    /// Captured tables to count instead of this machine's; each file's family
    /// comes from its rows. `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Counts the tables the command line names and prints the table to `out`.
pub fn run(cli: &Cli, out: &mut impl Write) -> Result<(), Failure> {
    let mut reader = source::Reader::new();
    let tables = if cli.files.is_empty() {
        reader.live(source::PROC_NET)?
    } else {
        reader.files(&cli.files)?
    };
    table::write(out, &tables).map_err(Failure::stdout)
}
