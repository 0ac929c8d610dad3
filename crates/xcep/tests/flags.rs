//! Template flag words: names, unknown bits, `Display`.
//!
//! The template values come from the default templates listed in [MS-CRTD]
//! section 5, notes <41> and <42> (LDAP integers, converted to hex here).

use xcep::flags::{
    ClientAuthentication, EnrollmentFlags, GeneralFlags, KeySpec, KeyUsageProperty,
    PrivateKeyFlags, SubjectNameFlags,
};

#[test]
fn single_known_values() {
    let s = SubjectNameFlags::from_bits_retain(0x0000_0001);
    assert_eq!(s, SubjectNameFlags::ENROLLEE_SUPPLIES_SUBJECT);
    assert_eq!(s.names(), ["CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"]);
    assert_eq!(s.unknown_bits(), 0);

    let s = SubjectNameFlags::from_bits_retain(0x0800_0000);
    assert_eq!(s, SubjectNameFlags::SUBJECT_ALT_REQUIRE_DNS);

    let e = EnrollmentFlags::from_bits_retain(0x0000_0002);
    assert_eq!(e, EnrollmentFlags::PEND_ALL_REQUESTS);
    assert_eq!(e.to_string(), "CT_FLAG_PEND_ALL_REQUESTS");

    let e = EnrollmentFlags::from_bits_retain(0x0008_0000);
    assert_eq!(e.names(), ["CT_FLAG_NO_SECURITY_EXTENSION"]);

    let g = GeneralFlags::from_bits_retain(0x0000_0040);
    assert_eq!(g, GeneralFlags::MACHINE_TYPE);
    assert_eq!(g.to_string(), "CT_FLAG_MACHINE_TYPE");

    let p = PrivateKeyFlags::from_bits_retain(0x0000_0001);
    assert_eq!(p, PrivateKeyFlags::REQUIRE_PRIVATE_KEY_ARCHIVAL);
    assert_eq!(p.names(), ["CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL"]);
}

/// The same value means different things in each word.
#[test]
fn value_one_in_each_word() {
    assert_eq!(
        PrivateKeyFlags::from_bits_retain(1).names(),
        ["CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL"]
    );
    assert_eq!(
        SubjectNameFlags::from_bits_retain(1).names(),
        ["CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"]
    );
    assert_eq!(
        EnrollmentFlags::from_bits_retain(1).names(),
        ["CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS"]
    );
    // 0x1 is not a general flag.
    assert_eq!(GeneralFlags::from_bits_retain(1).to_string(), "0x00000001");
}

/// The `User` template: flags 197178, msPKI-Certificate-Name-Flag
/// -1509949440, msPKI-Enrollment-Flag 41, msPKI-Private-Key-Flag 16.
#[test]
fn user_template() {
    let s = SubjectNameFlags::from_bits_retain(0xA600_0000);
    assert_eq!(
        s,
        SubjectNameFlags::SUBJECT_ALT_REQUIRE_UPN
            | SubjectNameFlags::SUBJECT_ALT_REQUIRE_EMAIL
            | SubjectNameFlags::SUBJECT_REQUIRE_EMAIL
            | SubjectNameFlags::SUBJECT_REQUIRE_DIRECTORY_PATH
    );
    assert_eq!(
        s.to_string(),
        "CT_FLAG_SUBJECT_ALT_REQUIRE_UPN | CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL | \
         CT_FLAG_SUBJECT_REQUIRE_EMAIL | CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH"
    );
    assert_eq!(s.bits(), (-1_509_949_440_i32).cast_unsigned());

    let e = EnrollmentFlags::from_bits_retain(41);
    assert_eq!(
        e,
        EnrollmentFlags::INCLUDE_SYMMETRIC_ALGORITHMS
            | EnrollmentFlags::PUBLISH_TO_DS
            | EnrollmentFlags::AUTO_ENROLLMENT
    );
    assert_eq!(
        e.to_string(),
        "CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS | CT_FLAG_PUBLISH_TO_DS | CT_FLAG_AUTO_ENROLLMENT"
    );

    let p = PrivateKeyFlags::from_bits_retain(16);
    assert_eq!(p, PrivateKeyFlags::EXPORTABLE_KEY);
    assert_eq!(p.to_string(), "CT_FLAG_EXPORTABLE_KEY");
    assert_eq!((p.server_version(), p.client_version()), (0, 0));

    let g = GeneralFlags::from_bits_retain(197_178);
    assert_eq!(g.bits(), 0x0003_023A);
    assert_eq!(
        g.to_string(),
        "CT_FLAG_ADD_EMAIL | CT_FLAG_PUBLISH_TO_DS | CT_FLAG_EXPORTABLE_KEY | \
         CT_FLAG_AUTO_ENROLLMENT | CT_FLAG_ADD_TEMPLATE_NAME | CT_FLAG_IS_DEFAULT | \
         CT_FLAG_IS_MODIFIED"
    );
    assert_eq!(g.unknown_bits(), 0);
}

/// The `Machine` template: flags 197216, msPKI-Certificate-Name-Flag
/// 402653184, msPKI-Enrollment-Flag 32.
#[test]
fn machine_template() {
    let g = GeneralFlags::from_bits_retain(197_216);
    assert!(g.contains(GeneralFlags::MACHINE_TYPE));
    assert_eq!(
        g.names(),
        [
            "CT_FLAG_AUTO_ENROLLMENT",
            "CT_FLAG_MACHINE_TYPE",
            "CT_FLAG_ADD_TEMPLATE_NAME",
            "CT_FLAG_IS_DEFAULT",
            "CT_FLAG_IS_MODIFIED",
        ]
    );

    let s = SubjectNameFlags::from_bits_retain(402_653_184);
    assert_eq!(
        s,
        SubjectNameFlags::SUBJECT_ALT_REQUIRE_DNS | SubjectNameFlags::SUBJECT_REQUIRE_DNS_AS_CN
    );

    assert_eq!(
        EnrollmentFlags::from_bits_retain(32),
        EnrollmentFlags::AUTO_ENROLLMENT
    );
}

#[test]
fn unknown_bits_round_trip() {
    let s = SubjectNameFlags::from_bits_retain(0x0201_0101);
    assert_eq!(s.bits(), 0x0201_0101);
    assert_eq!(s.unknown_bits(), 0x0000_0100);
    assert_eq!(
        s.names(),
        [
            "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT",
            "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME",
            "CT_FLAG_SUBJECT_ALT_REQUIRE_UPN",
        ]
    );
    assert_eq!(
        s.to_string(),
        "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT | CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME | \
         CT_FLAG_SUBJECT_ALT_REQUIRE_UPN | 0x00000100"
    );

    // Names first, then the unknown remainder as hex.
    let e = EnrollmentFlags::from_bits_retain(0x0040_0021);
    assert_eq!(
        e.to_string(),
        "CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS | CT_FLAG_AUTO_ENROLLMENT | 0x00400000"
    );

    // MS-XCEP calls generalFlags 0x10000000 reserved; MS-CRTD has no name.
    let g = GeneralFlags::from_bits_retain(0x1000_0040);
    assert_eq!(g.unknown_bits(), 0x1000_0000);
    assert_eq!(g.to_string(), "CT_FLAG_MACHINE_TYPE | 0x10000000");

    for bits in [0, 1, 0x8000_0000, 0xFFFF_FFFF, 0x1234_5678] {
        assert_eq!(PrivateKeyFlags::from_bits_retain(bits).bits(), bits);
        assert_eq!(SubjectNameFlags::from_bits_retain(bits).bits(), bits);
        assert_eq!(EnrollmentFlags::from_bits_retain(bits).bits(), bits);
        assert_eq!(GeneralFlags::from_bits_retain(bits).bits(), bits);
        assert_eq!(KeySpec::from_bits_retain(bits).bits(), bits);
        assert_eq!(KeyUsageProperty::from_bits_retain(bits).bits(), bits);
        assert_eq!(ClientAuthentication::from_bits_retain(bits).bits(), bits);
    }
}

#[test]
fn empty_prints_zero() {
    assert_eq!(PrivateKeyFlags::empty().to_string(), "0");
    assert_eq!(SubjectNameFlags::default().to_string(), "0");
    assert_eq!(EnrollmentFlags::empty().to_string(), "0");
    assert_eq!(GeneralFlags::empty().to_string(), "0");
    assert_eq!(KeySpec::empty().to_string(), "0");
    assert_eq!(KeyUsageProperty::empty().to_string(), "0");
    assert_eq!(ClientAuthentication::empty().to_string(), "0");
    assert!(SubjectNameFlags::empty().names().is_empty());
    assert_eq!(SubjectNameFlags::empty().unknown_bits(), 0);
}

#[test]
fn every_named_flag_has_a_name() {
    for (name, flag) in PrivateKeyFlags::all()
        .iter_names()
        .filter(|(n, _)| !n.ends_with("_MASK"))
    {
        assert_eq!(flag.names(), [format!("CT_FLAG_{name}")], "{name}");
        assert_eq!(flag.unknown_bits(), 0, "{name}");
    }
    for (name, flag) in SubjectNameFlags::all().iter_names() {
        assert_eq!(flag.names(), [format!("CT_FLAG_{name}")], "{name}");
    }
    for (name, flag) in EnrollmentFlags::all().iter_names() {
        assert_eq!(flag.names(), [format!("CT_FLAG_{name}")], "{name}");
    }
    for (name, flag) in GeneralFlags::all().iter_names() {
        assert_eq!(flag.names(), [format!("CT_FLAG_{name}")], "{name}");
    }
}

#[test]
fn private_key_versions() {
    // A Windows Server 2016 style V4 template: exportable, same-key
    // renewal, minimum CA 2012 R2 (5), minimum client 8.1 (5).
    let p = PrivateKeyFlags::from_bits_retain(0x0505_0090);
    assert_eq!(p.server_version(), 5);
    assert_eq!(p.client_version(), 5);
    assert_eq!(
        p.names(),
        ["CT_FLAG_EXPORTABLE_KEY", "CT_FLAG_REQUIRE_SAME_KEY_RENEWAL"]
    );
    assert_eq!(p.unknown_bits(), 0);
    assert_eq!(
        p.to_string(),
        "CT_FLAG_EXPORTABLE_KEY | CT_FLAG_REQUIRE_SAME_KEY_RENEWAL | server version 5 | client version 5"
    );

    let built = PrivateKeyFlags::EXPORTABLE_KEY
        .with_server_version(2)
        .with_client_version(3);
    assert_eq!(built.bits(), 0x0302_0010);
    assert_eq!(built.with_server_version(0).bits(), 0x0300_0010);
    // Only the low four bits are kept.
    assert_eq!(
        PrivateKeyFlags::empty()
            .with_client_version(0x1F)
            .client_version(),
        0xF
    );

    // Version fields alone, and with an unknown bit beside them.
    assert_eq!(
        PrivateKeyFlags::from_bits_retain(0x0001_0000).to_string(),
        "server version 1"
    );
    assert_eq!(
        PrivateKeyFlags::from_bits_retain(0x1011_0000).to_string(),
        "server version 1 | 0x10100000"
    );
}

#[test]
fn private_key_attestation() {
    let p = PrivateKeyFlags::from_bits_retain(0x0000_3E00);
    assert_eq!(
        p.names(),
        [
            "CT_FLAG_EK_TRUST_ON_USE",
            "CT_FLAG_EK_VALIDATE_CERT",
            "CT_FLAG_EK_VALIDATE_KEY",
            "CT_FLAG_ATTEST_PREFERRED",
            "CT_FLAG_ATTEST_REQUIRED",
        ]
    );
    assert_eq!(PrivateKeyFlags::ATTEST_NONE.bits(), 0);
    assert_eq!(
        PrivateKeyFlags::from_bits_retain(0x0020_4000).to_string(),
        "CT_FLAG_ATTESTATION_WITHOUT_POLICY | CT_FLAG_HELLO_LOGON_KEY"
    );
    // certenroll's PrivateKeyHelloKspKey (0x00100000) is not in MS-CRTD.
    assert_eq!(
        PrivateKeyFlags::from_bits_retain(0x0010_0000).unknown_bits(),
        0x0010_0000
    );
}

#[test]
fn key_spec_is_a_value() {
    assert_eq!(KeySpec::from_bits_retain(1), KeySpec::AT_KEYEXCHANGE);
    assert_eq!(KeySpec::from_bits_retain(1).to_string(), "AT_KEYEXCHANGE");
    assert_eq!(KeySpec::from_bits_retain(2).names(), ["AT_SIGNATURE"]);
    let three = KeySpec::from_bits_retain(3);
    assert!(three.names().is_empty());
    assert_eq!(three.unknown_bits(), 3);
    assert_eq!(three.to_string(), "0x00000003");
}

#[test]
fn client_authentication_is_a_value() {
    let cases = [
        (1, "X509AuthAnonymous", ClientAuthentication::ANONYMOUS),
        (2, "X509AuthKerberos", ClientAuthentication::KERBEROS),
        (
            4,
            "X509AuthUsername",
            ClientAuthentication::USERNAME_PASSWORD,
        ),
        (
            8,
            "X509AuthCertificate",
            ClientAuthentication::CLIENT_CERTIFICATE,
        ),
    ];
    for (bits, name, flag) in cases {
        let c = ClientAuthentication::from_bits_retain(bits);
        assert_eq!(c, flag);
        assert_eq!(c.to_string(), name);
        assert_eq!(c.unknown_bits(), 0);
    }
    // "MUST have one of the following values": a combination is not one.
    let both = ClientAuthentication::from_bits_retain(6);
    assert!(both.names().is_empty());
    assert_eq!(both.to_string(), "0x00000006");
}

#[test]
fn key_usage_property() {
    assert_eq!(
        KeyUsageProperty::from_bits_retain(0x00FF_FFFF).to_string(),
        "NCRYPT_ALLOW_ALL_USAGES"
    );
    assert_eq!(
        KeyUsageProperty::from_bits_retain(0x01FF_FFFF).to_string(),
        "NCRYPT_ALLOW_ALL_USAGES | 0x01000000"
    );
    assert_eq!(
        KeyUsageProperty::from_bits_retain(3).to_string(),
        "NCRYPT_ALLOW_DECRYPT_FLAG | NCRYPT_ALLOW_SIGNING_FLAG"
    );
    let k = KeyUsageProperty::from_bits_retain(0x0000_000C);
    assert_eq!(k.names(), ["NCRYPT_ALLOW_KEY_AGREEMENT_FLAG"]);
    assert_eq!(k.unknown_bits(), 0x8);
}
