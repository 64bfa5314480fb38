// The program of bench/conntrack/differential/run (not a workspace member).
//! Differential: Entry::parse and CtParser of main (967bfd3) against branch ctspeed.
use std::fs;
fn old_line(l: &[u8]) -> String {
    format!("{:?}", old::conntrack::Entry::parse(l))
}
fn new_line(l: &[u8]) -> String {
    format!("{:?}", new::conntrack::Entry::parse(l))
}
fn old_table(t: &[u8], size: usize) -> String {
    let mut p = old::conntrack::CtParser::new();
    let mut seen = Vec::new();
    for c in t.chunks(size.max(1)) {
        if let Err(e) = p.feed_visit(c, &mut |e| seen.push(format!("{e:?}"))) {
            return format!("{e:?} {}", seen.len());
        }
    }
    if let Err(e) = p.end(&mut |e| seen.push(format!("{e:?}"))) {
        return format!("{e:?} {}", seen.len());
    }
    format!("{:?} {:?}", p.counts(), seen)
}
fn new_table(t: &[u8], size: usize) -> String {
    let mut p = new::conntrack::CtParser::new();
    let mut seen = Vec::new();
    for c in t.chunks(size.max(1)) {
        if let Err(e) = p.feed_visit(c, &mut |e| seen.push(format!("{e:?}"))) {
            return format!("{e:?} {}", seen.len());
        }
    }
    if let Err(e) = p.end(&mut |e| seen.push(format!("{e:?}"))) {
        return format!("{e:?} {}", seen.len());
    }
    format!("{:?} {:?}", p.counts(), seen)
}
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for f in &args {
        for l in fs::read(f).unwrap().split(|&b| b == b'\n') {
            if !l.is_empty() {
                lines.push(l.to_vec());
            }
        }
    }
    lines.sort();
    lines.dedup();
    eprintln!("{} distinct base lines", lines.len());
    let bytes = [
        0u8, b' ', b'\n', b'=', b'-', b'.', b':', b'[', b']', b'A', b'a', b'f', b'g', b'0', b'1',
        b'2', b'5', b'9', b'_', b'x', 0xFF,
    ];
    let (mut n, mut bad, mut ok) = (0u64, 0u64, 0u64);
    let check = |l: &[u8], n: &mut u64, bad: &mut u64, ok: &mut u64| {
        *n += 1;
        let (a, b) = (old_line(l), new_line(l));
        if a.starts_with("Ok") {
            *ok += 1;
        }
        if a != b {
            *bad += 1;
            if *bad < 10 {
                eprintln!("DIFF {:?}\n old {a}\n new {b}", String::from_utf8_lossy(l));
            }
        }
    };
    for l in &lines {
        check(l, &mut n, &mut bad, &mut ok);
        for at in 0..l.len() {
            for &b in &bytes {
                let mut m = l.clone();
                m[at] = b;
                check(&m, &mut n, &mut bad, &mut ok);
                let mut m = l.clone();
                m.insert(at, b);
                check(&m, &mut n, &mut bad, &mut ok);
            }
            let mut m = l.clone();
            m.remove(at);
            check(&m, &mut n, &mut bad, &mut ok);
            check(&l[..at], &mut n, &mut bad, &mut ok);
        }
    }
    eprintln!("lines: {n} compared, {ok} accepted by main, {bad} differ");
    // Tables: each file whole, in several chunk sizes, and the base lines with a mutated line spliced in.
    let mut tables = 0u64;
    let mut tbad = 0u64;
    for f in &args {
        let t = fs::read(f).unwrap();
        for size in [1usize, 7, 64, 333, 4096, 65536, t.len()] {
            tables += 1;
            if old_table(&t, size) != new_table(&t, size) {
                tbad += 1;
                eprintln!("TABLE DIFF {f} chunks {size}");
            }
        }
    }
    // Small tables: 3 base lines, the middle one mutated, fed in 1..9-byte chunks.
    let mut rng = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for _ in 0..200000 {
        let pick = |r: u64| &lines[(r % lines.len() as u64) as usize];
        let mut mid = pick(next()).clone();
        let at = (next() % (mid.len() as u64 + 1)) as usize;
        match next() % 4 {
            0 if at < mid.len() => mid[at] = bytes[(next() % bytes.len() as u64) as usize],
            1 => mid.insert(at, bytes[(next() % bytes.len() as u64) as usize]),
            2 if at < mid.len() => {
                mid.remove(at);
            }
            _ => {}
        }
        let t = [
            pick(next()).as_slice(),
            b"\n",
            &mid,
            b"\n",
            pick(next()).as_slice(),
            if next() % 2 == 0 { b"\n" } else { b"" },
        ]
        .concat();
        let size = (next() % 300 + 1) as usize;
        tables += 1;
        let (a, b) = (old_table(&t, size), new_table(&t, size));
        if a != b {
            tbad += 1;
            if tbad < 10 {
                eprintln!(
                    "TABLE DIFF {:?} chunks {size}\n old {}\n new {}",
                    String::from_utf8_lossy(&t),
                    &a[..a.len().min(300)],
                    &b[..b.len().min(300)]
                );
            }
        }
    }
    eprintln!("tables: {tables} compared, {tbad} differ");
    if bad + tbad > 0 {
        std::process::exit(1);
    }
}
