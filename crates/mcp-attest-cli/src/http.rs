//! A minimal MCP client over Streamable HTTP (`mcp-attest verify URL`).
//!
//! Why `ureq` and not `rmcp`: as on stdio (see `rpc.rs`), the identity check is a handful of
//! request/response exchanges; the official SDK brings tokio and an async HTTP stack for
//! that. `ureq` is a small, widely used blocking client with rustls, so the CLI stays one
//! thread per exchange with no runtime, and every exchange is bounded in time by the agent
//! and in size by this file.
//!
//! The protocol (MCP 2025-06-18, "Streamable HTTP"): each JSON-RPC message is a POST with
//! `Accept: application/json, text/event-stream`; the answer is a JSON body or an SSE stream
//! whose `data:` events carry JSON-RPC messages, ours among them. The `Mcp-Session-Id` from
//! `initialize` and the negotiated `MCP-Protocol-Version` go on every later request.

use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

use serde_json::{json, Value};

use crate::out::Fail;
use crate::rpc::{Answer, PROTOCOL_VERSION};
use crate::transport::Transport;

/// Largest response body or SSE event: the session caps a tools page at 4 MiB; a little more
/// for the JSON-RPC envelope (as `rpc::MAX_LINE`).
pub(crate) const MAX_BODY: u64 = 5 << 20;
/// Most SSE events read while waiting for our answer (progress, logging, other messages).
const MAX_EVENTS: usize = 10_000;

/// A URL checked for `verify` and `wrap --upstream`: http(s) only, `http://` only to a
/// loopback host unless allowed, no credentials or fragment.
pub(crate) struct McpUrl {
    /// The URL as given (sent as is).
    pub(crate) url: String,
    /// Scheme, lowercased host, port when not the default, and path (`/` when empty): the
    /// default name the server is pinned under. Never a name the server reports.
    pub(crate) canonical: String,
}

/// Checks `url`; `insecure_http` allows plain HTTP to non-loopback hosts.
pub(crate) fn parse_url(url: &str, insecure_http: bool) -> Result<McpUrl, Fail> {
    let bad = |why: &str| Fail::cannot("invalid_url", format!("{url}: {why}"));
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad("not a URL"))?;
    let scheme = uri
        .scheme_str()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if scheme != "https" && scheme != "http" {
        return Err(bad("only http:// and https:// URLs are served"));
    }
    let authority = uri.authority().ok_or_else(|| bad("no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "credentials in the URL are refused (they would be logged and pinned)",
        ));
    }
    let host = authority.host().to_ascii_lowercase();
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if scheme == "http" && !loopback && !insecure_http {
        return Err(bad(
            "plain http:// is allowed only to a loopback host; use https:// (or --insecure-http)",
        ));
    }
    let default_port = if scheme == "https" { 443 } else { 80 };
    let port = match authority.port_u16() {
        Some(p) if p != default_port => format!(":{p}"),
        _ => String::new(),
    };
    let path = match uri.path() {
        "" => "/",
        p => p,
    };
    Ok(McpUrl {
        url: url.to_owned(),
        canonical: format!("{scheme}://{host}{port}{path}"),
    })
}

pub(crate) struct HttpClient {
    agent: ureq::Agent,
    url: String,
    session_id: Option<String>,
    protocol: Option<String>,
    next_id: u64,
    timeout: Duration,
}

/// Reads at most `MAX_BODY` bytes; more is an error, not a truncation.
pub(crate) fn read_bounded(r: impl Read, what: &str) -> Result<Vec<u8>, Fail> {
    let mut buf = Vec::new();
    r.take(MAX_BODY + 1)
        .read_to_end(&mut buf)
        .map_err(|e| transport_fail(&e.to_string(), what))?;
    if buf.len() as u64 > MAX_BODY {
        return Err(Fail::cannot(
            "input_too_large",
            format!("{what}: more than {MAX_BODY} bytes"),
        ));
    }
    Ok(buf)
}

fn transport_fail(e: &str, what: &str) -> Fail {
    let low = e.to_ascii_lowercase();
    if low.contains("timeout") || low.contains("timed out") {
        Fail::cannot("server_timeout", format!("{what}: no answer in time ({e})"))
    } else {
        Fail::cannot("server_closed", format!("{what}: {e}"))
    }
}

/// One SSE event's data (the `data:` lines joined by `\n`), bounded; `None` at the end.
pub(crate) fn next_sse_data(r: &mut impl BufRead, what: &str) -> Result<Option<String>, Fail> {
    let mut data = String::new();
    let mut seen_data = false;
    loop {
        let mut line = Vec::new();
        let n = r
            .by_ref()
            .take(MAX_BODY + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| transport_fail(&e.to_string(), what))?;
        if n == 0 {
            return Ok(seen_data.then_some(data));
        }
        if line.len() as u64 > MAX_BODY || data.len() as u64 + line.len() as u64 > MAX_BODY {
            return Err(Fail::cannot(
                "input_too_large",
                format!("{what}: an SSE event longer than {MAX_BODY} bytes"),
            ));
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            if seen_data {
                return Ok(Some(data));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("data:") {
            if seen_data {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            seen_data = true;
        }
        // Other fields (event:, id:, retry:) and comments do not matter to a one-shot client.
    }
}

impl HttpClient {
    pub(crate) fn new(url: &McpUrl, timeout: Duration) -> HttpClient {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect would change the origin the pin is named after: refuse, don't follow.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("mcp-attest/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpClient {
            agent,
            url: url.url.clone(),
            session_id: None,
            protocol: None,
            next_id: 1,
            timeout,
        }
    }

    fn post(&self, msg: &Value) -> Result<ureq::http::Response<ureq::Body>, Fail> {
        let mut req = self
            .agent
            .post(&self.url)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json");
        if let Some(s) = &self.session_id {
            req = req.header("Mcp-Session-Id", s);
        }
        if let Some(p) = &self.protocol {
            req = req.header("MCP-Protocol-Version", p);
        }
        req.send(msg.to_string()).map_err(|e| {
            let what = format!("POST {}", self.url);
            match e {
                ureq::Error::Timeout(_) => Fail::cannot(
                    "server_timeout",
                    format!("{what}: no answer within {} s", self.timeout.as_secs()),
                ),
                other => transport_fail(&other.to_string(), &what),
            }
        })
    }

    /// Our answer among the messages of one body (a message or a batch), if there.
    fn pick(&self, msg: Value, id: u64) -> Option<Answer> {
        match msg {
            Value::Array(items) => items.into_iter().find_map(|m| self.pick(m, id)),
            m if m.get("method").is_none() && m.get("id") == Some(&json!(id)) => {
                Some(match m.get("error") {
                    Some(e) => Answer::Error(
                        e.get("code").and_then(Value::as_i64).unwrap_or(0),
                        e.get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        e.get("data").cloned(),
                    ),
                    None => Answer::Result(m.get("result").cloned().unwrap_or(Value::Null)),
                })
            }
            _ => None,
        }
    }
}

impl Transport for HttpClient {
    fn initialize(&mut self) -> Result<Value, Fail> {
        let params = json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcp-attest", "version": env!("CARGO_PKG_VERSION")},
        });
        match self.request("initialize", params)? {
            Answer::Result(r) => {
                self.protocol = Some(
                    r.get("protocolVersion")
                        .and_then(Value::as_str)
                        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
                        .unwrap_or(PROTOCOL_VERSION)
                        .to_owned(),
                );
                let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
                let resp = self.post(&note)?;
                if !resp.status().is_success() {
                    return Err(Fail::cannot(
                        "server_error",
                        format!("notifications/initialized: HTTP {}", resp.status()),
                    ));
                }
                Ok(r.get("serverInfo").cloned().unwrap_or(Value::Null))
            }
            Answer::Error(code, message, _) => Err(Fail::cannot(
                "server_error",
                format!("initialize failed: {code} {message}"),
            )),
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Answer, Fail> {
        let id = self.next_id;
        self.next_id += 1;
        let mut resp =
            self.post(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let what = format!("{method} at {}", self.url);
        let status = resp.status();
        if !status.is_success() {
            return Err(Fail::cannot(
                "server_error",
                format!("{what}: HTTP {status}"),
            ));
        }
        if method == "initialize" {
            self.session_id = resp
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .filter(|v| v.len() <= 1024)
                .map(str::to_owned);
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let reader = resp.body_mut().as_reader();
        if content_type.starts_with("text/event-stream") {
            let mut reader = BufReader::new(reader);
            for _ in 0..MAX_EVENTS {
                let Some(data) = next_sse_data(&mut reader, &what)? else {
                    break;
                };
                let Ok(msg) = serde_json::from_str::<Value>(&data) else {
                    eprintln!("warning: skipped a non-JSON SSE event from the server");
                    continue;
                };
                if let Some(a) = self.pick(msg, id) {
                    return Ok(a);
                }
            }
            return Err(Fail::cannot(
                "server_closed",
                format!("{what}: the event stream ended without the answer"),
            ));
        }
        let body = read_bounded(reader, &what)?;
        let msg: Value = serde_json::from_slice(&body).map_err(|e| {
            Fail::cannot(
                "server_error",
                format!("{what}: the answer is not JSON: {e}"),
            )
        })?;
        self.pick(msg, id).ok_or_else(|| {
            Fail::cannot("server_error", format!("{what}: the answer has another id"))
        })
    }
}

impl Drop for HttpClient {
    /// Ends the server's session (the spec's DELETE); a server that does not support it
    /// answers 405, which is fine.
    fn drop(&mut self) {
        if let Some(s) = &self.session_id {
            let _ = self
                .agent
                .delete(&self.url)
                .header("Mcp-Session-Id", s)
                .call();
        }
    }
}
