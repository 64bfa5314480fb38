//! The cost of `--top`: reads a table into memory once, then times, in
//! alternation so that both see the same machine, K passes of plain counting
//! (`Parser::feed` in 64 KiB chunks, then `finish`) and K passes of the same
//! with every row also counted into a `Top<1024>` by each KEY given
//! (`feed_visit`), and prints the medians and their ratio. With `--once` it
//! instead does one pass with the first KEY and prints the top 10 as
//! `count key` lines, for a whole-process comparison with
//! `awk | sort | uniq -c | sort -n`.
//!
//! Usage: `tcpcount-top-bench [--iters K] [--once] FILE [KEY...]` (KEY as
//! for `--top`, default `raddr`).

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};
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
    let keys: Vec<&str> = if keys.is_empty() { vec!["raddr"] } else { keys.iter().map(String::as_str).collect() };
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
    let data = match fs::read(path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("tcpcount-top-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut top: Box<Top> = Box::new(Top::new());
    let blank = TopEntry { key: TopKey::Port(0), count: 0, error: 0 };
    if once {
        if let Err(e) = with_top(&data, &specs[0], &mut top) {
            eprintln!("tcpcount-top-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
        let mut out = [blank; 10];
        for e in top.top_into(&mut out) {
            println!("{} {}", e.count, e.key);
        }
        return ExitCode::SUCCESS;
    }
    let rows = match plain(&data) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("tcpcount-top-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut plain_times = Vec::new();
    let mut top_times = vec![Vec::new(); specs.len()];
    for _ in 0..iters {
        let start = Instant::now();
        let n = plain(black_box(&data));
        plain_times.push(start.elapsed());
        assert_eq!(n.ok(), Some(rows));
        for (spec, times) in specs.iter().zip(&mut top_times) {
            let start = Instant::now();
            let n = with_top(black_box(&data), spec, &mut top);
            times.push(start.elapsed());
            assert_eq!(n.ok(), Some(rows));
            black_box(&top);
        }
    }
    let base = median(plain_times);
    println!(
        "{path}: {} bytes, {rows} rows; medians of {iters} alternating passes",
        data.len()
    );
    println!("  plain counting      {:8.3} ms", base.as_secs_f64() * 1e3);
    for ((key, spec), times) in keys.iter().zip(&specs).zip(top_times) {
        with_top(&data, spec, &mut top).ok();
        let t = median(times);
        println!(
            "  --top {key:<13} {:8.3} ms  ratio {:.2}  ({} keys listed, exact: {}, min count {})",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / base.as_secs_f64(),
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
