//! Running the command: one sample, or one every `--interval` seconds for
//! `--count` samples or until SIGINT/SIGTERM, each written whole to standard
//! output or atomically to `--output` (a temporary file in the same
//! directory, then `rename`, so a reader never sees half a file and a failed
//! write leaves the previous file intact). The read buffer, the per-port and
//! listener tables and the output buffer are reused, so memory stays flat.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::source::{Reader, Source, Wanted};
use crate::{Cli, Failure, check, format, signals};

/// Runs what `cli` asks for, writing to `stdout`; returns the exit code.
pub fn run(cli: &Cli, stdout: &mut impl Write) -> Result<u8, Failure> {
    let source = if cli.files.is_empty() {
        Source::Live {
            proc_root: cli.proc.clone(),
            pid: cli.pid,
            method: cli.source,
        }
    } else {
        Source::Files(cli.files.clone())
    };
    let wanted = Wanted {
        per_port: cli.per_port.map(Into::into),
        listeners: cli.listeners,
    };
    let mut reader = Reader::new(cli.filter(), wanted);

    if cli.check_mode() {
        let status = match reader.sample(&source, None) {
            Ok(sample) => check::report(
                stdout,
                &sample.tables.total(),
                cli.warn.as_ref(),
                cli.crit.as_ref(),
            ),
            Err(failure) => check::report_unknown(stdout, &failure),
        };
        return status.map(|s| s as u8).map_err(Failure::stdout);
    }

    let repeating = cli.interval.is_some() || cli.count.is_some();
    let samples = cli
        .count
        .unwrap_or(if cli.interval.is_some() { u64::MAX } else { 1 });
    let interval = Duration::from_secs_f64(cli.interval.unwrap_or(1.0));
    if repeating {
        signals::install();
    }
    let start = Instant::now();
    let mut sample = None;
    let mut rendered = Vec::new();
    for i in 0..samples {
        if i > 0
            && !sleep_until(start + interval.saturating_mul(u32::try_from(i).unwrap_or(u32::MAX)))
        {
            break;
        }
        let taken = reader.sample(&source, sample.take())?;
        rendered.clear();
        format::write(&mut rendered, cli.format, &taken, repeating).map_err(Failure::stdout)?;
        match &cli.output {
            Some(path) => write_atomically(path, &rendered)?,
            None => {
                stdout.write_all(&rendered).map_err(Failure::stdout)?;
                stdout.flush().map_err(Failure::stdout)?;
            }
        }
        sample = Some(taken);
        if signals::stop_requested() {
            break;
        }
    }
    Ok(0)
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

/// Replaces `path` with `bytes` so that readers see the old file or the new
/// one, never a mix; on failure the old file stays and no temporary is left.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e| Failure::Output(path.to_owned(), e);
    let name = path
        .file_name()
        .ok_or_else(|| fail(std::io::ErrorKind::InvalidInput.into()))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temporary = dir.join(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    });
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written.map_err(fail)
}
