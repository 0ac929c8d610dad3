//! Object identifiers used by the payloads.

use der::asn1::ObjectIdentifier as Oid;

/// `rsaEncryption`, RFC 8017 Appendix A.1.
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// `sha1WithRSAEncryption`, RFC 8017 Appendix A.2.4.
pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
/// `sha224WithRSAEncryption`, RFC 8017 Appendix A.2.4.
pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
/// `sha256WithRSAEncryption`.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// OIW `sha1WithRSASignature` (`1.3.14.3.2.29`): the same RSA PKCS#1 v1.5
/// signature with SHA-1 as [`SHA1_WITH_RSA`], under the older OIW arc.
/// Windows MDM clients sign their PKCS#10 with it.
pub const OIW_SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.3.14.3.2.29");
/// `id-RSASSA-PSS`, RFC 8017 Appendix A.2.3; its parameters are
/// `RSASSA-PSS-params` (hash, mask generation, salt length, trailer).
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// `id-mgf1`, RFC 8017 Appendix A.2.1.
pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
/// `md5WithRSAEncryption`, RFC 8017 Appendix A.2.4: refused (see
/// [`crate::Error::InsecureAlgorithm`]).
pub const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
/// `md2WithRSAEncryption`, RFC 8017 Appendix A.2.4: refused.
pub const MD2_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.2");
/// `id-ecPublicKey`, RFC 5480 Section 2.1.1.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` (P-256), RFC 5480 Section 2.1.1.1.
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1` (P-384).
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
/// `ecdsa-with-SHA1`, RFC 3279 Section 2.2.3.
pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
/// `ecdsa-with-SHA224`, RFC 5758 Section 3.2.
pub const ECDSA_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
/// `ecdsa-with-SHA256`, RFC 5758 Section 3.2.
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384`.
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// `ecdsa-with-SHA512`.
pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
/// PKCS#9 `extensionRequest`, RFC 2985 Section 5.4.2.
pub const EXTENSION_REQUEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.14");
/// Microsoft's `szOID_RSA_certExtensions` alias of `extensionRequest`
/// (`1.3.6.1.4.1.311.2.1.14`), which older Windows clients send.
pub const MS_EXTENSION_REQUEST: Oid = Oid::new_unwrap("1.3.6.1.4.1.311.2.1.14");
/// `szOID_ENROLL_CERTTYPE_EXTENSION`: the template name, a BMPString
/// ([MS-WCCE] 2.2.2.7.7.1).
pub const TEMPLATE_NAME: Oid = Oid::new_unwrap("1.3.6.1.4.1.311.20.2");
/// `szOID_CERTIFICATE_TEMPLATE`: the template OID and version
/// ([MS-WCCE] 2.2.2.7.7.2).
pub const TEMPLATE_INFO: Oid = Oid::new_unwrap("1.3.6.1.4.1.311.21.7");
/// `id-data`, RFC 5652 Section 4.
pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData`, RFC 5652 Section 5.1.
pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// `id-cct-PKIData`, RFC 5272 Section 3.2.
pub const CCT_PKI_DATA: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.12.2");
/// `id-cct-PKIResponse`, RFC 5272 Section 3.2.
pub const CCT_PKI_RESPONSE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.12.3");
/// `id-ce-subjectKeyIdentifier`, RFC 5280 Section 4.2.1.2.
pub const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// `id-sha1`, RFC 3370 Section 2.1.
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// `id-sha224`, RFC 5754 Section 2.
pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
/// `id-sha256`, RFC 5754 Section 2.
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384`.
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512`.
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
/// PKCS#9 `messageDigest`, RFC 5652 Section 11.2.
pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// `id-cmc-statusInfo`, RFC 5272 Section 6.1.1.
pub const CMC_STATUS_INFO: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.7.1");
