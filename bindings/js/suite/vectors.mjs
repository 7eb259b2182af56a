// The vector suite, shared by the Node runner (test/vectors.test.mjs) and the browser runner
// (browser/): every vector file the Rust runners cover, with the same verdicts.
//
// defineSuite({ lib, project, shared, test }) registers one test per runner:
//   lib      the package (any entry)
//   project  { json(name) } for tests/vectors
//   shared   { json(path), text(path), list(dir) } for ../shared/vectors
//   test     (name, fn) => void; fn returns a short summary string (case counts)
// A missing file makes the reader throw, so its test fails.

export function defineSuite({ lib, project, shared, test }) {
  const {
    SigningKey, VerifyingKey, McpAttestError, TrustStore, TrustedIssuer, PassportVerifier, ChallengeResponder,
  } = lib
  const enc = new TextEncoder()

  // ---- helpers -------------------------------------------------------------------------
  function fail(msg) { throw new Error(msg) }
  function eq(a, b, msg) {
    const sa = typeof a === 'string' ? a : JSON.stringify(a)
    const sb = typeof b === 'string' ? b : JSON.stringify(b)
    if (sa !== sb || typeof a !== typeof b) fail(`${msg ?? 'not equal'}:\n  got  ${sa}\n  want ${sb}`)
  }
  function ok(v, msg) { if (!v) fail(msg ?? 'assertion failed') }
  function hex(s) {
    if (s.length % 2) fail(`odd hex ${s}`)
    const out = new Uint8Array(s.length / 2)
    for (let i = 0; i < out.length; i++) {
      const b = parseInt(s.substr(2 * i, 2), 16)
      if (Number.isNaN(b)) fail(`bad hex ${s}`)
      out[i] = b
    }
    return out
  }
  function toHex(b) { return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') }
  function bytesEq(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]) }
  const at = (secs) => new Date(secs * 1000)
  /** Runs f; returns { value } or { code } (a thrown McpAttestError that is a real Error). */
  function attempt(f) {
    try {
      return { value: f() }
    } catch (e) {
      if (!(e instanceof Error) || !(e instanceof McpAttestError) || typeof e.code !== 'string') {
        throw new Error(`non-McpAttestError thrown: ${e && e.stack ? e.stack : e}`, { cause: e })
      }
      return { code: e.code, error: e }
    }
  }
  function codeOf(f) { return attempt(f).code ?? null }
  function expectedError(c) { return c.expect && Object.prototype.hasOwnProperty.call(c.expect, 'ok') ? null : c.expect.error }
  function outcome(c, f) {
    const want = expectedError(c)
    const r = attempt(f)
    if (want === null) {
      if (r.code) fail(`${c.id}: expected ok, got ${r.code}: ${r.error.message}`)
      return r.value
    }
    if (!r.code) fail(`${c.id}: expected ${want}, got ok`)
    eq(r.code, want, c.id)
    return undefined
  }

  // ---- tests/vectors (the project's own) ---------------------------------------------------
  test('error_codes.json: codes and classes match the core', () => {
    const listed = project.json('error_codes.json').codes.map((c) => c.code)
    eq(lib.coreErrorCodes(), listed, 'core codes')
    const ours = [...lib.ERROR_CODES].sort()
    eq(ours, [...listed, 'not_initialized'].sort(), 'TS classes: the core codes plus not_initialized')
    for (const code of lib.ERROR_CODES) {
      const Class = lib.CLASS_BY_CODE[code]
      const e = new Class(code, 'm')
      ok(e instanceof Error && e instanceof McpAttestError, code)
      eq(e.code, code)
      eq(e.name, Class.name)
    }
    return `${listed.length} codes`
  })

  test('keys.json', () => {
    const file = project.json('keys.json')
    eq(file.positive.length, 4)
    for (const c of file.positive) {
      const o = c.expect.ok
      const sk = SigningKey.fromBytes(hex(c.seed_hex))
      const vk = sk.verifyingKey()
      eq(toHex(vk.toBytes()), o.public_key_hex)
      eq(toHex(sk.toKeypairBytes()), o.keypair_hex)
      eq(vk.toMultibase(), o.multibase)
      eq(vk.toDidKey(), o.did)
      eq(vk.toDidKeyUrl(), o.did_url)
      eq(vk.x25519Multibase(), o.x25519_multibase)
      eq(vk.toJwk(), o.jwk_public)
      eq(sk.toJwk(), o.jwk_private)
      eq(vk.jwkThumbprint(), o.jwk_thumbprint)
      eq(vk.kid(), o.kid)
      eq(vk.fingerprint(), o.fingerprint)
      eq(sk.toPkcs8Pem(), o.pkcs8_v1_pem)
      eq(sk.toPkcs8Pem({ v2: true }), o.pkcs8_v2_pem)
      eq(vk.toSpkiPem(), o.spki_pem)
      eq(toHex(sk.sign(new Uint8Array())), o.signature_over_empty_hex)
      eq(toHex(sk.sign(enc.encode('abc'))), o.signature_over_abc_hex)
      for (const imported of [
        VerifyingKey.fromDidKey(o.did), VerifyingKey.fromMultibase(o.multibase), VerifyingKey.fromJwk(o.jwk_public),
        VerifyingKey.fromSpkiPem(o.spki_pem), SigningKey.fromJwk(o.jwk_private).verifyingKey(),
        SigningKey.fromPkcs8Pem(o.pkcs8_v1_pem).verifyingKey(), SigningKey.fromPkcs8Pem(o.pkcs8_v2_pem).verifyingKey(),
        SigningKey.fromBytes(hex(o.keypair_hex)).verifyingKey(),
      ]) ok(imported.equals(vk), `${c.id}: import round trip`)
    }
    ok(file.imports.length >= 10)
    for (const c of file.imports) {
      const input = c.input
      const kinds = {
        secret_hex: () => SigningKey.fromBytes(hex(input)).verifyingKey(),
        public_hex: () => VerifyingKey.fromBytes(hex(input)),
        jwk_public: () => VerifyingKey.fromJwk(input),
        pkcs8_pem: () => SigningKey.fromPkcs8Pem(input).verifyingKey(),
        spki_pem: () => VerifyingKey.fromSpkiPem(input),
      }
      const f = kinds[c.input_kind] ?? fail(`unknown input_kind ${c.input_kind}`)
      const vk = outcome(c, f)
      if (vk) eq(toHex(vk.toBytes()), c.expect.ok.public_key_hex, c.id)
    }
    return `${file.positive.length} positive, ${file.imports.length} imports`
  })

  test('did_key.json: documents, DID URLs and refusals', () => {
    const file = project.json('did_key.json')
    const vk = VerifyingKey.fromDidKey(file.did)
    for (const [name, format] of [['multikey', 'Multikey'], ['ed25519_verification_key_2020', 'Ed25519VerificationKey2020'], ['json_web_key', 'JsonWebKey']]) {
      eq(vk.didDocument({ format }), lib.canonicalize(JSON.stringify(file.documents[name])), name)
    }
    for (const c of file.did_urls) {
      const u = lib.parseDidUrl(c.input)
      eq([u.did, u.fragment], [vk.toDidKey(), c.expect.ok.fragment], c.id)
    }
    ok(file.negative.length >= 7)
    for (const c of file.negative) {
      outcome(c, () => (c.input_kind === 'did' ? VerifyingKey.fromDidKey(c.input) : lib.parseDidUrl(c.input)))
    }
    return `3 documents, ${file.did_urls.length} urls, ${file.negative.length} negative`
  })

  test('records.json', () => {
    const file = project.json('records.json')
    const vk = VerifyingKey.fromBytes(hex(file.public_key_hex))
    eq(vk.dnsRecord(), file.dns_record)
    eq(vk.registryRecord(), file.registry_record)
    eq(lib.dnsRecordName('example.com'), file.dns_name_for_example_com)
    for (const c of file.dns) outcome(c, () => lib.verifyDnsRecord(c.input, vk))
    for (const c of file.registry) outcome(c, () => lib.verifyRegistryRecord(c.input, vk))
    return `${file.dns.length} dns, ${file.registry.length} registry`
  })

  test('jcs.json', () => {
    const file = project.json('jcs.json')
    ok(file.cases.length >= 15)
    for (const c of file.cases) {
      const out = outcome(c, () => lib.canonicalize(c.input))
      if (out !== undefined) {
        eq(out, c.expect.ok.canonical, c.id)
        eq(toHex(enc.encode(out)), c.expect.ok.canonical_hex, c.id)
      }
    }
    // Adversarial number literals: refused with the code, or read as the stated double,
    // which must be the value this runtime's own Number() reads from the literal.
    ok(file.numbers.length >= 20)
    for (const c of file.numbers) {
      const lit = c.literal ?? c.build.prefix + c.build.repeat.repeat(c.build.count) + c.build.suffix
      if (c.build) eq(lit.length, c.length, c.id)
      const out = outcome(c, () => lib.canonicalize(lit))
      if (out !== undefined) {
        eq(out, c.expect.ok.canonical, c.id)
        eq(String(Number(lit)), out, `${c.id}: Number() reads another value`)
      }
    }
    return `${file.cases.length} cases, ${file.numbers.length} number literals`
  })

  test('tools.json: per tool, and lists under both policies', () => {
    const file = project.json('tools.json')
    const vk = VerifyingKey.fromDidKey(file.server.did)
    eq(vk.kid(), file.server.kid)
    for (const c of file.per_tool) {
      const o = c.expect.ok
      const input = lib.extAuthSigningInput(c.tool)
      eq(input, o.signing_input, c.id)
      vk.verify(enc.encode(input), hex(o.signature_hex))
      eq(lib.contentHash(c.tool), o.content_hash, c.id)
      lib.verifyTool(o.signed_tool, vk)
    }
    ok(file.lists.length >= 20)
    let checks = 0
    for (const c of file.lists) {
      for (const [field, toolSignatures] of [['expect', 'if-no-manifest'], ['expect_all_tool_signatures', 'always']]) {
        const id = `${c.id} (${field})`
        const r = attempt(() => lib.verifyToolsList(c.result, vk, { currentDate: at(c.now), audience: c.audience ?? undefined, requireManifest: c.require_manifest, toolSignatures }))
        const want = c[field]
        checks++
        if (want.error !== undefined) {
          eq(r.code ?? 'ok', want.error, id)
          continue
        }
        if (r.code) fail(`${id}: got ${r.code}`)
        const report = r.value
        const w = want.ok
        eq(report.verified, w.verified, `${id}: verified`)
        const m = report.manifest
        const manifest = m.status === 'invalid' ? { invalid: m.error } : m.status
        eq(manifest, w.manifest, `${id}: manifest`)
        eq(report.verifiedNames, w.verified_names, `${id}: verifiedNames`)
        eq(report.tools.length, w.tools.length, `${id}: tool count`)
        report.tools.forEach((t, i) => {
          const wt = w.tools[i]
          eq(t.name, wt.name ?? null, `${id}: name`)
          eq(t.status, wt.status, `${id}: ${t.name} status`)
          eq(t.error ?? null, wt.error ?? null, `${id}: ${t.name} error`)
        })
      }
    }
    // A revoked server key: tools-list verification consults the revocation lists it is given.
    const rs = file.revoked_server
    const list = new PassportVerifier({ issuers: trustedRegistry(project.json('passports.json')) })
      .verifyRevocationList(rs.revocation_list, { currentDate: at(rs.now) })
    const rr = lib.verifyToolsList(rs.result, vk, { currentDate: at(rs.now), audience: rs.audience, revocationLists: [list] })
    eq(rr.verified, rs.expect.ok.verified, rs.id)
    eq({ invalid: rr.manifest.error }, rs.expect.ok.manifest, rs.id)
    eq(rr.tools.map((t) => t.status), rs.expect.ok.statuses, rs.id)
    eq(rr.verifiedNames, [], rs.id)
    return `${file.per_tool.length} per-tool, ${file.lists.length} lists × 2 policies (${checks} checks), revoked server`
  })

  function trustedRegistry(file) {
    return file.trusted_issuers.map((i) => TrustedIssuer.fromJwks(i.id, i.jwks))
  }

  test('passports.json: passports and revocation lists', () => {
    const file = project.json('passports.json')
    const issuers = trustedRegistry(file)
    for (const c of file.revocation_list_checks) {
      const v = new PassportVerifier({ issuers: c.trusted ? issuers : [] })
      const list = outcome(c, () => v.verifyRevocationList(file.revocation_list, { currentDate: c.now == null ? undefined : at(c.now) }))
      if (list) eq(list.entries().length, c.expect.ok.entries, c.id)
    }
    const lists = [new PassportVerifier({ issuers }).verifyRevocationList(file.revocation_list)]
    ok(file.cases.length >= 20)
    for (const c of file.cases) {
      const p = outcome(c, () => lib.verifyPassport(c.token, {
        currentDate: at(c.now),
        audience: c.audience ?? undefined,
        issuers: c.no_trusted_issuers ? [] : c.decoy_issuer_first
          ? [TrustedIssuer.fromKey(issuers[0].id, VerifyingKey.fromDidKey(c.decoy_issuer_first)), ...issuers]
          : issuers,
        allowSelfIssued: c.allow_self_issued ?? undefined, // absent or null: the core's default
        maxAge: c.max_age ?? undefined,
        revocationLists: c.use_revocations ? lists : [],
        subject: c.expected_subject ? VerifyingKey.fromDidKey(c.expected_subject) : undefined,
      }))
      if (p) {
        const o = c.expect.ok
        eq(p.issuer, o.issuer, c.id)
        eq(p.subject, o.subject, c.id)
        eq(p.selfIssued, o.self_issued, c.id)
        eq(p.expiresAt.getTime() / 1000, o.expires_at, c.id)
        eq(p.jti, o.jti ?? null, c.id)
        eq(p.mcp ? p.mcp.name : null, o.mcp_name ?? null, c.id)
      }
    }
    return `${file.revocation_list_checks.length} list checks, ${file.cases.length} passports`
  })

  test('identity.json: identity documents', () => {
    const file = project.json('identity.json')
    const trusted = file.trusted_publishers.map((d) => VerifyingKey.fromDidKey(d))
    for (const c of file.cases) {
      const v = outcome(c, () => lib.verifyIdentityDocument(c.document, {
        currentDate: at(c.now),
        trustedPublishers: trusted,
        requireTrustedPublisher: c.require_trusted_publisher,
        previousKey: c.previous_key_did ? VerifyingKey.fromDidKey(c.previous_key_did) : undefined,
      }))
      if (v) {
        const o = c.expect.ok
        eq(v.did, o.did, c.id)
        eq(v.kid, o.kid, c.id)
        eq(v.publishers.map((p) => ({ name: p.name, trusted: p.trusted, bound: p.bound })), o.publishers.map((p) => ({ name: p.name, trusted: p.trusted, bound: p.bound })), c.id)
        eq(v.rotations.map((r) => ({ revoked_kid: r.revokedKid, replacement_kid: r.replacementKid, verified: r.verified })),
          o.rotations.map((r) => ({ revoked_kid: r.revoked_kid, replacement_kid: r.replacement_kid ?? null, verified: r.verified })), c.id)
      }
    }
    return `${file.cases.length} cases`
  })

  test('trust_store.json: pins, revocation and persistence', () => {
    const file = project.json('trust_store.json')
    const passports = project.json('passports.json')
    const store = TrustStore.create()
    for (const i of trustedRegistry(passports)) store.addIssuer(i)
    ok(store.addRevocationList(passports.revocation_list, { currentDate: at(file.ops[0].now) }))
    for (const c of file.ops) {
      const key = VerifyingKey.fromDidKey(c.did)
      const r = attempt(() => {
        if (c.op === 'check_pin') return store.checkPin(c.server, key, { currentDate: at(c.now) })
        if (c.op === 'check_revoked') { store.checkRevoked(key); return {} }
        return fail(`unknown op ${c.op}`)
      })
      if (r.code) eq(r.code, c.expect.error, JSON.stringify(c))
      else eq(r.value, c.expect.ok, JSON.stringify(c))
    }
    eq(store.toJson(), file.saved)
    eq(TrustStore.fromJson(file.saved).toJson(), store.toJson())
    for (const c of file.loads) outcome(c, () => TrustStore.fromJson(c.input))
    return `${file.ops.length} ops, ${file.loads.length} loads`
  })

  test('sessions.json: transcripts replayed through the client session', () => {
    const file = project.json('sessions.json')
    ok(file.cases.length >= 30)
    for (const c of file.cases) {
      const store = c.store === null ? undefined : TrustStore.fromJson(c.store)
      const s = new lib.ClientSession(JSON.parse(c.policy), { trustStore: store, currentDate: at(c.now), random: hex(c.random_hex) })
      for (const x of c.exchanges) {
        const r = s.nextRequest()
        if (r === null) fail(`${c.id}: the session stopped early`)
        eq(r.method, x.method, c.id)
        eq(JSON.stringify(r.params), x.params, c.id)
        if (x.result !== undefined) s.receiveResult(x.result)
        else s.receiveError(x.error.code, x.error.message, x.error.data === null ? undefined : JSON.parse(x.error.data))
      }
      eq(s.nextRequest(), null, `${c.id}: the session asks for more`)
      eq(s.reportJson, c.expect.report, c.id)
      s.saveTrustStore()
      eq(store === undefined ? null : store.toJson(), c.expect.store, c.id)
    }
    for (const c of file.policies) {
      outcome(c, () => new lib.ClientSession(JSON.parse(c.policy), c.with_store ? { trustStore: TrustStore.create() } : {}))
    }
    return `${file.cases.length} transcripts, ${file.policies.length} refused policies`
  })

  test('challenge.json: request, server answers, client checks', () => {
    const file = project.json('challenge.json')
    const vk = VerifyingKey.fromDidKey(file.server_did)
    const req = lib.createChallenge({ random: hex(file.random_hex), currentDate: at(file.signed_at) })
    eq(JSON.stringify(req), file.request)
    eq(toHex(lib.challengeSigningInput(req)), file.signing_input_hex)
    const server = SigningKey.fromBytes(hex(project.json('keys.json').positive[0].seed_hex))
    ok(server.verifyingKey().equals(vk))
    const shared_ = new ChallengeResponder({ kid: file.kid, capacity: 16 })
    for (const c of file.server) {
      const now = { currentDate: at(c.now) }
      const r = attempt(() => {
        if (c.id === 'challenge/replayed') return shared_.respond(server, c.params, now)
        if (c.id === 'challenge/ok') shared_.respond(server, c.params, now)
        return new ChallengeResponder({ kid: file.kid, capacity: 16 }).respond(server, c.params, now)
      })
      if (!r.code) {
        eq([r.value.signature, r.value.kid], [c.expect.ok.signature, c.expect.ok.kid], c.id)
        lib.verifyChallengeResponse(c.params, r.value, vk)
      } else {
        eq(r.code, c.expect.error, c.id)
        const j = lib.challengeErrorToJsonRpc(r.error)
        eq([j.code, j.data.reason], [c.expect.jsonrpc_code, c.expect.reason], c.id)
        ok(r.error instanceof lib.ChallengeError || r.code === 'invalid_challenge', c.id)
      }
    }
    for (const c of file.client) outcome(c, () => lib.verifyChallengeResponse(req, c.result, vk))
    // Per-client quotas: the steps in order against one responder, each with its client key.
    const rl = file.rate_limited
    const quota = new ChallengeResponder({ kid: file.kid, capacity: rl.capacity, clientQuota: rl.client_quota })
    eq(quota.clientQuota, rl.client_quota)
    eq(rl.steps.length, 3)
    for (const st of rl.steps) {
      const r = attempt(() => quota.respond(server, st.params, { currentDate: at(st.now), clientKey: st.client }))
      if (!r.code) eq(r.value.signature, st.expect.ok.signature, `${rl.id} ${st.client}`)
      else {
        eq(r.code, st.expect.error, `${rl.id} ${st.client}`)
        const j = lib.challengeErrorToJsonRpc(r.error)
        eq([j.code, j.data.reason], [st.expect.jsonrpc_code, st.expect.reason], rl.id)
        ok(r.error instanceof lib.ChallengeError, rl.id)
      }
    }
    // What an external replay store is given.
    const ad = file.admission
    const admitted = new ChallengeResponder({ kid: file.kid, capacity: 16 }).admit(ad.params, { currentDate: at(ad.now), clientKey: ad.client })
    eq([admitted.storeKey, admitted.expiresAt], [ad.store_key, ad.expires_at], ad.id)
    return `${file.server.length} server, ${file.client.length} client, ${rl.steps.length} quota steps, admission`
  })

  test('caller.json: levels, request hashes, proofs and the server identifying callers', () => {
    const file = project.json('caller.json')
    const client = SigningKey.fromBytes(hex(file.client_seed_hex))
    eq(client.verifyingKey().toDidKey(), file.client_did)
    for (const c of file.levels) {
      eq(lib.trustLevel({ keyProven: c.key_proven, domainProven: c.domain_proven, vouched: c.vouched }), c.expect, c.id)
    }
    for (const c of file.hashes) {
      const h = outcome(c, () => lib.callerRequestHash(c.method, JSON.parse(c.params)))
      if (h !== undefined) eq(h, c.expect.ok, c.id)
    }
    const a = file.attach
    const got = lib.attachCallerProof(client, a.audience, 'tools/call', JSON.parse(a.params), {
      currentDate: at(a.now), nonce: hex(a.nonce_hex), passport: a.passport ?? undefined,
    })
    eq(JSON.stringify(got.params), JSON.stringify(JSON.parse(a.expect.ok.params)), 'attach params')
    eq(got.proof, a.expect.ok.proof, 'attach proof')
    ok(file.cases.length >= 15)
    let steps = 0
    for (const c of file.cases) {
      const v = new lib.CallerVerifier(file.server_did, { trustStore: TrustStore.fromJson(c.trust_store), capacity: 100, clientQuota: 10 })
      for (const st of c.steps) {
        steps++
        const r = attempt(() => v.identify(st.method, JSON.parse(st.params), {
          header: st.header ?? undefined, client: st.client, currentDate: at(st.now),
        }))
        if (r.code) eq({ error: r.code }, st.expect, c.id)
        else eq({ ok: r.value }, st.expect, c.id)
      }
    }
    for (const r of file.refusals) {
      eq(JSON.stringify(lib.callerRefusal({ code: r.error, message: r.message }, { required: r.required ?? undefined, level: r.level ?? undefined })),
        JSON.stringify(JSON.parse(r.expect)), r.error)
    }
    // The client's local decision before sending.
    const report = (c) => JSON.parse(c.report)
    for (const c of file.prepare) {
      const r = attempt(() => lib.prepareCall(JSON.parse(c.params), {
        report: report(c), key: c.key ? client : undefined, passport: c.passport ?? undefined, currentDate: at(c.now), nonce: hex(c.nonce_hex),
      }))
      if (r.code) eq({ error: r.code }, c.expect, c.id)
      else if (r.value.proof === null) eq({ ok: null }, c.expect, c.id)
      else eq({ ok: { params: JSON.stringify(r.value.params), proof: r.value.proof } }, { ok: { params: JSON.stringify(JSON.parse(c.expect.ok.params)), proof: c.expect.ok.proof } }, c.id)
    }
    // The client's record of each call it made.
    for (const c of file.client_records) {
      const r = attempt(() => lib.clientCallEvidence(report(c), JSON.parse(c.params), c.outcome))
      eq(r.code ? { error: r.code } : { ok: r.value }, c.expect.ok === undefined ? c.expect : { ok: JSON.parse(c.expect.ok) }, c.id)
    }
    // The server's gate, step by step, with its evidence.
    const g = file.gate
    const serverKey = SigningKey.fromBytes(hex(file.server_seed_hex))
    const p = new lib.ServerPresentation(serverKey, JSON.parse(g.options))
    p.setCallerTrust(TrustStore.fromJson(g.trust_store))
    const log = new lib.EvidenceLog(serverKey, { maxFileBytes: Number.MAX_SAFE_INTEGER })
    p.signToolsList(JSON.parse(g.list), { currentDate: at(g.now) })
    let ticket
    for (const st of g.steps) {
      if (st.admit !== undefined) {
        const a = p.admitCall(JSON.parse(st.admit.params), { client: st.admit.client, header: st.admit.header, log, currentDate: at(st.now) })
        if (a.run) ticket = a.ticket
        eq(a, st.expect, st.description)
      } else if (st.shared !== undefined) {
        eq(p.completeAdmission(ticket, st.shared.inserted, { log, currentDate: at(st.now) }), st.expect, st.description)
      } else {
        const outcome = st.complete.result !== null ? { result: st.complete.result } : { error: st.complete.error }
        eq(p.completeCall(ticket, outcome, { log, currentDate: at(st.now) }), st.expect, st.description)
      }
    }
    return `${file.levels.length} levels, ${file.hashes.length} hashes, ${file.cases.length} cases (${steps} steps), ${file.prepare.length} prepared calls, ${file.client_records.length} client records, ${g.steps.length} gate steps`
  })

  test('evidence.json: writer, file log, refused calls and logs verified', () => {
    const file = project.json('evidence.json')
    const key = SigningKey.fromBytes(hex(file.server_seed_hex))
    eq(key.verifyingKey().toDidKey(), file.server_did)
    for (const c of file.hashes) eq(lib.evidenceHash(JSON.parse(c.json)), c.hash, c.id)
    // The scripted writer, through a log large enough never to rotate: every line byte for byte.
    const w = file.writer
    const lines = []
    {
      const log = new lib.EvidenceLog(key, { maxFileBytes: 1e12 })
      for (const st of w.script) {
        const now = { currentDate: at(st.now) }
        if (st.call !== undefined) for (const x of log.appendCall(st.call, now)) lines.push(x.line)
        else if (st.checkpoint === 'periodic') lines.push(log.checkpoint(now).line)
        else fail(`unexpected checkpoint ${st.checkpoint} in the script`)
      }
      eq(lines, w.expect.ok, 'writer lines')
    }
    const fl = file.file_log
    eq(fl.file_names, [lib.evidenceFileName(fl.prefix, 0), lib.evidenceFileName(fl.prefix, 12)])
    eq(lib.evidenceFileIndex(fl.prefix, fl.file_names[1]), 12)
    eq(lib.evidenceFileIndex(fl.prefix, 'other-000001.jsonl'), null)
    const flog = new lib.EvidenceLog(key, { maxFileBytes: fl.max_file_bytes })
    const writes = []
    for (const c of fl.calls) writes.push(...flog.appendCall(JSON.parse(c.call), { currentDate: at(c.now) }))
    eq(writes, fl.expect.ok, 'file log writes')
    const bad = new lib.EvidenceLog(key)
    for (const c of file.bad_calls) outcome(c, () => bad.appendCall(JSON.parse(c.call), { currentDate: at(0) }))
    eq(bad.nextSeq, 0)
    const vk = key.verifyingKey()
    for (const c of file.logs) {
      const r = lib.verifyEvidenceLog(c.lines, vk, { anchors: c.anchors })
      for (const p of r.problems) delete p.message
      eq(r, c.expect.ok, c.id)
    }
    return `${file.hashes.length} hashes, ${w.script.length} writer steps, ${writes.length} file writes, ${file.bad_calls.length} refused, ${file.logs.length} logs`
  })

  test('interop.json: AI Identity passports and CapiscIO badges, by their own rules', () => {
    const file = project.json('interop.json')
    const registry = { id: file.registry_id, jwks: file.registry_jwks }
    for (const c of file.ai_identity) {
      const p = outcome(c, () => lib.verifyAiIdentityPassport(c.token, registry, { currentDate: at(file.now) }))
      if (p !== undefined) eq(JSON.stringify(p), JSON.stringify(c.expect.ok), c.id)
    }
    for (const c of file.ai_identity_find) {
      const p = outcome(c, () => lib.findAiIdentityPassport(JSON.parse(c.initialize_result)))
      if (p !== undefined) eq(p, c.expect.ok, c.id)
    }
    for (const c of file.capiscio) {
      const b = outcome(c, () => lib.verifyCapiscioBadge(c.token, {
        trustStore: TrustStore.fromJson(c.trust_store), audience: c.audience ?? undefined, currentDate: at(c.now),
      }))
      if (b !== undefined) eq(JSON.stringify(b), JSON.stringify(c.expect.ok), c.id)
    }
    return `${file.ai_identity.length} passports, ${file.ai_identity_find.length} finds, ${file.capiscio.length} badges`
  })

  // ---- ../shared/vectors ---------------------------------------------------------------
  function verdict(pk, msg, sig) {
    const k = attempt(() => VerifyingKey.fromBytes(pk))
    if (k.code) return { key: k.code }
    const v = attempt(() => k.value.verify(msg, sig))
    if (v.code) {
      eq(v.code, 'invalid_signature', 'every failed verification is invalid_signature')
      return { sig: true }
    }
    return { accept: true }
  }

  test('rfc8032-ed25519.json: derive, sign, verify; PKCS#8 and SPKI round trips', () => {
    const file = shared.json('rfc8032-ed25519.json')
    let ran = 0
    for (const v of file.vectors) {
      const seed = hex(v.secret_key); const pub = hex(v.public_key); const msg = hex(v.message); const sig = hex(v.signature)
      eq(msg.length, v.message_length, v.name)
      const sk = SigningKey.fromBytes(seed)
      const vk = sk.verifyingKey()
      eq(toHex(vk.toBytes()), v.public_key, v.name)
      ok(VerifyingKey.fromBytes(pub).equals(vk))
      eq(toHex(sk.sign(msg)), v.signature, v.name)
      vk.verify(msg, sig)
      const tampered = msg.length ? Uint8Array.from(msg, (b, i) => (i === 0 ? b ^ 1 : b)) : new Uint8Array([0])
      eq(codeOf(() => vk.verify(tampered, sig)), 'invalid_signature', v.name)
      for (const byte of [0, 40]) {
        const bad = sig.slice(); bad[byte] ^= 1
        eq(codeOf(() => vk.verify(msg, bad)), 'invalid_signature', `${v.name} byte ${byte}`)
      }
      const v1 = sk.toPkcs8Der(); const v2 = sk.toPkcs8Der({ v2: true })
      eq(v1.length, 48); ok(!bytesEq(v1, v2)); ok(bytesEq(v2.slice(-32), vk.toBytes()))
      for (const k of [SigningKey.fromPkcs8Der(v1), SigningKey.fromPkcs8Der(v2), SigningKey.fromPkcs8Pem(sk.toPkcs8Pem()), SigningKey.fromPkcs8Pem(sk.toPkcs8Pem({ v2: true }))]) {
        ok(bytesEq(k.toBytes(), seed)); ok(k.verifyingKey().equals(vk))
      }
      for (const pem of [sk.toPkcs8Pem(), sk.toPkcs8Pem({ v2: true })]) ok(pem.startsWith('-----BEGIN PRIVATE KEY-----\n') && pem.endsWith('-----END PRIVATE KEY-----\n'))
      const spki = vk.toSpkiDer()
      eq(spki.length, 44); eq(toHex(spki.slice(0, 12)), '302a300506032b6570032100')
      ok(VerifyingKey.fromSpkiDer(spki).equals(vk)); ok(VerifyingKey.fromSpkiPem(vk.toSpkiPem()).equals(vk))
      ran++
    }
    eq(ran, 5)
    return `${ran} vectors`
  })

  test('wycheproof/ed25519_test.json', () => {
    const file = shared.json('wycheproof/ed25519_test.json')
    eq(file.algorithm, 'EDDSA')
    let ran = 0; let valid = 0; let invalid = 0; let refused = 0
    for (const g of file.testGroups) {
      eq(g.type, 'EddsaVerify')
      const pk = hex(g.publicKey.pk)
      const imported = attempt(() => VerifyingKey.fromBytes(pk))
      if (!imported.code) {
        const vk = imported.value
        ok(VerifyingKey.fromSpkiDer(hex(g.publicKeyDer)).equals(vk)); eq(toHex(vk.toSpkiDer()), g.publicKeyDer)
        ok(VerifyingKey.fromSpkiPem(g.publicKeyPem).equals(vk)); ok(VerifyingKey.fromJwk(JSON.stringify(g.publicKeyJwk)).equals(vk))
      } else refused++
      for (const t of g.tests) {
        const ours = verdict(pk, hex(t.msg), hex(t.sig))
        if (imported.code) eq(t.result, 'invalid', `tcId ${t.tcId}`)
        if (t.result === 'valid') { valid++; ok(ours.accept, `tcId ${t.tcId} (${t.comment}) expected valid`) }
        else if (t.result === 'invalid') { invalid++; ok(!ours.accept, `tcId ${t.tcId} (${t.comment}) expected invalid`) }
        else if (t.result !== 'acceptable') fail(`unknown result ${t.result}`)
        ran++
      }
    }
    eq(ran, file.numberOfTests); eq(ran, 151)
    return `${ran} tests (${valid} valid, ${invalid} invalid), ${refused} group keys refused at import`
  })

  test('ed25519-speccheck: recommended_expect', () => {
    const cases = shared.json('ed25519-speccheck/cases.json')
    const exps = shared.json('ed25519-speccheck/expectations.json').cases
    eq(cases.length, 12); eq(exps.length, 12)
    const accepted = []
    for (const e of exps) {
      const c = cases[e.index]
      for (const m of ['message', 'pub_key', 'signature']) eq(c[m], e[m])
      const ours = verdict(hex(c.pub_key), hex(c.message), hex(c.signature))
      eq(!!ours.accept, e.recommended_expect === 'accept', `speccheck ${e.index}`)
      eq(e.ed25519_dalek_2_verify_strict, e.recommended_expect)
      if (e.public_key_is_small_order === true) ok(ours.key === 'weak_key' || ours.key === 'invalid_key', `case ${e.index}: small-order key refused at import`)
      if (ours.accept) accepted.push(e.index)
    }
    eq(accepted, [3])
    return '12 cases'
  })

  test('cctv/ed25519vectors.json: dalek verify_strict verdicts', () => {
    const vectors = shared.json('cctv/ed25519vectors.json')
    const results = shared.json('cctv/dalek-expectations.json').results
    eq(vectors.length, 914); eq(results.length, 914)
    const strict = new Map(results.map((r) => [r.number, r.dalek_verify_strict]))
    let accepted = 0; let weak = 0; let invalidKey = 0; let other = 0
    for (const v of vectors) {
      const flags = v.flags ?? []
      const ours = verdict(hex(v.key), enc.encode(v.msg), hex(v.sig))
      eq(!!ours.accept, strict.get(v.number), `CCTV ${v.number} ${flags}`)
      if (ours.key) {
        if (ours.key === 'weak_key') weak++; else if (ours.key === 'invalid_key') invalidKey++; else other++
        ok(flags.includes('low_order_A') || flags.includes('non_canonical_A'), `CCTV ${v.number}: key refused without flag`)
      }
      if (ours.accept) accepted++
      if (flags.includes('low_order_A')) ok(ours.key, `CCTV ${v.number}: small-order A refused at import`)
    }
    eq(accepted, 43); eq(other, 0)
    return `914 vectors, ${accepted} accepted; refused at import: ${weak} weak_key, ${invalidKey} invalid_key`
  })

  test('ed25519-keypair-import.json', () => {
    const file = shared.json('ed25519-keypair-import.json')
    for (const c of file.cases) {
      const input = hex(c.input_hex)
      if (c.expect === 'ok') {
        const sk = SigningKey.fromBytes(input)
        eq(toHex(sk.verifyingKey().toBytes()), c.derived_public_key, c.name)
        ok(bytesEq(sk.toBytes(), input.slice(0, 32)))
      } else {
        eq(codeOf(() => SigningKey.fromBytes(input)), input.length === 64 ? 'key_mismatch' : 'invalid_key_length', c.name)
      }
    }
    eq(file.cases.length, 7)
    return '7 cases'
  })

  test('rfc8037-jose-ed25519.json: Appendix A', () => {
    const file = shared.json('rfc8037-jose-ed25519.json')
    const a1 = JSON.stringify(file.rfc8037_A1_private_jwk)
    const sk = SigningKey.fromJwk(a1)
    const vk = sk.verifyingKey()
    eq(toHex(sk.toBytes()), file.key_hex.seed); eq(toHex(vk.toBytes()), file.key_hex.public)
    eq(lib.canonicalize(sk.toJwk()), lib.canonicalize(a1))
    const a2 = JSON.stringify(file.rfc8037_A2_public_jwk)
    ok(VerifyingKey.fromJwk(a2).equals(vk)); eq(lib.canonicalize(vk.toJwk()), lib.canonicalize(a2))
    const a3 = file.rfc8037_A3_thumbprint
    eq(vk.toJwk(), a3.canonical_json); eq(vk.jwkThumbprint(), a3.thumbprint_b64url); eq(toHex(lib.base64urlDecode(vk.jwkThumbprint())), a3.sha256_hex)
    const a4 = file.rfc8037_A4_jws_ed25519_signing
    const h = lib.base64urlEncode(enc.encode(a4.protected_header_json)); const p = lib.base64urlEncode(enc.encode(a4.payload_utf8))
    eq(h, a4.protected_header_b64url); eq(p, a4.payload_b64url)
    const input = `${h}.${p}`; eq(input, a4.signing_input)
    const sig = sk.sign(enc.encode(input))
    eq(toHex(sig), a4.signature_hex); eq(lib.signatureToBase64url(sig), a4.signature_b64url)
    eq(`${input}.${lib.signatureToBase64url(sig)}`, a4.compact_serialization)
    const a5 = file.rfc8037_A5_verification
    eq(a5.expect, 'valid')
    const k5 = VerifyingKey.fromJwk(JSON.stringify(a5.public_jwk))
    const tok = a5.compact_serialization; const dot = tok.lastIndexOf('.')
    const s5 = lib.signatureFromBase64url(tok.slice(dot + 1))
    k5.verify(enc.encode(tok.slice(0, dot)), s5)
    const tampered = tok.slice(0, dot).replace('RXhh', 'RXhi'); ok(tampered !== tok.slice(0, dot))
    eq(codeOf(() => k5.verify(enc.encode(tampered), s5)), 'invalid_signature')
    ok(file.rfc7638_3_1_rsa_example !== undefined) // skipped on purpose: RSA, as in the Rust runner
    return '5 appendix items (1 RSA example skipped, as in Rust)'
  })

  test('did-key/did-key.json: positive, document variants, negative', () => {
    const file = shared.json('did-key/did-key.json')
    let ran = 0; let withSeed = 0
    for (const c of file.positive) {
      const vk = VerifyingKey.fromDidKey(c.did)
      eq(toHex(vk.toBytes()), c.public_key_hex, c.name)
      eq(lib.base58Encode(vk.toBytes()), c.public_key_base58, c.name)
      eq(vk.toDidKey(), c.did)
      const mb = c.did.slice('did:key:'.length)
      eq(vk.toMultibase(), mb); ok(VerifyingKey.fromMultibase(mb).equals(vk))
      const decoded = lib.multibaseDecode(mb); const prefix = hex(c.multicodec_prefix_hex)
      ok(bytesEq(decoded.slice(0, prefix.length), prefix)); ok(bytesEq(decoded.slice(prefix.length), vk.toBytes()))
      eq(lib.canonicalize(vk.toJwk()), lib.canonicalize(JSON.stringify(c.public_key_jwk)), c.name)
      ok(VerifyingKey.fromJwk(JSON.stringify(c.public_key_jwk)).equals(vk))
      eq(vk.toDidKeyUrl(), c.verification_method_id)
      eq(lib.parseDidUrl(c.verification_method_id), { did: c.did, fragment: 'verification_method' })
      eq(lib.parseDidUrl(c.did), { did: c.did, fragment: 'none' })
      const x = c.x25519_key_agreement_multibase
      eq(vk.x25519Multibase(), x, c.name)
      for (const also of ['x25519_expected_in_spec', 'x25519_expected_in_source']) if (c[also] !== undefined) eq(c[also], x)
      const xb = lib.multibaseDecode(x); eq(toHex(xb.slice(0, 2)), 'ec01'); ok(bytesEq(xb.slice(2), vk.toX25519()))
      eq(lib.parseDidUrl(`${c.did}#${x}`), { did: c.did, fragment: 'key_agreement' })
      if (c.seed_hex) { eq(SigningKey.fromBytes(hex(c.seed_hex)).verifyingKey().toDidKey(), c.did); withSeed++ }
      ran++
    }
    eq([ran, withSeed], [9, 6])
    const variants = file.document_variants
    const vk = VerifyingKey.fromDidKey(variants.did)
    const seen = []
    for (const [label, given] of Object.entries(variants.documents)) {
      if (label.startsWith('Multikey') || label.startsWith('Ed25519VerificationKey2020')) {
        const format = label.startsWith('Multikey') ? 'Multikey' : 'Ed25519VerificationKey2020'
        eq(lib.canonicalize(vk.didDocument({ format })), lib.canonicalize(JSON.stringify(given)), label)
        seen.push(format)
      } else if (label.startsWith('JsonWebKey2020')) {
        const ours = JSON.parse(vk.didDocument({ format: 'JsonWebKey' }))
        const vm = ours.verificationMethod[0]; const gv = given.verificationMethod
        eq(gv.length, 1); eq(ours.id, given.id)
        for (const m of ['id', 'controller']) eq(vm[m], gv[0][m], `${label}: ${m}`)
        eq(lib.canonicalize(JSON.stringify(vm.publicKeyJwk)), lib.canonicalize(JSON.stringify(gv[0].publicKeyJwk)))
        eq(vm.type, 'JsonWebKey')
        seen.push('JsonWebKey')
      } else fail(`unexpected document variant ${label}`)
    }
    eq(seen.sort(), ['Ed25519VerificationKey2020', 'JsonWebKey', 'Multikey'])
    const mapped = {
      invalidDid: ['malformed_did'], methodNotSupported: ['unsupported_did_method'], invalidPublicKeyLength: ['invalid_key_length'],
      invalidPublicKey: ['invalid_key', 'weak_key'], unsupportedPublicKeyType: ['unsupported_key_type'], invalidDidUrl: ['invalid_did_url'],
    }
    let nd = 0; let nu = 0
    for (const c of file.negative) {
      const allowed = mapped[c.error_kind] ?? fail(`unknown error_kind ${c.error_kind}`)
      let code
      if (c.did !== undefined && c.did_url === undefined) { nd++; code = codeOf(() => VerifyingKey.fromDidKey(c.did)) }
      else if (c.did_url !== undefined && c.did === undefined) { nu++; code = codeOf(() => lib.parseDidUrl(c.did_url)) }
      else fail(`${c.name}: exactly one of did and did_url`)
      ok(allowed.includes(code), `${c.name}: got ${code}, allowed ${allowed}`)
    }
    eq([nd, nu], [26, 1])
    return `${ran} positive (${withSeed} with seed), 3 document variants, ${nd + nu} negative`
  })

  test('did-key/w3c-ccg-ed25519-x25519.json', () => {
    const file = shared.json('did-key/w3c-ccg-ed25519-x25519.json')
    let r2018 = 0; let rjwk = 0; let skipped = 0
    for (const [did, e] of Object.entries(file)) {
      if (!did.startsWith('did:key:z6Mk')) { skipped++; continue }
      const vk = VerifyingKey.fromDidKey(did)
      eq(vk.toDidKey(), did)
      const seed = hex(e.seed)
      eq(SigningKey.fromBytes(seed).verifyingKey().toDidKey(), did)
      const vkp = e.verificationKeyPair; const kap = e.keyAgreementKeyPair; const x = vk.x25519Multibase()
      eq(vkp.controller, did); eq(kap.controller, did)
      ok(vkp.id.endsWith(`#${vk.toMultibase()}`)); ok(kap.id.endsWith(`#${x}`))
      if (vkp.type === 'Ed25519VerificationKey2018' && kap.type === 'X25519KeyAgreementKey2019') {
        eq(vkp.publicKeyBase58, lib.base58Encode(vk.toBytes()))
        eq(toHex(lib.base58Decode(kap.publicKeyBase58)), toHex(vk.toX25519()))
        r2018++
      } else if (vkp.type === 'JsonWebKey2020' && kap.type === 'JsonWebKey2020') {
        eq(lib.canonicalize(vk.toJwk()), lib.canonicalize(JSON.stringify(vkp.publicKeyJwk)))
        ok(bytesEq(SigningKey.fromJwk(JSON.stringify(vkp.privateKeyJwk)).toBytes(), seed))
        eq(kap.publicKeyJwk.kty, 'OKP'); eq(kap.publicKeyJwk.crv, 'X25519')
        eq(toHex(lib.base64urlDecode(kap.publicKeyJwk.x)), toHex(vk.toX25519()))
        eq(lib.base64urlEncode(vk.toX25519()), kap.publicKeyJwk.x)
        rjwk++
      } else fail(`${did}: unexpected types`)
      eq(e.didDocument.id, did); eq(e.didDocument.keyAgreement[0], `${did}#${x}`)
    }
    eq([r2018, rjwk, skipped], [4, 1, 0])
    return `${r2018 + rjwk} DIDs`
  })

  test('multibase: base58btc.json and the CSV files', () => {
    const file = shared.json('multibase/base58btc.json')
    let ran = 0; let failed = 0
    for (const v of file.vectors) {
      const b = hex(v.bytes_hex)
      eq(lib.base58Encode(b), v.base58btc, v.name); eq(lib.multibaseEncode(b), v.multibase, v.name)
      ok(bytesEq(lib.base58Decode(v.base58btc), b)); ok(bytesEq(lib.multibaseDecode(v.multibase), b))
      ran++
    }
    for (const v of file.decode_must_fail) { eq(codeOf(() => lib.multibaseDecode(v.input)), 'invalid_base58', v.name); failed++ }
    eq([ran, failed], [12, 12])
    const unescape = (t) => {
      const out = []
      for (let i = 0; i < t.length;) {
        if (t[i] === '\\') { ok(t[i + 1] === 'x'); out.push(parseInt(t.substr(i + 2, 2), 16)); i += 4 } else { out.push(...enc.encode(t[i])); i++ }
      }
      return Uint8Array.from(out)
    }
    const row = (line) => {
      const i = line.indexOf(', '); ok(i > 0, `bad CSV line ${line}`)
      const value = line.slice(i + 2); ok(value.startsWith('"') && value.endsWith('"'))
      return [line.slice(0, i).trim(), value.slice(1, -1)]
    }
    let b58 = 0; let other = 0
    for (const [path, want] of [['multibase/basic.csv', 1], ['multibase/leading_zero.csv', 1], ['multibase/two_leading_zeros.csv', 1], ['multibase/case_insensitivity.csv', 0]]) {
      const lines = shared.text(path).split('\n').filter((l) => l.trim() !== '')
      const [header, inputText] = row(lines[0])
      ok(header === 'encoding' || header === 'non-canonical encoding')
      const input = unescape(inputText)
      let here = 0
      for (const line of lines.slice(1)) {
        const [encoding, value] = row(line)
        if (encoding === 'base58btc') {
          eq(lib.multibaseEncode(input), value, path); ok(bytesEq(lib.multibaseDecode(value), input)); here++
        } else {
          ok(!value.startsWith('z')); eq(codeOf(() => lib.multibaseDecode(value)), 'invalid_base58', `${path}: ${encoding}`); other++
        }
      }
      eq(here, want, path); b58 += here
    }
    eq(b58, 3); eq(other, 22 * 3 + 12)
    return `${ran} + ${failed} JSON vectors, ${b58} base58btc CSV rows, ${other} other-encoding rows refused`
  })

  test('jcs: reference files and ES6 number serialisation', () => {
    const names = shared.list('jcs/input').filter((n) => n.endsWith('.json')).sort()
    let ran = 0
    for (const name of names) {
      const input = shared.text(`jcs/input/${name}`)
      const expected = shared.text(`jcs/output/${name}`)
      const outhex = shared.text(`jcs/outhex/${name.replace(/\.json$/, '.txt')}`).trim().split(/\s+/).join('')
      eq(toHex(enc.encode(expected)), outhex, `${name}: output and outhex disagree`)
      const c = lib.canonicalize(input)
      eq(c, expected, name); eq(lib.canonicalize(c), c, name)
      ran++
    }
    ok(ran >= 6, `only ${ran} JCS files`)
    const lines = shared.text('jcs/es6testfile-first10000.txt').split('\n').filter((l) => l !== '')
    const dv = new DataView(new ArrayBuffer(8))
    let n = 0
    for (const line of lines) {
      const [h, want] = line.split(',')
      dv.setBigUint64(0, BigInt(`0x${h}`))
      const f = dv.getFloat64(0)
      if (Number.isFinite(f)) eq(lib.canonicalizeNumber(f), want, `line ${n + 1}: ${h}`)
      else eq(codeOf(() => lib.canonicalizeNumber(f)), 'number_out_of_range', `line ${n + 1}`)
      n++
    }
    eq(n, 10000)
    return `${ran} reference files, ${n} numbers`
  })

  test('tool-tamper.json: canonical bytes and signature verdicts', () => {
    const file = shared.json('tool-tamper.json')
    for (const f of ['original_json', 'presented_json', '_canonical_hex', 'expect_same_canonical_bytes']) ok(file.format.includes(f))
    eq(file.cases.length, file.count)
    const vk = VerifyingKey.fromBytes(hex(file.signer.public_key_hex))
    eq(vk.toDidKey(), file.signer.did)
    let rejected = 0; let ran = 0
    for (const c of file.cases) {
      const orig = lib.canonicalize(c.original_json)
      eq(toHex(enc.encode(orig)), c.original_canonical_hex, c.name); eq(orig, c.original_canonical, c.name)
      const pres = attempt(() => lib.canonicalize(c.presented_json))
      if (c.expect_presented_error === null || c.expect_presented_error === undefined) {
        if (pres.code) fail(`${c.name}: presented: ${pres.code}`)
        eq(toHex(enc.encode(pres.value)), c.presented_canonical_hex, c.name); eq(pres.value, c.presented_canonical, c.name)
        eq(pres.value === orig, c.expect_same_canonical_bytes, `${c.name}: same canonical bytes`)
      } else {
        eq(pres.code ?? 'ok', c.expect_presented_error, c.name)
        ok(c.presented_canonical_hex === null && c.expect_same_canonical_bytes === null)
        rejected++
      }
      const sig = hex(c.presented_signature_hex)
      const verdict_ = pres.code ? false : !attempt(() => vk.verify(enc.encode(pres.value), sig)).code
      eq(verdict_, c.expect_signature_valid, `${c.name}: signature verdict`)
      ran++
    }
    ok(rejected > 0); eq(ran, 42)
    return `${ran} cases (${rejected} rejected at parse)`
  })

  test('jws-attacks.json: parse, key, signature and claim steps', () => {
    const file = shared.json('jws-attacks.json')
    eq(file.cases.length, 95); eq(file.count, 95)
    eq(file.policy.accepted_algs, ['EdDSA', 'Ed25519']); eq(file.policy.clock_skew_seconds, 60)
    const KIND = {
      malformed: ['parse', ['malformed_token', 'invalid_base64', 'invalid_json', 'duplicate_key', 'invalid_unicode', 'json_too_deep']],
      too_large: ['parse', ['input_too_large']], unsupported_alg: ['parse', ['unsupported_algorithm']], crit_unsupported: ['parse', ['unsupported_critical']],
      invalid_key: ['key', ['invalid_key', 'weak_key', 'invalid_key_length', 'unsupported_key_type', 'malformed_jwk']],
      signature: ['signature', ['invalid_signature']], expired: ['claims', ['token_expired']], not_yet_valid: ['claims', ['token_not_yet_valid']],
      iat_in_future: ['claims', ['token_issued_in_future']], audience: ['claims', ['audience_mismatch']], missing_claim: ['claims', ['missing_claim']], invalid_claim: ['claims', ['invalid_claim']],
    }
    eq(Object.keys(file.error_kinds).sort(), Object.keys(KIND).sort())
    const issuer = VerifyingKey.fromJwk(JSON.stringify(file.issuer.public_jwk))
    eq(issuer.toDidKey(), file.issuer.did); eq(issuer.toDidKeyUrl(), file.issuer.kid)
    const produced = {}
    let valid = 0
    const names = new Set()
    for (const c of file.cases) {
      ok(!names.has(c.name)); names.add(c.name)
      const opts = { currentDate: at(c.now), clockTolerance: 60, audience: c.expected_audience ?? undefined, requireExp: true }
      let step; let code
      const p = attempt(() => lib.decodeJwsUnverified(c.token))
      if (p.code) { step = 'parse'; code = p.code } else {
        const k = attempt(() => VerifyingKey.fromJwk(JSON.stringify(c.public_jwk)))
        if (k.code) { step = 'key'; code = k.code } else {
          const v = attempt(() => lib.verifyJws(c.token, k.value, opts))
          if (v.code) { step = v.code === 'invalid_signature' ? 'signature' : 'claims'; code = v.code }
          else if (c.expect === 'valid') {
            // The same key through did:key verifies too.
            const viaDid = VerifyingKey.fromDidKey(k.value.toDidKey())
            ok(viaDid.equals(k.value)); lib.verifyJws(c.token, viaDid, opts)
          }
        }
      }
      if (c.expect === 'valid') {
        ok(c.error_kind === null, c.name)
        if (code) fail(`${c.name}: expected valid, got ${step} ${code}`)
        valid++
      } else {
        const [wantStep, codes] = KIND[c.error_kind] ?? fail(`unknown kind ${c.error_kind}`)
        if (!code) fail(`${c.name}: expected ${c.error_kind}, got valid`)
        ok(step === wantStep && codes.includes(code), `${c.name}: expected ${c.error_kind} (${wantStep}: ${codes}), got ${step} ${code}`)
        ;(produced[c.error_kind] ??= new Set()).add(code)
      }
    }
    eq(valid, 12)
    for (const [kind, [, codes]] of Object.entries(KIND)) {
      const unused = codes.filter((x) => !(produced[kind] ?? new Set()).has(x))
      eq(unused, [], `KIND ${kind} lists codes no case produces`)
    }
    return `95 cases (${valid} valid)`
  })
}
