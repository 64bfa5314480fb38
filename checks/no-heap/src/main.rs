//! Proof that `tcpcount-core` needs no heap: a `#![no_std]` binary with no
//! `#[global_allocator]` links it and runs a table through it. If any crate
//! in the core's dependency graph used `alloc`, rustc would stop with "no
//! global memory allocator found but one is required" and the build of this
//! binary would fail. It is only linked, never run (it has no startup code or
//! memory map; `_start` is only the linker's entry point, so the code is kept).

#![no_std]
#![no_main]

#[cfg(feature = "alloc-canary")]
extern crate alloc;

use core::hint::black_box;
use core::panic::PanicInfo;

use tcpcount_core::{Counts, Parser, TcpState};

/// A capture of `/proc/net/tcp`: one LISTEN, two ESTABLISHED, one TIME_WAIT.
static TABLE: &[u8] = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1062 1 000000000db7318e 100 0 0 10 0
   1: 020200C0:8464 507100CB:01BB 01 00000000:00000000 00:00000000 00000000     0        0 9588 1 00000000c108f7ae 20 4 1 92 148
   2: 020200C0:E3A0 507100CB:01BB 01 00000000:00000000 00:00000000 00000000     0        0 11170 1 0000000007459559 20 4 1 110 -1
   3: 020200C0:9CEE 507100CB:0050 06 00000000:00000000 03:000008CA 00000000     0        0 0 3 00000000f60f968c
";

/// Feeds [`TABLE`] in 7-byte chunks (as from a serial port) and returns the
/// counts, or the default counts on a parse error.
fn count() -> Counts {
    let mut parser = Parser::new();
    // black_box: the table's contents must not be known to the optimizer, or
    // it could fold the whole parse into a constant.
    for chunk in black_box(TABLE).chunks(7) {
        if parser.feed(chunk).is_err() {
            return Counts::default();
        }
    }
    parser.finish().unwrap_or_default()
}

#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    let counts = count();
    #[cfg(feature = "defmt")]
    // println!, not info!: defmt compiles out levels below error by default.
    defmt::println!("{}", counts);
    black_box(counts.get(TcpState::Established));
    black_box(counts.total());
    // Only for the negative control in scripts/check.d/20-no-heap.sh: this
    // build must fail, or the check above proves nothing.
    #[cfg(feature = "alloc-canary")]
    black_box(alloc::vec![counts.total()]);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// A logger that drops every frame: only linking is checked here, and the
/// core's `defmt::Format` impls must link against a real `global_logger`.
#[cfg(feature = "defmt")]
mod logger {
    #[defmt::global_logger]
    struct Discard;

    // SAFETY: the trait's contract (acquire/release pairing, no reentrance)
    // holds trivially for a logger that keeps no state and writes nothing.
    unsafe impl defmt::Logger for Discard {
        fn acquire() {}
        unsafe fn flush() {}
        unsafe fn release() {}
        unsafe fn write(_bytes: &[u8]) {}
    }
}
