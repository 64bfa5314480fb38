# Format, lints with warnings denied, and every test of the workspace. About
# 37 s with the dependencies built (README's step table); the live test needs
# root.
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The live end-to-end tests need unshare, nsenter, ip, ss (host/tests/live.rs),
# strace (output.rs), conntrack-tools and nftables (conntrack_live.rs,
# ctnetlink_live.rs).
scripts/apt-install iproute2 util-linux python3 strace conntrack nftables
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p tcpcount-core --features defmt --locked -- -D warnings
# The JSON and Prometheus outputs are read back by real parsers (tests/read_formats.py).
python3 -c "import prometheus_client" 2>/dev/null || pip install --quiet "prometheus-client==0.26.0"
# With CI set, insta fails on a missing or changed snapshot instead of writing it.
CI=true cargo test --workspace --locked
