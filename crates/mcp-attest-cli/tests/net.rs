//! The CLI's network commands against real servers: `verify URL` (Streamable HTTP) and
//! `verify -- COMMAND` against the project's Python and TypeScript test servers, and `wrap`
//! (stdio proxy and HTTP gateway) in front of servers that have no identity, including the
//! official reference servers `@modelcontextprotocol/server-memory` (npm) and
//! `mcp-server-time` (PyPI), checked by the CLI and by both client adapters.
//!
//! Needs what `just test-cli` prepares: the repository's `.venv`, the JS package's `dist`,
//! and `tests/ref-servers/setup.sh`. Missing is a failure, not a skip.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    missing_docs
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const SEED_B: &str = "0202020202020202020202020202020202020202020202020202020202020202";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcp-attest"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn must_exist(p: PathBuf, how: &str) -> String {
    assert!(
        p.exists(),
        "{} is missing: {how} (or `just test-cli`)",
        p.display()
    );
    p.display().to_string()
}

fn python() -> String {
    must_exist(
        repo().join(".venv/bin/python"),
        "run `bash bindings/python/scripts/build.sh`",
    )
}

fn ref_servers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ref-servers")
}

fn memory_server() -> String {
    must_exist(
        ref_servers().join("node_modules/.bin/mcp-server-memory"),
        "run `bash crates/mcp-attest-cli/tests/ref-servers/setup.sh`",
    )
}

fn time_server() -> Vec<String> {
    vec![
        must_exist(
            ref_servers().join(".venv/bin/mcp-server-time"),
            "run `bash crates/mcp-attest-cli/tests/ref-servers/setup.sh`",
        ),
        "--local-timezone".into(),
        "UTC".into(),
    ]
}

fn py_server(extra: &[&str]) -> Vec<String> {
    let mut v = vec![
        python(),
        repo()
            .join("bindings/python/tests_mcp/server.py")
            .display()
            .to_string(),
    ];
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

fn ts_server(extra: &[&str]) -> Vec<String> {
    must_exist(
        repo().join("bindings/js/dist/mcp.js"),
        "run `bash bindings/js/scripts/build-if-stale.sh`",
    );
    let mut v = vec![
        "node".to_owned(),
        repo()
            .join("bindings/js/test-mcp/server.mjs")
            .display()
            .to_string(),
    ];
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

/// A child process killed (and reaped) when the test ends, pass or fail.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first stdout line matching `LISTENING <url>`, within 30 s; its words after LISTENING.
fn wait_listening(out: ChildStdout) -> Vec<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if let Some(rest) = line.strip_prefix("LISTENING ") {
                let _ = tx.send(rest.split_whitespace().map(str::to_owned).collect());
                // Keep draining so the child never blocks on a full pipe.
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the server did not print LISTENING within 30 s")
}

/// Starts an HTTP server command that prints `LISTENING <url>`; returns it and its URL.
fn start_http(cmd: &[String]) -> (Proc, String) {
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Their request logs would bury the test output.
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let p = Proc(child);
    let words = wait_listening(out);
    (p, words[0].clone())
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {o:?}"))
}

fn verify_url(url: &str, extra: &[&str]) -> Output {
    bin()
        .args(["--json", "verify"])
        .args(extra)
        .arg(url)
        .output()
        .unwrap()
}

fn verify_cmd(cmd: &[String], extra: &[&str]) -> Output {
    bin()
        .args(["--json", "verify"])
        .args(extra)
        .arg("--")
        .args(cmd)
        .output()
        .unwrap()
}

fn key_file(dir: &Path) -> String {
    let path = dir.join("server.pem");
    let o = bin()
        .args(["keygen", "--out", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{o:?}");
    path.display().to_string()
}

fn did_of(key: &str) -> String {
    let o = bin().args(["--json", "key", "show", key]).output().unwrap();
    json_out(&o)["did"].as_str().unwrap().to_owned()
}

fn wrap_cmd(key: &str, server: &[String]) -> Vec<String> {
    let mut v = vec![
        env!("CARGO_BIN_EXE_mcp-attest").to_owned(),
        "wrap".into(),
        "--key".into(),
        key.into(),
        "--".into(),
    ];
    v.extend(server.iter().cloned());
    v
}

/// The TypeScript (SDK 1.x + mcp-attest/mcp) or Python (mcp 2.x + mcp_attest.mcp) client:
/// `{"report": …, "call": …}`.
fn adapter_client(lang: &str, target: &[String], call: Option<(&str, Value)>) -> Value {
    let mut cmd = if lang == "ts" {
        let mut c = Command::new("node");
        c.arg(repo().join("bindings/js/test-mcp/cli-client.mjs"));
        c
    } else {
        let mut c = Command::new(python());
        c.arg(repo().join("bindings/python/tests_mcp/cli_client.py"));
        c
    };
    if let Some((name, args)) = call {
        cmd.args(["--call", name, &args.to_string()]);
    }
    if target[0].starts_with("http") {
        cmd.args(["--url", &target[0]]);
    } else {
        cmd.arg("--").args(target);
    }
    let o = cmd.stdin(Stdio::null()).output().unwrap();
    assert!(o.status.success(), "{lang} client failed: {o:?}");
    json_out(&o)
}

fn assert_verified(r: &Value, did: &str) {
    assert_eq!(r["verified"], true, "{r}");
    assert_eq!(r["server"]["did"], did, "{r}");
    assert_eq!(r["challenge"], "verified", "{r}");
    assert!(!r["tools"].as_array().unwrap().is_empty(), "{r}");
}

// ---- verify URL (Streamable HTTP) and verify -- COMMAND against the project's servers ----

/// Honest, pinned, then an impostor key under the same server id; then a tampered tool.
/// Starts a server with extra flags: the process to keep alive (none for stdio, which each
/// `verify` starts itself) and the target (a URL, or the command as a JSON array).
type Start<'a> = &'a dyn Fn(&[&str]) -> (Option<Proc>, String);

fn honest_impostor_tampered(start: Start<'_>, seed_b: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("trust.json");
    let store = store.to_str().unwrap();
    let pin = ["--trust-store", store, "--server-id", "test-server"];

    let (_p, target) = start(&[]);
    let o = verify_any(&target, &pin);
    assert_eq!(code(&o), 0, "{o:?}");
    let r = json_out(&o);
    assert_verified(&r, r["server"]["did"].as_str().unwrap());
    assert_eq!(r["pin"], "first_use");

    let (_q, target) = start(&["--seed", seed_b]);
    let o = verify_any(&target, &pin);
    assert_eq!(code(&o), 1, "{o:?}");
    assert_eq!(json_out(&o)["code"], "pinned_key_changed");

    let (_t, target) = start(&["--tamper", "description"]);
    let o = verify_any(&target, &[]);
    assert_eq!(code(&o), 1, "{o:?}");
    let r = json_out(&o);
    assert_eq!(r["verified"], false);
    assert_eq!(r["code"], "manifest_mismatch", "{r}");
}

fn verify_any(target: &str, extra: &[&str]) -> Output {
    if target.starts_with("http") {
        verify_url(target, extra)
    } else {
        let cmd: Vec<String> = serde_json::from_str(target).unwrap();
        verify_cmd(&cmd, extra)
    }
}

#[test]
fn verify_python_server_over_http() {
    honest_impostor_tampered(
        &|extra| {
            let mut args = vec!["--transport", "http", "--port", "0"];
            args.extend_from_slice(extra);
            let (p, url) = start_http(&py_server(&args));
            (Some(p), url)
        },
        SEED_B,
    );
}

#[test]
fn verify_typescript_server_over_http_and_stdio() {
    let http = |extra: &[&str]| {
        let mut args = vec!["--transport", "http", "--port", "0"];
        args.extend_from_slice(extra);
        let (p, url) = start_http(&ts_server(&args));
        (Some(p), url)
    };
    honest_impostor_tampered(&http, "2");
    let stdio = |extra: &[&str]| {
        let mut args = vec!["--transport", "stdio"];
        args.extend_from_slice(extra);
        (None, serde_json::to_string(&ts_server(&args)).unwrap())
    };
    honest_impostor_tampered(&stdio, "2");
}

#[test]
fn verify_url_default_server_id_is_the_canonical_url() {
    let (_p, url) = start_http(&py_server(&["--transport", "http", "--port", "0"]));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("trust.json");
    // Human output names the server id first; the scheme is lowercased in the pin name.
    let loud = url.replace("http://", "HTTP://");
    let o = bin()
        .args(["verify", "--trust-store", store.to_str().unwrap(), &loud])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(code(&o), 0, "{o:?}");
    let canonical = url.clone();
    assert!(
        text.starts_with(&format!("VERIFIED  {canonical}\n")),
        "{text}"
    );
    let saved = std::fs::read_to_string(&store).unwrap();
    assert!(saved.contains(&canonical), "{saved}");
}

#[test]
fn verify_url_refuses_plain_http_off_loopback_and_bad_urls() {
    for url in [
        "http://example.com/mcp",
        "ftp://127.0.0.1/x",
        "https://u:p@example.com/",
    ] {
        let o = verify_url(url, &[]);
        assert_eq!(code(&o), 3, "{url}: {o:?}");
        assert_eq!(json_out(&o)["code"], "invalid_url", "{url}");
    }
    assert_eq!(
        code(
            &bin()
                .args(["verify", "http://127.0.0.1:1/mcp", "--", "x"])
                .output()
                .unwrap()
        ),
        2
    );
}

// ---- hostile HTTP servers ----

/// A one-shot HTTP server on a free loopback port that answers every connection with `answer`
/// (after reading the request head), or never answers when `answer` is None.
fn hostile_server(answer: Option<Vec<u8>>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            let answer = answer.clone();
            thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let _ = s.read(&mut buf);
                match answer {
                    Some(a) => {
                        let _ = s.write_all(&a);
                    }
                    None => thread::sleep(Duration::from_secs(60)),
                }
            });
        }
    });
    url
}

#[test]
fn verify_url_hostile_servers_are_exit_3_not_a_hang() {
    let started = Instant::now();
    let o = verify_url(&hostile_server(None), &["--timeout", "1"]);
    assert_eq!(code(&o), 3, "{o:?}");
    assert_eq!(json_out(&o)["code"], "server_timeout");
    assert!(started.elapsed() < Duration::from_secs(10));

    // 6 MiB of JSON: over the bound, refused without being read whole.
    let big = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"{}\"}}",
        "a".repeat(6 << 20)
    );
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        big.len()
    );
    let o = verify_url(
        &hostile_server(Some([head.as_bytes(), big.as_bytes()].concat())),
        &[],
    );
    assert_eq!(code(&o), 3, "{o:?}");
    assert_eq!(json_out(&o)["code"], "input_too_large");

    // An SSE event larger than the bound.
    let sse = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: {}\n\n",
        "b".repeat(6 << 20)
    );
    let o = verify_url(&hostile_server(Some(sse.into_bytes())), &[]);
    assert_eq!(code(&o), 3, "{o:?}");
    assert_eq!(json_out(&o)["code"], "input_too_large");

    // Garbage events, then the stream ends without our answer.
    let sse = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: not json\n\n: comment\n\ndata: {\"id\":99}\n\n";
    let o = verify_url(&hostile_server(Some(sse.as_bytes().to_vec())), &[]);
    assert_eq!(code(&o), 3, "{o:?}");
    assert_eq!(json_out(&o)["code"], "server_closed");

    // Not HTTP at all.
    let o = verify_url(
        &hostile_server(Some(b"\x00\x01garbage\r\n\r\n".to_vec())),
        &[],
    );
    assert_eq!(code(&o), 3, "{o:?}");
}

// ---- wrap (stdio) ----

#[test]
fn wrap_python_plain_server_is_verified_and_impostor_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let did = did_of(&key);
    let store = dir.path().join("trust.json");
    let store = store.to_str().unwrap();
    let wrapped = wrap_cmd(&key, &py_server(&["--server", "plain"]));
    let o = verify_cmd(&wrapped, &["--trust-store", store, "--server-id", "plain"]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_verified(&json_out(&o), &did);

    // Without the proxy the same server has no identity at all.
    let o = verify_cmd(&py_server(&["--server", "plain"]), &[]);
    assert_eq!(code(&o), 1, "{o:?}");

    // Another key in front of the same server id: the pin refuses it.
    let other = tempfile::tempdir().unwrap();
    let o = verify_cmd(
        &wrap_cmd(&key_file(other.path()), &py_server(&["--server", "plain"])),
        &["--trust-store", store, "--server-id", "plain"],
    );
    assert_eq!(code(&o), 1, "{o:?}");
    assert_eq!(json_out(&o)["code"], "pinned_key_changed");
}

#[test]
fn wrap_reference_servers_verified_by_the_cli_and_both_adapters() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let did = did_of(&key);
    // server-memory keeps its graph in a file: one per run, in the temp dir.
    let memory = vec![
        "env".to_owned(),
        format!(
            "MEMORY_FILE_PATH={}",
            dir.path().join("memory.jsonl").display()
        ),
        memory_server(),
    ];
    for server in [memory, time_server()] {
        let wrapped = wrap_cmd(&key, &server);
        let o = verify_cmd(&wrapped, &[]);
        assert_eq!(code(&o), 0, "{o:?}");
        assert_verified(&json_out(&o), &did);
        for lang in ["ts", "py"] {
            let out = adapter_client(lang, &wrapped, None);
            assert_verified(&out["report"], &did);
        }
    }
}

#[test]
fn wrap_passes_tool_calls_through_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let call = (
        "convert_time",
        json!({"source_timezone": "UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"}),
    );
    let direct = adapter_client("py", &time_server(), Some(call.clone()));
    let wrapped = adapter_client("py", &wrap_cmd(&key, &time_server()), Some(call));
    assert_eq!(direct["report"]["verified"], false);
    assert_eq!(wrapped["report"]["verified"], true);
    assert!(!direct["call"]["content"].as_array().unwrap().is_empty());
    assert_eq!(direct["call"], wrapped["call"]);

    // Byte for byte: the same lines into the server directly and through the proxy; the
    // tools/call answer line is identical.
    let memory = |file: &str| {
        vec![
            "env".to_owned(),
            format!("MEMORY_FILE_PATH={}", dir.path().join(file).display()),
            memory_server(),
        ]
    };
    let lines = [
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}),
        json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_entities","arguments":{"entities":[{"name":"a","entityType":"t","observations":["x"]}]}}}),
    ];
    let lines: Vec<String> = lines.iter().map(Value::to_string).collect();
    let a = raw_exchange(&memory("m1.jsonl"), &lines, 2);
    let b = raw_exchange(&wrap_cmd(&key, &memory("m2.jsonl")), &lines, 2);
    assert!(a.contains("\"id\":2"), "{a}");
    assert_eq!(a, b);
}

/// Writes `lines` to `cmd`'s stdin and returns the stdout line that answers `id` (raw).
fn raw_exchange(cmd: &[String], lines: &[String], id: u64) -> String {
    raw_exchange_id(cmd, lines, &json!(id))
}

fn raw_exchange_id(cmd: &[String], lines: &[String], id: &Value) -> String {
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let out = child.stdout.take().unwrap();
    let _p = Proc(child);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            let _ = tx.send(line);
        }
    });
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("no answer within 30 s");
        let v: Value = serde_json::from_str(&line).unwrap_or_default();
        if &v["id"] == id && v.get("method").is_none() {
            return line;
        }
    }
}

#[test]
fn wrap_survives_garbage_and_oversized_lines_and_answers_identity_itself() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let did = did_of(&key);
    let big = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":\"{}\"}}",
        "z".repeat(6 << 20)
    );
    let lines = [
        "\u{0}\u{1} not JSON {{{".to_owned(),
        big,
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}).to_string(),
        json!({"jsonrpc":"2.0","method":"notifications/initialized"}).to_string(),
        json!({"jsonrpc":"2.0","id":"get","method":"identity/get"}).to_string(),
    ];
    let cmd = wrap_cmd(&key, &time_server());
    let init = raw_exchange(&cmd, &lines[..3], 1);
    let init: Value = serde_json::from_str(&init).unwrap();
    assert_eq!(
        init["result"]["capabilities"]["experimental"]["org.mcp-attest/identity"]["did"], did,
        "{init}"
    );
    // Its own capabilities are kept.
    assert!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );
    // identity/get is answered by the proxy (the time server does not know the method).
    let got = raw_exchange_id(&cmd, &lines, &json!("get"));
    let got: Value = serde_json::from_str(&got).unwrap();
    assert!(got["result"]["publicKey"]["x"].is_string(), "{got}");
}

#[test]
fn wrap_exits_with_the_servers_status_and_when_the_client_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let o = bin()
        .args(["wrap", "--key", &key, "--", "sh", "-c", "exit 7"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&o), 7, "{o:?}");

    // A server that never answers nor exits: the client closing stdin ends the proxy
    // (and the server) within the grace period.
    let started = Instant::now();
    let o = bin()
        .args(["wrap", "--key", &key, "--", "sleep", "60"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(15), "{o:?}");

    // A key that does not load is exit 3, before anything starts.
    let o = bin()
        .args(["--json", "wrap", "--key", "/nonexistent.pem", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 3, "{o:?}");
}

// ---- wrap --listen --upstream (Streamable HTTP gateway) ----

#[test]
fn gateway_in_front_of_an_http_server_with_sse_answers() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let did = did_of(&key);
    // The Python SDK answers POSTs with SSE streams: the rewritten answers arrive as events.
    let (_up, upstream) = start_http(&py_server(&[
        "--server",
        "plain",
        "--transport",
        "http",
        "--port",
        "0",
    ]));
    let gw_cmd = vec![
        env!("CARGO_BIN_EXE_mcp-attest").to_owned(),
        "wrap".into(),
        "--key".into(),
        key,
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--upstream".into(),
        upstream.clone(),
    ];
    let (_gw, url) = start_http(&gw_cmd);
    let o = verify_url(&url, &[]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_verified(&json_out(&o), &did);
    for lang in ["ts", "py"] {
        let call = Some(("echo", json!({"text": "through the gateway"})));
        let out = adapter_client(lang, std::slice::from_ref(&url), call);
        assert_verified(&out["report"], &did);
        assert_eq!(
            out["call"]["content"][0]["text"], "through the gateway",
            "{out}"
        );
    }
    // The upstream alone has no identity.
    assert_eq!(code(&verify_url(&upstream, &[])), 1);
}

/// A fake upstream on a free loopback port: every connection's one request gets
/// `answer(request body)` (a whole HTTP response); an SSE answer's connection then stays
/// open for 30 s, any other is closed.
fn fake_upstream(answer: fn(&str) -> String) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { return };
            thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let low = line.to_ascii_lowercase();
                    if let Some(v) = low.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0u8; len];
                let _ = r.read_exact(&mut body);
                let mut s = s;
                let answer = answer(&String::from_utf8_lossy(&body));
                let _ = s.write_all(answer.as_bytes());
                let _ = s.flush();
                if answer.contains("text/event-stream") {
                    thread::sleep(Duration::from_secs(30));
                }
            });
        }
    });
    url
}

fn gateway(key: &str, upstream: &str) -> (Proc, String) {
    start_http(&[
        env!("CARGO_BIN_EXE_mcp-attest").to_owned(),
        "wrap".into(),
        "--key".into(),
        key.into(),
        // A bare port: loopback.
        "--listen".into(),
        "0".into(),
        "--upstream".into(),
        upstream.into(),
    ])
}

/// Sends one raw HTTP request to `url`; returns what arrives within `wait`.
fn raw_http(url: &str, method: &str, body: &str, wait: Duration) -> String {
    let addr = url.trim_start_matches("http://").trim_end_matches("/mcp");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} /mcp HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + wait;
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[test]
fn gateway_rewrites_json_answers_and_passes_quiet_sse_streams_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path());
    let did = did_of(&key);
    let up = fake_upstream(|body| {
        if body.contains("\"initialize\"") {
            let b = r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"fake","version":"0"}}}"#;
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nMcp-Session-Id: s1\r\nContent-Length: {}\r\n\r\n{b}", b.len())
        } else {
            // A stream that sends one small event and then stays quiet.
            let event = "event: message\ndata: {\"method\":\"ping!\"}\n\n";
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n",
                event.len()
            )
        }
    });
    let (_gw, url) = gateway(&key, &up);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
    let got = raw_http(&url, "POST", init, Duration::from_secs(3));
    assert!(got.contains(&format!("did={did}")), "{got}");
    assert!(
        got.to_ascii_lowercase().contains("mcp-session-id: s1"),
        "{got}"
    );
    let body: Value = serde_json::from_str(got.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(
        body["result"]["capabilities"]["experimental"]["org.mcp-attest/identity"]["did"],
        did
    );
    assert!(body["result"]["capabilities"]["tools"].is_object());

    // The event arrives while the upstream keeps the stream open.
    let got = raw_http(&url, "GET", "", Duration::from_secs(3));
    assert!(got.contains("data: {\"method\":\"ping!\"}"), "{got}");

    // An oversized request body is refused by the gateway itself, on its declared size.
    let addr = url.trim_start_matches("http://").trim_end_matches("/mcp");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        6 << 20
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 413");
}
