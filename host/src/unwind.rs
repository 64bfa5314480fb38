//! No unwinder in the static release builds: the ten `_Unwind_*` functions
//! std links (for its panic backtrace printer and the unused unwinding
//! personality) defined here as functions that walk no frame.
//!
//! With `panic = "abort"` nothing unwinds, and the static builds carry no
//! unwind tables (.cargo/discard-unwind-tables.ld), so libunwind could only
//! ever report an empty stack. Defining its entry points here keeps
//! libunwind.a out of the link, and because LTO sees that
//! `_Unwind_Backtrace` never calls back, std's backtrace symbolizer (gimli,
//! addr2line, miniz_oxide, rustc_demangle) goes too. A panic still prints its
//! message and aborts; `RUST_BACKTRACE` shows an empty backtrace, as before.
//! Only for musl, panic = "abort", and the architectures whose unwinder ABI
//! is these ten functions (ARM EHABI has others). `#[unsafe(no_mangle)]` is
//! sound here because no other definition is linked: if anything ever pulled
//! libunwind.a in again, the link would fail on the duplicate names, loudly.
//! Measured (docs/targets.md): x86_64 625472 -> 353464 bytes.

use core::ffi::{c_int, c_void};

/// `_URC_END_OF_STACK`: no (more) frames.
const END_OF_STACK: c_int = 5;

#[unsafe(no_mangle)]
extern "C" fn _Unwind_Backtrace(_trace: *mut c_void, _argument: *mut c_void) -> c_int {
    END_OF_STACK
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_GetIP(_context: *mut c_void) -> usize {
    0
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_GetIPInfo(_context: *mut c_void, _before: *mut c_int) -> usize {
    0
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_GetDataRelBase(_context: *mut c_void) -> usize {
    0
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_GetTextRelBase(_context: *mut c_void) -> usize {
    0
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_GetLanguageSpecificData(_context: *mut c_void) -> *mut c_void {
    core::ptr::null_mut()
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_GetRegionStart(_context: *mut c_void) -> usize {
    0
}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_SetGR(_context: *mut c_void, _register: c_int, _value: usize) {}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_SetIP(_context: *mut c_void, _value: usize) {}

#[unsafe(no_mangle)]
extern "C" fn _Unwind_Resume(_exception: *mut c_void) -> ! {
    std::process::abort()
}
