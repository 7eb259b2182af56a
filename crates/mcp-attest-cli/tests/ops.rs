//! `revoke`, `rotate`, `trust …` and `dns …`, run as a user runs them: the real binary on
//! real files, the results loaded by the core (and once by the Python package), and `dns
//! check` against a real DNS server (dnsmasq) on a loopback port.

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

use std::fs;
use std::net::UdpSocket;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use mcp_attest::identity::{self, VerifyOptions};
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::revocation::{EntryKind, RevocationList};
use mcp_attest::trust::TrustStore;
use mcp_attest::{SigningKey, VerifyingKey};
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp-attest"))
        .args(args)
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON object ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn keygen(dir: &Path, name: &str) -> PathBuf {
    let k = dir.join(name);
    let o = run(&["keygen", "--out", p(&k)]);
    assert_eq!(code(&o), 0, "{o:?}");
    k
}

fn signing(path: &Path) -> SigningKey {
    SigningKey::from_pkcs8_pem(&fs::read_to_string(path).unwrap()).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

const ISS: &str = "https://registry.example";

#[test]
fn revoke_creates_then_extends_a_list_the_core_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = keygen(dir.path(), "issuer.pem");
    let victim = keygen(dir.path(), "victim.pem");
    let list = dir.path().join("revs.jws");
    let o = run(&[
        "--json",
        "revoke",
        "--issuer-key",
        p(&issuer),
        "--issuer-id",
        ISS,
        "--key",
        p(&victim),
        "--reason",
        "key_compromise",
        "--now",
        "1800000000",
        "--out",
        p(&list),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(json(&o)["added"], 1);
    assert_eq!(mode(&list), 0o644, "a revocation list is published");

    // Extend in place: the old entry is kept, the new one added, iat fresh.
    let o = run(&[
        "--json",
        "revoke",
        "--issuer-key",
        p(&issuer),
        "--issuer-id",
        ISS,
        "--list",
        p(&list),
        "--jti",
        "passport-7",
        "--did",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "--now",
        "1800000100",
        "--out",
        p(&list),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(
        (json(&o)["kept"].as_u64(), json(&o)["added"].as_u64()),
        (Some(1), Some(2))
    );

    let ivk = signing(&issuer).verifying_key();
    let vvk = signing(&victim).verifying_key();
    let token = fs::read_to_string(&list).unwrap();
    let l = RevocationList::verify(
        token.trim(),
        &[TrustedIssuer::new(ISS, ivk)],
        Some(1800000200),
    )
    .unwrap();
    assert_eq!(l.issued_at(), 1800000100);
    assert_eq!(l.entries().count(), 3);
    assert_eq!(l.check_key(&vvk).unwrap_err().code().as_str(), "revoked");
    let kept = l.find(EntryKind::Key, &vvk.jwk_thumbprint()).unwrap();
    assert_eq!(
        (kept.reason.as_deref(), kept.revoked_at),
        (Some("key_compromise"), Some(1800000000)),
        "the kept entry keeps its reason and date"
    );
    assert!(l.find(EntryKind::Jti, "passport-7").is_some());

    // Extending with another key under the same id: the old list does not verify under it.
    let other = keygen(dir.path(), "other.pem");
    let before = fs::read(&list).unwrap();
    let o = run(&[
        "revoke",
        "--issuer-key",
        p(&other),
        "--issuer-id",
        ISS,
        "--list",
        p(&list),
        "--jti",
        "x",
        "--now",
        "1800000300",
        "--out",
        p(&list),
    ]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("invalid_signature"),
        "{o:?}"
    );
    assert_eq!(fs::read(&list).unwrap(), before, "the list is untouched");

    // Not newer than the list it extends: trust stores would ignore it, so it is refused.
    let o = run(&[
        "revoke",
        "--issuer-key",
        p(&issuer),
        "--issuer-id",
        ISS,
        "--list",
        p(&list),
        "--jti",
        "y",
        "--now",
        "1800000100",
        "--out",
        p(&list),
    ]);
    assert_eq!(code(&o), 3, "{o:?}");

    // Another --out that exists is not replaced without --force.
    let o = run(&[
        "revoke",
        "--issuer-key",
        p(&issuer),
        "--issuer-id",
        ISS,
        "--jti",
        "z",
        "--out",
        p(&issuer),
    ]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("file_exists"));
}

#[test]
fn rotate_writes_a_0600_key_and_an_attestation_that_binds_it() {
    let dir = tempfile::tempdir().unwrap();
    let old = keygen(dir.path(), "old.pem");
    let new = dir.path().join("new.pem");
    let att = dir.path().join("rotation.json");
    let o = run(&[
        "--json",
        "rotate",
        "--old-key",
        p(&old),
        "--out",
        p(&new),
        "--attestation-out",
        p(&att),
        "--reason",
        "scheduled",
        "--domain",
        "example.com",
        "--now",
        "1800000000",
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(mode(&new), 0o600);
    let out = json(&o);
    let new_key = signing(&new);
    let old_key = signing(&old);
    assert_eq!(out["newKey"]["did"], new_key.verifying_key().to_did_key());
    assert_eq!(
        out["newKey"]["dnsRecord"]["value"],
        mcp_attest::records::dns_record(&new_key.verifying_key())
    );
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("PRIVATE"),
        "the secret is never printed"
    );

    // The new key's identity document with the attestation: the rotation verifies when the
    // client's pinned (previous) key is the old one, and only then.
    let text = fs::read_to_string(&att).unwrap();
    let att_value = mcp_attest::json::parse(text.trim()).unwrap();
    let doc =
        identity::identity_document(&new_key, None, 1800000060, std::slice::from_ref(&att_value));
    let old_vk = old_key.verifying_key();
    let v = identity::verify_document(
        &doc,
        &VerifyOptions {
            now: 1800000100,
            previous_key: Some(&old_vk),
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert_eq!(v.rotations.len(), 1);
    assert!(v.rotations[0].verified, "{:?}", v.rotations);
    assert_eq!(v.rotations[0].reason.as_deref(), Some("scheduled"));
    let stranger = SigningKey::generate().unwrap().verifying_key();
    let v = identity::verify_document(
        &doc,
        &VerifyOptions {
            now: 1800000100,
            previous_key: Some(&stranger),
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert!(
        !v.rotations[0].verified,
        "only the old key's rotation counts"
    );
    // Served by another key, the same attestation vouches for nothing.
    let impostor = SigningKey::generate().unwrap();
    let doc = identity::identity_document(&impostor, None, 1800000060, &[att_value]);
    let v = identity::verify_document(
        &doc,
        &VerifyOptions {
            now: 1800000100,
            previous_key: Some(&old_vk),
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert!(
        !v.rotations[0].verified,
        "the attestation binds the new key only"
    );

    // Keygen's rules: no overwrite without --force, and --force replaces.
    let before = fs::read(&new).unwrap();
    let o = run(&["rotate", "--old-key", p(&old), "--out", p(&new)]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("file_exists"));
    assert_eq!(fs::read(&new).unwrap(), before);
    let o = run(&["rotate", "--old-key", p(&old), "--out", p(&new), "--force"]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_ne!(fs::read(&new).unwrap(), before);
    assert_eq!(mode(&new), 0o600);

    // A world-writable directory without the sticky bit is refused.
    let open = dir.path().join("open");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
    let o = run(&[
        "rotate",
        "--old-key",
        p(&old),
        "--out",
        p(&open.join("k.pem")),
    ]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("unsafe_directory"));
    assert!(!open.join("k.pem").exists());
}

fn load_store(path: &Path) -> TrustStore {
    TrustStore::from_json(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn trust_pin_unpin_list_import_round_trip_through_the_core_and_python() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("trust.json");
    let a = signing(&keygen(dir.path(), "a.pem")).verifying_key();
    let b = signing(&keygen(dir.path(), "b.pem")).verifying_key();
    let o = run(&[
        "trust",
        "pin",
        "--store",
        p(&store),
        "--server",
        "https://a.example/mcp",
        "--key",
        &a.to_did_key(),
        "--now",
        "1800000000",
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(mode(&store), 0o600);
    let s = load_store(&store);
    let pin = s.pinned("https://a.example/mcp").unwrap();
    assert_eq!((pin.key, pin.first_seen), (a, 1800000000));

    // Another store, as a library saves it: a second pin, a conflicting one later.
    let other = dir.path().join("other.json");
    let mut o2 = TrustStore::new();
    o2.pin("stdio:b", &b, 1700000000);
    fs::write(&other, o2.to_json()).unwrap();
    // An issuer and its revocation list, imported in one go.
    let issuer = keygen(dir.path(), "issuer.pem");
    let ivk = signing(&issuer).verifying_key();
    let list = dir.path().join("revs.jws");
    let o = run(&[
        "revoke",
        "--issuer-key",
        p(&issuer),
        "--issuer-id",
        ISS,
        "--did",
        &b.to_did_key(),
        "--out",
        p(&list),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    let o = run(&[
        "--json",
        "trust",
        "import",
        "--store",
        p(&store),
        "--from",
        p(&other),
        "--issuer",
        &format!("{ISS}={}", ivk.to_did_key()),
        "--revocations",
        p(&list),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(
        (
            json(&o)["pins"].as_u64(),
            json(&o)["revocationLists"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let s = load_store(&store);
    assert_eq!(
        s.pinned("stdio:b").unwrap().first_seen,
        1700000000,
        "history kept"
    );
    assert_eq!(s.issuers()[0].id(), ISS);
    assert_eq!(s.check_revoked(&b).unwrap_err().code().as_str(), "revoked");

    // list: what the store holds, as JSON.
    let o = run(&["--json", "trust", "list", "--store", p(&store)]);
    assert_eq!(code(&o), 0, "{o:?}");
    let l = json(&o);
    let servers: Vec<&str> = l["pins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["server"].as_str().unwrap())
        .collect();
    assert_eq!(servers, ["https://a.example/mcp", "stdio:b"]);
    assert_eq!(l["pins"][0]["fingerprint"], a.fingerprint());
    assert_eq!(l["revocationLists"][0]["issuer"], ISS);

    // The Python package loads the same file.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let py = repo.join(".venv/bin/python");
    assert!(
        py.exists(),
        "{} missing: run bash bindings/python/scripts/build.sh",
        py.display()
    );
    let out = Command::new(&py)
        .args([
            "-c",
            "import sys, json, mcp_attest as m\n\
             s = m.load_trust_store(sys.argv[1])\n\
             p = s.pinned('stdio:b')\n\
             print(json.dumps([p.key.to_did_key(), p.first_seen, [i.id for i in s.issuers()] if not callable(getattr(s.issuers()[0], 'id')) else [i.id() for i in s.issuers()], len(s.revocation_lists())]))",
            p(&store),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got,
        serde_json::json!([b.to_did_key(), 1700000000, [ISS], 1])
    );

    // A conflicting pin refuses the whole import; the store is untouched.
    let mut o3 = TrustStore::new();
    o3.pin("stdio:b", &a, 1600000000);
    let conflict = dir.path().join("conflict.json");
    fs::write(&conflict, o3.to_json()).unwrap();
    let before = fs::read(&store).unwrap();
    let o = run(&[
        "trust",
        "import",
        "--store",
        p(&store),
        "--from",
        p(&conflict),
    ]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("pinned_key_changed"));
    assert_eq!(fs::read(&store).unwrap(), before);

    // unpin: gone from the file; a second unpin changes nothing.
    let o = run(&[
        "--json",
        "trust",
        "unpin",
        "--store",
        p(&store),
        "--server",
        "stdio:b",
    ]);
    assert_eq!(
        (code(&o), json(&o)["removed"].as_bool()),
        (0, Some(true)),
        "{o:?}"
    );
    assert!(load_store(&store).pinned("stdio:b").is_none());
    let o = run(&[
        "--json",
        "trust",
        "unpin",
        "--store",
        p(&store),
        "--server",
        "stdio:b",
    ]);
    assert_eq!(
        (code(&o), json(&o)["removed"].as_bool()),
        (0, Some(false)),
        "{o:?}"
    );

    // A store that does not parse: exit 3 with the core's code, nothing written.
    fs::write(&store, "{\"version\":99}").unwrap();
    let o = run(&[
        "trust",
        "pin",
        "--store",
        p(&store),
        "--server",
        "x",
        "--key",
        &a.to_did_key(),
    ]);
    assert_eq!(code(&o), 3, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("malformed_trust_store"));
    assert_eq!(fs::read_to_string(&store).unwrap(), "{\"version\":99}");
}

/// A dnsmasq serving `records` (name, TXT value) on a free loopback port, authoritative for
/// `.test` (other names there are NXDOMAIN); killed on drop.
struct Dnsmasq {
    child: Child,
    port: u16,
}

impl Dnsmasq {
    fn start(records: &[(&str, &str)]) -> Dnsmasq {
        // A free port is found by binding and releasing it, so another process can take it
        // before dnsmasq does (the CI run met one on its TCP side): try a few ports.
        let mut last = String::new();
        for _ in 0..5 {
            match Self::try_start(records) {
                Ok(d) => return d,
                Err(e) if e.contains("Address already in use") => last = e,
                Err(e) => panic!("{e}"),
            }
        }
        panic!("no free port for dnsmasq after 5 tries: {last}");
    }

    /// A port free on both UDP and TCP (dnsmasq listens on both), released for dnsmasq.
    fn free_port() -> u16 {
        loop {
            let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = tcp.local_addr().unwrap().port();
            if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
                return port;
            }
        }
    }

    fn try_start(records: &[(&str, &str)]) -> Result<Dnsmasq, String> {
        let bin = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
            .into_iter()
            .find(|b| Path::new(b).exists())
            .expect("dnsmasq is not installed (apt-get install dnsmasq-base; .ci/run does)");
        let port = Self::free_port();
        let mut cmd = Command::new(bin);
        cmd.args([
            "--no-daemon",
            "--keep-in-foreground",
            &format!("--port={port}"),
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            "--local=/test/",
            "--conf-file=/dev/null",
            "--pid-file=",
        ]);
        // Root drops privileges to `nobody` by default; as another user, no switch at all.
        cmd.arg("--user=");
        for (name, value) in records {
            cmd.arg(format!("--txt-record={name},{value}"));
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut d = Dnsmasq { child, port };
        // Ready when it answers: poll with the CLI's own lookup against a name it serves.
        for _ in 0..50 {
            if let Ok(Some(st)) = d.child.try_wait() {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut d.child.stderr.take().unwrap(), &mut err)
                    .unwrap();
                return Err(format!("dnsmasq exited {st}: {err}"));
            }
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            if s.connect(("127.0.0.1", d.port)).is_ok() && Self::answers(&s) {
                return Ok(d);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("dnsmasq did not answer on port {}", d.port))
    }

    /// Sends a minimal query (id 1, `test.` A) and waits briefly for any reply.
    fn answers(s: &UdpSocket) -> bool {
        let q = [
            0u8, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, b't', b'e', b's', b't', 0, 0, 1, 0, 1,
        ];
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut buf = [0u8; 512];
        s.send(&q).is_ok() && s.recv(&mut buf).is_ok()
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const LIVE_DID: &str = "did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX";

#[test]
fn dns_check_against_a_real_dns_server() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.pem");
    let vk: VerifyingKey = signing(&key).verifying_key();
    let stale = SigningKey::generate().unwrap().verifying_key();
    let o = run(&["--json", "dns", "record", "good.test", "--key", p(&key)]);
    assert_eq!(code(&o), 0, "{o:?}");
    let rec = json(&o);
    assert_eq!(rec["name"], "_mcp-identity.good.test");
    let value = rec["value"].as_str().unwrap().to_owned();
    assert_eq!(value, mcp_attest::records::dns_record(&vk));
    let stale_value = mcp_attest::records::dns_record(&stale);
    // The Python test server's key (fixed by its default seed).
    let live = VerifyingKey::from_did_key(LIVE_DID).unwrap();
    let live_value = mcp_attest::records::dns_record(&live);
    let dns = Dnsmasq::start(&[
        ("_mcp-identity.good.test", &value),
        ("_mcp-identity.stale.test", &stale_value),
        ("_mcp-identity.other.test", "google-site-verification=abc"),
        // Mid-rotation: the old and the new key's records side by side.
        ("_mcp-identity.both.test", &stale_value),
        ("_mcp-identity.both.test", &value),
        ("_mcp-identity.live.test", &live_value),
    ]);
    let check = |domain: &str, key: &str| {
        run(&[
            "--json",
            "dns",
            "check",
            domain,
            "--key",
            key,
            "--resolver",
            &dns.addr(),
            "--timeout",
            "2",
        ])
    };
    let did = vk.to_did_key();
    for domain in ["good.test", "both.test"] {
        let o = check(domain, &did);
        assert_eq!(code(&o), 0, "{domain}: {o:?}");
        assert_eq!(json(&o)["match"], true);
    }
    let o = check("good.test", p(&key));
    assert_eq!(code(&o), 0, "a key file works as well: {o:?}");

    let o = check("stale.test", &did);
    assert_eq!(
        (code(&o), json(&o)["code"].as_str()),
        (1, Some("record_mismatch")),
        "{o:?}"
    );
    for domain in ["missing.test", "other.test"] {
        let o = check(domain, &did);
        assert_eq!(
            (code(&o), json(&o)["code"].as_str()),
            (1, Some("malformed_record")),
            "{domain}: {o:?}"
        );
        assert!(
            json(&o)["message"].as_str().unwrap().contains(&value),
            "says what to publish"
        );
    }
    // With --kid the served label must match too.
    let o = run(&[
        "--json",
        "dns",
        "check",
        "good.test",
        "--key",
        &did,
        "--kid",
        "k2",
        "--resolver",
        &dns.addr(),
    ]);
    assert_eq!(
        (code(&o), json(&o)["code"].as_str()),
        (1, Some("record_mismatch")),
        "{o:?}"
    );

    // A live stdio server: its key is the one its verified session proved; another seed is
    // another key, a mismatch.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let py = repo.join(".venv/bin/python");
    let server = repo.join("bindings/python/tests_mcp/server.py");
    assert!(
        py.exists(),
        "{} missing: run bash bindings/python/scripts/build.sh",
        py.display()
    );
    let addr = dns.addr();
    let live_check = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "dns",
            "check",
            "live.test",
            "--resolver",
            &addr,
            "--",
            p(&py),
            p(&server),
        ];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        Command::new(env!("CARGO_BIN_EXE_mcp-attest"))
            .args(&args)
            .output()
            .unwrap()
    };
    let o = live_check(&[]);
    assert_eq!(
        (code(&o), json(&o)["did"].as_str()),
        (0, Some(LIVE_DID)),
        "{o:?}"
    );
    let o = live_check(&[
        "--seed",
        "0202020202020202020202020202020202020202020202020202020202020202",
    ]);
    assert_eq!(
        (code(&o), json(&o)["code"].as_str()),
        (1, Some("record_mismatch")),
        "{o:?}"
    );

    // `verify --domain`: the session's DNS step through the same resolver. The live server's
    // record raises it to level 2; a domain naming another key refuses it; a domain without
    // a record leaves it verified at level 1.
    let verify_domain = |domain: &str| {
        let args: Vec<String> = [
            "--json",
            "verify",
            "--domain",
            domain,
            "--resolver",
            &addr,
            "--",
            p(&py),
            p(&server),
        ]
        .into_iter()
        .map(String::from)
        .collect();
        Command::new(env!("CARGO_BIN_EXE_mcp-attest"))
            .args(&args)
            .output()
            .unwrap()
    };
    let o = verify_domain("live.test");
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(
        (json(&o)["dns"].as_str(), json(&o)["level"].as_u64()),
        (Some("verified"), Some(2))
    );
    let o = verify_domain("stale.test");
    assert_eq!(
        (
            code(&o),
            json(&o)["code"].as_str(),
            json(&o)["dns"].as_str()
        ),
        (1, Some("record_mismatch"), Some("mismatch")),
        "{o:?}"
    );
    let o = verify_domain("missing.test");
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(
        (json(&o)["dns"].as_str(), json(&o)["level"].as_u64()),
        (Some("absent"), Some(1))
    );

    // No server: exit 3 within the timeout, not a hang and not "missing".
    let port = dns.port;
    drop(dns);
    let t = std::time::Instant::now();
    let o = run(&[
        "--json",
        "dns",
        "check",
        "good.test",
        "--key",
        &did,
        "--resolver",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "1",
    ]);
    assert_eq!(code(&o), 3, "{o:?}");
    assert!(
        json(&o)["code"].as_str().unwrap().starts_with("resolver_"),
        "{o:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

/// A list larger than a key file (64 KiB) is still a list: extending it must not trip the
/// key-file limit (the core bounds lists at 1 MiB).
#[test]
fn revoke_extends_a_list_larger_than_64_kib() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = keygen(dir.path(), "issuer.pem");
    let list = dir.path().join("big.jws");
    let mut args: Vec<String> = ["revoke", "--issuer-key", p(&issuer), "--issuer-id", ISS]
        .into_iter()
        .map(String::from)
        .collect();
    for i in 0..1500 {
        args.push("--jti".into());
        args.push(format!("passport-{i:04}-0123456789abcdef0123456789"));
    }
    args.extend(["--now", "1800000000", "--out", p(&list)].map(String::from));
    let o = Command::new(env!("CARGO_BIN_EXE_mcp-attest"))
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(fs::metadata(&list).unwrap().len() > 64 * 1024);
    let o = run(&[
        "--json",
        "revoke",
        "--issuer-key",
        p(&issuer),
        "--issuer-id",
        ISS,
        "--list",
        p(&list),
        "--jti",
        "one-more",
        "--now",
        "1800000001",
        "--out",
        p(&list),
    ]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(
        (json(&o)["kept"].as_u64(), json(&o)["added"].as_u64()),
        (Some(1500), Some(1))
    );
}
