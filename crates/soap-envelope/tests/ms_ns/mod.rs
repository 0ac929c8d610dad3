//! The Microsoft namespaces the tests' messages use. They belong to the
//! xcep and wstep crates (`xcep::NAMESPACE`, `wstep::ns`), which this
//! generic crate does not depend on.
#![allow(dead_code)]

/// MS-XCEP.
pub const XCEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";
/// MS-WSTEP.
pub const WSTEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
/// WS-Federation authorization.
pub const AUTH: &str = "http://schemas.xmlsoap.org/ws/2006/12/authorization";
/// MS-MDE2.
pub const MDE2: &str = "http://schemas.microsoft.com/windows/management/2012/01/enrollment";
