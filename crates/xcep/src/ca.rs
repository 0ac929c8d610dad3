//! Certificate authorities of a GetPoliciesResponse: [`Ca`] and [`CaUri`].

use soap_envelope::xsd::collapse;
use soap_envelope::{AnyElement, FromXml, QName, Result, Start, ToXml, XmlReader, XmlWriter};

use crate::base64_text::Base64Text;
use crate::codec::{
    Children, ReadFields, list, nillable_value, once, once_nillable, required, write_all,
    write_list, write_nillable_value, xcep,
};
use crate::flags::ClientAuthentication;

const URIS: QName = xcep("uris");
const CERTIFICATE: QName = xcep("certificate");
const ENROLL_PERMISSION: QName = xcep("enrollPermission");
const CA_REFERENCE_ID: QName = xcep("cAReferenceID");
const CLIENT_AUTHENTICATION: QName = xcep("clientAuthentication");
const URI: QName = xcep("uri");
const PRIORITY: QName = xcep("priority");
const RENEWAL_ONLY: QName = xcep("renewalOnly");

/// `CA` complex type, [MS-XCEP] 3.1.4.1.3.2: a certificate authority, the
/// enrollment (MS-WSTEP) endpoints that reach it, its certificate and
/// whether the requestor may enroll there. Read from and written as a `<cA>`
/// element of the response's `cAs` (`CACollection`, [MS-XCEP] 3.1.4.1.3.3).
///
/// ```xml
/// <xs:complexType name="CA">
///   <xs:sequence>
///     <xs:element name="uris" type="xcep:CAURICollection" />
///     <xs:element name="certificate" type="xs:base64Binary" />
///     <xs:element name="enrollPermission" type="xs:boolean" />
///     <xs:element name="cAReferenceID" type="xs:int" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="CAURICollection">
///   <xs:sequence>
///     <xs:element name="cAURI" type="xcep:CAURI" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// ```
/// use xcep::{Base64Text, Ca, CaUri, flags::ClientAuthentication};
///
/// let ca = Ca::new(0, Base64Text::from_bytes(b"\x30\x00"), true).with_uri(
///     CaUri::new(ClientAuthentication::KERBEROS, "https://ca.contoso.com/CES").with_priority(1),
/// );
/// assert_eq!(ca.uris[0].renewal_only, Some(false));
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ca {
    /// `uris`: the endpoints (`CAURICollection`, [MS-XCEP] 3.1.4.1.3.6).
    /// The schema requires at least one; an empty `<uris/>` reads as an
    /// empty list.
    pub uris: Vec<CaUri>,
    /// `certificate`: the CA's signing certificate, DER in base64. "MUST
    /// never be an empty string."
    pub certificate: Base64Text,
    /// `enrollPermission`: whether the requestor may send enrollment
    /// requests to this CA.
    pub enroll_permission: bool,
    /// `cAReferenceID`: unique within a response; the target of a
    /// template's `cAReference`.
    pub ca_reference_id: i32,
    /// Elements of the `##any` extension point, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl Ca {
    /// The element name, `cA`.
    pub const NAME: QName = xcep("cA");

    /// A CA with no URIs yet.
    pub fn new(ca_reference_id: i32, certificate: Base64Text, enroll_permission: bool) -> Self {
        Self {
            uris: Vec::new(),
            certificate,
            enroll_permission,
            ca_reference_id,
            extensions: Vec::new(),
        }
    }

    /// Adds an endpoint.
    #[must_use]
    pub fn with_uri(mut self, uri: CaUri) -> Self {
        self.uris.push(uri);
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}

impl<'a> ReadFields<'a> for Ca {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut uris = None;
        let mut certificate = None;
        let mut enroll_permission = None;
        let mut ca_reference_id = None;
        let mut extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(URIS) {
                once(r, &mut uris, URIS, |r| {
                    list(r, CaUri::NAME, |r, _| {
                        CaUri::read_fields(r, Children::new())
                    })
                })?;
            } else if child.is(CERTIFICATE) {
                once(r, &mut certificate, CERTIFICATE, |r| {
                    Ok(Base64Text::new(&r.text()?))
                })?;
            } else if child.is(ENROLL_PERMISSION) {
                once(
                    r,
                    &mut enroll_permission,
                    ENROLL_PERMISSION,
                    XmlReader::value,
                )?;
            } else if child.is(CA_REFERENCE_ID) {
                once(r, &mut ca_reference_id, CA_REFERENCE_ID, XmlReader::value)?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            uris: required(r, uris, URIS)?,
            certificate: required(r, certificate, CERTIFICATE)?,
            enroll_permission: required(r, enroll_permission, ENROLL_PERMISSION)?,
            ca_reference_id: required(r, ca_reference_id, CA_REFERENCE_ID)?,
            extensions,
        })
    }
}

impl<'a> FromXml<'a> for Ca {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        Self::read_fields(r, Children::new())
    }
}

impl ToXml for Ca {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        write_list(w, URIS, &self.uris, |w, u| u.to_xml(w))?;
        w.text_element(CERTIFICATE, self.certificate.as_str())?;
        w.value_element(ENROLL_PERMISSION, &self.enroll_permission)?;
        w.value_element(CA_REFERENCE_ID, &self.ca_reference_id)?;
        write_all(w, &self.extensions)?;
        w.end()
    }
}

/// `CAURI` complex type, [MS-XCEP] 3.1.4.1.3.5: one enrollment endpoint of
/// a [`Ca`], with the authentication it takes and its priority. Read from
/// and written as a `<cAURI>` element.
///
/// ```xml
/// <xs:complexType name="CAURI">
///   <xs:sequence>
///     <xs:element name="clientAuthentication" type="xs:unsignedInt" />
///     <xs:element name="uri" type="xs:anyURI" />
///     <xs:element name="priority" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="renewalOnly" type="xs:boolean" nillable="true" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// Erratum: §3.1.4.1.3.5 makes `renewalOnly` nillable, the §6.2 schema
/// does not. We follow §3: `None` is nil, and writing it is valid against
/// §3 only. [`CaUri::new`] sets `Some(false)`.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaUri {
    /// `clientAuthentication`: the authentication the endpoint takes
    /// (1 anonymous, 2 Kerberos, 4 user name and password, 8 client
    /// certificate; the spec requires exactly one, unknown bits are kept).
    pub client_authentication: ClientAuthentication,
    /// `uri`: the endpoint (`xs:anyURI`, whitespace collapsed).
    pub uri: String,
    /// `priority`: lower is preferred; `None` when nil.
    pub priority: Option<u32>,
    /// `renewalOnly`: whether the endpoint takes renewal requests only;
    /// `None` when nil (§3 only, see the Erratum above).
    pub renewal_only: Option<bool>,
    /// Elements of the `##any` extension point, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl CaUri {
    /// The element name, `cAURI`.
    pub const NAME: QName = xcep("cAURI");

    /// An endpoint with nil priority that takes all requests
    /// (`renewalOnly` false).
    pub fn new(client_authentication: ClientAuthentication, uri: impl Into<String>) -> Self {
        Self {
            client_authentication,
            uri: uri.into(),
            priority: None,
            renewal_only: Some(false),
            extensions: Vec::new(),
        }
    }

    /// Sets `priority`.
    #[must_use]
    pub fn with_priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Sets `renewalOnly`.
    #[must_use]
    pub fn with_renewal_only(mut self, renewal_only: bool) -> Self {
        self.renewal_only = Some(renewal_only);
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}

impl<'a> ReadFields<'a> for CaUri {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut client_authentication = None;
        let mut uri = None;
        let (mut priority, mut seen_priority) = (None, false);
        let (mut renewal_only, mut seen_renewal_only) = (None, false);
        let mut extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(CLIENT_AUTHENTICATION) {
                once(r, &mut client_authentication, CLIENT_AUTHENTICATION, |r| {
                    r.value().map(ClientAuthentication::from_bits_retain)
                })?;
            } else if child.is(URI) {
                once(r, &mut uri, URI, |r| Ok(collapse(&r.text()?).into_owned()))?;
            } else if child.is(PRIORITY) {
                once_nillable(r, &mut priority, &mut seen_priority, PRIORITY, |r| {
                    nillable_value(r, &child)
                })?;
            } else if child.is(RENEWAL_ONLY) {
                once_nillable(
                    r,
                    &mut renewal_only,
                    &mut seen_renewal_only,
                    RENEWAL_ONLY,
                    |r| nillable_value(r, &child),
                )?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            client_authentication: required(r, client_authentication, CLIENT_AUTHENTICATION)?,
            uri: required(r, uri, URI)?,
            priority,
            renewal_only,
            extensions,
        })
    }
}

impl<'a> FromXml<'a> for CaUri {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        Self::read_fields(r, Children::new())
    }
}

impl ToXml for CaUri {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.value_element(CLIENT_AUTHENTICATION, &self.client_authentication.bits())?;
        w.text_element(URI, &self.uri)?;
        write_nillable_value(w, PRIORITY, self.priority.as_ref())?;
        write_nillable_value(w, RENEWAL_ONLY, self.renewal_only.as_ref())?;
        write_all(w, &self.extensions)?;
        w.end()
    }
}
