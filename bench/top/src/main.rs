//! The cost of `--top`: reads a table into memory once, then times, in
//! alternation so that both see the same machine, K passes of plain counting
//! (`Parser::feed` in 64 KiB chunks, then `finish`) and K passes of the same
//! with every row also counted into a `Top<1024>` by each KEY given
//! (`feed_visit`), and K passes with each row's key decoded but not counted
//! (the part of `--top`'s cost that is the parser's and the decoding's, not
//! the table's), and prints the medians of their CPU time (this thread's,
//! so that other processes on a shared machine do not count) and their ratio. With `--once` it
//! instead does one pass with the first KEY and prints the top 10 as
//! `count key` lines (reading the file in 64 KiB pieces), for a whole-process comparison with
//! `awk | sort | uniq -c | sort -n`. `--once FILE none` does the same pass
//! with plain counting only: the floor for instruction counts (callgrind) of
//! `--once FILE KEY`.
//!
//! Usage: `tcpcount-top-bench [--iters K] [--once] FILE [KEY...]` (KEY as
//! for `--top`, default `raddr`).

use std::hint::black_box;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;
use std::{env, fs};

use tcpcount_core::{Error, KeySpec, Parser, Top, TopEntry, TopKey};

const CHUNK: usize = 64 * 1024;

fn plain(data: &[u8]) -> Result<u32, Error> {
    let mut parser = Parser::new();
    for piece in data.chunks(CHUNK) {
        parser.feed(black_box(piece))?;
    }
    parser.finish().map(|c| c.total())
}

fn with_top(data: &[u8], spec: &KeySpec, top: &mut Top) -> Result<u32, Error> {
    *top = Top::new();
    let mut parser = Parser::new();
    let mut visit = |row: &tcpcount_core::Row<'_>| top.add_socket(spec, row);
    for piece in data.chunks(CHUNK) {
        parser.feed_visit(black_box(piece), &mut visit)?;
    }
    parser.end(&mut visit)?;
    Ok(parser.counts().total())
}

/// The same pass as [`with_top`] with each row's key decoded but not
/// counted: the part of `--top`'s cost that is not the table's.
fn decode_only(data: &[u8], spec: &KeySpec) -> Result<u32, Error> {
    let mut parser = Parser::new();
    let mut visit = |row: &tcpcount_core::Row<'_>| {
        black_box(spec.key(row));
    };
    for piece in data.chunks(CHUNK) {
        parser.feed_visit(black_box(piece), &mut visit)?;
    }
    parser.end(&mut visit)?;
    Ok(parser.counts().total())
}

fn stream(path: &str, spec: &KeySpec, top: &mut Top) -> Result<(), Box<dyn std::error::Error>> {
    let mut file = fs::File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut parser = Parser::new();
    let mut visit = |row: &tcpcount_core::Row<'_>| top.add_socket(spec, row);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        parser.feed_visit(&buf[..n], &mut visit)?;
    }
    parser.end(&mut visit)?;
    Ok(())
}

/// The CPU time this thread has used (CLOCK_THREAD_CPUTIME_ID): the machine
/// is shared, and wall time would count the time other processes held the
/// CPU.
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

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() -> ExitCode {
    let mut iters = 21usize;
    let mut once = false;
    let mut args = env::args().skip(1).peekable();
    let mut positional = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iters" => match args.next().and_then(|v| v.parse().ok()).filter(|&v| v > 0) {
                Some(v) => iters = v,
                None => return usage(),
            },
            "--once" => once = true,
            _ if arg.starts_with('-') => return usage(),
            _ => positional.push(arg),
        }
    }
    let Some((path, keys)) = positional.split_first() else {
        return usage();
    };
    if once && keys.first().is_some_and(|k| k == "none") {
        let counted = fs::File::open(path).and_then(|mut file| {
            let mut buf = vec![0u8; CHUNK];
            let mut parser = Parser::new();
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                parser.feed(&buf[..n]).map_err(std::io::Error::other)?;
            }
            parser.finish().map_err(std::io::Error::other)
        });
        return match counted {
            Ok(counts) => {
                println!("{} rows", counts.total());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tcpcount-top-bench: {path}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let keys: Vec<&str> = if keys.is_empty() {
        vec!["raddr"]
    } else {
        keys.iter().map(String::as_str).collect()
    };
    let mut specs = Vec::new();
    for key in &keys {
        match key.parse::<KeySpec>() {
            Ok(spec) => specs.push(spec),
            Err(e) => {
                eprintln!("tcpcount-top-bench: {key}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut top: Box<Top> = Box::new(Top::new());
    let blank = TopEntry {
        key: TopKey::Port(0),
        count: 0,
        error: 0,
    };
    if once {
        // Streams the file in 64 KiB reads, as the tool would: memory stays
        // flat whatever the table's size.
        return match stream(path, &specs[0], &mut top) {
            Ok(()) => {
                let mut out = [blank; 10];
                let mut stdout = std::io::stdout().lock();
                for e in top.top_into(&mut out) {
                    // A closed pipe (`| head`) ends the listing, not a panic.
                    if writeln!(stdout, "{} {}", e.count, e.key).is_err() {
                        break;
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tcpcount-top-bench: {path}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let data = match fs::read(path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("tcpcount-top-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rows = match plain(&data) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("tcpcount-top-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut plain_times = Vec::new();
    let mut top_times = vec![Vec::new(); specs.len()];
    let mut decode_times = vec![Vec::new(); specs.len()];
    for _ in 0..iters {
        let start = cpu_now();
        let n = plain(black_box(&data));
        plain_times.push(cpu_now() - start);
        assert_eq!(n.ok(), Some(rows));
        for (spec, times) in specs.iter().zip(&mut top_times) {
            let start = cpu_now();
            let n = with_top(black_box(&data), spec, &mut top);
            times.push(cpu_now() - start);
            assert_eq!(n.ok(), Some(rows));
            black_box(&top);
        }
        for (spec, times) in specs.iter().zip(&mut decode_times) {
            let start = cpu_now();
            let n = decode_only(black_box(&data), spec);
            times.push(cpu_now() - start);
            assert_eq!(n.ok(), Some(rows));
        }
    }
    let base = median(plain_times);
    println!(
        "{path}: {} bytes, {rows} rows; medians of the CPU time of {iters} alternating passes",
        data.len()
    );
    println!("  plain counting      {:8.3} ms", base.as_secs_f64() * 1e3);
    for ((key, spec), (times, decode)) in keys
        .iter()
        .zip(&specs)
        .zip(top_times.into_iter().zip(decode_times))
    {
        // The table's own share: the same keys, decoded beforehand, added
        // to an empty table.
        let mut decoded = Vec::with_capacity(rows as usize);
        let mut parser = Parser::new();
        let mut collect = |row: &tcpcount_core::Row<'_>| decoded.extend(spec.key(row));
        parser.feed_visit(&data, &mut collect).ok();
        parser.end(&mut collect).ok();
        let alone = median(
            (0..iters)
                .map(|_| {
                    let start = cpu_now();
                    *top = Top::new();
                    for &k in black_box(&decoded) {
                        top.add(k);
                    }
                    black_box(&top);
                    cpu_now() - start
                })
                .collect(),
        );
        let t = median(times);
        let d = median(decode);
        println!(
            "  keys only {key:<9} {:8.3} ms  ratio {:.2}  (rows visited, keys decoded, not counted)",
            d.as_secs_f64() * 1e3,
            d.as_secs_f64() / base.as_secs_f64(),
        );
        println!(
            "  --top {key:<13} {:8.3} ms  ratio {:.2}  (Top::add alone {:.1} ns/row; {} keys listed, exact: {}, min count {})",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / base.as_secs_f64(),
            alone.as_secs_f64() * 1e9 / f64::from(rows.max(1)),
            top.len(),
            top.exact(),
            top.min_count(),
        );
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: tcpcount-top-bench [--iters K] [--once] FILE [KEY...]");
    ExitCode::from(2)
}
