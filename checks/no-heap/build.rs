//! With the `defmt` feature the binary logs through defmt, whose interned
//! strings and symbols are laid out by the `defmt.x` linker script (shipped
//! by the defmt crate, found on the link search path it sets).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_DEFMT").is_some() {
        println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
    }
}
