//! X.509 extensions shown by name: the extensions a MS-XCEP template asks
//! for (`attributes/extensions`, [MS-XCEP] 3.1.4.1.3.13) and what they
//! hold.
//!
//! Decoded by OID: the certificate template extension
//! (`1.3.6.1.4.1.311.21.7`: template OID and major/minor version,
//! [MS-WCCE] 2.2.2.7.7.2), the v1 template name (`1.3.6.1.4.1.311.20.2`, a
//! BMPString, [MS-WCCE] 2.2.2.7.7.1), Extended Key Usage (`2.5.29.37`, each
//! purpose by name), Key Usage (`2.5.29.15`, the bits by name) and
//! application policies (`1.3.6.1.4.1.311.21.10`, the policy OIDs by
//! name). Any other extension is shown with its size. A value that does not
//! decode is shown with the error.
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
//! [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/

use const_oid::ObjectIdentifier;
use der::Decode;
use wstep::payload::{CertificateTemplate, TemplateInfo};
use x509_cert::ext::pkix::{CertificatePolicies, ExtendedKeyUsage, KeyUsage};

use crate::value::Value;

const TEMPLATE_INFO: &str = "1.3.6.1.4.1.311.21.7";
const TEMPLATE_NAME: &str = "1.3.6.1.4.1.311.20.2";
const EXTENDED_KEY_USAGE: &str = "2.5.29.37";
const KEY_USAGE: &str = "2.5.29.15";
const APPLICATION_POLICIES: &str = "1.3.6.1.4.1.311.21.10";

/// Names of OIDs that the `const-oid` database does not know.
const MICROSOFT_NAMES: &[(&str, &str)] = &[
    (TEMPLATE_INFO, "szOID_CERTIFICATE_TEMPLATE"),
    (TEMPLATE_NAME, "szOID_ENROLL_CERTTYPE_EXTENSION"),
    (APPLICATION_POLICIES, "szOID_APPLICATION_CERT_POLICIES"),
    (
        "1.3.6.1.4.1.311.10.3.4",
        "szOID_EFS_CRYPTO (Encrypting File System)",
    ),
    (
        "1.3.6.1.4.1.311.10.3.4.1",
        "szOID_EFS_RECOVERY (File Recovery)",
    ),
    ("1.3.6.1.4.1.311.10.3.12", "szOID_KP_DOCUMENT_SIGNING"),
    (
        "1.3.6.1.4.1.311.20.2.2",
        "szOID_KP_SMARTCARD_LOGON (Smart Card Logon)",
    ),
    (
        "1.3.6.1.4.1.311.20.2.1",
        "szOID_ENROLLMENT_AGENT (Certificate Request Agent)",
    ),
    (
        "1.3.6.1.4.1.311.21.5",
        "szOID_KP_CA_EXCHANGE (Private Key Archival)",
    ),
    (
        "1.3.6.1.4.1.311.21.6",
        "szOID_KP_KEY_RECOVERY_AGENT (Key Recovery Agent)",
    ),
    ("1.3.6.1.4.1.311.10.3.1", "szOID_KP_CTL_USAGE_SIGNING"),
    ("1.3.6.1.4.1.311.54.1.2", "Remote Desktop Authentication"),
    ("1.3.6.1.5.2.3.5", "id-pkinit-KPKdc (KDC Authentication)"),
];

/// The name of `oid`: Microsoft's for its arc, else the `const-oid`
/// database's (RFC names such as `id-kp-serverAuth`), else `None`.
pub fn oid_name(oid: &str) -> Option<String> {
    if let Some((_, n)) = MICROSOFT_NAMES.iter().find(|(o, _)| *o == oid) {
        return Some((*n).to_owned());
    }
    let parsed = ObjectIdentifier::new(oid).ok()?;
    const_oid::db::DB.by_oid(&parsed).map(str::to_owned)
}

/// An OID with its name: `{"value", "name"}`.
fn named_oid(oid: &str) -> Value {
    Value::Record(vec![
        ("oid", Value::Text(oid.to_owned())),
        ("name", Value::text_or_nil(oid_name(oid).as_deref())),
    ])
}

/// The Key Usage bits by RFC 5280 name, in bit order.
fn key_usage_names(ku: KeyUsage) -> Vec<&'static str> {
    use x509_cert::ext::pkix::KeyUsages as K;
    [
        (K::DigitalSignature, "digitalSignature"),
        (K::NonRepudiation, "nonRepudiation"),
        (K::KeyEncipherment, "keyEncipherment"),
        (K::DataEncipherment, "dataEncipherment"),
        (K::KeyAgreement, "keyAgreement"),
        (K::KeyCertSign, "keyCertSign"),
        (K::CRLSign, "cRLSign"),
        (K::EncipherOnly, "encipherOnly"),
        (K::DecipherOnly, "decipherOnly"),
    ]
    .into_iter()
    .filter(|(bit, _)| ku.0.contains(*bit))
    .map(|(_, n)| n)
    .collect()
}

/// What the DER `value` of extension `oid` holds, as record fields; an
/// error when it does not decode as the extension's type.
fn decoded(oid: &str, value: &[u8]) -> Result<Vec<(&'static str, Value)>, String> {
    let texts = |v: Vec<Value>| Value::List(v);
    Ok(match oid {
        TEMPLATE_INFO => {
            let info = TemplateInfo::from_der(value).map_err(|e| e.to_string())?;
            vec![
                ("template_oid", named_oid(&info.template_id.to_string())),
                (
                    "major_version",
                    Value::map_or_nil(info.major_version, |v| Value::Int(v.into())),
                ),
                (
                    "minor_version",
                    Value::map_or_nil(info.minor_version, |v| Value::Int(v.into())),
                ),
            ]
        }
        TEMPLATE_NAME => {
            let ext = x509_cert::ext::Extension {
                extn_id: ObjectIdentifier::new_unwrap(TEMPLATE_NAME),
                critical: false,
                extn_value: der::asn1::OctetString::new(value).map_err(|e| e.to_string())?,
            };
            let t = CertificateTemplate::from_extensions(&[ext]).map_err(|e| e.to_string())?;
            vec![(
                "template_name",
                Value::text_or_nil(t.and_then(|t| t.name).as_deref()),
            )]
        }
        EXTENDED_KEY_USAGE => {
            let eku = ExtendedKeyUsage::from_der(value).map_err(|e| e.to_string())?;
            vec![(
                "purposes",
                texts(eku.0.iter().map(|o| named_oid(&o.to_string())).collect()),
            )]
        }
        KEY_USAGE => {
            let ku = KeyUsage::from_der(value).map_err(|e| e.to_string())?;
            vec![(
                "key_usage",
                texts(
                    key_usage_names(ku)
                        .into_iter()
                        .map(|n| Value::Text(n.to_owned()))
                        .collect(),
                ),
            )]
        }
        APPLICATION_POLICIES => {
            let p = CertificatePolicies::from_der(value).map_err(|e| e.to_string())?;
            vec![(
                "policies",
                texts(
                    p.0.iter()
                        .map(|i| named_oid(&i.policy_identifier.to_string()))
                        .collect(),
                ),
            )]
        }
        _ => Vec::new(),
    })
}

/// One template extension: its OID (when the reference resolves) and name,
/// the critical flag, and what its value holds.
///
/// `oid` is `None` when `oIDReference` names no OID; `value` is the
/// decoded base64, `None` when nil, `Err` when it is not base64.
pub fn extension(
    reference: i32,
    oid: Option<&str>,
    critical: Option<bool>,
    value: Option<Result<Vec<u8>, String>>,
) -> Value {
    let mut fields = vec![
        ("reference", Value::Int(reference.into())),
        ("oid", Value::text_or_nil(oid)),
        (
            "name",
            Value::text_or_nil(oid.and_then(oid_name).as_deref()),
        ),
        ("critical", Value::map_or_nil(critical, Value::Bool)),
    ];
    match value {
        None => fields.push(("value", Value::Nil)),
        Some(Err(e)) => fields.push(("error", Value::Text(format!("value: {e}")))),
        Some(Ok(der)) => {
            fields.push((
                "value_bytes",
                Value::Int(i64::try_from(der.len()).unwrap_or(i64::MAX)),
            ));
            match oid.map(|o| decoded(o, &der)) {
                Some(Ok(more)) => fields.extend(more),
                Some(Err(e)) => fields.push(("error", Value::Text(e))),
                None => {}
            }
        }
    }
    Value::Record(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_microsoft_and_the_database() {
        assert_eq!(
            oid_name("1.3.6.1.5.5.7.3.1").as_deref(),
            Some("id-kp-serverAuth")
        );
        assert_eq!(
            oid_name(TEMPLATE_INFO).as_deref(),
            Some("szOID_CERTIFICATE_TEMPLATE")
        );
        assert_eq!(oid_name("1.2.3.4.5.6.7"), None);
    }
}
