# mcp-attest — every task runs through a recipe here; CI (.ci/run) calls `just ci`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @just --list --unsorted

# A real Python MCP server (mcp SDK + mcp_attest.mcp) verified by a real TypeScript MCP
# client (@modelcontextprotocol/sdk + mcp-attest/mcp) over stdio; then a tampered tool, a rug
# pull and an impostor key, each refused.

# The main job: a Python MCP server verified by a TypeScript client, then three attacks refused.
demo:
    bash bindings/js/scripts/setup.sh
    bash bindings/js/scripts/build-if-stale.sh
    bash bindings/python/scripts/build.sh
    node bindings/js/demo/demo.mjs

# The core alone, in Rust: keys, did:key, records, a signed tools list and attacks caught.
walkthrough:
    cargo run --quiet -p mcp-attest --features getrandom --example walkthrough

# Rust unit, integration, vector and doc tests; no_std builds; vector and spec drift; fuzz
# smoke; the npm package in Node, Chromium and packaging projects; the Python package and its
# wheel in a fresh virtualenv; both MCP adapters with real SDKs; the guides; the CLI.

# Every test (metadata, deny, MSRV, Rust, no_std, drift, fuzz smoke, npm, PyPI, MCP adapters, guides, CLI).
test: setup release-metadata deny msrv test-rust check-nostd vectors-check fuzz-smoke bench-smoke test-js test-js-mcp test-js-mcp-v2 test-browser-mcp test-py test-py-mcp test-cross test-guides test-cli test-cli-wheel

# Its tests run the binary, including `mcp-attest verify` against the Python and TypeScript
# test servers and `mcp-attest wrap` in front of pinned reference servers checked by both
# client adapters, so the venv, the JS package and the reference servers are prepared first
# (each step skips what is in place).

# The command-line program (crates/mcp-attest-cli) and its tests.
test-cli:
    bash bindings/python/scripts/build.sh
    bash bindings/js/scripts/setup.sh
    bash bindings/js/scripts/build-if-stale.sh
    bash crates/mcp-attest-cli/tests/ref-servers/setup.sh
    cargo test -p mcp-attest-cli

# `cargo install --path`, and the PyPI wheel of the binary (maturin, bindings = "bin") built
# and run from a fresh virtualenv.

# The CLI installed the ways users install it (cargo install; the mcp-attest-cli wheel).
test-cli-wheel:
    bash crates/mcp-attest-cli/scripts/wheel-test.sh

# Add the Rust targets the no_std builds need (skips what is already installed).
setup:
    #!/usr/bin/env bash
    set -euo pipefail
    installed=$(rustup target list --installed)
    for t in wasm32-unknown-unknown thumbv7em-none-eabi; do
        grep -qx "$t" <<<"$installed" || rustup target add "$t"
    done

# The CLI is tested by test-cli: its tests need the Python venv, and in one `--workspace
# --no-default-features` build its `getrandom` feature would be unified into the core under test.

# Rust tests of the workspace (without the CLI), with no default features and with all features.
test-rust:
    cargo test --workspace --no-default-features --exclude mcp-attest-cli
    cargo test -p mcp-attest --all-features

[doc("The core on its MSRV (Rust 1.82), with the dependencies Cargo's MSRV-aware resolver picks.")]
msrv:
    #!/usr/bin/env bash
    set -euo pipefail
    rustup toolchain list | grep -q '^1\.82' || rustup toolchain install 1.82 --profile minimal
    # Cargo.lock holds the newest versions (some need 1.85); a user on 1.82 gets older ones.
    # Resolve as they would, in a copy, so the committed lockfile is untouched.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tar --exclude=./target --exclude=./.git --exclude=./.venv --exclude=node_modules --exclude=./fuzz -cf - . | tar -xf - -C "$tmp"
    cd "$tmp"
    CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo update --quiet
    CARGO_TARGET_DIR="{{justfile_directory()}}/target/msrv" cargo +1.82 check -p mcp-attest --all-features
    echo "mcp-attest checks on Rust 1.82"

# The core builds without std for wasm32 and for a bare-metal target.
check-nostd:
    cargo build -p mcp-attest --no-default-features --target wasm32-unknown-unknown
    cargo build -p mcp-attest --no-default-features --target thumbv7em-none-eabi

# The generated tables of docs/spec.md (§5.2 numbers, §15.6 sessions, §16 error codes) are
# rewritten from the new files.

# Regenerate tests/vectors from fixed seeds, and the spec's tables generated from them.
vectors:
    cargo run --quiet -p xtask -- gen-vectors tests/vectors
    cargo run --quiet -p xtask -- spec

# docs/spec.md fails the check when a generated table was edited by hand or a case id of
# tests/vectors is missing from the spec's tables (crates/xtask/src/spec.rs).

# Fail if regenerating the vectors or the spec's tables would change them (no git needed).
vectors-check:
    #!/usr/bin/env bash
    set -euo pipefail
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cargo run --quiet -p xtask -- gen-vectors "$tmp" >/dev/null
    diff -ru tests/vectors "$tmp" --exclude README.md || { echo "tests/vectors drifted: run 'just vectors' and review the diff"; exit 1; }
    echo "tests/vectors: no drift"
    cargo run --quiet -p xtask -- spec --check

# Short fuzz run of every target (needs the nightly toolchain and cargo-fuzz).
fuzz-smoke seconds="20":
    bash fuzz/smoke.sh {{seconds}}

# Same flags as the smoke run (inputs up to 4 MiB; an input slower than 10 s is a finding),
# with the committed reproducers.

# Long fuzz run of one target, e.g. `just fuzz did_key 600`.
fuzz target seconds="600":
    bash fuzz/smoke.sh {{seconds}} {{target}}

# Benchmarks: the core's costs as ratios to raw ed25519-dalek verify_strict.
bench:
    cargo run --release --quiet -p mcp-attest-bench

# The benchmark harness in a few seconds (checks it runs; figures indicative only).
bench-smoke:
    BENCH_QUICK=1 cargo run --release --quiet -p mcp-attest-bench

# Shapes: members, tools, properties, array length, escapes, nesting at the depth limit;
# linear ≈ 4×, quadratic 16×. BENCH_QUICK=1 for a smoke run.

# Cost growth of every entry point on adversarial shapes from n to 4n; fails above 8×.
bench-cost:
    cargo run --release --quiet -p mcp-attest-bench --bin cost

# Build the npm package (cargo → wasm-bindgen → wasm-opt → tsc/esbuild) into bindings/js/dist.
build-js:
    bash bindings/js/scripts/setup.sh
    cd bindings/js && node scripts/build.mjs

# Build, every vector file in Node and in headless Chromium, bad-input tests, packaging
# tests (node-esm, node-cjs, vite) and the size budget.

# The npm package: build, vectors in Node and Chromium, packaging and size.
test-js:
    bash bindings/js/scripts/test.sh

# Real SDK servers and clients over stdio and Streamable HTTP on 127.0.0.1 (same scenarios
# as the Python adapter, plus hostile-server rewrites), a challenge flood, and replicas
# sharing a RedisReplayStore on a private redis-server.

# The TypeScript MCP adapter (mcp-attest/mcp) with real @modelcontextprotocol/sdk 1.x.
test-js-mcp:
    bash bindings/js/scripts/test-mcp.sh

# With real @modelcontextprotocol/server and /client 2.4.0 over stdio, Streamable HTTP and
# in-memory transports.

# The TypeScript MCP adapter for the split SDK 2.x packages (mcp-attest/mcp/v2).
test-js-mcp-v2:
    bash bindings/js/scripts/test-mcp-v2.sh

# A Vite page bundling the SDK client and mcp-attest, in headless Chromium, verifying a
# local Streamable HTTP server (honest, then tampered); then every example of
# docs/guide-browser.md (Vite, esbuild IIFE/ES2020, a browser MCP client), built and run in
# Chromium, with each bundle's size.

# A browser MCP client and the browser guide's examples in headless Chromium.
test-browser-mcp:
    bash bindings/js/scripts/test-browser-mcp.sh

# Gzipped size of the wasm module and JS; fails over the budget (after build-js).
wasm-size:
    cd bindings/js && node scripts/size.mjs

# bench/size-floor: the libraries built like our wasm, with none of our code; the rest of the
# verify entry is ours to cut.

# The libraries a verify-only client needs, alone, beside mcp-attest/verify's wasm (after build-js).
size-floor:
    bash bench/size-floor/run.sh

# The npm package against jose, node:crypto and @noble/ed25519 (after build-js).
bench-js:
    bash bench/js/run.sh

# Fresh processes, interleaved: bare `node -e 0`, then import + first passport verify with
# mcp-attest and with jose; medians, spreads, cost over bare node and the ratio to jose's.

# Node start-up: import + first verify against a bare `node -e 0` and against jose (after build-js).
bench-startup:
    bash bench/js/run.sh startup

# maturin develop into .venv, pytest over every vector file, stubtest, mypy, then the wheel
# installed into a fresh virtualenv and smoke-tested.

# The Python package: vectors, stubs, mypy, and its wheel in a fresh virtualenv.
test-py:
    bash bindings/python/scripts/test.sh

# Real `mcp` 2.x servers and clients, then real `mcp` 1.x ones in a second virtualenv, over
# stdio and Streamable HTTP on 127.0.0.1: honest, paginated, dropped page, rotation, tampered,
# unsigned, rug pull, removed-then-re-added, pin change, expired and revoked passports,
# replayed challenges, no identity, malformed identity data, misuse, a challenge flood, and
# replicas sharing a RedisReplayStore.

# The Python MCP adapter (mcp_attest.mcp) with real `mcp` 2.x and 1.x SDKs.
test-py-mcp:
    bash bindings/python/scripts/test-mcp.sh

# The TypeScript client against the Python server and the Python client against the
# TypeScript server, over stdio and HTTP.

# The cross-language half of the MCP end-to-end matrix (TypeScript ↔ Python).
test-cross:
    bash bindings/js/scripts/test-cross.sh

# Every example in docs/guide-typescript.md and docs/guide-python.md, run.
test-guides:
    bash docs/examples/run.sh

# Long-lived servers, a fresh client per sample; the identity flow's time is split into
# connect, the tools/list round trip, the identity/get and identity/challenge round trips and
# the client's own work. BENCH_QUICK=1 for a smoke run.

# What identity adds to connect + tools/list (10, 100, 1,000 tools; SDK 1.x, 2.x, Python).
bench-mcp:
    bash bench/mcp/run.sh

# One Node and one Python process, each interleaving ours with the peers, every ratio measured
# in 5 runs (BENCH_RUNS=n); medians and lowest–highest spread. BENCH_QUICK=1 for a smoke run.

# Every ratio of issue #14's goal table, peers included, in one command.
bench-peers:
    bash bench/peers/run.sh

# Instructions per call (valgrind callgrind) of the verify paths: raw verify_strict (the
# floor), the core, the Python and the Node bindings. `just bench-icount python` for one.

# Instruction counts of the binding verify paths against one strict verification.
bench-icount *runtimes:
    bash bench/profile/icount.sh {{runtimes}}

# The Python package against PyJWT, joserfc, cryptography and PyNaCl, and its import time.
bench-py:
    bash bench/python/run.sh

# Formatting and lints: rustfmt and clippy; ruff (lint and format) for the Python code;
# eslint and `tsc --noEmit` for the TypeScript (after building the wasm declarations it
# imports); actionlint for the release workflow; the crate, npm and PyPI versions agree.
[doc("Lints: rustfmt, clippy, ruff, eslint, tsc --noEmit, actionlint, release metadata.")]
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    python3 scripts/check-release-metadata.py
    bash bindings/python/scripts/setup.sh
    .venv/bin/ruff check
    .venv/bin/ruff format --check
    bash scripts/actionlint.sh
    bash bindings/js/scripts/setup.sh
    bash bindings/js/scripts/build-if-stale.sh
    bash bindings/js/scripts/setup-tools.sh
    cd bindings/js && tools/node_modules/.bin/eslint -c tools/eslint.config.mjs .
    cd bindings/js && node_modules/.bin/tsc -p tsconfig.json --noEmit --emitDeclarationOnly false --declaration false

# The crate, npm and PyPI versions agree; CHANGELOG.md has the version; every package ships
# the licence texts.
[doc("Check that the crate, npm and PyPI versions agree (and CHANGELOG, licences).")]
release-metadata:
    python3 scripts/check-release-metadata.py

# Licences, banned crates and sources of every dependency (deny.toml). The advisory check
# needs the RustSec database, which this machine cannot fetch: the release workflow runs it.
[doc("cargo-deny: licences, bans and sources (advisories run in the release workflow).")]
deny:
    @cargo deny --version >/dev/null 2>&1 || { echo "cargo-deny is missing: cargo install cargo-deny --version 0.19.0 --locked (.ci/run does)"; exit 1; }
    cargo deny --offline check --hide-inclusion-graph licenses bans sources

# Release wheels, built here with maturin's zig linker: manylinux2014 x86_64 and aarch64,
# musllinux_1_2 x86_64, each checked by auditwheel; the sdist built from source in a fresh
# virtualenv; the manylinux x86_64 wheel installed in a fresh virtualenv and smoke-tested.
# Into target/wheels. Slow (three release builds): .ci/run calls it once, `just test` does not.
[doc("Release wheels (manylinux2014 x86_64/aarch64, musllinux_1_2) and sdist, checked and installed.")]
wheels:
    bash bindings/python/scripts/wheels.sh

# rustdoc of the core (target/doc), TypeDoc of the npm package (target/doc-js) and pdoc of
# the Python package (target/doc-python). Broken links and doc warnings fail: rustdoc with
# -D warnings, TypeDoc with treatWarningsAsErrors (bindings/js/typedoc.json), pdoc with
# Python warnings as errors. TypeDoc reads the wasm types from a build of the npm package,
# pdoc imports the package, so both are built first (each skips itself when current).

# API references of the Rust crate, the npm package and the Python package; warnings fail.
docs:
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p mcp-attest --all-features
    bash bindings/js/scripts/build-if-stale.sh
    cd bindings/js && node_modules/.bin/typedoc --logLevel Warn
    bash bindings/python/scripts/build.sh
    rm -rf target/doc-python
    .venv/bin/python -W error -m pdoc --docformat markdown -o target/doc-python mcp_attest mcp_attest.mcp
    @echo "API references: target/doc/mcp_attest, target/doc-js, target/doc-python"

# What CI runs.
ci: lint test docs

# Remove build outputs.
clean:
    cargo clean
