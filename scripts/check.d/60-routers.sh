# Router CPUs (docs/routers.md): build the shipped (tiny) static tcpcount for
# each target in cross/targets.tsv (nightly -Zbuild-std, zig as the linker,
# panic=immediate-abort), hold each to its size budget, check each is a
# static ELF32 for its CPU, run each under qemu-user over every fixture and
# compare with the host build byte for byte, and run tcpcount-core's tests on
# 32-bit big-endian mips under qemu-user with the host's netlink and ctnetlink
# golden-byte tests (cross/test-core); then boot Debian's armhf and mipsel (Malta) kernels
# with the armv7 and mipsel binaries in a BusyBox initramfs (qemu/run armhf
# mipsel: tcpcount --source proc/netlink/auto vs busybox netstat -ant, with
# inet_diag and tcp_diag insmodded; docs/qemu.md). Prints sizes and times.
#   ROUTERS_TARGETS="armv7 mips"   only these targets (default: all)
#   ROUTERS_RELEASE=1              also the release builds (not shipped),
#                                  compared the same way
# shellcheck shell=bash
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/apt-install binutils qemu-system-arm qemu-system-mips cpio xz-utils debian-archive-keyring
sizes=$(mktemp)
trap 'rm -f "$sizes"' EXIT
read -r -a targets <<<"${ROUTERS_TARGETS:-all}"
step_start=$SECONDS

start=$SECONDS
cross/build --tiny "${targets[@]}" | tee "$sizes"
build_s=$((SECONDS - start))

start=$SECONDS
cross/compare --tiny "${targets[@]}"
compare_s=$((SECONDS - start))

release_s=-
if [ "${ROUTERS_RELEASE:-0}" = 1 ]; then
    start=$SECONDS
    cross/build "${targets[@]}" | tee -a "$sizes"
    cross/compare "${targets[@]}"
    release_s=$((SECONDS - start))
fi

# All of the core's tests (built at opt-level 1: cross/test-core); the
# oracle's property tests with 150 cases instead
# of 600 (under qemu-user they took 205 s at 600; the full count runs natively
# in 10-rust and 35-i686).
start=$SECONDS
TCPCOUNT_ORACLE_CASES=150 cross/test-core mips
test_s=$((SECONDS - start))

# The real kernels: armhf needs the armv7 build, mipsel the mipsel one.
boots=()
[[ " ${targets[*]} " == *" all "* || " ${targets[*]} " == *" armv7 "* ]] && boots+=(armhf)
[[ " ${targets[*]} " == *" all "* || " ${targets[*]} " == *" mipsel "* ]] && boots+=(mipsel)
boot_s=-
if [ ${#boots[@]} -gt 0 ]; then
    start=$SECONDS
    qemu/run "${boots[@]}"
    boot_s=$((SECONDS - start))
fi

echo "routers: sizes of static tcpcount (bytes; $(. cross/versions.env && echo "$RUST_NIGHTLY_RUSTC"))"
awk '{ printf "  %-9s %-5s %-32s %8d\n", $1, ($4 ~ /-tiny\//) ? "tiny" : "", $2, $3 }' "$sizes"
# The tiny builds are what scripts/release ships: each held by its line
# "tiny-TRIPLE BUDGET GOAL" of scripts/size-budget.txt (issue 15's goals).
while read -r _ triple bytes path; do
    [[ $path == */routers/*-tiny/tcpcount ]] || continue
    scripts/size-check "tiny-$triple" "$bytes"
done <"$sizes"
echo "routers: tiny build ${build_s} s, compare ${compare_s} s, release ${release_s} s, core tests on mips ${test_s} s, router boots (${boots[*]}) ${boot_s} s, step $((SECONDS - step_start)) s on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
