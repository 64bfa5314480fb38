#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tcpcount_fuzz::row(data));
