//! `mcp-attest wrap --listen ADDR --upstream URL`: the stdio proxy's identity, in front of a
//! Streamable HTTP server (the gateway case).
//!
//! Why `tiny_http`: a small blocking server, one thread per request, matching the blocking
//! `ureq` client used towards the upstream; no async runtime for a proxy whose work is
//! copying bytes. Requests are forwarded with the headers MCP uses; the answers to
//! `initialize` and `tools/list` are rewritten whether they come as JSON or inside an SSE
//! stream (re-emitted event by event, only the matching event changed); `identity/get` and
//! `identity/challenge` are answered here; every response carries the presentation's
//! headers.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::Value;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::http::{next_sse_data, parse_url, read_bounded, MAX_BODY};
use crate::out::{Fail, Outcome};
use crate::wrap::{lock, read_limited, Identity, Pending, WrapArgs};

/// Request headers passed to the upstream (MCP's own, auth, content negotiation).
const FORWARD_REQUEST: &[&str] = &[
    "mcp-session-id",
    "authorization",
    "mcp-protocol-version",
    "accept",
    "content-type",
    "last-event-id",
];
/// Response headers passed back (the presentation's are added on top).
const FORWARD_RESPONSE: &[&str] = &[
    "mcp-session-id",
    "content-type",
    "www-authenticate",
    "cache-control",
    "allow",
];

struct Gateway {
    identity: Mutex<Identity>,
    upstream: String,
    agent: ureq::Agent,
    headers: Vec<(String, String)>,
}

pub(crate) fn serve(
    identity: Identity,
    listen: &str,
    upstream: &str,
    a: &WrapArgs,
) -> Result<Outcome, Fail> {
    let up = parse_url(upstream, a.insecure_http)?;
    // A bare port is a loopback address: reaching the gateway from elsewhere takes an
    // explicit host.
    let listen = match listen.parse::<u16>() {
        Ok(port) => format!("127.0.0.1:{port}"),
        Err(_) => listen.to_owned(),
    };
    let listen = listen.as_str();
    let server = tiny_http::Server::http(listen)
        .map_err(|e| Fail::cannot("io_error", format!("listening on {listen}: {e}")))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Fail::cannot("io_error", "not an IP listener".to_owned()))?;
    let timeout = Duration::from_secs(a.timeout);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .build()
        .into();
    let gw = Arc::new(Gateway {
        headers: identity.http_headers(),
        identity: Mutex::new(identity),
        upstream: up.url,
        agent,
    });
    // The tests and scripts wait for this line; the did is what a client pins.
    println!("LISTENING http://{addr}/mcp {}", lock(&gw.identity).did());
    for req in server.incoming_requests() {
        let gw = Arc::clone(&gw);
        thread::spawn(move || handle(&gw, req));
    }
    Ok(Outcome::ok(Value::Null, String::new()))
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn with_ours<R: Read>(gw: &Gateway, mut r: Response<R>) -> Response<R> {
    for (k, v) in &gw.headers {
        if let Some(h) = header(k, v) {
            r.add_header(h);
        }
    }
    r
}

fn plain(gw: &Gateway, req: Request, status: u16, text: &str) {
    let r = Response::from_string(text).with_status_code(StatusCode(status));
    let _ = req.respond(with_ours(gw, r));
}

fn handle(gw: &Arc<Gateway>, mut req: Request) {
    let method = req.method().clone();
    let mut body = Vec::new();
    if req.body_length().is_some_and(|n| n as u64 > MAX_BODY) {
        // Refused on the declared size, before reading any of it.
        return plain(gw, req, 413, "request body too large");
    }
    if method == Method::Post {
        match read_limited(req.as_reader(), MAX_BODY as usize) {
            Ok(b) if b.len() as u64 <= MAX_BODY => body = b,
            Ok(_) => return plain(gw, req, 413, "request body too large"),
            Err(_) => return plain(gw, req, 400, "could not read the request body"),
        }
    } else if method != Method::Get && method != Method::Delete {
        return plain(gw, req, 405, "method not allowed");
    }
    let session = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("mcp-session-id"))
        .map(|h| h.value.as_str().to_owned());
    let msg: Option<Value> = serde_json::from_slice(&body).ok();
    let mut kind = None;
    if let Some(msg) = &msg {
        let client = session
            .clone()
            .or_else(|| req.remote_addr().map(|a| a.ip().to_string()))
            .unwrap_or_default();
        if let Some(answer) = lock(&gw.identity).answer(msg, &client) {
            let mut r = Response::from_string(answer.to_string());
            if let Some(h) = header("Content-Type", "application/json") {
                r.add_header(h);
            }
            let _ = req.respond(with_ours(gw, r));
            return;
        }
        kind = Identity::track(msg).map(|(_, k)| k);
    }

    let mut up = match method {
        Method::Post => gw.agent.post(&gw.upstream),
        Method::Get => gw.agent.get(&gw.upstream).force_send_body(),
        _ => gw.agent.delete(&gw.upstream).force_send_body(),
    };
    for h in req.headers() {
        let name = h.field.as_str().as_str().to_ascii_lowercase();
        if FORWARD_REQUEST.contains(&name.as_str()) {
            up = up.header(name.as_str(), h.value.as_str());
        }
    }
    let resp = if method == Method::Post {
        up.send(&body[..])
    } else {
        up.send_empty()
    };
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return plain(gw, req, 502, &format!("upstream: {e}")),
    };
    let status = resp.status().as_u16();
    let mut headers: Vec<Header> = Vec::new();
    for name in FORWARD_RESPONSE {
        if let Some(v) = resp.headers().get(*name).and_then(|v| v.to_str().ok()) {
            headers.extend(header(name, v));
        }
    }
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // Passed on when the body is, so a plain JSON answer keeps its framing.
    let upstream_length = resp
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let reader = resp.into_body().into_reader();
    let id = msg.as_ref().and_then(|m| m.get("id")).cloned();
    let (body, length): (Box<dyn Read + Send>, Option<usize>) = match (kind, id) {
        (Some(kind), Some(id)) if content_type.starts_with("text/event-stream") => (
            Box::new(SseRewriter {
                inner: BufReader::new(reader),
                out: Vec::new(),
                pos: 0,
                pending: Some((id, kind)),
                gw: Arc::clone(gw),
            }),
            None,
        ),
        (Some(kind), Some(_)) if content_type.starts_with("application/json") => {
            let text = match read_bounded(reader, "upstream") {
                Ok(t) => t,
                Err(_) => return plain(gw, req, 502, "upstream answer too large or cut"),
            };
            let out = match serde_json::from_slice::<Value>(&text) {
                Ok(m) => lock(&gw.identity)
                    .rewrite(m, &kind)
                    .to_string()
                    .into_bytes(),
                Err(_) => text,
            };
            let len = out.len();
            (Box::new(std::io::Cursor::new(out)), Some(len))
        }
        _ => (Box::new(reader), upstream_length),
    };
    if content_type.starts_with("text/event-stream") {
        headers.extend(gw.headers.iter().filter_map(|(k, v)| header(k, v)));
        return stream(req, status, &headers, body);
    }
    let mut r = Response::new(StatusCode(status), headers, body, length, None);
    r = with_ours(gw, r);
    let _ = req.respond(r);
}

/// Sends an SSE answer chunk by chunk, flushing after each read from the upstream, so events
/// arrive when they happen (tiny_http's own chunked writer holds 8 KiB before sending, which
/// would stall a quiet stream). A stream the upstream breaks is cut, not terminated cleanly,
/// so the client sees it as incomplete.
fn stream(req: Request, status: u16, headers: &[Header], mut body: impl Read) {
    let mut w = req.into_writer();
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\n",
        StatusCode(status).default_reason_phrase()
    );
    for h in headers {
        head.push_str(&format!("{}: {}\r\n", h.field.as_str(), h.value.as_str()));
    }
    head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    if w.write_all(head.as_bytes())
        .and_then(|()| w.flush())
        .is_err()
    {
        return;
    }
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => return,
        };
        let chunk = buf.get(..n).unwrap_or_default();
        let sent = write!(w, "{n:x}\r\n")
            .and_then(|()| w.write_all(chunk))
            .and_then(|()| w.write_all(b"\r\n"))
            .and_then(|()| w.flush());
        if sent.is_err() {
            return;
        }
    }
    let _ = w.write_all(b"0\r\n\r\n").and_then(|()| w.flush());
}

/// An SSE stream passed on event by event, the event that answers the tracked request
/// rewritten (bounded per event by `next_sse_data`'s limit), all others as read.
struct SseRewriter<R> {
    inner: BufReader<R>,
    out: Vec<u8>,
    pos: usize,
    pending: Option<(Value, Pending)>,
    gw: Arc<Gateway>,
}

impl<R: Read> SseRewriter<R> {
    /// Reads one raw event (lines up to the blank line) into `out`.
    fn fill(&mut self) -> std::io::Result<bool> {
        self.out.clear();
        self.pos = 0;
        let mut raw = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = self
                .inner
                .by_ref()
                .take(MAX_BODY + 1)
                .read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            if raw.len() + line.len() > MAX_BODY as usize {
                return Err(std::io::Error::other("an SSE event too large"));
            }
            let blank = line == b"\n" || line == b"\r\n";
            raw.extend_from_slice(&line);
            if blank {
                break;
            }
        }
        if raw.is_empty() {
            return Ok(false);
        }
        self.out = self.rewrite(raw);
        Ok(true)
    }

    fn rewrite(&mut self, raw: Vec<u8>) -> Vec<u8> {
        let Some((id, _)) = &self.pending else {
            return raw;
        };
        let Ok(Some(data)) = next_sse_data(&mut &raw[..], "upstream") else {
            return raw;
        };
        let Ok(msg) = serde_json::from_str::<Value>(&data) else {
            return raw;
        };
        if msg.get("method").is_some() || msg.get("id") != Some(id) {
            return raw;
        }
        let Some((_, kind)) = self.pending.take() else {
            return raw;
        };
        let rewritten = lock(&self.gw.identity).rewrite(msg, &kind);
        let mut out = Vec::new();
        for line in String::from_utf8_lossy(&raw).lines() {
            if !line.starts_with("data:") && !line.is_empty() {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(rewritten.to_string().as_bytes());
        out.extend_from_slice(b"\n\n");
        out
    }
}

impl<R: Read> Read for SseRewriter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.out.len() && self.pending.is_none() {
            // Answered: the rest of the stream is passed on as it comes, unbounded.
            return self.inner.read(buf);
        }
        if self.pos >= self.out.len() && !self.fill()? {
            return Ok(0);
        }
        let mut rest: &[u8] = self.out.get(self.pos..).unwrap_or_default();
        let n = rest.read(buf)?;
        self.pos += n;
        Ok(n)
    }
}
