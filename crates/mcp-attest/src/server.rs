//! The server side of an MCP identity, decided once: what a server advertises, puts on each
//! `tools/list` result, serves from `identity/get` and answers to `identity/challenge`.
//!
//! A server adapter holds one [`ServerPresentation`] per signing key and calls it from the
//! SDK's hooks; it decides nothing itself. The presentation derives the `kid` once (so the
//! challenge answers and the identity document can never disagree), issues the self-issued
//! passport with the configured audience and renews it before it expires, and keeps one
//! replay cache for every connection of the server.
//!
//! ```
//! use mcp_attest::server::{ServerOptions, ServerPresentation};
//! use mcp_attest::SigningKey;
//!
//! let options = ServerOptions::from_json(r#"{"name":"weather","version":"1.2.0"}"#)?;
//! let mut server = ServerPresentation::new(SigningKey::from_bytes(&[1u8; 32]), options);
//! let now = 1_800_000_000;
//! let page = server.sign_tools_list(r#"{"tools":[{"name":"add","inputSchema":{"type":"object"}}]}"#, None, now)?;
//! assert!(page.contains("org.mcp-attest/identity"));
//! assert!(server.identity_get(now).contains(server.kid()));
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::challenge::{self, ChallengeResponder};
use crate::error::{err, excerpt, Error, Result};
use crate::evidence::{EvidenceLog, Write};
use crate::gate::{Admission, CallGate, GateOptions, Ticket};
use crate::issuer::TrustedIssuer;
use crate::json::{self, Limits, Object, Value};
use crate::keys::SigningKey;
use crate::names::NameMap;
use crate::passport::{self, McpInfo};
use crate::revocation::RevocationList;
use crate::signer::{infallible, Signer};
use crate::tool::{self, SignOptions};
use crate::{encoding, identity, jws, session};
use sha2::{Digest, Sha256};

/// The HTTP response header that hints at the server's identity (a hint only: clients verify
/// the signed `_meta` and the challenge, never the header).
pub const IDENTITY_HEADER: &str = "MCP-Attest-Identity";
/// The version of the capability advertisement.
pub const CAPABILITY_VERSION: &str = "1.0.0";

/// Where the passport on each `tools/list` result comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PassportSource {
    /// Self-issued by the server key, for [`ServerOptions::passport_ttl`] seconds, with the
    /// configured audience, and renewed once half of its lifetime has passed.
    SelfIssued,
    /// A passport issued by a publisher or registry, served as given.
    Provided(String),
    /// No passport.
    None,
}

/// How a server presents its identity. [`ServerOptions::from_json`] reads the same options,
/// camelCase, from the bindings.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerOptions {
    /// `name`: the server's name (from the SDK's server info).
    pub name: String,
    /// `version`: its version.
    pub version: Option<String>,
    /// `endpoints`: the URLs it is reached at (put in the passport's `mcp.endpoints`, which
    /// clients that know their endpoint check).
    pub endpoints: Vec<String>,
    /// `audience`: the client audience; put in the manifest's and the self-issued passport's
    /// `aud` (a client configured with an audience refuses tokens without it).
    pub audience: Option<String>,
    /// `passport`: `"self"` (default), `"none"`, or a compact JWS.
    pub passport: PassportSource,
    /// `passportTtl`: the self-issued passport's lifetime (default one day).
    pub passport_ttl: u64,
    /// `manifestTtl`: the manifest's lifetime (default one hour).
    pub manifest_ttl: u64,
    /// `attestations`: further attestations served by `identity/get` (publisher, rotation), as
    /// JSON objects.
    pub attestations: Vec<Value>,
    /// `replayCacheCapacity`: the nonces remembered by the challenge responder.
    pub replay_cache_capacity: usize,
    /// `clientQuota`: the most of them one client may hold (default: a sixteenth of the
    /// capacity, `challenge::DEFAULT_CLIENT_QUOTA_DIVISOR`).
    pub client_quota: Option<usize>,
    /// `kid`: the key id served everywhere (identity document, tool attestations, challenge
    /// answers); default the key's ext-auth kid. Set once here so no two places disagree.
    pub kid: Option<String>,
    /// `minTrustLevel` and `toolTrustLevels` (spec §20.6): the level each tool requires of
    /// its callers, published signed in the manifest and enforced by
    /// [`ServerPresentation::admit_call`]. (The gate's replay cache takes its capacity and
    /// quota from `replayCacheCapacity` and `clientQuota`.)
    pub gate: GateOptions,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            name: String::from("mcp-server"),
            version: None,
            endpoints: Vec::new(),
            audience: None,
            passport: PassportSource::SelfIssued,
            passport_ttl: passport::DEFAULT_PASSPORT_TTL,
            manifest_ttl: tool::DEFAULT_MANIFEST_TTL,
            attestations: Vec::new(),
            replay_cache_capacity: challenge::DEFAULT_NONCE_CACHE_CAPACITY,
            client_quota: None,
            kid: None,
            gate: GateOptions::default(),
        }
    }
}

impl ServerOptions {
    /// Reads the options from a JSON object with the camelCase names of the fields (`null` =
    /// the default). An unknown name or a wrong type is `invalid_policy`.
    ///
    /// # Errors
    /// `invalid_policy`; `input_too_large` and JSON codes.
    pub fn from_json(text: &str) -> Result<ServerOptions> {
        let v = json::parse_with_limits(
            text,
            Limits {
                max_bytes: 256 * 1024,
                max_depth: 16,
            },
        )?;
        let o = v
            .as_object()
            .ok_or_else(|| err!(InvalidPolicy, "server options are a JSON object"))?;
        let mut s = ServerOptions::default();
        for (k, val) in o.iter() {
            if val.is_null() {
                continue;
            }
            let bad = |what: &str| err!(InvalidPolicy, "server option {} must be {}", k, what);
            let text = || {
                val.as_str()
                    .map(String::from)
                    .ok_or_else(|| bad("a string"))
            };
            let whole = || {
                val.as_number()
                    .and_then(json::Number::as_u64)
                    .ok_or_else(|| bad("a whole number"))
            };
            match k {
                "name" => s.name = text()?,
                "version" => s.version = Some(text()?),
                "endpoints" => {
                    s.endpoints = val
                        .as_array()
                        .ok_or_else(|| bad("an array of strings"))?
                        .iter()
                        .map(|e| {
                            e.as_str()
                                .map(String::from)
                                .ok_or_else(|| bad("an array of strings"))
                        })
                        .collect::<Result<_>>()?;
                }
                "audience" => s.audience = Some(text()?),
                "kid" => s.kid = Some(text()?),
                "passport" => {
                    s.passport = match text()?.as_str() {
                        "self" => PassportSource::SelfIssued,
                        "none" => PassportSource::None,
                        t if t.matches('.').count() == 2 => PassportSource::Provided(String::from(t)),
                        other => {
                            return Err(err!(
                                InvalidPolicy,
                                "server option passport is \"self\", \"none\" or a compact JWS, not {:?}",
                                excerpt(other)
                            ))
                        }
                    };
                }
                "passportTtl" => s.passport_ttl = whole()?.max(60),
                "manifestTtl" => s.manifest_ttl = whole()?.max(60),
                "attestations" => {
                    s.attestations = val
                        .as_array()
                        .ok_or_else(|| bad("an array of objects"))?
                        .to_vec();
                    if s.attestations.iter().any(|a| a.as_object().is_none()) {
                        return Err(bad("an array of objects"));
                    }
                }
                "clientQuota" => {
                    s.client_quota = Some(usize::try_from(whole()?).unwrap_or(usize::MAX).max(1));
                }
                "minTrustLevel" | "toolTrustLevels" => {
                    s.gate.read_member(k, val)?;
                }
                "replayCacheCapacity" => {
                    s.replay_cache_capacity =
                        usize::try_from(whole()?).unwrap_or(usize::MAX).max(1);
                }
                other => {
                    return Err(err!(
                        InvalidPolicy,
                        "unknown server option {:?}",
                        excerpt(other)
                    ))
                }
            }
        }
        if s.name.is_empty() {
            return Err(err!(InvalidPolicy, "server option name must not be empty"));
        }
        Ok(s)
    }
}

/// A server's identity, presented; see the [module documentation](self).
///
/// `K` is the key: an in-memory [`SigningKey`] ([`ServerPresentation::new`]) or any
/// [`Signer`] ([`ServerPresentation::with_signer`]), such as a `Box<dyn Signer>` over a key
/// in a KMS, an HSM or a keychain. A signer's signatures are verified before they are served.
#[derive(Debug)]
pub struct ServerPresentation<K: Signer = SigningKey> {
    key: K,
    kid: String,
    options: ServerOptions,
    /// The self-issued passport and the time from which it is renewed.
    passport: Option<(String, u64)>,
    responder: ChallengeResponder,
    /// Challenges admitted and waiting for a shared store's answer, by store key. Each holds
    /// a slot of the bounded replay cache, so there are never more than its capacity.
    pending: NameMap<String, challenge::AdmittedChallenge>,
    /// The decision on each `tools/call` (its own replay cache for caller proofs).
    gate: CallGate,
    /// Signed `tools/list` pages, found by their unsigned page and cursor: served again
    /// until `renew_at`, so a list is signed once per tool set, not on every request.
    signed: Vec<SignedPage>,
    /// The id the next signed page gets.
    next_page: u64,
}

/// A signed page kept for serving again: its text, when it is renewed, and its tools' hashes
/// (a page served from here is the list in use again, so the gate's record hashes follow it).
#[derive(Debug)]
struct SignedPage {
    /// The unsigned page and the cursor it answers, compared as they are: a lookup costs a
    /// length comparison per kept page and one `memcmp` (hashing the page for a key took
    /// 0.2 ms of a 100-tool `tools/list` in the wasm build).
    input: String,
    cursor: Option<String>,
    /// Which page this is, for the gate ([`CallGate::note_tools`]); new for every signing.
    id: u64,
    text: String,
    renew_at: u64,
    hashes: Vec<(String, String)>,
}

/// `a == b`, eight bytes at a time: in the wasm builds `==` on strings is a `memcmp` that
/// compares a byte per step, 0.1 ms for each cached 100-tool page.
fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    ca.zip(cb).all(|(x, y)| {
        let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
        word(x) == word(y)
    }) && ra == rb
}

/// Signed pages kept at most: a server lists a handful of pages; more distinct ones mean the
/// list changes, and the oldest are dropped wholesale.
const MAX_SIGNED_PAGES: usize = 64;

impl ServerPresentation {
    /// The presentation of `key` under `options`.
    #[must_use]
    pub fn new(key: SigningKey, options: ServerOptions) -> ServerPresentation {
        ServerPresentation::with_signer(key, options)
    }

    /// The passport to serve at `now`, if any; a self-issued one is re-issued once half of
    /// its lifetime has passed, so a client never sees one about to expire.
    pub fn passport(&mut self, now: u64) -> Option<String> {
        infallible(self.passport_by(now, |k, mcp, o| Ok(passport::issue_self(k, mcp, o))))
    }

    /// The `identity/get` result (JSON text) at `now`.
    #[must_use]
    pub fn identity_get(&self, now: u64) -> String {
        identity::identity_document(&self.key, Some(&self.kid), now, &self.options.attestations)
    }
}

impl<K: Signer> ServerPresentation<K> {
    /// The presentation of the key behind `signer` under `options`.
    ///
    /// ```
    /// use mcp_attest::server::{ServerOptions, ServerPresentation};
    /// use mcp_attest::{Signer, SigningKey};
    ///
    /// let signer: Box<dyn Signer> = Box::new(SigningKey::from_bytes(&[1u8; 32]));
    /// let mut server = ServerPresentation::with_signer(signer, ServerOptions::default());
    /// assert!(server.try_passport(1_800_000_000)?.is_some());
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    #[must_use]
    pub fn with_signer(key: K, options: ServerOptions) -> ServerPresentation<K> {
        let kid = options
            .kid
            .clone()
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| key.verifying_key().kid());
        let responder = match options.client_quota {
            Some(q) => {
                ChallengeResponder::with_client_quota(kid.clone(), options.replay_cache_capacity, q)
            }
            None => ChallengeResponder::new(kid.clone(), options.replay_cache_capacity),
        };
        let mut gate_options = options.gate.clone();
        gate_options.replay_cache_capacity = options.replay_cache_capacity;
        if let Some(q) = options.client_quota {
            gate_options.client_quota = q;
        }
        let gate = CallGate::new(&key.verifying_key().to_did_key(), gate_options, None);
        ServerPresentation {
            key,
            kid,
            options,
            passport: None,
            responder,
            pending: NameMap::default(),
            gate,
            signed: Vec::new(),
            next_page: 0,
        }
    }

    /// The served `kid`: the ext-auth kid of the key, derived once.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The server's did:key.
    #[must_use]
    pub fn did(&self) -> String {
        self.key.verifying_key().to_did_key()
    }

    /// What the server adds to its `initialize` capabilities (JSON): our advertisement under
    /// `experimental` and the draft's under `extensions`. Hints only: a client proves the
    /// identity with the signed `_meta` and the challenge.
    #[must_use]
    pub fn capabilities(&self) -> String {
        let mut ad = Object::new();
        ad.insert("version", Value::from(CAPABILITY_VERSION));
        ad.insert("did", Value::from(self.did()));
        ad.insert("kid", Value::from(self.kid.as_str()));
        ad.insert(
            "methods",
            Value::Array(alloc::vec![
                Value::from(session::METHOD_IDENTITY_GET),
                Value::from(session::METHOD_IDENTITY_CHALLENGE),
            ]),
        );
        let mut experimental = Object::new();
        experimental.insert(tool::RESULT_META_KEY, Value::Object(ad));
        let mut draft = Object::new();
        draft.insert("version", Value::from(CAPABILITY_VERSION));
        let mut extensions = Object::new();
        extensions.insert(tool::EXT_AUTH_META_KEY, Value::Object(draft));
        let mut o = Object::new();
        o.insert("experimental", Value::Object(experimental));
        o.insert("extensions", Value::Object(extensions));
        Value::Object(o).to_jcs()
    }

    /// The HTTP headers of a Streamable HTTP response (JSON object): the identity hint, and
    /// `Access-Control-Expose-Headers` so a browser client can read it.
    #[must_use]
    pub fn http_headers(&self) -> String {
        let mut o = Object::new();
        o.insert(
            IDENTITY_HEADER,
            Value::from(alloc::format!("did={}", self.did())),
        );
        o.insert(
            "Access-Control-Expose-Headers",
            Value::from(alloc::format!("{IDENTITY_HEADER}, Mcp-Session-Id")),
        );
        Value::Object(o).to_jcs()
    }

    /// [`ServerPresentation::passport`] for any signer.
    ///
    /// # Errors
    /// The signer's error, or `signer_failed`.
    pub fn try_passport(&mut self, now: u64) -> Result<Option<String>> {
        self.passport_by(now, |k, mcp, o| passport::issue_self_with(k, mcp, o))
    }

    fn passport_by<E>(
        &mut self,
        now: u64,
        issue: impl FnOnce(&K, &McpInfo, &passport::IssueOptions<'_>) -> core::result::Result<String, E>,
    ) -> core::result::Result<Option<String>, E> {
        match &self.options.passport {
            PassportSource::None => Ok(None),
            PassportSource::Provided(t) => Ok(Some(t.clone())),
            PassportSource::SelfIssued => {
                if let Some((token, renew_at)) = &self.passport {
                    if now < *renew_at {
                        return Ok(Some(token.clone()));
                    }
                }
                let mcp = McpInfo {
                    name: self.options.name.clone(),
                    version: self.options.version.clone(),
                    endpoints: self.options.endpoints.clone(),
                    tools_hash: None,
                };
                let token = issue(
                    &self.key,
                    &mcp,
                    &passport::IssueOptions {
                        now,
                        ttl: self.options.passport_ttl,
                        audience: self.options.audience.as_deref(),
                        ..Default::default()
                    },
                )?;
                self.passport = Some((
                    token.clone(),
                    now.saturating_add(self.options.passport_ttl / 2),
                ));
                Ok(Some(token))
            }
        }
    }

    /// Signs one `tools/list` result (JSON text) at `now`: each tool's ext-auth attestation,
    /// the manifest and the passport in the result `_meta` (merged into it, never replacing
    /// what the SDK put there). `cursor` is the cursor the client sent for this page (`None`
    /// for the first). When the list is paginated (a cursor, or a `nextCursor` in the result)
    /// the page also carries a signed page token binding the cursor it answers, its
    /// `nextCursor` and its manifest, so a client detects a dropped, repeated, reordered or
    /// foreign page. Returns the result as JSON text.
    ///
    /// # Errors
    /// `input_too_large`, JSON errors, `malformed_tool_definition`; a signer's error or
    /// `signer_failed`.
    pub fn sign_tools_list(
        &mut self,
        result_json: &str,
        cursor: Option<&str>,
        now: u64,
    ) -> Result<String> {
        let kept = self
            .signed
            .iter()
            .position(|p| same_bytes(&p.input, result_json) && p.cursor.as_deref() == cursor);
        if let Some(page) = kept.and_then(|i| self.signed.get(i)) {
            if now < page.renew_at {
                self.gate
                    .note_tools(page.id, &page.hashes, cursor.is_none());
                return Ok(page.text.clone());
            }
        }
        let result = json::parse_with_limits(
            result_json,
            Limits {
                max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
                max_depth: json::DEFAULT_MAX_DEPTH,
            },
        )?;
        let next = match result.get("nextCursor") {
            None | Some(Value::Null) => None,
            Some(Value::String(n)) => Some(n.clone()),
            Some(_) => {
                return Err(err!(
                    MalformedToolDefinition,
                    "a tools/list nextCursor must be a string"
                ))
            }
        };
        let passport = self.try_passport(now)?;
        let mut signed = tool::sign_tools_list_guarded(
            &self.key,
            &result,
            &SignOptions {
                now,
                ttl: self.options.manifest_ttl,
                audience: self.options.audience.as_deref(),
                kid: Some(&self.kid),
            },
            Some(self.gate.options()),
        )?;
        let hashes = CallGate::<SigningKey>::page_hashes(
            result.get("tools").and_then(Value::as_array).unwrap_or(&[]),
        );
        let id = self.next_page;
        self.next_page = self.next_page.wrapping_add(1);
        self.gate.note_tools(id, &hashes, cursor.is_none());
        if let Value::Object(o) = &mut signed {
            // sign_tools_list_value always writes `_meta` and our member with the manifest.
            if let Some(Value::Object(mut meta)) = o.remove("_meta") {
                if let Some(Value::Object(mut ours)) = meta.remove(tool::RESULT_META_KEY) {
                    if let Some(token) = passport {
                        ours.insert("passport", Value::from(token));
                    }
                    if cursor.is_some() || next.is_some() {
                        let manifest = ours.get("manifest").and_then(Value::as_str).unwrap_or("");
                        let page = page_token(&self.key, cursor, next.as_deref(), manifest, now)?;
                        ours.insert("page", Value::from(page));
                    }
                    meta.insert(tool::RESULT_META_KEY, Value::Object(ours));
                }
                o.insert("_meta", Value::Object(meta));
            }
        }
        let text = signed.to_jcs();
        // Renewed at half the manifest's lifetime (and before a self-issued passport in it
        // is renewed), so a client never receives a page about to expire.
        let renew_at =
            now.saturating_add(self.options.manifest_ttl.min(self.options.passport_ttl) / 2);
        if let Some(i) = kept {
            // Renewed: the stale copy goes.
            self.signed.swap_remove(i);
        }
        if self.signed.len() >= MAX_SIGNED_PAGES {
            self.signed.clear();
        }
        self.signed.push(SignedPage {
            input: String::from(result_json),
            cursor: cursor.map(String::from),
            id,
            text: text.clone(),
            renew_at,
            hashes,
        });
        Ok(text)
    }

    /// Sets the trust level (0–4) `tool` requires of its callers, e.g. from its registration.
    /// The next `tools/list` publishes it (signed pages are re-signed).
    ///
    /// # Errors
    /// `invalid_policy` for a level above 4.
    pub fn set_tool_trust_level(&mut self, tool: &str, level: u8) -> Result<()> {
        self.gate.set_tool_trust_level(tool, level)?;
        self.signed.clear();
        Ok(())
    }

    /// The trust level `tool` requires.
    #[must_use]
    pub fn required_level(&self, tool: &str) -> u8 {
        self.gate.options().required_level(tool)
    }

    /// Issuers (with their `maxLevel`) whose passports raise callers, and revocation lists
    /// applied to callers.
    pub fn set_caller_trust(
        &mut self,
        issuers: Vec<TrustedIssuer>,
        revocations: Vec<RevocationList>,
    ) {
        self.gate.set_trust(issuers, revocations);
    }

    /// Decides one `tools/call` before its handler runs (spec §20.6; [`CallGate::admit`]):
    /// `params_json` as received (with `_meta`), `header` the `MCP-Attest-Caller` value over
    /// HTTP, `client` the replay-quota key, `log` the evidence log, if kept, which must be
    /// this server's (records are signed by the log's key under the server's DID).
    ///
    /// # Errors
    /// As [`CallGate::admit`]; `invalid_policy` for another server's log.
    pub fn admit_call<L: Signer>(
        &mut self,
        params_json: &str,
        header: Option<&str>,
        client: &str,
        now: u64,
        log: Option<&mut EvidenceLog<L>>,
    ) -> Result<Admission> {
        self.check_log(log.as_deref())?;
        self.gate.admit_into(params_json, header, client, now, log)
    }

    /// Records an admitted call's outcome ([`CallGate::complete`]) into `log`.
    ///
    /// # Errors
    /// As [`CallGate::complete`]; `invalid_policy` for another server's log.
    pub fn complete_call<L: Signer>(
        &self,
        ticket: &Ticket,
        result_json: Option<&str>,
        error_code: Option<&str>,
        now: u64,
        log: Option<&mut EvidenceLog<L>>,
    ) -> Result<Vec<Write>> {
        self.check_log(log.as_deref())?;
        CallGate::<SigningKey>::complete_into(ticket, result_json, error_code, now, log)
    }

    /// For replicas sharing a replay store ([`CallGate::complete_admission_into`]): whether
    /// the store took the admitted ticket's `replayKey`; not taken is a replay, refused and
    /// recorded.
    ///
    /// # Errors
    /// `server_error` when the log cannot record; `invalid_policy` for another server's log.
    pub fn complete_admission<L: Signer>(
        &self,
        ticket: &Ticket,
        inserted: bool,
        now: u64,
        log: Option<&mut EvidenceLog<L>>,
    ) -> Result<Admission> {
        self.check_log(log.as_deref())?;
        CallGate::<SigningKey>::complete_admission_into(ticket, inserted, now, log)
    }

    fn check_log<L: Signer>(&self, log: Option<&EvidenceLog<L>>) -> Result<()> {
        match log {
            Some(l) if l.writer().server_did() != self.did() => Err(err!(
                InvalidPolicy,
                "the evidence log is signed by {}, not by this server's key",
                l.writer().server_did()
            )),
            _ => Ok(()),
        }
    }

    /// [`ServerPresentation::identity_get`] for any signer.
    ///
    /// # Errors
    /// The signer's error, or `signer_failed`.
    pub fn try_identity_get(&self, now: u64) -> Result<String> {
        identity::identity_document_with(
            &self.key,
            Some(&self.kid),
            now,
            &self.options.attestations,
        )
    }

    /// Answers `identity/challenge` params (JSON text; an SDK's `_meta` member is ignored)
    /// from `client` (the key its quota is charged to; see docs/spec.md §13.4.1) at `now`:
    /// the result (JSON text), or the JSON-RPC error object (JSON text) to answer with.
    ///
    /// # Errors
    /// The JSON-RPC error object, as [`challenge::jsonrpc_error_json`] writes it.
    pub fn answer_challenge(
        &mut self,
        params_json: &str,
        client: &str,
        now: u64,
    ) -> core::result::Result<String, String> {
        let params = strip_meta(params_json).map_err(|e| challenge::jsonrpc_error_json(&e))?;
        self.responder
            .respond_for(&self.key, &params, client, now)
            .map(|r| r.to_json())
            .map_err(|e| challenge::jsonrpc_error_json(&e))
    }

    /// The first half of [`ServerPresentation::answer_challenge`] for replicas that share a
    /// replay store: every check and the quota here; then the caller inserts the returned
    /// store key into its store if absent, until the returned expiry (Unix seconds), and
    /// calls [`ServerPresentation::complete_challenge`] with whether it was inserted.
    ///
    /// # Errors
    /// The JSON-RPC error object (JSON text).
    pub fn admit_challenge(
        &mut self,
        params_json: &str,
        client: &str,
        now: u64,
    ) -> core::result::Result<(String, u64), String> {
        let params = strip_meta(params_json).map_err(|e| challenge::jsonrpc_error_json(&e))?;
        let admitted = self
            .responder
            .admit(&params, client, now)
            .map_err(|e| challenge::jsonrpc_error_json(&e))?;
        let key = admitted.store_key();
        let expires = admitted.expires_at();
        // A store round trip that never came back leaves its entry behind; such entries are
        // dropped once their nonce expires, in one sweep when the map reaches the cache's
        // capacity (amortised: at most one sweep per admitted entry).
        if self.pending.len() >= self.options.replay_cache_capacity {
            self.pending.retain(|_, a| a.expires_at() >= now);
        }
        self.pending.insert(key.clone(), admitted);
        Ok((key, expires))
    }

    /// The second half: `inserted` is whether the shared store took the key (absent before).
    /// Not inserted means another replica answered this nonce: `replayed_nonce`.
    ///
    /// # Errors
    /// The JSON-RPC error object (JSON text).
    pub fn complete_challenge(
        &mut self,
        store_key: &str,
        inserted: bool,
    ) -> core::result::Result<String, String> {
        let Some(admitted) = self.pending.remove(store_key) else {
            return Err(challenge::jsonrpc_error_json(&err!(
                InvalidChallenge,
                "no admitted challenge has this store key"
            )));
        };
        if !inserted {
            return Err(challenge::jsonrpc_error_json(&err!(
                ReplayedNonce,
                "this challenge nonce was already answered (by another replica)"
            )));
        }
        self.responder
            .sign_with(&self.key, &admitted)
            .map(|r| r.to_json())
            .map_err(|e| challenge::jsonrpc_error_json(&e))
    }
}

/// The JWS `typ` of a page token.
pub const PAGE_TYP: &str = "mcp-tools-page+jwt";

/// A page token: `{iss, iat, cursor, next, manifest}` signed by the server key, where
/// `manifest` is `sha256-<base64url>` of the page's manifest token.
fn page_token<K: Signer>(
    key: &K,
    cursor: Option<&str>,
    next: Option<&str>,
    manifest: &str,
    now: u64,
) -> Result<String> {
    let mut c = Object::new();
    c.insert("iss", Value::from(key.verifying_key().to_did_key()));
    c.insert("iat", Value::from_u64(now));
    c.insert("cursor", cursor.map_or(Value::Null, Value::from));
    c.insert("next", next.map_or(Value::Null, Value::from));
    c.insert("manifest", Value::from(token_hash(manifest)));
    jws::sign_with(key, Some(PAGE_TYP), None, &c)
}

/// `sha256-<base64url>` of a token's text.
pub(crate) fn token_hash(token: &str) -> String {
    let mut s = String::from("sha256-");
    s.push_str(&encoding::base64url_encode(&Sha256::digest(
        token.as_bytes(),
    )));
    s
}

/// `params` without an SDK-added `_meta` member (progress tokens and the like).
fn strip_meta(params_json: &str) -> core::result::Result<String, Error> {
    if params_json.len() > challenge::MAX_PARAMS_BYTES * 2 {
        return Err(err!(
            InvalidChallenge,
            "identity/challenge params are {} bytes; the limit is {}",
            params_json.len(),
            challenge::MAX_PARAMS_BYTES
        ));
    }
    let mut v = json::parse_with_limits(
        params_json,
        Limits {
            max_bytes: challenge::MAX_PARAMS_BYTES * 2,
            max_depth: 8,
        },
    )
    .map_err(|e| {
        err!(
            InvalidChallenge,
            "identity/challenge params: {}",
            e.message()
        )
    })?;
    if let Value::Object(o) = &mut v {
        o.remove("_meta");
    }
    Ok(v.to_jcs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::{ChallengeRequest, ChallengeResponse};
    use crate::ErrorCode;
    use alloc::format;

    const NOW: u64 = 1_800_000_000;

    fn server(options: ServerOptions) -> ServerPresentation {
        ServerPresentation::new(SigningKey::from_bytes(&[1; 32]), options)
    }

    /// The word-wise comparison against `==`: a difference at every offset of every length
    /// around the word size, in the words and in the remainder.
    #[test]
    fn same_bytes_is_string_equality() {
        for len in 0..34 {
            let a: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same_bytes(&a, &a.clone()));
            assert!(!same_bytes(&a, &format!("{a}x")));
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] ^= 1;
                let b = String::from_utf8(b).unwrap();
                assert!(!same_bytes(&a, &b), "{len} {at}");
            }
        }
    }

    /// The old Python adapter issued one 24-hour passport at start and never renewed it, so
    /// after a day every client refused every tool. The presentation re-issues once half the
    /// lifetime has passed, so what it serves is never within half a lifetime of expiring.
    #[test]
    fn the_self_issued_passport_is_renewed_before_it_expires() {
        let mut s = server(ServerOptions::default());
        let first = s.passport(NOW).unwrap();
        assert_eq!(s.passport(NOW + 3_600).unwrap(), first);
        let ttl = passport::DEFAULT_PASSPORT_TTL;
        let renewed = s.passport(NOW + ttl / 2).unwrap();
        assert_ne!(renewed, first);
        for t in [NOW + ttl + 10, NOW + 3 * ttl] {
            let served = s.passport(t).unwrap();
            let p = passport::verify(
                &served,
                &passport::VerifyOptions {
                    now: t,
                    ..Default::default()
                },
            )
            .unwrap();
            assert!(
                p.expires_at >= t + ttl / 2,
                "served a passport about to expire"
            );
        }
    }

    /// The old TS adapter issued its default passport without `aud`, so a server configured
    /// with an audience failed every client that checks it.
    #[test]
    fn the_passport_carries_the_configured_audience() {
        let aud = "https://mcp.example.com/mcp";
        let mut s = server(ServerOptions {
            audience: Some(String::from(aud)),
            ..ServerOptions::default()
        });
        let token = s.passport(NOW).unwrap();
        let ok = passport::verify(
            &token,
            &passport::VerifyOptions {
                now: NOW,
                audience: Some(aud),
                ..Default::default()
            },
        );
        assert_eq!(ok.unwrap().audience, [aud]);
    }

    #[test]
    fn two_phase_answers_for_a_shared_replay_store() {
        let mut s = server(ServerOptions::default());
        let vk = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let req = ChallengeRequest::new(&[9; 32], NOW);
        let (key, expires) = s.admit_challenge(&req.to_json(), "c1", NOW).unwrap();
        assert_eq!(key.len(), 32);
        assert!(expires > NOW);
        let answer = s.complete_challenge(&key, true).unwrap();
        let response = ChallengeResponse::from_json(&answer).unwrap();
        challenge::verify_response(&req, &response, &vk, None).unwrap();
        // The store already had the key (another replica answered): replayed.
        let other = ChallengeRequest::new(&[8; 32], NOW);
        let (key, _) = s.admit_challenge(&other.to_json(), "c1", NOW).unwrap();
        let refused = s.complete_challenge(&key, false).unwrap_err();
        assert!(
            refused.contains(ErrorCode::ReplayedNonce.as_str()),
            "{refused}"
        );
        // A key never admitted (or completed already) is refused, not signed.
        assert!(s
            .complete_challenge(&key, true)
            .unwrap_err()
            .contains("invalid_challenge"));
        // An SDK's `_meta` in the params is not part of the challenge.
        let with_meta = req
            .to_json()
            .replacen('{', r#"{"_meta":{"progressToken":1},"#, 1);
        let mut fresh = server(ServerOptions::default());
        fresh.answer_challenge(&with_meta, "c2", NOW).unwrap();
    }

    #[test]
    fn only_paginated_pages_carry_a_page_token() {
        let mut s = server(ServerOptions::default());
        let one = s
            .sign_tools_list(r#"{"tools":[{"name":"a","inputSchema":{}}]}"#, None, NOW)
            .unwrap();
        assert!(!one.contains(r#""page":"#));
        let first = s
            .sign_tools_list(
                r#"{"tools":[{"name":"a","inputSchema":{}}],"nextCursor":"p2"}"#,
                None,
                NOW,
            )
            .unwrap();
        assert!(first.contains(r#""page":"#));
        let bad = s
            .sign_tools_list(r#"{"tools":[],"nextCursor":7}"#, None, NOW)
            .unwrap_err();
        assert_eq!(bad.code(), ErrorCode::MalformedToolDefinition);
    }

    #[test]
    fn options_are_strict() {
        for bad in [
            r#"{"name":""}"#,
            r#"{"passprot":"self"}"#,
            r#"{"passport":42}"#,
            r#"{"passport":"maybe"}"#,
            r#"{"endpoints":[1]}"#,
            "[]",
        ] {
            assert_eq!(
                ServerOptions::from_json(bad).unwrap_err().code(),
                ErrorCode::InvalidPolicy,
                "{bad}"
            );
        }
        let o = ServerOptions::from_json(
            r#"{"name":"w","passport":"none","kid":"k1","passportTtl":10}"#,
        )
        .unwrap();
        assert_eq!(o.passport, PassportSource::None);
        assert_eq!(
            o.passport_ttl, 60,
            "lifetimes below a minute are raised to one"
        );
        assert_eq!(server(o).kid(), "k1");
    }
}
