//! Keys and certificates: RSA keys (PKCS#8 PEM), the certificate
//! extensions a CA writes, and [`Authority`], a CA whose key is in memory
//! (an [`Issuer`]), all with RustCrypto types.
//!
//! Signatures are RSA PKCS#1 v1.5 with SHA-256 (`sha256WithRSAEncryption`),
//! what AD CS and OpenSSL write by default.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280;
use const_oid::db::rfc5912;
use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString, UtcTime};
use der::pem::LineEnding;
use der::{Decode, Encode, EncodePem};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use signature::{SignatureEncoding, Signer};
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, CrlNumber, CrlReason, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// `szOID_CERTIFICATE_TEMPLATE` ([MS-WCCE] 2.2.2.7.7.2).
pub const TEMPLATE_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.21.7");
/// `szOID_ENROLL_CERTTYPE_EXTENSION` ([MS-WCCE] 2.2.2.7.7.1).
pub const TEMPLATE_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.20.2");

/// `szOID_NTDS_CA_SECURITY_EXT`: the requester's SID, which domain
/// controllers in full enforcement of strong certificate mapping require
/// for certificate logon (KB5014754).
pub const NTDS_CA_SECURITY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.25.2");
/// `szOID_NTDS_OBJECTSID`, the otherName type of the SID in
/// [`NTDS_CA_SECURITY`].
pub const NTDS_OBJECTSID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.25.2.1");

/// The [`NTDS_CA_SECURITY`] extension for `sid` (its string form), as AD
/// CS writes it: a non-critical `SEQUENCE` of one `otherName` of type
/// [`NTDS_OBJECTSID`] whose value is `[0] EXPLICIT OCTET STRING` of the
/// SID's text.
pub fn sid_extension(sid: &str) -> Result<Extension> {
    use x509_cert::ext::pkix::name::{GeneralName, OtherName};
    let value = der::Any::new(der::Tag::OctetString, sid.as_bytes())
        .map_err(|e| err("encoding a SID")(&e))?;
    let names = vec![GeneralName::OtherName(OtherName {
        type_id: NTDS_OBJECTSID,
        value,
    })];
    extension(NTDS_CA_SECURITY, false, &names)
}

/// An error of this module, as text for the command line.
pub type Result<T> = std::result::Result<T, String>;

fn err(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> String {
    move |e| format!("{what}: {e}")
}

/// A new RSA key of `bits` bits.
pub fn generate_key(bits: usize) -> Result<RsaPrivateKey> {
    RsaPrivateKey::new(&mut rand_core::OsRng, bits).map_err(|e| err("generating an RSA key")(&e))
}

/// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
pub fn key_to_pem(key: &RsaPrivateKey) -> Result<String> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| err("encoding the key")(&e))
}

/// A PKCS#8 PEM RSA key.
pub fn key_from_pem(pem: &str) -> Result<RsaPrivateKey> {
    RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| err("reading the PKCS#8 RSA key")(&e))
}

/// The key as PKCS#8 DER (for rustls).
pub fn key_to_pkcs8_der(key: &RsaPrivateKey) -> Result<Vec<u8>> {
    key.to_pkcs8_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|e| err("encoding the key")(&e))
}

/// The certificate as PEM.
pub fn cert_to_pem(cert: &Certificate) -> Result<String> {
    cert.to_pem(LineEnding::LF)
        .map_err(|e| err("encoding the certificate")(&e))
}

/// The first PEM certificate of `pem` (a chain may follow it).
pub fn cert_from_pem(pem: &str) -> Result<Certificate> {
    certs_from_pem(pem)?
        .into_iter()
        .next()
        .ok_or_else(|| "no PEM certificate".to_owned())
}

/// Every PEM certificate of `pem`, in order.
pub fn certs_from_pem(pem: &str) -> Result<Vec<Certificate>> {
    Certificate::load_pem_chain(pem.as_bytes()).map_err(|e| err("reading PEM certificates")(&e))
}

/// The `SubjectPublicKeyInfo` of the key.
pub fn spki(key: &RsaPublicKey) -> Result<SubjectPublicKeyInfoOwned> {
    let der = key
        .to_public_key_der()
        .map_err(|e| err("encoding the public key")(&e))?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes())
        .map_err(|e| err("reading the public key")(&e))
}

/// `sha256WithRSAEncryption`, parameters NULL.
pub fn sha256_with_rsa() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(der::Any::null()),
    }
}

/// RSA PKCS#1 v1.5 with SHA-256 over `data`.
pub fn sign(key: &RsaPrivateKey, data: &[u8]) -> Result<Vec<u8>> {
    let signer = SigningKey::<Sha256>::new(key.clone());
    signer
        .try_sign(data)
        .map(|s| s.to_vec())
        .map_err(|e| err("signing")(&e))
}

/// A DER extension with `value` encoded.
pub fn extension(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Result<Extension> {
    let der = value
        .to_der()
        .map_err(|e| err("encoding an extension")(&e))?;
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der).map_err(|e| err("encoding an extension")(&e))?,
    })
}

/// The subjectAltName extension with DNS names and IP addresses.
pub fn subject_alt_name(dns: &[&str], ips: &[std::net::IpAddr]) -> Result<Extension> {
    let mut names = Vec::new();
    for name in dns {
        let name = Ia5String::new(name).map_err(|e| err("a DNS name")(&e))?;
        names.push(GeneralName::DnsName(name));
    }
    for ip in ips {
        let bytes = match ip {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        names.push(GeneralName::IpAddress(
            OctetString::new(bytes).map_err(|e| err("an IP address")(&e))?,
        ));
    }
    extension(
        rfc5280::ID_CE_SUBJECT_ALT_NAME,
        false,
        &SubjectAltName(names),
    )
}

/// `szOID_NT_PRINCIPAL_NAME`: the UPN otherName of a subjectAltName
/// ([MS-WCCE] 2.2.2.7.7.4 uses it for the account's UPN).
pub const UPN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.20.2.3");

/// The subject an account gets: `CN=<name>` when `name` is given, and
/// `emailAddress` when `email` is.
pub fn account_subject(name: Option<&str>, email: Option<&str>) -> Result<Name> {
    let subject = match name {
        Some(cn) => name_with_cn(cn)?,
        None => Name::default(),
    };
    with_email(subject, email)
}

/// The subject of a `directory_path` template: the account's
/// distinguished name (RFC 4514 text, most specific first, as LDAP gives
/// it), then `emailAddress` when given.
pub fn directory_subject(dn: &str, email: Option<&str>) -> Result<Name> {
    let subject = dn
        .parse::<Name>()
        .map_err(|e| format!("the distinguished name {dn:?}: {e}"))?;
    with_email(subject, email)
}

/// `subject` with an `emailAddress` RDN appended when `email` is given.
fn with_email(mut subject: Name, email: Option<&str>) -> Result<Name> {
    if let Some(email) = email {
        let value = Ia5String::new(email).map_err(|e| err("an e-mail address")(&e))?;
        let atv = x509_cert::attr::AttributeTypeAndValue {
            oid: const_oid::db::rfc3280::EMAIL_ADDRESS,
            value: der::Any::from(&value),
        };
        let rdn =
            der::asn1::SetOfVec::try_from(vec![atv]).map_err(|e| err("an e-mail address")(&e))?;
        subject
            .0
            .push(x509_cert::name::RelativeDistinguishedName(rdn));
    }
    Ok(subject)
}

/// The subjectAltName of an account: its UPN (otherName), e-mail
/// address (rfc822Name) and DNS name, those that are given; `None` when
/// none is.
pub fn account_alt_names(
    upn: Option<&str>,
    email: Option<&str>,
    dns: Option<&str>,
) -> Result<Option<Extension>> {
    directory_alt_names(upn, email, dns, None)
}

/// `szOID_NTDS_REPLICATION`, the otherName type of an account's
/// `objectGUID` in a subjectAltName.
pub const NTDS_REPLICATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.25.1");

/// [`account_alt_names`] with the account's `objectGUID` too (an otherName
/// of type [`NTDS_REPLICATION`] whose value is the 16 bytes as an
/// `OCTET STRING`), as AD CS writes it for domain controllers.
pub fn directory_alt_names(
    upn: Option<&str>,
    email: Option<&str>,
    dns: Option<&str>,
    object_guid: Option<&[u8; 16]>,
) -> Result<Option<Extension>> {
    let mut names = Vec::new();
    if let Some(guid) = object_guid {
        names.push(GeneralName::OtherName(
            x509_cert::ext::pkix::name::OtherName {
                type_id: NTDS_REPLICATION,
                value: der::Any::new(der::Tag::OctetString, guid.as_slice())
                    .map_err(|e| err("an objectGUID")(&e))?,
            },
        ));
    }
    if let Some(upn) = upn {
        let value = der::asn1::Utf8StringRef::new(upn).map_err(|e| err("a UPN")(&e))?;
        names.push(GeneralName::OtherName(
            x509_cert::ext::pkix::name::OtherName {
                type_id: UPN,
                value: der::Any::encode_from(&value).map_err(|e| err("a UPN")(&e))?,
            },
        ));
    }
    if let Some(email) = email {
        names.push(GeneralName::Rfc822Name(
            Ia5String::new(email).map_err(|e| err("an e-mail address")(&e))?,
        ));
    }
    if let Some(dns) = dns {
        names.push(GeneralName::DnsName(
            Ia5String::new(dns).map_err(|e| err("a DNS name")(&e))?,
        ));
    }
    if names.is_empty() {
        return Ok(None);
    }
    extension(
        rfc5280::ID_CE_SUBJECT_ALT_NAME,
        false,
        &SubjectAltName(names),
    )
    .map(Some)
}

/// The extendedKeyUsage extension.
pub fn extended_key_usage(oids: &[ObjectIdentifier]) -> Result<Extension> {
    extension(
        rfc5280::ID_CE_EXT_KEY_USAGE,
        false,
        &ExtendedKeyUsage(oids.to_vec()),
    )
}

/// A certificate time: UTCTime through 2049, GeneralizedTime after
/// ([RFC 5280] 4.1.2.5).
///
/// [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
pub fn time(unix_seconds: i64) -> Result<Time> {
    let secs = u64::try_from(unix_seconds).map_err(|_| "a time before 1970".to_owned())?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(secs))
        .map_err(|e| err("a certificate time")(&e))?;
    if dt.year() < 2050 {
        UtcTime::from_date_time(dt)
            .map(Time::UtcTime)
            .map_err(|e| err("a certificate time")(&e))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// Seconds since 1970 now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A random positive 16-byte serial number.
pub fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::new(&bytes).map_err(|e| err("a serial number")(&e))
}

fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Result<OctetString> {
    // RFC 5280 4.2.1.2 method 1 uses SHA-1; a truncated SHA-256 is as
    // unique and needs no extra hash crate.
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    OctetString::new(&digest[..20]).map_err(|e| err("a key identifier")(&e))
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// A self-signed root CA.
    Root,
    /// An end-entity certificate.
    Leaf,
}

/// What to put in a certificate besides the CA's own data.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CertificateSpec {
    /// The subject.
    pub subject: Name,
    /// The subject's public key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// `notBefore`, seconds since 1970.
    pub not_before: i64,
    /// `notAfter`, seconds since 1970.
    pub not_after: i64,
    /// Root or leaf.
    pub profile: Profile,
    /// More extensions (EKU, subjectAltName, template).
    pub extensions: Vec<Extension>,
}

impl CertificateSpec {
    /// A certificate for `subject` and `public_key`, valid from
    /// `not_before` to `not_after` (seconds since 1970), of `profile`, with
    /// no more extensions.
    pub fn new(
        subject: Name,
        public_key: SubjectPublicKeyInfoOwned,
        not_before: i64,
        not_after: i64,
        profile: Profile,
    ) -> Self {
        Self {
            subject,
            public_key,
            not_before,
            not_after,
            profile,
            extensions: Vec::new(),
        }
    }

    /// With `extensions` (EKU, subjectAltName, template).
    #[must_use]
    pub fn with_extensions(mut self, extensions: Vec<Extension>) -> Self {
        self.extensions = extensions;
        self
    }
}

/// One revoked certificate of a [`CrlSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrlEntry {
    /// The serial number (hex).
    pub serial: String,
    /// When it was revoked (seconds since 1970).
    pub at: i64,
    /// Why.
    pub reason: CrlReason,
}

impl CrlEntry {
    /// The certificate with serial `serial` (hex), revoked at `at` for
    /// `reason`.
    pub fn new(serial: impl Into<String>, at: i64, reason: CrlReason) -> Self {
        Self {
            serial: serial.into(),
            at,
            reason,
        }
    }
}

/// A CRL to sign: its number, its validity and what it lists.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CrlSpec {
    /// The `cRLNumber`.
    pub number: i64,
    /// `thisUpdate`, seconds since 1970.
    pub this_update: i64,
    /// `nextUpdate`.
    pub next_update: i64,
    /// The revoked certificates.
    pub revoked: Vec<CrlEntry>,
}

impl CrlSpec {
    /// CRL `number`, valid from `this_update` to `next_update`, listing
    /// `revoked`.
    pub fn new(number: i64, this_update: i64, next_update: i64, revoked: Vec<CrlEntry>) -> Self {
        Self {
            number,
            this_update,
            next_update,
            revoked,
        }
    }
}

/// A CA that signs what the server decided: the file CA
/// ([`Authority`]), an external CA or an HSM. The server builds the
/// [`CertificateSpec`] (subject, key, validity, extensions); the issuer
/// adds its own (key identifiers, basic constraints, key usage), signs,
/// and gives the certificate back.
pub trait Issuer: Send + Sync + std::fmt::Debug {
    /// The CA's certificate (the issuer name and key of what it signs).
    fn ca_certificate(&self) -> &Certificate;
    /// Signs a certificate for `spec`.
    fn issue(&self, spec: &CertificateSpec) -> Result<Certificate>;
    /// Signs a CRL for `spec`. An issuer whose CA publishes its CRLs
    /// elsewhere need not: by default this is an error.
    fn sign_crl(&self, spec: &CrlSpec) -> Result<CertificateList> {
        let _ = spec;
        Err("this CA signs no CRLs here".into())
    }
}

impl Issuer for Authority {
    fn ca_certificate(&self) -> &Certificate {
        &self.certificate
    }
    fn issue(&self, spec: &CertificateSpec) -> Result<Certificate> {
        Authority::issue(self, spec)
    }
    fn sign_crl(&self, spec: &CrlSpec) -> Result<CertificateList> {
        Authority::sign_crl(self, spec)
    }
}

/// The CA: its key and certificate. Signatures are made with AWS-LC
/// (`aws-lc-rs`: 6x faster than RustCrypto `rsa` and 2x ring for RSA-2048,
/// `benches/signing.rs`, and the same bytes: PKCS#1 v1.5 is
/// deterministic); a key AWS-LC does not take is signed with RustCrypto.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Authority {
    /// The CA key.
    pub key: RsaPrivateKey,
    /// The CA certificate.
    pub certificate: Certificate,
    fast: Option<std::sync::Arc<FastKey>>,
}

/// AWS-LC's copy of an RSA key, and the modulus it was made from.
#[derive(Debug)]
struct FastKey {
    pair: aws_lc_rs::rsa::KeyPair,
    modulus: Vec<u8>,
}

/// The signature of `data` with `key`: with `fast` (AWS-LC's copy of it)
/// while that is `key`'s, else with RustCrypto.
fn sign_fast(fast: Option<&FastKey>, key: &RsaPrivateKey, data: &[u8]) -> Result<Vec<u8>> {
    use rsa::traits::PublicKeyParts;
    let Some(fast) = fast.filter(|f| f.modulus == key.n().to_bytes_be()) else {
        return sign(key, data);
    };
    let mut signature = vec![0; fast.pair.public_modulus_len()];
    fast.pair
        .sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            data,
            &mut signature,
        )
        .map_err(|_| "signing failed".to_owned())?;
    Ok(signature)
}

/// `key` as AWS-LC's, when AWS-LC takes it (2048 to 8192 bits).
fn fast_key(key: &RsaPrivateKey) -> Option<std::sync::Arc<FastKey>> {
    use rsa::traits::PublicKeyParts;
    let pkcs8 = key.to_pkcs8_der().ok()?;
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8.as_bytes()).ok()?;
    Some(std::sync::Arc::new(FastKey {
        pair,
        modulus: key.n().to_bytes_be(),
    }))
}

impl Authority {
    /// The CA of `key` and its `certificate`.
    pub fn new(key: RsaPrivateKey, certificate: Certificate) -> Self {
        let fast = fast_key(&key);
        Self {
            key,
            certificate,
            fast,
        }
    }

    /// The signature of `data` with the CA key: AWS-LC's while its key is
    /// still [`key`](Self::key) (the field is public), else RustCrypto's.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        sign_fast(self.fast.as_deref(), &self.key, data)
    }

    /// A new CA with a self-signed certificate named `common_name`, valid
    /// from `now` for `validity_secs`.
    pub fn create(
        key: RsaPrivateKey,
        common_name: &str,
        now: i64,
        validity_secs: i64,
    ) -> Result<Self> {
        let fast = fast_key(&key);
        let certificate = self_signed_with(
            &|tbs| sign_fast(fast.as_deref(), &key, tbs),
            spki(&key.to_public_key())?,
            common_name,
            now,
            validity_secs,
        )?;
        Ok(Self {
            key,
            certificate,
            fast,
        })
    }

    /// Signs a certificate for `spec`.
    pub fn issue(&self, spec: &CertificateSpec) -> Result<Certificate> {
        issue_with(&|tbs| self.sign(tbs), &self.certificate, spec)
    }
}

impl Authority {
    /// Signs a CRL for `spec` ([RFC 5280] 5): version 2, the CA's
    /// name, its key identifier and the CRL number; each entry with its
    /// reason code, except `unspecified`, which RFC 5280 5.3.1 says to
    /// leave out.
    ///
    /// [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280#section-5
    pub fn sign_crl(&self, spec: &CrlSpec) -> Result<CertificateList> {
        crl_signed_with(&|tbs| self.sign(tbs), &self.certificate, spec)
    }
}

/// Makes the `sha256WithRSAEncryption` signature (PKCS#1 v1.5) of the
/// bytes it is given: what an [`Issuer`] whose key is elsewhere (an HSM)
/// brings to [`issue_with`], [`self_signed_with`] and
/// [`crl_signed_with`].
pub type RsaSigner<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>> + 'a;

/// The certificate for `spec` issued by the CA `ca`, signed by `signer`
/// (with the CA's key), with the extensions [`Authority::issue`] adds.
pub fn issue_with(
    signer: &RsaSigner<'_>,
    ca: &Certificate,
    spec: &CertificateSpec,
) -> Result<Certificate> {
    sign_certificate(
        signer,
        &ca.tbs_certificate.subject,
        Some(&ca.tbs_certificate.subject_public_key_info),
        spec,
    )
}

/// A self-signed CA certificate for `public_key` named `common_name`,
/// valid from `now` for `validity_secs`, signed by `signer`.
pub fn self_signed_with(
    signer: &RsaSigner<'_>,
    public_key: SubjectPublicKeyInfoOwned,
    common_name: &str,
    now: i64,
    validity_secs: i64,
) -> Result<Certificate> {
    let subject = name_with_cn(common_name)?;
    let spec = CertificateSpec {
        subject: subject.clone(),
        public_key,
        not_before: now - 60,
        not_after: now.saturating_add(validity_secs),
        profile: Profile::Root,
        extensions: Vec::new(),
    };
    sign_certificate(signer, &subject, None, &spec)
}

/// The CRL of `ca` for `spec`, signed by `signer`.
pub fn crl_signed_with(
    signer: &RsaSigner<'_>,
    ca: &Certificate,
    spec: &CrlSpec,
) -> Result<CertificateList> {
    let tbs = crl_tbs(ca, spec)?;
    let der = tbs.to_der().map_err(|e| err("encoding the CRL")(&e))?;
    let signature = signer(&der)?;
    Ok(CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&signature).map_err(|e| err("the signature")(&e))?,
    })
}

/// The to-be-signed CRL of `ca` for `spec`.
pub fn crl_tbs(ca: &Certificate, spec: &CrlSpec) -> Result<TbsCertList> {
    let mut revoked = Vec::with_capacity(spec.revoked.len());
    for r in &spec.revoked {
        let serial = from_hex(&r.serial).ok_or_else(|| format!("serial {:?}", r.serial))?;
        let reason = r.reason;
        let extensions = if reason == CrlReason::Unspecified {
            None
        } else {
            Some(vec![extension(rfc5280::ID_CE_CRL_REASONS, false, &reason)?])
        };
        revoked.push(RevokedCert {
            serial_number: SerialNumber::new(&serial).map_err(|e| err("a serial number")(&e))?,
            revocation_date: time(r.at)?,
            crl_entry_extensions: extensions,
        });
    }
    let number = u64::try_from(spec.number).map_err(|_| "a negative CRL number".to_owned())?;
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(key_identifier(&ca.tbs_certificate.subject_public_key_info)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    Ok(TbsCertList {
        version: Version::V2,
        signature: sha256_with_rsa(),
        issuer: ca.tbs_certificate.subject.clone(),
        this_update: time(spec.this_update)?,
        next_update: Some(time(spec.next_update)?),
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(vec![
            extension(rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER, false, &aki)?,
            extension(
                rfc5280::ID_CE_CRL_NUMBER,
                false,
                &CrlNumber(
                    der::asn1::Uint::new(&number.to_be_bytes())
                        .map_err(|e| err("the CRL number")(&e))?,
                ),
            )?,
        ]),
    })
}

/// The CRL distribution point extension ([RFC 5280] 4.2.1.13) naming
/// `url`, where the CA's CRL is served.
///
/// [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.13
pub fn crl_distribution_point(url: &str) -> Result<Extension> {
    let uri = Ia5String::new(url).map_err(|e| err("the CRL URL")(&e))?;
    extension(
        rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS,
        false,
        &CrlDistributionPoints(vec![DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![
                GeneralName::UniformResourceIdentifier(uri),
            ])),
            reasons: None,
            crl_issuer: None,
        }]),
    )
}

/// The authority information access extension ([RFC 5280] 4.2.2.1)
/// naming `url`, where the CA's certificate is served (`caIssuers`).
///
/// [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.2.1
pub fn authority_info_access(url: &str) -> Result<Extension> {
    let uri = Ia5String::new(url).map_err(|e| err("the CA certificate URL")(&e))?;
    extension(
        rfc5280::ID_PE_AUTHORITY_INFO_ACCESS,
        false,
        &AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: rfc5280::ID_AD_CA_ISSUERS,
            access_location: GeneralName::UniformResourceIdentifier(uri),
        }]),
    )
}

/// The bytes of hex `s` (either case), if it is hex of whole bytes.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// `CN=<common_name>` (a UTF8String, as RFC 5280 asks of new names).
/// Made directly: parsing RFC 4514 text looks the attribute name up in
/// const-oid's whole database, a measurable share of an enrollment.
pub fn name_with_cn(common_name: &str) -> Result<Name> {
    let value = der::asn1::Utf8StringRef::new(common_name)
        .and_then(|v| der::Any::encode_from(&v))
        .map_err(|e| err("a subject name")(&e))?;
    let atv = x509_cert::attr::AttributeTypeAndValue {
        oid: const_oid::db::rfc4519::CN,
        value,
    };
    let rdn = der::asn1::SetOfVec::try_from(vec![atv])
        .map(x509_cert::name::RelativeDistinguishedName::from)
        .map_err(|e| err("a subject name")(&e))?;
    Ok(x509_cert::name::RdnSequence::from(vec![rdn]))
}

/// Whether two names are the same ignoring ASCII case in their string
/// values: the same RDNs in the same order, each with the same attribute
/// types in the same order; a PrintableString, UTF8String, IA5String or
/// TeletexString value equal to one of those ignoring case, any other
/// value byte for byte. This is what comparing their RFC 4514 forms
/// without regard to case says (x509-cert prints those four string types
/// as text and every other value as its DER in hex), without printing
/// (which looks every attribute type up in const-oid's whole database).
pub fn same_name_ignoring_case(a: &Name, b: &Name) -> bool {
    use der::{Tag, Tagged};
    fn text(v: &der::Any) -> Option<&[u8]> {
        matches!(
            v.tag(),
            Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::TeletexString
        )
        .then(|| v.value())
    }
    a.0.len() == b.0.len()
        && a.0.iter().zip(&b.0).all(|(x, y)| {
            x.0.len() == y.0.len()
                && x.0.iter().zip(y.0.iter()).all(|(p, q)| {
                    p.oid == q.oid
                        && match (text(&p.value), text(&q.value)) {
                            (Some(s), Some(t)) => s.eq_ignore_ascii_case(t),
                            (None, None) => p.value == q.value,
                            _ => false,
                        }
                })
        })
}

fn sign_certificate(
    signer: &RsaSigner<'_>,
    issuer: &Name,
    issuer_key: Option<&SubjectPublicKeyInfoOwned>,
    spec: &CertificateSpec,
) -> Result<Certificate> {
    let ski = key_identifier(&spec.public_key)?;
    let mut extensions = vec![extension(
        rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
        false,
        &SubjectKeyIdentifier(ski),
    )?];
    if let Some(issuer_key) = issuer_key {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(key_identifier(issuer_key)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        extensions.push(extension(
            rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &aki,
        )?);
    }
    let (ca, usage) = match spec.profile {
        Profile::Root => (
            true,
            KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature,
        ),
        Profile::Leaf => (
            false,
            KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
        ),
    };
    extensions.push(extension(
        rfc5280::ID_CE_BASIC_CONSTRAINTS,
        true,
        &BasicConstraints {
            ca,
            path_len_constraint: None,
        },
    )?);
    extensions.push(extension(rfc5280::ID_CE_KEY_USAGE, true, &KeyUsage(usage))?);
    extensions.extend(spec.extensions.iter().cloned());
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: random_serial()?,
        signature: sha256_with_rsa(),
        issuer: issuer.clone(),
        validity: Validity {
            not_before: time(spec.not_before)?,
            not_after: time(spec.not_after)?,
        },
        subject: spec.subject.clone(),
        subject_public_key_info: spec.public_key.clone(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let der = tbs
        .to_der()
        .map_err(|e| err("encoding the certificate")(&e))?;
    let signature = signer(&der)?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&signature).map_err(|e| err("the signature")(&e))?,
    })
}

/// The DER of `cert`.
pub fn to_der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der()
        .map_err(|e| err("encoding the certificate")(&e))
}

/// The certificate's validity as seconds since 1970.
pub fn validity_secs(cert: &Certificate) -> (i64, i64) {
    let v = &cert.tbs_certificate.validity;
    let secs = |t: Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    (secs(v.not_before), secs(v.not_after))
}

/// `bytes` as upper-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        })
}

/// The serial number as upper-case hex.
pub fn serial_hex(cert: &Certificate) -> String {
    hex(cert.tbs_certificate.serial_number.as_bytes())
}

/// [`serial_hex`] of a certificate given as DER, read without decoding
/// the rest of it (names, key, extensions): what a server needs of a TLS
/// client certificate to find its record. `None` when the DER does not
/// begin as a certificate does (RFC 5280 4.1: a SEQUENCE whose first
/// element, the `tbsCertificate` SEQUENCE, begins with an optional
/// `[0] EXPLICIT` version, then the serial number's INTEGER).
pub fn serial_hex_of_der(der: &[u8]) -> Option<String> {
    use der::{Reader, SliceReader, Tag, TagNumber, Tagged};
    let certificate = der::asn1::AnyRef::from_der(der).ok()?;
    certificate.tag().assert_eq(Tag::Sequence).ok()?;
    let tbs: der::asn1::AnyRef<'_> = SliceReader::new(certificate.value()).ok()?.decode().ok()?;
    tbs.tag().assert_eq(Tag::Sequence).ok()?;
    let mut r = SliceReader::new(tbs.value()).ok()?;
    let version = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N0,
    };
    if r.peek_tag().ok()? == version {
        let _: der::asn1::AnyRef<'_> = r.decode().ok()?;
    }
    let serial: SerialNumber = r.decode().ok()?;
    Some(hex(serial.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name of one RDN per `(oid, tag, value)`.
    fn name_of(atvs: &[(ObjectIdentifier, der::Tag, &[u8])]) -> Name {
        let rdns = atvs
            .iter()
            .map(|(oid, tag, value)| {
                let atv = x509_cert::attr::AttributeTypeAndValue {
                    oid: *oid,
                    value: der::Any::new(*tag, *value).unwrap(),
                };
                der::asn1::SetOfVec::try_from(vec![atv]).unwrap().into()
            })
            .collect::<Vec<_>>();
        x509_cert::name::RdnSequence::from(rdns)
    }

    #[test]
    fn serial_of_der_is_the_decoded_certificates() {
        let key = generate_key(2048).unwrap();
        // Serial numbers of several lengths (a leading zero octet where
        // the high bit is set).
        for _ in 0..8 {
            let ca = Authority::create(key.clone(), "Serial CA", 1_800_000_000, 86_400).unwrap();
            let cert = ca.ca_certificate();
            let der = to_der(cert).unwrap();
            assert_eq!(serial_hex_of_der(&der).as_deref(), Some(&*serial_hex(cert)));
        }
        // An openssl-made certificate.
        let leaf = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/bench/leaf.der"
        ))
        .unwrap();
        let cert = Certificate::from_der(&leaf).unwrap();
        assert_eq!(
            serial_hex_of_der(&leaf).as_deref(),
            Some(&*serial_hex(&cert))
        );
        // Only the beginning is read: with the version, and without it
        // (a v1 certificate).
        let v3 = b"\x30\x0A\x30\x08\xA0\x03\x02\x01\x02\x02\x01\x07";
        assert_eq!(serial_hex_of_der(v3).as_deref(), Some("07"));
        let v1 = b"\x30\x05\x30\x03\x02\x01\x07";
        assert_eq!(serial_hex_of_der(v1).as_deref(), Some("07"));
        for bad in [&b""[..], b"\x30\x00", b"\x02\x01\x05", &leaf[..40]] {
            assert_eq!(serial_hex_of_der(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn same_name_ignoring_case_says_what_comparing_the_printed_names_says() {
        use const_oid::db::rfc4519::{CN, O, OU};
        use der::Tag::{BmpString, Ia5String, OctetString, PrintableString, Utf8String};
        let names = [
            "CN=Example CA",
            "cn=example ca",
            "CN=EXAMPLE CA,O=Example",
            "CN=Example CA+OU=x",
            "CN=Example CA+OU=X",
            "O=Example CA",
            "CN=Example\\\\ CA",
            "CN=Example\\, CA",
            "CN=Exämple CA",
            "CN=EXäMPLE ca",
            "CN=ExÄmple CA",
        ]
        .map(|t| t.parse::<Name>().unwrap());
        let typed = [
            name_of(&[(CN, PrintableString, b"Example CA")]),
            name_of(&[(CN, Ia5String, b"example ca")]),
            name_of(&[(CN, BmpString, b"\0E\0x")]),
            name_of(&[(CN, BmpString, b"\0e\0X")]),
            name_of(&[(CN, OctetString, b"Example CA")]),
            name_of(&[(CN, Utf8String, b"x"), (O, PrintableString, b"Y")]),
            name_of(&[(CN, PrintableString, b"X"), (O, Utf8String, b"y")]),
            name_of(&[(CN, PrintableString, b"X"), (OU, Utf8String, b"y")]),
        ];
        let all: Vec<&Name> = names.iter().chain(&typed).collect();
        let mut equal = 0;
        for a in &all {
            for b in &all {
                let printed = a.to_string().eq_ignore_ascii_case(&b.to_string());
                assert_eq!(same_name_ignoring_case(a, b), printed, "{a} / {b}");
                equal += usize::from(printed);
            }
        }
        // Not only each name with itself.
        assert!(equal > all.len(), "{equal}");
    }

    #[test]
    fn name_with_cn_is_what_rfc_4514_text_parses_to() {
        for cn in [
            "alice",
            "a,b+c",
            " lead",
            "trail ",
            "#hash",
            "Ünïcödé",
            "x=y;z\\",
            "",
        ] {
            let mut escaped = String::new();
            let last = cn.chars().count().saturating_sub(1);
            for (i, c) in cn.chars().enumerate() {
                if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
                    || (i == 0 && matches!(c, '#' | ' '))
                    || (i == last && c == ' ')
                {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            let parsed: Name = format!("CN={escaped}").parse().unwrap();
            let made = name_with_cn(cn).unwrap();
            assert_eq!(made.to_der().unwrap(), parsed.to_der().unwrap(), "{cn:?}");
        }
    }

    /// The objectGUID otherName: `[0] { OID 1.3.6.1.4.1.311.25.1, [0] {
    /// OCTET STRING (16) } }` inside the SAN's `SEQUENCE`.
    #[test]
    fn object_guid_is_an_other_name_of_its_sixteen_bytes() {
        let guid: [u8; 16] = core::array::from_fn(|i| u8::try_from(i).unwrap() * 17);
        let ext = directory_alt_names(None, None, Some("dc.example.test"), Some(&guid))
            .unwrap()
            .unwrap();
        // 11 bytes of OID and 20 of explicit value; 33 + 17 of dNSName.
        let mut expected = vec![0x30, 0x32, 0xA0, 0x1F];
        expected.extend([
            0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x19, 0x01,
        ]);
        expected.extend([0xA0, 0x12, 0x04, 0x10]);
        expected.extend(guid);
        expected.extend([0x82, 0x0F]);
        expected.extend(b"dc.example.test");
        assert_eq!(ext.extn_value.as_bytes(), expected);
    }

    /// The bytes of KB5014754's extension, laid out by hand.
    #[test]
    fn sid_extension_is_one_other_name() {
        let sid = "S-1-5-21-3623811015-3361044348-30300820-1013";
        let ext = sid_extension(sid).unwrap();
        assert_eq!(ext.extn_id.to_string(), "1.3.6.1.4.1.311.25.2");
        assert!(!ext.critical);
        let text = sid.as_bytes();
        let mut octets = vec![0x04, u8::try_from(text.len()).unwrap()];
        octets.extend_from_slice(text);
        let mut explicit = vec![0xA0, u8::try_from(octets.len()).unwrap()];
        explicit.extend(octets);
        let oid = [
            0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x19, 0x02, 0x01,
        ];
        let mut other = vec![0xA0, u8::try_from(oid.len() + explicit.len()).unwrap()];
        other.extend(oid);
        other.extend(explicit);
        let mut expected = vec![0x30, u8::try_from(other.len()).unwrap()];
        expected.extend(other);
        assert_eq!(ext.extn_value.as_bytes(), expected);
    }

    #[test]
    fn aws_lc_signs_what_rustcrypto_signs_and_a_replaced_key_is_used() {
        let mut ca =
            Authority::create(generate_key(2048).unwrap(), "CA", 1_800_000_000, 86_400).unwrap();
        assert!(ca.fast.is_some());
        let data = b"to be signed";
        assert_eq!(ca.sign(data).unwrap(), sign(&ca.key, data).unwrap());
        // The public field changed: its key signs, not AWS-LC's stale copy.
        ca.key = generate_key(2048).unwrap();
        assert_eq!(ca.sign(data).unwrap(), sign(&ca.key, data).unwrap());
    }

    #[test]
    fn ca_issues_a_leaf_that_verifies_with_the_ca_key() {
        let ca =
            Authority::create(generate_key(2048).unwrap(), "Test CA", unix_now(), 3600).unwrap();
        let leaf_key = generate_key(2048).unwrap();
        let spec = CertificateSpec {
            subject: name_with_cn("alice, \"the\" user").unwrap(),
            public_key: spki(&leaf_key.to_public_key()).unwrap(),
            not_before: unix_now(),
            not_after: unix_now() + 600,
            profile: Profile::Leaf,
            extensions: vec![extended_key_usage(&[rfc5280::ID_KP_CLIENT_AUTH]).unwrap()],
        };
        let leaf = ca.issue(&spec).unwrap();
        assert_eq!(
            leaf.tbs_certificate.issuer,
            ca.certificate.tbs_certificate.subject
        );
        assert_eq!(
            leaf.tbs_certificate.subject.to_string(),
            "CN=alice\\, \\\"the\\\" user"
        );
        let tbs = leaf.tbs_certificate.to_der().unwrap();
        wstep::payload::signature::verify(
            &ca.certificate.tbs_certificate.subject_public_key_info,
            &leaf.signature_algorithm,
            &tbs,
            leaf.signature.raw_bytes(),
        )
        .unwrap();
        let (nb, na) = validity_secs(&leaf);
        assert_eq!(na - nb, 600);
    }

    #[test]
    fn times_switch_to_generalized_in_2050() {
        assert!(matches!(time(2_524_607_999).unwrap(), Time::UtcTime(_))); // 2049-12-31
        assert!(matches!(time(2_524_608_000).unwrap(), Time::GeneralTime(_))); // 2050-01-01
    }
}
