//! The decoded DER payload of a `wsse:BinarySecurityToken`, read with
//! `wstep::payload`: a PKCS#10 request, a PKCS#7/CMS SignedData (chain,
//! renewal, CMC), a bare CMC `PKIData` or an X.509 certificate.
//!
//! The kind is the one found by content; when it differs from the declared
//! `ValueType` (the [MS-WSTEP] 4.1.1.1 request is a PKCS#10 labelled
//! PKCS7) a note says so. A token that does not decode (not base64,
//! garbage or truncated DER) is shown as its typed error and the error is
//! handed to the caller, which makes it the view's error: `cepces inspect`
//! prints everything else, then the error, and exits 2.
//!
//! Only values are shown (names, serials, dates, sizes), never how the
//! token was written, so that the JSON report stays the same for every
//! spelling of the message.
//!
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/

use soap_envelope::AnyElement;
use soap_envelope::BinarySecurityToken;
use wstep::payload::{
    CertificateTemplate, Csr, InnerContent, IssuedCertificate, KeyInfo, PkiData, SignedPayload,
    TokenContent, decode_token,
};
use wstep::{BinarySecurityTokenExt, ValueKind};
use x509_cert::Certificate;

use crate::value::{Value, ViewError};

/// The name of a token kind.
pub fn kind_name(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Pkcs10 => "PKCS#10",
        ValueKind::Pkcs7 => "PKCS#7",
        ValueKind::Cmc => "CMC",
        ValueKind::X509v3 => "X.509v3",
        ValueKind::ProvisioningDoc => "provisioning document",
        _ => "other",
    }
}

/// Collects the payload errors met while showing a message: the first one
/// becomes the view's error.
#[derive(Debug, Default)]
pub struct Errors {
    /// The first error, with the element path of its token.
    pub first: Option<ViewError>,
}

impl Errors {
    /// Records `e`, met in the token at `path`, and returns its record.
    fn push(&mut self, e: &wstep::Error, path: &str) -> Value {
        if self.first.is_none() {
            self.first = Some(ViewError {
                kind: e.kind_name(),
                message: e.to_string(),
                path: path.to_owned(),
            });
        }
        error_record(e)
    }
}

/// A payload error as a record: kind, message and der's byte position.
fn error_record(e: &wstep::Error) -> Value {
    Value::Record(vec![
        ("kind", Value::Text(e.kind_name().to_owned())),
        ("message", Value::Text(e.to_string())),
        (
            "der_position",
            Value::map_or_nil(e.der_position(), |p| Value::Int(i64::from(p))),
        ),
    ])
}

/// A size or count.
fn size(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The decoded payload of `t`, found at element path `path`: the DER
/// payload, or the MS-MDE2 provisioning document (XML) when the token
/// declares one or its bytes are XML (`<` first) under no known type. A
/// token that does not decode is `{"error": ...}` and the error goes to
/// `errors`.
pub fn decoded(t: &BinarySecurityToken, path: &str, errors: &mut Errors) -> Value {
    let declared = t.value_kind();
    let looks_like_xml = || {
        t.decode_bytes().is_ok_and(|b| {
            b.iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|c| *c == b'<')
        })
    };
    if declared == Some(ValueKind::ProvisioningDoc) || (declared.is_none() && looks_like_xml()) {
        return match t.decode_provisioning_doc() {
            Ok(doc) => provisioning_doc(&doc),
            Err(e) => Value::Record(vec![
                ("found", Value::Nil),
                ("error", errors.push(&e, path)),
            ]),
        };
    }
    match decode_token(t) {
        Ok(p) => {
            let found = p.kind();
            let note = match declared {
                Some(d) if d != found => Some(format!(
                    "declared {}, content is {}",
                    kind_name(d),
                    kind_name(found)
                )),
                _ => None,
            };
            let mut fields = vec![
                ("found", Value::Text(kind_name(found).to_owned())),
                ("note", Value::text_or_nil(note.as_deref())),
            ];
            fields.extend(payload(&p, path, errors));
            Value::Record(fields)
        }
        Err(e) => Value::Record(vec![
            ("found", Value::Nil),
            ("error", errors.push(&e, path)),
        ]),
    }
}

/// An MS-MDE2 provisioning document ([MS-MDE2] 3.2.4.2, a
/// `wap-provisioningdoc`): its version and every `parm`, with the path
/// of `characteristic` types above it.
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
fn provisioning_doc(doc: &AnyElement) -> Value {
    fn walk(e: &AnyElement, path: &mut Vec<String>, parms: &mut Vec<Value>) {
        for child in e.child_elements() {
            match child.name.local.as_str() {
                "characteristic" => {
                    path.push(child.attribute(None, "type").unwrap_or("?").to_owned());
                    walk(child, path, parms);
                    path.pop();
                }
                "parm" => parms.push(Value::Record(vec![
                    ("characteristic", Value::Text(path.join("/"))),
                    ("name", Value::text_or_nil(child.attribute(None, "name"))),
                    ("value", Value::text_or_nil(child.attribute(None, "value"))),
                    (
                        "datatype",
                        Value::text_or_nil(child.attribute(None, "datatype")),
                    ),
                ])),
                _ => {}
            }
        }
    }
    let mut parms = Vec::new();
    walk(doc, &mut Vec::new(), &mut parms);
    Value::Record(vec![
        ("found", Value::Text("provisioning document".to_owned())),
        ("root", Value::Text(doc.name.local.clone())),
        (
            "version",
            Value::text_or_nil(doc.attribute(None, "version")),
        ),
        ("parms", Value::List(parms)),
    ])
}

/// The fields of a decoded payload.
fn payload(p: &TokenContent, path: &str, errors: &mut Errors) -> Vec<(&'static str, Value)> {
    match p {
        TokenContent::Pkcs10(csr) => vec![("request", request(csr))],
        TokenContent::Pkcs7(sp) => signed(sp, path, errors),
        TokenContent::Cmc(data) => vec![("requests", cmc_requests(data, path, errors))],
        TokenContent::X509v3(cert) => vec![("certificate", certificate(cert))],
        _ => Vec::new(),
    }
}

/// A key's algorithm.
fn key_algorithm(k: &KeyInfo) -> String {
    match k {
        KeyInfo::Rsa { .. } => "RSA".to_owned(),
        KeyInfo::Ec {
            curve_name: Some(n),
            ..
        } => format!("EC {n}"),
        KeyInfo::Ec { curve, .. } => format!("EC {curve}"),
        KeyInfo::Other(oid) => oid.to_string(),
        _ => "other".to_owned(),
    }
}

/// A certificate template: name, OID and version `major.minor`.
fn template(t: &CertificateTemplate) -> Value {
    let info = t.info.as_ref();
    Value::Record(vec![
        ("name", Value::text_or_nil(t.name.as_deref())),
        (
            "oid",
            Value::map_or_nil(info, |i| Value::Text(i.template_id.to_string())),
        ),
        (
            "version",
            Value::map_or_nil(info.and_then(|i| i.major_version), |major| {
                let minor = info.and_then(|i| i.minor_version).unwrap_or(0);
                Value::Text(format!("{major}.{minor}"))
            }),
        ),
    ])
}

/// A signature check: `valid` is `true`, `false` (does not verify) or
/// nil (cannot be checked: unsupported algorithm, unreadable key, ...),
/// `error` says why when not valid.
fn signature(r: wstep::Result<()>) -> Value {
    let (valid, error) = match r {
        Ok(()) => (Value::Bool(true), Value::Nil),
        Err(wstep::Error::BadSignature) => (
            Value::Bool(false),
            Value::Text(wstep::Error::BadSignature.to_string()),
        ),
        Err(e) => (Value::Nil, Value::Text(format!("[{}] {e}", e.kind_name()))),
    };
    Value::Record(vec![("valid", valid), ("error", error)])
}

/// A PKCS#10 request.
fn request(csr: &Csr) -> Value {
    Value::Record(vec![
        ("subject", Value::Text(csr.subject.clone())),
        ("lenient_subject", Value::Bool(csr.lenient_subject)),
        ("key_algorithm", Value::Text(key_algorithm(&csr.key))),
        ("key_bits", Value::map_or_nil(csr.key_bits(), size)),
        ("signature", signature(csr.verify_signature())),
        ("extensions", size(csr.extensions.len())),
        (
            "template",
            Value::map_or_nil(csr.template.as_ref(), template),
        ),
    ])
}

/// An X.509 certificate: names, serial, validity, key and template.
pub(crate) fn certificate(c: &IssuedCertificate) -> Value {
    let key = KeyInfo::from_spki(&c.certificate.tbs_certificate.subject_public_key_info);
    Value::Record(vec![
        ("subject", Value::Text(c.subject.clone())),
        ("issuer", Value::Text(c.issuer.clone())),
        ("serial", Value::Text(c.serial.clone())),
        ("not_before", Value::Text(c.not_before.to_string())),
        ("not_after", Value::Text(c.not_after.to_string())),
        (
            "key_algorithm",
            match &key {
                Ok(k) => Value::Text(key_algorithm(k)),
                Err(e) => Value::Text(format!("[{}] {e}", e.kind_name())),
            },
        ),
        (
            "key_bits",
            Value::map_or_nil(key.ok().and_then(|k| k.bits()), size),
        ),
        ("template", Value::map_or_nil(c.template.as_ref(), template)),
    ])
}

/// A certificate of a SignedData: its record, or the error summarising it.
fn certificate_of(c: &Certificate, path: &str, errors: &mut Errors) -> Value {
    match IssuedCertificate::new(c.clone()) {
        Ok(c) => certificate(&c),
        Err(e) => Value::Record(vec![("error", errors.push(&e, path))]),
    }
}

/// The requests of a CMC `PKIData`.
fn cmc_requests(data: &PkiData, path: &str, errors: &mut Errors) -> Value {
    match data.certification_requests() {
        Ok(reqs) => Value::List(
            reqs.into_iter()
                .map(|(_, r)| match Csr::from_cert_req(r) {
                    Ok(csr) => request(&csr),
                    Err(e) => Value::Record(vec![("error", errors.push(&e, path))]),
                })
                .collect(),
        ),
        Err(e) => {
            let e = wstep::Error::Der {
                structure: "TaggedCertificationRequest",
                error: e,
            };
            Value::Record(vec![("error", errors.push(&e, path))])
        }
    }
}

/// A SignedData: its certificates, the signer, the content and the
/// request inside.
fn signed(sp: &SignedPayload, path: &str, errors: &mut Errors) -> Vec<(&'static str, Value)> {
    let certificates = Value::List(
        sp.certificates
            .iter()
            .map(|c| certificate_of(c, path, errors))
            .collect(),
    );
    let signer = Value::map_or_nil(sp.signer.as_ref(), |c| certificate_of(c, path, errors));
    let has_signers = sp.signed_data.signer_infos.0.iter().next().is_some();
    let signer_signature = if sp.signer.is_some() {
        signature(sp.verify_signer())
    } else {
        Value::Nil
    };
    let content = match &sp.content {
        InnerContent::None => "none".to_owned(),
        InnerContent::Pkcs10(_) => "PKCS#10".to_owned(),
        InnerContent::Cmc { .. } => "CMC request".to_owned(),
        InnerContent::CmcResponse(_) => "CMC response".to_owned(),
        InnerContent::Other { content_type, .. } => format!("other ({content_type})"),
        _ => "other".to_owned(),
    };
    vec![
        ("certificates", certificates),
        ("signers", Value::Bool(has_signers)),
        ("signer", signer),
        ("signer_signature", signer_signature),
        ("content", Value::Text(content)),
        ("request", Value::map_or_nil(sp.request(), request)),
    ]
}
