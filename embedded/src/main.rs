//! tcpcount-core on a microcontroller: the bytes of a `/proc/net/tcp` table
//! arrive a few at a time, as from a UART's receive buffer, and are counted
//! as they come, with no heap and a fixed-size parser. The counts are then
//! printed through semihosting (or logged with defmt, with the `defmt`
//! feature). Run it with `cargo run --release` from this directory (QEMU).

#![no_std]
#![no_main]

mod report;
mod uart;

use cortex_m as _; // critical-section for the semihosting crates
use cortex_m_rt::entry;
#[cfg(feature = "defmt")]
use defmt_semihosting as _; // the global defmt logger
use tcpcount_core::{Counts, Error, Parser};

use uart::Uart;

/// A capture of `/proc/net/tcp` from a small Linux box, as another device
/// would send it over a serial line.
static TABLE: &[u8] = include_bytes!("table.txt");

/// The whole use of tcpcount-core: push each piece of input as it arrives,
/// then finish. The parser is about 600 bytes on the stack, and nothing else.
fn count(uart: &mut Uart) -> Result<Counts, Error> {
    let mut parser = Parser::new();
    while let Some(bytes) = uart.read() {
        parser.feed(bytes)?;
    }
    parser.finish()
}

#[entry]
fn main() -> ! {
    let result = count(&mut Uart::new(TABLE));
    report::exit(report::counts(result))
}
