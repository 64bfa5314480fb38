//! SIGINT and SIGTERM set a flag instead of killing the process, so a
//! repeating run finishes the record it is writing and stops cleanly. This is
//! the host's only `unsafe`: registering the handler through libc's
//! `signal()`, which std does not expose (a libc or signal-hook dependency
//! would be the alternative for two lines).

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// Signal numbers, the same on every Linux architecture.
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

unsafe extern "C" {
    /// `sighandler_t signal(int signum, sighandler_t handler)`; glibc and musl
    /// both give it BSD semantics (SA_RESTART), so a write in progress is
    /// not interrupted.
    fn signal(signum: i32, handler: usize) -> usize;
}

extern "C" fn on_signal(_: i32) {
    STOP.store(true, Ordering::SeqCst);
}

/// From now on SIGINT and SIGTERM only request a stop.
pub fn install() {
    for signum in [SIGINT, SIGTERM] {
        // SAFETY: `on_signal` has the C handler signature and only stores to
        // an atomic, which is async-signal-safe; `signal` has no other
        // precondition.
        unsafe {
            signal(signum, on_signal as extern "C" fn(i32) as usize);
        }
    }
}

/// Whether SIGINT or SIGTERM has arrived since [`install`].
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
