#!/usr/bin/env bash
# The release wheels and sdist, built on this machine (`just wheels`; .ci/run calls it once):
#   manylinux2014 (glibc 2.17) x86_64 and aarch64, musllinux_1_2 x86_64 — maturin --zig, zig
#   from the `ziglang` PyPI package, so the glibc floor does not depend on this machine's;
#   `auditwheel show` must put each at its tag and find no external library to bundle;
#   the sdist built and installed from source in a fresh virtualenv (pip fetches maturin);
#   the manylinux x86_64 wheel installed into another fresh virtualenv and smoke-tested.
# No musl CPython here: the musllinux wheel is built and checked, not run. Output: target/wheels.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # bindings/python
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
out="$root/target/wheels"
export PATH="$venv/bin:$HOME/.cargo/bin:$PATH"     # maturin finds zig as `python -m ziglang`

step() { printf '\n==> wheels: %s\n' "$*"; }

bash "$here/scripts/setup.sh"
installed=$(rustup target list --installed)
for t in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl; do
    grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

rm -rf "$out"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# target, compatibility tag, the platform tag auditwheel must report.
builds=(
    "x86_64-unknown-linux-gnu manylinux2014 manylinux_2_17_x86_64"
    "aarch64-unknown-linux-gnu manylinux2014 manylinux_2_17_aarch64"
    "x86_64-unknown-linux-musl musllinux_1_2 musllinux_1_2_x86_64"
)
for b in "${builds[@]}"; do
    read -r target compat tag <<<"$b"
    step "maturin build --zig --target $target --compatibility $compat"
    (cd "$here" && maturin build --release --quiet --zig --target "$target" --compatibility "$compat" --out "$tmp/$target")
    wheel=$(ls "$tmp/$target"/*.whl)
    case "$(basename "$wheel")" in
        *"$tag"*) ;;
        *) echo "$(basename "$wheel"): expected the tag $tag" >&2; exit 1 ;;
    esac
    step "auditwheel show $(basename "$wheel")"
    python3 "$here/scripts/audit_wheel.py" "$wheel" "$tag"
    mv "$wheel" "$out/"
done

step "sdist, then built from source in a fresh virtualenv"
(cd "$here" && maturin sdist --out "$tmp/sdist")
sdist=$(ls "$tmp"/sdist/*.tar.gz)
tar tzf "$sdist" >"$tmp/sdist.txt"
for f in LICENSE-MIT LICENSE-APACHE pyproject.toml python/mcp_attest/py.typed crates/mcp-attest/Cargo.toml; do
    grep -q "^[^/]*/$f\$" "$tmp/sdist.txt" || { echo "$(basename "$sdist") lacks $f" >&2; exit 1; }
done
python3 -m venv "$tmp/sdist-venv"
# Its own target dir under target/, so a second run is incremental; pip's isolated build
# environment fetches maturin from PyPI as a user's pip would.
CARGO_TARGET_DIR="$root/target/sdist-build" "$tmp/sdist-venv/bin/python" -m pip install --quiet --disable-pip-version-check "$sdist"
(cd "$tmp" && "$tmp/sdist-venv/bin/python" "$here/scripts/smoke.py")
mv "$sdist" "$out/"

step "the manylinux x86_64 wheel in a fresh virtualenv: smoke test"
wheel=$(ls "$out"/*manylinux_2_17_x86_64*.whl)
python3 -m venv --without-pip "$tmp/venv"
"$venv/bin/python" -m pip --python "$tmp/venv/bin/python" install --quiet --no-index --disable-pip-version-check "$wheel"
(cd "$tmp" && "$tmp/venv/bin/python" "$here/scripts/smoke.py")

step "built"
for f in "$out"/*; do
    printf '%-80s %6s KiB\n' "$(basename "$f")" "$(( ($(stat -c %s "$f") + 1023) / 1024 ))"
done
