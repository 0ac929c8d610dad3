//! Namespace URIs: MS-WSTEP's and the ones it uses besides SOAP's.
//!
//! The SOAP, WS-Addressing, WS-Security and WS-Trust namespaces are
//! soap-envelope's ([`soap_envelope::ns`], re-exported here), so that one
//! `ns` names every namespace a WSTEP message has.

pub use soap_envelope::ns::*;

/// The MS-WSTEP enrollment namespace, [MS-WSTEP] 3.1.4.1.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const WSTEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
/// WS-Federation authorization (`AdditionalContext`, `ContextItem`),
/// [MS-WSTEP] 3.1.4.1.3.1.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub const AUTH: &str = "http://schemas.xmlsoap.org/ws/2006/12/authorization";
/// The MS-MDE2 enrollment namespace (`Discover`), [MS-MDE2] 3.1.4.1.
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
pub const MDE2: &str = "http://schemas.microsoft.com/windows/management/2012/01/enrollment";
