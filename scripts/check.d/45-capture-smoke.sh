# Captures fresh real tables on this machine's kernel (scripts/capture-fixtures
# into a temp dir, in private network namespaces), then checks for each
# capture that a naive count of the /proc copies equals ss's counts, that
# all-states reached every state in IPv4, IPv6 and IPv4-mapped, and that the
# tcpcount binary prints the same per-state counts. Needs root. About 5 s
# (README's step table; the captures are bounded at 120 s).
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scripts/apt-install python3 iproute2 util-linux
work_dir
tmp=$WORK
start=$SECONDS
timeout 120 scripts/capture-fixtures --out "$tmp"
echo "captured in $((SECONDS - start)) s on kernel $(uname -r)"
ls -l "$tmp"/*/

# Naive oracle: 4th field of every row but the header, as hex; must equal ss.
python3 scripts/capture/naive-check "$tmp"/*/

# The binary must agree with ss on every capture.
host_build
for dir in "$tmp"/*/; do
    name=$(basename "$dir")
    "$HOST_BIN" "$dir/tcp" "$dir/tcp6" >"$tmp/$name.out"
    python3 scripts/capture/naive-check --table "$tmp/$name.out" "$dir"
done
