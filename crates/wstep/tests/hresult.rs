//! Tests of `wstep::hresult`: the known-code table, parsing and display.

use std::collections::HashSet;

use wstep::hresult::{HResult, KNOWN};

#[test]
fn template_denied_in_every_form() {
    let hr = HResult::CERTSRV_E_TEMPLATE_DENIED;
    assert_eq!(hr.as_u32(), 0x8009_4012);
    assert_eq!(hr.0, -2_146_877_422);
    assert_eq!(hr.as_i32(), -2_146_877_422);
    assert_eq!(HResult::from(0x8009_4012_u32), hr);
    assert_eq!(HResult::from(-2_146_877_422_i32), hr);
    assert_eq!(HResult(-2_146_877_422), hr);
    assert_eq!(i32::from(hr), -2_146_877_422);
    assert_eq!(u32::from(hr), 0x8009_4012);

    for text in [
        "CERTSRV_E_TEMPLATE_DENIED",
        "certsrv_e_template_denied",
        "0x80094012",
        "0X80094012",
        "0x0000000080094012",
        "-2146877422",
        "2148089874",
        "  -2146877422\n",
    ] {
        assert_eq!(text.parse::<HResult>(), Ok(hr), "{text:?}");
    }
    assert_eq!(HResult::from_name("CERTSRV_E_TEMPLATE_DENIED"), Some(hr));
    assert_eq!(hr.name(), Some("CERTSRV_E_TEMPLATE_DENIED"));
}

/// Known codes with their value and name, checked one by one.
const NAMED: &[(HResult, u32, &str)] = &[
    (HResult::S_OK, 0x0000_0000, "S_OK"),
    (HResult::E_PENDING, 0x8000_000A, "E_PENDING"),
    (HResult::E_NOTIMPL, 0x8000_4001, "E_NOTIMPL"),
    (HResult::E_FAIL, 0x8000_4005, "E_FAIL"),
    (HResult::E_UNEXPECTED, 0x8000_FFFF, "E_UNEXPECTED"),
    (HResult::E_ACCESSDENIED, 0x8007_0005, "E_ACCESSDENIED"),
    (HResult::E_OUTOFMEMORY, 0x8007_000E, "E_OUTOFMEMORY"),
    (HResult::E_INVALIDARG, 0x8007_0057, "E_INVALIDARG"),
    (HResult::ERROR_NOT_FOUND, 0x8007_0490, "ERROR_NOT_FOUND"),
    (
        HResult::RPC_S_SERVER_UNAVAILABLE,
        0x8007_06BA,
        "RPC_S_SERVER_UNAVAILABLE",
    ),
    (HResult::NTE_BAD_SIGNATURE, 0x8009_0006, "NTE_BAD_SIGNATURE"),
    (HResult::NTE_BAD_KEYSET, 0x8009_0016, "NTE_BAD_KEYSET"),
    (
        HResult::CRYPT_E_BAD_ENCODE,
        0x8009_2002,
        "CRYPT_E_BAD_ENCODE",
    ),
    (HResult::CRYPT_E_NOT_FOUND, 0x8009_2004, "CRYPT_E_NOT_FOUND"),
    (HResult::CRYPT_E_REVOKED, 0x8009_2010, "CRYPT_E_REVOKED"),
    (
        HResult::CRYPT_E_NO_REVOCATION_CHECK,
        0x8009_2012,
        "CRYPT_E_NO_REVOCATION_CHECK",
    ),
    (
        HResult::CRYPT_E_ASN1_BADTAG,
        0x8009_310B,
        "CRYPT_E_ASN1_BADTAG",
    ),
    (
        HResult::CERTSRV_E_BAD_REQUESTSUBJECT,
        0x8009_4001,
        "CERTSRV_E_BAD_REQUESTSUBJECT",
    ),
    (
        HResult::CERTSRV_E_BAD_REQUESTSTATUS,
        0x8009_4003,
        "CERTSRV_E_BAD_REQUESTSTATUS",
    ),
    (
        HResult::CERTSRV_E_RESTRICTEDOFFICER,
        0x8009_4009,
        "CERTSRV_E_RESTRICTEDOFFICER",
    ),
    (
        HResult::CERTSRV_E_ADMIN_DENIED_REQUEST,
        0x8009_4014,
        "CERTSRV_E_ADMIN_DENIED_REQUEST",
    ),
    (
        HResult::CERTSRV_E_ENCRYPTION_CERT_REQUIRED,
        0x8009_4018,
        "CERTSRV_E_ENCRYPTION_CERT_REQUIRED",
    ),
    (
        HResult::CERTSRV_E_UNSUPPORTED_CERT_TYPE,
        0x8009_4800,
        "CERTSRV_E_UNSUPPORTED_CERT_TYPE",
    ),
    (
        HResult::CERTSRV_E_NO_CERT_TYPE,
        0x8009_4801,
        "CERTSRV_E_NO_CERT_TYPE",
    ),
    (
        HResult::CERTSRV_E_BAD_TEMPLATE_VERSION,
        0x8009_4807,
        "CERTSRV_E_BAD_TEMPLATE_VERSION",
    ),
    (
        HResult::CERTSRV_E_KEY_LENGTH,
        0x8009_4811,
        "CERTSRV_E_KEY_LENGTH",
    ),
    (
        HResult::CERTSRV_E_SEC_EXT_DIRECTORY_SID_REQUIRED,
        0x8009_4821,
        "CERTSRV_E_SEC_EXT_DIRECTORY_SID_REQUIRED",
    ),
    (
        HResult::TRUST_E_CERT_SIGNATURE,
        0x8009_6004,
        "TRUST_E_CERT_SIGNATURE",
    ),
    (HResult::CERT_E_EXPIRED, 0x800B_0101, "CERT_E_EXPIRED"),
    (
        HResult::CERT_E_UNTRUSTEDROOT,
        0x800B_0109,
        "CERT_E_UNTRUSTEDROOT",
    ),
    (
        HResult::CERT_E_WRONG_USAGE,
        0x800B_0110,
        "CERT_E_WRONG_USAGE",
    ),
];

#[test]
fn named_values() {
    for &(hr, value, name) in NAMED {
        assert_eq!(hr.as_u32(), value, "{name}");
        assert_eq!(hr.name(), Some(name));
        assert!(hr.message().is_some_and(|m| !m.is_empty()), "{name}");
        assert_eq!(HResult::from_name(name), Some(hr));
        assert_eq!(name.parse::<HResult>(), Ok(hr));
        assert_eq!(format!("{value:#x}").parse::<HResult>(), Ok(hr));
        assert_eq!(hr.0.to_string().parse::<HResult>(), Ok(hr));
    }
}

#[test]
fn certsrv_family_is_complete() {
    let low: Vec<u32> = (0x8009_4001..=0x8009_4018).collect();
    let high: Vec<u32> = (0x8009_4800..=0x8009_4821).collect();
    for value in low.into_iter().chain(high) {
        let name = HResult::from(value).name();
        assert!(
            name.is_some_and(|n| n.starts_with("CERTSRV_E_")),
            "0x{value:08X} -> {name:?}"
        );
    }
    let count = KNOWN
        .iter()
        .filter(|(_, name, _)| name.starts_with("CERTSRV_E_"))
        .count();
    assert_eq!(count, 0x18 + 0x22);
}

#[test]
fn display_exact() {
    assert_eq!(
        HResult::CERTSRV_E_TEMPLATE_DENIED.to_string(),
        "CERTSRV_E_TEMPLATE_DENIED (0x80094012): The permissions on the certificate \
         template do not allow the current user to enroll for this type of certificate."
    );
    assert_eq!(
        HResult::E_ACCESSDENIED.to_string(),
        "E_ACCESSDENIED (0x80070005): General access denied error."
    );
    assert_eq!(
        HResult::CERTSRV_E_UNSUPPORTED_CERT_TYPE.to_string(),
        "CERTSRV_E_UNSUPPORTED_CERT_TYPE (0x80094800): The requested certificate \
         template is not supported by this CA."
    );
    assert_eq!(
        HResult::S_OK.to_string(),
        "S_OK (0x00000000): The operation completed successfully."
    );
    assert_eq!(
        HResult::CERT_E_UNTRUSTEDROOT.to_string(),
        "CERT_E_UNTRUSTEDROOT (0x800B0109): A certificate chain processed, but \
         terminated in a root certificate which is not trusted by the trust provider."
    );
}

#[test]
fn unknown_code_is_kept_and_printed_as_hex() {
    let hr: HResult = "0x80091234".parse().unwrap();
    assert_eq!(hr.as_u32(), 0x8009_1234);
    assert_eq!(hr.name(), None);
    assert_eq!(hr.message(), None);
    assert!(!hr.is_known());
    assert_eq!(hr.to_string(), "0x80091234");
    assert_eq!(HResult(-1).to_string(), "0xFFFFFFFF");
    assert_eq!(HResult(0x1234).to_string(), "0x00001234");
    assert_eq!(
        "-2146889164".parse::<HResult>(),
        Ok(HResult(-2_146_889_164))
    );
    assert_eq!(HResult(-2_146_889_164).to_string(), "0x80091234");
    assert_eq!(HResult::from(0x8009_1234_u32).0, -2_146_889_164);
    assert_eq!(format!("{hr:x}"), "80091234");
    assert_eq!(format!("{hr:#X}"), "0x80091234");
}

#[test]
fn parse_rejects_junk() {
    for text in [
        "",
        "   ",
        "0x",
        "0x+1",
        "0x-1",
        "0x1_0000",
        "0x100000000",
        "4294967296",
        "-2147483649",
        "12abc",
        "CERTSRV_E_NO_SUCH_THING",
        "E_INVALIDARG2",
    ] {
        let err = text.parse::<HResult>().unwrap_err();
        assert_eq!(err.input(), text);
        assert!(!err.to_string().is_empty());
    }
    assert_eq!(HResult::from_name("NOT_A_CODE"), None);
}

#[test]
fn decimal_extremes() {
    assert_eq!("4294967295".parse::<HResult>(), Ok(HResult(-1)));
    assert_eq!("-2147483648".parse::<HResult>(), Ok(HResult(i32::MIN)));
    assert_eq!("2147483647".parse::<HResult>(), Ok(HResult(i32::MAX)));
    assert_eq!("+5".parse::<HResult>(), Ok(HResult(5)));
    assert_eq!("0".parse::<HResult>(), Ok(HResult::S_OK));
}

#[test]
fn facility_code_severity() {
    let hr = HResult::CERTSRV_E_TEMPLATE_DENIED;
    assert!(hr.is_failure());
    assert!(!hr.is_success());
    assert_eq!(hr.facility(), 9);
    assert_eq!(hr.code(), 0x4012);
    assert_eq!(hr.win32_code(), None);

    assert_eq!(HResult::CERT_E_EXPIRED.facility(), 11);
    assert_eq!(HResult::CERT_E_EXPIRED.code(), 0x0101);

    assert!(HResult::S_OK.is_success());
    assert!(!HResult::S_OK.is_failure());
    assert_eq!(HResult::S_OK.facility(), 0);

    assert_eq!(HResult::ERROR_NOT_FOUND.facility(), 7);
    assert_eq!(HResult::ERROR_NOT_FOUND.win32_code(), Some(1168));
    assert_eq!(HResult::from_win32(1168), HResult::ERROR_NOT_FOUND);
    assert_eq!(HResult::from_win32(5), HResult::E_ACCESSDENIED);
    assert_eq!(HResult::from_win32(1722), HResult::RPC_S_SERVER_UNAVAILABLE);
    assert_eq!(HResult::from_win32(0), HResult::S_OK);
    assert_eq!(HResult::from_win32(0x8009_4012), hr);
}

#[test]
fn table_sorted_and_unique() {
    assert!(
        KNOWN.windows(2).all(|w| w[0].0 < w[1].0),
        "KNOWN is not strictly sorted by value"
    );
    let mut names = HashSet::new();
    for &(value, name, message) in KNOWN {
        assert!(names.insert(name), "duplicate name {name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "{name}"
        );
        assert!(!message.is_empty(), "{name}");
        assert!(message.ends_with('.'), "{name}: {message}");
        let hr = HResult::from(value);
        assert_eq!(hr.name(), Some(name));
        assert_eq!(hr.message(), Some(message));
        assert_eq!(HResult::from_name(name), Some(hr));
        assert_eq!(name.parse::<HResult>(), Ok(hr));
        assert_eq!(hr.to_string(), format!("{name} (0x{value:08X}): {message}"));
    }
    assert!(KNOWN.len() > 250, "{}", KNOWN.len());
}
