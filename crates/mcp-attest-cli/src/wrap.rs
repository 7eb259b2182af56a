//! `mcp-attest wrap`: give identity to an existing MCP server without changing it.
//!
//! The proxy adds exactly what identity adds: the capability in the `initialize` result, the
//! signed `_meta` on `tools/list` results, and the answers to `identity/get` and
//! `identity/challenge` (answered here, not forwarded). Every decision about those is the
//! core's [`ServerPresentation`]; everything else passes through byte for byte. Over stdio
//! (`-- COMMAND`) this module is the proxy; over Streamable HTTP (`--listen --upstream`) see
//! `gateway.rs`, which shares [`Identity`].

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use mcp_attest::server::{PassportSource, ServerOptions, ServerPresentation};
use mcp_attest::session::{METHOD_IDENTITY_CHALLENGE, METHOD_IDENTITY_GET};
use mcp_attest::SigningKey;
use serde_json::{json, Value};

use crate::out::{Fail, Outcome};
use crate::{keyio, MAX_MANIFEST_TTL};

/// Largest message parsed (and so possibly rewritten): as `rpc::MAX_LINE`. A longer line is
/// passed through in pieces without being read whole, so memory stays bounded.
pub(crate) const MAX_LINE: usize = 5 << 20;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PassportMode {
    /// Self-issued by the key, renewed at half its lifetime.
    #[value(name = "self")]
    SelfIssued,
    /// No passport.
    None,
}

#[derive(Args)]
pub(crate) struct WrapArgs {
    /// The server's secret key (file, or env:VAR).
    #[arg(long)]
    pub(crate) key: String,
    /// The name in the self-issued passport (default: the name the server reports in
    /// `initialize`; the key, not this name, is what clients pin).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// The version in the self-issued passport (default: the server's reported version).
    #[arg(long)]
    pub(crate) version: Option<String>,
    /// The client audience (the manifest's and the self-issued passport's `aud`).
    #[arg(long)]
    pub(crate) audience: Option<String>,
    /// An endpoint URL for the passport's `mcp.endpoints`; repeat for several.
    #[arg(long)]
    pub(crate) endpoint: Vec<String>,
    /// The passport served with each tools/list result.
    #[arg(long, value_enum, default_value = "self")]
    pub(crate) passport: PassportMode,
    /// The self-issued passport's lifetime in seconds (default one day).
    #[arg(long, default_value_t = mcp_attest::passport::DEFAULT_PASSPORT_TTL,
          value_parser = clap::value_parser!(u64).range(60..=30 * 86_400))]
    pub(crate) passport_ttl: u64,
    /// The tool manifest's lifetime in seconds (default one hour, at most 7 days).
    #[arg(long, default_value_t = mcp_attest::tool::DEFAULT_MANIFEST_TTL,
          value_parser = clap::value_parser!(u64).range(1..=MAX_MANIFEST_TTL))]
    pub(crate) manifest_ttl: u64,
    /// HTTP gateway: the address to listen on: a port (on 127.0.0.1) or HOST:PORT; port 0
    /// picks a free one. The URL is printed on stdout as `LISTENING http://ADDR/mcp DID`.
    #[arg(long, requires = "upstream", conflicts_with = "command")]
    pub(crate) listen: Option<String>,
    /// HTTP gateway: the upstream Streamable HTTP endpoint.
    #[arg(long, requires = "listen")]
    pub(crate) upstream: Option<String>,
    /// HTTP gateway: allow a plain http:// upstream that is not loopback.
    #[arg(long)]
    pub(crate) insecure_http: bool,
    /// HTTP gateway: seconds to wait for the upstream to connect and start answering.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,
    /// The stdio server command and its arguments, after `--`.
    #[arg(last = true, required_unless_present = "listen", num_args = 1..)]
    pub(crate) command: Vec<String>,
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What a tracked request's answer needs.
#[derive(Clone)]
pub(crate) enum Pending {
    Initialize,
    ToolsList(Option<String>),
}

/// The identity the proxy adds, shared by the stdio proxy and the HTTP gateway.
pub(crate) struct Identity {
    key: SigningKey,
    options: ServerOptions,
    /// Whether --name / --version were given (otherwise the server's reported ones are used).
    named: bool,
    versioned: bool,
    presentation: ServerPresentation,
}

impl Identity {
    pub(crate) fn new(a: &WrapArgs) -> Result<Identity, Fail> {
        let key = keyio::load_signing_key(&a.key)?;
        let options = ServerOptions {
            name: a.name.clone().unwrap_or_else(|| "mcp-server".to_owned()),
            version: a.version.clone(),
            endpoints: a.endpoint.clone(),
            audience: a.audience.clone(),
            passport: match a.passport {
                PassportMode::SelfIssued => PassportSource::SelfIssued,
                PassportMode::None => PassportSource::None,
            },
            passport_ttl: a.passport_ttl,
            manifest_ttl: a.manifest_ttl,
            ..ServerOptions::default()
        };
        let presentation =
            ServerPresentation::new(SigningKey::from_bytes(&key.to_bytes()), options.clone());
        Ok(Identity {
            key,
            options,
            named: a.name.is_some(),
            versioned: a.version.is_some(),
            presentation,
        })
    }

    pub(crate) fn did(&self) -> String {
        self.presentation.did()
    }

    /// The presentation's HTTP headers, as (name, value) pairs.
    pub(crate) fn http_headers(&self) -> Vec<(String, String)> {
        let v: Value = serde_json::from_str(&self.presentation.http_headers()).unwrap_or_default();
        v.as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The request's kind if its answer must be rewritten.
    pub(crate) fn track(msg: &Value) -> Option<(String, Pending)> {
        let id = msg.get("id")?;
        let kind = match msg.get("method")?.as_str()? {
            "initialize" => Pending::Initialize,
            "tools/list" => Pending::ToolsList(
                msg.pointer("/params/cursor")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            ),
            _ => return None,
        };
        Some((id.to_string(), kind))
    }

    /// The answer to an identity request (a whole JSON-RPC response), or None when `msg` is
    /// not one.
    pub(crate) fn answer(&mut self, msg: &Value, client: &str) -> Option<Value> {
        let id = msg.get("id")?.clone();
        let method = msg.get("method")?.as_str()?;
        let now = now();
        let body = if method == METHOD_IDENTITY_GET {
            Ok(self.presentation.identity_get(now))
        } else if method == METHOD_IDENTITY_CHALLENGE {
            let params = msg.get("params").cloned().unwrap_or(json!({})).to_string();
            self.presentation.answer_challenge(&params, client, now)
        } else {
            return None;
        };
        Some(match body {
            Ok(r) => json!({"jsonrpc": "2.0", "id": id,
                "result": serde_json::from_str::<Value>(&r).unwrap_or_default()}),
            Err(e) => json!({"jsonrpc": "2.0", "id": id,
                "error": serde_json::from_str::<Value>(&e).unwrap_or_default()}),
        })
    }

    /// Rewrites the answer to a tracked request: a result gets identity added, an error
    /// passes unchanged.
    pub(crate) fn rewrite(&mut self, mut msg: Value, kind: &Pending) -> Value {
        let Some(result) = msg.get_mut("result") else {
            return msg;
        };
        match kind {
            Pending::Initialize => {
                if !self.named {
                    // The passport names what the server says it is, as an SDK adapter
                    // attached to that server would; the pin is on the key. Rebuilt only
                    // when that changes, so the challenge replay cache survives the many
                    // `initialize`s a gateway sees.
                    let mut options = self.options.clone();
                    if let Some(name) = result.pointer("/serverInfo/name").and_then(Value::as_str) {
                        name.clone_into(&mut options.name);
                    }
                    if !self.versioned {
                        options.version = result
                            .pointer("/serverInfo/version")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                    }
                    if options != self.options {
                        self.options = options;
                        self.presentation = ServerPresentation::new(
                            SigningKey::from_bytes(&self.key.to_bytes()),
                            self.options.clone(),
                        );
                    }
                }
                let ours: Value =
                    serde_json::from_str(&self.presentation.capabilities()).unwrap_or_default();
                if let Value::Object(r) = result {
                    let caps = r.entry("capabilities").or_insert_with(|| json!({}));
                    if let (Value::Object(caps), Value::Object(ours)) = (caps, ours) {
                        for (k, v) in ours {
                            match (caps.get_mut(&k), v) {
                                (Some(Value::Object(theirs)), Value::Object(add)) => {
                                    theirs.extend(add);
                                }
                                (_, v) => {
                                    caps.insert(k, v);
                                }
                            }
                        }
                    }
                }
                msg
            }
            Pending::ToolsList(cursor) => {
                match self.presentation.sign_tools_list(
                    &result.to_string(),
                    cursor.as_deref(),
                    now(),
                ) {
                    Ok(signed) => {
                        *result = serde_json::from_str(&signed).unwrap_or_default();
                        msg
                    }
                    // What an SDK adapter does when signing throws: the request fails, with
                    // the core's code, rather than an unsigned list going out as ours.
                    Err(e) => json!({"jsonrpc": "2.0", "id": msg.get("id").cloned(),
                        "error": {"code": -32603, "message": e.message(),
                                  "data": {"reason": e.code().as_str()}}}),
                }
            }
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One read from a newline-delimited stream: a whole line (at most `MAX_LINE` bytes, with
/// its newline if it had one), or a piece of a longer line, or the end.
enum Piece {
    Line(Vec<u8>),
    Part(Vec<u8>),
    End,
}

fn read_piece(r: &mut impl BufRead) -> Piece {
    let mut buf = Vec::new();
    match r.by_ref().take(MAX_LINE as u64).read_until(b'\n', &mut buf) {
        Ok(0) | Err(_) => Piece::End,
        Ok(_) if buf.ends_with(b"\n") => Piece::Line(buf),
        Ok(_) if buf.len() < MAX_LINE => Piece::Line(buf),
        Ok(_) => Piece::Part(buf),
    }
}

/// Copies the rest of an over-long line unchanged (never parsed: memory stays bounded),
/// holding the writer so no other message lands inside it.
fn pass_long(first: &[u8], r: &mut impl BufRead, w: &Mutex<impl Write>) -> bool {
    let mut w = lock(w);
    if w.write_all(first).is_err() {
        return false;
    }
    loop {
        match read_piece(r) {
            Piece::Line(b) => return w.write_all(&b).and_then(|()| w.flush()).is_ok(),
            Piece::Part(b) => {
                if w.write_all(&b).is_err() {
                    return false;
                }
            }
            Piece::End => return false,
        }
    }
}

fn write_msg(w: &Mutex<impl Write>, msg: &Value) -> bool {
    let mut line = msg.to_string();
    line.push('\n');
    let mut w = lock(w);
    w.write_all(line.as_bytes())
        .and_then(|()| w.flush())
        .is_ok()
}

pub(crate) fn run(a: &WrapArgs) -> Result<Outcome, Fail> {
    let identity = Identity::new(a)?;
    if let (Some(listen), Some(upstream)) = (&a.listen, &a.upstream) {
        return crate::gateway::serve(identity, listen, upstream, a);
    }
    let mut child = crate::rpc::spawn_server(&a.command)?;
    let (Some(child_in), Some(child_out)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(Fail::cannot("server_not_started", "no pipes".to_owned()));
    };
    let identity = Arc::new(Mutex::new(identity));
    let pending: Arc<Mutex<HashMap<String, Pending>>> = Arc::default();
    let to_client = Arc::new(Mutex::new(std::io::stdout()));
    let to_server = Arc::new(Mutex::new(child_in));
    let (done_tx, done_rx) = mpsc::channel::<&'static str>();

    // Client → server: identity requests answered here, initialize/tools/list ids noted,
    // every line forwarded as read.
    {
        let (identity, pending, to_client, done) = (
            Arc::clone(&identity),
            Arc::clone(&pending),
            Arc::clone(&to_client),
            done_tx.clone(),
        );
        let to_server = Arc::clone(&to_server);
        thread::spawn(move || {
            let mut input = BufReader::new(std::io::stdin());
            loop {
                let line = match read_piece(&mut input) {
                    Piece::End => break,
                    Piece::Part(b) => {
                        if pass_long(&b, &mut input, &to_server) {
                            continue;
                        }
                        break;
                    }
                    Piece::Line(b) => b,
                };
                if let Ok(msg) = serde_json::from_slice::<Value>(&line) {
                    if let Some(answer) = lock(&identity).answer(&msg, "stdio") {
                        if !write_msg(&to_client, &answer) {
                            break;
                        }
                        continue;
                    }
                    let reqs = match &msg {
                        Value::Array(items) => items.iter().collect(),
                        m => vec![m],
                    };
                    for m in reqs {
                        if let Some((id, kind)) = Identity::track(m) {
                            lock(&pending).insert(id, kind);
                        }
                    }
                }
                let mut w = lock(&to_server);
                if w.write_all(&line).and_then(|()| w.flush()).is_err() {
                    break;
                }
            }
            let _ = done.send("client");
        });
    }
    // Server → client: tracked answers rewritten, everything else forwarded as read.
    {
        let (identity, pending, to_client, done) = (
            Arc::clone(&identity),
            Arc::clone(&pending),
            Arc::clone(&to_client),
            done_tx,
        );
        thread::spawn(move || {
            let mut output = BufReader::new(child_out);
            loop {
                let line = match read_piece(&mut output) {
                    Piece::End => break,
                    Piece::Part(b) => {
                        if pass_long(&b, &mut output, &to_client) {
                            continue;
                        }
                        break;
                    }
                    Piece::Line(b) => b,
                };
                let rewritten = serde_json::from_slice::<Value>(&line)
                    .ok()
                    .and_then(|msg| rewrite_answer(msg, &identity, &pending));
                let ok = match rewritten {
                    Some(m) => write_msg(&to_client, &m),
                    None => {
                        let mut w = lock(&to_client);
                        w.write_all(&line).and_then(|()| w.flush()).is_ok()
                    }
                };
                if !ok {
                    break;
                }
            }
            let _ = done.send("server");
        });
    }
    let first = done_rx.recv().unwrap_or("server");
    if first == "client" {
        // The client closed: tell the server the MCP way (close its stdin), give it a
        // moment to finish, then stop it.
        drop(to_server);
        let until = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        // Let the output thread pass on what the server wrote last.
        let _ = done_rx.recv_timeout(Duration::from_secs(2));
    }
    let status = child
        .wait()
        .map_err(|e| Fail::cannot("server_closed", e.to_string()))?;
    let _ = lock(&to_client).flush();
    std::process::exit(exit_code(status));
}

#[cfg(unix)]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

#[cfg(not(unix))]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    status.code().unwrap_or(1)
}

/// The rewritten message when it (or, in a batch, one of its items) answers a tracked
/// request; None to forward the original bytes.
fn rewrite_answer(
    msg: Value,
    identity: &Mutex<Identity>,
    pending: &Mutex<HashMap<String, Pending>>,
) -> Option<Value> {
    let take = |m: &Value| -> Option<Pending> {
        if m.get("method").is_some() {
            return None;
        }
        lock(pending).remove(&m.get("id")?.to_string())
    };
    match msg {
        Value::Array(items) => {
            let mut changed = false;
            let items = items
                .into_iter()
                .map(|m| match take(&m) {
                    Some(kind) => {
                        changed = true;
                        lock(identity).rewrite(m, &kind)
                    }
                    None => m,
                })
                .collect();
            changed.then_some(Value::Array(items))
        }
        m => {
            let kind = take(&m)?;
            Some(lock(identity).rewrite(m, &kind))
        }
    }
}

/// Reads at most `limit` bytes of `r`.
pub(crate) fn read_limited(r: impl Read, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(limit as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}
