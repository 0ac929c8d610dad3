//! Whatever a directory returns, reading it gives a value or a typed error
//! naming the entry and attribute, never a panic.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use cepces_adcs::security::{Caller, SecurityDescriptor};
use cepces_adcs::{
    CertificateTemplate, EnrollmentService, EnterpriseOid, Error, LdapEntry, PolicyBuilder,
};
use proptest::prelude::*;

const TEMPLATE_ATTRIBUTES: &[&str] = &[
    "cn",
    "displayName",
    "flags",
    "revision",
    "msPKI-Template-Minor-Revision",
    "msPKI-Template-Schema-Version",
    "msPKI-Cert-Template-OID",
    "pKIExpirationPeriod",
    "pKIOverlapPeriod",
    "pKIKeyUsage",
    "pKIExtendedKeyUsage",
    "msPKI-Certificate-Application-Policy",
    "pKICriticalExtensions",
    "pKIDefaultKeySpec",
    "pKIDefaultCSPs",
    "pKIMaxIssuingDepth",
    "msPKI-Minimal-Key-Size",
    "msPKI-Enrollment-Flag",
    "msPKI-Private-Key-Flag",
    "msPKI-Certificate-Name-Flag",
    "msPKI-RA-Signature",
    "msPKI-RA-Application-Policies",
    "msPKI-RA-Policies",
    "msPKI-Supersede-Templates",
    "msPKI-Certificate-Policy",
    "nTSecurityDescriptor",
];

/// Values that are often almost right: digits, OIDs, separators, bytes.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        "[-0-9., `\n]{0,30}".prop_map(String::into_bytes),
        "(msPKI-[A-Za-z-]{1,20}`(DWORD|PZPWSTR|X)`[0-9A-Z,.]{0,10}`){1,3}"
            .prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_template_with_one_attribute_replaced_reads_or_names_it(
        index in 0..TEMPLATE_ATTRIBUTES.len(),
        values in proptest::collection::vec(value(), 0..3),
    ) {
        let name = TEMPLATE_ATTRIBUTES[index];
        let dn = common::template_dn("User");
        let good = common::template("User", common::USER, &common::user_dacl());
        let mut e = LdapEntry::new(&dn);
        for n in good.attribute_names() {
            if !n.eq_ignore_ascii_case(name) {
                e.insert(n, good.values(n).iter().cloned());
            }
        }
        e.insert(name, values);
        match CertificateTemplate::from_entry(&e) {
            Ok(t) => {
                // And it builds a policy without panicking.
                let caller = Caller::new(common::domain(1104), [common::domain(513)]);
                let _ = PolicyBuilder::new("{x}").with_template(t).build(&caller);
            }
            Err(err) => {
                prop_assert_eq!(err.dn(), dn.as_str());
                prop_assert!(err.attribute().eq_ignore_ascii_case(name), "{} for {}", err, name);
                let typed = matches!(err, Error::BadValue { .. } | Error::MissingAttribute { .. });
                prop_assert!(typed, "{:?}", err);
            }
        }
    }

    #[test]
    fn arbitrary_services_oids_and_descriptors_never_panic(
        servers in proptest::collection::vec(value(), 0..3),
        oid in value(),
        flags in value(),
        sd in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let e = LdapEntry::new("CN=x")
            .with_attribute("cn", ["x"])
            .with_attribute("msPKI-Enrollment-Servers", servers)
            .with_attribute("cACertificate", [vec![0x30, 0]])
            .with_attribute("nTSecurityDescriptor", [sd.clone()]);
        let _ = EnrollmentService::from_entry(&e);
        let o = LdapEntry::new("CN=o")
            .with_attribute("msPKI-Cert-Template-OID", [oid])
            .with_attribute("flags", [flags]);
        let _ = EnterpriseOid::from_entry(&o);
        if let Ok(sd) = SecurityDescriptor::from_bytes(&sd) {
            let _ = sd.permission(&Caller::from_sids([]));
        }
    }
}
