# The smallest build (issue 5): scripts/build-smallest for x86_64 musl
# (nightly, std rebuilt for size, panic=immediate-abort). It must be static,
# fit its budget in scripts/size-budget.txt (the goal is 200,000 bytes), and
# behave like the host build: same table for the same input, --help, usage
# errors exit 2.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
case $CARGO_TARGET_DIR in /*) ;; *) CARGO_TARGET_DIR=$root/$CARGO_TARGET_DIR ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

start=$SECONDS
read -r target bin bytes < <(scripts/build-smallest x86_64-unknown-linux-musl)
echo "smallest: built in $((SECONDS - start)) s"

cargo build --locked -p tcpcount >&2
host=$CARGO_TARGET_DIR/debug/tcpcount
cp /proc/net/tcp "$work/tcp"
"$host" "$work/tcp" >"$work/host.out"
"$bin" "$work/tcp" >"$work/smallest.out"
diff -u "$work/host.out" "$work/smallest.out" || {
    echo "smallest: prints something else than the host build" >&2
    exit 1
}
"$bin" >/dev/null # live /proc
"$bin" --help | grep -q '^Usage: ' || { echo "smallest: --help prints no usage" >&2; exit 1; }
status=0
"$bin" --no-such-option 2>/dev/null || status=$?
[ "$status" -eq 2 ] || { echo "smallest: a usage error exits $status, not 2" >&2; exit 1; }

printf 'smallest %s: %d bytes (%.1f KiB)\n' "$target" "$bytes" "$(awk -v n="$bytes" 'BEGIN { print n / 1024 }')"
# size / budget / goal; fails only over the budget.
scripts/size-check smallest-x86_64-unknown-linux-musl "$bytes"
