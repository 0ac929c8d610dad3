//! The binary security descriptor: [`SecurityDescriptor`], [`Acl`],
//! [`Ace`] and [`Guid`].

use core::fmt;
use core::str::FromStr;

use super::sid::Sid;
use crate::error::DescriptorError;

/// A GUID as stored in an object ACE ([MS-DTYP] 2.3.4.2): `Data1`, `Data2`
/// and `Data3` little-endian, `Data4` as bytes. [`Display`](fmt::Display)
/// and [`FromStr`] use the registry form `0e10c968-78fb-11d2-90d4-00c04f79dc55`.
///
/// ```
/// use cepces_adcs::security::{Guid, ENROLL};
///
/// let g: Guid = "0e10c968-78fb-11d2-90d4-00c04f79dc55".parse().unwrap();
/// assert_eq!(g, ENROLL);
/// assert_eq!(g.to_bytes()[..4], [0x68, 0xc9, 0x10, 0x0e]);
/// ```
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid {
    data1: u32,
    data2: u16,
    data3: u16,
    data4: [u8; 8],
}

impl Guid {
    /// A GUID from its four fields.
    pub const fn from_fields(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Self {
        Self {
            data1,
            data2,
            data3,
            data4,
        }
    }

    /// Reads the 16 stored bytes.
    pub fn from_bytes(b: [u8; 16]) -> Self {
        Self {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
        }
    }

    /// The 16 stored bytes.
    pub fn to_bytes(self) -> [u8; 16] {
        let mut b = [0; 16];
        b[..4].copy_from_slice(&self.data1.to_le_bytes());
        b[4..6].copy_from_slice(&self.data2.to_le_bytes());
        b[6..8].copy_from_slice(&self.data3.to_le_bytes());
        b[8..].copy_from_slice(&self.data4);
        b
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.data4;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            self.data1, self.data2, self.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        )
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

impl FromStr for Guid {
    type Err = ();

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, optionally in braces.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(s);
        let parts: Vec<&str> = s.split('-').collect();
        let lens = [8, 4, 4, 4, 12];
        if parts.len() != 5
            || parts
                .iter()
                .zip(lens)
                .any(|(p, l)| p.len() != l || !p.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(());
        }
        let hex = |t: &str| u64::from_str_radix(t, 16).map_err(|_| ());
        let data1 = u32::try_from(hex(parts[0])?).map_err(|_| ())?;
        let data2 = u16::try_from(hex(parts[1])?).map_err(|_| ())?;
        let data3 = u16::try_from(hex(parts[2])?).map_err(|_| ())?;
        let tail = hex(parts[3])? << 48 | hex(parts[4])?;
        Ok(Self::from_fields(data1, data2, data3, tail.to_be_bytes()))
    }
}

/// The `AceType` of an ACE header ([MS-DTYP] 2.4.4.1). The four types an
/// access check on a directory object uses are named; every other type
/// (audit, alarm, callback, mandatory label, ...) is kept as
/// [`Other`](Self::Other) and ignored by the evaluation.
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AceType {
    /// 0x00 `ACCESS_ALLOWED_ACE_TYPE` ([MS-DTYP] 2.4.4.2).
    AccessAllowed,
    /// 0x01 `ACCESS_DENIED_ACE_TYPE` ([MS-DTYP] 2.4.4.4).
    AccessDenied,
    /// 0x05 `ACCESS_ALLOWED_OBJECT_ACE_TYPE` ([MS-DTYP] 2.4.4.3).
    AccessAllowedObject,
    /// 0x06 `ACCESS_DENIED_OBJECT_ACE_TYPE` ([MS-DTYP] 2.4.4.5).
    AccessDeniedObject,
    /// Any other type, kept as its byte and its body.
    Other(u8),
}

impl AceType {
    /// The type byte.
    pub fn code(self) -> u8 {
        match self {
            AceType::AccessAllowed => 0x00,
            AceType::AccessDenied => 0x01,
            AceType::AccessAllowedObject => 0x05,
            AceType::AccessDeniedObject => 0x06,
            AceType::Other(c) => c,
        }
    }

    fn from_code(c: u8) -> Self {
        match c {
            0x00 => AceType::AccessAllowed,
            0x01 => AceType::AccessDenied,
            0x05 => AceType::AccessAllowedObject,
            0x06 => AceType::AccessDeniedObject,
            other => AceType::Other(other),
        }
    }

    fn is_object(self) -> bool {
        matches!(
            self,
            AceType::AccessAllowedObject | AceType::AccessDeniedObject
        )
    }
}

/// `AceFlags` bit `INHERIT_ONLY_ACE` (0x08, [MS-DTYP] 2.4.4.1): the ACE
/// applies to children only and is skipped in an access check of the
/// object itself.
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
pub const INHERIT_ONLY_ACE: u8 = 0x08;
/// `AceFlags` bit `INHERITED_ACE` (0x10).
pub const INHERITED_ACE: u8 = 0x10;
/// Object ACE `Flags` bit `ACE_OBJECT_TYPE_PRESENT` ([MS-DTYP] 2.4.4.3).
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
pub const ACE_OBJECT_TYPE_PRESENT: u32 = 0x1;
/// Object ACE `Flags` bit `ACE_INHERITED_OBJECT_TYPE_PRESENT`.
pub const ACE_INHERITED_OBJECT_TYPE_PRESENT: u32 = 0x2;

/// One access control entry ([MS-DTYP] 2.4.4).
///
/// For the four access types, [`mask`](Self::mask) and [`sid`](Self::sid)
/// are read and, for the object types, the two optional GUIDs. For other
/// types, [`sid`](Self::sid) is `None` and the body after the header is
/// kept in [`body`](Self::body) so that [`SecurityDescriptor::to_bytes`]
/// writes it back.
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ace {
    /// `AceType`.
    pub ace_type: AceType,
    /// `AceFlags` (inheritance; [`INHERIT_ONLY_ACE`], [`INHERITED_ACE`], ...).
    pub flags: u8,
    /// `Mask`, the access rights ([MS-DTYP] 2.4.3; directory rights
    /// [MS-ADTS] 5.1.3.2, see [`super::rights`]).
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    /// [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/
    pub mask: u32,
    /// `ObjectType` of an object ACE (`None` when absent: the ACE covers
    /// every extended right, property and class).
    pub object_type: Option<Guid>,
    /// `InheritedObjectType` of an object ACE.
    pub inherited_object_type: Option<Guid>,
    /// The trustee, for the four access types.
    pub sid: Option<Sid>,
    /// The bytes after the header of an ACE of another type.
    pub body: Vec<u8>,
}

impl Ace {
    /// An allow or deny ACE for `sid` (an object ACE when `object_type` is
    /// given; `deny` picks the denied type).
    pub fn new(deny: bool, mask: u32, object_type: Option<Guid>, sid: Sid) -> Self {
        let ace_type = match (deny, object_type.is_some()) {
            (false, false) => AceType::AccessAllowed,
            (true, false) => AceType::AccessDenied,
            (false, true) => AceType::AccessAllowedObject,
            (true, true) => AceType::AccessDeniedObject,
        };
        Self {
            ace_type,
            flags: 0,
            mask,
            object_type,
            inherited_object_type: None,
            sid: Some(sid),
            body: Vec::new(),
        }
    }

    /// `self` with `AceFlags` set to `flags`.
    #[must_use]
    pub fn with_flags(mut self, flags: u8) -> Self {
        self.flags = flags;
        self
    }

    /// `self` as an object ACE (allowed or denied as before) with the given
    /// object type (`None`: no `ObjectType`, which covers every extended
    /// right).
    #[must_use]
    pub fn into_object(mut self, object_type: Option<Guid>) -> Self {
        self.ace_type = match self.ace_type {
            AceType::AccessAllowed | AceType::AccessAllowedObject => AceType::AccessAllowedObject,
            AceType::AccessDenied | AceType::AccessDeniedObject => AceType::AccessDeniedObject,
            other => other,
        };
        self.object_type = object_type;
        self
    }

    fn read(data: &[u8], offset: usize, index: usize) -> Result<(Self, usize), DescriptorError> {
        let header = take(data, offset, 4, "ACE header")?;
        let ace_type = AceType::from_code(header[0]);
        let flags = header[1];
        let size = u16::from_le_bytes([header[2], header[3]]);
        let bad_size = DescriptorError::BadAceSize {
            index,
            offset,
            size,
        };
        if size < 4 || !size.is_multiple_of(4) {
            return Err(bad_size);
        }
        let ace = take(data, offset, usize::from(size), "ACE")?;
        let body = &ace[4..];
        let ace = if let AceType::Other(_) = ace_type {
            Self {
                ace_type,
                flags,
                mask: 0,
                object_type: None,
                inherited_object_type: None,
                sid: None,
                body: body.to_vec(),
            }
        } else {
            let mask = u32::from_le_bytes(
                body.get(..4)
                    .ok_or(bad_size.clone())?
                    .try_into()
                    .map_err(|_| bad_size.clone())?,
            );
            let mut at = 4;
            let (mut object_type, mut inherited_object_type) = (None, None);
            if ace_type.is_object() {
                let f = body.get(4..8).ok_or(bad_size.clone())?;
                let obj_flags = u32::from_le_bytes([f[0], f[1], f[2], f[3]]);
                at = 8;
                for (bit, slot) in [
                    (ACE_OBJECT_TYPE_PRESENT, &mut object_type),
                    (
                        ACE_INHERITED_OBJECT_TYPE_PRESENT,
                        &mut inherited_object_type,
                    ),
                ] {
                    if obj_flags & bit != 0 {
                        let g = body.get(at..at + 16).ok_or(bad_size.clone())?;
                        let mut b = [0; 16];
                        b.copy_from_slice(g);
                        *slot = Some(Guid::from_bytes(b));
                        at += 16;
                    }
                }
            }
            // The SID may be followed by padding up to AceSize
            // (application data in callback ACEs), so read, not fill.
            let (sid, _) = Sid::read(&body[at..]).map_err(|error| DescriptorError::Sid {
                offset: offset + 4 + at,
                error,
            })?;
            Self {
                ace_type,
                flags,
                mask,
                object_type,
                inherited_object_type,
                sid: Some(sid),
                body: Vec::new(),
            }
        };
        Ok((ace, usize::from(size)))
    }

    fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&[self.ace_type.code(), self.flags, 0, 0]);
        if let (AceType::Other(_), _) | (_, None) = (self.ace_type, &self.sid) {
            out.extend_from_slice(&self.body);
        } else if let Some(sid) = &self.sid {
            out.extend_from_slice(&self.mask.to_le_bytes());
            if self.ace_type.is_object() {
                let mut f = 0;
                if self.object_type.is_some() {
                    f |= ACE_OBJECT_TYPE_PRESENT;
                }
                if self.inherited_object_type.is_some() {
                    f |= ACE_INHERITED_OBJECT_TYPE_PRESENT;
                }
                out.extend_from_slice(&f.to_le_bytes());
                for g in [self.object_type, self.inherited_object_type]
                    .into_iter()
                    .flatten()
                {
                    out.extend_from_slice(&g.to_bytes());
                }
            }
            out.extend_from_slice(&sid.to_bytes());
        }
        while !(out.len() - start).is_multiple_of(4) {
            out.push(0);
        }
        let size = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
        out[start + 2..start + 4].copy_from_slice(&size.to_le_bytes());
    }
}

/// An access control list ([MS-DTYP] 2.4.5): its revision (2, or 4 when
/// it holds object ACEs) and its ACEs in order.
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Acl {
    /// `AclRevision`: 2 (`ACL_REVISION`) or 4 (`ACL_REVISION_DS`).
    pub revision: u8,
    /// The ACEs, in order.
    pub aces: Vec<Ace>,
}

impl Acl {
    /// An ACL of revision 4 (`ACL_REVISION_DS`, which object ACEs need).
    pub fn new(aces: Vec<Ace>) -> Self {
        Self { revision: 4, aces }
    }

    fn read(data: &[u8], offset: usize) -> Result<Self, DescriptorError> {
        let header = take(data, offset, 8, "ACL header")?;
        let revision = header[0];
        if !(2..=4).contains(&revision) {
            return Err(DescriptorError::BadRevision {
                what: "ACL",
                value: revision,
            });
        }
        let size = u16::from_le_bytes([header[2], header[3]]);
        let count = u16::from_le_bytes([header[4], header[5]]);
        if size < 8 {
            return Err(DescriptorError::BadAclSize { offset, size });
        }
        let acl = take(data, offset, usize::from(size), "ACL")?;
        // Each ACE is at least 4 bytes, so `count` cannot make this loop
        // (or the vector) grow past what the bytes hold.
        let mut aces = Vec::new();
        let mut at = 8;
        for index in 0..usize::from(count) {
            let (ace, len) = Ace::read(acl, at, index).map_err(|e| shift(e, offset))?;
            aces.push(ace);
            at += len;
        }
        Ok(Self { revision, aces })
    }

    fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&[self.revision, 0, 0, 0]);
        let count = u16::try_from(self.aces.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        for ace in self.aces.iter().take(usize::from(count)) {
            ace.write(out);
        }
        let size = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
        out[start + 2..start + 4].copy_from_slice(&size.to_le_bytes());
    }
}

/// `SE_DACL_PRESENT`, control bit 0x0004 ([MS-DTYP] 2.4.6).
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
pub const SE_DACL_PRESENT: u16 = 0x0004;
/// `SE_SACL_PRESENT`, control bit 0x0010.
pub const SE_SACL_PRESENT: u16 = 0x0010;
/// `SE_SELF_RELATIVE`, control bit 0x8000: every stored descriptor has it.
pub const SE_SELF_RELATIVE: u16 = 0x8000;

/// A self-relative security descriptor ([MS-DTYP] 2.4.6), as the
/// `nTSecurityDescriptor` attribute holds it ([MS-CRTD] 2.5).
///
/// ```text
///  0: Revision (1)   1: Sbz1   2: Control (u16)
///  4: OffsetOwner    8: OffsetGroup   12: OffsetSacl   16: OffsetDacl  (u32 each, 0 = absent)
/// ```
///
/// Reading checks every offset and length against the data and never
/// allocates more than the data could hold: a hostile or truncated
/// descriptor is a [`DescriptorError`] that says what and where. The SACL
/// (which an LDAP read returns only with the SD flags control) is checked
/// but not kept.
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecurityDescriptor {
    /// `Control`.
    pub control: u16,
    /// The owner, `None` when `OffsetOwner` is 0.
    pub owner: Option<Sid>,
    /// The group, `None` when `OffsetGroup` is 0.
    pub group: Option<Sid>,
    /// The DACL, `None` when `SE_DACL_PRESENT` is clear or `OffsetDacl`
    /// is 0 (a NULL DACL, which grants everyone every right).
    pub dacl: Option<Acl>,
}

impl SecurityDescriptor {
    /// A self-relative descriptor with a DACL.
    pub fn new(owner: Option<Sid>, group: Option<Sid>, dacl: Acl) -> Self {
        Self {
            control: SE_SELF_RELATIVE | SE_DACL_PRESENT,
            owner,
            group,
            dacl: Some(dacl),
        }
    }

    /// Reads a self-relative security descriptor.
    pub fn from_bytes(data: &[u8]) -> Result<Self, DescriptorError> {
        let h = take(data, 0, 20, "security descriptor header")?;
        if h[0] != 1 {
            return Err(DescriptorError::BadRevision {
                what: "security descriptor",
                value: h[0],
            });
        }
        let control = u16::from_le_bytes([h[2], h[3]]);
        if control & SE_SELF_RELATIVE == 0 {
            return Err(DescriptorError::NotSelfRelative(control));
        }
        let off = |i: usize| -> Result<usize, DescriptorError> {
            let v = u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
            usize::try_from(v).map_err(|_| DescriptorError::Truncated {
                what: "offset",
                offset: i,
                needed: usize::MAX,
                available: data.len(),
            })
        };
        let sid_at = |o: usize| -> Result<Option<Sid>, DescriptorError> {
            if o == 0 {
                return Ok(None);
            }
            let rest = data.get(o..).ok_or(DescriptorError::Truncated {
                what: "SID",
                offset: o,
                needed: 8,
                available: 0,
            })?;
            Sid::read(rest)
                .map(|(s, _)| Some(s))
                .map_err(|error| DescriptorError::Sid { offset: o, error })
        };
        let owner = sid_at(off(4)?)?;
        let group = sid_at(off(8)?)?;
        let sacl = off(12)?;
        if control & SE_SACL_PRESENT != 0 && sacl != 0 {
            Acl::read(data, sacl)?;
        }
        let dacl = off(16)?;
        let dacl = if control & SE_DACL_PRESENT != 0 && dacl != 0 {
            Some(Acl::read(data, dacl)?)
        } else {
            None
        };
        Ok(Self {
            control,
            owner,
            group,
            dacl,
        })
    }

    /// The self-relative form: header, owner, group, then the DACL (no
    /// SACL; `SE_SACL_PRESENT` is cleared).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; 20];
        out[0] = 1;
        let mut control = (self.control | SE_SELF_RELATIVE) & !SE_SACL_PRESENT;
        if self.dacl.is_some() {
            control |= SE_DACL_PRESENT;
        }
        out[2..4].copy_from_slice(&control.to_le_bytes());
        let put = |out: &mut Vec<u8>, at: usize| {
            let o = u32::try_from(out.len()).unwrap_or(0);
            out[at..at + 4].copy_from_slice(&o.to_le_bytes());
        };
        if let Some(o) = &self.owner {
            put(&mut out, 4);
            out.extend_from_slice(&o.to_bytes());
        }
        if let Some(g) = &self.group {
            put(&mut out, 8);
            out.extend_from_slice(&g.to_bytes());
        }
        if let Some(d) = &self.dacl {
            put(&mut out, 16);
            d.write(&mut out);
        }
        out
    }
}

/// `len` bytes of `data` from `offset`, or a [`DescriptorError::Truncated`].
fn take<'a>(
    data: &'a [u8],
    offset: usize,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], DescriptorError> {
    offset
        .checked_add(len)
        .and_then(|end| data.get(offset..end))
        .ok_or(DescriptorError::Truncated {
            what,
            offset,
            needed: len,
            available: data.len().saturating_sub(offset),
        })
}

/// `e` with its offsets made relative to the descriptor, not the ACL.
fn shift(e: DescriptorError, base: usize) -> DescriptorError {
    match e {
        DescriptorError::Truncated {
            what,
            offset,
            needed,
            available,
        } => DescriptorError::Truncated {
            what,
            offset: offset + base,
            needed,
            available,
        },
        DescriptorError::BadAceSize {
            index,
            offset,
            size,
        } => DescriptorError::BadAceSize {
            index,
            offset: offset + base,
            size,
        },
        DescriptorError::Sid { offset, error } => DescriptorError::Sid {
            offset: offset + base,
            error,
        },
        other => other,
    }
}
