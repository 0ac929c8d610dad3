//! Certificate authorities of a GetPoliciesResponse: [`Ca`] and [`CaUri`].

use soap_envelope::{AnyElement, FromXml, ToXml};

use crate::base64_text::Base64Text;
use crate::flags::ClientAuthentication;

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
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "cA")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Ca {
    /// `uris`: the endpoints (`CAURICollection`, [MS-XCEP] 3.1.4.1.3.6).
    /// The schema requires at least one; an empty `<uris/>` reads as an
    /// empty list.
    #[xml(name = "uris", list(item = "cAURI"))]
    pub uris: Vec<CaUri>,
    /// `certificate`: the CA's signing certificate, DER in base64. "MUST
    /// never be an empty string."
    #[xml(name = "certificate", with = crate::codec::with::base64)]
    pub certificate: Base64Text,
    /// `enrollPermission`: whether the requestor may send enrollment
    /// requests to this CA.
    #[xml(name = "enrollPermission", with = soap_envelope::fields::value)]
    pub enroll_permission: bool,
    /// `cAReferenceID`: unique within a response; the target of a
    /// template's `cAReference`.
    #[xml(name = "cAReferenceID", with = soap_envelope::fields::value)]
    pub ca_reference_id: i32,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl Ca {
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
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "cAURI")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CaUri {
    /// `clientAuthentication`: the authentication the endpoint takes
    /// (1 anonymous, 2 Kerberos, 4 user name and password, 8 client
    /// certificate; the spec requires exactly one, unknown bits are kept).
    #[xml(name = "clientAuthentication", with = crate::codec::with::flags)]
    pub client_authentication: ClientAuthentication,
    /// `uri`: the endpoint (`xs:anyURI`, whitespace collapsed).
    #[xml(name = "uri", with = crate::codec::with::token)]
    pub uri: String,
    /// `priority`: lower is preferred; `None` when nil.
    #[xml(name = "priority", nillable, with = soap_envelope::fields::value)]
    pub priority: Option<u32>,
    /// `renewalOnly`: whether the endpoint takes renewal requests only;
    /// `None` when nil (§3 only, see the Erratum above).
    #[xml(name = "renewalOnly", nillable, with = soap_envelope::fields::value)]
    pub renewal_only: Option<bool>,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl CaUri {
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
