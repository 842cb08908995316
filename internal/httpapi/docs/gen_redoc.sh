#!/bin/sh
# gen_redoc.sh puts ReDoc's standalone bundle where //go:embed finds it, so that
# /redoc is served from the binary. `go generate` runs it from this directory.
#
# The ReDoc release and every package npm fetches are pinned, with their
# integrity hashes, by redoc/package.json and redoc/package-lock.json; `npm ci`
# refuses to run when the two disagree, so this script never resolves a new
# version. Nothing is downloaded except by npm from the configured registry.
# Re-running it is safe: npm ci starts from an empty node_modules and the bundle
# is replaced atomically.
set -eu

cd "$(dirname "$0")/redoc"

if ! command -v npm >/dev/null 2>&1; then
	echo "gen_redoc.sh: npm is not on PATH; install Node.js to embed ReDoc (without it /redoc loads the pinned bundle from the CDN)" >&2
	exit 1
fi

# --ignore-scripts: no package gets to run code on this machine; the bundle is
# a prebuilt file and needs no install step.
# --omit=peer: ReDoc's peers (React, MobX, styled-components) are already
# inside the standalone bundle, so there is no need to fetch them again.
npm ci --ignore-scripts --omit=peer --no-audit --no-fund --loglevel=error

src=node_modules/redoc/bundles/redoc.standalone.js
if [ ! -s "$src" ]; then
	echo "gen_redoc.sh: $src is missing or empty after npm ci" >&2
	exit 1
fi

cp "$src" dist/redoc.standalone.js.tmp
mv dist/redoc.standalone.js.tmp dist/redoc.standalone.js

# node_modules is only a means to the bundle; removing it keeps a directory
# full of JavaScript out of the Go module tree (./... patterns, gofmt -l).
rm -rf node_modules

echo "gen_redoc.sh: embedded redoc $(sed -n 's/.*"redoc": *"\([^"]*\)".*/\1/p' package.json | head -n 1) from redoc/package-lock.json"
