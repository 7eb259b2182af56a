#!/usr/bin/env bash
# Builds every cargo-fuzz target and runs each one for a short, fixed time with its
# committed seeds. Exits non-zero if any target crashes, hangs, leaks or runs out of memory.
#
# Usage: fuzz/smoke.sh [SECONDS] [TARGET...]
#   SECONDS  per-target run time (default 20)
#   TARGET   targets to run (default: all of them, one after another)
# Needs: a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Crash inputs are written to fuzz/artifacts/<target>/; logs to $FUZZ_LOG_DIR (default: a
# fresh temporary directory); for a failing target the panic or sanitizer report is printed.
set -euo pipefail

secs="${1:-20}"
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS] [TARGET...]  (SECONDS must be a positive integer, got '$secs')" >&2
    exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$fuzz_dir")"
cd "$repo_dir"

# Largest input libFuzzer generates: 4 MiB for every target, the largest default input
# limit of any entry point (a tools/list result), so inputs reach every size an entry point
# accepts and -timeout below turns a slow input into a finding rather than a pass.
# (Parsers with smaller limits refuse the excess first; libFuzzer's length control still
# starts small and grows.)
MAX_LEN=4194304
# Seconds one input may take before libFuzzer reports it as a timeout (a finding).
TIMEOUT=10
declare -A max_len=(
    [did_key]=$MAX_LEN
    [key_import]=$MAX_LEN
    [records]=$MAX_LEN
    [json_jcs]=$MAX_LEN
    [tools_list]=$MAX_LEN
    [jws]=$MAX_LEN
    [passport]=$MAX_LEN
    [trust_store]=$MAX_LEN
    [identity_challenge]=$MAX_LEN
    [session]=$MAX_LEN
    [evidence]=$MAX_LEN
    [caller]=$MAX_LEN
    [interop]=$MAX_LEN
    [gate]=$MAX_LEN
)
all_targets=(did_key key_import json_jcs tools_list jws records passport trust_store identity_challenge session evidence caller interop gate)
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
    if [[ -z "${max_len[$t]:-}" ]]; then
        echo "unknown fuzz target '$t' (known: ${all_targets[*]})" >&2
        exit 2
    fi
done

# libFuzzer needs the nightly toolchain, which rustup here cannot install on demand: a
# machine without one skips the smoke run, loudly, rather than failing every other test.
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "SKIPPED fuzz smoke run: no nightly toolchain on this machine (rustup toolchain list)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
    exit 1
fi

log_dir="${FUZZ_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mcp-attest-fuzz.XXXXXX")}"
mkdir -p "$log_dir"

# Same flags for build and run, so `run` does not rebuild. No -jobs/-workers: without them
# libFuzzer runs one in-process worker; -jobs=1 would fork a child logging to ./fuzz-0.log.
build_flags=(--fuzz-dir "$fuzz_dir" --release --debug-assertions)

echo "== building fuzz targets"
cargo +nightly fuzz build "${build_flags[@]}"

failed=()
for t in "${targets[@]}"; do
    corpus="$fuzz_dir/corpus/$t"
    seeds="$fuzz_dir/seeds/$t"
    artifacts="$fuzz_dir/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    inputs=("$corpus")
    if [[ -d "$seeds" ]]; then inputs+=("$seeds"); fi
    # Committed reproducers of past crashes run first, as part of the seed set.
    if compgen -G "$fuzz_dir/regressions/$t-*" >/dev/null; then
        reg="$log_dir/regressions-$t"
        mkdir -p "$reg"
        cp "$fuzz_dir"/regressions/"$t"-* "$reg"/
        inputs+=("$reg")
    fi
    # Large adversarial seeds near the entry point's limits (generated, not committed), so
    # that libFuzzer, which grows input length slowly, starts at the sizes where a quadratic
    # path shows. Skipped, loudly, without python3.
    if command -v python3 >/dev/null; then
        large="$log_dir/large-$t"
        python3 "$fuzz_dir/large_seeds.py" "$t" "$large"
        if compgen -G "$large/*" >/dev/null; then inputs+=("$large"); fi
    else
        echo "   (no python3: large seeds skipped for $t)"
    fi
    log="$log_dir/$t.log"
    echo "== $t: ${secs}s (log: $log)"
    if cargo +nightly fuzz run "${build_flags[@]}" "$t" "${inputs[@]}" -- \
        -max_total_time="$secs" \
        -max_len="${max_len[$t]}" \
        -rss_limit_mb=2048 \
        -timeout="$TIMEOUT" \
        -report_slow_units=2 \
        -artifact_prefix="$artifacts/" \
        -print_final_stats=1 \
        >"$log" 2>&1; then
        grep -E '^#[0-9]+' "$log" | tail -n 1 || true
    else
        echo "!! $t FAILED (full log: $log):" >&2
        grep -E -A4 'panicked at|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|^SUMMARY' "$log" | head -n 30 >&2 || true
        grep -E -A2 '^Failing input:' "$log" >&2 || tail -n 20 "$log" >&2
        failed+=("$t")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz smoke run failed: ${failed[*]} (inputs in $fuzz_dir/artifacts/)" >&2
    exit 1
fi
echo "fuzz smoke run passed: ${targets[*]} (${secs}s each)"
