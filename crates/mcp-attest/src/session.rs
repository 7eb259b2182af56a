//! One trust decision: the client side of an MCP identity check as a sans-I/O state machine.
//!
//! A client adapter (TypeScript, Python, a CLI) creates a [`ClientSession`] from a
//! [`ClientPolicy`], the caller's [`TrustStore`], the clock and fresh randomness, then loops:
//! ask [`ClientSession::next_request`] what to send, send it over the SDK, and hand back the
//! raw JSON result ([`ClientSession::receive_result`]) or the JSON-RPC error
//! ([`ClientSession::receive_error`]). When no request is left, [`ClientSession::report`] is
//! the **server report** — one JSON document, serialised here so every language shows the
//! same bytes — and [`ClientSession::trust_store`] the store to save.
//!
//! Everything a client decides lives here: the order of checks, the defaults, the codes and
//! the report's shape. The adapters move JSON between the SDK and this module and nothing
//! else, so a TypeScript and a Python client reach the same verdict on the same transcript
//! (`tests/vectors/sessions.json` proves it in every runtime).
//!
//! The order, and why:
//!
//! 1. `tools/list`, every page (`nextCursor`), at most [`ClientPolicy::max_pages`]. The
//!    passport rides on the first page's result `_meta` (`org.mcp-attest/identity`), so the
//!    list is fetched first and nothing else needs a round trip to find it.
//! 2. `identity/get`: the served key, its `kid` and attestations. A server that answers
//!    neither a passport nor `identity/get` implements no identity: `no_identity`.
//! 3. The passport (issuers and revocation lists from the store), the document, their
//!    agreement, the configured key, revocation and the passport's endpoints.
//! 4. `identity/challenge` (unless the policy turns it off): proof that the server holds the
//!    key now, not only that it signed something once. A `nonce_cache_full` answer is retried
//!    once with a fresh challenge (a flood by another client is the server's condition, not a
//!    proof of anything about this server).
//! 5. The pin — only after the challenge, so a server that cannot prove possession is never
//!    pinned. A changed key is `rotated` when a rotation attestation signed by the pinned key
//!    names the served key (the pin moves), and refused as `pinned_key_changed` otherwise.
//! 6. Every page's tools under the established key, then what changed since the tools last
//!    accepted from this server: a changed tool is refused (`tool_changed`, with the fields
//!    that changed) until the host accepts it again; added and removed tools are reported.
//!
//! ```
//! use mcp_attest::session::{ClientPolicy, ClientSession};
//! use mcp_attest::trust::TrustStore;
//!
//! let policy = ClientPolicy::from_json(r#"{"serverId":"stdio:weather"}"#)?;
//! let mut session = ClientSession::new(policy, Some(TrustStore::new()), 1_800_000_000, &[7u8; 64])?;
//! let first = session.next_request().unwrap();
//! assert_eq!(first.method, "tools/list");
//! // A server that is not an MCP identity server at all:
//! session.receive_result(r#"{"tools":[{"name":"add","inputSchema":{"type":"object"}}]}"#);
//! assert_eq!(session.next_request().unwrap().method, "identity/get");
//! session.receive_error(-32601, "Method not found", None);
//! assert!(session.next_request().is_none());
//! let report = session.report().unwrap();
//! assert!(report.contains(r#""code":"no_identity""#));
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::caller;
use crate::challenge::{self, ChallengeRequest, ChallengeResponse};
use crate::error::{err, excerpt, Error, ErrorCode, Result};
use crate::identity::{self, VerifiedIdentity};
use crate::json::{self, Limits, Object, Value};
use crate::keys::VerifyingKey;
use crate::passport::{self, Passport};
use crate::tool::{self, ToolSignatures, ToolStatus};
use crate::trust::{AcceptedTool, TrustStore};
use crate::{encoding, jws, records};

/// The version of the report's JSON shape.
pub const REPORT_VERSION: u64 = 1;
/// Default for [`ClientPolicy::max_pages`].
pub const DEFAULT_MAX_PAGES: usize = 100;
/// The MCP method that lists tools.
pub const METHOD_TOOLS_LIST: &str = "tools/list";
/// The ext-auth method that returns the identity document.
pub const METHOD_IDENTITY_GET: &str = "identity/get";
/// The ext-auth method that proves possession of the key.
pub const METHOD_IDENTITY_CHALLENGE: &str = "identity/challenge";
/// The request the session makes of its adapter, not of the server, when the policy names a
/// `domain`: params `{"name": "_mcp-identity.<domain>"}`; the adapter resolves the name's TXT
/// records and hands back `{"records": [<each record's strings joined>]}` (`[]` when the name
/// or its TXT data does not exist), or an error when resolution fails.
pub const METHOD_DNS_TXT: &str = "dns/txt";
/// Most TXT records of one name the session reads.
const MAX_DNS_RECORDS: usize = 64;
/// The tool fields whose changes a report names: what a host shows its user before asking
/// again.
pub const TRACKED_FIELDS: [&str; 5] = [
    "title",
    "description",
    "inputSchema",
    "outputSchema",
    "annotations",
];
/// Largest policy text accepted.
const MAX_POLICY_BYTES: usize = 64 * 1024;
/// JSON-RPC "method not found".
const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC "invalid params": what the Python SDK 1.x answers for a method it does not know
/// (its request type is a closed union, so an unknown method fails validation).
const INVALID_PARAMS: i64 = -32602;

/// What the client requires of a server. Every field has a default; [`ClientPolicy::from_json`]
/// reads the same options, camelCase, from the bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientPolicy {
    /// `serverId`: the name the server is pinned under in the trust store (its URL, the
    /// command line of a stdio server, a registry name). Required with a trust store: the
    /// server's self-reported name would let an impostor choose a fresh pin.
    pub server_id: Option<String>,
    /// `expectedKey`: the server's did:key, from configuration.
    pub expected_key: Option<VerifyingKey>,
    /// `audience`: this client's audience, checked on the passport and the manifest.
    pub audience: Option<String>,
    /// `endpoint`: the URL the client connected to; the passport's `mcp.endpoints` must
    /// contain it (a server relaying another server's answers from another URL is refused).
    pub endpoint: Option<String>,
    /// `allowSelfIssued`: see [`passport::VerifyOptions::allow_self_issued`] (default: only
    /// when the store names no trusted issuer).
    pub allow_self_issued: Option<bool>,
    /// `requirePassport` (default true).
    pub require_passport: bool,
    /// `challenge`: prove possession with `identity/challenge` (default true).
    pub challenge: bool,
    /// `toolSignatures`: `if_no_manifest` (default) or `always`.
    pub tool_signatures: ToolSignatures,
    /// `requireManifest`: every page must carry a valid signed manifest (default true).
    pub require_manifest: bool,
    /// `maxPages`: the most `tools/list` pages fetched (default [`DEFAULT_MAX_PAGES`]).
    pub max_pages: usize,
    /// `leeway`: clock skew allowed, seconds (default 60).
    pub leeway: u64,
    /// `maxLifetime`: see [`passport::VerifyOptions::max_lifetime`].
    pub max_lifetime: u64,
    /// `domain`: a domain whose DNS record (`_mcp-identity.<domain>`, spec §4.1) should name
    /// the server's key; the session then asks its adapter for one DNS lookup
    /// ([`METHOD_DNS_TXT`]). A match raises the server to level 2; a record naming another
    /// key refuses the server.
    pub domain: Option<String>,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        ClientPolicy {
            server_id: None,
            expected_key: None,
            audience: None,
            endpoint: None,
            allow_self_issued: None,
            require_passport: true,
            challenge: true,
            tool_signatures: ToolSignatures::IfNoManifest,
            require_manifest: true,
            max_pages: DEFAULT_MAX_PAGES,
            leeway: jws::DEFAULT_LEEWAY,
            max_lifetime: passport::DEFAULT_MAX_LIFETIME,
            domain: None,
        }
    }
}

impl ClientPolicy {
    /// Reads a policy: a JSON object with the camelCase names of the fields (`null` = the
    /// default). An unknown name or a wrong type is `invalid_policy`: a misspelt option must
    /// not silently fall back to a default.
    ///
    /// # Errors
    /// `invalid_policy`; `input_too_large` and JSON codes for text that is not a small JSON
    /// object; did:key codes for `expectedKey`.
    pub fn from_json(text: &str) -> Result<ClientPolicy> {
        let v = json::parse_with_limits(
            text,
            Limits {
                max_bytes: MAX_POLICY_BYTES,
                max_depth: 2,
            },
        )?;
        let o = v
            .as_object()
            .ok_or_else(|| err!(InvalidPolicy, "a session policy is a JSON object"))?;
        let mut p = ClientPolicy::default();
        for (k, val) in o.iter() {
            if val.is_null() {
                continue;
            }
            let text = || {
                val.as_str()
                    .map(String::from)
                    .ok_or_else(|| err!(InvalidPolicy, "policy option {} must be a string", k))
            };
            let flag = || {
                val.as_bool()
                    .ok_or_else(|| err!(InvalidPolicy, "policy option {} must be true or false", k))
            };
            let whole = || {
                val.as_number()
                    .and_then(json::Number::as_u64)
                    .ok_or_else(|| {
                        err!(InvalidPolicy, "policy option {} must be a whole number", k)
                    })
            };
            match k {
                "serverId" => p.server_id = Some(text()?),
                "expectedKey" => p.expected_key = Some(VerifyingKey::from_did_key(&text()?)?),
                "audience" => p.audience = Some(text()?),
                "endpoint" => p.endpoint = Some(text()?),
                "allowSelfIssued" => p.allow_self_issued = Some(flag()?),
                "requirePassport" => p.require_passport = flag()?,
                "challenge" => p.challenge = flag()?,
                "toolSignatures" => {
                    let name = text()?;
                    p.tool_signatures = ToolSignatures::from_name(&name).ok_or_else(|| {
                        err!(
                            InvalidPolicy,
                            "toolSignatures is if_no_manifest or always, not {:?}",
                            excerpt(&name)
                        )
                    })?;
                }
                "requireManifest" => p.require_manifest = flag()?,
                "maxPages" => {
                    p.max_pages = usize::try_from(whole()?)
                        .unwrap_or(usize::MAX)
                        .clamp(1, tool::MAX_TOOLS);
                }
                "leeway" => p.leeway = whole()?,
                "maxLifetime" => p.max_lifetime = whole()?,
                "domain" => {
                    let d = text()?;
                    records::dns_record_name(&d).map_err(|e| {
                        err!(InvalidPolicy, "policy option domain: {}", e.message())
                    })?;
                    p.domain = Some(d);
                }
                other => {
                    return Err(err!(
                        InvalidPolicy,
                        "unknown policy option {:?}",
                        excerpt(other)
                    ))
                }
            }
        }
        if p.server_id.as_deref() == Some("") {
            return Err(err!(InvalidPolicy, "serverId must not be empty"));
        }
        Ok(p)
    }
}

/// A request the adapter sends: a JSON-RPC method and its params (JSON text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: &'static str,
    /// The params, JSON text.
    pub params: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    Tools(Option<String>),
    IdentityGet,
    Challenge,
    Dns,
    Done,
}

/// What was established about the server before its tools are judged.
#[derive(Clone, Debug, Default)]
struct Facts {
    key: Option<VerifyingKey>,
    kid: Option<String>,
    passport: Option<Passport>,
    identity: Option<VerifiedIdentity>,
    challenge: &'static str,
    pin: Option<&'static str>,
    revocation: &'static str,
    /// `verified`, `absent`, `mismatch`, `unchecked`; `None` without a domain.
    dns: Option<&'static str>,
}

/// The client side of an identity check; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct ClientSession {
    policy: ClientPolicy,
    store: Option<TrustStore>,
    now: u64,
    random: [[u8; 32]; 2],
    stage: Stage,
    pages: Vec<Value>,
    /// The cursor each page was requested with.
    cursors: Vec<Option<String>>,
    /// Every cursor asked for, to stop a loop in O(log n) per page. A map to a unit count,
    /// not a `BTreeSet<String>`: this is the JSON parser's map type, and each other B-tree
    /// type is its own copy of the code in the wasm the browsers download (issue #14).
    seen_cursors: BTreeMap<String, usize>,
    identity_doc: Option<Value>,
    request: Option<ChallengeRequest>,
    attempt: usize,
    facts: Facts,
    report: Option<String>,
}

impl ClientSession {
    /// A session at time `now` (Unix seconds) with 64 fresh random bytes (two challenges:
    /// the first, and one retry).
    ///
    /// # Errors
    /// `invalid_policy` when a trust store is given without [`ClientPolicy::server_id`].
    pub fn new(
        policy: ClientPolicy,
        store: Option<TrustStore>,
        now: u64,
        random: &[u8; 64],
    ) -> Result<ClientSession> {
        if store.is_some() && policy.server_id.is_none() {
            return Err(err!(
                InvalidPolicy,
                "a trust store needs serverId: the name the server is pinned under (its URL or \
                 command line), never the name the server reports for itself"
            ));
        }
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        a.copy_from_slice(&random[..32]);
        b.copy_from_slice(&random[32..]);
        Ok(ClientSession {
            policy,
            store,
            now,
            random: [a, b],
            stage: Stage::Tools(None),
            pages: Vec::new(),
            cursors: Vec::new(),
            seen_cursors: BTreeMap::new(),
            identity_doc: None,
            request: None,
            attempt: 0,
            facts: Facts {
                challenge: "skipped",
                revocation: "unchecked",
                ..Facts::default()
            },
            report: None,
        })
    }

    /// The next request to send, or `None` when the report is ready.
    #[must_use]
    pub fn next_request(&self) -> Option<Request> {
        match &self.stage {
            Stage::Tools(cursor) => {
                let mut params = Object::new();
                if let Some(c) = cursor {
                    params.insert("cursor", Value::from(c.as_str()));
                }
                Some(Request {
                    method: METHOD_TOOLS_LIST,
                    params: Value::Object(params).to_jcs(),
                })
            }
            Stage::IdentityGet => Some(Request {
                method: METHOD_IDENTITY_GET,
                params: String::from("{}"),
            }),
            Stage::Challenge => self.request.as_ref().map(|r| Request {
                method: METHOD_IDENTITY_CHALLENGE,
                params: r.to_json(),
            }),
            Stage::Dns => {
                let name = self
                    .policy
                    .domain
                    .as_deref()
                    .and_then(|d| records::dns_record_name(d).ok())?;
                let mut params = Object::new();
                params.insert("name", Value::from(name));
                Some(Request {
                    method: METHOD_DNS_TXT,
                    params: Value::Object(params).to_jcs(),
                })
            }
            Stage::Done => None,
        }
    }

    /// Hands the session the result (JSON text) of the request it asked for last. A result
    /// that is not what that method returns is a verdict about the server, never an error of
    /// this call. Ignored once the report is ready.
    pub fn receive_result(&mut self, result_json: &str) {
        let outcome = match self.stage.clone() {
            Stage::Tools(_) => self.on_tools_page(result_json),
            Stage::IdentityGet => self.on_identity(Some(result_json)),
            Stage::Challenge => self.on_challenge_answer(result_json),
            Stage::Dns => self.on_dns(result_json),
            Stage::Done => return,
        };
        if let Err(e) = outcome {
            self.fail(&e);
        }
    }

    /// Hands the session the JSON-RPC error the server answered the last request with:
    /// `code`, `message` and `data` (JSON text, if any). The decision is made on
    /// `data.reason` (or `data.code`) when it is one of our codes — the SDKs raise codes of
    /// their own in the -32000 range, so a code alone never decides — else the error is
    /// `server_error`. Ignored once the report is ready.
    pub fn receive_error(&mut self, code: i64, message: &str, data_json: Option<&str>) {
        let e = server_error(code, message, data_json);
        let outcome = match self.stage.clone() {
            // `identity/get` takes `{}`: no server that implements it finds those params
            // invalid, so -32602 without one of our codes means "unknown method" too.
            Stage::IdentityGet
                if code == METHOD_NOT_FOUND
                    || (code == INVALID_PARAMS && e.code() == ErrorCode::ServerError) =>
            {
                self.on_identity(None)
            }
            Stage::Challenge if e.code() == ErrorCode::NonceCacheFull && self.attempt == 0 => {
                // Someone else filled the server's replay cache: ask once more, with a fresh
                // challenge, before holding it against this server.
                self.attempt = 1;
                self.request = Some(ChallengeRequest::new(&self.random[1], self.now));
                return;
            }
            Stage::Challenge => {
                self.facts.challenge = "failed";
                Err(e)
            }
            // The adapter could not resolve (no resolver in a browser, a timeout): nothing is
            // known about the domain, which neither raises nor refuses the server.
            Stage::Dns => {
                self.facts.dns = Some("unchecked");
                self.finish();
                Ok(())
            }
            Stage::Done => return,
            _ => Err(e),
        };
        if let Err(e) = outcome {
            self.fail(&e);
        }
    }

    /// The server report (JSON text), once [`ClientSession::next_request`] returns `None`.
    #[must_use]
    pub fn report(&self) -> Option<&str> {
        self.report.as_deref()
    }

    /// The trust store, updated by the session (a first-use pin, a moved pin after a verified
    /// rotation, the tools accepted). Save it only after the report is ready.
    #[must_use]
    pub fn trust_store(&self) -> Option<&TrustStore> {
        self.store.as_ref()
    }

    /// Takes the trust store out of the session.
    #[must_use]
    pub fn into_trust_store(self) -> Option<TrustStore> {
        self.store
    }

    fn on_tools_page(&mut self, text: &str) -> Result<()> {
        let page = json::parse_with_limits(
            text,
            Limits {
                max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
                max_depth: json::DEFAULT_MAX_DEPTH,
            },
        )?;
        if page.get("tools").and_then(Value::as_array).is_none() {
            return Err(err!(
                MalformedToolDefinition,
                "a tools/list result is an object with a tools array"
            ));
        }
        let next = match page.get("nextCursor") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(_) => {
                return Err(err!(
                    MalformedToolDefinition,
                    "a tools/list nextCursor must be a string"
                ))
            }
        };
        let requested = match &self.stage {
            Stage::Tools(c) => c.clone(),
            _ => None,
        };
        self.pages.push(page);
        self.cursors.push(requested);
        if let Some(n) = &next {
            // A cursor asked for before would make the listing loop until maxPages.
            if self.seen_cursors.insert(n.clone(), 1).is_some() {
                return Err(err!(
                    ManifestMismatch,
                    "the server's tools/list cursors loop (a page is served twice)"
                ));
            }
        }
        self.stage = match next {
            Some(_) if self.pages.len() >= self.policy.max_pages => {
                return Err(err!(
                    InputTooLarge,
                    "the server lists tools over more than {} pages (maxPages)",
                    self.policy.max_pages
                ))
            }
            Some(c) => Stage::Tools(Some(c)),
            None => Stage::IdentityGet,
        };
        Ok(())
    }

    /// The passport token on the first page's result `_meta`, if any.
    fn passport_token(&self) -> Result<Option<String>> {
        let Some(meta) = self.pages.first().and_then(|p| p.get("_meta")) else {
            return Ok(None);
        };
        match meta.get(tool::RESULT_META_KEY) {
            None => Ok(None),
            Some(Value::Object(o)) => match o.get("passport") {
                None => Ok(None),
                Some(Value::String(t)) => Ok(Some(t.clone())),
                Some(_) => Err(err!(MalformedToken, "the passport is not a string")),
            },
            Some(_) => Err(err!(
                MalformedToken,
                "result _meta[{:?}] is not an object",
                tool::RESULT_META_KEY
            )),
        }
    }

    fn on_identity(&mut self, result: Option<&str>) -> Result<()> {
        let token = self.passport_token()?;
        let Some(text) = result else {
            return Err(if token.is_none() {
                err!(
                    NoIdentity,
                    "the server implements no MCP identity: no passport, and identity/get is not a method it knows"
                )
            } else {
                err!(
                    MalformedIdentity,
                    "the server sent a passport but does not answer identity/get"
                )
            });
        };
        let mut doc = json::parse_with_limits(
            text,
            Limits {
                max_bytes: identity::MAX_IDENTITY_BYTES,
                max_depth: 16,
            },
        )?;
        if let Value::Object(o) = &mut doc {
            // SDKs may add their own `_meta` to any result; it is not part of the document.
            o.remove("_meta");
        }
        let store = self.store.as_ref();
        let pinned = match (store, self.policy.server_id.as_deref()) {
            (Some(s), Some(id)) => s.pinned(id).map(|p| p.key),
            _ => None,
        };
        let publishers: Vec<VerifyingKey> = store
            .map(|s| {
                s.issuers()
                    .iter()
                    .flat_map(|i| i.keys().iter().map(|(_, k)| *k))
                    .collect()
            })
            .unwrap_or_default();
        let id = identity::verify_document_value(
            &doc,
            &identity::VerifyOptions {
                now: self.now,
                trusted_publishers: &publishers,
                require_trusted_publisher: false,
                previous_key: pinned.as_ref(),
            },
        )?;
        let served = id.key;
        let lists = store.map(TrustStore::revocation_lists).unwrap_or_default();
        if let Some(token) = &token {
            let issuers = store.map(TrustStore::issuers).unwrap_or(&[]);
            let p = passport::verify(
                token,
                &passport::VerifyOptions {
                    now: self.now,
                    leeway: self.policy.leeway,
                    audience: self.policy.audience.as_deref(),
                    issuers,
                    allow_self_issued: self.policy.allow_self_issued,
                    max_age: None,
                    max_lifetime: self.policy.max_lifetime,
                    revocations: &lists,
                    subject: None,
                },
            )
            .inspect_err(|e| {
                if e.code() == ErrorCode::Revoked {
                    self.facts.revocation = "revoked";
                }
            })?;
            if p.subject_key != served {
                return Err(err!(
                    SubjectMismatch,
                    "identity/get serves {}, but the passport is for {}",
                    served.to_did_key(),
                    p.subject
                ));
            }
            if let Some(endpoint) = &self.policy.endpoint {
                let listed = p
                    .mcp
                    .as_ref()
                    .is_some_and(|m| m.endpoints.iter().any(|e| e == endpoint));
                if !listed {
                    return Err(err!(
                        EndpointMismatch,
                        "the passport does not list {:?} among the server's endpoints",
                        excerpt(endpoint)
                    ));
                }
            }
            self.facts.passport = Some(p);
        } else if self.policy.require_passport {
            return Err(err!(MissingPassport, "the server sent no passport"));
        } else if self.policy.endpoint.is_some() {
            return Err(err!(
                EndpointMismatch,
                "the endpoint cannot be checked: the server sent no passport"
            ));
        }
        if let Some(expected) = &self.policy.expected_key {
            if *expected != served {
                return Err(err!(
                    PinnedKeyChanged,
                    "the server key {} is not the configured {}",
                    served.to_did_key(),
                    expected.to_did_key()
                ));
            }
        }
        if let Some(s) = store {
            if let Err(e) = s.check_revoked(&served) {
                self.facts.revocation = "revoked";
                return Err(e);
            }
            self.facts.revocation = "not_revoked";
        }
        self.facts.key = Some(served);
        self.facts.kid = Some(id.kid.clone());
        self.facts.identity = Some(id);
        self.identity_doc = Some(doc);
        if self.policy.challenge {
            self.request = Some(ChallengeRequest::new(&self.random[0], self.now));
            self.stage = Stage::Challenge;
            Ok(())
        } else {
            self.proven();
            Ok(())
        }
    }

    /// The key is established (and proven, with a challenge): look up the domain's record
    /// if the policy names one, then finish.
    fn proven(&mut self) {
        if self.policy.domain.is_some() {
            self.stage = Stage::Dns;
        } else {
            self.finish();
        }
    }

    fn on_dns(&mut self, text: &str) -> Result<()> {
        let Some(key) = self.facts.key else {
            return Ok(());
        };
        let v = json::parse_with_limits(
            text,
            Limits {
                max_bytes: MAX_DNS_RECORDS * records::MAX_RECORD_LENGTH,
                max_depth: 3,
            },
        )
        .map_err(|e| err!(ServerError, "the DNS answer is not JSON: {}", e.message()))?;
        let found: Vec<&str> = match v.get("records").and_then(Value::as_array) {
            Some(a) if a.len() <= MAX_DNS_RECORDS => a.iter().filter_map(Value::as_str).collect(),
            _ => {
                return Err(err!(
                    ServerError,
                    "the DNS answer is {{\"records\": [at most {} strings]}}",
                    MAX_DNS_RECORDS
                ))
            }
        };
        let kid = self.facts.kid.clone();
        match records::judge_dns_records(&found, &key, kid.as_deref()) {
            records::DnsVerdict::Match(_) => self.facts.dns = Some("verified"),
            records::DnsVerdict::Absent => self.facts.dns = Some("absent"),
            // The domain publishes another key: the served key is not the domain's.
            records::DnsVerdict::Mismatch(e) => {
                self.facts.dns = Some("mismatch");
                return Err(e);
            }
        }
        self.finish();
        Ok(())
    }

    fn on_challenge_answer(&mut self, text: &str) -> Result<()> {
        let (Some(request), Some(key)) = (self.request.as_ref(), self.facts.key.as_ref()) else {
            return Ok(());
        };
        let checked = ChallengeResponse::from_json(text).and_then(|answer| {
            let kid = self.facts.kid.as_deref().filter(|k| !k.is_empty());
            challenge::verify_response(request, &answer, key, kid)
        });
        if let Err(e) = checked {
            self.facts.challenge = "failed";
            return Err(e);
        }
        self.facts.challenge = "verified";
        self.proven();
        Ok(())
    }

    /// The server is established: pin, judge the tools, update the store, write the report.
    fn finish(&mut self) {
        let Some(key) = self.facts.key else { return };
        let server_id = self.policy.server_id.clone();
        if let (Some(store), Some(id)) = (self.store.as_mut(), server_id.as_deref()) {
            let rotated = self
                .facts
                .identity
                .as_ref()
                .is_some_and(|i| i.rotations.iter().any(|r| r.verified));
            match store.pinned(id).map(|p| p.key) {
                Some(pinned) if pinned != key && rotated => {
                    store.pin(id, &key, self.now);
                    self.facts.pin = Some("rotated");
                }
                _ => match store.check_pin(id, &key, self.now) {
                    Ok(status) => self.facts.pin = Some(status.as_str()),
                    Err(e) => {
                        self.facts.pin = Some("changed");
                        self.fail(&e);
                        return;
                    }
                },
            }
        }
        let tools = self.judge_tools(&key);
        let verified = tools.lines.iter().all(|l| l.status == "verified") && !self.pages.is_empty();
        let failure = tools
            .lines
            .iter()
            .find(|l| l.status != "verified")
            .and_then(|l| l.error.clone());
        if let (Some(store), Some(id)) = (self.store.as_mut(), server_id.as_deref()) {
            for (name, accepted) in tools.accept {
                store.accept_tool(id, &name, accepted);
            }
        }
        self.write_report(verified, failure.as_ref(), &tools.lines, tools.changes);
    }

    fn judge_tools(&self, key: &VerifyingKey) -> Judged {
        let lists = self
            .store
            .as_ref()
            .map(TrustStore::revocation_lists)
            .unwrap_or_default();
        let kid = self.facts.kid.as_deref().filter(|k| !k.is_empty());
        let options = tool::VerifyOptions {
            now: self.now,
            leeway: self.policy.leeway,
            audience: self.policy.audience.as_deref(),
            kid,
            require_manifest: self.policy.require_manifest,
            tool_signatures: self.policy.tool_signatures,
            revocations: &lists,
            max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
        };
        let mut lines: Vec<Line> = Vec::new();
        let bindings = self.page_bindings(key);
        // One broken link breaks the list: its pages no longer say which tools the server
        // lists, so none of them is usable, whatever each page's own manifest says.
        let broken = bindings.iter().find_map(|b| b.as_ref().err()).cloned();
        for (p, (page, binding)) in self.pages.iter().zip(bindings).enumerate() {
            let presented = page.get("tools").and_then(Value::as_array).unwrap_or(&[]);
            if let Err(e) = binding {
                lines.extend(presented.iter().map(|t| Line::refused(t, "tampered", &e)));
                continue;
            }
            match tool::verify_tools_list_value(page, key, &options) {
                // The core's report already refuses a tool whose required manifest failed
                // (`manifest_unverified`): a tool's own signature says the key signed it once,
                // not that it belongs to this list, for this audience, now.
                Ok(report) => {
                    for t in report.tools {
                        // Where the tool is, not a copy of it: copying every tool into its
                        // line was a sixth of a 100-tool session's work.
                        let at = t.index.filter(|&i| i < presented.len()).map(|i| (p, i));
                        let (status, error) = (t.status.as_str(), t.error);
                        lines.push(Line {
                            name: t.name,
                            status,
                            error,
                            hash: t.hash,
                            at,
                            changed: Vec::new(),
                            required_level: t.required_level,
                        });
                    }
                }
                Err(e) => lines.extend(presented.iter().map(|t| Line::refused(t, "malformed", &e))),
            }
        }
        if let Some(e) = &broken {
            for l in lines.iter_mut().filter(|l| l.status == "verified") {
                l.status = ToolStatus::ManifestUnverified.as_str();
                l.error = Some(e.clone());
            }
        }
        // A name on two pages is ambiguous: which definition would the model get?
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for l in &lines {
            if let (Some(n), true) = (&l.name, l.at.is_some()) {
                *seen.entry(n.clone()).or_insert(0) += 1;
            }
        }
        for l in &mut lines {
            if l.status == "verified"
                && l.name
                    .as_ref()
                    .is_some_and(|n| seen.get(n).is_some_and(|c| *c > 1))
            {
                l.status = "duplicate";
                l.error = Some(err!(
                    MalformedToolDefinition,
                    "the tool name repeats across tools/list pages"
                ));
            }
        }
        // The passport's toolsHash pins the whole set.
        if let Some(expected) = self
            .facts
            .passport
            .as_ref()
            .and_then(|p| p.mcp.as_ref())
            .and_then(|m| m.tools_hash.as_deref())
        {
            if self.tools_hash(&lines).ok().as_deref() != Some(expected) {
                for l in lines.iter_mut().filter(|l| l.status == "verified") {
                    l.status = "tampered";
                    l.error = Some(err!(
                        ManifestMismatch,
                        "the tools differ from the passport's toolsHash"
                    ));
                }
            }
        }
        // What changed since the tools last accepted from this server.
        let accepted = match (&self.store, &self.policy.server_id) {
            (Some(s), Some(id)) => s.accepted_tools(id),
            _ => None,
        };
        let mut accept = Vec::new();
        let mut added = Vec::new();
        let mut changed = Vec::new();
        // Names as a map to a unit count, for the reason `seen_cursors` gives.
        let mut present: BTreeMap<String, usize> = BTreeMap::new();
        for l in &mut lines {
            let (Some(name), Some(tool)) = (&l.name, self.tool_at(l.at)) else {
                continue;
            };
            present.insert(name.clone(), 1);
            if l.status != "verified" {
                continue;
            }
            // The content hash decides; the per-field hashes are computed only for a tool
            // that changed (to name the fields) or is new to a store (to remember it).
            let hash = l.hash.as_deref().unwrap_or_default();
            match accepted.and_then(|a| a.get(name)) {
                Some(before) if before.hash != hash => {
                    l.changed = changed_fields(before, &accepted_form(tool, String::from(hash)));
                    l.status = "changed";
                    l.error = Some(err!(
                        ToolChanged,
                        "tool {:?} changed since it was accepted ({}); accept it again to use it",
                        excerpt(name),
                        l.changed.join(", ")
                    ));
                    changed.push((name.clone(), l.changed.clone()));
                }
                Some(_) => {}
                None => {
                    if accepted.is_some() {
                        added.push(name.clone());
                    }
                    if self.store.is_some() {
                        accept.push((name.clone(), accepted_form(tool, String::from(hash))));
                    }
                }
            }
        }
        let changes = accepted.map(|a| Changes {
            added,
            removed: a
                .keys()
                .filter(|n| !present.contains_key(*n))
                .cloned()
                .collect(),
            changed,
        });
        Judged {
            lines,
            accept,
            changes,
        }
    }

    /// The presented tool a line is about.
    fn tool_at(&self, at: Option<(usize, usize)>) -> Option<&Value> {
        let (p, i) = at?;
        self.pages.get(p)?.get("tools")?.as_array()?.get(i)
    }

    /// The `toolsHash` of every presented tool, from the hashes their lines already carry
    /// when each presented tool has a line with its name and hash (the same value as
    /// [`tool::tools_hash`] over the pages' tools); computed from the pages otherwise.
    fn tools_hash(&self, lines: &[Line]) -> Result<String> {
        let presented: usize = self
            .pages
            .iter()
            .map(|p| {
                p.get("tools")
                    .and_then(Value::as_array)
                    .map_or(0, <[Value]>::len)
            })
            .sum();
        let known: Vec<(&str, &str)> = lines
            .iter()
            .filter(|l| l.at.is_some())
            .filter_map(|l| Some((l.name.as_deref()?, l.hash.as_deref()?)))
            .collect();
        if known.len() == presented {
            return tool::tools_hash_of(known);
        }
        let all: Vec<Value> = self
            .pages
            .iter()
            .flat_map(|p| p.get("tools").and_then(Value::as_array).unwrap_or(&[]))
            .cloned()
            .collect();
        tool::tools_hash(&all)
    }

    /// Whether each page belongs where it was served. A paginated list (more than one page, or
    /// a first page that was asked for with a cursor) needs every page's page token: signed by
    /// the server key, naming the cursor the page was requested with, its `nextCursor` and
    /// its manifest. That detects a dropped, repeated or reordered page (the cursors no longer
    /// chain) and a page from another server or list (the signature or manifest differs).
    fn page_bindings(&self, key: &VerifyingKey) -> Vec<Result<()>> {
        let paginated = self.pages.len() > 1 || self.cursors.first().is_some_and(Option::is_some);
        self.pages
            .iter()
            .zip(&self.cursors)
            .map(|(page, requested)| {
                if !paginated {
                    return Ok(());
                }
                let ours = page.get("_meta").and_then(|m| m.get(tool::RESULT_META_KEY));
                let token = ours
                    .and_then(|o| o.get("page"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        err!(
                            ManifestMismatch,
                            "a page of a paginated tools list carries no page token"
                        )
                    })?;
                let manifest = ours
                    .and_then(|o| o.get("manifest"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let parsed = jws::parse(token, jws::MAX_TOKEN_BYTES)?;
                parsed.expect_typ(crate::server::PAGE_TYP)?;
                let claims = parsed.verify(key)?.claims;
                let text = |v: Option<&Value>| match v {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                };
                let next = text(page.get("nextCursor"));
                if text(claims.get("cursor")) != *requested
                    || text(claims.get("next")) != next
                    || claims.get("manifest").and_then(Value::as_str)
                        != Some(crate::server::token_hash(manifest).as_str())
                {
                    return Err(err!(
                        ManifestMismatch,
                        "a tools/list page is not the page the server signed for this cursor \
                         (dropped, repeated, reordered or foreign)"
                    ));
                }
                Ok(())
            })
            .collect()
    }

    /// Ends the session with `e` as the server's verdict: every tool is refused.
    fn fail(&mut self, e: &Error) {
        let lines: Vec<Line> = self
            .pages
            .iter()
            .flat_map(|p| {
                p.get("tools")
                    .and_then(Value::as_array)
                    .unwrap_or(&[])
                    .iter()
            })
            .map(|t| Line::refused(t, "server_unverified", e))
            .collect();
        self.write_report(false, Some(e), &lines, None);
    }

    fn write_report(
        &mut self,
        verified: bool,
        error: Option<&Error>,
        lines: &[Line],
        changes: Option<Changes>,
    ) {
        let f = &self.facts;
        let mut o = Object::new();
        o.insert("version", Value::from_u64(REPORT_VERSION));
        o.insert("verified", Value::Bool(verified));
        o.insert(
            "code",
            error.map_or(Value::Null, |e| Value::from(e.code().as_str())),
        );
        o.insert(
            "message",
            error.map_or(Value::Null, |e| Value::from(e.message())),
        );
        o.insert(
            "server",
            // The key the server serves, once established (also when it is then refused,
            // as a changed pin: the host shows which key it was).
            f.key.map_or(Value::Null, |k| {
                let mut s = Object::new();
                s.insert("did", Value::from(k.to_did_key()));
                s.insert("kid", f.kid.as_deref().map_or(Value::Null, Value::from));
                Value::Object(s)
            }),
        );
        o.insert(
            "passport",
            f.passport.as_ref().map_or(Value::Null, |p| {
                let mut m = Object::new();
                m.insert("issuer", Value::from(p.issuer.as_str()));
                m.insert("selfIssued", Value::Bool(p.self_issued));
                m.insert("expiresAt", Value::from_u64(p.expires_at));
                m.insert("jti", p.jti.as_deref().map_or(Value::Null, Value::from));
                Value::Object(m)
            }),
        );
        let id = f.identity.as_ref();
        o.insert(
            "publishers",
            Value::Array(
                id.map(|i| {
                    i.publishers
                        .iter()
                        .map(|p| {
                            let mut m = Object::new();
                            m.insert("name", Value::from(p.name.as_str()));
                            m.insert("did", Value::from(p.key.to_did_key()));
                            m.insert("bound", Value::Bool(p.bound));
                            m.insert("trusted", Value::Bool(p.trusted));
                            Value::Object(m)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ),
        );
        o.insert(
            "rotations",
            Value::Array(
                id.map(|i| {
                    i.rotations
                        .iter()
                        .map(|r| {
                            let mut m = Object::new();
                            m.insert("revokedKid", Value::from(r.revoked_kid.as_str()));
                            m.insert(
                                "replacementKid",
                                r.replacement_kid
                                    .as_deref()
                                    .map_or(Value::Null, Value::from),
                            );
                            m.insert("verified", Value::Bool(r.verified));
                            Value::Object(m)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ),
        );
        o.insert("pin", f.pin.map_or(Value::Null, Value::from));
        o.insert("challenge", Value::from(f.challenge));
        o.insert("dns", f.dns.map_or(Value::Null, Value::from));
        // The server's trust level (spec §20.1), computed as for callers: only a verified
        // server has one, its key proven by this session's challenge, raised by a passport
        // from a trusted issuer up to the store's cap, and to 2 by the domain's DNS record.
        let level = if verified {
            let issuers = self.store.as_ref().map(TrustStore::issuers).unwrap_or(&[]);
            caller::level(&caller::LevelBasis {
                key_proven: f.challenge == "verified",
                domain_proven: f.dns == Some("verified"),
                vouched: f
                    .passport
                    .as_ref()
                    .and_then(|p| caller::vouched_level(p, issuers)),
            })
        } else {
            caller::LEVEL_ANONYMOUS
        };
        o.insert("level", Value::from_u64(u64::from(level)));
        o.insert("revocation", Value::from(f.revocation));
        o.insert(
            "pages",
            Value::Array(
                self.pages
                    .iter()
                    .map(|p| {
                        Value::from_u64(
                            p.get("tools")
                                .and_then(Value::as_array)
                                .map_or(0, |t| t.len() as u64),
                        )
                    })
                    .collect(),
            ),
        );
        o.insert(
            "tools",
            Value::Array(
                lines
                    .iter()
                    .map(|l| {
                        let mut m = Object::new();
                        m.insert("name", l.name.as_deref().map_or(Value::Null, Value::from));
                        m.insert("status", Value::from(l.status));
                        m.insert(
                            "code",
                            l.error
                                .as_ref()
                                .map_or(Value::Null, |e| Value::from(e.code().as_str())),
                        );
                        m.insert(
                            "message",
                            l.error
                                .as_ref()
                                .map_or(Value::Null, |e| Value::from(e.message())),
                        );
                        m.insert("hash", l.hash.as_deref().map_or(Value::Null, Value::from));
                        m.insert(
                            "requiredLevel",
                            Value::from_u64(u64::from(l.required_level)),
                        );
                        m.insert(
                            "changedFields",
                            Value::Array(
                                l.changed.iter().map(|c| Value::from(c.as_str())).collect(),
                            ),
                        );
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        o.insert(
            "changes",
            changes.map_or(Value::Null, |c| {
                let names = |v: &[String]| {
                    Value::Array(v.iter().map(|n| Value::from(n.as_str())).collect())
                };
                let mut m = Object::new();
                m.insert("added", names(&c.added));
                m.insert("removed", names(&c.removed));
                m.insert(
                    "changed",
                    Value::Array(
                        c.changed
                            .iter()
                            .map(|(n, fields)| {
                                let mut e = Object::new();
                                e.insert("name", Value::from(n.as_str()));
                                e.insert("fields", names(fields));
                                Value::Object(e)
                            })
                            .collect(),
                    ),
                );
                Value::Object(m)
            }),
        );
        self.report = Some(Value::Object(o).to_jcs());
        self.stage = Stage::Done;
    }
}

/// One tool's line in the report.
#[derive(Clone, Debug)]
struct Line {
    name: Option<String>,
    status: &'static str,
    error: Option<Error>,
    hash: Option<String>,
    /// The tool's page and index there, for a tool the server presented.
    at: Option<(usize, usize)>,
    changed: Vec<String>,
    /// The level the verified manifest requires of callers (0: none).
    required_level: u8,
}

impl Line {
    /// A listed tool refused as a whole (its page or its server failed), without a verdict
    /// of its own.
    fn refused(tool: &Value, status: &'static str, error: &Error) -> Line {
        Line {
            name: tool.get("name").and_then(Value::as_str).map(String::from),
            status,
            error: Some(error.clone()),
            hash: None,
            at: None,
            changed: Vec::new(),
            required_level: 0,
        }
    }
}

struct Changes {
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<(String, Vec<String>)>,
}

struct Judged {
    lines: Vec<Line>,
    accept: Vec<(String, AcceptedTool)>,
    changes: Option<Changes>,
}

/// What the trust store keeps of an accepted tool: its content hash and a hash per tracked
/// field.
#[must_use]
pub fn accepted_form(tool: &Value, hash: String) -> AcceptedTool {
    let mut fields = BTreeMap::new();
    for f in TRACKED_FIELDS {
        if let Some(v) = tool.get(f).filter(|v| !v.is_null()) {
            let mut h = String::from("sha256-");
            h.push_str(&encoding::base64url_encode(&Sha256::digest(
                v.to_jcs().as_bytes(),
            )));
            fields.insert(String::from(f), h);
        }
    }
    AcceptedTool { hash, fields }
}

/// Accepts `tool` (a tool definition, JSON text, as listed) as the version of its name that
/// `server` may serve: how a host re-approves a tool the report called `changed`, after
/// showing its user the `changedFields`. The next session compares with this version.
///
/// # Errors
/// JSON errors and `malformed_tool_definition` for text that is not one tool.
///
/// ```
/// use mcp_attest::session::accept_tool;
/// use mcp_attest::trust::TrustStore;
/// let mut store = TrustStore::new();
/// accept_tool(&mut store, "stdio:weather", r#"{"name":"add","description":"Adds.","inputSchema":{}}"#)?;
/// assert!(store.accepted_tools("stdio:weather").unwrap()["add"].fields.contains_key("description"));
/// # Ok::<(), mcp_attest::Error>(())
/// ```
pub fn accept_tool(store: &mut TrustStore, server: &str, tool_json: &str) -> Result<()> {
    let tool = json::parse_with_limits(
        tool_json,
        Limits {
            max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
            max_depth: json::DEFAULT_MAX_DEPTH,
        },
    )?;
    let name = tool
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            err!(
                MalformedToolDefinition,
                "a tool has a non-empty string name"
            )
        })?;
    let hash = tool::content_hash(&tool)?;
    store.accept_tool(server, name, accepted_form(&tool, hash));
    Ok(())
}

/// The tracked fields that differ between two versions of a tool (added, removed or changed),
/// in [`TRACKED_FIELDS`] order; `other` when only untracked content differs.
fn changed_fields(before: &AcceptedTool, now: &AcceptedTool) -> Vec<String> {
    let mut out: Vec<String> = TRACKED_FIELDS
        .iter()
        .filter(|f| before.fields.get(**f) != now.fields.get(**f))
        .map(|f| String::from(*f))
        .collect();
    if out.is_empty() {
        out.push(String::from("other"));
    }
    out
}

/// The error a JSON-RPC error answer stands for: our code when `data.reason` or `data.code`
/// names one, else `server_error`.
fn server_error(code: i64, message: &str, data_json: Option<&str>) -> Error {
    let data = data_json.and_then(|d| {
        json::parse_with_limits(
            d,
            Limits {
                max_bytes: 64 * 1024,
                max_depth: 8,
            },
        )
        .ok()
    });
    let named = data.as_ref().and_then(|d| {
        ["reason", "code"]
            .into_iter()
            .filter_map(|k| d.get(k).and_then(Value::as_str))
            .find_map(ErrorCode::from_code)
    });
    match named {
        Some(c) => Error::with_message(
            c,
            alloc::format!("the server answered {}: {}", code, excerpt(message)),
        ),
        None => err!(
            ServerError,
            "the server answered with JSON-RPC error {}: {}",
            code,
            excerpt(message)
        ),
    }
}
