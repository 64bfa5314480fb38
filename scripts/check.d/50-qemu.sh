# Real kernels (issue 5): tcpcount in a BusyBox-only initramfs, booted on
# Debian's own x86_64 and arm64 kernels under QEMU (TCG), compared with
# busybox netstat -ant in the same guest; also with ipv6.disable=1, without
# /proc, and on a read-only root. See docs/qemu.md. Prints per-boot times.
set -euo pipefail
cd "$(dirname "$0")/../.."
# qemu-system-* from bookworm; apt removes a qemu-utils from bookworm-backports
# if one is installed (the version skew forbids both; nothing here uses it).
# cpio packs the initramfs; xz unpacks the x86_64 vmlinux for a PVH boot; the
# keyring verifies the private apt state; the x86_64 initramfs packs this
# host's nft (conntrack scenario) and ip (offload scenario: a flowtable router
# with [OFFLOAD] entries).
scripts/apt-install qemu-system-x86 qemu-system-arm cpio xz-utils debian-archive-keyring nftables iproute2
# qemu/run adds the Rust targets (rustup target add). The router arches of
# qemu/arches (armhf, mipsel) boot in step 60, after their cross builds.
qemu/run x86_64 aarch64
