//! `mcp-attest`: the command-line program over the mcp-attest core (issue #12, first slice).
//!
//! A thin layer: every decision is the core's; this program reads files, talks to a stdio
//! server and prints. Exit codes: 0 verified/ok, 1 refused (the code printed), 2 usage
//! (clap), 3 could not check. See docs/cli.md.

// A command-line program is std by nature: the core's no_std lints (std_instead_of_core,
// std_instead_of_alloc) do not apply to it.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod commands;
mod dns;
mod evidence;
mod gateway;
mod http;
mod keyio;
mod lifecycle;
mod out;
mod rpc;
mod storeio;
mod transport;
mod trustcmd;
mod wrap;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The longest `tools sign --ttl`: 7 days. A signed manifest is a replayable statement: for
/// as long as it is valid, anyone holding an old copy can serve the old tool versions as
/// current. CI that signs at release time needs more than the server's 1 h default, but a
/// week bounds the replay window; re-sign (or sign at serve time) for longer.
pub(crate) const MAX_MANIFEST_TTL: u64 = 7 * 86_400;

/// Server identity and tool attestation for MCP.
///
/// Exit codes: 0 verified/ok; 1 refused (the error code is printed, e.g. invalid_signature,
/// token_expired, pinned_key_changed); 2 usage error; 3 could not check (a file that cannot
/// be read, a key that does not parse, a server that does not start or answer).
#[derive(Parser)]
#[command(name = "mcp-attest", version, about, long_about)]
struct Cli {
    /// Print one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate a server key: writes the secret (mode 0600) and prints the public facts.
    Keygen(KeygenArgs),
    /// Keys: show the public facts of a key.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Passports: issue, inspect (untrusted decode), verify.
    #[command(subcommand)]
    Passport(PassportCmd),
    /// Signed tool lists: sign in CI, verify offline.
    #[command(subcommand)]
    Tools(ToolsCmd),
    /// Verify an MCP server's identity and tools: a command over stdio, or a Streamable
    /// HTTP URL.
    Verify(VerifyArgs),
    /// Create or extend a signed revocation list (keys, DIDs, passport ids).
    Revoke(lifecycle::RevokeArgs),
    /// Rotate a key: a new key plus the rotation attestation signed by the old one.
    Rotate(lifecycle::RotateArgs),
    /// Trust stores: list, pin, unpin, import (the file format the libraries save).
    #[command(subcommand)]
    Trust(trustcmd::TrustCmd),
    /// The DNS TXT record `_mcp-identity.DOMAIN`: print it, or look it up and check it.
    #[command(subcommand)]
    Dns(dns::DnsCmd),
    /// Evidence logs: verify a server's signed record of tools/call decisions offline.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCmd),
    /// Give identity to an existing MCP server without changing it: a stdio proxy
    /// (`-- COMMAND`) or a Streamable HTTP gateway (`--listen ADDR --upstream URL`).
    Wrap(wrap::WrapArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KeyFormat {
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    Pem,
    /// A secret JWK (`{"crv":"Ed25519","d":…,"kty":"OKP","x":…}`).
    Jwk,
    /// A `.env` line: `MCP_ATTEST_PRIVATE_KEY_PEM="<PKCS#8 PEM, newlines as \n>"`, the form
    /// the libraries' `loadOrCreateKey` / `load_or_create_key` and `--key env:VAR` read.
    Env,
}

#[derive(Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the secret key (mode 0600).
    #[arg(long, required_unless_present = "stdout")]
    pub(crate) out: Option<PathBuf>,
    /// Format of the secret.
    #[arg(long, value_enum, default_value = "pem")]
    pub(crate) format: KeyFormat,
    /// Replace an existing file (the old key is lost).
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the secret on stdout (the public facts then go to stderr, so that
    /// `keygen --stdout > key.pem` holds only the key). The only way the secret is printed.
    #[arg(long)]
    pub(crate) stdout: bool,
    /// Your domain, to print the full DNS record name `_mcp-identity.<domain>`.
    #[arg(long)]
    pub(crate) domain: Option<String>,
}

#[derive(Subcommand)]
enum KeyCmd {
    /// The public facts of a key (did:key, kid, thumbprint, records); never the secret.
    Show {
        /// A key file (PKCS#8 PEM, secret or public JWK, SPKI PEM), `env:VAR` (the variable
        /// holds the PEM, e.g. env:MCP_ATTEST_PRIVATE_KEY_PEM; a name ending in _PATH holds
        /// a path, e.g. env:MCP_ATTEST_PRIVATE_KEY_PATH) or a did:key.
        key: String,
        /// Your domain, to print the full DNS record name.
        #[arg(long)]
        domain: Option<String>,
    },
}

#[derive(Subcommand)]
enum PassportCmd {
    /// Issue a passport (self-issued by default; with --issuer-key, signed by a publisher).
    Issue(PassportIssueArgs),
    /// Decode a passport WITHOUT checking it: header and claims, for debugging.
    Inspect {
        /// The token, or - to read it from stdin.
        token: String,
    },
    /// Verify a passport with the core's defaults.
    Verify(PassportVerifyArgs),
}

#[derive(Args)]
pub(crate) struct PassportIssueArgs {
    /// The server's secret key (file or env:VAR).
    #[arg(long)]
    pub(crate) key: String,
    /// A publisher/registry secret key that signs instead of the server (needs --issuer-id).
    #[arg(long, requires = "issuer_id")]
    pub(crate) issuer_key: Option<String>,
    /// The publisher/registry id (`iss`) when --issuer-key is given.
    #[arg(long, requires = "issuer_key")]
    pub(crate) issuer_id: Option<String>,
    /// The server name (`mcp.name`).
    #[arg(long)]
    pub(crate) name: String,
    /// The server version (`mcp.version`).
    #[arg(long)]
    pub(crate) version: Option<String>,
    /// The audience (`aud`).
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// An endpoint URL (`mcp.endpoints`); repeat for several.
    #[arg(long)]
    pub(crate) endpoint: Vec<String>,
    /// Lifetime in seconds (default one day; verifiers refuse more than 30 days by default).
    #[arg(long, default_value_t = mcp_attest::passport::DEFAULT_PASSPORT_TTL)]
    pub(crate) ttl: u64,
    /// A token id (`jti`), so the passport can be revoked on its own.
    #[arg(long)]
    pub(crate) jti: Option<String>,
    /// Issue as of this time (Unix seconds) instead of the clock: reproducible output.
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

#[derive(Args)]
pub(crate) struct PassportVerifyArgs {
    /// The token, or - to read it from stdin.
    pub(crate) token: String,
    /// This verifier's audience.
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// A trusted issuer: ID=JWKS_FILE, or a did:key; repeat for several.
    #[arg(long)]
    pub(crate) issuer: Vec<String>,
    /// A revocation list (JWS file) signed by a trusted issuer; repeat for several.
    #[arg(long)]
    pub(crate) revocations: Vec<PathBuf>,
    /// Accept self-issued passports even when issuers are named (the default accepts them
    /// only when none is).
    #[arg(long)]
    pub(crate) allow_self_issued: bool,
    /// Verify as of this time (Unix seconds) instead of the clock: tests, audits of old
    /// tokens, reproducible output.
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

#[derive(Subcommand)]
enum ToolsCmd {
    /// Sign a tools/list result (or a bare tools array): per-tool signatures and a manifest.
    Sign(ToolsSignArgs),
    /// Verify a signed tools/list result offline under the server key.
    Verify(ToolsVerifyArgs),
}

#[derive(Args)]
pub(crate) struct ToolsSignArgs {
    /// The server's secret key (file or env:VAR).
    #[arg(long)]
    pub(crate) key: String,
    /// Manifest lifetime in seconds: default 3600, at most 604800 (7 days). The longer the
    /// lifetime, the longer an old signed list can be replayed as current after the tools
    /// change; re-sign rather than raise it.
    #[arg(long, default_value_t = mcp_attest::tool::DEFAULT_MANIFEST_TTL,
          value_parser = clap::value_parser!(u64).range(1..=MAX_MANIFEST_TTL))]
    pub(crate) ttl: u64,
    /// The manifest audience (the server's canonical URI).
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// Sign as of this time (Unix seconds) instead of the clock.
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// The input file, or - (the default) for stdin.
    #[arg(default_value = "-")]
    pub(crate) input: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ToolSigs {
    /// Check per-tool signatures only when the manifest is not verified (the default).
    IfNoManifest,
    /// Always check each tool's own signature.
    Always,
}

#[derive(Args)]
pub(crate) struct ToolsVerifyArgs {
    /// The server key: a did:key, or a key file / env:VAR (public or secret).
    #[arg(long)]
    pub(crate) key: String,
    /// This client's audience.
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// When per-tool signatures are checked.
    #[arg(long, value_enum, default_value = "if-no-manifest")]
    pub(crate) tool_signatures: ToolSigs,
    /// Verify as of this time (Unix seconds) instead of the clock.
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// The input file, or - (the default) for stdin.
    #[arg(default_value = "-")]
    pub(crate) input: String,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The name the server is pinned under (default: `stdio:` + the command line, or the
    /// URL's canonical origin and path). Never the name the server reports: an impostor
    /// would choose a fresh pin.
    #[arg(long)]
    pub(crate) server_id: Option<String>,
    /// A trust store (JSON) to pin the server's key in: loaded (missing = empty) and saved
    /// back atomically (mode 0600).
    #[arg(long)]
    pub(crate) trust_store: Option<PathBuf>,
    /// This client's audience.
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// The server's did:key, from configuration: any other key is refused.
    #[arg(long)]
    pub(crate) expected_key: Option<String>,
    /// Seconds to wait for each answer before giving up (exit 3).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,
    /// Allow a plain http:// URL to a host that is not loopback (the traffic, identity
    /// answers included, can then be read and changed on the way).
    #[arg(long)]
    pub(crate) insecure_http: bool,
    /// The domain whose DNS record (`_mcp-identity.<domain>` TXT) should name the server's
    /// key: a match raises the server to level 2, a record naming another key refuses it.
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// The DNS server for --domain, IP or IP:PORT (default: the system's).
    #[arg(long, requires = "domain")]
    pub(crate) resolver: Option<String>,
    /// A Streamable HTTP endpoint (https://host/mcp) instead of a command.
    #[arg(conflicts_with = "command")]
    pub(crate) url: Option<String>,
    /// The server command and its arguments, after `--`.
    #[arg(last = true, required_unless_present = "url", num_args = 1..)]
    pub(crate) command: Vec<String>,
}

fn main() -> ExitCode {
    // clap prints usage errors and exits 2 itself; --help and --version exit 0.
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Keygen(a) => commands::keygen(&a, cli.json),
        Cmd::Key(KeyCmd::Show { key, domain }) => commands::key_show(&key, domain.as_deref()),
        Cmd::Passport(PassportCmd::Issue(a)) => commands::passport_issue(&a),
        Cmd::Passport(PassportCmd::Inspect { token }) => commands::passport_inspect(&token),
        Cmd::Passport(PassportCmd::Verify(a)) => commands::passport_verify(&a),
        Cmd::Tools(ToolsCmd::Sign(a)) => commands::tools_sign(&a),
        Cmd::Tools(ToolsCmd::Verify(a)) => commands::tools_verify(&a),
        Cmd::Verify(a) => commands::verify(&a),
        Cmd::Revoke(a) => lifecycle::revoke(&a),
        Cmd::Rotate(a) => lifecycle::rotate(&a),
        Cmd::Trust(c) => trustcmd::run(&c),
        Cmd::Dns(c) => dns::run(&c),
        Cmd::Evidence(c) => evidence::run(&c),
        Cmd::Wrap(a) => wrap::run(&a),
    };
    let code = match result {
        Ok(o) => out::print_outcome(&o, cli.json),
        Err(f) => out::print_fail(&f, cli.json),
    };
    ExitCode::from(code)
}
