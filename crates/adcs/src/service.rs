//! `pKIEnrollmentService` objects: the enterprise CAs, which templates
//! each offers and through which CES URLs ([MS-CRTD] 2,
//! [MS-ADA2] 2.612 `msPKI-Enrollment-Servers`), and their XCEP form
//! ([MS-XCEP] 3.1.4.1.3.2, `CA`).
//!
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
//! [MS-ADA2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-ada2/
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/

use xcep::flags::ClientAuthentication;
use xcep::{Base64Text, Ca, CaUri};

use crate::entry::Entry;
use crate::error::{ErrorKind, Result};

/// One CES endpoint of `msPKI-Enrollment-Servers`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnrollmentServer {
    /// The priority (lower first).
    pub priority: u32,
    /// The authentication type (MS-XCEP's `clientAuthentication`: 1
    /// anonymous, 2 Kerberos, 4 user name and password, 8 certificate).
    pub authentication: ClientAuthentication,
    /// Whether the endpoint only renews.
    pub renewal_only: bool,
    /// The CES URL.
    pub uri: String,
}

impl EnrollmentServer {
    /// Reads the endpoints of one `msPKI-Enrollment-Servers` value: groups
    /// of four lines, priority, authentication type, renewal-only (`0` or
    /// `1`) and URI, as the CES setup writes them (`1\n4\n0\nhttps://...`).
    /// `\r\n` line ends and a final line end are accepted.
    pub fn parse_value(value: &str) -> std::result::Result<Vec<Self>, String> {
        let lines: Vec<&str> = value
            .split('\n')
            .map(|l| l.trim_end_matches('\r').trim())
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() || !lines.len().is_multiple_of(4) {
            return Err(format!(
                "{} lines (groups of priority, authentication, renewal-only, URI)",
                lines.len()
            ));
        }
        lines
            .chunks_exact(4)
            .map(|g| {
                let number = |s: &str| {
                    s.parse::<u32>()
                        .map_err(|_| format!("{s:?} is not a number"))
                };
                Ok(Self {
                    priority: number(g[0])?,
                    authentication: ClientAuthentication::from_bits_retain(number(g[1])?),
                    renewal_only: match g[2] {
                        "0" => false,
                        "1" => true,
                        other => return Err(format!("renewal-only {other:?} is not 0 or 1")),
                    },
                    uri: g[3].to_owned(),
                })
            })
            .collect()
    }
}

/// A `pKIEnrollmentService` object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnrollmentService {
    /// `cn`: the CA's name.
    pub name: String,
    /// `dNSHostName`: the CA's host.
    pub dns_host_name: Option<String>,
    /// `cACertificate` (DER).
    pub certificate: Vec<u8>,
    /// `certificateTemplates`: the names of the templates it issues from.
    pub templates: Vec<String>,
    /// `msPKI-Enrollment-Servers`.
    pub enrollment_servers: Vec<EnrollmentServer>,
    /// `flags`.
    pub flags: u32,
}

impl EnrollmentService {
    /// Reads the object's attributes; `cn` and `cACertificate` are
    /// required.
    pub fn from_entry(e: &Entry) -> Result<Self> {
        let mut enrollment_servers = Vec::new();
        for v in e.strings("msPKI-Enrollment-Servers")? {
            enrollment_servers.extend(
                EnrollmentServer::parse_value(&v)
                    .map_err(|m| e.malformed("msPKI-Enrollment-Servers", m))?,
            );
        }
        Ok(Self {
            name: e.required("cn")?,
            dns_host_name: e.string("dNSHostName")?,
            certificate: e
                .first("cACertificate")
                .ok_or_else(|| e.error("cACertificate", ErrorKind::Missing))?
                .to_vec(),
            templates: e.strings("certificateTemplates")?,
            enrollment_servers,
            flags: e.u32("flags")?.unwrap_or(0),
        })
    }

    /// Whether it offers the template named `name` (ASCII case ignored).
    pub fn offers(&self, name: &str) -> bool {
        self.templates.iter().any(|t| t.eq_ignore_ascii_case(name))
    }

    /// This CA as an XCEP `CA` with reference ID `id`, its CES URLs in
    /// priority order.
    pub fn to_ca(&self, id: i32, enroll: bool) -> Ca {
        let mut servers = self.enrollment_servers.clone();
        servers.sort_by_key(|s| s.priority);
        let mut ca = Ca::new(id, Base64Text::from_bytes(&self.certificate), enroll);
        for s in servers {
            ca = ca.with_uri(
                CaUri::new(s.authentication, s.uri)
                    .with_priority(s.priority)
                    .with_renewal_only(s.renewal_only),
            );
        }
        ca
    }
}
