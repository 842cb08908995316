#!/bin/sh
# rootfs.sh VERSION DIR: builds authd as a static binary and lays out the
# files of its runtime image under DIR. The Containerfile's build stage runs
# it, and so does CI's container smoke test (.ci/container-smoke.sh), which
# cannot pull a base image: both images are made of exactly these files.
#
#   DIR/root/authd              CGO off (SQLite is pure Go), version by -ldflags -X
#   DIR/root/tmp                world-writable with the sticky bit, for SQLite's temp files
#   DIR/root/etc/passwd, group  the non-root user authd (65532), for tools that show names
#   DIR/root/etc/ssl/certs/ca-certificates.crt   when the build machine has it (PostgreSQL over TLS)
#   DIR/owned/data              the volume of the SQLite default; copied with --chown=65532:65532
#
# COPY resets owners to root (it keeps modes), so what the user must own is
# a tree of its own, copied with --chown.
set -eu

version=${1:?usage: rootfs.sh VERSION DIR}
dir=${2:?usage: rootfs.sh VERSION DIR}
uid=65532

# Run from the module root, wherever called from.
cd "$(dirname "$0")/.."

mkdir -p "$dir/root/tmp" "$dir/root/etc/ssl/certs" "$dir/owned/data"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$dir/root/authd" ./cmd/authd
chmod 1777 "$dir/root/tmp"
printf 'root:x:0:0:root:/:/sbin/nologin\nauthd:x:%d:%d:authd:/data:/sbin/nologin\n' "$uid" "$uid" >"$dir/root/etc/passwd"
printf 'root:x:0:\nauthd:x:%d:\n' "$uid" >"$dir/root/etc/group"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	cp /etc/ssl/certs/ca-certificates.crt "$dir/root/etc/ssl/certs/"
fi
echo "rootfs.sh: authd $version in $dir"
