# The smallest build (issue 5): scripts/build-smallest for x86_64 musl
# (nightly, std rebuilt for size, panic=immediate-abort). It must be static,
# fit its budget in scripts/size-budget.txt (the goal is 200,000 bytes), and
# behave like the host build: same table for the same input, --help, usage
# errors exit 2. About 24 s with nightly's std already built (README's step
# table); the first build on a machine takes a few minutes more.
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
work_dir

start=$SECONDS
read -r target bin bytes < <(scripts/build-smallest x86_64-unknown-linux-musl)
echo "smallest: built in $((SECONDS - start)) s"

host_build
cp /proc/net/tcp "$WORK/tcp"
"$HOST_BIN" "$WORK/tcp" >"$WORK/host.out"
"$bin" "$WORK/tcp" >"$WORK/smallest.out"
diff -u "$WORK/host.out" "$WORK/smallest.out" || die "smallest: prints something else than the host build"
"$bin" >/dev/null # live /proc
"$bin" --help | grep -q '^Usage: ' || die "smallest: --help prints no usage"
status=0
"$bin" --no-such-option 2>/dev/null || status=$?
[ "$status" -eq 2 ] || die "smallest: a usage error exits $status, not 2"

printf 'smallest %s: %d bytes (%.1f KiB)\n' "$target" "$bytes" "$(awk -v n="$bytes" 'BEGIN { print n / 1024 }')"
# size / budget / goal; fails only over the budget.
scripts/size-check smallest-x86_64-unknown-linux-musl "$bytes"
