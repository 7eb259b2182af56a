//! `dns record | check`: the ext-auth TXT record `_mcp-identity.<domain>` — what to publish,
//! and whether what is published names a key. Parsing and comparison are the core's
//! (`records::DnsRecord`); the lookup is hickory-resolver's, a real stub resolver (the
//! system's configuration, or `--resolver`), bounded in time.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Args, Subcommand};
use hickory_resolver::config::{NameServerConfigGroup, ResolveHosts, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::{ResolveError, Resolver};
use mcp_attest::records::{self, DnsRecord, DnsVerdict};
use mcp_attest::VerifyingKey;
use serde_json::json;

use crate::keyio;
use crate::out::{Fail, Outcome};
use crate::VerifyArgs;

#[derive(Subcommand)]
pub(crate) enum DnsCmd {
    /// Print the TXT record to publish at `_mcp-identity.DOMAIN` for a key.
    Record {
        /// The domain the server is reached at (e.g. example.com).
        domain: String,
        /// The server key: a did:key or a key file (public or secret).
        #[arg(long)]
        key: String,
        /// The key id the server serves, when it is not the key's default (derived) kid.
        #[arg(long)]
        kid: Option<String>,
    },
    /// Look up `_mcp-identity.DOMAIN` and check that it names the key. Exit 0 match, 1 no
    /// record or a record for another key (malformed_record, record_mismatch), 3 the lookup
    /// failed (resolver_error, resolver_timeout).
    Check(CheckArgs),
}

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// The domain the server is reached at.
    domain: String,
    /// The key the record must name: a did:key (e.g. from a live server's `verify` report)
    /// or a key file (public or secret).
    #[arg(
        long,
        visible_alias = "server-did",
        required_unless_present = "command"
    )]
    key: Option<String>,
    /// The key id the record must name, when the server serves another than the default.
    #[arg(long)]
    kid: Option<String>,
    /// The DNS server to ask, IP or IP:PORT (default: the system's, from /etc/resolv.conf).
    #[arg(long)]
    resolver: Option<String>,
    /// Seconds before the lookup is given up (exit 3, resolver_timeout).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    timeout: u64,
    /// Instead of --key: a stdio server command (after `--`), verified as `verify -- …` does
    /// (identity, passport, challenge); the key it proved it holds is the one checked.
    #[arg(last = true, num_args = 1.., conflicts_with = "key")]
    command: Vec<String>,
}

pub(crate) fn run(cmd: &DnsCmd) -> Result<Outcome, Fail> {
    match cmd {
        DnsCmd::Record { domain, key, kid } => record(domain, key, kid.as_deref()),
        DnsCmd::Check(a) => check(a),
    }
}

fn record(domain: &str, key: &str, kid: Option<&str>) -> Result<Outcome, Fail> {
    let vk = keyio::load_verifying_key(key)?;
    let name = records::dns_record_name(domain).map_err(Fail::cannot_core)?;
    let value = match kid {
        Some(k) => records::dns_record_with_kid(&vk, k),
        None => records::dns_record(&vk),
    };
    let h = format!("{name}. IN TXT \"{value}\"\n");
    let j = json!({"name": name, "type": "TXT", "value": value, "did": vk.to_did_key()});
    Ok(Outcome::ok(j, h))
}

fn parse_resolver(spec: &str) -> Result<SocketAddr, Fail> {
    if let Ok(sa) = spec.parse::<SocketAddr>() {
        return Ok(sa);
    }
    spec.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| {
            Fail::cannot(
                "invalid_argument",
                format!(
                    "--resolver is IP or IP:PORT (e.g. 1.1.1.1 or 127.0.0.1:5353), not {spec:?}"
                ),
            )
        })
}

/// The TXT records at `name`, each record's strings joined (as DNS splits long values).
/// `Ok(empty)` when the name or the type does not exist.
fn lookup_txt(name: &str, a: &CheckArgs) -> Result<Vec<String>, Fail> {
    lookup_txt_with(name, a.resolver.as_deref(), a.timeout)
}

/// [`lookup_txt`] with an explicit resolver (IP or IP:PORT; `None`: the system's) and
/// timeout, for `verify --domain`.
pub(crate) fn lookup_txt_with(
    name: &str,
    resolver: Option<&str>,
    timeout: u64,
) -> Result<Vec<String>, Fail> {
    let provider = TokioConnectionProvider::default();
    let mut builder = match resolver {
        Some(spec) => {
            let addr = parse_resolver(spec)?;
            let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
            Resolver::builder_with_config(ResolverConfig::from_parts(None, vec![], group), provider)
        }
        None => Resolver::builder(provider).map_err(|e| {
            Fail::cannot(
                "resolver_error",
                format!("no system resolver configuration: {e}"),
            )
        })?,
    };
    let opts = builder.options_mut();
    opts.timeout = Duration::from_secs(timeout);
    opts.attempts = 1;
    // The record is looked up in DNS, never in /etc/hosts; and with no search domains, the
    // name is taken as absolute.
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    let resolver = builder.build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Fail::cannot("resolver_error", format!("cannot start the runtime: {e}")))?;
    let fqdn = format!("{name}.");
    // The resolver's own timeout bounds each exchange; this bounds the whole lookup (UDP,
    // then TCP on truncation).
    let limit = Duration::from_secs(timeout.saturating_mul(3));
    let answer = rt
        .block_on(async { tokio::time::timeout(limit, resolver.txt_lookup(fqdn.as_str())).await });
    let lookup = match answer {
        Err(_) => return Err(timeout_fail(name, timeout)),
        Ok(Err(e)) if is_absent(&e) => return Ok(Vec::new()),
        Ok(Err(e)) => return Err(resolve_fail(name, &e, timeout)),
        Ok(Ok(l)) => l,
    };
    Ok(lookup
        .iter()
        .map(|txt| {
            let bytes: Vec<u8> = txt.iter().flat_map(|s| s.iter().copied()).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect())
}

/// The name or its TXT records do not exist (NXDOMAIN, or NOERROR with no answer): a
/// missing record, exit 1. A server that refused or failed (REFUSED, SERVFAIL) did not
/// answer the question: exit 3.
fn is_absent(e: &ResolveError) -> bool {
    use hickory_resolver::proto::op::ResponseCode;
    use hickory_resolver::proto::ProtoErrorKind;
    match e.proto().map(|p| p.kind()) {
        Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) => {
            matches!(
                *response_code,
                ResponseCode::NXDomain | ResponseCode::NoError
            )
        }
        _ => false,
    }
}

fn timeout_fail(name: &str, secs: u64) -> Fail {
    Fail::cannot(
        "resolver_timeout",
        format!("no answer for {name} TXT within {secs} s"),
    )
}

fn resolve_fail(name: &str, e: &ResolveError, secs: u64) -> Fail {
    if matches!(
        e.proto().map(|p| p.kind()),
        Some(hickory_resolver::proto::ProtoErrorKind::Timeout)
    ) {
        return timeout_fail(name, secs);
    }
    Fail::cannot(
        "resolver_error",
        format!("lookup of {name} TXT failed: {e}"),
    )
}

/// The live server's key: only from a session the core verified (the challenge proves the
/// server holds it); a refused session is the answer, with its code.
fn live_server_key(command: &[String]) -> Result<VerifyingKey, Fail> {
    let args = VerifyArgs {
        server_id: None,
        trust_store: None,
        audience: None,
        expected_key: None,
        timeout: 30,
        insecure_http: false,
        domain: None,
        resolver: None,
        url: None,
        command: command.to_vec(),
    };
    let o = crate::commands::verify(&args)?;
    let report = &o.json;
    let code = report
        .get("code")
        .and_then(|c| c.as_str())
        .unwrap_or("unverified");
    if o.exit != 0 {
        let msg = report.get("message").and_then(|m| m.as_str()).unwrap_or("");
        return Err(Fail::refused(
            code,
            format!("the server did not verify: {msg}"),
        ));
    }
    let did = report
        .get("server")
        .and_then(|s| s.get("did"))
        .and_then(|d| d.as_str())
        .ok_or_else(|| Fail::cannot("internal_error", "the report names no server key".into()))?;
    VerifyingKey::from_did_key(did).map_err(Fail::cannot_core)
}

fn check(a: &CheckArgs) -> Result<Outcome, Fail> {
    let vk = match &a.key {
        Some(k) => keyio::load_verifying_key(k)?,
        None => live_server_key(&a.command)?,
    };
    let name = records::dns_record_name(&a.domain).map_err(Fail::cannot_core)?;
    let expected = match &a.kid {
        Some(k) => records::dns_record_with_kid(&vk, k),
        None => records::dns_record(&vk),
    };
    let found = lookup_txt(&name, a)?;
    // Which records count and how one match during a rotation suffices: the core's rule, the
    // same the client session applies to its DNS step.
    let first_err = match records::judge_dns_records(&found, &vk, a.kid.as_deref()) {
        DnsVerdict::Match(i) => {
            let text = found.get(i).cloned().unwrap_or_default();
            let h = format!(
                "match  {name}  \"{text}\"\n       names {}\n",
                vk.to_did_key()
            );
            let j = json!({"match": true, "name": name, "record": text, "did": vk.to_did_key(), "found": found});
            return Ok(Outcome::ok(j, h));
        }
        DnsVerdict::Mismatch(e) => Some(e),
        DnsVerdict::Absent => None,
    };
    let f = match first_err {
        Some(e) => Fail::refused_core(e),
        None => {
            // No record of ours: the core's answer for an absent record text.
            let e = DnsRecord::parse("").err().map_or_else(
                || Fail::refused("malformed_record", String::new()),
                Fail::refused_core,
            );
            let mut msg = format!("no v=mcp1 TXT record at {name}");
            if !found.is_empty() {
                let _ = write!(msg, " (found {} other TXT records)", found.len());
            }
            let _ = write!(msg, "; publish TXT \"{expected}\" there");
            Fail { message: msg, ..e }
        }
    };
    Err(f)
}
