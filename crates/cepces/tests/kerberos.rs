//! `cepces serve` with HTTP Negotiate (Kerberos) on its `…_Kerberos`
//! endpoints, against the Samba AD DC of `testkit::samba` and curl as the
//! client (a real SPNEGO initiator: libcurl over MIT GSS-API): a user with
//! a ticket is answered, with the mutual-authentication token; no ticket,
//! a replayed token, a garbage token, a ticket for another service, a
//! principal of a realm the server does not map, a token without channel
//! binding where it is required and a token bound to another channel (made
//! with python-gssapi) are each a 401 with a log line, never a 500.
//!
//! Built with the `kerberos` feature; skipped, with a message, outside CI
//! when no DC can run.
#![cfg(feature = "kerberos")]
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{GET_POLICIES_ACTION, PASSWORD, SOAP12, Server, config, get_policies, hash};
use testkit::samba::{DC_HOST as DC, Dc};

const USER_PASSWORD: &str = "Pa55word-krb!";

/// A served CEP on `keytab`, with the accounts `EXAMPLE\<user>` in Staff.
fn serve(dc: &Dc, keytab: &Path, users: &[&str]) -> Server {
    serve_with(keytab, users, "realm = \"EXAMPLE.TEST\"\n", dc.krb5_conf())
}

/// [`serve`] with `kerberos` (the `realm` line and more) in `[kerberos]`,
/// and `krb5_conf` as the server's Kerberos configuration.
fn serve_with(keytab: &Path, users: &[&str], kerberos: &str, krb5_conf: &Path) -> Server {
    serve_env(
        keytab,
        users,
        kerberos,
        &[("KRB5_CONFIG", krb5_conf.as_os_str())],
    )
}

/// [`serve_with`] with the server's environment `env`.
fn serve_env(
    keytab: &Path,
    users: &[&str],
    kerberos: &str,
    env: &[(&str, &std::ffi::OsStr)],
) -> Server {
    let hash = hash(PASSWORD);
    let mut config = config();
    for user in users {
        write!(
            config,
            "\n[[user]]\nname = \"EXAMPLE\\\\{user}\"\npassword_hash = \"{hash}\"\ngroups = [\"Staff\"]\n"
        )
        .unwrap();
    }
    write!(
        config,
        "\n[kerberos]\nkeytab = \"{}\"\ndomain = \"EXAMPLE\"\n{kerberos}",
        keytab.display()
    )
    .unwrap();
    Server::start_with_env(&config, env)
}

/// GetPolicies without WS-Security: Negotiate authenticates.
fn body(server: &Server) -> Vec<u8> {
    let text = String::from_utf8(get_policies(
        &server.cep("Kerberos"),
        GET_POLICIES_ACTION,
        "x",
    ))
    .unwrap();
    let start = text.find("<o:Security").unwrap();
    let end = text.find("</o:Security>").unwrap() + "</o:Security>".len();
    format!("{}{}", &text[..start], &text[end..]).into_bytes()
}

struct Answer {
    status: u16,
    headers: String,
    body: String,
    verbose: String,
}

/// POSTs GetPolicies with curl: `--negotiate` from `ccache` when given,
/// else with the `extra` header.
fn post(dc: &Dc, server: &Server, ccache: Option<&Path>, extra: Option<&str>) -> Answer {
    post_to(
        dc,
        server,
        &server.cep("Kerberos"),
        &body(server),
        ccache,
        extra,
    )
}

/// [`post`] of `body` to `url`.
fn post_to(
    dc: &Dc,
    server: &Server,
    url: &str,
    body: &[u8],
    ccache: Option<&Path>,
    extra: Option<&str>,
) -> Answer {
    let dir = server.path("");
    let n = rand();
    let body_file = dir.join(format!("krb-body-{n}"));
    std::fs::write(&body_file, body).unwrap();
    let out = dir.join(format!("krb-out-{n}"));
    let headers = dir.join(format!("krb-headers-{n}"));
    let mut cmd = dc.krb5_command("curl", ccache);
    cmd.args(["-sS", "-v", "--max-time", "60", "--cacert"])
        .arg(server.ca_file())
        .args(["-H", &format!("Content-Type: {SOAP12}"), "--data-binary"])
        .arg(format!("@{}", body_file.display()))
        .arg("-o")
        .arg(&out)
        .arg("-D")
        .arg(&headers)
        .args(["-w", "%{http_code}"]);
    if ccache.is_some() {
        cmd.args(["--negotiate", "-u", ":"]);
    }
    if let Some(h) = extra {
        cmd.args(["-H", h]);
    }
    let result = cmd.arg(url).output().unwrap();
    let verbose = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "curl: {verbose}");
    Answer {
        status: String::from_utf8_lossy(&result.stdout)
            .trim()
            .parse()
            .unwrap(),
        headers: std::fs::read_to_string(&headers).unwrap_or_default(),
        body: std::fs::read_to_string(&out).unwrap_or_default(),
        verbose,
    }
}

/// The value of header line `line` if it is `name` (ASCII case ignored).
fn header_value<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (n, v) = line.split_once(':')?;
    n.eq_ignore_ascii_case(name).then(|| v.trim())
}

fn rand() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A service account with `spn`, and its keytab in `dir`.
fn service_keytab(dc: &Dc, dir: &Path, spn: &str) -> PathBuf {
    let machine = dc.create_machine(&dc.unique("web"));
    dc.add_spn(spn, &machine);
    let keytab = dir.join(format!("{}.keytab", dc.unique("kt")));
    dc.export_keytab(&format!("{spn}@{}", dc.realm()), &keytab);
    keytab
}

/// The keytab of `HTTP/localhost` (the name curl and cepces ask for at
/// localhost), made once per test process: an SPN belongs to one account.
fn localhost_keytab(dc: &Dc) -> PathBuf {
    static KEYTAB: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEYTAB
        .get_or_init(|| {
            service_keytab(dc, &testkit::tmp_dir("serve-kerberos-kt"), "HTTP/localhost")
        })
        .clone()
}

/// Waits until the log has `needle` (the server logs after answering).
#[test]
fn negotiate_on_the_kerberos_endpoints() {
    let Some(dc) = Dc::shared() else { return };
    let dir = testkit::tmp_dir("serve-kerberos");
    // The server: HTTP/localhost, the name curl asks for at localhost.
    let keytab = localhost_keytab(dc);
    let user = dc.unique("alice");
    let principal = dc.create_user(&user, USER_PASSWORD);
    let ccache = dir.join(format!("{user}.ccache"));
    dc.kinit_password(&principal, USER_PASSWORD, &ccache)
        .unwrap();
    let machine = dc.create_machine(&dc.unique("ws"));
    let server = serve(dc, &keytab, &[&user, &machine]);

    // A ticket: answered, with the mutual-authentication token.
    let ok = post(dc, &server, Some(&ccache), None);
    assert_eq!(
        ok.status,
        200,
        "{}\n{}\n{}",
        ok.body,
        ok.verbose,
        server.log()
    );
    assert!(
        ok.body.contains("<commonName>User</commonName>"),
        "{}",
        ok.body
    );
    let mutual = ok
        .headers
        .lines()
        .find_map(|l| header_value(l, "www-authenticate"))
        .and_then(|v| v.strip_prefix("Negotiate "))
        .unwrap_or_else(|| panic!("no mutual authentication token:\n{}", ok.headers));
    assert!(mutual.trim().len() > 20, "{mutual}");

    // No ticket: told to negotiate.
    let none = post(dc, &server, None, None);
    assert_eq!(none.status, 401);
    assert!(
        none.headers
            .lines()
            .any(|l| header_value(l, "www-authenticate") == Some("Negotiate")),
        "{}",
        none.headers
    );

    // The same token again: a replay.
    let token = ok
        .verbose
        .lines()
        .find_map(|l| l.strip_prefix("> Authorization: Negotiate "))
        .unwrap()
        .trim()
        .to_owned();
    let replay = post(
        dc,
        &server,
        None,
        Some(&format!("Authorization: Negotiate {token}")),
    );
    assert_eq!(replay.status, 401);
    assert!(server.log_has("negotiate_refused", 5), "{}", server.log());
    // MIT's replay cache names it.
    assert!(
        server.log().to_lowercase().contains("replay"),
        "{}",
        server.log()
    );

    // Garbage.
    let garbage = post(dc, &server, None, Some("Authorization: Negotiate AAAA"));
    assert_eq!(garbage.status, 401);

    // A server whose keytab is another service's: the ticket is not for
    // it.
    let other = service_keytab(
        dc,
        &dir,
        &format!("HTTP/{}.example.test", dc.unique("other")),
    );
    let wrong = serve(dc, &other, &[&user]);
    let refused = post(dc, &wrong, Some(&ccache), None);
    assert_eq!(refused.status, 401, "{}", wrong.log());
    assert!(wrong.log_has("negotiate_refused", 5), "{}", wrong.log());
    assert!(
        wrong.log().contains("not found in keytab"),
        "{}",
        wrong.log()
    );

    // cepces enroll over Negotiate as the user (its ticket cache) ...
    let out = enroll(
        dc,
        &server,
        &["--subject", "CN=alice"],
        Some(&ccache),
        "user",
    );
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log()
    );
    let cert = common::read_cert(&server.path("user-cert.pem"));
    assert!(
        cert.tbs_certificate
            .subject
            .to_string()
            .contains("CN=alice")
    );
    // ... renews over it ...
    let renewed = dc
        .krb5_command(common::BIN, Some(&ccache))
        .args(["renew", "--quiet", "--kerberos", "--cep"])
        .arg(server.cep("Kerberos"))
        .arg("--ca-file")
        .arg(server.ca_file())
        .arg("--cert")
        .arg(server.path("user-cert.pem"))
        .arg("--key")
        .arg(server.path("user-key.pem"))
        .arg("--out-cert")
        .arg(server.path("renewed-cert.pem"))
        .arg("--out-key")
        .arg(server.path("renewed-key.pem"))
        .output()
        .unwrap();
    assert!(
        renewed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&renewed.stderr),
        server.log()
    );
    let again = common::read_cert(&server.path("renewed-cert.pem"));
    assert_ne!(
        again.tbs_certificate.serial_number,
        cert.tbs_certificate.serial_number
    );
    // ... and as the machine, from its keytab (no credential cache).
    let machine_keytab = dir.join(format!("{machine}.keytab"));
    dc.export_keytab(&format!("{machine}@{}", dc.realm()), &machine_keytab);
    let keytab_arg = machine_keytab.display().to_string();
    let principal = format!("{machine}@{}", dc.realm());
    let out = enroll(
        dc,
        &server,
        &[
            "--subject",
            "CN=ws.example.test",
            "--keytab",
            &keytab_arg,
            "--principal",
            &principal,
        ],
        None,
        "machine",
    );
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log()
    );
    // The records name the accounts Negotiate authenticated.
    let records = common::stdout(&server.admin("list", &[]));
    assert!(records.contains(&format!("EXAMPLE\\{user}")), "{records}");
    assert!(
        records.contains(&format!("EXAMPLE\\{machine}")),
        "{records}"
    );
}

/// `cepces enroll --kerberos` for the Web template against `server`'s
/// Kerberos CEP, writing `<name>-key.pem` and `<name>-cert.pem`.
fn enroll(
    dc: &Dc,
    server: &Server,
    args: &[&str],
    ccache: Option<&Path>,
    name: &str,
) -> std::process::Output {
    dc.krb5_command(common::BIN, ccache)
        .args([
            "enroll",
            "--quiet",
            "--kerberos",
            "--template",
            "Web",
            "--cep",
        ])
        .arg(server.cep("Kerberos"))
        .arg("--ca-file")
        .arg(server.ca_file())
        .args(args)
        .arg("--out-key")
        .arg(server.path(&format!("{name}-key.pem")))
        .arg("--out-cert")
        .arg(server.path(&format!("{name}-cert.pem")))
        .output()
        .unwrap()
}

/// A SPNEGO token for `HTTP@localhost` from python-gssapi (another MIT
/// GSS-API initiator, the one Samba's Python tools use) with the
/// credentials of `ccache`, bound to `binding` when given; `None` when
/// python3-gssapi is not installed (outside CI).
fn python_token(dc: &Dc, ccache: &Path, binding: Option<&[u8]>) -> Option<String> {
    const SCRIPT: &str = r#"
import base64, sys, gssapi
from gssapi.raw import ChannelBindings
cb = ChannelBindings(application_data=bytes.fromhex(sys.argv[1])) if sys.argv[1] else None
ctx = gssapi.SecurityContext(
    name=gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service),
    usage="initiate", mech=gssapi.OID.from_int_seq("1.3.6.1.5.5.2"),
    flags=gssapi.RequirementFlag.mutual_authentication, channel_bindings=cb)
print(base64.b64encode(ctx.step()).decode())
"#;
    let probe = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import gssapi"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(!testkit::in_ci(), "python3-gssapi is missing in CI");
        eprintln!("skipped: python3-gssapi is not installed");
        return None;
    }
    let hex = binding
        .unwrap_or_default()
        .iter()
        .fold(String::new(), |mut s, b| {
            write!(s, "{b:02x}").unwrap();
            s
        });
    let out = dc
        .krb5_command("/usr/bin/python3", Some(ccache))
        .args(["-c", SCRIPT, &hex])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python-gssapi: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap().trim().to_owned())
}

/// The `tls-server-end-point` binding of `server`'s TLS certificate.
fn binding_of(server: &Server) -> Vec<u8> {
    use der::Encode;
    let leaf = common::read_cert(&server.ca_dir().join("tls.pem"));
    cepces_server::negotiate::tls_server_end_point(&leaf.to_der().unwrap()).unwrap()
}

/// Channel binding ("required" and "when-supported") and a principal of a
/// realm the server does not map: each a 401 with a log line saying why;
/// a token bound to the right channel is answered.
#[test]
fn channel_binding_and_realm() {
    let Some(dc) = Dc::shared() else { return };
    let dir = testkit::tmp_dir("serve-kerberos-cb");
    let keytab = localhost_keytab(dc);
    let user = dc.unique("bob");
    let principal = dc.create_user(&user, USER_PASSWORD);
    let ccache = dir.join(format!("{user}.ccache"));
    dc.kinit_password(&principal, USER_PASSWORD, &ccache)
        .unwrap();

    // Required: curl (7.88, no channel bindings) is refused ...
    let required = serve_with(
        &keytab,
        &[&user],
        "realm = \"EXAMPLE.TEST\"\nchannel_binding = \"required\"\n",
        dc.krb5_conf(),
    );
    let unbound = post(dc, &required, Some(&ccache), None);
    assert_eq!(unbound.status, 401, "{}", required.log());
    assert!(
        required.log_has("not bound to the TLS channel", 5),
        "{}",
        required.log()
    );
    // ... cepces enroll, which binds its token, is answered ...
    let out = enroll(
        dc,
        &required,
        &["--subject", "CN=bob"],
        Some(&ccache),
        "bound",
    );
    assert!(
        out.status.success(),
        "{}
{}",
        String::from_utf8_lossy(&out.stderr),
        required.log()
    );
    // ... and so is python-gssapi given the same binding, while its token
    // bound to another channel (a relay) is refused by MIT's acceptor.
    let right = binding_of(&required);
    if let Some(token) = python_token(dc, &ccache, Some(&right)) {
        let ok = post(
            dc,
            &required,
            None,
            Some(&format!("Authorization: Negotiate {token}")),
        );
        assert_eq!(ok.status, 200, "{}", required.log());
        let mut other = right.clone();
        let last = other.len() - 1;
        other[last] ^= 1;
        let token = python_token(dc, &ccache, Some(&other)).unwrap();
        let relayed = post(
            dc,
            &required,
            None,
            Some(&format!("Authorization: Negotiate {token}")),
        );
        assert_eq!(relayed.status, 401, "{}", required.log());
        assert!(required.log_has("channel binding", 5), "{}", required.log());
    }

    // When-supported (the default): a token bound to another channel is
    // still refused.
    let lenient = serve(dc, &keytab, &[&user]);
    if let Some(token) = python_token(dc, &ccache, Some(b"tls-server-end-point:elsewhere")) {
        let relayed = post(
            dc,
            &lenient,
            None,
            Some(&format!("Authorization: Negotiate {token}")),
        );
        assert_eq!(relayed.status, 401, "{}", lenient.log());
        assert!(lenient.log_has("negotiate_refused", 5), "{}", lenient.log());
    }

    // A server mapping another realm's principals: EXAMPLE.TEST's user is
    // authenticated by Kerberos but is no account of it.
    let foreign = serve_with(
        &keytab,
        &[&user],
        "realm = \"OTHER.TEST\"\n",
        dc.krb5_conf(),
    );
    let refused = post(dc, &foreign, Some(&ccache), None);
    assert_eq!(refused.status, 401, "{}", foreign.log());
    assert!(
        foreign.log_has("is not of the server's realm", 5),
        "{}",
        foreign.log()
    );
}

/// An expired ticket: MIT's initiator will not use one (`cepces enroll`
/// says so and fails cleanly), so a server meets one when its clock has
/// passed the ticket's end: a server eleven hours ahead (a Samba ticket
/// lives ten; libfaketime) refuses the live client's token with a 401 and
/// the library's "Ticket expired" in its log.
#[test]
fn expired_tickets_and_clocks_apart() {
    let Some(dc) = Dc::shared() else { return };
    let dir = testkit::tmp_dir("serve-kerberos-expired");
    let keytab = localhost_keytab(dc);
    let user = dc.unique("carol");
    let principal = dc.create_user(&user, USER_PASSWORD);
    let server = serve(dc, &keytab, &[&user]);

    // The client: a ticket of four seconds, used after it ended.
    let short = dir.join(format!("{user}-short.ccache"));
    dc.kinit_password_for(&principal, USER_PASSWORD, &short, "4s")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(6));
    let out = enroll(
        dc,
        &server,
        &["--subject", "CN=carol"],
        Some(&short),
        "expired",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expired"), "{err}");
    assert!(!server.log().contains("panic"), "{}", server.log());

    // The server: eleven hours ahead.
    let faketime = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.exists());
    let Some(faketime) = faketime else {
        assert!(!testkit::in_ci(), "libfaketime is missing in CI");
        eprintln!("skipped: libfaketime is not installed");
        return;
    };
    let ahead = serve_env(
        &keytab,
        &[&user],
        "realm = \"EXAMPLE.TEST\"\n",
        &[
            ("KRB5_CONFIG", dc.krb5_conf().as_os_str()),
            ("LD_PRELOAD", faketime.as_os_str()),
            ("FAKETIME", "+11h".as_ref()),
        ],
    );
    let ccache = dir.join(format!("{user}.ccache"));
    dc.kinit_password(&principal, USER_PASSWORD, &ccache)
        .unwrap();
    // Its certificates are made in its future: curl -k.
    let result = dc
        .krb5_command("curl", Some(&ccache))
        .args([
            "-sS",
            "-k",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--negotiate",
            "-u",
            ":",
        ])
        .args([
            "-H",
            &format!("Content-Type: {SOAP12}"),
            "--data-binary",
            "<x/>",
        ])
        .arg(ahead.cep("Kerberos"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&result.stdout),
        "401",
        "{}",
        ahead.log()
    );
    assert!(ahead.log_has("negotiate_refused", 5), "{}", ahead.log());
    assert!(ahead.log().contains("Ticket expired"), "{}", ahead.log());
}

#[test]
fn without_kerberos_configured_the_endpoints_do_not_exist() {
    let server = Server::start();
    let (status, _) = server.curl(&server.cep("Kerberos"), SOAP12, b"<x/>", None);
    assert_eq!(status, 404);
}

/// certmonger itself driving `cepces certmonger --server=HOST
/// --auth=Kerberos` (the command line Samba's auto-enrollment writes),
/// the rest from a `cepces-submit` configuration file naming the machine's
/// keytab: issued → MONITORING, pending → approved → MONITORING, a
/// template the machine may not have → CA_REJECTED, resubmit → renewed.
#[test]
fn certmonger_enrolls_a_machine_over_kerberos() {
    use common::certmonger::{Certmonger, certmonger_available};
    let Some(dc) = Dc::shared() else { return };
    if !certmonger_available() {
        eprintln!("skipped: certmonger (or openssl) is not installed");
        return;
    }
    let dir = testkit::tmp_dir("certmonger-kerberos");
    let keytab = localhost_keytab(dc);
    let machine = dc.create_machine(&dc.unique("cm"));
    let machine_keytab = dir.join(format!("{machine}.keytab"));
    dc.export_keytab(&format!("{machine}@{}", dc.realm()), &machine_keytab);
    let server = serve(dc, &keytab, &[&machine]);

    // `cas` a directory, as /etc/ssl/certs: the CA and a file that is not
    // a certificate.
    let cas = dir.join("cas");
    std::fs::create_dir_all(&cas).unwrap();
    std::fs::copy(server.ca_file(), cas.join("test-ca.pem")).unwrap();
    std::fs::write(cas.join("README"), "not a certificate\n").unwrap();
    let conf = dir.join("cepces.conf");
    std::fs::write(
        &conf,
        format!(
            "[global]\nserver=ca\ntype=Policy\nauth=UsernamePassword\n\
             endpoint=https://${{server}}/ADPolicyProvider_CEP_${{auth}}/service.svc/CEP\n\
             cas={}\npoll_interval=1\n\n\
             [kerberos]\nkeytab={}\nrealm=EXAMPLE.TEST\nccache=True\n\
             principals=\n  {}\n",
            cas.display(),
            // configparser's `$` is interpolation: a dollar is `$$`.
            machine_keytab.display().to_string().replace('$', "$$"),
            machine.replace('$', "$$"),
        ),
    )
    .unwrap();
    let cm = Certmonger::start();
    let host = server.base().trim_start_matches("https://").to_owned();
    // certmonger clears its helpers' environment: the DC's krb5.conf (a
    // machine's is /etc/krb5.conf) goes through env(1).
    let helper = format!(
        "/usr/bin/env KRB5_CONFIG={} {} certmonger --config {} --server={host} --auth=Kerberos",
        dc.krb5_conf().display(),
        common::BIN,
        conf.display()
    );
    let out = cm.getcert(&["add-ca", "-c", "cepces-krb", "-e", &helper]);
    assert!(out.status.success(), "{}", common::stderr(&out));

    let request = |id: &str, template: &str| {
        let out = cm.getcert(&[
            "request",
            "-c",
            "cepces-krb",
            "-T",
            template,
            "-I",
            id,
            "-k",
            cm.path(&format!("{id}.key")).to_str().unwrap(),
            "-f",
            cm.path(&format!("{id}.crt")).to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", common::stderr(&out));
    };
    // Issued, for the account Negotiate authenticated.
    request("machine", "User");
    cm.wait_for("machine", "MONITORING");
    let cert = cm.path("machine.crt");
    common::openssl_verify(&server.ca_file(), &cert);
    let issued = common::read_cert(&cert);
    let records = common::stdout(&server.admin("list", &[]));
    assert!(
        records.contains(&format!("\tUser\tEXAMPLE\\{machine}")),
        "{records}"
    );

    // Pending, approved, polled.
    request("approval", "Approval");
    cm.wait_for("approval", "CA_WORKING");
    let list = common::stdout(&server.admin("list", &[]));
    let id = list
        .lines()
        .find(|l| l.contains(&format!("\tPending\tApproval\tEXAMPLE\\{machine}")))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no pending request in {list}"))
        .to_owned();
    let out = server.admin("approve", &[&id]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    cm.wait_for("approval", "MONITORING");

    // Rejected: the machine is not in Administrators.
    request("admins", "Admins");
    cm.wait_for("admins", "CA_REJECTED");

    // Renewed.
    let out = cm.getcert(&["resubmit", "-i", "machine", "-w"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    cm.wait_for("machine", "MONITORING");
    let renewed = common::read_cert(&cert);
    assert_ne!(
        renewed.tbs_certificate.serial_number,
        issued.tbs_certificate.serial_number
    );
}

/// `flags` of AD's Machine template (CT_FLAG_MACHINE_TYPE among them)
/// and of its User template.
const MACHINE: u32 = 0x0002_0260;
const USER: u32 = 0x0002_023A;

/// A schema-2 template `cn` (OID arc `n`) with the DACL `sddl` and the
/// subject-name flags `name_flags`, as LDIF for `CN=Certificate Templates`.
fn template_ldif(
    dc: &Dc,
    (cn, flags): (&str, u32),
    n: u32,
    name_flags: u32,
    sddl: &str,
    domain: &str,
) -> String {
    use base64::Engine as _;
    let sd = cepces_adcs::security::SecurityDescriptor::from_sddl(
        sddl,
        &cepces_adcs::security::SddlDomains::single(domain.parse().unwrap()),
    )
    .unwrap();
    let sd = base64::engine::general_purpose::STANDARD.encode(sd.to_bytes());
    format!(
        "dn: CN={cn},CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,{base}\n\
         objectClass: top\nobjectClass: pKICertificateTemplate\ncn: {cn}\ndisplayName: {cn}\n\
         flags: {flags}\nrevision: 100\nmsPKI-Template-Minor-Revision: 1\n\
         msPKI-Template-Schema-Version: 2\nmsPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.7.7.{n}\n\
         pKIExpirationPeriod:: {exp}\npKIOverlapPeriod:: {overlap}\npKIKeyUsage:: oAA=\n\
         pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.2\n\
         msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.2\npKIDefaultKeySpec: 1\n\
         pKIMaxIssuingDepth: 0\npKICriticalExtensions: 2.5.29.15\nmsPKI-RA-Signature: 0\n\
         msPKI-Enrollment-Flag: 32\nmsPKI-Private-Key-Flag: 0\n\
         msPKI-Certificate-Name-Flag: {name_flags}\nmsPKI-Minimal-Key-Size: 2048\n\
         nTSecurityDescriptor:: {sd}\n",
        base = dc.base_dn(),
        exp = common::interval(365),
        overlap = common::interval(42),
    )
}

/// Enroll + AutoEnroll for `who` (an SDDL trustee), full control without
/// the extended rights for Domain Admins, read for Authenticated Users.
fn dacl(who: &str) -> String {
    format!(
        "O:DAG:DAD:PAI\
         (OA;;RPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;{who})\
         (OA;;RPCR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;{who})\
         (A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;LCRPLORC;;;AU)"
    )
}

/// [`enroll_template`], which must succeed, then `openssl x509 -noout
/// <show> -nameopt RFC2253` of the certificate `<name>-cert.pem`.
fn issued_text(
    dc: &Dc,
    server: &Server,
    template: &str,
    ccache: &Path,
    name: &str,
    show: &[&str],
) -> String {
    let out = enroll_template(dc, server, template, ccache, name);
    assert!(
        out.status.success(),
        "{}\n{}",
        common::stderr(&out),
        server.log()
    );
    let text = std::process::Command::new("openssl")
        .args(["x509", "-noout"])
        .args(show)
        .args(["-nameopt", "RFC2253", "-in"])
        .arg(server.path(&format!("{name}-cert.pem")))
        .output()
        .unwrap();
    String::from_utf8_lossy(&text.stdout).into_owned()
}

/// Asks GetPolicies with the tickets of `ccache` every second until the
/// answer has `needle` (the directory's change seen after a refresh); at
/// most 40 s.
fn answered_with(dc: &Dc, server: &Server, ccache: &Path, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    loop {
        let offered = post(dc, server, Some(ccache), None);
        if offered.body.contains(needle) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {needle} after the refresh:\n{}\n{}",
            offered.body,
            server.log()
        );
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// `cepces enroll --kerberos` for `template` with the tickets of `ccache`.
fn enroll_template(
    dc: &Dc,
    server: &Server,
    template: &str,
    ccache: &Path,
    name: &str,
) -> std::process::Output {
    dc.krb5_command(common::BIN, Some(ccache))
        .args([
            "enroll",
            "--quiet",
            "--kerberos",
            "--template",
            template,
            "--cep",
        ])
        .arg(server.cep("Kerberos"))
        .arg("--ca-file")
        .arg(server.ca_file())
        .arg("--out-key")
        .arg(server.path(&format!("{name}-key.pem")))
        .arg("--out-cert")
        .arg(server.path(&format!("{name}-cert.pem")))
        .output()
        .unwrap()
}

/// Issue 14 item 3: `[directory]` over Kerberos. The templates are in the
/// DC (loaded as LDIF with their security descriptors); the server binds
/// with its own keytab (SASL GSSAPI, Kerberos-sealed on ldap://); a
/// machine is offered and issued the Domain Computers template with its
/// dNSHostName; a user is not offered it and is refused it; a template
/// added to the directory is offered after the refresh.
#[test]
fn policy_and_permissions_from_the_directory() {
    let Some(dc) = Dc::shared() else { return };
    let dir = testkit::tmp_dir("serve-directory");
    let domain = dc.object_sid(dc.base_dn());
    let n = u32::try_from(rand()).unwrap();
    let computers = dc.unique("DirMachine");
    let users = dc.unique("DirUser");
    // AD's Machine template (CN and SAN from dNSHostName), with the
    // objectGUID in the SAN as AD's domain controller templates have it.
    dc.ldap_add(&template_ldif(
        dc,
        (&computers, MACHINE),
        100 + n,
        0x1900_0000,
        &dacl("DC"),
        &domain,
    ));
    // A SAN part cepces does not build (the SPN): not offered.
    let spn = dc.unique("DirSpn");
    dc.ldap_add(&template_ldif(
        dc,
        (&spn, MACHINE),
        500 + n,
        0x1080_0000,
        &dacl("DC"),
        &domain,
    ));
    // AD's User template builds the subject from the directory path and
    // puts the UPN in the SAN; a mail template needs an e-mail address.
    dc.ldap_add(&template_ldif(
        dc,
        (&users, USER),
        200 + n,
        0x8200_0000,
        &dacl("DU"),
        &domain,
    ));
    let mail = dc.unique("DirMail");
    dc.ldap_add(&template_ldif(
        dc,
        (&mail, USER),
        400 + n,
        0xA400_0000,
        &dacl("DU"),
        &domain,
    ));

    // The DC's LDAP service principal, which a full DC's samba_spnupdate
    // registers (the test DC runs only its LDAP and KDC services).
    dc.add_spn(
        &format!("ldap/{DC}.{}", dc.dns_domain()),
        &format!("{}$", DC.to_uppercase()),
    );

    // The server: HTTP/localhost for Negotiate, its own account to bind.
    let keytab = dir.join("server.keytab");
    std::fs::copy(localhost_keytab(dc), &keytab).unwrap();
    let account = dc.create_machine(&dc.unique("dirsrv"));
    let bind_principal = format!("{account}@{}", dc.realm());
    dc.export_keytab(&bind_principal, &keytab);
    let config = format!(
        "[ca]\ncommon_name = \"cepces Test CA\"\n\
         [kerberos]\nkeytab = \"{}\"\nrealm = \"EXAMPLE.TEST\"\ndomain = \"EXAMPLE\"\n\
         [directory]\nurl = \"ldap://127.0.0.1\"\nserver_name = \"{DC}.example.test\"\n\
         principal = \"{bind_principal}\"\nrefresh_seconds = 5\n",
        keytab.display()
    );
    let server = Server::start_with_env(&config, &[("KRB5_CONFIG", dc.krb5_conf().as_os_str())]);
    assert!(server.log_has("directory_bound", 5), "{}", server.log());

    // A machine with a DNS name: offered the computers' template, issued.
    let machine = dc.create_machine(&dc.unique("ws"));
    let host = format!("{}.example.test", machine.trim_end_matches('$'));
    dc.ldap_modify(&format!(
        "dn: {}\nchangetype: modify\nreplace: dNSHostName\ndNSHostName: {host}\n",
        dc.dn_of(&machine)
    ));
    let machine_keytab = dir.join(format!("{machine}.keytab"));
    dc.export_keytab(&format!("{machine}@{}", dc.realm()), &machine_keytab);
    let machine_cc = dir.join(format!("{machine}.ccache"));
    dc.kinit_keytab(
        &format!("{machine}@{}", dc.realm()),
        &machine_keytab,
        &machine_cc,
    )
    .unwrap();
    let offered = post(dc, &server, Some(&machine_cc), None);
    assert_eq!(offered.status, 200, "{}\n{}", offered.body, server.log());
    assert!(
        offered
            .body
            .contains(&format!("<commonName>{computers}</commonName>")),
        "{}\n{}",
        offered.body,
        server.log()
    );
    assert!(
        !offered
            .body
            .contains(&format!("<commonName>{users}</commonName>")),
        "{}",
        offered.body
    );
    assert!(
        !offered
            .body
            .contains(&format!("<commonName>{spn}</commonName>")),
        "{}",
        offered.body
    );
    assert!(
        server.log_has("directory_template_skipped", 5),
        "{}",
        server.log()
    );
    // The answer built from the directory is schema-valid (MS-XCEP with
    // SOAP 1.2 and WS-Addressing, by xmllint).
    if let Some(spec) = testkit::spec_dir()
        && let Some(v) = testkit::validate_bytes(
            spec,
            "deps/envelope-all.xsd",
            "directory-policy.xml",
            offered.body.as_bytes(),
        )
    {
        assert!(v.is_clean_pass(), "{v:?}\n{}", offered.body);
    }
    let text = issued_text(dc, &server, &computers, &machine_cc, "machine", &["-text"]);
    let cert = server.path("machine-cert.pem");
    assert!(text.contains(&format!("DNS:{host}")), "{text}");
    // DNS_AS_CN: the subject is the DNS name, whatever the request said.
    assert!(
        text.contains(&format!("Subject: CN={host}\n"))
            || text.contains(&format!("Subject: CN = {host}\n")),
        "{text}"
    );
    // Its SID, for strong certificate mapping (KB5014754): openssl shows
    // the extension by OID, the SID's text inside it.
    let machine_sid = dc.object_sid(&dc.dn_of(&machine));
    assert!(text.contains("1.3.6.1.4.1.311.25.2"), "{text}");
    // The objectGUID otherName (szOID_NTDS_REPLICATION) in the SAN.
    assert!(text.contains("1.3.6.1.4.1.311.25.1"), "{text}");
    let der = std::process::Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .output()
        .unwrap()
        .stdout;
    let issued = <x509_cert::Certificate as der::Decode>::from_der(&der).unwrap();
    let ext = issued
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == "1.3.6.1.4.1.311.25.2")
        .unwrap();
    assert!(
        ext.extn_value
            .as_bytes()
            .windows(machine_sid.len())
            .any(|w| w == machine_sid.as_bytes()),
        "{machine_sid} not in the extension"
    );

    // A user: the users' template only; refused the computers' one.
    let user = dc.unique("dana");
    let principal = dc.create_user(&user, USER_PASSWORD);
    let user_cc = dir.join(format!("{user}.ccache"));
    dc.kinit_password(&principal, USER_PASSWORD, &user_cc)
        .unwrap();
    let offered = post(dc, &server, Some(&user_cc), None);
    assert_eq!(offered.status, 200, "{}", offered.body);
    assert!(
        offered
            .body
            .contains(&format!("<commonName>{users}</commonName>")),
        "{}",
        offered.body
    );
    assert!(
        !offered
            .body
            .contains(&format!("<commonName>{computers}</commonName>")),
        "{}",
        offered.body
    );
    // Her certificate: her distinguished name, her UPN.
    let text = issued_text(dc, &server, &users, &user_cc, "dana", &["-text"]);
    assert!(
        text.contains(&format!("Subject: CN={user},CN=Users,DC=example,DC=test")),
        "{text}"
    );
    // samba-tool writes the UPN with the DNS domain in lower case.
    assert!(
        text.to_lowercase()
            .contains(&format!("othername: upn::{}", principal.to_lowercase())),
        "{text}"
    );
    // No e-mail address in the directory: refused as AD CS refuses it.
    let out = enroll_template(dc, &server, &mail, &user_cc, "nomail");
    assert!(!out.status.success(), "{}", common::stdout(&out));
    let why = common::stderr(&out);
    assert!(
        why.contains("CERTSRV_E_SUBJECT_EMAIL_REQUIRED") || why.contains("80094812"),
        "{why}"
    );
    // cepces enroll will not ask for a template it was not offered; a
    // request sent anyway is refused by CES.
    let out = enroll_template(dc, &server, &computers, &user_cc, "refused");
    assert!(!out.status.success(), "{}", common::stdout(&out));
    assert!(
        common::stderr(&out).contains("no template"),
        "{}",
        common::stderr(&out)
    );
    let csr = testkit::csr(
        &dir,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "/CN=dana",
        &[],
    );
    let ces = server.ces("Kerberos");
    let request = soap_envelope::Envelope::new(
        soap_envelope::Header::new()
            .with_action(common::RST_ACTION)
            .with_message_id("urn:uuid:00000000-0000-4000-8000-000000000043")
            .with_to(ces.clone()),
        wstep::WstepMessage::from(common::issue_rst(&csr, &computers)),
    )
    .to_xml()
    .unwrap();
    let refused = post_to(dc, &server, &ces, &request, Some(&user_cc), None);
    assert_eq!(refused.status, 500, "{}", refused.body);
    let fault = common::fault_of(refused.body.as_bytes());
    let detail = wstep::CertificateEnrollmentWsDetail::from_fault(&fault)
        .unwrap()
        .unwrap();
    assert_eq!(
        detail.error_code,
        Some(wstep::hresult::HResult::CERTSRV_E_TEMPLATE_DENIED),
        "{}",
        refused.body
    );

    // A template added to the directory: offered after the refresh.
    let later = dc.unique("DirLater");
    dc.ldap_add(&template_ldif(
        dc,
        (&later, USER),
        300 + n,
        0x4000_0000,
        &dacl("DU"),
        &domain,
    ));
    answered_with(
        dc,
        &server,
        &user_cc,
        &format!("<commonName>{later}</commonName>"),
    );
    assert!(server.log_has("policy_refreshed", 5), "{}", server.log());
    // A template changed in the directory (a new major revision, as the
    // Certificate Templates console writes when it is edited): seen too.
    dc.ldap_modify(&format!(
        "dn: CN={later},CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,{}\n\
         changetype: modify\nreplace: revision\nrevision: 105\n",
        dc.base_dn()
    ));
    answered_with(dc, &server, &user_cc, "<majorRevision>105</majorRevision>");
    // A user template's CN is the account's cn ([MS-WCCE]
    // 3.2.2.6.2.1.4.5.9), not its logon name.
    let text = issued_text(dc, &server, &later, &user_cc, "later", &["-subject"]);
    assert_eq!(text.trim(), format!("subject=CN={user}"));
}

/// `[directory]` with a simple bind over `ldaps://`: the DC's certificate
/// is checked against `ca` (binding fails against another CA, and serve
/// does not start), and with the right CA the policy is read.
#[test]
fn simple_bind_over_ldaps() {
    let Some(dc) = Dc::shared() else { return };
    let Some(dc_ca) = dc.tls_ca() else {
        eprintln!("skipped: no openssl to make the DC's LDAPS certificate");
        return;
    };
    let dir = testkit::tmp_dir("serve-directory-ldaps");
    let domain = dc.object_sid(dc.base_dn());
    let cn = dc.unique("LdapsMachine");
    dc.ldap_add(&template_ldif(
        dc,
        (&cn, MACHINE),
        600 + u32::try_from(rand()).unwrap(),
        0x1800_0000,
        &dacl("DC"),
        &domain,
    ));
    let password = dir.join("ldap-password");
    std::fs::write(&password, format!("{}\n", dc.admin_password())).unwrap();
    let config = |ca: &Path| {
        format!(
            "[ca]\ncommon_name = \"cepces Test CA\"\n\
             [kerberos]\nkeytab = \"{}\"\nrealm = \"EXAMPLE.TEST\"\ndomain = \"EXAMPLE\"\n\
             [directory]\nurl = \"ldaps://127.0.0.1\"\nbind = \"simple\"\n\
             bind_dn = \"{}@example.test\"\npassword_file = \"{}\"\nca = \"{}\"\n",
            localhost_keytab(dc).display(),
            dc.admin_user(),
            password.display(),
            ca.display()
        )
    };

    // Another CA did not sign the DC's certificate: no bind, no start.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    testkit::server_certificates(&other, "other", "DNS:other");
    let wrong = other.join("ca.pem");
    let path = dir.join("wrong.toml");
    std::fs::write(&path, config(&wrong)).unwrap();
    let refused =
        common::serve_refused(&dir.join("wrong-ca"), &["--config", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    let why = common::stderr(&refused);
    assert!(why.contains("ldaps://127.0.0.1"), "{why}");
    assert!(why.contains("invalid peer certificate"), "{why}");

    let server = Server::start_with_env(
        &config(dc_ca),
        &[("KRB5_CONFIG", dc.krb5_conf().as_os_str())],
    );
    assert!(server.log_has("directory_bound", 5), "{}", server.log());
    let machine = dc.create_machine(&dc.unique("lw"));
    let keytab = dir.join(format!("{machine}.keytab"));
    dc.export_keytab(&format!("{machine}@{}", dc.realm()), &keytab);
    let ccache = dir.join(format!("{machine}.ccache"));
    dc.kinit_keytab(&format!("{machine}@{}", dc.realm()), &keytab, &ccache)
        .unwrap();
    let offered = post(dc, &server, Some(&ccache), None);
    assert_eq!(offered.status, 200, "{}\n{}", offered.body, server.log());
    assert!(
        offered
            .body
            .contains(&format!("<commonName>{cn}</commonName>")),
        "{}\n{}",
        offered.body,
        server.log()
    );
}
