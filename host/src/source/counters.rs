//! The kernel's TCP counters (`--counters`): `DIR/snmp` (section `Tcp`) and
//! `DIR/netstat` (section `TcpExt`), with DIR `ROOT/net` or `ROOT/PID/net`,
//! read through the reader's one buffer into the core's push parser. A
//! missing or malformed file is an error naming it.

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use tcpcount_core::{CounterParser, Counters};

use super::Reader;
use crate::failure::Failure;
use crate::reading::CountersReading;
use crate::sample::Sample;

/// The two files, in the order they are read.
pub const FILES: [&str; 2] = ["snmp", "netstat"];

impl Reader {
    /// Reads the counters in `dir` into `sample`, keeping the previous
    /// reading for the rates.
    pub(super) fn counters(&mut self, dir: &Path, sample: &mut Sample) -> Result<(), Failure> {
        let mut counters = Counters::new();
        for name in FILES {
            let path = dir.join(name);
            counters.merge(&self.read_counters(&path)?);
        }
        let reading = CountersReading::new(counters, Instant::now(), sample.counters.as_deref());
        match &mut sample.counters {
            Some(slot) => **slot = reading,
            None => sample.counters = Some(Box::new(reading)),
        }
        Ok(())
    }

    fn read_counters(&mut self, path: &Path) -> Result<Counters, Failure> {
        let file = File::open(path).map_err(|e| Failure::Io(path.to_owned(), e))?;
        let mut parser = CounterParser::new();
        self.read_all(file, |chunk| parser.feed(chunk))
            .map_err(|e| e.at(path, Failure::Counters))?;
        parser
            .finish()
            .map_err(|e| Failure::Counters(path.to_owned(), e))
    }
}
