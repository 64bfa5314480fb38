//! Parse-only throughput: reads each captured table into memory once, then
//! times `Parser::feed` over it in fixed-size chunks (as `read()` would hand
//! them over) plus `finish`, K times, and prints the median in MB/s
//! (10^6 bytes per second), by the wall clock and by this thread's CPU time
//! (`cpu`: other processes on a shared machine do not count in it).
//!
//! Usage: `tcpcount-parse-bench [--iters K] [--chunk BYTES] FILE...`

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use std::{env, fs};

use tcpcount_core::{Counts, Error, Parser};

fn parse(data: &[u8], chunk: usize) -> Result<Counts, Error> {
    let mut parser = Parser::new();
    for piece in data.chunks(chunk) {
        parser.feed(black_box(piece))?;
    }
    parser.finish()
}

fn main() -> ExitCode {
    let mut iters = 21usize;
    let mut chunk = 64 * 1024;
    let mut files = Vec::new();
    let mut args = env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| {
            args.next()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&v| v > 0)
        };
        match arg.as_str() {
            "--iters" => match value(&mut args) {
                Some(v) => iters = v,
                None => return usage(),
            },
            "--chunk" => match value(&mut args) {
                Some(v) => chunk = v,
                None => return usage(),
            },
            _ if arg.starts_with('-') => return usage(),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        return usage();
    }
    for path in &files {
        let data = match fs::read(path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("tcpcount-parse-bench: {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let counts = match parse(&data, chunk) {
            Ok(counts) => counts,
            Err(e) => {
                eprintln!("tcpcount-parse-bench: {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (mut times, mut cpu_times): (Vec<Duration>, Vec<Duration>) = (0..iters)
            .map(|_| {
                let (start, cpu_start) = (Instant::now(), cpu_now());
                let result = parse(black_box(&data), chunk);
                let (elapsed, cpu) = (start.elapsed(), cpu_now().saturating_sub(cpu_start));
                assert_eq!(result.ok().map(|c| c.total()), Some(counts.total()));
                (elapsed, cpu)
            })
            .unzip();
        times.sort();
        cpu_times.sort();
        let cpu_mb_s = data.len() as f64 / cpu_times[cpu_times.len() / 2].as_secs_f64() / 1e6;
        let median = times[times.len() / 2];
        let (min, max) = (times[0], times[times.len() - 1]);
        let mb_s = data.len() as f64 / median.as_secs_f64() / 1e6;
        println!(
            "{path}: {} bytes, {} rows, chunk {chunk}, median {:.3} ms of {iters} (min {:.3}, max {:.3}), cpu {cpu_mb_s:.0} MB/s, {mb_s:.0} MB/s",
            data.len(),
            counts.total(),
            median.as_secs_f64() * 1e3,
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
        );
    }
    ExitCode::SUCCESS
}

/// The CPU time this thread has used (CLOCK_THREAD_CPUTIME_ID).
fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn usage() -> ExitCode {
    eprintln!("usage: tcpcount-parse-bench [--iters K] [--chunk BYTES] FILE...");
    ExitCode::from(2)
}
