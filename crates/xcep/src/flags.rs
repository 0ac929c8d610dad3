//! Flag fields of a certificate template (MS-CRTD) as typed flag sets.
//!
//! STUB: the complete names and values are being filled in. Unknown bits are
//! always kept: build values with `from_bits_retain` and read `bits()`.
#![allow(missing_docs)]

bitflags::bitflags! {
    /// `privateKeyFlags` ([MS-CRTD] 2.27, msPKI-Private-Key-Flag).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PrivateKeyFlags: u32 {
        const REQUIRE_PRIVATE_KEY_ARCHIVAL = 0x0000_0001;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `subjectNameFlags` ([MS-CRTD] 2.28, msPKI-Certificate-Name-Flag).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SubjectNameFlags: u32 {
        const ENROLLEE_SUPPLIES_SUBJECT = 0x0000_0001;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `enrollmentFlags` ([MS-CRTD] 2.26, msPKI-Enrollment-Flag).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct EnrollmentFlags: u32 {
        const INCLUDE_SYMMETRIC_ALGORITHMS = 0x0000_0001;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `generalFlags` ([MS-CRTD] 2.4, flags attribute).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct GeneralFlags: u32 {
        const MACHINE_TYPE = 0x0000_0040;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `keySpec` ([MS-XCEP] 3.1.4.1.3.20; [MS-CRTD] pKIDefaultKeySpec).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct KeySpec: u32 {
        const AT_KEYEXCHANGE = 1;
        const AT_SIGNATURE = 2;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `keyUsageProperty` ([MS-XCEP] 3.1.4.1.3.20).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct KeyUsageProperty: u32 {
        const DECRYPT = 0x1;
        const SIGN = 0x2;
        const KEY_AGREEMENT = 0x4;
        const ALL_USAGES = 0x00FF_FFFF;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// `clientAuthentication` of a CAURI ([MS-XCEP] 3.1.4.1.3.4).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ClientAuthentication: u32 {
        const ANONYMOUS = 1;
        const KERBEROS = 2;
        const USERNAME_PASSWORD = 4;
        const CLIENT_CERTIFICATE = 8;
        const _ = !0;
    }
}
