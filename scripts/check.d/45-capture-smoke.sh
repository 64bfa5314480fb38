# Captures fresh real tables on this machine's kernel (scripts/capture-fixtures
# into a temp dir, in private network namespaces), then checks for each
# capture that a naive count of the /proc copies equals ss's counts, that
# all-states reached every state in IPv4, IPv6 and IPv4-mapped, and that the
# tcpcount binary prints the same per-state counts. Needs root.
set -euo pipefail
scripts/apt-install python3 iproute2 util-linux
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
timeout 120 scripts/capture-fixtures --out "$tmp"
echo "captured in $((SECONDS - start)) s on kernel $(uname -r)"
ls -l "$tmp"/*/

# Naive oracle: 4th field of every row but the header, as hex; must equal ss.
python3 scripts/capture/naive-check "$tmp"/*/

# The binary must agree with ss on every capture.
cargo build -q -p tcpcount --locked
bin=${CARGO_TARGET_DIR:-target}/debug/tcpcount
for dir in "$tmp"/*/; do
    name=$(basename "$dir")
    "$bin" "$dir/tcp" "$dir/tcp6" >"$tmp/$name.out"
    python3 scripts/capture/naive-check --table "$tmp/$name.out" "$dir"
done
