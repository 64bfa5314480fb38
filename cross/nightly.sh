# The pinned nightly toolchain (cross/versions.env), sourced by every script
# that builds with -Zbuild-std. nightly_toolchain sets NIGHTLY to the rustup
# toolchain name that is exactly RUST_NIGHTLY_RUSTC, with rust-src, or stops.
# shellcheck shell=bash
# shellcheck source=cross/versions.env
. "$(dirname "${BASH_SOURCE[0]}")/versions.env"

nightly_toolchain() {
    local name
    NIGHTLY=
    for name in "$RUST_NIGHTLY" nightly; do
        if [ "$(rustup run "$name" rustc -V 2>/dev/null)" = "$RUST_NIGHTLY_RUSTC" ]; then
            NIGHTLY=$name
            break
        fi
    done
    if [ -z "$NIGHTLY" ]; then
        echo "nightly: no installed toolchain is $RUST_NIGHTLY_RUSTC; installing $RUST_NIGHTLY" >&2
        rustup toolchain install "$RUST_NIGHTLY" --profile minimal --component rust-src >&2
        NIGHTLY=$RUST_NIGHTLY
        local got
        got=$(rustup run "$NIGHTLY" rustc -V)
        if [ "$got" != "$RUST_NIGHTLY_RUSTC" ]; then
            echo "nightly: $RUST_NIGHTLY is '$got', not the pinned '$RUST_NIGHTLY_RUSTC' (cross/versions.env)" >&2
            return 1
        fi
    fi
    if [ ! -d "$(rustup run "$NIGHTLY" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
        rustup component add --toolchain "$NIGHTLY" rust-src >&2
    fi
    export NIGHTLY
}
