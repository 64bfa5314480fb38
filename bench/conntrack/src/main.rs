//! Parse-only throughput of the conntrack parser: reads a table into memory
//! once, then times `CtParser::feed` over it in 64 KiB chunks (as `read()`
//! hands them over) plus `finish`, K times, and prints the per-state counts
//! and the median in GB/s (10^9 bytes per second), of wall time and of this
//! thread's CPU time (on a shared machine the wall time counts the time other
//! processes held the CPU; the CPU time does not).
//!
//! Usage: `tcpcount-conntrack-bench [--iters K] FILE`

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use std::{env, fs};

use tcpcount_core::Family;
use tcpcount_core::conntrack::{CtCounts, CtError, CtParser};

fn parse(data: &[u8]) -> Result<CtCounts, CtError> {
    let mut parser = CtParser::new();
    for piece in data.chunks(64 * 1024) {
        parser.feed(black_box(piece))?;
    }
    parser.finish()
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

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (iters, path) = match args.as_slice() {
        [flag, k, path] if flag == "--iters" => (k.parse().unwrap_or(21), path),
        [path] => (21usize, path),
        _ => {
            eprintln!("usage: tcpcount-conntrack-bench [--iters K] FILE");
            return ExitCode::from(2);
        }
    };
    let data = match fs::read(path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let counts = match parse(&data) {
        Ok(counts) => counts,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for family in [Family::Ipv4, Family::Ipv6] {
        let c = counts.family(family);
        let states: Vec<String> = c
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{s}={n}"))
            .collect();
        println!("{family:?}: entries={} tcp={} {}", c.entries(), c.tcp_total(), states.join(" "));
    }
    let (mut times, mut cpu): (Vec<f64>, Vec<f64>) = (0..iters)
        .map(|_| {
            let (start, cpu_start) = (Instant::now(), cpu_now());
            black_box(parse(black_box(&data))).ok();
            let cpu = (cpu_now() - cpu_start).as_secs_f64();
            (start.elapsed().as_secs_f64(), cpu)
        })
        .unzip();
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let cpu_median = cpu[cpu.len() / 2];
    println!(
        "{} bytes, {} lines: median {:.2} ms = {:.3} GB/s (min {:.3}, max {:.3}) over {iters} passes",
        data.len(),
        counts.total().entries(),
        median * 1e3,
        data.len() as f64 / median / 1e9,
        data.len() as f64 / times[times.len() - 1] / 1e9,
        data.len() as f64 / times[0] / 1e9,
    );
    println!(
        "cpu median {:.2} ms = {:.3} GB/s (min {:.3}, max {:.3})",
        cpu_median * 1e3,
        data.len() as f64 / cpu_median / 1e9,
        data.len() as f64 / cpu[cpu.len() - 1] / 1e9,
        data.len() as f64 / cpu[0] / 1e9,
    );
    ExitCode::SUCCESS
}
