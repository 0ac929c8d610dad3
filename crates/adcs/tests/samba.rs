//! On a real Samba AD DC (`testkit::samba`): what a new domain's
//! `CN=Public Key Services` holds, and a default template written into it
//! with `ldbadd`, read back over LDAP (LDIF from `ldbsearch`), mapped and
//! evaluated for the DC's Administrator.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

mod common;

use std::fmt::Write as _;

use base64::Engine as _;
use cepces_adcs::security::{Caller, SddlDomains, SecurityDescriptor, Sid};
use cepces_adcs::{CertificateTemplate, EnterpriseOid, LdapEntry, PolicyBuilder};
use testkit::samba::Dc;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The entries of `ldbsearch`'s LDIF (RFC 2849: `name: value`, `name::
/// base64`, continuation lines starting with a space, comments with `#`).
fn parse_ldif(text: &str) -> Vec<LdapEntry> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(' ') {
            lines.last_mut().unwrap().push_str(rest);
        } else {
            lines.push(line.to_owned());
        }
    }
    let mut entries = Vec::new();
    let mut current: Option<LdapEntry> = None;
    for line in lines {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            entries.extend(current.take());
            continue;
        }
        let (name, value) = line.split_once(':').unwrap();
        let value = if let Some(b64) = value.strip_prefix(':') {
            B64.decode(b64.trim()).unwrap()
        } else {
            value.trim_start().as_bytes().to_vec()
        };
        if name == "dn" {
            entries.extend(current.take());
            current = Some(LdapEntry::new(String::from_utf8(value).unwrap()));
        } else if let Some(e) = current.as_mut() {
            e.insert(name, [value]);
        }
    }
    entries.extend(current);
    entries
}

fn pks(dc: &Dc) -> String {
    format!(
        "CN=Public Key Services,CN=Services,CN=Configuration,{}",
        dc.base_dn()
    )
}

#[test]
fn samba_provisions_no_templates_and_a_loaded_one_maps() {
    let Some(dc) = Dc::shared() else { return };
    let filter = "(|(objectClass=pKICertificateTemplate)(objectClass=pKIEnrollmentService)(objectClass=msPKI-Enterprise-Oid))";
    let base = pks(dc);
    let found = parse_ldif(&dc.ldap_search(&["-b", &base, "-s", "sub", filter]));
    // Only the CN=OID container, itself an msPKI-Enterprise-Oid without an OID.
    let dns: Vec<&str> = found.iter().map(LdapEntry::dn).collect();
    assert_eq!(dns, [format!("CN=OID,{base}")], "{found:#?}");
    assert_eq!(EnterpriseOid::from_entry(&found[0]).unwrap(), None);

    // The Administrator's SIDs, as the server would read them.
    // (tokenGroups is computed, for a base search only.)
    let admin_dn = dc.dn_of("Administrator");
    let admin = parse_ldif(&dc.ldap_search(&[
        "-b",
        &admin_dn,
        "-s",
        "base",
        "(objectClass=*)",
        "objectSid",
        "tokenGroups",
        "--show-binary",
    ]));
    let admin = &admin[0];
    // ldbsearch prints SIDs in their string form even with --show-binary;
    // an LDAP client gets the binary form (as from_ldap_values reads).
    let sid = |v: &Vec<u8>| -> Sid {
        Sid::from_bytes(v).unwrap_or_else(|_| std::str::from_utf8(v).unwrap().parse().unwrap())
    };
    let object_sid = sid(&admin.values("objectSid")[0]);
    let groups: Vec<Sid> = admin.values("tokenGroups").iter().map(sid).collect();
    let binary: Vec<Vec<u8>> = groups.iter().map(Sid::to_bytes).collect();
    let caller = Caller::from_ldap_values(&object_sid.to_bytes(), &binary).unwrap();
    assert!(groups.len() >= 3, "{admin:#?}");
    let domain_sid = {
        let s = object_sid;
        Sid::new(
            s.authority(),
            &s.sub_authorities()[..s.sub_authorities().len() - 1],
        )
        .unwrap()
    };
    assert!(caller.has(&domain_sid.with_rid(512).unwrap()), "{caller:?}"); // Domain Admins

    // The User template with the default User DACL of this domain.
    let cn = dc.unique("User");
    let dn = format!("CN={cn},CN=Certificate Templates,{base}");
    let mut sd = common::user_dacl();
    for ace in &mut sd.dacl.as_mut().unwrap().aces {
        let rid = ace.sid.as_ref().unwrap().rid().unwrap();
        if ace.sid.as_ref().unwrap().sub_authorities().len() == 5 {
            ace.sid = domain_sid.with_rid(rid);
        }
    }
    sd.owner = domain_sid.with_rid(519);
    sd.group = domain_sid.with_rid(519);
    let mut ldif = format!("dn: {dn}\nobjectClass: top\nobjectClass: pKICertificateTemplate\n");
    let user = common::entry(&dn, common::USER);
    for name in user.attribute_names() {
        if matches!(name, "cn" | "name") {
            continue;
        }
        for v in user.values(name) {
            writeln!(ldif, "{name}:: {}", B64.encode(v)).unwrap();
        }
    }
    writeln!(
        ldif,
        "cn: {cn}\nnTSecurityDescriptor:: {}",
        B64.encode(sd.to_bytes())
    )
    .unwrap();
    let mut add = dc.krb5_command("ldbadd", None);
    add.arg("-H").arg(dc.dir().join("private/sam.ldb"));
    add.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = add.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), ldif.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ldbadd: {}\n{ldif}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Read back over LDAP: binary values come as base64 (`name:: `).
    let read = parse_ldif(&dc.ldap_search(&[
        "-b",
        &dn,
        "-s",
        "base",
        "(objectClass=pKICertificateTemplate)",
        "*",
        "nTSecurityDescriptor",
    ]));
    assert_eq!(read.len(), 1, "{read:#?}");
    // ldbsearch prints nTSecurityDescriptor as SDDL, not as the binary an
    // LDAP client receives: reading that is a typed error, not a panic.
    let sddl = String::from_utf8(read[0].values("nTSecurityDescriptor")[0].clone()).unwrap();
    let err = CertificateTemplate::from_entry(&read[0]).unwrap_err();
    assert_eq!(err.attribute(), "nTSecurityDescriptor");
    assert!(
        sddl.contains("(OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)"),
        "{sddl}"
    );
    let mut entry = LdapEntry::new(read[0].dn());
    for name in read[0].attribute_names() {
        if !name.eq_ignore_ascii_case("nTSecurityDescriptor") {
            entry.insert(name, read[0].values(name).iter().cloned());
        }
    }
    // The directory's descriptor (Samba added the container's inheritable
    // ACEs), from its SDDL, in the binary form an LDAP client receives.
    let stored =
        SecurityDescriptor::from_sddl(&sddl, &SddlDomains::single(domain_sid.clone())).unwrap();
    assert!(stored.dacl.as_ref().unwrap().aces.len() > 6, "{sddl}");
    entry.insert("nTSecurityDescriptor", [stored.to_bytes()]);
    let t = CertificateTemplate::from_entry(&entry).unwrap();
    assert_eq!(t.cn, cn);
    assert_eq!(t.validity.seconds(), 365 * 86_400);
    assert_eq!(t.overlap.seconds(), 42 * 86_400);
    assert_eq!(t.subject_name_flags.bits(), 0xA600_0000);
    assert_eq!(t.key_usage.as_deref(), Some(&[0xA0, 0x00][..]));
    assert_eq!(t.extended_key_usage.len(), 3);
    assert_eq!(t.csps.len(), 2);
    let sd = t.security_descriptor.as_ref().unwrap();
    // The Administrator: Enroll from the explicit object ACEs, AutoEnroll
    // too, from the inherited full-control ACEs of Domain and Enterprise
    // Admins (they include CR, every extended right).
    let p = sd.permission(&caller);
    assert!(p.enroll && p.auto_enroll, "{sddl}");
    // A Domain User: Enroll only.
    let user = Caller::new(
        domain_sid.with_rid(4000).unwrap(),
        [domain_sid.with_rid(513).unwrap()],
    );
    let p = sd.permission(&user);
    assert!(p.enroll && !p.auto_enroll, "{sddl}");
    // Only Everyone and Authenticated Users: nothing.
    let nobody = Caller::new(domain_sid.with_rid(4001).unwrap(), []);
    assert!(!sd.permission(&nobody).enroll);

    let (response, skipped) = PolicyBuilder::new("{00000000-0000-0000-0000-000000000001}")
        .with_template(t)
        .build(&caller);
    assert_eq!(skipped, []);
    assert!(response.resolve().unwrap().template_by_name(&cn).is_some());
}
