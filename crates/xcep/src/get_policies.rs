//! The request message: [`GetPolicies`], its [`Client`] and
//! [`RequestFilter`].

use soap_envelope::xsd::DateTime;
use soap_envelope::{AnyElement, FromXml, Limits, Payload, ToXml, read_document};

use crate::nillable::Nillable;

/// The `GetPolicies` element, [MS-XCEP] 3.1.4.1.2.1: the client's request
/// for the enrollment policy.
///
/// ```xml
/// <xs:element name="GetPolicies">
///   <xs:complexType>
///     <xs:sequence>
///       <xs:element name="client" type="xcep:Client" />
///       <xs:element name="requestFilter" nillable="true" type="xcep:RequestFilter" />
///     </xs:sequence>
///   </xs:complexType>
/// </xs:element>
/// ```
///
/// `client` is required: "If the `<xcep:client>` element is absent [...]
/// the server MUST respond with a SOAP fault", so an absent one is
/// [`ErrorKind::MissingElement`](soap_envelope::ErrorKind::MissingElement)
/// (a nil or empty one, which the spec equally refuses, reads as
/// `Client::default()`).
/// `requestFilter` is required and nillable: absent, nil and empty (which
/// the spec treats alike, "the server MUST NOT apply any filters") are
/// `None`.
///
/// Its WS-Addressing Action is [`GetPolicies::ACTION`].
///
/// ```
/// use xcep::{Client, GetPolicies};
///
/// let request = GetPolicies::new(Client::new().with_preferred_language("en-US"));
/// let bytes = request.to_xml().unwrap();
/// assert_eq!(GetPolicies::from_xml(&bytes).unwrap(), request);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "GetPolicies", declare = soap_envelope::ns::XSI)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPolicies {
    /// `client`: who asks, and when it last asked.
    #[xml(name = "client")]
    pub client: Client,
    /// `requestFilter`: `None` when nil (no filter).
    #[xml(name = "requestFilter", nillable)]
    pub request_filter: Option<RequestFilter>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl GetPolicies {
    /// The WS-Addressing Action of the request ([MS-XCEP] 3.1.4.1).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub const ACTION: &'static str =
        "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies";

    /// A request without a filter.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            request_filter: None,
            unknown: Vec::new(),
        }
    }

    /// Sets `requestFilter`.
    #[must_use]
    pub fn with_request_filter(mut self, filter: RequestFilter) -> Self {
        self.request_filter = Some(filter);
        self
    }

    /// Reads a document whose root is a `GetPolicies` element (a bare SOAP
    /// Body payload), with the default [`Limits`]. For a whole SOAP message
    /// use `Envelope::<GetPolicies>::from_xml` or
    /// `Envelope::<XcepMessage>::from_xml`.
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }
}

impl Payload for GetPolicies {
    fn action(&self) -> Option<&str> {
        Some(Self::ACTION)
    }
}

/// `Client` complex type, [MS-XCEP] 3.1.4.1.3.9: when the client last
/// fetched the policy and which language it prefers.
///
/// ```xml
/// <xs:complexType name="Client">
///   <xs:sequence>
///     <xs:element name="lastUpdate" type="xs:dateTime" nillable="true" />
///     <xs:element name="preferredLanguage" type="xs:language" nillable="true" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// A `lastUpdate` that is not an `xs:dateTime` (the [MS-XCEP] 4.1.2.1
/// example sends `20090-03-15-T09:38:46`) is
/// [`ErrorKind::BadValue`](soap_envelope::ErrorKind::BadValue) at
/// `.../client/lastUpdate`.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "client")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Client {
    /// `lastUpdate`: when the client last fetched policies from this
    /// server (GMT); `None` when nil ("older than" anything).
    #[xml(name = "lastUpdate", nillable, with = soap_envelope::fields::value)]
    pub last_update: Option<DateTime>,
    /// `preferredLanguage` (`xs:language`, e.g. `en-US`); `None` when nil.
    #[xml(name = "preferredLanguage", nillable, with = crate::codec::with::token)]
    pub preferred_language: Option<String>,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl Client {
    /// A client that never fetched the policy and has no preferred
    /// language: both nil.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `lastUpdate`.
    #[must_use]
    pub fn with_last_update(mut self, last_update: DateTime) -> Self {
        self.last_update = Some(last_update);
        self
    }

    /// Sets `preferredLanguage`.
    #[must_use]
    pub fn with_preferred_language(mut self, language: impl Into<String>) -> Self {
        self.preferred_language = Some(language.into());
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}

/// `RequestFilter` complex type, [MS-XCEP] 3.1.4.1.3.22: restricts the
/// response to some templates.
///
/// ```xml
/// <xs:complexType name="RequestFilter">
///   <xs:sequence>
///     <xs:element name="policyOIDs" type="xcep:FilterOIDCollection" nillable="true" />
///     <xs:element name="clientVersion" type="xs:int" nillable="true" />
///     <xs:element name="serverVersion" type="xs:int" nillable="true" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="FilterOIDCollection">
///   <xs:sequence>
///     <xs:element name="oid" type="xs:string" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// Erratum: the §6.2 schema has no `clientVersion`/`serverVersion`, which
/// §3.1.4.1.3.22 has (see `testdata/spec/README.md`). They are read when
/// present and written only when `Some`, so that by default what we write
/// is valid against §6.2; `Some(Nillable::Nil)` is written as nil. (When
/// written, §6.2 accepts them too, through the `xs:any` wildcard.)
///
/// ```
/// use xcep::{Nillable, RequestFilter};
///
/// let f = RequestFilter::new().with_policy_oid("1.3.6.1.4.1.311.21.8.1.2").with_client_version(6);
/// assert_eq!(f.client_version, Some(Nillable::Value(6)));
/// assert_eq!(f.server_version, None);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "requestFilter")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestFilter {
    /// `policyOIDs`: the template OIDs wanted (surrounding whitespace
    /// removed); `None` when nil (no OID filter). An empty list is written
    /// as nil.
    #[xml(name = "policyOIDs", nillable, list(item = "oid"), with = crate::codec::with::trimmed)]
    pub policy_oids: Option<Vec<String>>,
    /// `clientVersion` (§3 only): `None` when absent.
    #[xml(name = "clientVersion", with = crate::codec::with::nillable_value)]
    pub client_version: Option<Nillable<i32>>,
    /// `serverVersion` (§3 only): `None` when absent.
    #[xml(name = "serverVersion", with = crate::codec::with::nillable_value)]
    pub server_version: Option<Nillable<i32>>,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl RequestFilter {
    /// A filter with `policyOIDs` nil.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a template OID to `policyOIDs`.
    #[must_use]
    pub fn with_policy_oid(mut self, oid: impl Into<String>) -> Self {
        self.policy_oids
            .get_or_insert_with(Vec::new)
            .push(oid.into());
        self
    }

    /// Sets `clientVersion`.
    #[must_use]
    pub fn with_client_version(mut self, version: i32) -> Self {
        self.client_version = Some(Nillable::Value(version));
        self
    }

    /// Sets `serverVersion`.
    #[must_use]
    pub fn with_server_version(mut self, version: i32) -> Self {
        self.server_version = Some(Nillable::Value(version));
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}
