# shellcheck shell=bash
# Shared by scripts/, scripts/check.d/ and bench/ (sourced, not run; takes no
# time): moves to the repository root, makes CARGO_TARGET_DIR absolute, and
# offers the few helpers the steps would otherwise each write again. Sourced
# right after `set -euo pipefail`, as `. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`
# or, from check.d/, `.../../lib.sh`.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
# Absolute, so that it still holds after a step cd's into checks/, embedded/
# or fuzz/, and exported, so that every cargo call builds into the same tree.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $CARGO_TARGET_DIR in /*) ;; *) CARGO_TARGET_DIR=$ROOT/$CARGO_TARGET_DIR ;; esac

# die MESSAGE...: the message on stderr, exit 1.
die() {
    echo "$*" >&2
    exit 1
}

# work_dir: sets WORK to a new temporary directory, removed on exit. Callers
# that need more cleanup set their own EXIT trap and remove "$WORK" in it.
work_dir() {
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
}

# host_build: the debug build of tcpcount (as the tests already built it),
# the reference the other builds are compared with; sets HOST_BIN.
host_build() {
    cargo build --locked -p tcpcount >&2
    # shellcheck disable=SC2034 # used by the scripts that source this
    HOST_BIN=$CARGO_TARGET_DIR/debug/tcpcount
}

# rust_targets TARGET...: adds the rustup targets that are not installed yet.
rust_targets() {
    local installed target
    installed=$(rustup target list --installed)
    for target in "$@"; do
        grep -qx "$target" <<<"$installed" || rustup target add "$target" >&2
    done
}

# nightly: installs a nightly toolchain unless one is there.
nightly() {
    rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
}

# text_size ELF: its text+rodata in bytes (the first column of `size`).
text_size() {
    size "$1" | awk 'NR == 2 { print $1 }'
}

# usage: prints the calling script's first comment (from line 2 to the line
# before `set -e`), its --help.
usage() {
    sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

# need_root NAME WHY: exit 2 unless run as root.
need_root() {
    [ "$(id -u)" = 0 ] || { echo "$1: run as root ($2)" >&2; exit 2; }
}
