# Sourced by the scripts in qemu/: paths, the arch table, messages.
# shellcheck shell=bash

QEMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$QEMU_DIR")
# Downloads and build products; gitignored (/.cache).
CACHE=${TCPCOUNT_QEMU_CACHE:-$ROOT/.cache/qemu}

note() { echo "qemu: $*" >&2; }
die() { echo "qemu: error: $*" >&2; exit 1; }

# Names of every arch in qemu/arches.
arch_names() { awk '!/^#/ && NF { print $1 }' "$QEMU_DIR/arches"; }

# arch_load ARCH: sets the arch's columns of qemu/arches as variables.
arch_load() {
    local line
    line=$(awk -v a="$1" '!/^#/ && $1 == a' "$QEMU_DIR/arches")
    [ -n "$line" ] || die "unknown arch '$1' (qemu/arches has: $(arch_names | tr '\n' ' '))"
    # shellcheck disable=SC2034  # used by the sourcing scripts
    read -r ARCH DEB_ARCH RUST_TARGET QEMU MACHINE CPU CONSOLE KERNEL_PKG BUSYBOX_PKG IMAGE_GLOB KERNEL_BOOT MODULES BUILD SUITES <<<"$line"
    [ -n "$SUITES" ] || die "qemu/arches: line for $1 has too few columns"
    case $BUILD in
        cargo | cross:* | cross-tiny:*) ;;
        *) die "qemu/arches: $ARCH: build is '$BUILD', want cargo, cross:NAME or cross-tiny:NAME" ;;
    esac
    ARCH_CACHE=$CACHE/$ARCH
    case $KERNEL_BOOT in
        image) KERNEL=$ARCH_CACHE/vmlinuz ;;
        pvh) KERNEL=$ARCH_CACHE/vmlinux ;;
        *) die "qemu/arches: $ARCH: boot is '$KERNEL_BOOT', want image or pvh" ;;
    esac
}


# The scenarios, each with what it needs on the kernel command line. Scenarios
# with the same needs can share one boot (qemu/run groups them).
scenario_cmdline() {
    case $1 in
        normal | sources | readonly | noproc | conntrack | offload) echo "" ;;
        noipv6 | sources-noipv6) echo "ipv6.disable=1" ;;
        *) die "unknown scenario '$1' (known: $ALL_SCENARIOS)" ;;
    esac
}
ALL_SCENARIOS="normal sources readonly noproc conntrack offload noipv6 sources-noipv6"

# built_binary: the path of the static tcpcount that qemu/run builds for the
# arch of the last arch_load.
built_binary() {
    local target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
    [[ $target_dir = /* ]] || target_dir=$ROOT/$target_dir
    case $BUILD in
        cargo) echo "$target_dir/$RUST_TARGET/release/tcpcount" ;;
        cross:*) echo "$target_dir/routers/${BUILD#cross:}/tcpcount" ;;
        cross-tiny:*) echo "$target_dir/routers/${BUILD#cross-tiny:}-tiny/tcpcount" ;;
    esac
}
