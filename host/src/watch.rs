//! Running the command: one sample, or one every `--interval` seconds until
//! `--count` or SIGINT/SIGTERM, each written whole to standard output or
//! `--output`; in check mode, one sample judged against the thresholds.
//!
//! The read buffer, the sample's tables and the output buffer are reused, so
//! memory stays flat.

use std::io::{self, Write};
use std::thread;
use std::time::{Duration, Instant};

use crate::cli::Cli;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::format::{self, check};
use crate::sample::Wanted;
use crate::source::Reader;
use crate::{output, signals};

/// Runs what `cli` asks for, writing to `stdout`.
pub fn run(cli: &Cli, stdout: &mut impl Write) -> Result<Exit, Failure> {
    let input = cli.input();
    let wanted = Wanted {
        per_port: cli.per_port.map(Into::into),
        listeners: cli.listeners,
    };
    let mut reader = Reader::new(cli.filter(), wanted);
    if let Some(spec) = cli.top {
        reader = reader.with_top(spec);
    }
    if let Some(dir) = cli.counters_dir() {
        reader = reader.with_counters(dir);
    }
    if let Some(filter) = cli.ct_filter() {
        reader = reader.with_conntrack(filter);
    }

    if cli.check_mode() {
        let status = match reader.sample(&input, None) {
            Ok(sample) => check::report(stdout, &sample, cli.warn.as_ref(), cli.crit.as_ref()),
            Err(failure) => check::report_unknown(stdout, &failure),
        };
        return status.map(Exit::Check).map_err(Failure::stdout);
    }

    let repeating = cli.interval.is_some() || cli.count.is_some();
    let samples = cli
        .count
        .unwrap_or(if cli.interval.is_some() { u64::MAX } else { 1 });
    let interval = cli.interval.unwrap_or(Duration::from_secs(1));
    if repeating || cli.output.is_some() {
        signals::install();
    }
    let start = Instant::now();
    let mut sample = None;
    let mut rendered = String::new();
    for i in 0..samples {
        if i > 0
            && !sleep_until(start + interval.saturating_mul(u32::try_from(i).unwrap_or(u32::MAX)))
        {
            break;
        }
        let taken = match reader.sample(&input, sample.take()) {
            // A stop during a blocked read ends a watch that has written a
            // sample as cleanly as a stop between samples.
            Err(Failure::Interrupted) if i > 0 => break,
            other => other?,
        };
        rendered.clear();
        format::render(&mut rendered, cli.format, &taken, repeating)
            .map_err(|_| Failure::stdout(io::Error::other("formatter error")))?;
        match &cli.output {
            Some(path) => output::replace(path, rendered.as_bytes())?,
            None => {
                stdout
                    .write_all(rendered.as_bytes())
                    .map_err(Failure::stdout)?;
                stdout.flush().map_err(Failure::stdout)?;
            }
        }
        sample = Some(taken);
        if signals::stop_requested() {
            break;
        }
    }
    Ok(Exit::Ok)
}

/// Sleeps until `deadline` in short steps; false if a stop was requested.
fn sleep_until(deadline: Instant) -> bool {
    loop {
        if signals::stop_requested() {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}
