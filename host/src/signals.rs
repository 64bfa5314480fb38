//! SIGINT and SIGTERM request a stop instead of killing the process, so a
//! repeating run ends cleanly and leaves no temporary file.
//!
//! The handlers are installed with libc's `sigaction` *without*
//! `SA_RESTART`, so a blocked read returns EINTR and the run ends at once.
//! This file holds the host's signal `unsafe`.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// From now on SIGINT and SIGTERM only request a stop, and interrupt a
/// blocked system call.
pub fn install() {
    for signum in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: an all-zero `sigaction` is a valid value (empty mask, no
        // flags); `on_signal` has the C handler signature and only stores to
        // an atomic, which is async-signal-safe; the old action is not
        // wanted, so its pointer may be null.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = 0;
            libc::sigaction(signum, &action, std::ptr::null_mut());
        }
    }
}

/// Whether SIGINT or SIGTERM has arrived since [`install`].
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
