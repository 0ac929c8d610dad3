//! [`EnrollmentService`]: a `pKIEnrollmentService` entry, an enterprise CA
//! and the CES endpoints that reach it.

use xcep::flags::ClientAuthentication;
use xcep::{Base64Text, Ca, CaUri};

use crate::entry::LdapEntry;
use crate::error::{Result, ValueError};
use crate::security::SecurityDescriptor;

/// One value of `msPKI-Enrollment-Servers` ([MS-ADA2] 2.612: "the
/// priority, authentication type, and URI of each certificate enrollment
/// Web service"): an XCEP `CAURI` ([MS-XCEP] 3.1.4.1.3.5).
///
/// AD CS writes each value as four lines separated by `\n`: the priority,
/// the authentication type (the `clientAuthentication` values 1 anonymous,
/// 2 Kerberos, 4 user name and password, 8 certificate), `0` or `1` for
/// renewal only, and the URI:
///
/// ```text
/// 1\n4\n0\nhttps://ca.example.test/example-CA_CES_UsernamePassword/service.svc/CES
/// ```
///
/// Neither MS-ADA2 nor MS-CRTD gives the layout; this is the form Windows'
/// CES setup writes (the same four fields as the `CAURI` element). A
/// trailing newline and `\r\n` line ends are accepted.
///
/// [MS-ADA2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-ada2/
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnrollmentServer {
    /// Lower is preferred.
    pub priority: u32,
    /// How a client authenticates to the endpoint.
    pub authentication: ClientAuthentication,
    /// Whether the endpoint takes renewals only.
    pub renewal_only: bool,
    /// The CES URL.
    pub uri: String,
}

impl EnrollmentServer {
    /// Reads one value.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let bad = |why: &str| {
            ValueError::BadFormat(format!(
                "{:?}: {why} (want priority, authentication, renewal-only and URI, one per line)",
                value.chars().take(120).collect::<String>()
            ))
        };
        let lines: Vec<&str> = value
            .trim_end_matches(['\r', '\n'])
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .collect();
        let [priority, auth, renewal, uri] = lines.as_slice() else {
            return Err(bad(&format!("{} lines", lines.len())));
        };
        let priority = priority.trim().parse().map_err(|_| bad("bad priority"))?;
        let authentication = match auth.trim().parse::<u32>() {
            Ok(a @ (1 | 2 | 4 | 8)) => ClientAuthentication::from_bits_retain(a),
            _ => return Err(bad("authentication type is not 1, 2, 4 or 8")),
        };
        let renewal_only = match renewal.trim() {
            "0" => false,
            "1" => true,
            _ => return Err(bad("renewal-only is not 0 or 1")),
        };
        let uri = uri.trim();
        if uri.is_empty() || uri.chars().any(char::is_whitespace) {
            return Err(bad("bad URI"));
        }
        Ok(Self {
            priority,
            authentication,
            renewal_only,
            uri: uri.to_owned(),
        })
    }

    /// The value as AD CS stores it.
    pub fn to_value(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.priority,
            self.authentication.bits(),
            u8::from(self.renewal_only),
            self.uri
        )
    }

    /// The XCEP `CAURI`.
    pub fn to_ca_uri(&self) -> CaUri {
        CaUri::new(self.authentication, self.uri.clone())
            .with_priority(self.priority)
            .with_renewal_only(self.renewal_only)
    }
}

/// An enterprise CA: a `pKIEnrollmentService` object in `CN=Enrollment
/// Services,CN=Public Key Services,CN=Services,<config>` ([MS-ADSC]
/// `pKIEnrollmentService`; [MS-WCCE] 1.3.2.1), the templates it issues and
/// its CES endpoints. Maps to an XCEP `CA` ([MS-XCEP] 3.1.4.1.3.2).
///
/// [MS-ADSC]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adsc/
/// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnrollmentService {
    /// The entry's distinguished name.
    pub dn: String,
    /// `cn`: the CA's name. Required.
    pub cn: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `dNSHostName`: the CA server's host name.
    pub dns_host_name: Option<String>,
    /// `cACertificate`: the CA's certificate, DER (the first value when
    /// the CA has renewed; Windows puts the current one first).
    pub ca_certificate: Option<Vec<u8>>,
    /// `certificateTemplates`: the names (`cn`) of the templates it issues.
    pub certificate_templates: Vec<String>,
    /// `msPKI-Enrollment-Servers`: its CES endpoints.
    pub enrollment_servers: Vec<EnrollmentServer>,
    /// `flags`.
    pub flags: u32,
    /// `nTSecurityDescriptor`: who may enroll through this CA (`None` when
    /// not read).
    pub security_descriptor: Option<SecurityDescriptor>,
}

impl EnrollmentService {
    /// Reads a `pKIEnrollmentService` entry; `cn` is required.
    pub fn from_entry(e: &LdapEntry) -> Result<Self> {
        let ca_certificate = e.values("cACertificate").first().cloned();
        if ca_certificate.as_ref().is_some_and(Vec::is_empty) {
            return Err(e.bad(
                "cACertificate",
                ValueError::WrongLength {
                    expected: 1,
                    actual: 0,
                },
            ));
        }
        let enrollment_servers = e
            .strings("msPKI-Enrollment-Servers")?
            .into_iter()
            .map(|v| EnrollmentServer::parse(v).map_err(|k| e.bad("msPKI-Enrollment-Servers", k)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            dn: e.dn().to_owned(),
            cn: e.required_string("cn")?.to_owned(),
            display_name: e.string("displayName")?.map(str::to_owned),
            dns_host_name: e.string("dNSHostName")?.map(str::to_owned),
            ca_certificate,
            certificate_templates: e
                .strings("certificateTemplates")?
                .into_iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            enrollment_servers,
            flags: e.flags32("flags")?.unwrap_or(0),
            security_descriptor: e
                .single("nTSecurityDescriptor")?
                .map(|v| {
                    SecurityDescriptor::from_bytes(v)
                        .map_err(|k| e.bad("nTSecurityDescriptor", k.into()))
                })
                .transpose()?,
        })
    }

    /// Whether the CA issues template `name` (ASCII case ignored).
    pub fn issues(&self, name: &str) -> bool {
        self.certificate_templates
            .iter()
            .any(|t| t.eq_ignore_ascii_case(name))
    }

    /// The XCEP `CA` with reference `ca_reference_id`, or `None` without a
    /// certificate (which `CA` requires). Its `uris` are the enrollment
    /// servers in priority order; a CA without any has an empty list,
    /// which the schema does not allow (the caller adds its own).
    pub fn to_ca(&self, ca_reference_id: i32, enroll_permission: bool) -> Option<Ca> {
        let cert = self.ca_certificate.as_ref()?;
        let mut servers: Vec<&EnrollmentServer> = self.enrollment_servers.iter().collect();
        servers.sort_by_key(|s| s.priority);
        let mut ca = Ca::new(
            ca_reference_id,
            Base64Text::from_bytes(cert),
            enroll_permission,
        );
        for s in servers {
            ca = ca.with_uri(s.to_ca_uri());
        }
        Some(ca)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn enrollment_server_values() {
        let s = EnrollmentServer::parse(
            "1\n4\n0\nhttps://ca.example.test/example-CA_CES_UsernamePassword/service.svc/CES\n",
        )
        .unwrap();
        assert_eq!(s.priority, 1);
        assert_eq!(s.authentication, ClientAuthentication::USERNAME_PASSWORD);
        assert!(!s.renewal_only);
        assert_eq!(EnrollmentServer::parse(&s.to_value()).unwrap(), s);
        let k = EnrollmentServer::parse("2\r\n2\r\n1\r\nhttps://ca/CES_Kerberos\r\n").unwrap();
        assert_eq!(
            (k.priority, k.authentication.bits(), k.renewal_only),
            (2, 2, true)
        );
        let uri = k.to_ca_uri();
        assert_eq!((uri.priority, uri.renewal_only), (Some(2), Some(true)));
        for bad in [
            "",
            "1\n4\n0",
            "1\n3\n0\nhttps://x",
            "x\n4\n0\nhttps://x",
            "1\n4\n2\nhttps://x",
            "1\n4\n0\nhttps://x y",
            "1\n4\n0\nhttps://x\nextra",
        ] {
            assert!(
                matches!(EnrollmentServer::parse(bad), Err(ValueError::BadFormat(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn enrollment_service_entry() {
        let dn = "CN=example-CA,CN=Enrollment Services,CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test";
        let e = LdapEntry::new(dn)
            .with_attribute("cn", ["example-CA"])
            .with_attribute("dNSHostName", ["ca.example.test"])
            .with_attribute("cACertificate", [vec![0x30, 0x00]])
            .with_attribute("certificateTemplates", ["User", "Machine", "WebServer"])
            .with_attribute("flags", ["10"])
            .with_attribute(
                "msPKI-Enrollment-Servers",
                [
                    "2\n2\n0\nhttps://ca.example.test/example-CA_CES_Kerberos/service.svc/CES",
                    "1\n8\n1\nhttps://ca.example.test/example-CA_CES_Certificate/service.svc/CES",
                ],
            );
        let s = EnrollmentService::from_entry(&e).unwrap();
        assert_eq!(s.dns_host_name.as_deref(), Some("ca.example.test"));
        assert!(s.issues("machine") && !s.issues("SubCA"));
        assert_eq!(s.flags, 10);
        let ca = s.to_ca(3, true).unwrap();
        assert_eq!(ca.ca_reference_id, 3);
        assert_eq!(
            ca.uris[0].client_authentication,
            ClientAuthentication::CLIENT_CERTIFICATE
        );
        assert_eq!(
            ca.uris[1].uri,
            "https://ca.example.test/example-CA_CES_Kerberos/service.svc/CES"
        );
        assert_eq!(ca.certificate.decode().unwrap(), [0x30, 0x00]);

        let bad = e
            .clone()
            .with_attribute("msPKI-Enrollment-Servers", ["1\n4\nhttps://x"]);
        let err = EnrollmentService::from_entry(&bad).unwrap_err();
        assert_eq!(
            (err.dn(), err.attribute()),
            (dn, "msPKI-Enrollment-Servers")
        );
        let no_cn = LdapEntry::new(dn);
        assert_eq!(
            EnrollmentService::from_entry(&no_cn).unwrap_err(),
            Error::MissingAttribute {
                dn: dn.into(),
                attribute: "cn"
            }
        );
    }
}
