#!/usr/bin/env bash
# Fetch axe-core (the accessibility rules engine the browser tests inject) from the npm registry,
# pinned and checked against its published integrity hash, into tests/e2e/.axe/ (git-ignored).
# See docs/adr/0008-axe-core-from-npm.md. Idempotent: does nothing when the file is there.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.14.1
INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
dest=tests/e2e/.axe
[ -f "$dest/axe-$VERSION.min.js" ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch axe-core (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$VERSION" >/dev/null)
got=$(python3 -c "import base64, hashlib, sys; print('sha512-' + base64.b64encode(hashlib.sha512(open(sys.argv[1], 'rb').read()).digest()).decode())" "$tmp/axe-core-$VERSION.tgz")
[ "$got" = "$INTEGRITY" ] || { echo "axe-core $VERSION: integrity mismatch ($got)" >&2; exit 1; }
tar -xzf "$tmp/axe-core-$VERSION.tgz" -C "$tmp" package/axe.min.js package/LICENSE
mkdir -p "$dest"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
cp "$tmp/package/axe.min.js" "$dest/axe-$VERSION.min.js"
echo "axe-core $VERSION -> $dest"
