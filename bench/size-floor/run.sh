#!/usr/bin/env bash
# `just size-floor`: the wasm size of the libraries alone (src/lib.rs), beside the verify
# entry's wasm (after `just build-js`), as raw and gzip -9 bytes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
export PATH="$HOME/.cargo/bin:$PATH"
(cd "$here" && cargo build --release --target wasm32-unknown-unknown --quiet)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$root/bindings/js/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int "$here/target/wasm32-unknown-unknown/release/size_floor.wasm" -o "$out/floor.wasm"
size() { printf '%8d B raw, %7d B gzip' "$(stat -c%s "$1")" "$(gzip -9c "$1" | wc -c)"; }
echo "libraries alone (Ed25519, SHA-2, base64url, base58, JSON, number formatting, allocator): $(size "$out/floor.wasm")"
v="$root/bindings/js/dist/wasm/verify.wasm"
[ -f "$v" ] && echo "mcp-attest/verify's wasm:                                                       $(size "$v")"
