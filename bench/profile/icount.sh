#!/usr/bin/env bash
# Instructions per call of the verify paths, counted by callgrind (immune to the timing noise
# of a shared machine): each op runs twice, with N1 and N2 calls, and the difference of the
# two totals divided by N2 - N1 is one call's marginal cost (start-up and imports cancel).
#   rust    raw ed25519-dalek verify_strict (the floor), the core's verify and passport::verify,
#           and the core's client session (tools/list + identity/get + report) on 10 and 100
#           tools captured from a real SDK 1.x server (capture.mjs)
#   python  the PyPI package's VerifyingKey.verify and verify_passport (.venv)
#   node    the npm package's vk.verify and verifyPassport (wasm, after a JIT warm-up), and the
#           glue's verifyPassport without the TypeScript layer; ICOUNT_JS_DIST=dir counts another
#           build (a copy of bindings/js/dist, with ICOUNT_JS_GLUE=dir a copy of its
#           target/wasm-stage/node-glue) for a before/after
# Usage: bash bench/profile/icount.sh [rust|python|node ...]   (default: all three)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/profile"
export PATH="$HOME/.cargo/bin:$PATH"
command -v valgrind >/dev/null || { echo "icount.sh: valgrind is missing (apt-get install -y valgrind)"; exit 1; }
N1=${ICOUNT_N1:-200}
N2=${ICOUNT_N2:-1200}
# V8's JIT and GC make a Node count vary by a few per cent from run to run: the median of 3.
NODE_REPEATS=${ICOUNT_NODE_REPEATS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Total instructions (Ir) of one run of "$@".
ir() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" --smc-check=all-non-file "$@" >/dev/null 2>"$tmp/err" \
        || { cat "$tmp/err" >&2; exit 1; } # stderr: stdout is the caller's $(…)
    grep -m1 '^summary:\|^totals:' "$tmp/out" | awk '{print $2}'
}
per_call() { # label, repeats, command with %N% where the count goes
    local label=$1 repeats=$2; shift 2
    local a b xs=()
    for _ in $(seq "$repeats"); do
        a=$(ir "${@/#%N%/$N1}")
        b=$(ir "${@/#%N%/$N2}")
        xs+=($(( (b - a) / (N2 - N1) )))
    done
    local sorted=($(printf '%s\n' "${xs[@]}" | sort -n))
    printf '  %-44s %10d instructions/call%s\n' "$label" "${sorted[$(( ${#sorted[@]} / 2 ))]}" \
        "$([ "$repeats" -gt 1 ] && echo " (median of $repeats: ${sorted[*]})")"
}

what=("$@")
[ ${#what[@]} -gt 0 ] || what=(rust python node)
echo "instructions per call (callgrind, ($N2 − $N1) calls), $(date -u +%F)"
for w in "${what[@]}"; do
    case $w in
    rust)
        cargo build --release --quiet -p mcp-attest-bench --bin icount
        bin="$root/target/release/icount"
        for op in verify_strict core_verify passport passport_pinned; do per_call "rust $op" 1 "$bin" "$op" %N%; done
        # The client side of verifyServer in the core alone, on a real SDK server's answers.
        bash "$root/bindings/js/scripts/build-if-stale.sh" >/dev/null
        for tools in 10 100; do
            mkdir -p "$tmp/cap$tools"
            now=$(node "$here/capture.mjs" "$tools" "$tmp/cap$tools")
            # About 24 M instructions a call at 100 tools: 2 and 12 calls are plenty.
            N1=2 N2=12 per_call "rust session, $tools tools (no challenge)" 1 "$bin" session %N% "$tmp/cap$tools" "$now"
        done ;;
    python)
        bash "$root/bindings/python/scripts/build.sh" >/dev/null
        for op in ed25519 passport passport_pinned; do per_call "python $op" 1 "$root/.venv/bin/python" "$here/icount_py.py" "$op" %N%; done ;;
    node)
        [ -n "${ICOUNT_JS_DIST:-}" ] || bash "$root/bindings/js/scripts/build-if-stale.sh" >/dev/null
        for op in ed25519 passport passport_pinned passport_glue; do per_call "node $op" "$NODE_REPEATS" node "$here/icount_node.mjs" "$op" %N%; done ;;
    *) echo "icount.sh: unknown runtime $w (rust, python, node)"; exit 1 ;;
    esac
done
