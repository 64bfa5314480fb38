//! Tells the crate which target it is built for (`TCPCOUNT_TARGET`, the Rust
//! triple cargo gives build scripts as `TARGET`), so `tcpcount --version`
//! can name it: a binary copied onto a router says what it was built for.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown target".to_owned());
    println!("cargo:rustc-env=TCPCOUNT_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
