# No heap (issue 3): tcpcount-core builds for bare-metal targets, and a
# no_std binary with no global allocator links it (checks/no-heap). A negative
# control makes sure such a binary really fails to build once `alloc` is used.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
case $CARGO_TARGET_DIR in /*) ;; *) CARGO_TARGET_DIR=$root/$CARGO_TARGET_DIR ;; esac
scripts/apt-install binutils # readelf, size
rustup target add thumbv6m-none-eabi thumbv7em-none-eabihf >/dev/null 2>&1 ||
    rustup target add thumbv6m-none-eabi thumbv7em-none-eabihf

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
        echo "no-heap: tcpcount-core code is missing from $bin" >&2
        exit 1
    fi
    printf 'no-heap (thumbv7em-none-eabihf%s): links with no allocator; text+rodata %s bytes\n' \
        "${features:+, $features}" "$(size "$bin" | awk 'NR == 2 { print $1 }')"
done

# Negative control: the same binary using alloc::vec! must not build.
log=$(mktemp)
trap 'rm -f "$log" "$log".*' EXIT
if cargo build --locked --release --target thumbv7em-none-eabihf --features alloc-canary >"$log" 2>&1; then
    echo "no-heap: the alloc-canary build succeeded; the no-heap check proves nothing" >&2
    exit 1
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
cd "$root"
scripts/apt-install qemu-system-arm
cargo build --locked -p tcpcount
host=$CARGO_TARGET_DIR/debug/tcpcount
cd embedded
example=$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/tcpcount-cortex-m
# shellcheck disable=SC2054 # the commas belong to one QEMU option
qemu=(timeout 60 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic
    -semihosting-config enable=on,target=native -kernel "$example")
cargo build --locked --release --features defmt
defmt_bytes=$("${qemu[@]}" | wc -c)
[ "$defmt_bytes" -gt 0 ] || { echo "embedded (defmt): logged nothing" >&2; exit 1; }
echo "embedded (defmt): ran under QEMU, exit 0, $defmt_bytes bytes of defmt frames; text+rodata $(size "$example" | awk 'NR == 2 { print $1 }') bytes"
cargo build --locked --release
"${qemu[@]}" >"$log"
# Same counts per state as the host build; UNKNOWN only if non-zero, as there.
"$host" src/table.txt | awk 'NR > 1 { print $1, $NF }' >"$log.host"
awk '!($1 == "UNKNOWN" && $2 == 0) { print $1, $2 }' "$log" >"$log.example"
if ! diff -u "$log.host" "$log.example"; then
    echo "embedded: the example's counts differ from the host build's" >&2
    exit 1
fi
echo "embedded: ran under QEMU, counts equal the host build's; text+rodata $(size "$example" | awk 'NR == 2 { print $1 }') bytes"
