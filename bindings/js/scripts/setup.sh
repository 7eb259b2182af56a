#!/usr/bin/env bash
# Installs what building and testing the npm package needs; each step skips itself when done.
# Fresh machine: Node 20 + npm, Rust stable, apt as root.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '==> %s\n' "$*"; }

step "wasm32-unknown-unknown target"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "wasm-bindgen CLI at the Cargo.lock version"
wb=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' "$root/Cargo.lock")
[ -n "$wb" ] || { echo "wasm-bindgen is not in Cargo.lock" >&2; exit 1; }
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb"; then
    # Not --locked: the CLI's shipped lockfile pins a crate the registry here does not serve.
    cargo install wasm-bindgen-cli --version "$wb" --no-default-features
fi
wasm-bindgen --version

step "Chromium (Debian) for the browser tests"
if [ ! -x /usr/bin/chromium ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

npm_ci() {
    local dir="$1"
    # Re-install when node_modules is missing or older than the lockfile.
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        step "npm ci in ${dir#$root/}"
        (cd "$dir" && npm ci --no-audit --no-fund)
    fi
}
npm_ci "$here"
[ -f "$root/bench/js/package-lock.json" ] && npm_ci "$root/bench/js"
echo "setup done"
