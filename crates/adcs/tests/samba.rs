//! The mapping against a real directory: a template and an enterprise CA
//! written into a Samba AD DC's Configuration partition (Samba provisions
//! the `CN=Public Key Services` containers but no template, CA or OID
//! object), read back over LDAP as LDIF, and the policy answered for two
//! real accounts from their `objectSid` and `tokenGroups`.
//!
//! Skipped, with a message, outside CI when no DC can run.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cepces_adcs::security::{
    AUTO_ENROLL, Ace, AceKind, ENROLL, RIGHT_DS_CONTROL_ACCESS, SecurityDescriptor, Sid,
};
use cepces_adcs::{Directory, Entry, PolicyOptions};
use testkit::samba::Dc;
use xcep::flags::SubjectNameFlags;

/// The entries of an LDIF text (values as `attr: text` or `attr:: base64`,
/// continuation lines joined).
fn parse_ldif(text: &str) -> Vec<Entry> {
    let mut lines: Vec<String> = Vec::new();
    for l in text.lines() {
        if let (Some(rest), Some(last)) = (l.strip_prefix(' '), lines.last_mut()) {
            last.push_str(rest);
            continue;
        }
        lines.push(l.to_owned());
    }
    let mut entries = Vec::new();
    let mut current: Option<Entry> = None;
    for l in lines {
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if let Some(dn) = l.strip_prefix("dn: ") {
            entries.extend(current.take());
            current = Some(Entry::new(dn));
            continue;
        }
        let Some(e) = current.as_mut() else { continue };
        if let Some((name, b64)) = l.split_once(":: ") {
            e.push(name, [STANDARD.decode(b64).unwrap()]);
        } else if let Some((name, value)) = l.split_once(": ") {
            e.push(name, [value.as_bytes()]);
        }
    }
    entries.extend(current);
    entries
}

/// Searches over LDAP with Samba's Python LDB bindings, bound as the
/// administrator, and prints every value as raw bytes in base64
/// (`attr:: ...`): what any LDAP client receives. (ldbsearch prints SIDs
/// and security descriptors decoded, even with `--show-binary`.)
const SEARCH_PY: &str = r#"
import base64, sys, ldb, samba
from samba.param import LoadParm
from samba.credentials import Credentials
lp = LoadParm(); lp.load(sys.argv[1])
creds = Credentials(); creds.guess(lp)
creds.set_username(sys.argv[3]); creds.set_password(sys.argv[4]); creds.set_domain(sys.argv[5])
db = samba.Ldb(url=sys.argv[2], credentials=creds, lp=lp)
scope = {"base": ldb.SCOPE_BASE, "one": ldb.SCOPE_ONELEVEL, "sub": ldb.SCOPE_SUBTREE}[sys.argv[7]]
for m in db.search(base=sys.argv[6], scope=scope, expression=sys.argv[8], attrs=sys.argv[9:]):
    print("dn: " + str(m.dn))
    for name in m.keys():
        if name == "dn":
            continue
        for v in m[name]:
            print(name + ":: " + base64.b64encode(bytes(v)).decode())
    print()
"#;

fn search(dc: &Dc, base: &str, scope: &str, filter: &str, attrs: &[&str]) -> Vec<Entry> {
    let out = dc
        // Debian's Python, which has the samba and ldb modules (samba-tool
        // runs on it), not another one earlier on PATH.
        .krb5_command("/usr/bin/python3", None)
        .arg("-c")
        .arg(SEARCH_PY)
        .arg(dc.smb_conf())
        .arg(dc.ldap_url())
        .args([dc.admin_user(), dc.admin_password(), dc.netbios_domain()])
        .args([base, scope, filter])
        .args(attrs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_ldif(&String::from_utf8(out.stdout).unwrap())
}

/// A SID value: binary, or the `S-1-...` text ldbsearch prints for it.
fn sid_value(v: &[u8]) -> Sid {
    if v.starts_with(b"S-") {
        std::str::from_utf8(v).unwrap().parse().unwrap()
    } else {
        Sid::from_bytes(v).unwrap()
    }
}

/// The SIDs of an account's token: its `objectSid` and `tokenGroups`.
fn token(dc: &Dc, account: &str) -> Vec<Sid> {
    let dn = dc.dn_of(account);
    let e = search(
        dc,
        &dn,
        "base",
        "(objectClass=*)",
        &["objectSid", "tokenGroups"],
    );
    let e = &e[0];
    let mut sids: Vec<Sid> = e
        .values("objectSid")
        .iter()
        .chain(e.values("tokenGroups"))
        .map(|v| sid_value(v))
        .collect();
    sids.sort();
    sids
}

#[test]
fn a_template_written_to_samba_is_offered_to_the_group_it_names() {
    let Some(dc) = Dc::shared() else { return };
    let pki = format!(
        "CN=Public Key Services,CN=Services,CN=Configuration,{}",
        dc.base_dn()
    );
    let group = dc.unique("certusers");
    dc.create_group(&group);
    let alice = dc.unique("alice");
    dc.create_user(&alice, "Pa55word-adcs!");
    dc.add_members(&group, &[&alice]);
    let bob = dc.unique("bob");
    dc.create_user(&bob, "Pa55word-adcs!");
    let alice_token = token(dc, &alice);
    let bob_token = token(dc, &bob);
    let group_sid = search(
        dc,
        &dc.dn_of(&group),
        "base",
        "(objectClass=*)",
        &["objectSid"],
    )[0]
    .first("objectSid")
    .map(sid_value)
    .unwrap();
    assert!(alice_token.contains(&group_sid), "{alice_token:?}");
    assert!(!bob_token.contains(&group_sid));

    // The template: the group may enroll and autoenroll.
    let name = dc.unique("Tmpl");
    let admins: Sid = format!(
        "{}-512",
        &group_sid.to_string()[..group_sid.to_string().rfind('-').unwrap()]
    )
    .parse()
    .unwrap();
    let sd = SecurityDescriptor::new(vec![
        Ace::new(AceKind::Allow, admins.clone(), 0x000F_01FF, None),
        Ace::new(
            AceKind::Allow,
            group_sid.clone(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(ENROLL),
        ),
        Ace::new(
            AceKind::Allow,
            group_sid.clone(),
            RIGHT_DS_CONTROL_ACCESS,
            Some(AUTO_ENROLL),
        ),
    ])
    .with_owner(admins.clone());
    let b64 = |b: &[u8]| STANDARD.encode(b);
    let year = (-315_360_000_000_000_i64).to_le_bytes();
    let weeks = (-36_288_000_000_000_i64).to_le_bytes();
    let oid = format!("1.3.6.1.4.1.311.21.8.7.7.7.{}", std::process::id());
    dc.ldap_add(&format!(
        "dn: CN={name},CN=Certificate Templates,{pki}
objectClass: top
objectClass: pKICertificateTemplate
cn: {name}
displayName: {name} display
flags: 131680
revision: 100
msPKI-Template-Schema-Version: 2
msPKI-Template-Minor-Revision: 3
msPKI-Cert-Template-OID: {oid}
pKIExpirationPeriod:: {}
pKIOverlapPeriod:: {}
pKIKeyUsage:: oAA=
pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.2
msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.2
msPKI-Certificate-Name-Flag: -2113929216
msPKI-Enrollment-Flag: 41
msPKI-Private-Key-Flag: 16842752
msPKI-Minimal-Key-Size: 2048
pKIDefaultKeySpec: 1
pKICriticalExtensions: 2.5.29.15
nTSecurityDescriptor:: {}
",
        b64(&year),
        b64(&weeks),
        b64(&sd.to_bytes())
    ));
    // The CA: Samba has no CN=Enrollment Services container.
    let services = format!("CN=Enrollment Services,{pki}");
    if search(dc, &pki, "one", "(cn=Enrollment Services)", &["cn"]).is_empty() {
        dc.ldap_add(&format!(
            "dn: {services}\nobjectClass: top\nobjectClass: container\ncn: Enrollment Services\n"
        ));
    }
    let ca = dc.unique("CA");
    // Multi-line text: base64 in LDIF.
    let servers = b64(format!(
        "1\n2\n0\nhttps://ca.example.test/{ca}_CES_Kerberos/service.svc/CES\n"
    )
    .as_bytes());
    dc.ldap_add(&format!(
        "dn: CN={ca},{services}
objectClass: top
objectClass: pKIEnrollmentService
cn: {ca}
dNSHostName: ca.example.test
cACertificate:: MAMCAQE=
certificateTemplates: {name}
msPKI-Enrollment-Servers:: {servers}
"
    ));

    // Read back over LDAP, as a directory-backed server would.
    let templates = search(
        dc,
        &format!("CN=Certificate Templates,{pki}"),
        "one",
        "(objectClass=pKICertificateTemplate)",
        &["*", "nTSecurityDescriptor"],
    );
    let cas = search(
        dc,
        &services,
        "one",
        "(objectClass=pKIEnrollmentService)",
        &["*"],
    );
    let templates: Vec<Entry> = templates
        .into_iter()
        .filter(|e| e.first("cn") == Some(name.as_bytes()))
        .collect();
    let cas: Vec<Entry> = cas
        .into_iter()
        .filter(|e| e.first("cn") == Some(ca.as_bytes()))
        .collect();
    assert_eq!((templates.len(), cas.len()), (1, 1));
    let directory = Directory::from_entries(&templates, &cas, &[]).unwrap();
    let t = directory.template(&name).unwrap();
    assert_eq!(t.validity_seconds, 365 * 86_400);
    assert_eq!(t.renewal_seconds, 42 * 86_400);
    assert_eq!(t.oid.as_deref(), Some(oid.as_str()));
    assert_eq!(
        t.subject_name_flags,
        SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN
            | SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH
    );
    // The descriptor as the DC keeps it (with what it adds) still says so.
    let options = PolicyOptions::new("{5B0C7C6E-4C1F-4F8A-9C6D-0B1E2D3F4A5B}");
    let for_alice = directory.policy(&alice_token, &options).unwrap();
    let resolved = for_alice.resolve().unwrap();
    let template = resolved.template_by_name(&name).unwrap();
    let p = template.attributes().permission.as_ref().unwrap();
    assert!(p.enroll && p.auto_enroll);
    assert_eq!(
        template.cas()[0].uris[0].uri,
        format!("https://ca.example.test/{ca}_CES_Kerberos/service.svc/CES")
    );
    let for_bob = directory.policy(&bob_token, &options).unwrap();
    assert!(for_bob.resolve().unwrap().template_by_name(&name).is_none());
}
