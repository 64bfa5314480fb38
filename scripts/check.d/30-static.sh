# Static builds (issue 5): tcpcount for x86_64, i686 and aarch64 musl, each
# checked static by scripts/build-static; the x86_64 one must fit the budget in
# scripts/size-budget.txt (scripts/size-check prints size, budget and goal). Each
# binary runs here on /proc (x86_64 and i686
# natively, aarch64 under qemu-user) and must print exactly what the host
# build prints for the same tables. About 28 s (README's step table).
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
work_dir

declare -A size path
while read -r target bin bytes; do
    size[$target]=$bytes
    path[$target]=$bin
done < <(scripts/build-static)

host_build

# A frozen copy of this machine's tables, taken while a loopback listener and
# one connection to it are open, so that the counts are not all zero; the
# binaries must agree on it exactly. (Live /proc can change between two runs.)
python3 - "$WORK" <<'PY'
import shutil, socket, sys
listener = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(listener.getsockname())
server, _ = listener.accept()
for name in ("tcp", "tcp6"):
    try:
        shutil.copyfile(f"/proc/net/{name}", f"{sys.argv[1]}/{name}")
    except FileNotFoundError:  # no IPv6: the header alone is an empty table
        pass
PY
captured=("$WORK/tcp")
[ -f "$WORK/tcp6" ] && captured+=("$WORK/tcp6")
"$HOST_BIN" "${captured[@]}" >"$WORK/host.out"
# The loopback connection (two ESTABLISHED ends) and its listener must show.
awk '$1 == "ESTABLISHED" && $NF >= 2 { e = 1 } $1 == "LISTEN" && $NF >= 1 { l = 1 } END { exit !(e && l) }' "$WORK/host.out" || {
    echo "30-static: the host build does not count the loopback sockets:" >&2
    cat "$WORK/host.out" >&2
    exit 1
}

scripts/apt-install qemu-user-static
declare -A runner=([aarch64-unknown-linux-musl]=qemu-aarch64-static)
for target in x86_64-unknown-linux-musl i686-unknown-linux-musl aarch64-unknown-linux-musl; do
    run=("${path[$target]}")
    if [ -n "${runner[$target]:-}" ]; then run=("${runner[$target]}" "${run[@]}"); fi
    "${run[@]}" "${captured[@]}" >"$WORK/$target.out"
    diff -u "$WORK/host.out" "$WORK/$target.out" ||
        die "30-static: $target prints something else than the host build"
    # And live, on this machine's /proc: a full table, exit 0.
    "${run[@]}" >"$WORK/$target.live"
    grep -q '^TOTAL ' "$WORK/$target.live" || die "30-static: $target printed no TOTAL row on /proc"
    # --version names the target the binary was built for (issue 15).
    "${run[@]}" --version | grep -qx "tcpcount [0-9][0-9.]* ($target)" ||
        die "30-static: $target --version does not name $target: $("${run[@]}" --version)"
    echo "$target: same output as the host build; ran on /proc${runner[$target]:+ (under ${runner[$target]})}"
done

printf '%-28s %9s %9s\n' TARGET BYTES KIB
for target in x86_64-unknown-linux-musl i686-unknown-linux-musl aarch64-unknown-linux-musl; do
    awk -v t="$target" -v n="${size[$target]}" 'BEGIN { printf "%-28s %9d %9.1f\n", t, n, n / 1024 }'
done
# size / budget / goal; fails only over the budget.
scripts/size-check x86_64-unknown-linux-musl "${size[x86_64-unknown-linux-musl]}"
