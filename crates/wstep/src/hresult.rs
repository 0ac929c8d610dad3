//! HRESULT error codes that CES returns (stub, being filled in).

/// An HRESULT as CES returns it in `CertificateEnrollmentWSDetail/ErrorCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HResult(pub i32);
