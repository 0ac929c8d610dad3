//! MS-MDE2, the Mobile Device Enrollment profile of MS-XCEP and
//! MS-WSTEP: its own messages, the discovery [`Discover`] and
//! [`DiscoverResponse`] ([MS-MDE2] 3.1.4.1), and their [`AuthPolicy`].
//!
//! The rest of MS-MDE2 is a profile of the other two protocols and lives
//! with them: its `TokenType` and `ValueType`s
//! ([`TOKEN_TYPE_MDE2`](crate::actions::TOKEN_TYPE_MDE2),
//! [`VALUE_TYPE_PROVISIONING_DOC`](crate::actions::VALUE_TYPE_PROVISIONING_DOC)),
//! the provisioning document token ([`ValueKind::ProvisioningDoc`](crate::ValueKind::ProvisioningDoc))
//! and its GetPolicies messages (the xcep crate).
//!
//! # Namespace erratum
//!
//! The schema of [MS-MDE2] Appendix A declares the elements in
//! `http://schemas.microsoft.com/windows/management/2012/01/enrollment`
//! ([`crate::ns::MDE2`]), and the `DiscoverResponse` examples of
//! 4.1.2 use it; but the `Discover` request examples of 4.1.1 use
//! `http://schemas.microsoft.com/windows/management/2012/01/enrollment/`,
//! with a trailing slash ([`NAMESPACE_TRAILING_SLASH`]). Both are read (for
//! the root element and its descendants alike), the one read is kept in a
//! [`DiscoverNamespace`] field, and the schema's is always written.
//!
//! [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/

use std::fmt;
use std::str::FromStr;

use crate::ns;
use soap_envelope::xsd::{collapse, trim};
use soap_envelope::{
    AnyElement, ErrorKind, FromXml, Limits, Payload, QName, Result, Start, ToXml, XmlReader,
    XmlWriter, read_document,
};

/// The namespace of the `Discover` examples of [MS-MDE2] 4.1.1, which
/// differs from the schema's ([`crate::ns::MDE2`]) by a trailing
/// slash; read, never written (see the [module documentation](self)).
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
pub const NAMESPACE_TRAILING_SLASH: &str =
    "http://schemas.microsoft.com/windows/management/2012/01/enrollment/";

/// Which spelling of the MS-MDE2 namespace a message was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum DiscoverNamespace {
    /// The schema's, [`crate::ns::MDE2`] (always written).
    #[default]
    Schema,
    /// [`NAMESPACE_TRAILING_SLASH`], as in the [MS-MDE2] 4.1.1 examples.
    ///
    /// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
    TrailingSlash,
}

impl DiscoverNamespace {
    /// The namespace URI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schema => ns::MDE2,
            Self::TrailingSlash => NAMESPACE_TRAILING_SLASH,
        }
    }

    /// The spelling `uri` is, if it is one of the two.
    pub fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            ns::MDE2 => Some(Self::Schema),
            NAMESPACE_TRAILING_SLASH => Some(Self::TrailingSlash),
            _ => None,
        }
    }
}

/// A name in the schema's MS-MDE2 namespace.
const fn mde2(local: &'static str) -> QName {
    QName::new(ns::MDE2, local)
}

/// Whether `start` is `local` in either spelling of the namespace.
fn is(start: &Start<'_>, local: &str) -> bool {
    start.local() == local && start.ns().and_then(DiscoverNamespace::from_uri).is_some()
}

const REQUEST: QName = mde2("request");
const EMAIL_ADDRESS: QName = mde2("EmailAddress");
const REQUEST_VERSION: QName = mde2("RequestVersion");
const DEVICE_TYPE: QName = mde2("DeviceType");
const APPLICATION_VERSION: QName = mde2("ApplicationVersion");
const OS_EDITION: QName = mde2("OSEdition");
const AUTH_POLICIES: QName = mde2("AuthPolicies");
const AUTH_POLICY: QName = mde2("AuthPolicy");
const DISCOVER_RESULT: QName = mde2("DiscoverResult");
const ENROLLMENT_VERSION: QName = mde2("EnrollmentVersion");
const ENROLLMENT_POLICY_SERVICE_URL: QName = mde2("EnrollmentPolicyServiceUrl");
const ENROLLMENT_SERVICE_URL: QName = mde2("EnrollmentServiceUrl");
const AUTHENTICATION_SERVICE_URL: QName = mde2("AuthenticationServiceUrl");

/// An `AuthPolicyType` value ([MS-MDE2] Appendix A): how the client
/// authenticates to the enrollment services.
///
/// ```
/// use wstep::mde2::AuthPolicy;
///
/// assert_eq!("OnPremise".parse::<AuthPolicy>().unwrap(), AuthPolicy::OnPremise);
/// assert_eq!(AuthPolicy::Other("Kerberos".into()).to_string(), "Kerberos");
/// ```
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthPolicy {
    /// `Certificate`.
    Certificate,
    /// `Federated`.
    Federated,
    /// `OnPremise`.
    OnPremise,
    /// Any other value, kept as read (whitespace trimmed).
    Other(String),
}

impl AuthPolicy {
    /// The value as written.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Certificate => "Certificate",
            Self::Federated => "Federated",
            Self::OnPremise => "OnPremise",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for AuthPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthPolicy {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match trim(s) {
            "Certificate" => Self::Certificate,
            "Federated" => Self::Federated,
            "OnPremise" => Self::OnPremise,
            other => Self::Other(other.to_owned()),
        })
    }
}

/// Stores a child's value into a single-valued slot, or fails with
/// [`ErrorKind::DuplicateElement`] at the second occurrence.
fn once<'a, T>(
    r: &mut XmlReader<'a>,
    slot: &mut Option<T>,
    name: QName,
    read: impl FnOnce(&mut XmlReader<'a>) -> Result<T>,
) -> Result<()> {
    crate::codec::once(r, slot, name, read)
}

/// Trimmed text; `None` when nil or empty.
fn nillable_text(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<String>> {
    if r.is_nil(start)? {
        r.skip()?;
        return Ok(None);
    }
    let text = r.text()?;
    let text = collapse(&text);
    Ok((!text.is_empty()).then(|| text.into_owned()))
}

/// The `Discover` request, [MS-MDE2] 3.1.4.1.1.1: the device asks where
/// (and how) to enroll.
///
/// ```xml
/// <xsd:element name="Discover">
///   <xsd:complexType><xsd:all>
///     <xsd:element name="request"><xsd:complexType><xsd:all>
///       <xsd:element name="EmailAddress" type="enroll:EmailAddressType"/>
///       <xsd:element name="RequestVersion" type="xsd:decimal"/>
///       <xsd:element name="DeviceType" type="enroll:DeviceType"/>
///       <xsd:element name="ApplicationVersion" type="enroll:DottedQuadType"/>
///       <xsd:element name="OSEdition" type="xsd:unsignedInt"/>
///       <xsd:element name="AuthPolicies"> <!-- 1 to 3 AuthPolicy -->
///     </xsd:all></xsd:complexType></xsd:element>
///   </xsd:all></xsd:complexType>
/// </xsd:element>
/// ```
///
/// Reading is lenient: the `request` children are all optional (absent is
/// `None`) and accepted in any order; text values are kept with whitespace
/// collapsed; an `OSEdition` that is not an `xs:unsignedInt` is
/// [`ErrorKind::BadValue`]. Elements the schema does not define are kept
/// (`unknown` inside `request`, `extensions` beside it) and written back
/// after the defined ones. Its Action is [`Discover::ACTION`].
///
/// ```
/// use wstep::mde2::{AuthPolicy, Discover};
///
/// let d = Discover::new("user@contoso.com").with_auth_policy(AuthPolicy::Federated);
/// let bytes = d.to_xml().unwrap();
/// assert_eq!(Discover::from_xml(&bytes).unwrap(), d);
/// ```
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Discover {
    /// The namespace spelling read (the schema's is written).
    pub namespace: DiscoverNamespace,
    /// `EmailAddress`.
    pub email_address: Option<String>,
    /// `RequestVersion` (`xs:decimal`, kept as text, e.g. `5.0`).
    pub request_version: Option<String>,
    /// `DeviceType` (e.g. `CIMClient_Windows`, `WindowsPhone`).
    pub device_type: Option<String>,
    /// `ApplicationVersion` (a dotted quad, e.g. `10.0.0.0`).
    pub application_version: Option<String>,
    /// `OSEdition`.
    pub os_edition: Option<u32>,
    /// `AuthPolicies/AuthPolicy`, in order; `None` when `AuthPolicies` is
    /// absent.
    pub auth_policies: Option<Vec<AuthPolicy>>,
    /// Other children of `request`, kept as read.
    pub unknown: Vec<AnyElement>,
    /// Other children of `Discover` (beside `request`), kept as read.
    pub extensions: Vec<AnyElement>,
}

impl Discover {
    /// The element name (in the schema's namespace).
    pub const NAME: QName = mde2("Discover");

    /// The WS-Addressing Action of the request.
    pub const ACTION: &'static str = "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover";

    /// A request for `email_address` with nothing else set.
    pub fn new(email_address: impl Into<String>) -> Self {
        Self {
            email_address: Some(email_address.into()),
            ..Self::default()
        }
    }

    /// Adds an `AuthPolicy`.
    #[must_use]
    pub fn with_auth_policy(mut self, policy: AuthPolicy) -> Self {
        self.auth_policies.get_or_insert_with(Vec::new).push(policy);
        self
    }

    /// Reads a document whose root is a `Discover` element (either
    /// namespace spelling).
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }

    fn read_request(&mut self, r: &mut XmlReader<'_>) -> Result<()> {
        let (mut email, mut version, mut device, mut app, mut edition, mut policies) =
            (None, None, None, None, None, None);
        while let Some(child) = r.next_child()? {
            if is(&child, "EmailAddress") {
                once(r, &mut email, EMAIL_ADDRESS, |r| nillable_text(r, &child))?;
            } else if is(&child, "RequestVersion") {
                once(r, &mut version, REQUEST_VERSION, |r| {
                    nillable_text(r, &child)
                })?;
            } else if is(&child, "DeviceType") {
                once(r, &mut device, DEVICE_TYPE, |r| nillable_text(r, &child))?;
            } else if is(&child, "ApplicationVersion") {
                once(r, &mut app, APPLICATION_VERSION, |r| {
                    nillable_text(r, &child)
                })?;
            } else if is(&child, "OSEdition") {
                once(r, &mut edition, OS_EDITION, |r| {
                    if r.is_nil(&child)? {
                        r.skip()?;
                        return Ok(None);
                    }
                    r.value::<u32>().map(Some)
                })?;
            } else if is(&child, "AuthPolicies") {
                once(r, &mut policies, AUTH_POLICIES, |r| {
                    let mut list = Vec::new();
                    while let Some(p) = r.next_child()? {
                        if !is(&p, "AuthPolicy") {
                            return Err(r.error(ErrorKind::UnexpectedElement {
                                found: p.name(),
                                expected: Some("AuthPolicy".into()),
                            }));
                        }
                        let text = r.text()?;
                        list.push(text.parse().unwrap_or_else(|e| match e {}));
                    }
                    Ok(list)
                })?;
            } else {
                self.unknown.push(r.any(&child)?);
            }
        }
        self.email_address = email.flatten();
        self.request_version = version.flatten();
        self.device_type = device.flatten();
        self.application_version = app.flatten();
        self.os_edition = edition.flatten();
        self.auth_policies = policies;
        Ok(())
    }
}

impl<'a> FromXml<'a> for Discover {
    fn matches(start: &Start<'_>) -> bool {
        is(start, "Discover")
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        let mut d = Self {
            namespace: start
                .ns()
                .and_then(DiscoverNamespace::from_uri)
                .unwrap_or_default(),
            ..Self::default()
        };
        let mut seen = None;
        while let Some(child) = r.next_child()? {
            if is(&child, "request") {
                once(r, &mut seen, REQUEST, |r| d.read_request(r))?;
            } else {
                d.extensions.push(r.any(&child)?);
            }
        }
        crate::codec::required(r, seen, REQUEST)?;
        Ok(d)
    }
}

impl ToXml for Discover {
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.start(REQUEST)?;
        if let Some(v) = &self.email_address {
            w.text_element(EMAIL_ADDRESS, v)?;
        }
        if let Some(v) = &self.request_version {
            w.text_element(REQUEST_VERSION, v)?;
        }
        if let Some(v) = &self.device_type {
            w.text_element(DEVICE_TYPE, v)?;
        }
        if let Some(v) = &self.application_version {
            w.text_element(APPLICATION_VERSION, v)?;
        }
        if let Some(v) = &self.os_edition {
            w.value_element(OS_EDITION, v)?;
        }
        if let Some(list) = &self.auth_policies {
            w.start(AUTH_POLICIES)?;
            for p in list {
                w.text_element(AUTH_POLICY, p.as_str())?;
            }
            w.end()?;
        }
        for u in &self.unknown {
            u.write(w)?;
        }
        w.end()?;
        for u in &self.extensions {
            u.write(w)?;
        }
        w.end()
    }
}

impl Payload for Discover {
    fn action(&self) -> Option<&str> {
        Some(Self::ACTION)
    }
}

/// The `DiscoverResponse`, [MS-MDE2] 3.1.4.1.1.2: the authentication
/// policy and the URLs of the enrollment services.
///
/// ```xml
/// <xsd:element name="DiscoverResponse">
///   <xsd:complexType><xsd:all>
///     <xsd:element name="DiscoverResult"><xsd:complexType><xsd:all>
///       <xsd:element name="AuthPolicy" type="enroll:AuthPolicyType"/>
///       <xsd:element minOccurs="0" name="EnrollmentPolicyServiceUrl" nillable="true" type="xsd:anyURI"/>
///       <xsd:element name="EnrollmentServiceUrl" type="xsd:anyURI"/>
///       <xsd:element minOccurs="0" name="AuthenticationServiceUrl" nillable="true" type="xsd:anyURI"/>
///       <xsd:element minOccurs="0" name="EnrollmentVersion" nillable="true" type="xsd:decimal"/>
///     </xsd:all></xsd:complexType></xsd:element>
///   </xsd:all></xsd:complexType>
/// </xsd:element>
/// ```
///
/// `DiscoverResult`, `AuthPolicy` and `EnrollmentServiceUrl` are required
/// ([`ErrorKind::MissingElement`] when absent); the optional values are
/// `None` when absent, nil or empty. URLs and versions are read with
/// whitespace collapsed. Unknown children of `DiscoverResult` are kept in
/// `unknown` (of `DiscoverResponse`, in `extensions`). Its Action is
/// [`DiscoverResponse::ACTION`].
///
/// ```
/// use wstep::mde2::{AuthPolicy, DiscoverResponse};
///
/// let r = DiscoverResponse::new(AuthPolicy::OnPremise, "https://enroll.contoso.com/x.svc");
/// let bytes = r.to_xml().unwrap();
/// assert_eq!(DiscoverResponse::from_xml(&bytes).unwrap(), r);
/// ```
///
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DiscoverResponse {
    /// The namespace spelling read (the schema's is written).
    pub namespace: DiscoverNamespace,
    /// `AuthPolicy`.
    pub auth_policy: AuthPolicy,
    /// `EnrollmentVersion` (`xs:decimal`, kept as text, e.g. `5.0`).
    pub enrollment_version: Option<String>,
    /// `EnrollmentPolicyServiceUrl`: the MS-XCEP endpoint.
    pub enrollment_policy_service_url: Option<String>,
    /// `EnrollmentServiceUrl`: the MS-WSTEP endpoint.
    pub enrollment_service_url: String,
    /// `AuthenticationServiceUrl` (federated authentication).
    pub authentication_service_url: Option<String>,
    /// Other children of `DiscoverResult`, kept as read.
    pub unknown: Vec<AnyElement>,
    /// Other children of `DiscoverResponse`, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl DiscoverResponse {
    /// The element name (in the schema's namespace).
    pub const NAME: QName = mde2("DiscoverResponse");

    /// The WS-Addressing Action of the response.
    pub const ACTION: &'static str = "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse";

    /// A response with the required values only.
    pub fn new(auth_policy: AuthPolicy, enrollment_service_url: impl Into<String>) -> Self {
        Self {
            namespace: DiscoverNamespace::Schema,
            auth_policy,
            enrollment_version: None,
            enrollment_policy_service_url: None,
            enrollment_service_url: enrollment_service_url.into(),
            authentication_service_url: None,
            unknown: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// Reads a document whose root is a `DiscoverResponse` element (either
    /// namespace spelling).
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }
}

/// The values of `DiscoverResult`.
type ResultFields = (
    AuthPolicy,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Vec<AnyElement>,
);

fn read_result(r: &mut XmlReader<'_>) -> Result<ResultFields> {
    let (mut policy, mut version, mut policy_url, mut url, mut auth_url) =
        (None, None, None, None, None);
    let mut unknown = Vec::new();
    while let Some(child) = r.next_child()? {
        if is(&child, "AuthPolicy") {
            once(r, &mut policy, AUTH_POLICY, |r| {
                Ok(r.text()?.parse().unwrap_or_else(|e| match e {}))
            })?;
        } else if is(&child, "EnrollmentVersion") {
            once(r, &mut version, ENROLLMENT_VERSION, |r| {
                nillable_text(r, &child)
            })?;
        } else if is(&child, "EnrollmentPolicyServiceUrl") {
            once(r, &mut policy_url, ENROLLMENT_POLICY_SERVICE_URL, |r| {
                nillable_text(r, &child)
            })?;
        } else if is(&child, "EnrollmentServiceUrl") {
            once(r, &mut url, ENROLLMENT_SERVICE_URL, |r| {
                Ok(collapse(&r.text()?).into_owned())
            })?;
        } else if is(&child, "AuthenticationServiceUrl") {
            once(r, &mut auth_url, AUTHENTICATION_SERVICE_URL, |r| {
                nillable_text(r, &child)
            })?;
        } else {
            unknown.push(r.any(&child)?);
        }
    }
    let policy = crate::codec::required(r, policy, AUTH_POLICY)?;
    let url = crate::codec::required(r, url, ENROLLMENT_SERVICE_URL)?;
    Ok((
        policy,
        version.flatten(),
        policy_url.flatten(),
        url,
        auth_url.flatten(),
        unknown,
    ))
}

impl<'a> FromXml<'a> for DiscoverResponse {
    fn matches(start: &Start<'_>) -> bool {
        is(start, "DiscoverResponse")
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        let namespace = start
            .ns()
            .and_then(DiscoverNamespace::from_uri)
            .unwrap_or_default();
        let mut result = None;
        let mut extensions = Vec::new();
        while let Some(child) = r.next_child()? {
            if is(&child, "DiscoverResult") {
                once(r, &mut result, DISCOVER_RESULT, read_result)?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        let (auth_policy, enrollment_version, policy_url, url, auth_url, unknown) =
            crate::codec::required(r, result, DISCOVER_RESULT)?;
        Ok(Self {
            namespace,
            auth_policy,
            enrollment_version,
            enrollment_policy_service_url: policy_url,
            enrollment_service_url: url,
            authentication_service_url: auth_url,
            unknown,
            extensions,
        })
    }
}

impl ToXml for DiscoverResponse {
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.start(DISCOVER_RESULT)?;
        w.text_element(AUTH_POLICY, self.auth_policy.as_str())?;
        if let Some(v) = &self.enrollment_version {
            w.text_element(ENROLLMENT_VERSION, v)?;
        }
        if let Some(v) = &self.enrollment_policy_service_url {
            w.text_element(ENROLLMENT_POLICY_SERVICE_URL, v)?;
        }
        w.text_element(ENROLLMENT_SERVICE_URL, &self.enrollment_service_url)?;
        if let Some(v) = &self.authentication_service_url {
            w.text_element(AUTHENTICATION_SERVICE_URL, v)?;
        }
        for u in &self.unknown {
            u.write(w)?;
        }
        w.end()?;
        for u in &self.extensions {
            u.write(w)?;
        }
        w.end()
    }
}

impl Payload for DiscoverResponse {
    fn action(&self) -> Option<&str> {
        Some(Self::ACTION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_namespace_is_read_and_schema_one_written() {
        let xml = format!(
            "<Discover xmlns='{NAMESPACE_TRAILING_SLASH}'><request>\
             <EmailAddress>a@b</EmailAddress><OSEdition>3</OSEdition>\
             <X xmlns='urn:x'>1</X></request></Discover>"
        );
        let d = Discover::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(d.namespace, DiscoverNamespace::TrailingSlash);
        assert_eq!(d.os_edition, Some(3));
        assert_eq!(d.unknown.len(), 1);
        let out = String::from_utf8(d.to_xml().unwrap()).unwrap();
        assert!(out.contains(&format!("\"{}\"", ns::MDE2)), "{out}");
        assert!(!out.contains(NAMESPACE_TRAILING_SLASH), "{out}");
    }

    #[test]
    fn bad_os_edition_and_missing_url() {
        let xml = format!(
            "<Discover xmlns='{}'><request><OSEdition>-1</OSEdition></request></Discover>",
            ns::MDE2
        );
        let crate::Error::Xml(e) = Discover::from_xml(xml.as_bytes()).unwrap_err() else {
            panic!()
        };
        assert!(matches!(e.kind(), ErrorKind::BadValue { .. }), "{e}");
        assert!(e.path().ends_with("/OSEdition"), "{}", e.path());

        let xml = format!(
            "<DiscoverResponse xmlns='{}'><DiscoverResult><AuthPolicy>Federated</AuthPolicy>\
             </DiscoverResult></DiscoverResponse>",
            ns::MDE2
        );
        let crate::Error::Xml(e) = DiscoverResponse::from_xml(xml.as_bytes()).unwrap_err() else {
            panic!()
        };
        assert!(matches!(e.kind(), ErrorKind::MissingElement(_)), "{e}");
        assert!(e.path().ends_with("/EnrollmentServiceUrl"), "{}", e.path());
    }
}
