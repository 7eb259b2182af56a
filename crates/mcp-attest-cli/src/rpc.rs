//! A minimal MCP client over a child process's stdin/stdout (newline-delimited JSON-RPC).
//!
//! Why not `rmcp`: the identity check needs only request/response (initialize, then the few
//! requests `ClientSession` asks for), and the official SDK brings tokio, a macro layer and
//! a long build; this file is the whole transport and keeps the CLI's dependency tree and
//! build time small.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::out::Fail;

/// The MCP protocol version sent in `initialize` (the server may answer with another one it
/// supports; the identity methods do not depend on it).
pub(crate) const PROTOCOL_VERSION: &str = "2025-06-18";

/// Largest line read from the server: the session caps a tools page at 4 MiB; a little more
/// for the JSON-RPC envelope.
const MAX_LINE: usize = 5 << 20;

/// A JSON-RPC answer: a result, or an error (code, message, data).
pub(crate) enum Answer {
    Result(Value),
    Error(i64, String, Option<Value>),
}

pub(crate) struct StdioClient {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Result<String, String>>,
    next_id: u64,
    timeout: Duration,
}

/// Starts a server `command` with piped stdin/stdout and our stderr (so a crashing server's
/// traceback is visible); a command that cannot be started is exit 3 (`server_not_started`).
pub(crate) fn spawn_server(command: &[String]) -> Result<std::process::Child, Fail> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| Fail::cannot("server_not_started", "no command given".to_owned()))?;
    Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Fail::cannot("server_not_started", format!("{program}: {e}")))
}

impl StdioClient {
    /// Starts `command` with piped stdin/stdout (its stderr is ours, so a crashing server's
    /// traceback is visible). A command that cannot be started is exit 3.
    pub(crate) fn spawn(command: &[String], timeout: Duration) -> Result<StdioClient, Fail> {
        let mut child = spawn_server(command)?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Fail::cannot("server_not_started", "no stdout pipe".to_owned()))?;
        // A reader thread, so a silent server is a timeout on the channel rather than a
        // read that blocks forever.
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                let read = Read::by_ref(&mut reader)
                    .take(MAX_LINE as u64 + 1)
                    .read_until(b'\n', &mut buf);
                match read {
                    Ok(0) => return,
                    Ok(_) if buf.len() > MAX_LINE => {
                        let _ = tx.send(Err(format!("a line longer than {MAX_LINE} bytes")));
                        return;
                    }
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf).trim().to_owned();
                        if !line.is_empty() && tx.send(Ok(line)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return;
                    }
                }
            }
        });
        Ok(StdioClient {
            child,
            stdin,
            lines: rx,
            next_id: 1,
            timeout,
        })
    }

    fn send(&mut self, msg: &Value) -> Result<(), Fail> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| Fail::cannot("server_closed", "stdin closed".to_owned()))?;
        let mut line = msg.to_string();
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| Fail::cannot("server_closed", format!("writing to the server: {e}")))
    }

    /// Sends a request and waits for its answer, answering any request the server sends
    /// meanwhile with "method not found" (this client declares no capabilities) and
    /// skipping notifications (logging, progress).
    pub(crate) fn request(&mut self, method: &str, params: Value) -> Result<Answer, Fail> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(Ok(l)) => l,
                Ok(Err(e)) => return Err(Fail::cannot("server_closed", e)),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(Fail::cannot(
                        "server_timeout",
                        format!("no answer to {method} within {} s", self.timeout.as_secs()),
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Fail::cannot(
                        "server_closed",
                        format!("the server closed its output before answering {method}"),
                    ))
                }
            };
            // A line that is not JSON (a server printing to stdout) is skipped, as the SDKs do.
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                eprintln!("warning: skipped a non-JSON line from the server");
                continue;
            };
            if msg.get("method").is_some() {
                if let Some(req_id) = msg.get("id") {
                    self.send(&json!({"jsonrpc": "2.0", "id": req_id,
                        "error": {"code": -32601, "message": "Method not found"}}))?;
                }
                continue;
            }
            if msg.get("id") != Some(&json!(id)) {
                continue;
            }
            if let Some(e) = msg.get("error") {
                let code = e.get("code").and_then(Value::as_i64).unwrap_or(0);
                let message = e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                return Ok(Answer::Error(code, message, e.get("data").cloned()));
            }
            return Ok(Answer::Result(
                msg.get("result").cloned().unwrap_or(Value::Null),
            ));
        }
    }

    pub(crate) fn notify(&mut self, method: &str) -> Result<(), Fail> {
        self.send(&json!({"jsonrpc": "2.0", "method": method}))
    }

    /// The MCP handshake: `initialize`, then `notifications/initialized`. Returns the
    /// server's `serverInfo` (for the report).
    pub(crate) fn initialize(&mut self) -> Result<Value, Fail> {
        let params = json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcp-attest", "version": env!("CARGO_PKG_VERSION")},
        });
        match self.request("initialize", params)? {
            Answer::Result(r) => {
                self.notify("notifications/initialized")?;
                Ok(r.get("serverInfo").cloned().unwrap_or(Value::Null))
            }
            Answer::Error(code, message, _) => Err(Fail::cannot(
                "server_error",
                format!("initialize failed: {code} {message}"),
            )),
        }
    }
}

impl Drop for StdioClient {
    /// Closing stdin is how an MCP stdio server is told to stop; a server that ignores it
    /// is killed after a short grace period so the CLI never leaves it behind.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
