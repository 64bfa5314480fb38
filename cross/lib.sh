# Shared by the cross/ scripts (sourced, not run): paths, the target table,
# and fetching the pinned zig and qemu-user into .cache/cross.
# shellcheck shell=bash

CROSS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$CROSS_DIR/.." && pwd)
# TCPCOUNT_CROSS_CACHE: another checkout's cache (step 65 shares one).
CACHE=${TCPCOUNT_CROSS_CACHE:-$ROOT/.cache/cross}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
# shellcheck source=cross/versions.env
. "$CROSS_DIR/versions.env"

die() {
    echo "cross: $*" >&2
    exit 1
}

# All target names, in table order.
target_names() {
    grep -v '^#' "$CROSS_DIR/targets.tsv" | cut -f1
}

# target_load NAME: sets T_NAME T_RUST T_ZIG T_ZIG_CPU T_QEMU T_QEMU_CPU
# T_DEVICES from cross/targets.tsv. NAME may also be the Rust target triple.
target_load() {
    local line
    line=$(grep -v '^#' "$CROSS_DIR/targets.tsv" | awk -F'\t' -v n="$1" '$1 == n || $2 == n') || true
    [ -n "$line" ] || die "unknown target '$1' (known: $(target_names | tr '\n' ' '))"
    # shellcheck disable=SC2034 # used by the scripts that source this
    IFS=$'\t' read -r T_NAME T_RUST T_ZIG T_ZIG_CPU T_QEMU T_QEMU_CPU T_DEVICES <<<"$line"
}

# target_expand ARG...: the target names the arguments stand for ("all" or
# none = every target).
target_expand() {
    if [ $# -eq 0 ] || [ "$*" = all ]; then
        target_names
    else
        local name
        for name in "$@"; do
            target_load "$name"
            echo "$T_NAME"
        done
    fi
}

sha256_check() { # FILE SHA256
    echo "$2  $1" | sha256sum --check --status || die "$1: sha256 is not $2"
}

# fetch_zig: sets ZIG to the pinned zig binary, downloading the ziglang wheel
# from PyPI and unpacking it under .cache/cross the first time.
fetch_zig() {
    local dir=$CACHE/zig-$ZIG_VERSION
    ZIG=$dir/ziglang/zig
    [ -x "$ZIG" ] && [ -f "$dir/.complete" ] && return 0
    mkdir -p "$CACHE/dl"
    local wheel=$CACHE/dl/$ZIG_WHEEL
    if [ ! -f "$wheel" ]; then
        python3 -m pip download --quiet --no-deps --only-binary=:all: \
            --platform manylinux_2_12_x86_64 --python-version 3.11 \
            --dest "$CACHE/dl" "ziglang==$ZIG_VERSION" >&2
    fi
    [ -f "$wheel" ] || die "pip did not save $wheel"
    sha256_check "$wheel" "$ZIG_WHEEL_SHA256"
    rm -rf "$dir"
    mkdir -p "$dir"
    python3 -m zipfile -e "$wheel" "$dir"
    chmod +x "$ZIG"
    [ "$("$ZIG" version)" = "$ZIG_VERSION" ] || die "$ZIG is not version $ZIG_VERSION"
    touch "$dir/.complete"
}

# fetch_qemu: sets QEMU_BIN to a directory holding qemu-*-static, from the
# pinned Debian qemu-user-static package unpacked under .cache/cross (nothing
# is installed; no binfmt handler is registered).
fetch_qemu() {
    local dir=$CACHE/qemu-user
    QEMU_BIN=$dir/usr/bin
    [ -f "$dir/.complete" ] && return 0
    mkdir -p "$CACHE/dl"
    local deb version=$QEMU_USER_VERSION
    rm -f "$CACHE"/dl/qemu-user-static_*.deb
    if ! apt-cache show "qemu-user-static=$version" >/dev/null 2>&1; then
        apt-get update -qq >&2 || true
    fi
    if ! apt-cache show "qemu-user-static=$version" >/dev/null 2>&1; then
        version=$(apt-cache policy qemu-user-static | awk '/Candidate:/ {print $2}')
        if [ -z "$version" ] || [ "$version" = "(none)" ]; then die "apt knows no qemu-user-static"; fi
        echo "cross: WARNING: qemu-user-static $QEMU_USER_VERSION is gone from the mirror; using $version" >&2
    fi
    (cd "$CACHE/dl" && apt-get download -qq "qemu-user-static=$version" 2>/dev/null) ||
        die "apt-get download qemu-user-static=$version failed"
    deb=$(ls "$CACHE"/dl/qemu-user-static_*.deb)
    [ "$version" != "$QEMU_USER_VERSION" ] || sha256_check "$deb" "$QEMU_USER_SHA256"
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    echo "$version" >"$dir/.complete"
}

# qemu_run NAME BINARY ARG...: runs a binary of target NAME under qemu-user,
# on the CPU model named in the target table.
qemu_run() {
    target_load "$1"
    shift
    "$QEMU_BIN/qemu-$T_QEMU-static" -cpu "$T_QEMU_CPU" "$@"
}

# shellcheck source=cross/nightly.sh
. "$CROSS_DIR/nightly.sh"
# nightly_check: the pinned nightly with rust-src, which -Zbuild-std needs, as
# $NIGHTLY (cross/nightly.sh).
nightly_check() {
    nightly_toolchain || die "the pinned nightly is not available"
}

# remap_flags: rustc flags that replace the machine's paths (cargo's home,
# the toolchain's std sources) in what the build embeds, so that builds on
# machines with other homes give the same bytes. The checkout's own path needs
# none: cargo names workspace sources relative to it. The flags must not name
# the checkout either: they are part of every crate's fingerprint, and std
# would be rebuilt for each directory.
remap_flags() {
    local sysroot
    sysroot=$(rustup run "${NIGHTLY:-nightly}" rustc --print sysroot)
    echo "--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$sysroot/lib/rustlib/src/rust=/rustc/src"
}

# tiny_flags: the rustflags of the tiny build (cross/build --tiny) for the
# target of the last target_load, each measured in docs/routers.md ("Size
# levers"). Relative paths are from the workspace root, where cargo runs
# rustc, so the flags name no checkout (reproducible, and std is not rebuilt
# for another directory).
# - no unwind tables (nothing unwinds with panic = "immediate-abort"):
#   -C force-unwind-tables=no for what rustc compiles (on ARM the .ARM.exidx
#   entries), and cross/discard-sections.ld for the rest (zig's musl and
#   compiler-rt) with the MIPS .pdr records, dropped at link time;
# - -C relocation-model=static: plain non-PIC code (on MIPS no $gp/GOT
#   loads and calls through $t9); the executables were already ET_EXEC, not
#   PIE, so only the code changes;
# - armv7: Thumb-2 code (+thumb-mode), which every ARMv7-A CPU runs; the
#   ARMv6 and ARMv5TE CPUs have only Thumb-1, so they stay in ARM code;
# - -Z fmt-debug=shallow: derived Debug impls print only the type or variant
#   name; tcpcount prints no derived Debug (its {:?} are of strings, whose
#   Debug is not derived and keeps its quotes), and the messages compared by
#   cross/compare are unchanged;
# - ARM: LLVM's machine outliner, which moves repeated instruction sequences
#   into shared functions (LLVM has none for MIPS);
# - no unwinder: cross/no-unwinder.c (compiled by zig cc, first on the link
#   line) defines the unwinder's entry points as traps, and cross/zig-cc then
#   drops rustc's -lunwind, so libunwind and the printf it reports its own
#   errors with stay out;
# - armv5te and armv6: Thumb (Thumb-1) code too, with rustix's libc backend
#   (--cfg rustix_use_libc), whose raw-syscall assembly for ARM is not
#   Thumb-1 code. armv6 needs more (its Rust target is "arm", which LLVM's
#   assembler takes for a CPU without Thumb, and Thumb-1 has no exclusive
#   loads and stores): Thumb through per-package rustflags
#   (tiny_cargo_args) for every crate but compiler_builtins, whose
#   assembly would not assemble, atomics through the kernel's user helpers
#   (--cfg kernel_user_helpers, as compiler_builtins does for armv5te) and
#   cross/armv6-atomics.c for the two 64-bit ones std uses;
# - --cfg tcpcount_small: the core leaves inlining to the compiler instead
#   of forcing it in its hot parsers (a speed lever at opt-level 3 on
#   x86_64, where it stays);
# - identical code folding: lld's --icf=safe (cross/zig-cc adds it to zig's
#   link), which folds functions and read-only data whose address nothing
#   compares, as the address-significance tables of -C llvm-args=--addrsig
#   say (without them lld folds nothing in Rust's objects);
# - MIPS: no division-by-zero trap after each division
#   (-mno-check-zero-division): Rust checks the divisor itself before
#   dividing, and zig's musl is compiled apart, with its own flags.
tiny_flags() {
    local flags="-C force-unwind-tables=no -C link-arg=-Wl,-T,cross/discard-sections.ld -C relocation-model=static -Z pre-link-arg=cross/no-unwinder.c -Z fmt-debug=shallow"
    flags+=" --cfg tcpcount_small -C llvm-args=--addrsig -C link-arg=-Wl,--icf=safe"
    [ "$T_QEMU" = arm ] || flags+=" -C llvm-args=-mno-check-zero-division"
    case $T_NAME in
    armv7) flags+=" -C target-feature=+thumb-mode" ;;
    armv5te) flags+=" -C target-feature=+thumb-mode --cfg rustix_use_libc" ;;
    armv6) flags+=" --cfg rustix_use_libc --cfg kernel_user_helpers -Z pre-link-arg=cross/armv6-atomics.c" ;;
    esac
    [ "$T_QEMU" != arm ] || flags+=" -C llvm-args=-enable-machine-outliner=always"
    echo "$flags"
}

# tiny_cargo_args: more cargo arguments of the tiny build for the target of
# the last target_load, one per line (cross/build gives such a target a
# cargo run of its own): armv6's Thumb code for every package but
# compiler_builtins (see tiny_flags).
tiny_cargo_args() {
    [ "$T_NAME" = armv6 ] || return 0
    local thumb='rustflags=["-Ctarget-feature=+thumb-mode"]' package
    # With per-package rustflags cargo's strip = false is not enough.
    [ -z "${CROSS_KEEP_SYMBOLS:-}" ] || thumb='rustflags=["-Ctarget-feature=+thumb-mode","-Cstrip=none"]'
    echo -Zprofile-rustflags
    for package in '"*"' tcpcount tcpcount-core; do
        printf '%s\n' --config "profile.tiny.package.$package.$thumb"
    done
    printf '%s\n' --config 'profile.tiny.package.compiler_builtins.rustflags=[]'
}

# cargo_env NAME...: exports what cargo needs to build for each target NAME
# with the zig linker (fetch_zig first), adding tiny_flags when CROSS_TINY is
# set, and CROSS_EXTRA_RUSTFLAGS (for measuring a lever before adopting it).
# Only environment variables: .cargo/config.toml is left alone.
cargo_env() {
    local name var
    for name in "$@"; do
        target_load "$name"
        var=$(echo "$T_RUST" | tr 'a-z-' 'A-Z_')
        export "CARGO_TARGET_${var}_LINKER=$CACHE/bin/zig-cc"
        # +crt-static: the mips musl targets default to dynamic linking.
        # link-self-contained=no: crt1.o, libc and libunwind come from zig.
        export "CARGO_TARGET_${var}_RUSTFLAGS=-C target-feature=+crt-static -C link-self-contained=no -C link-arg=-target -C link-arg=$T_ZIG -C link-arg=-mcpu=$T_ZIG_CPU $(remap_flags)${CROSS_TINY:+ $(tiny_flags)}${CROSS_EXTRA_RUSTFLAGS:+ $CROSS_EXTRA_RUSTFLAGS}"
    done
    # The linker from the cache, so that its path (which cargo may count in
    # the fingerprint) is the same from another checkout sharing the cache.
    mkdir -p "$CACHE/bin"
    cmp -s "$CROSS_DIR/zig-cc" "$CACHE/bin/zig-cc" || install -m 0755 "$CROSS_DIR/zig-cc" "$CACHE/bin/zig-cc"
    export CROSS_ZIG=$ZIG
    export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache
}

# elf_check NAME FILE: fails unless FILE is a static ELF executable for target
# NAME (class, byte order and machine; no program interpreter, no dynamic
# section).
elf_check() {
    target_load "$1"
    local file=$2 header want_machine want_data
    header=$(readelf --file-header --program-headers --dynamic "$file") || die "$file: not ELF"
    case $T_QEMU in
    arm) want_machine=ARM want_data=little ;;
    mipsel) want_machine='MIPS R3000' want_data=little ;;
    mips) want_machine='MIPS R3000' want_data=big ;;
    *) die "no ELF expectation for $T_QEMU" ;;
    esac
    grep -q "Class: *ELF32" <<<"$header" || die "$file: not ELF32"
    grep -q "Data: .*$want_data endian" <<<"$header" || die "$file: not $want_data endian"
    grep -q "Machine: *$want_machine" <<<"$header" || die "$file: machine is not $want_machine"
    grep -q "Type: *EXEC" <<<"$header" || die "$file: not a static executable (ET_EXEC)"
    ! grep -q 'INTERP' <<<"$header" || die "$file: has a program interpreter (dynamic)"
    grep -q 'There is no dynamic section' <<<"$header" || die "$file: has a dynamic section"
}
