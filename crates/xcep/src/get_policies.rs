//! The request message: [`GetPolicies`], its [`Client`] and
//! [`RequestFilter`].

use soap_envelope::xsd::DateTime;
use soap_envelope::{
    AnyElement, FromXml, Limits, Payload, QName, Result, Start, ToXml, XmlReader, XmlWriter, ns,
    read_document,
};

use crate::codec::{
    Children, ReadFields, item_trimmed, nillable_complex, nillable_list, nillable_token,
    nillable_value, once, once_nillable, required, text_item, write_all, write_nillable,
    write_nillable_list, write_nillable_text, write_nillable_value, xcep,
};
use crate::nillable::Nillable;

const CLIENT: QName = xcep("client");
const REQUEST_FILTER: QName = xcep("requestFilter");
const LAST_UPDATE: QName = xcep("lastUpdate");
const PREFERRED_LANGUAGE: QName = xcep("preferredLanguage");
const POLICY_OIDS: QName = xcep("policyOIDs");
const OID: QName = xcep("oid");
const CLIENT_VERSION: QName = xcep("clientVersion");
const SERVER_VERSION: QName = xcep("serverVersion");

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
/// let bytes = request.to_xml_bytes().unwrap();
/// assert_eq!(GetPolicies::from_xml_bytes(&bytes).unwrap(), request);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GetPolicies {
    /// `client`: who asks, and when it last asked.
    pub client: Client,
    /// `requestFilter`: `None` when nil (no filter).
    pub request_filter: Option<RequestFilter>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl GetPolicies {
    /// The element name.
    pub const NAME: QName = xcep("GetPolicies");

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
    pub fn from_xml_bytes(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml_bytes(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml_bytes(self)?)
    }
}

impl<'a> FromXml<'a> for GetPolicies {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        let mut client = None;
        let (mut filter, mut seen_filter) = (None, false);
        let mut unknown = Vec::new();
        while let Some(child) = r.next_child()? {
            if child.is(CLIENT) {
                once(r, &mut client, CLIENT, |r| {
                    Client::read_fields(r, Children::new())
                })?;
            } else if child.is(REQUEST_FILTER) {
                once_nillable(r, &mut filter, &mut seen_filter, REQUEST_FILTER, |r| {
                    nillable_complex(r, &child)
                })?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            client: required(r, client, CLIENT)?,
            request_filter: filter,
            unknown,
        })
    }
}

impl ToXml for GetPolicies {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.declare_ns(ns::XSI)?;
        self.client.to_xml(w)?;
        write_nillable(w, REQUEST_FILTER, self.request_filter.as_ref())?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Client {
    /// `lastUpdate`: when the client last fetched policies from this
    /// server (GMT); `None` when nil ("older than" anything).
    pub last_update: Option<DateTime>,
    /// `preferredLanguage` (`xs:language`, e.g. `en-US`); `None` when nil.
    pub preferred_language: Option<String>,
    /// Elements of the `##any` extension point, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl Client {
    /// The element name, `client`.
    pub const NAME: QName = CLIENT;

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

impl<'a> ReadFields<'a> for Client {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let (mut last_update, mut seen_last_update) = (None, false);
        let (mut language, mut seen_language) = (None, false);
        let mut extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(LAST_UPDATE) {
                once_nillable(
                    r,
                    &mut last_update,
                    &mut seen_last_update,
                    LAST_UPDATE,
                    |r| nillable_value(r, &child),
                )?;
            } else if child.is(PREFERRED_LANGUAGE) {
                once_nillable(
                    r,
                    &mut language,
                    &mut seen_language,
                    PREFERRED_LANGUAGE,
                    |r| nillable_token(r, &child),
                )?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            last_update,
            preferred_language: language,
            extensions,
        })
    }
}

impl<'a> FromXml<'a> for Client {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        Self::read_fields(r, Children::new())
    }
}

impl ToXml for Client {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        write_nillable_value(w, LAST_UPDATE, self.last_update.as_ref())?;
        write_nillable_text(w, PREFERRED_LANGUAGE, self.preferred_language.as_deref())?;
        write_all(w, &self.extensions)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RequestFilter {
    /// `policyOIDs`: the template OIDs wanted (surrounding whitespace
    /// removed); `None` when nil (no OID filter). An empty list is written
    /// as nil.
    pub policy_oids: Option<Vec<String>>,
    /// `clientVersion` (§3 only): `None` when absent.
    pub client_version: Option<Nillable<i32>>,
    /// `serverVersion` (§3 only): `None` when absent.
    pub server_version: Option<Nillable<i32>>,
    /// Elements of the `##any` extension point, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl RequestFilter {
    /// The element name, `requestFilter`.
    pub const NAME: QName = REQUEST_FILTER;

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

/// Reads a `clientVersion`/`serverVersion` element: nil or empty is
/// `Nillable::Nil`.
fn read_version(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Nillable<i32>> {
    nillable_value(r, start).map(Nillable::from_option)
}

fn write_version(w: &mut XmlWriter, name: QName, version: Option<&Nillable<i32>>) -> Result<()> {
    match version {
        None => Ok(()),
        Some(v) => write_nillable_value(w, name, v.value()),
    }
}

impl<'a> ReadFields<'a> for RequestFilter {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let (mut policy_oids, mut seen_policy_oids) = (None, false);
        let mut client_version = None;
        let mut server_version = None;
        let mut extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(POLICY_OIDS) {
                once_nillable(
                    r,
                    &mut policy_oids,
                    &mut seen_policy_oids,
                    POLICY_OIDS,
                    |r| nillable_list(r, &child, OID, item_trimmed),
                )?;
            } else if child.is(CLIENT_VERSION) {
                once(r, &mut client_version, CLIENT_VERSION, |r| {
                    read_version(r, &child)
                })?;
            } else if child.is(SERVER_VERSION) {
                once(r, &mut server_version, SERVER_VERSION, |r| {
                    read_version(r, &child)
                })?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            policy_oids,
            client_version,
            server_version,
            extensions,
        })
    }
}

impl<'a> FromXml<'a> for RequestFilter {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        Self::read_fields(r, Children::new())
    }
}

impl ToXml for RequestFilter {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        write_nillable_list(w, POLICY_OIDS, self.policy_oids.as_ref(), text_item(OID))?;
        write_version(w, CLIENT_VERSION, self.client_version.as_ref())?;
        write_version(w, SERVER_VERSION, self.server_version.as_ref())?;
        write_all(w, &self.extensions)?;
        w.end()
    }
}
