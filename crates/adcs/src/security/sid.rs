//! [`Sid`]: security identifiers, binary and string.

use core::fmt;
use core::str::FromStr;

use crate::error::SidError;

/// A security identifier, [MS-DTYP] 2.4.2: a revision (always 1), a 48-bit
/// identifier authority and up to 15 32-bit sub-authorities.
///
/// Read from the binary form of `objectSid` and `tokenGroups` values and
/// of ACEs ([MS-DTYP] 2.4.2.2) with [`Sid::from_bytes`], and from the
/// string form `S-1-5-21-…` ([MS-DTYP] 2.4.2.1) with [`str::parse`];
/// [`Display`](fmt::Display) writes the string form.
///
/// ```
/// use cepces_adcs::security::Sid;
///
/// let bytes = [1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0];
/// let sid = Sid::from_bytes(&bytes)?;
/// assert_eq!(sid, Sid::AUTHENTICATED_USERS);
/// assert_eq!(sid.to_string(), "S-1-5-11");
/// assert_eq!(sid.to_bytes(), bytes);
/// let users: Sid = "S-1-5-21-1004336348-1177238915-682003330-513".parse()?;
/// assert_eq!(users.rid(), Some(513));
/// # Ok::<(), cepces_adcs::SidError>(())
/// ```
///
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    authority: u64,
    count: u8,
    sub: [u32; Sid::MAX_SUB_AUTHORITIES],
}

impl Sid {
    /// The most sub-authorities a SID has ([MS-DTYP] 2.4.2.2).
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    pub const MAX_SUB_AUTHORITIES: usize = 15;

    /// `S-1-1-0`, Everyone (World), in every caller's token.
    pub const EVERYONE: Sid = Sid::well_known(1, 0);
    /// `S-1-5-11`, Authenticated Users, in every authenticated caller's token.
    pub const AUTHENTICATED_USERS: Sid = Sid::well_known(5, 11);
    /// `S-1-5-18`, Local System.
    pub const LOCAL_SYSTEM: Sid = Sid::well_known(5, 18);

    const fn well_known(authority: u64, rid: u32) -> Sid {
        let mut sub = [0; Sid::MAX_SUB_AUTHORITIES];
        sub[0] = rid;
        Sid {
            authority,
            count: 1,
            sub,
        }
    }

    /// A SID from its parts; `None` with more than 15 sub-authorities or an
    /// authority over 48 bits.
    pub fn new(authority: u64, sub_authorities: &[u32]) -> Option<Self> {
        if authority >> 48 != 0 || sub_authorities.len() > Self::MAX_SUB_AUTHORITIES {
            return None;
        }
        let mut sub = [0; Self::MAX_SUB_AUTHORITIES];
        sub[..sub_authorities.len()].copy_from_slice(sub_authorities);
        Some(Self {
            authority,
            count: u8::try_from(sub_authorities.len()).ok()?,
            sub,
        })
    }

    /// This SID with `rid` appended (a domain SID and a relative ID:
    /// `domain.with_rid(512)` is Domain Admins); `None` when full.
    pub fn with_rid(&self, rid: u32) -> Option<Self> {
        let mut subs = self.sub_authorities().to_vec();
        subs.push(rid);
        Self::new(self.authority, &subs)
    }

    /// The identifier authority (48 bits).
    pub fn authority(&self) -> u64 {
        self.authority
    }

    /// The sub-authorities.
    pub fn sub_authorities(&self) -> &[u32] {
        &self.sub[..usize::from(self.count)]
    }

    /// The last sub-authority (the relative ID of a domain account).
    pub fn rid(&self) -> Option<u32> {
        self.sub_authorities().last().copied()
    }

    /// The binary form's length: 8 bytes plus 4 per sub-authority.
    pub fn encoded_len(&self) -> usize {
        8 + 4 * usize::from(self.count)
    }

    /// Reads one binary SID that fills `bytes` exactly (an `objectSid` or
    /// `tokenGroups` value).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SidError> {
        let (sid, len) = Self::read(bytes)?;
        if len == bytes.len() {
            Ok(sid)
        } else {
            Err(SidError::TrailingBytes(bytes.len() - len))
        }
    }

    /// Reads a binary SID at the start of `bytes`; returns it and its
    /// length.
    pub fn read(bytes: &[u8]) -> Result<(Self, usize), SidError> {
        let header = bytes.get(..8).ok_or(SidError::Truncated {
            needed: 8,
            available: bytes.len(),
        })?;
        if header[0] != 1 {
            return Err(SidError::BadRevision(header[0]));
        }
        let count = header[1];
        if usize::from(count) > Self::MAX_SUB_AUTHORITIES {
            return Err(SidError::TooManySubAuthorities(count));
        }
        let len = 8 + 4 * usize::from(count);
        let body = bytes.get(8..len).ok_or(SidError::Truncated {
            needed: len,
            available: bytes.len(),
        })?;
        let mut authority = [0u8; 8];
        authority[2..].copy_from_slice(&header[2..8]);
        let mut sub = [0; Self::MAX_SUB_AUTHORITIES];
        for (slot, chunk) in sub.iter_mut().zip(body.chunks_exact(4)) {
            *slot = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Ok((
            Self {
                authority: u64::from_be_bytes(authority),
                count,
                sub,
            },
            len,
        ))
    }

    /// The binary form ([MS-DTYP] 2.4.2.2): the identifier authority is
    /// big-endian, the sub-authorities little-endian.
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(1);
        out.push(self.count);
        out.extend_from_slice(&self.authority.to_be_bytes()[2..]);
        for s in self.sub_authorities() {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }
}

impl fmt::Display for Sid {
    /// `S-1-<authority>-<sub>…`; an authority of 2^32 or more in hex
    /// (`0x…`), as [MS-DTYP] 2.4.2.1 writes it.
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.authority >> 32 == 0 {
            write!(f, "S-1-{}", self.authority)?;
        } else {
            write!(f, "S-1-{:#014X}", self.authority)?;
        }
        for s in self.sub_authorities() {
            write!(f, "-{s}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sid({self})")
    }
}

impl FromStr for Sid {
    type Err = SidError;

    /// `S-1-…` (the `S` in either case), decimal or `0x` hex authority.
    fn from_str(s: &str) -> Result<Self, SidError> {
        let bad = || SidError::BadString(s.chars().take(200).collect());
        let mut parts = s.split('-');
        if !parts.next().is_some_and(|p| p.eq_ignore_ascii_case("s")) || parts.next() != Some("1") {
            return Err(bad());
        }
        let authority = parts.next().ok_or_else(bad)?;
        let authority = match authority
            .strip_prefix("0x")
            .or_else(|| authority.strip_prefix("0X"))
        {
            Some(hex) => u64::from_str_radix(hex, 16).map_err(|_| bad())?,
            None => authority.parse::<u64>().map_err(|_| bad())?,
        };
        let mut subs = Vec::new();
        for p in parts {
            if subs.len() == Self::MAX_SUB_AUTHORITIES || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            subs.push(p.parse::<u32>().map_err(|_| bad())?);
        }
        Self::new(authority, &subs).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_string_forms_agree() {
        let s = "S-1-5-21-3623811015-3361044348-30300820-1013";
        let sid: Sid = s.parse().unwrap();
        assert_eq!(sid.to_string(), s);
        let bytes = sid.to_bytes();
        assert_eq!(bytes.len(), 28);
        assert_eq!(&bytes[..8], &[1, 5, 0, 0, 0, 0, 0, 5]);
        assert_eq!(&bytes[8..12], &21u32.to_le_bytes());
        assert_eq!(Sid::from_bytes(&bytes).unwrap(), sid);
        assert_eq!(Sid::EVERYONE.to_string(), "S-1-1-0");
        let big = Sid::new(0x0000_1234_5678_9ABC, &[1]).unwrap();
        assert_eq!(big.to_string(), "S-1-0x123456789ABC-1");
        assert_eq!(big.to_string().parse::<Sid>().unwrap(), big);
    }

    #[test]
    fn malformed_sids_are_typed_errors() {
        assert_eq!(
            Sid::from_bytes(&[1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0]),
            Err(SidError::Truncated {
                needed: 12,
                available: 11
            })
        );
        assert_eq!(
            Sid::from_bytes(&[2, 0, 0, 0, 0, 0, 0, 5]),
            Err(SidError::BadRevision(2))
        );
        assert_eq!(
            Sid::from_bytes(&[1, 16, 0, 0, 0, 0, 0, 5]),
            Err(SidError::TooManySubAuthorities(16))
        );
        assert_eq!(
            Sid::from_bytes(&[1, 0, 0, 0, 0, 0, 0, 5, 9]),
            Err(SidError::TrailingBytes(1))
        );
        for bad in [
            "",
            "S-1",
            "S-2-5",
            "S-1-x",
            "S-1-5--1",
            "S-1-5-+1",
            "S-1-5-4294967296",
            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
            "S-1-281474976710656",
        ] {
            assert!(
                matches!(bad.parse::<Sid>(), Err(SidError::BadString(_))),
                "{bad}"
            );
        }
    }
}
