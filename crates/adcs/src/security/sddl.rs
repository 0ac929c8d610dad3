//! Reading the SDDL form of a security descriptor ([MS-DTYP] 2.5.1), as
//! directory tools print `nTSecurityDescriptor` (`ldbsearch`,
//! `Get-Acl`, `dsacls`) and as the specs describe default DACLs.
//!
//! [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/

use core::fmt;

use super::descriptor::{Ace, Acl, Guid, INHERIT_ONLY_ACE, INHERITED_ACE, SecurityDescriptor};
use super::rights;
use super::sid::Sid;

/// Where an SDDL string is malformed and what was found there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SddlError {
    /// The byte offset in the string.
    pub position: usize,
    /// What is wrong.
    pub kind: SddlErrorKind,
}

/// What is wrong in an SDDL string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SddlErrorKind {
    /// Something else was expected (the text found, cut to 32 characters).
    Expected(&'static str, String),
    /// A SID alias or SID string that is not known.
    UnknownSid(String),
    /// An access right abbreviation that is not known.
    UnknownRight(String),
    /// An ACE flag that is not known.
    UnknownFlag(String),
    /// A part this reader does not support (a SACL, or an ACE type other
    /// than `A`, `D`, `OA`, `OD`).
    Unsupported(String),
}

impl fmt::Display for SddlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SDDL at {}: ", self.position)?;
        match &self.kind {
            SddlErrorKind::Expected(what, found) => write!(f, "expected {what}, found {found:?}"),
            SddlErrorKind::UnknownSid(s) => write!(f, "unknown SID {s:?}"),
            SddlErrorKind::UnknownRight(s) => write!(f, "unknown right {s:?}"),
            SddlErrorKind::UnknownFlag(s) => write!(f, "unknown ACE flag {s:?}"),
            SddlErrorKind::Unsupported(s) => write!(f, "{s} is not supported"),
        }
    }
}

impl std::error::Error for SddlError {}

/// The domains that the domain-relative SID aliases (`DA`, `DU`, `EA`, ...)
/// stand for: the object's domain and the forest root domain (for `EA`,
/// `SA` and `RO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SddlDomains {
    /// The domain SID (`S-1-5-21-a-b-c`).
    pub domain: Sid,
    /// The forest root domain's SID (the same in a one-domain forest).
    pub root: Sid,
}

impl SddlDomains {
    /// One domain that is also the forest root.
    pub fn single(domain: Sid) -> Self {
        Self {
            root: domain.clone(),
            domain,
        }
    }
}

/// The well-known aliases ([MS-DTYP] 2.5.1.1) and the domain-relative RIDs.
fn alias(a: &str, d: &SddlDomains) -> Option<Sid> {
    let well = |auth: u64, subs: &[u32]| Sid::new(auth, subs);
    let domain_rid = |rid| d.domain.with_rid(rid);
    let root_rid = |rid| d.root.with_rid(rid);
    match a {
        "WD" => well(1, &[0]),
        "CO" => well(3, &[0]),
        "CG" => well(3, &[1]),
        "NU" => well(5, &[2]),
        "IU" => well(5, &[4]),
        "SU" => well(5, &[6]),
        "AN" => well(5, &[7]),
        "ED" => well(5, &[9]),
        "PS" => well(5, &[10]),
        "AU" => well(5, &[11]),
        "RC" => well(5, &[12]),
        "SY" => well(5, &[18]),
        "LS" => well(5, &[19]),
        "NS" => well(5, &[20]),
        "BA" => well(5, &[32, 544]),
        "BU" => well(5, &[32, 545]),
        "BG" => well(5, &[32, 546]),
        "PU" => well(5, &[32, 547]),
        "AO" => well(5, &[32, 548]),
        "SO" => well(5, &[32, 549]),
        "BO" => well(5, &[32, 551]),
        "RU" => well(5, &[32, 554]),
        "RD" => well(5, &[32, 555]),
        "DA" => domain_rid(512),
        "DU" => domain_rid(513),
        "DG" => domain_rid(514),
        "DC" => domain_rid(515),
        "DD" => domain_rid(516),
        "CA" => domain_rid(517),
        "PA" => domain_rid(520),
        "CN" => domain_rid(522),
        "RS" => domain_rid(553),
        "SA" => root_rid(518),
        "EA" => root_rid(519),
        "RO" => root_rid(498),
        _ => None,
    }
}

fn right(r: &str) -> Option<u32> {
    Some(match r {
        "GA" => rights::GENERIC_ALL,
        "GX" => 0x2000_0000,
        "GW" => 0x4000_0000,
        "GR" => 0x8000_0000,
        "SD" => rights::DELETE,
        "RC" => rights::READ_CONTROL,
        "WD" => rights::WRITE_DAC,
        "WO" => rights::WRITE_OWNER,
        "CC" => rights::CREATE_CHILD,
        "DC" => rights::DELETE_CHILD,
        "LC" => rights::LIST_CHILDREN,
        "SW" => rights::SELF_WRITE,
        "RP" => rights::READ_PROPERTY,
        "WP" => rights::WRITE_PROPERTY,
        "DT" => rights::DELETE_TREE,
        "LO" => rights::LIST_OBJECT,
        "CR" => rights::CONTROL_ACCESS,
        "FA" => 0x001F_01FF,
        "FR" => 0x0012_0089,
        "FW" => 0x0012_0116,
        "FX" => 0x0012_00A0,
        "KA" => 0x000F_003F,
        "KR" | "KX" => 0x0002_0019,
        "KW" => 0x0002_0006,
        _ => return None,
    })
}

struct Reader<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    fn err(&self, kind: SddlErrorKind) -> SddlError {
        SddlError {
            position: self.at,
            kind,
        }
    }

    fn expected(&self, what: &'static str) -> SddlError {
        self.err(SddlErrorKind::Expected(
            what,
            self.rest().chars().take(32).collect(),
        ))
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.at += prefix.len();
            true
        } else {
            false
        }
    }

    /// Up to (not including) the next `;` or `)`.
    fn field(&mut self) -> &'a str {
        let rest = self.rest();
        let end = rest.find([';', ')']).unwrap_or(rest.len());
        self.at += end;
        &rest[..end]
    }

    fn sid(d: &SddlDomains, token: &str, at: usize) -> Result<Sid, SddlError> {
        let unknown = || SddlError {
            position: at,
            kind: SddlErrorKind::UnknownSid(token.chars().take(64).collect()),
        };
        if token.len() > 2 || token.starts_with("S-") {
            token.parse().map_err(|_| unknown())
        } else {
            alias(token, d).ok_or_else(unknown)
        }
    }

    /// An owner or group SID: `S-1-...` or a two-letter alias.
    fn header_sid(&mut self, d: &SddlDomains) -> Result<Sid, SddlError> {
        let at = self.at;
        let rest = self.rest();
        let len = if rest.starts_with("S-") {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len())
        } else {
            rest.char_indices().nth(2).map_or(rest.len(), |(i, _)| i)
        };
        self.at += len;
        Self::sid(d, &rest[..len], at)
    }
}

impl SecurityDescriptor {
    /// Reads the SDDL form ([MS-DTYP] 2.5.1): `O:owner G:group
    /// D:flags(ace)(ace)...`, each part optional, with ACEs of the types
    /// `A`, `D`, `OA` and `OD`, flags `P`, `AI`, `AR`, ACE flags `CI`, `OI`,
    /// `NP`, `IO`, `ID`, `SA`, `FA`, rights as abbreviations or `0x` hex,
    /// and SIDs as strings or aliases (domain-relative ones from
    /// `domains`). A SACL (`S:`) is refused: this is for DACLs.
    ///
    /// ```
    /// use cepces_adcs::security::{Caller, SddlDomains, SecurityDescriptor, Sid};
    ///
    /// let domain: Sid = "S-1-5-21-1-2-3".parse().unwrap();
    /// let sd = SecurityDescriptor::from_sddl(
    ///     "O:EAG:EAD:PAI(OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)(A;;LCRPLORC;;;AU)",
    ///     &SddlDomains::single(domain.clone()),
    /// )?;
    /// assert_eq!(sd.owner, domain.with_rid(519));
    /// let user = Caller::new(domain.with_rid(1104).unwrap(), [domain.with_rid(513).unwrap()]);
    /// assert!(sd.permission(&user).enroll);
    /// # Ok::<(), cepces_adcs::security::SddlError>(())
    /// ```
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    pub fn from_sddl(text: &str, domains: &SddlDomains) -> Result<Self, SddlError> {
        let mut r = Reader {
            s: text.trim(),
            at: 0,
        };
        let mut sd = SecurityDescriptor::new(None, None, Acl::new(Vec::new()));
        sd.dacl = None;
        sd.control &= !super::descriptor::SE_DACL_PRESENT;
        loop {
            if r.eat("O:") {
                sd.owner = Some(r.header_sid(domains)?);
            } else if r.eat("G:") {
                sd.group = Some(r.header_sid(domains)?);
            } else if r.eat("D:") {
                let (control, aces) = acl(&mut r, domains)?;
                sd.control |= control | super::descriptor::SE_DACL_PRESENT;
                sd.dacl = Some(Acl::new(aces));
            } else if r.rest().starts_with("S:") {
                return Err(r.err(SddlErrorKind::Unsupported("a SACL".into())));
            } else if r.rest().is_empty() {
                return Ok(sd);
            } else {
                return Err(r.expected("O:, G: or D:"));
            }
        }
    }
}

/// `flags(ace)(ace)...` after `D:`: the control bits and the ACEs.
fn acl(r: &mut Reader<'_>, d: &SddlDomains) -> Result<(u16, Vec<Ace>), SddlError> {
    let mut control = 0;
    loop {
        if r.eat("P") {
            control |= 0x1000; // SE_DACL_PROTECTED
        } else if r.eat("AI") {
            control |= 0x0400; // SE_DACL_AUTO_INHERITED
        } else if r.eat("AR") {
            control |= 0x0100; // SE_DACL_AUTO_INHERIT_REQ
        } else {
            break;
        }
    }
    let mut aces = Vec::new();
    while r.eat("(") {
        aces.push(ace(r, d)?);
        if !r.eat(")") {
            return Err(r.expected(")"));
        }
    }
    Ok((control, aces))
}

fn ace(r: &mut Reader<'_>, d: &SddlDomains) -> Result<Ace, SddlError> {
    let at = r.at;
    let ty = r.field();
    let (deny, object) = match ty {
        "A" => (false, false),
        "D" => (true, false),
        "OA" => (false, true),
        "OD" => (true, true),
        other => {
            return Err(SddlError {
                position: at,
                kind: SddlErrorKind::Unsupported(format!("ACE type {other:?}")),
            });
        }
    };
    let semi = |r: &mut Reader<'_>| {
        if r.eat(";") {
            Ok(())
        } else {
            Err(r.expected(";"))
        }
    };
    semi(r)?;
    let at = r.at;
    let flag_text = r.field();
    let mut flags = 0u8;
    for pair in pairs(flag_text) {
        flags |= match pair {
            "OI" => 0x01,
            "CI" => 0x02,
            "NP" => 0x04,
            "IO" => INHERIT_ONLY_ACE,
            "ID" => INHERITED_ACE,
            "SA" => 0x40,
            "FA" => 0x80,
            other => {
                return Err(SddlError {
                    position: at,
                    kind: SddlErrorKind::UnknownFlag(other.into()),
                });
            }
        };
    }
    semi(r)?;
    let at = r.at;
    let rights_text = r.field();
    let mask = if let Some(hex) = rights_text
        .strip_prefix("0x")
        .or_else(|| rights_text.strip_prefix("0X"))
    {
        u32::from_str_radix(hex, 16).map_err(|_| SddlError {
            position: at,
            kind: SddlErrorKind::UnknownRight(rights_text.into()),
        })?
    } else {
        let mut m = 0;
        for pair in pairs(rights_text) {
            m |= right(pair).ok_or_else(|| SddlError {
                position: at,
                kind: SddlErrorKind::UnknownRight(pair.into()),
            })?;
        }
        m
    };
    semi(r)?;
    let guid = |r: &mut Reader<'_>| -> Result<Option<Guid>, SddlError> {
        let at = r.at;
        let g = r.field();
        if g.is_empty() {
            return Ok(None);
        }
        g.parse().map(Some).map_err(|()| SddlError {
            position: at,
            kind: SddlErrorKind::Expected("a GUID", g.chars().take(32).collect()),
        })
    };
    let object_type = guid(r)?;
    semi(r)?;
    let inherited_object_type = guid(r)?;
    semi(r)?;
    let at = r.at;
    let sid_text = r.field();
    let sid = Reader::sid(d, sid_text, at)?;
    let mut ace = Ace::new(deny, mask, object_type, sid).with_flags(flags);
    if object {
        ace = ace.into_object(object_type);
        ace.inherited_object_type = inherited_object_type;
    } else if object_type.is_some() || inherited_object_type.is_some() {
        return Err(SddlError {
            position: at,
            kind: SddlErrorKind::Expected("an object ACE (OA or OD) for a GUID", ty.into()),
        });
    }
    Ok(ace)
}

/// `s` in two-character pieces (a trailing odd character is its own piece,
/// which no table knows).
fn pairs(s: &str) -> impl Iterator<Item = &str> {
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= s.len() {
            return None;
        }
        let end = (i + 2).min(s.len());
        let piece = s.get(i..end).unwrap_or("?");
        i = end;
        Some(piece)
    })
}

/// Every alias [`alias`] knows, in the order [`SecurityDescriptor::to_sddl`]
/// tries them.
const ALIASES: &[&str] = &[
    "WD", "CO", "CG", "NU", "IU", "SU", "AN", "ED", "PS", "AU", "RC", "SY", "LS", "NS", "BA", "BU",
    "BG", "PU", "AO", "SO", "BO", "RU", "RD", "DA", "DU", "DG", "DC", "DD", "CA", "PA", "CN", "RS",
    "SA", "EA", "RO",
];

/// The rights [`SecurityDescriptor::to_sddl`] writes by name, in the order
/// Samba prints them.
const RIGHTS: &[&str] = &[
    "GA", "GR", "GW", "GX", "RP", "WP", "CR", "CC", "DC", "LC", "LO", "RC", "WO", "WD", "SD", "DT",
    "SW",
];

fn sid_text(sid: &Sid, domains: Option<&SddlDomains>) -> String {
    /// The aliases [`alias`] resolves against a domain.
    const DOMAIN_RELATIVE: &[&str] = &[
        "DA", "DU", "DG", "DC", "DD", "CA", "PA", "CN", "RS", "SA", "EA", "RO",
    ];
    // Any domain serves for the aliases that need none.
    let placeholder = SddlDomains::single(Sid::EVERYONE);
    ALIASES
        .iter()
        .find(|a| match domains {
            Some(d) => alias(a, d).as_ref() == Some(sid),
            None => !DOMAIN_RELATIVE.contains(a) && alias(a, &placeholder).as_ref() == Some(sid),
        })
        .map_or_else(|| sid.to_string(), |a| (*a).to_owned())
}

fn rights_text(mask: u32) -> String {
    let mut rest = mask;
    let mut out = String::new();
    for name in RIGHTS {
        let bits = right(name).unwrap_or(0);
        if rest & bits == bits && bits != 0 {
            out.push_str(name);
            rest &= !bits;
        }
    }
    if rest == 0 && !out.is_empty() {
        out
    } else {
        format!("{mask:#x}")
    }
}

impl SecurityDescriptor {
    /// The SDDL form ([MS-DTYP] 2.5.1) of the owner, group and DACL, for
    /// display: SIDs as aliases where one fits (the domain-relative ones
    /// only with `domains`), rights by name in Samba's order when every
    /// bit has one, else in hex. ACEs of other types than `A`, `D`, `OA`
    /// and `OD` are left out. [`SecurityDescriptor::from_sddl`] reads it
    /// back.
    ///
    /// ```
    /// use cepces_adcs::security::{SddlDomains, SecurityDescriptor, Sid};
    ///
    /// let d = SddlDomains::single("S-1-5-21-1-2-3".parse::<Sid>().unwrap());
    /// let text = "O:EAG:EAD:AI(OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)(A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)";
    /// let sd = SecurityDescriptor::from_sddl(text, &d)?;
    /// assert_eq!(sd.to_sddl(Some(&d)), text);
    /// assert!(sd.to_sddl(None).starts_with("O:S-1-5-21-1-2-3-519G:"));
    /// # Ok::<(), cepces_adcs::security::SddlError>(())
    /// ```
    ///
    /// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
    pub fn to_sddl(&self, domains: Option<&SddlDomains>) -> String {
        use fmt::Write as _;
        let mut out = String::new();
        if let Some(o) = &self.owner {
            let _ = write!(out, "O:{}", sid_text(o, domains));
        }
        if let Some(g) = &self.group {
            let _ = write!(out, "G:{}", sid_text(g, domains));
        }
        let Some(dacl) = &self.dacl else {
            return out;
        };
        out.push_str("D:");
        for (bit, flag) in [(0x1000, "P"), (0x0400, "AI"), (0x0100, "AR")] {
            if self.control & bit != 0 {
                out.push_str(flag);
            }
        }
        for ace in &dacl.aces {
            let ty = match ace.ace_type {
                super::AceType::AccessAllowed => "A",
                super::AceType::AccessDenied => "D",
                super::AceType::AccessAllowedObject => "OA",
                super::AceType::AccessDeniedObject => "OD",
                _ => continue,
            };
            let Some(sid) = &ace.sid else { continue };
            let mut flags = String::new();
            for (bit, f) in [
                (0x01, "OI"),
                (0x02, "CI"),
                (0x04, "NP"),
                (INHERIT_ONLY_ACE, "IO"),
                (INHERITED_ACE, "ID"),
                (0x40, "SA"),
                (0x80, "FA"),
            ] {
                if ace.flags & bit != 0 {
                    flags.push_str(f);
                }
            }
            let guid = |g: Option<Guid>| g.map(|g| g.to_string()).unwrap_or_default();
            let _ = write!(
                out,
                "({ty};{flags};{};{};{};{})",
                rights_text(ace.mask),
                guid(ace.object_type),
                guid(ace.inherited_object_type),
                sid_text(sid, domains)
            );
        }
        out
    }
}
