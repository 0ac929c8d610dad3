//! Who may enroll: a template's `nTSecurityDescriptor` ([MS-CRTD] 2.5)
//! evaluated for a caller.
//!
//! [`SecurityDescriptor::from_bytes`] reads the self-relative binary form
//! ([MS-DTYP] 2.4.6) with its DACL ([MS-DTYP] 2.4.5), ACEs ([MS-DTYP]
//! 2.4.4) and SIDs ([MS-DTYP] 2.4.2, [`Sid`]). [`Caller`] is the set of
//! SIDs of the requester (its `objectSid`, its `tokenGroups`, and the
//! well-known Everyone and Authenticated Users), and
//! [`SecurityDescriptor::permission`] answers [`Permission`] `{ enroll,
//! auto_enroll }`.
//!
//! # The rule
//!
//! [MS-CRTD] 2.5.1 and 2.5.2 grant Enroll (Certificate-Enrollment,
//! [`ENROLL`] `0e10c968-78fb-11d2-90d4-00c04f79dc55`) and AutoEnroll
//! (Certificate-AutoEnrollment, [`AUTO_ENROLL`]
//! `a05b8cc2-17bc-4802-a710-e7c15ab866a2`) through an ACE for one of the
//! caller's SIDs with the control-access right (`ADS_RIGHT_DS_CONTROL_ACCESS`,
//! 0x100, "CR"), and deny them through the same ACE of a denied type. As
//! Windows' access check does ([MS-DTYP] 2.5.3.2), each right is decided by
//! the **first** ACE in DACL order that is about it; a stored DACL is in
//! canonical order (explicit deny, explicit allow, then inherited), so an
//! explicit deny wins over any allow. An ACE is about a right when:
//!
//! - its SID is one of the caller's, and it is not `INHERIT_ONLY_ACE`;
//! - it is `ACCESS_ALLOWED_ACE` / `ACCESS_DENIED_ACE` with
//!   [`rights::CONTROL_ACCESS`] or [`rights::GENERIC_ALL`] in its mask (all
//!   extended rights: that is how Full Control grants Enroll), or
//! - it is an object ACE with one of those bits and an `ObjectType` equal
//!   to the right's GUID, or no `ObjectType` at all (all extended rights,
//!   [MS-ADTS] 5.1.3.2.1).
//!
//! No ACE about the right: not granted. A NULL DACL (absent) grants
//! everything, an empty DACL nothing, as in Windows. ACE types other than
//! the four above (audit, callback, ...) are ignored.
//!
//! ```
//! use cepces_adcs::security::{rights, Ace, Acl, Caller, SecurityDescriptor, Sid, ENROLL, AUTO_ENROLL};
//!
//! let domain: Sid = "S-1-5-21-1-2-3".parse()?;
//! let users = domain.with_rid(513).unwrap();   // Domain Users
//! let sd = SecurityDescriptor::new(None, None, Acl::new(vec![
//!     Ace::new(false, rights::READ_PROPERTY | rights::CONTROL_ACCESS, Some(ENROLL), users.clone()),
//!     Ace::new(false, rights::READ_PROPERTY | rights::LIST_CHILDREN, None, Sid::AUTHENTICATED_USERS),
//! ]));
//! let bytes = sd.to_bytes();
//!
//! let alice = Caller::new(domain.with_rid(1104).unwrap(), [users]);
//! let p = SecurityDescriptor::from_bytes(&bytes)?.permission(&alice);
//! assert!(p.enroll && !p.auto_enroll);
//! let guest = Caller::new(domain.with_rid(501).unwrap(), []);
//! assert!(!SecurityDescriptor::from_bytes(&bytes)?.permission(&guest).enroll);
//! # let _ = AUTO_ENROLL;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
//! [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
//! [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/

mod descriptor;
mod sddl;
mod sid;

pub use descriptor::{
    ACE_INHERITED_OBJECT_TYPE_PRESENT, ACE_OBJECT_TYPE_PRESENT, Ace, AceType, Acl, Guid,
    INHERIT_ONLY_ACE, INHERITED_ACE, SE_DACL_PRESENT, SE_SACL_PRESENT, SE_SELF_RELATIVE,
    SecurityDescriptor,
};
pub use sddl::{SddlDomains, SddlError, SddlErrorKind};
pub use sid::Sid;

/// The Certificate-Enrollment extended right, [MS-CRTD] 2.5.2 table
/// ("Enroll"). A control access right ([MS-ADTS] 5.1.3.2.1): granted by an
/// ACE with `RIGHT_DS_CONTROL_ACCESS` and this GUID as `ObjectType`, or
/// with no `ObjectType`, which "is deemed to control the right to perform
/// all operations associated with the objects that are controlled by
/// control access rights".
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
/// [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/
pub const ENROLL: Guid = Guid::from_fields(
    0x0e10_c968,
    0x78fb,
    0x11d2,
    [0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc, 0x55],
);

/// The Certificate-AutoEnrollment extended right, [MS-CRTD] 2.5.2 table
/// ("AutoEnroll"), a control access right as [`ENROLL`] is ([MS-ADTS]
/// 5.1.3.2.1).
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
/// [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/
pub const AUTO_ENROLL: Guid = Guid::from_fields(
    0xa05b_8cc2,
    0x17bc,
    0x4802,
    [0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2],
);

/// Access mask bits of directory objects ([MS-ADTS] 5.1.3.2, with the
/// standard and generic rights of [MS-DTYP] 2.4.3), with their SDDL
/// abbreviations.
///
/// [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
pub mod rights {
    /// `CC`, `ADS_RIGHT_DS_CREATE_CHILD`.
    pub const CREATE_CHILD: u32 = 0x0000_0001;
    /// `DC`, `ADS_RIGHT_DS_DELETE_CHILD`.
    pub const DELETE_CHILD: u32 = 0x0000_0002;
    /// `LC`, `ADS_RIGHT_ACTRL_DS_LIST`.
    pub const LIST_CHILDREN: u32 = 0x0000_0004;
    /// `SW`, `ADS_RIGHT_DS_SELF`.
    pub const SELF_WRITE: u32 = 0x0000_0008;
    /// `RP`, `ADS_RIGHT_DS_READ_PROP`.
    pub const READ_PROPERTY: u32 = 0x0000_0010;
    /// `WP`, `ADS_RIGHT_DS_WRITE_PROP`.
    pub const WRITE_PROPERTY: u32 = 0x0000_0020;
    /// `DT`, `ADS_RIGHT_DS_DELETE_TREE`.
    pub const DELETE_TREE: u32 = 0x0000_0040;
    /// `LO`, `ADS_RIGHT_DS_LIST_OBJECT`.
    pub const LIST_OBJECT: u32 = 0x0000_0080;
    /// `CR`, `ADS_RIGHT_DS_CONTROL_ACCESS`: extended rights (Enroll,
    /// AutoEnroll).
    pub const CONTROL_ACCESS: u32 = 0x0000_0100;
    /// `SD`, `DELETE`.
    pub const DELETE: u32 = 0x0001_0000;
    /// `RC`, `READ_CONTROL`.
    pub const READ_CONTROL: u32 = 0x0002_0000;
    /// `WD`, `WRITE_DAC`.
    pub const WRITE_DAC: u32 = 0x0004_0000;
    /// `WO`, `WRITE_OWNER`.
    pub const WRITE_OWNER: u32 = 0x0008_0000;
    /// `GA`, `GENERIC_ALL` (mapped to every right of the object).
    pub const GENERIC_ALL: u32 = 0x1000_0000;
    /// Full control of a directory object as stored (SDDL
    /// `CCDCLCSWRPWPDTLOCRSDRCWDWO`, 0x000F01FF).
    pub const FULL_CONTROL: u32 = 0x000F_01FF;
}

/// The requester of an access check: the SIDs in its token.
///
/// [`Caller::new`] takes the account's `objectSid` and its `tokenGroups`
/// (the transitive group SIDs the directory computes) and adds Everyone
/// (`S-1-1-0`) and Authenticated Users (`S-1-5-11`), which every
/// authenticated token has. Read the binary attribute values with
/// [`Caller::from_ldap_values`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    sids: Vec<Sid>,
}

impl Caller {
    /// A caller with `object_sid`, its `token_groups`, Everyone and
    /// Authenticated Users.
    pub fn new(object_sid: Sid, token_groups: impl IntoIterator<Item = Sid>) -> Self {
        let mut sids = vec![object_sid];
        sids.extend(token_groups);
        sids.push(Sid::EVERYONE);
        sids.push(Sid::AUTHENTICATED_USERS);
        sids.sort();
        sids.dedup();
        Self { sids }
    }

    /// A caller from the binary values of its `objectSid` and
    /// `tokenGroups` attributes.
    pub fn from_ldap_values(
        object_sid: &[u8],
        token_groups: &[Vec<u8>],
    ) -> Result<Self, crate::SidError> {
        let sid = Sid::from_bytes(object_sid)?;
        let groups = token_groups
            .iter()
            .map(|g| Sid::from_bytes(g))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::new(sid, groups))
    }

    /// A caller whose token holds exactly `sids` (nothing added).
    pub fn from_sids(sids: impl IntoIterator<Item = Sid>) -> Self {
        let mut sids: Vec<Sid> = sids.into_iter().collect();
        sids.sort();
        sids.dedup();
        Self { sids }
    }

    /// Whether `sid` is in the token.
    pub fn has(&self, sid: &Sid) -> bool {
        self.sids.binary_search(sid).is_ok()
    }

    /// The SIDs, sorted.
    pub fn sids(&self) -> &[Sid] {
        &self.sids
    }
}

/// A caller's permissions on a template ([MS-CRTD] 2.5.1, 2.5.2), the
/// values of XCEP's `EnrollmentPermission` ([MS-XCEP] 3.1.4.1.3.11).
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permission {
    /// The caller may enroll.
    pub enroll: bool,
    /// The caller may autoenroll.
    pub auto_enroll: bool,
}

/// One DACL entry about Enroll or AutoEnroll
/// ([`SecurityDescriptor::enrollment_entries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnrollmentEntry {
    /// A deny ACE (otherwise it allows).
    pub deny: bool,
    /// The trustee.
    pub sid: Sid,
    /// It is about Enroll.
    pub enroll: bool,
    /// It is about AutoEnroll.
    pub auto_enroll: bool,
}

impl From<Permission> for xcep::EnrollmentPermission {
    fn from(p: Permission) -> Self {
        xcep::EnrollmentPermission::new(p.enroll, p.auto_enroll)
    }
}

impl SecurityDescriptor {
    /// Whether `caller` has the extended right `right` ([`ENROLL`],
    /// [`AUTO_ENROLL`], or any other): see the [module docs](self).
    pub fn grants(&self, caller: &Caller, right: &Guid) -> bool {
        const EXTENDED: u32 = rights::CONTROL_ACCESS | rights::GENERIC_ALL;
        let Some(dacl) = &self.dacl else {
            return true; // NULL DACL: no protection.
        };
        for ace in &dacl.aces {
            if ace.flags & INHERIT_ONLY_ACE != 0 || ace.mask & EXTENDED == 0 {
                continue;
            }
            let Some(sid) = &ace.sid else { continue };
            if !caller.has(sid) {
                continue;
            }
            let allow = match ace.ace_type {
                AceType::AccessAllowed => true,
                AceType::AccessDenied => false,
                AceType::AccessAllowedObject | AceType::AccessDeniedObject => {
                    if ace.object_type.is_some_and(|t| t != *right) {
                        continue;
                    }
                    ace.ace_type == AceType::AccessAllowedObject
                }
                _ => continue,
            };
            return allow;
        }
        false
    }

    /// The DACL's entries about Enroll and AutoEnroll, in order, for a
    /// caller-independent evaluation elsewhere (the server decides each
    /// caller with the same first-match rule [`grants`](Self::grants)
    /// applies): every allow or deny ACE that is not inherit-only, names a
    /// SID and carries `CR` or `GA`; an object ACE is about the right its
    /// `ObjectType` names (both when it names none; others are left out).
    /// A NULL DACL is one entry allowing Everyone both.
    pub fn enrollment_entries(&self) -> Vec<EnrollmentEntry> {
        const EXTENDED: u32 = rights::CONTROL_ACCESS | rights::GENERIC_ALL;
        let Some(dacl) = &self.dacl else {
            return vec![EnrollmentEntry {
                deny: false,
                sid: Sid::EVERYONE,
                enroll: true,
                auto_enroll: true,
            }];
        };
        let mut out = Vec::new();
        for ace in &dacl.aces {
            if ace.flags & INHERIT_ONLY_ACE != 0 || ace.mask & EXTENDED == 0 {
                continue;
            }
            let Some(sid) = &ace.sid else { continue };
            let (deny, object_type) = match ace.ace_type {
                AceType::AccessAllowed => (false, None),
                AceType::AccessDenied => (true, None),
                AceType::AccessAllowedObject => (false, ace.object_type),
                AceType::AccessDeniedObject => (true, ace.object_type),
                _ => continue,
            };
            let enroll = object_type.is_none_or(|t| t == ENROLL);
            let auto_enroll = object_type.is_none_or(|t| t == AUTO_ENROLL);
            if enroll || auto_enroll {
                out.push(EnrollmentEntry {
                    deny,
                    sid: sid.clone(),
                    enroll,
                    auto_enroll,
                });
            }
        }
        out
    }

    /// `caller`'s Enroll and AutoEnroll permissions.
    pub fn permission(&self, caller: &Caller) -> Permission {
        Permission {
            enroll: self.grants(caller, &ENROLL),
            auto_enroll: self.grants(caller, &AUTO_ENROLL),
        }
    }
}

#[cfg(test)]
mod tests;
