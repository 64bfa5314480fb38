# Release artifacts are reproducible (issue 15): scripts/release builds
# x86_64 (stable static release) and mipsel (router tiny build, pinned nightly,
# build-std) in two copies of this tree in different directories, and every
# byte of dist/ must agree, SHA256SUMS included. Build A keeps its target
# directory in .cache/reproducible (later runs reuse std and the
# dependencies); build B starts from a copy of it with every artifact of the
# workspace crates (tcpcount, tcpcount-core) deleted, so our code is compiled
# and linked again from the other directory (when A's cache is fresh, A's
# binaries are those an earlier run built in another temporary directory:
# still two directories). About 45 s with the cache, 430 s without (mipsel's
# std), measured under load. REPRO_FULL=1: B from an empty
# target directory too (std and every dependency rebuilt; slower).
# shellcheck shell=bash
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
targets=(x86_64-unknown-linux-musl mipsel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step_start=$SECONDS

# The tree as it is (tracked and untracked files, not ignored ones).
for copy in a b; do
    mkdir -p "$work/src-$copy/tree"
    git ls-files -z --cached --others --exclude-standard |
        tar --null -T - -c | tar -x -C "$work/src-$copy/tree"
done

# One zig, zig cache and linker path for both copies (cross/lib.sh).
export TCPCOUNT_CROSS_CACHE=$root/.cache/cross
cache=$root/.cache/reproducible/target
mkdir -p "$cache"
start=$SECONDS
(cd "$work/src-a/tree" && CARGO_TARGET_DIR=$cache DIST=$work/dist-a scripts/release "${targets[@]}")
a_s=$((SECONDS - start))

start=$SECONDS
if [ "${REPRO_FULL:-0}" = 1 ]; then
    mkdir "$work/target-b"
else
    cp -a "$cache" "$work/target-b"
    find "$work/target-b" \( -name '*tcpcount*' -o -path '*/routers/*' \) -prune -exec rm -rf {} +
    left=$(find "$work/target-b" -name '*tcpcount*' | head -n 3)
    [ -z "$left" ] || { echo "reproducible: workspace artifacts left in B: $left" >&2; exit 1; }
fi
(cd "$work/src-b/tree" && CARGO_TARGET_DIR=$work/target-b DIST=$work/dist-b scripts/release "${targets[@]}")
b_s=$((SECONDS - start))

if diff -r "$work/dist-a" "$work/dist-b"; then
    echo "reproducible: dist/ identical from $work/src-a and $work/src-b:"
    sed 's/^/  /' "$work/dist-a/SHA256SUMS"
else
    echo "reproducible: the two builds differ (above)" >&2
    exit 1
fi
echo "reproducible: build A ${a_s} s, build B ${b_s} s$([ "${REPRO_FULL:-0}" = 1 ] && echo ' (full)'), step $((SECONDS - step_start)) s"
