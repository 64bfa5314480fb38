//! Reporting the counts, then stopping: as text through semihosting by
//! default, or as defmt log frames with the `defmt` feature.

use cortex_m_semihosting::debug;
use tcpcount_core::{Counts, Error};
#[cfg(not(feature = "defmt"))]
use {cortex_m_semihosting::hprintln, tcpcount_core::TcpState};

/// Prints one line per state (kernel order), UNKNOWN, and TOTAL; or the
/// parse error. Returns whether the table was counted.
#[cfg(not(feature = "defmt"))]
pub fn counts(result: Result<Counts, Error>) -> bool {
    match result {
        Ok(counts) => {
            for state in TcpState::ALL {
                hprintln!("{:<12} {:>5}", state.name(), counts.get(state));
            }
            hprintln!("{:<12} {:>5}", "UNKNOWN", counts.unknown());
            hprintln!("{:<12} {:>5}", "TOTAL", counts.total());
            true
        }
        Err(error) => {
            hprintln!("tcpcount: {}", error);
            false
        }
    }
}

/// Logs the counts (or the error) with the core's derived `defmt::Format`.
#[cfg(feature = "defmt")]
pub fn counts(result: Result<Counts, Error>) -> bool {
    match result {
        Ok(counts) => {
            defmt::info!("{}", counts);
            defmt::info!("total: {}", counts.total());
            true
        }
        Err(error) => {
            defmt::error!("{}", error);
            false
        }
    }
}

/// Ends the program: under QEMU (or a debugger with semihosting) this stops
/// it with exit status 0 or 1. (Semihosting needs a debugger or QEMU; on a
/// board running alone, report through a real UART instead.)
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    exit(false)
}
