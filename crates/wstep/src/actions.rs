//! WS-Addressing Actions, token types and `BinarySecurityToken` value types
//! of MS-WSTEP (and the MS-MDE2 profile of it).
//!
//! [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
//! [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/

/// Action of a `RequestSecurityToken` for enrollment, renewal and
/// QueryTokenStatus, [MS-WSTEP] 3.1.4.2.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const RST: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep";
/// Action of the `RequestSecurityTokenResponseCollection` answering [`RST`],
/// [MS-WSTEP] 3.1.4.2.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const RSTRC: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep";
/// Action of a key exchange token request, [MS-WSTEP] 3.1.4.2 (example
/// 4.1.2.1).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const KET: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/KET";
/// Action of the response to [`KET`], [MS-WSTEP] 3.1.4.2 (example 4.1.2.2).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const KET_FINAL: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/KETFinal";
/// Action of a fault carrying a `CertificateEnrollmentWSDetail`,
/// [MS-WSTEP] 3.1.4.2.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const DETAIL_FAULT: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RequestSecurityTokenCertificateEnrollmentWSDetailFault";

/// `TokenType` of an X.509 v3 certificate, [MS-WSTEP] 3.1.4.1.2.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const TOKEN_TYPE_X509V3: &str = soap_envelope::security::VALUE_TYPE_X509V3;
/// `TokenType` of an MS-MDE2 device enrollment, [MS-MDE2] 3.4.4.1.1.1.
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
pub const TOKEN_TYPE_MDE2: &str =
    "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken";

/// `ValueType` of a PKCS#10 request, as [MS-WSTEP] 3.1.4.1.3.1 and MS-MDE2
/// spell it (the form this crate writes).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const VALUE_TYPE_PKCS10: &str =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10";
/// `ValueType` of a PKCS#7 request or response (enrollment namespace).
pub const VALUE_TYPE_PKCS7: &str =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS7";
/// `ValueType` of a CMC request (enrollment namespace).
pub const VALUE_TYPE_CMC: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#CMC";
/// `ValueType` of a PKCS#10 request in the WS-Security secext spelling.
pub const VALUE_TYPE_PKCS10_WSS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#PKCS10";
/// `ValueType` of PKCS#7 in the WS-Security secext spelling, which the
/// [MS-WSTEP] 4.1 examples (Windows clients and CES) use.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const VALUE_TYPE_PKCS7_WSS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#PKCS7";
/// `ValueType` of a CMC request in the WS-Security secext spelling.
pub const VALUE_TYPE_CMC_WSS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#CMC";
/// `ValueType` of an issued X.509 v3 certificate.
pub const VALUE_TYPE_X509V3: &str = soap_envelope::security::VALUE_TYPE_X509V3;
/// `ValueType` of the MS-MDE2 provisioning document (a `wap-provisioningdoc`),
/// [MS-MDE2] 3.4.4.1.1.3.
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
pub const VALUE_TYPE_PROVISIONING_DOC: &str = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc";
/// `ValueType` of the MS-MDE2 security token in the `wsse:Security` header.
pub const VALUE_TYPE_MDE2_USER_TOKEN: &str = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentUserToken";
