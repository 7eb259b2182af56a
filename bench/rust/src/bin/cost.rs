//! Cost growth of every public entry point on adversarial input shapes (`just bench-cost`).
//!
//! For each entry point and shape (members per object, tools per list, properties per
//! schema, array length, string escapes, nesting at the depth limit, …) the input is built at
//! a size `n` and at `4n`, both inside the entry point's limits, and the median time of one
//! call is measured at each. The table prints the growth factor `t(4n) / t(n)`: about 4× is
//! linear, about 4.5–5× is n log n, 16× is quadratic. A shape whose input stays small (a
//! passport is at most 8 KiB) shows less than 4×, since the fixed cost (one signature check)
//! dominates. The outcome column is what the call returned at `4n` (`ok` or an error code),
//! so a shape refused early (say, by a size limit) is visible rather than looking cheap.
//!
//! The process exits non-zero when a factor exceeds [`FAIL_FACTOR`], so a quadratic path
//! fails the run. `BENCH_QUICK=1` takes fewer, shorter samples (a smoke run).

// A benchmark binary: setup failures must stop the run loudly, so unwrap/expect/panic are the
// point here; std is what a host-side bench uses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::cast_precision_loss
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use mcp_attest::caller::{self, CallerVerifier};
use mcp_attest::challenge::{self, ChallengeRequest, ChallengeResponder, ChallengeResponse};
use mcp_attest::evidence::{self, EvidenceWriter};
use mcp_attest::identity;
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::json::{self, Object, Value};
use mcp_attest::jws;
use mcp_attest::passport;
use mcp_attest::revocation::{self, Entry, RevocationList};
use mcp_attest::server::{ServerOptions, ServerPresentation};
use mcp_attest::session::{accept_tool, ClientPolicy, ClientSession};
use mcp_attest::tool::{self, SignOptions, VerifyOptions};
use mcp_attest::trust::TrustStore;
use mcp_attest::{Result, SigningKey, VerifyingKey};

const NOW: u64 = 1_800_000_000;
/// A growth factor above this (for a 4× larger input) fails the run: n log n stays well
/// below it, a quadratic path (16×) well above.
const FAIL_FACTOR: f64 = 8.0;
/// Seconds per call at `4n` below which growth is not a failure.
const FAIL_FLOOR: f64 = 50e-6;

fn outcome<T>(r: &Result<T>) -> String {
    match r {
        Ok(_) => String::from("ok"),
        Err(e) => String::from(e.code().as_str()),
    }
}

/// `count` copies of `item(i)` joined by commas.
fn join(count: usize, item: impl Fn(usize) -> String) -> String {
    let mut s = String::new();
    for i in 0..count {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&item(i));
    }
    s
}

fn members(count: usize, prefix: &str) -> String {
    join(count, |i| format!("\"{prefix}{i:07}\":0"))
}

fn escapes(count: usize) -> String {
    format!("\"{}\"", "\\u00e9".repeat(count))
}

/// Arrays nested `depth` deep around a 0.
fn deep(depth: usize) -> String {
    format!("{}0{}", "[".repeat(depth), "]".repeat(depth))
}

struct Case {
    entry: &'static str,
    shape: &'static str,
    n: usize,
    build: Box<dyn Fn(usize) -> String>,
    run: Box<dyn Fn(&str) -> String>,
}

fn case(
    entry: &'static str,
    shape: &'static str,
    n: usize,
    build: impl Fn(usize) -> String + 'static,
    run: impl Fn(&str) -> String + 'static,
) -> Case {
    Case {
        entry,
        shape,
        n,
        build: Box::new(build),
        run: Box::new(run),
    }
}

/// Median seconds per call at `small` and at `large`: samples of at least `slice` each,
/// interleaved (small, large, small, …) so that load from other processes hits both alike.
fn per_call(
    run: &dyn Fn(&str) -> String,
    small: &str,
    large: &str,
    samples: usize,
    slice: Duration,
) -> (f64, f64) {
    let reps = |input: &str| {
        black_box(run(black_box(input))); // warm-up
        let start = Instant::now();
        black_box(run(black_box(input)));
        let once = start.elapsed().max(Duration::from_nanos(50));
        (slice.as_secs_f64() / once.as_secs_f64()).ceil().max(1.0) as usize
    };
    let (rs, rl) = (reps(small), reps(large));
    let sample = |input: &str, reps: usize| {
        let t = Instant::now();
        for _ in 0..reps {
            black_box(run(black_box(input)));
        }
        t.elapsed().as_secs_f64() / reps as f64
    };
    let mut ts = Vec::with_capacity(samples);
    let mut tl = Vec::with_capacity(samples);
    for _ in 0..samples {
        ts.push(sample(small, rs));
        tl.push(sample(large, rl));
    }
    ts.sort_by(f64::total_cmp);
    tl.sort_by(f64::total_cmp);
    (ts[ts.len() / 2], tl[tl.len() / 2])
}

fn fmt_time(s: f64) -> String {
    if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    let sk = SigningKey::from_bytes(&[7; 32]);
    let vk = sk.verifying_key();
    let did = vk.to_did_key();
    let mut v = Vec::new();

    // JSON parse + JCS (`json::canonicalize`, default limits: 1 MiB, depth 64).
    let jcs = |t: &str| outcome(&json::canonicalize(t));
    v.push(case(
        "json canonicalize",
        "members per object",
        15_000,
        |n| format!("{{{}}}", members(n, "k")),
        jcs,
    ));
    v.push(case(
        "json canonicalize",
        "members, duplicate last",
        15_000,
        |n| format!("{{{},\"k0000000\":1}}", members(n, "k")),
        jcs,
    ));
    v.push(case(
        "json canonicalize",
        "array length",
        100_000,
        |n| format!("[{}]", join(n, |_| "0".into())),
        jcs,
    ));
    v.push(case(
        "json canonicalize",
        "string escapes",
        40_000,
        escapes,
        jcs,
    ));
    v.push(case(
        "json canonicalize",
        "string length",
        200_000,
        |n| format!("\"{}\"", "a".repeat(n)),
        jcs,
    ));
    v.push(case(
        "json canonicalize",
        "number literals",
        8_000,
        |n| format!("[{}]", join(n, |_| "1.2345678901234567e-300".into())),
        jcs,
    ));
    v.push(case(
        "json canonicalize",
        "nesting at depth limit (64)",
        1_500,
        |n| format!("[{}]", join(n, |_| deep(63))),
        jcs,
    ));
    v.push(case(
        "json parse",
        "nesting at depth limit (64)",
        1_500,
        |n| format!("[{}]", join(n, |_| deep(63))),
        |t| outcome(&json::parse(t)),
    ));

    // verify_tools_list (4 MiB, 4096 tools).
    let vopts = || VerifyOptions {
        now: NOW,
        ..Default::default()
    };
    let verify = move |t: &str| {
        let r = tool::verify_tools_list(t, &vk, &vopts());
        match r {
            Ok(r) => format!("ok/{}", r.manifest.as_str()),
            Err(e) => String::from(e.code().as_str()),
        }
    };
    let sign = move |list: String| {
        tool::sign_tools_list(
            &SigningKey::from_bytes(&[7; 32]),
            &list,
            &SignOptions {
                now: NOW,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let tool_json = |i: usize| {
        format!(
            r#"{{"name":"tool{i:05}","description":"Tool {i}.","inputSchema":{{"type":"object","properties":{{"x":{{"type":"string"}}}}}}}}"#
        )
    };
    v.push(case(
        "verify_tools_list",
        "result members (issue #10)",
        60_000,
        |n| format!("{{\"tools\":[],{}}}", members(n, "k")),
        verify,
    ));
    v.push(case(
        "verify_tools_list",
        "tools per list (signed)",
        1_000,
        move |n| sign(format!("{{\"tools\":[{}]}}", join(n, tool_json))),
        verify,
    ));
    v.push(case(
        "verify_tools_list",
        "tools per list (manifest stripped)",
        1_000,
        move |n| {
            let limits = json::Limits {
                max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
                max_depth: 64,
            };
            let mut o = json::parse_with_limits(
                &sign(format!("{{\"tools\":[{}]}}", join(n, tool_json))),
                limits,
            )
            .unwrap()
            .as_object()
            .unwrap()
            .clone();
            o.remove("_meta");
            Value::Object(o).to_jcs()
        },
        verify,
    ));
    v.push(case("verify_tools_list", "properties per schema (signed)", 40_000, move |n| {
        sign(format!(r#"{{"tools":[{{"name":"t","inputSchema":{{"type":"object","properties":{{{}}}}}}}]}}"#, join(n, |i| format!("\"p{i:06}\":{{}}"))))
    }, verify));
    v.push(case(
        "verify_tools_list",
        "description escapes (signed)",
        150_000,
        move |n| {
            sign(format!(
                r#"{{"tools":[{{"name":"t","description":{},"inputSchema":{{}}}}]}}"#,
                escapes(n)
            ))
        },
        verify,
    ));
    v.push(case(
        "verify_tools_list",
        "schema nesting at depth limit (signed)",
        2_000,
        move |n| {
            // result, tools, tool, inputSchema, properties, then 58 more levels: depth 63.
            sign(format!(
                r#"{{"tools":[{{"name":"t","inputSchema":{{"properties":{{{}}}}}}}]}}"#,
                join(n, |i| format!("\"p{i:06}\":{}", deep(58)))
            ))
        },
        verify,
    ));

    // Passport verify (8 KiB token, depth 64): self-issued, extra content in the payload.
    let passport_with = move |extra: &dyn Fn(&mut Object)| {
        let sk = SigningKey::from_bytes(&[7; 32]);
        let did = sk.verifying_key().to_did_key();
        let mut c = Object::new();
        c.insert("iss", Value::from(did.as_str()));
        c.insert("sub", Value::from(did.as_str()));
        c.insert("iat", Value::from_u64(NOW));
        c.insert("exp", Value::from_u64(NOW + 3600));
        extra(&mut c);
        jws::sign(&sk, Some(passport::PASSPORT_TYP), None, &c)
    };
    let pverify = |t: &str| {
        outcome(&passport::verify(
            t,
            &passport::VerifyOptions {
                now: NOW,
                audience: Some("zzz"),
                ..Default::default()
            },
        ))
    };
    let pverify_noaud = |t: &str| {
        outcome(&passport::verify(
            t,
            &passport::VerifyOptions {
                now: NOW,
                ..Default::default()
            },
        ))
    };
    v.push(case(
        "passport verify",
        "payload members",
        80,
        move |n| {
            passport_with(&|c| {
                for i in 0..n {
                    c.insert(format!("k{i:04}"), Value::Null);
                }
            })
        },
        pverify_noaud,
    ));
    v.push(case(
        "passport verify",
        "aud array length",
        200,
        move |n| {
            passport_with(&|c| {
                c.insert(
                    "aud",
                    Value::Array((0..n).map(|i| Value::from(format!("{}", i % 10))).collect()),
                );
            })
        },
        pverify,
    ));
    v.push(case(
        "passport verify",
        "string escapes",
        200,
        move |n| {
            passport_with(&|c| {
                c.insert("x", json::parse(&escapes(n)).unwrap());
            })
        },
        pverify_noaud,
    ));
    v.push(case(
        "passport verify",
        "nesting at depth limit (64)",
        10,
        move |n| {
            passport_with(&|c| {
                c.insert(
                    "x",
                    json::parse(&format!("[{}]", join(n, |_| deep(62)))).unwrap(),
                );
            })
        },
        pverify_noaud,
    ));

    // Revocation list verify (1 MiB).
    let reg_id = "https://registry.example.com";
    let issuers = vec![TrustedIssuer::new(
        reg_id,
        SigningKey::from_bytes(&[5; 32]).verifying_key(),
    )];
    let issuers2 = issuers.clone();
    let issuers3 = issuers.clone();
    let rverify = move |t: &str| outcome(&RevocationList::verify(t, &issuers, Some(NOW)));
    let rverify2 = move |t: &str| outcome(&RevocationList::verify(t, &issuers2, Some(NOW)));
    let rverify3 = move |t: &str| outcome(&RevocationList::verify(t, &issuers3, Some(NOW)));
    let reg2 = SigningKey::from_bytes(&[5; 32]);
    v.push(case(
        "revocation list verify",
        "entries",
        3_000,
        move |n| {
            let entries: Vec<Entry> = (0..n)
                .map(|i| Entry::jti(&format!("j{i:07}"), None))
                .collect();
            revocation::issue(&reg2, reg_id, &entries, NOW, None)
        },
        rverify,
    ));
    let list_with = move |extra: &dyn Fn(&mut Object)| {
        let reg = SigningKey::from_bytes(&[5; 32]);
        let mut c = Object::new();
        c.insert("iss", Value::from(reg_id));
        c.insert("iat", Value::from_u64(NOW));
        c.insert("revoked", Value::Array(Vec::new()));
        extra(&mut c);
        jws::sign(&reg, Some(revocation::REVOCATION_TYP), None, &c)
    };
    let list_with2 = list_with;
    v.push(case(
        "revocation list verify",
        "payload members",
        12_000,
        move |n| {
            list_with(&|c| {
                for i in 0..n {
                    c.insert(format!("k{i:07}"), Value::Null);
                }
            })
        },
        rverify2,
    ));
    v.push(case(
        "revocation list verify",
        "string escapes in an entry",
        30_000,
        move |n| {
            list_with2(&|c| {
                let e = json::parse(&format!(
                    r#"{{"type":"jti","value":"j","reason":{}}}"#,
                    escapes(n)
                ))
                .unwrap();
                c.insert("revoked", Value::Array(vec![e]));
            })
        },
        rverify3,
    ));

    // Trust store load (16 MiB, depth 16).
    let store_load = |t: &str| outcome(&TrustStore::from_json(t));
    let keys: Vec<VerifyingKey> = (0..8_000u32)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_le_bytes());
            SigningKey::from_bytes(&seed).verifying_key()
        })
        .collect();
    let keys2 = keys.clone();
    v.push(case(
        "trust store load",
        "pins",
        2_000,
        move |n| {
            let mut s = TrustStore::new();
            for (i, k) in keys.iter().take(n).enumerate() {
                s.pin(&format!("https://s{i:06}.example/mcp"), k, NOW);
            }
            s.to_json()
        },
        store_load,
    ));
    v.push(case(
        "trust store load",
        "issuers",
        2_000,
        move |n| {
            let mut s = TrustStore::new();
            for (i, k) in keys2.iter().take(n).enumerate() {
                s.add_issuer(TrustedIssuer::new(format!("https://i{i:06}.example"), *k));
            }
            s.to_json()
        },
        store_load,
    ));
    v.push(case(
        "trust store load",
        "revocation lists (one per issuer)",
        100,
        |n| {
            let mut s = TrustStore::new();
            let signers: Vec<SigningKey> = (0..n)
                .map(|i| {
                    SigningKey::from_bytes(&[
                        (i % 251) as u8 + 1,
                        (i / 251) as u8,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                        9,
                    ])
                })
                .collect();
            for (i, k) in signers.iter().enumerate() {
                s.add_issuer(TrustedIssuer::new(
                    format!("https://i{i:06}.example"),
                    k.verifying_key(),
                ));
            }
            for (i, k) in signers.iter().enumerate() {
                let list = revocation::issue(
                    k,
                    &format!("https://i{i:06}.example"),
                    &[Entry::jti("x", None)],
                    NOW,
                    None,
                );
                assert!(s.add_revocation_list(&list, NOW).unwrap());
            }
            s.to_json()
        },
        store_load,
    ));
    v.push(case(
        "trust store load",
        "top-level members",
        60_000,
        |n| {
            format!(
                r#"{{"version":1,"pins":[],"issuers":[],"revocationLists":[],{}}}"#,
                members(n, "x")
            )
        },
        store_load,
    ));

    // Identity document verify (64 KiB, depth 16): skipped attestations and extra content.
    let doc_with = |extra: Vec<Value>| {
        identity::identity_document(&SigningKey::from_bytes(&[7; 32]), None, NOW, &extra)
    };
    let doc_with2 = doc_with;
    let doc_with3 = doc_with;
    let doc_with4 = doc_with;
    let iverify = |t: &str| {
        outcome(&identity::verify_document(
            t,
            &identity::VerifyOptions {
                now: NOW,
                ..Default::default()
            },
        ))
    };
    v.push(case(
        "identity verify_document",
        "attestations (skipped type)",
        600,
        move |n| {
            doc_with(
                (0..n)
                    .map(|i| json::parse(&format!(r#"{{"type":"dns","n":{i}}}"#)).unwrap())
                    .collect(),
            )
        },
        iverify,
    ));
    v.push(case(
        "identity verify_document",
        "members in an attestation",
        1_000,
        move |n| {
            doc_with2(vec![json::parse(&format!(
                r#"{{"type":"dns",{}}}"#,
                members(n, "k")
            ))
            .unwrap()])
        },
        iverify,
    ));
    v.push(case(
        "identity verify_document",
        "string escapes",
        2_000,
        move |n| {
            doc_with3(vec![json::parse(&format!(
                r#"{{"type":"dns","x":{}}}"#,
                escapes(n)
            ))
            .unwrap()])
        },
        iverify,
    ));
    v.push(case(
        "identity verify_document",
        "nesting at depth limit (16)",
        400,
        move |n| {
            doc_with4(vec![json::parse(&format!(
                r#"{{"type":"dns","x":[{}]}}"#,
                join(n, |_| deep(12))
            ))
            .unwrap()])
        },
        iverify,
    ));

    // did:key parse (256 bytes; the multibase part at most 128).
    v.push(case(
        "did:key parse",
        "DID length (base58 digits)",
        30,
        |n| format!("did:key:z{}", "2".repeat(n)),
        |t| outcome(&VerifyingKey::from_did_key(t)),
    ));
    v.push(case(
        "did:key parse",
        "DID URL fragment length (refused)",
        40,
        move |n| format!("{did}#{}", "a".repeat(n)),
        |t| outcome(&mcp_attest::did_key::parse_did_url(t)),
    ));

    // Challenge respond (params 4 KiB, depth 16) and verify (result 4 KiB).
    let params_with = |extra: String| {
        let p = ChallengeRequest::new(&[4; 32], NOW).to_json();
        format!("{},{}}}", p.strip_suffix('}').unwrap(), extra)
    };
    let respond = |t: &str| {
        let sk = SigningKey::from_bytes(&[7; 32]);
        let mut r = ChallengeResponder::new("k", 16);
        outcome(&r.respond(&sk, t, NOW))
    };
    v.push(case(
        "challenge respond",
        "params members",
        60,
        move |n| params_with(members(n, "k")),
        respond,
    ));
    v.push(case(
        "challenge respond",
        "string escapes",
        150,
        move |n| params_with(format!("\"x\":{}", escapes(n))),
        respond,
    ));
    v.push(case(
        "challenge respond",
        "nesting at depth limit (16)",
        25,
        move |n| params_with(format!("\"x\":[{}]", join(n, |_| deep(14)))),
        respond,
    ));
    let result_with = |extra: String| {
        let sk = SigningKey::from_bytes(&[7; 32]);
        let req = ChallengeRequest::new(&[4; 32], NOW);
        let resp = ChallengeResponder::new(sk.verifying_key().kid(), 16)
            .respond(&sk, &req.to_json(), NOW)
            .unwrap()
            .to_json();
        format!("{},{}}}", resp.strip_suffix('}').unwrap(), extra)
    };
    let cverify = |t: &str| {
        let sk = SigningKey::from_bytes(&[7; 32]);
        let req = ChallengeRequest::new(&[4; 32], NOW);
        outcome(
            &ChallengeResponse::from_json(t)
                .and_then(|r| challenge::verify_response(&req, &r, &sk.verifying_key(), None)),
        )
    };
    v.push(case(
        "challenge verify",
        "result members",
        60,
        move |n| result_with(members(n, "k")),
        cverify,
    ));
    v.push(case(
        "challenge verify",
        "string escapes",
        150,
        move |n| result_with(format!("\"x\":{}", escapes(n))),
        cverify,
    ));
    v
}

/// A recorded exchange for the client session: the server presentation's answers to the
/// requests the session makes (random bytes fixed, so the challenge is known in advance),
/// NUL-separated; `pages` pages of `per_page` tools.
fn session_transcript(pages: usize, per_page: usize) -> String {
    let key = SigningKey::from_bytes(&[1; 32]);
    let mut server = ServerPresentation::new(key, ServerOptions::default());
    let mut answers = Vec::new();
    for p in 0..pages {
        let tools = join(per_page, |i| {
            format!(
                r#"{{"name":"t{p:04}_{i:05}","description":"Tool.","inputSchema":{{"type":"object"}}}}"#
            )
        });
        let next = if p + 1 < pages {
            format!(r#","nextCursor":"c{}""#, p + 1)
        } else {
            String::new()
        };
        let cursor = (p > 0).then(|| format!("c{p}"));
        answers.push(
            server
                .sign_tools_list(
                    &format!(r#"{{"tools":[{tools}]{next}}}"#),
                    cursor.as_deref(),
                    NOW,
                )
                .unwrap(),
        );
    }
    answers.push(server.identity_get(NOW));
    let req = ChallengeRequest::new(&[7; 32], NOW);
    answers.push(
        server
            .answer_challenge(&req.to_json(), "bench", NOW)
            .unwrap(),
    );
    answers.join("\0")
}

/// Runs a session over a transcript of [`session_transcript`]; returns the report's code.
fn run_session(transcript: &str, store: Option<TrustStore>) -> String {
    let policy = ClientPolicy::from_json(r#"{"serverId":"s","maxPages":4096}"#).unwrap();
    let mut session = ClientSession::new(policy, store, NOW, &[7; 64]).unwrap();
    let mut answers = transcript.split('\0');
    while session.next_request().is_some() {
        session.receive_result(answers.next().unwrap_or("null"));
    }
    let report = json::parse(session.report().unwrap()).unwrap();
    report
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or("ok")
        .to_string()
}

fn session_cases(v: &mut Vec<Case>) {
    v.push(case(
        "client session",
        "tools on one page",
        500,
        |n| session_transcript(1, n),
        |t| run_session(t, None),
    ));
    v.push(case(
        "client session",
        "pages of one tool",
        100,
        |n| session_transcript(n, 1),
        |t| run_session(t, None),
    ));
    v.push(case(
        "client session",
        "tools accepted before (changes)",
        500,
        |n| session_transcript(1, n),
        |t| {
            // The store remembers every tool from an earlier listing: the changes are
            // computed against n accepted tools.
            let mut store = TrustStore::new();
            let first = t.split('\0').next().unwrap();
            let page = json::parse_with_limits(
                first,
                json::Limits {
                    max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
                    max_depth: 64,
                },
            )
            .unwrap();
            for tool in page.get("tools").and_then(Value::as_array).unwrap() {
                accept_tool(&mut store, "s", &tool.to_jcs()).unwrap();
            }
            run_session(t, Some(store))
        },
    ));
}

/// A signed evidence log of `n` call records, one per line.
fn evidence_log(n: usize) -> String {
    let mut w = EvidenceWriter::new(SigningKey::from_bytes(&[44; 32]));
    let mut out = String::new();
    for i in 0..n {
        let call = format!(
            r#"{{"tool":"t{i}","arguments":{{"i":{i}}},"result":{{}},"decision":"allow"}}"#
        );
        out.push_str(&w.append_call_json(&call, NOW).unwrap());
        out.push('\n');
    }
    out
}

fn attest_cases(v: &mut Vec<Case>) {
    let log_key = SigningKey::from_bytes(&[44; 32]).verifying_key();
    v.push(case(
        "evidence verify_log",
        "records",
        200,
        evidence_log,
        move |t| {
            let r = evidence::verify_log(t, &log_key, &[], usize::MAX).unwrap();
            if r.is_valid() {
                String::from("ok")
            } else {
                String::from("invalid")
            }
        },
    ));
    v.push(case(
        "evidence verify_log",
        "edited records (every line fails)",
        200,
        |n| evidence_log(n).replace("\"tool\":\"t", "\"tool\":\"T"),
        move |t| {
            let r = evidence::verify_log(t, &log_key, &[], usize::MAX).unwrap();
            format!("{} problems", r.problems.len() as u64 + r.problems_omitted)
        },
    ));
    v.push(case(
        "evidence append_call_json",
        "argument members",
        2_000,
        |n| {
            format!(
                r#"{{"tool":"t","arguments":{{{}}},"result":{{}},"decision":"allow"}}"#,
                members(n, "a")
            )
        },
        |t| {
            let mut w = EvidenceWriter::new(SigningKey::from_bytes(&[44; 32]));
            outcome(&w.append_call_json(t, NOW))
        },
    ));
    let server = SigningKey::from_bytes(&[45; 32])
        .verifying_key()
        .to_did_key();
    let client = SigningKey::from_bytes(&[46; 32]);
    let aud = server.clone();
    v.push(case(
        "caller identify",
        "argument members",
        2_000,
        move |n| {
            let params = format!(r#"{{"name":"t","arguments":{{{}}}}}"#, members(n, "a"));
            caller::attach(&client, None, &aud, "tools/call", &params, NOW, &[1; 16])
                .unwrap()
                .params
        },
        move |t| {
            let mut v = CallerVerifier::new(&server, 16, 16);
            outcome(&v.identify("tools/call", t, None, "c", NOW))
        },
    ));
    v.push(case(
        "caller identify",
        "_meta members (ignored by the hash)",
        2_000,
        |n| format!(r#"{{"name":"t","_meta":{{{}}}}}"#, members(n, "m")),
        |t| {
            let mut v = CallerVerifier::new(
                "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                16,
                16,
            );
            outcome(&v.identify("tools/call", t, None, "c", NOW))
        },
    ));
}

fn main() {
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let (samples, slice) = if quick {
        (3, Duration::from_millis(2))
    } else {
        (7, Duration::from_millis(15))
    };
    let started = Instant::now();
    let mut table = String::new();
    writeln!(
        table,
        "| Entry point | Shape | n → 4n | bytes at 4n | t(n) | t(4n) | growth | outcome at 4n |"
    )
    .unwrap();
    writeln!(table, "|---|---|---|---|---|---|---|---|").unwrap();
    print!("{table}");
    let mut worst: Vec<String> = Vec::new();
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let scale: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let mut all = cases();
    session_cases(&mut all);
    attest_cases(&mut all);
    for mut c in all
        .into_iter()
        .filter(|c| format!("{} {}", c.entry, c.shape).contains(only.as_str()))
    {
        c.n = ((c.n as f64 * scale) as usize).max(1);
        let small = (c.build)(c.n);
        let large = (c.build)(4 * c.n);
        let (t1, t4) = per_call(&*c.run, &small, &large, samples, slice);
        let growth = t4 / t1;
        let line = format!(
            "| {} | {} | {} → {} | {} | {} | {} | {:.2}× | {} |",
            c.entry,
            c.shape,
            c.n,
            4 * c.n,
            large.len(),
            fmt_time(t1),
            fmt_time(t4),
            growth,
            (c.run)(&large)
        );
        println!("{line}");
        table.push_str(&line);
        table.push('\n');
        if growth > FAIL_FACTOR && t4 > FAIL_FLOOR {
            worst.push(format!("{} / {}: {growth:.1}×", c.entry, c.shape));
        }
    }
    println!(
        "\n{:.1} s; linear ≈ 4×, n log n ≈ 4.5–5×, quadratic ≈ 16×",
        started.elapsed().as_secs_f64()
    );
    if !worst.is_empty() {
        eprintln!(
            "superlinear growth (> {FAIL_FACTOR}× for 4× the input): {}",
            worst.join("; ")
        );
        std::process::exit(1);
    }
}
