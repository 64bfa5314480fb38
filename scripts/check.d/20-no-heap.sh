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
trap 'rm -f "$log"' EXIT
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
