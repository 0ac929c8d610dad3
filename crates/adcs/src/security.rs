//! Template permissions: the binary `nTSecurityDescriptor` ([MS-DTYP]
//! 2.4.6, self-relative), its SIDs (2.4.2.2) and DACL (2.4.5) with the
//! ACE types Active Directory uses (2.4.4.2, 2.4.4.3 and their object
//! variants 2.4.4.3–2.4.4.4), and the two extended rights a template
//! grants ([MS-CRTD] 4.1.2): Certificate-Enrollment and
//! Certificate-AutoEnrollment.
//!
//! No crate on crates.io reads the binary format without Windows APIs
//! (`windows-acl` and `sddl` wrap Win32 calls), so this is a bounded
//! parser: every length is checked against the input before it is used,
//! and the counts are bounded by the input's length.
//!
//! [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/

use std::fmt;
use std::str::FromStr;

/// A security identifier ([MS-DTYP] 2.4.2).
///
/// ```
/// use cepces_adcs::security::Sid;
///
/// let sid: Sid = "S-1-5-21-1004336348-1177238915-682003330-513".parse().unwrap();
/// assert_eq!(Sid::from_bytes(&sid.to_bytes()).unwrap(), sid);
/// assert_eq!(sid.rid(), Some(513)); // Domain Users
/// ```
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    authority: u64,
    sub_authorities: Vec<u32>,
}

/// `S-1-1-0`, Everyone.
pub const EVERYONE: &str = "S-1-1-0";
/// `S-1-5-11`, Authenticated Users.
pub const AUTHENTICATED_USERS: &str = "S-1-5-11";

/// Certificate-Enrollment, the `Enroll` extended right ([MS-CRTD] 4.1.2.1).
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
pub const ENROLL: Guid = Guid::from_u128(0x0e10c968_78fb_11d2_90d4_00c04f79dc55);
/// Certificate-AutoEnrollment, the `AutoEnroll` extended right
/// ([MS-CRTD] 4.1.2.2).
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
pub const AUTO_ENROLL: Guid = Guid::from_u128(0xa05b8cc2_17bc_4802_a710_e7c15ab866a2);

/// `ADS_RIGHT_DS_CONTROL_ACCESS`: the extended rights ([MS-ADTS] 5.1.3.2).
///
/// [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/
pub const RIGHT_DS_CONTROL_ACCESS: u32 = 0x0000_0100;
/// `GENERIC_ALL` ([MS-DTYP] 2.4.3).
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
pub const GENERIC_ALL: u32 = 0x1000_0000;

/// `INHERIT_ONLY_ACE`: the ACE does not apply to the object itself.
const INHERIT_ONLY_ACE: u8 = 0x08;
/// `SE_DACL_PRESENT`.
const SE_DACL_PRESENT: u16 = 0x0004;
/// `SE_SELF_RELATIVE`.
const SE_SELF_RELATIVE: u16 = 0x8000;

/// A SID with more sub-authorities than [MS-DTYP] 2.4.2.2 allows.
const MAX_SUB_AUTHORITIES: usize = 15;

impl Sid {
    /// Reads a SID's binary form; the input must be exactly one SID.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let (sid, used) = Self::read(bytes)?;
        if used != bytes.len() {
            return Err(format!("{} bytes after the SID", bytes.len() - used));
        }
        Ok(sid)
    }

    /// Reads a SID at the start of `bytes`; returns it and its length.
    fn read(bytes: &[u8]) -> Result<(Self, usize), String> {
        let [revision, count, a0, a1, a2, a3, a4, a5, rest @ ..] = bytes else {
            return Err("a SID is at least 8 bytes".into());
        };
        if *revision != 1 {
            return Err(format!("SID revision {revision}"));
        }
        let count = usize::from(*count);
        if count > MAX_SUB_AUTHORITIES {
            return Err(format!("{count} sub-authorities (at most 15)"));
        }
        if rest.len() < count * 4 {
            return Err("SID truncated".into());
        }
        let authority = u64::from_be_bytes([0, 0, *a0, *a1, *a2, *a3, *a4, *a5]);
        let sub_authorities = rest[..count * 4]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok((
            Self {
                authority,
                sub_authorities,
            },
            8 + count * 4,
        ))
    }

    /// The binary form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 4 * self.sub_authorities.len());
        out.push(1);
        // At most 15, checked when built.
        #[allow(clippy::cast_possible_truncation)]
        out.push(self.sub_authorities.len() as u8);
        out.extend_from_slice(&self.authority.to_be_bytes()[2..]);
        for s in &self.sub_authorities {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }

    /// The last sub-authority (the relative identifier), if any.
    pub fn rid(&self) -> Option<u32> {
        self.sub_authorities.last().copied()
    }

    /// This SID with `rid` appended (a domain SID and a RID: an account).
    #[must_use]
    pub fn with_rid(&self, rid: u32) -> Self {
        let mut s = self.clone();
        if s.sub_authorities.len() < MAX_SUB_AUTHORITIES {
            s.sub_authorities.push(rid);
        }
        s
    }
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S-1-{}", self.authority)?;
        for s in &self.sub_authorities {
            write!(f, "-{s}")?;
        }
        Ok(())
    }
}

impl FromStr for Sid {
    type Err = String;

    /// `S-1-<authority>-<sub>...`, as [MS-DTYP] 2.4.2.1 writes it.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split('-');
        if !parts.next().is_some_and(|p| p.eq_ignore_ascii_case("S")) || parts.next() != Some("1") {
            return Err(format!("{s:?} is not S-1-..."));
        }
        let authority = parts
            .next()
            .and_then(|a| a.parse::<u64>().ok())
            .filter(|a| *a < 1 << 48)
            .ok_or_else(|| format!("{s:?}: bad identifier authority"))?;
        let sub_authorities = parts
            .map(|p| {
                p.parse::<u32>()
                    .map_err(|_| format!("{s:?}: bad sub-authority {p:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if sub_authorities.len() > MAX_SUB_AUTHORITIES {
            return Err(format!("{s:?}: more than 15 sub-authorities"));
        }
        Ok(Self {
            authority,
            sub_authorities,
        })
    }
}

/// A GUID in its binary form ([MS-DTYP] 2.3.4.2: the first three fields
/// little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Guid([u8; 16]);

impl Guid {
    /// The GUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` as one
    /// 128-bit number.
    pub const fn from_u128(v: u128) -> Self {
        let b = v.to_be_bytes();
        Self([
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ])
    }

    /// The binary form.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-",
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9]
        )?;
        for x in &b[10..] {
            write!(f, "{x:02x}")?;
        }
        Ok(())
    }
}

/// Whether an ACE allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AceKind {
    /// `ACCESS_ALLOWED_ACE` (0x00) or `ACCESS_ALLOWED_OBJECT_ACE` (0x05).
    Allow,
    /// `ACCESS_DENIED_ACE` (0x01) or `ACCESS_DENIED_OBJECT_ACE` (0x06).
    Deny,
    /// Another type (audit, alarm, callback, ...), by number: kept, never
    /// evaluated.
    Other(u8),
}

/// An access control entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ace {
    /// Allow or deny.
    pub kind: AceKind,
    /// `AceFlags` (inheritance).
    pub flags: u8,
    /// The access mask.
    pub mask: u32,
    /// The object type of an object ACE (the extended right), if given.
    pub object_type: Option<Guid>,
    /// The inherited object type of an object ACE, if given.
    pub inherited_object_type: Option<Guid>,
    /// The trustee; `None` for an ACE type that is not evaluated.
    pub sid: Option<Sid>,
}

impl Ace {
    /// An ACE of `kind` for `sid` with `mask` (and, for an object ACE,
    /// the right `object_type`).
    pub fn new(kind: AceKind, sid: Sid, mask: u32, object_type: Option<Guid>) -> Self {
        Self {
            kind,
            flags: 0,
            mask,
            object_type,
            inherited_object_type: None,
            sid: Some(sid),
        }
    }

    /// Sets `AceFlags`.
    #[must_use]
    pub fn with_flags(mut self, flags: u8) -> Self {
        self.flags = flags;
        self
    }

    /// Whether this ACE, on the object itself, covers the extended right
    /// `right`.
    fn covers(&self, right: Guid) -> bool {
        if self.flags & INHERIT_ONLY_ACE != 0 || self.inherited_object_type.is_some() {
            // For child objects (of a class), not this one.
            return false;
        }
        if self.mask & GENERIC_ALL != 0 {
            return true;
        }
        self.mask & RIGHT_DS_CONTROL_ACCESS != 0 && self.object_type.is_none_or(|t| t == right)
    }
}

/// A security descriptor: owner, group and DACL (the SACL is not read).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SecurityDescriptor {
    /// The owner.
    pub owner: Option<Sid>,
    /// The primary group.
    pub group: Option<Sid>,
    /// The DACL; `None` is a NULL DACL (no protection: everything is
    /// allowed), an empty list denies everything.
    pub dacl: Option<Vec<Ace>>,
}

/// Most ACEs a DACL may hold (an ACE is at least 16 bytes and an ACL at
/// most 65,535).
const MAX_ACES: usize = 65_535 / 16;

/// The rights a caller holds on a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Rights {
    /// Certificate-Enrollment.
    pub enroll: bool,
    /// Certificate-AutoEnrollment.
    pub auto_enroll: bool,
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| format!("truncated at byte {at}"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| format!("truncated at byte {at}"))
}

fn guid_at(b: &[u8], at: usize) -> Result<Guid, String> {
    b.get(at..at + 16)
        .map(|s| {
            let mut g = [0; 16];
            g.copy_from_slice(s);
            Guid(g)
        })
        .ok_or_else(|| format!("truncated GUID at byte {at}"))
}

fn offset(b: &[u8], at: usize) -> Result<Option<usize>, String> {
    let o = u32_at(b, at)? as usize;
    if o == 0 {
        Ok(None)
    } else if o >= b.len() {
        Err(format!("offset {o} past the end ({} bytes)", b.len()))
    } else {
        Ok(Some(o))
    }
}

impl SecurityDescriptor {
    /// A descriptor with the DACL `dacl` and no owner or group.
    pub fn new(dacl: Vec<Ace>) -> Self {
        Self {
            owner: None,
            group: None,
            dacl: Some(dacl),
        }
    }

    /// Sets the owner.
    #[must_use]
    pub fn with_owner(mut self, owner: Sid) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Reads a self-relative `SECURITY_DESCRIPTOR` ([MS-DTYP] 2.4.6), as
    /// LDAP returns `nTSecurityDescriptor`.
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    pub fn from_bytes(b: &[u8]) -> Result<Self, String> {
        if b.len() < 20 {
            return Err(format!("{} bytes (the header alone is 20)", b.len()));
        }
        if b[0] != 1 {
            return Err(format!("revision {}", b[0]));
        }
        let control = u16_at(b, 2)?;
        if control & SE_SELF_RELATIVE == 0 {
            return Err("not self-relative".into());
        }
        let owner = offset(b, 4)?
            .map(|o| Sid::read(&b[o..]).map(|s| s.0))
            .transpose()?;
        let group = offset(b, 8)?
            .map(|o| Sid::read(&b[o..]).map(|s| s.0))
            .transpose()?;
        let dacl = if control & SE_DACL_PRESENT == 0 {
            None
        } else {
            match offset(b, 16)? {
                None => None,
                Some(o) => Some(read_acl(&b[o..])?),
            }
        };
        Ok(Self { owner, group, dacl })
    }

    /// The self-relative binary form (owner, group, then DACL).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![1, 0];
        let mut control = SE_SELF_RELATIVE;
        if self.dacl.is_some() {
            control |= SE_DACL_PRESENT;
        }
        out.extend_from_slice(&control.to_le_bytes());
        out.resize(20, 0);
        let put = |out: &mut Vec<u8>, field: usize, bytes: &[u8]| {
            let at = u32::try_from(out.len()).unwrap_or(0).to_le_bytes();
            out[field..field + 4].copy_from_slice(&at);
            out.extend_from_slice(bytes);
        };
        if let Some(s) = &self.owner {
            put(&mut out, 4, &s.to_bytes());
        }
        if let Some(s) = &self.group {
            put(&mut out, 8, &s.to_bytes());
        }
        if let Some(aces) = &self.dacl {
            put(&mut out, 16, &write_acl(aces));
        }
        out
    }

    /// The rights that the caller whose token holds `sids` has on the
    /// object: the DACL's ACEs in order, each right decided by the first
    /// ACE that covers it for one of the SIDs (a deny before an allow
    /// wins, as the Windows access check does on a canonical DACL).
    /// ACEs for child objects (inherit-only, or for another object class)
    /// do not count. A NULL DACL grants everything.
    ///
    /// The caller passes its own SID, its groups (`tokenGroups`) and the
    /// well-known ones its token holds ([`EVERYONE`],
    /// [`AUTHENTICATED_USERS`]).
    pub fn rights(&self, sids: &[Sid]) -> Rights {
        let Some(aces) = &self.dacl else {
            return Rights {
                enroll: true,
                auto_enroll: true,
            };
        };
        let decide = |right: Guid| {
            for ace in aces {
                let Some(sid) = &ace.sid else { continue };
                if !sids.contains(sid) || !ace.covers(right) {
                    continue;
                }
                match ace.kind {
                    AceKind::Allow => return true,
                    AceKind::Deny => return false,
                    AceKind::Other(_) => {}
                }
            }
            false
        };
        Rights {
            enroll: decide(ENROLL),
            auto_enroll: decide(AUTO_ENROLL),
        }
    }
}

fn read_acl(b: &[u8]) -> Result<Vec<Ace>, String> {
    let size = usize::from(u16_at(b, 2)?);
    let count = usize::from(u16_at(b, 4)?);
    if size < 8 || size > b.len() {
        return Err(format!("ACL size {size} with {} bytes left", b.len()));
    }
    if count > MAX_ACES {
        return Err(format!("{count} ACEs"));
    }
    let acl = &b[..size];
    let mut at = 8;
    let mut aces = Vec::with_capacity(count.min(size / 16));
    for i in 0..count {
        let kind = *acl.get(at).ok_or_else(|| format!("ACE {i} truncated"))?;
        let flags = *acl
            .get(at + 1)
            .ok_or_else(|| format!("ACE {i} truncated"))?;
        let ace_size = usize::from(u16_at(acl, at + 2)?);
        if ace_size < 8 || at + ace_size > acl.len() {
            return Err(format!("ACE {i}: size {ace_size}"));
        }
        let body = &acl[at..at + ace_size];
        let ace = match kind {
            0x00 | 0x01 => Ace {
                kind: if kind == 0 {
                    AceKind::Allow
                } else {
                    AceKind::Deny
                },
                flags,
                mask: u32_at(body, 4)?,
                object_type: None,
                inherited_object_type: None,
                sid: Some(Sid::read(body.get(8..).unwrap_or_default())?.0),
            },
            0x05 | 0x06 => {
                let object_flags = u32_at(body, 8)?;
                let mut p = 12;
                let object_type = if object_flags & 1 != 0 {
                    p += 16;
                    Some(guid_at(body, p - 16)?)
                } else {
                    None
                };
                let inherited_object_type = if object_flags & 2 != 0 {
                    p += 16;
                    Some(guid_at(body, p - 16)?)
                } else {
                    None
                };
                Ace {
                    kind: if kind == 5 {
                        AceKind::Allow
                    } else {
                        AceKind::Deny
                    },
                    flags,
                    mask: u32_at(body, 4)?,
                    object_type,
                    inherited_object_type,
                    sid: Some(Sid::read(body.get(p..).unwrap_or_default())?.0),
                }
            }
            other => Ace {
                kind: AceKind::Other(other),
                flags,
                mask: u32_at(body, 4).unwrap_or(0),
                object_type: None,
                inherited_object_type: None,
                sid: None,
            },
        };
        aces.push(ace);
        at += ace_size;
    }
    Ok(aces)
}

fn write_acl(aces: &[Ace]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut count: u16 = 0;
    for ace in aces {
        let (AceKind::Allow | AceKind::Deny, Some(sid)) = (ace.kind, &ace.sid) else {
            continue;
        };
        let object = ace.object_type.is_some() || ace.inherited_object_type.is_some();
        let kind: u8 = match (ace.kind, object) {
            (AceKind::Allow, false) => 0x00,
            (AceKind::Deny, false) => 0x01,
            (AceKind::Allow, true) => 0x05,
            _ => 0x06,
        };
        let mut a = vec![kind, ace.flags, 0, 0];
        a.extend_from_slice(&ace.mask.to_le_bytes());
        if object {
            let mut f = 0u32;
            if ace.object_type.is_some() {
                f |= 1;
            }
            if ace.inherited_object_type.is_some() {
                f |= 2;
            }
            a.extend_from_slice(&f.to_le_bytes());
            for g in [ace.object_type, ace.inherited_object_type]
                .into_iter()
                .flatten()
            {
                a.extend_from_slice(&g.to_bytes());
            }
        }
        a.extend_from_slice(&sid.to_bytes());
        let len = u16::try_from(a.len()).unwrap_or(u16::MAX).to_le_bytes();
        a[2..4].copy_from_slice(&len);
        body.extend_from_slice(&a);
        count = count.saturating_add(1);
    }
    let size = u16::try_from(body.len() + 8).unwrap_or(u16::MAX);
    // ACL_REVISION_DS: object ACEs allowed.
    let mut out = vec![4, 0];
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&body);
    out
}
