# No heap (issue 3): tcpcount-core builds for bare-metal targets, and a
# no_std binary with no global allocator links it (checks/no-heap). A negative
# control makes sure such a binary really fails to build once `alloc` is used.
# The bare-metal example runs under QEMU. About 25 s (README's step table).
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scripts/apt-install binutils # readelf, size
rust_targets thumbv6m-none-eabi thumbv7em-none-eabihf

# thumbv6m (Cortex-M0) has no atomic compare-and-swap: the core must not need it.
for features in "" defmt; do
    cargo build --locked --release -p tcpcount-core --target thumbv6m-none-eabi ${features:+--features "$features"}
done

cd checks/no-heap
bin=$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/no-heap
for features in "" defmt; do
    cargo build --locked --release --target thumbv7em-none-eabihf ${features:+--features "$features"}
    # The table must really be parsed in the linked binary, not folded away.
    if ! symbols=$(readelf -sW "$bin") || ! grep -q tcpcount_core <<<"$symbols"; then
        die "no-heap: tcpcount-core code is missing from $bin"
    fi
    printf 'no-heap (thumbv7em-none-eabihf%s): links with no allocator; text+rodata %s bytes\n' \
        "${features:+, $features}" "$(text_size "$bin")"
done

# Negative control: the same binary using alloc::vec! must not build.
work_dir
log=$WORK/log
if cargo build --locked --release --target thumbv7em-none-eabihf --features alloc-canary >"$log" 2>&1; then
    die "no-heap: the alloc-canary build succeeded; the no-heap check proves nothing"
fi
if ! grep -q "no global memory allocator found" "$log"; then
    echo "no-heap: the alloc-canary build failed for another reason:" >&2
    cat "$log" >&2
    exit 1
fi
echo "no-heap: negative control ok (with alloc: \"$(grep -o 'no global memory allocator found[^;]*' "$log" | head -1)\")"

# The bare-metal example (embedded/, issue 5): builds with and without defmt.
# Both run under QEMU (mps2-an386, a Cortex-M4F) and must exit 0; the plain
# one prints its counts through semihosting, and they must be the host
# build's counts for the same table.
cd "$ROOT"
scripts/apt-install qemu-system-arm
host_build
cd embedded
example=$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/tcpcount-cortex-m
# shellcheck disable=SC2054 # the commas belong to one QEMU option
qemu=(timeout 60 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic
    -semihosting-config enable=on,target=native -kernel "$example")
cargo build --locked --release --features defmt
defmt_bytes=$("${qemu[@]}" | wc -c)
[ "$defmt_bytes" -gt 0 ] || die "embedded (defmt): logged nothing"
echo "embedded (defmt): ran under QEMU, exit 0, $defmt_bytes bytes of defmt frames; text+rodata $(text_size "$example") bytes"
cargo build --locked --release
"${qemu[@]}" >"$log"
# Same counts per state as the host build; UNKNOWN only if non-zero, as there.
"$HOST_BIN" src/table.txt | awk 'NR > 1 { print $1, $NF }' >"$log.host"
awk '!($1 == "UNKNOWN" && $2 == 0) { print $1, $2 }' "$log" >"$log.example"
diff -u "$log.host" "$log.example" || die "embedded: the example's counts differ from the host build's"
echo "embedded: ran under QEMU, counts equal the host build's; text+rodata $(text_size "$example") bytes"
