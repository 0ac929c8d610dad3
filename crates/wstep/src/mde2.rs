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

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::ns;
#[cfg(doc)]
use soap_envelope::ErrorKind;
use soap_envelope::xsd::{XsdType, trim};
use soap_envelope::{AnyElement, FromXml, Limits, Payload, Start, ToXml, fields, read_document};

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

/// Which spelling `start` is in (the schema's when it is neither, which
/// the derived `matches` does not let through).
fn namespace_of(start: &Start<'_>) -> DiscoverNamespace {
    start
        .ns()
        .and_then(DiscoverNamespace::from_uri)
        .unwrap_or_default()
}

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

/// `AuthPolicyType` is an `xs:string` restriction whose values are
/// extensible: every text reads (trimmed).
impl XsdType for AuthPolicy {
    const TYPE_NAME: &'static str = "enroll:AuthPolicyType";

    fn parse_xsd(s: &str) -> std::result::Result<Self, String> {
        Ok(s.parse().unwrap_or_else(|e| match e {}))
    }

    fn to_xsd(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
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
/// collapsed, and an empty or nil one is `None`; an `OSEdition` that is not
/// an `xs:unsignedInt` is [`ErrorKind::BadValue`]. Elements the schema does
/// not define are kept (`unknown` inside `request`, `extensions` beside it)
/// and written back after the defined ones. Its Action is
/// [`Discover::ACTION`].
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
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[xml(ns = ns::MDE2, alt_ns = NAMESPACE_TRAILING_SLASH, name = "Discover", prefixes = crate::PREFIXES)]
pub struct Discover {
    /// The namespace spelling read (the schema's is written).
    #[xml(from_start = namespace_of)]
    pub namespace: DiscoverNamespace,
    /// `request`.
    pub request: DiscoverRequest,
    /// Other children of `Discover` (beside `request`), kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

/// The `request` of a [`Discover`]: who asks, on what device, and which
/// authentication policies it supports.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[xml(ns = ns::MDE2, alt_ns = NAMESPACE_TRAILING_SLASH, name = "request")]
pub struct DiscoverRequest {
    /// `EmailAddress`.
    #[xml(name = "EmailAddress", nillable(omit), with = fields::token)]
    pub email_address: Option<String>,
    /// `RequestVersion` (`xs:decimal`, kept as text, e.g. `5.0`).
    #[xml(name = "RequestVersion", nillable(omit), with = fields::token)]
    pub request_version: Option<String>,
    /// `DeviceType` (e.g. `CIMClient_Windows`, `WindowsPhone`).
    #[xml(name = "DeviceType", nillable(omit), with = fields::token)]
    pub device_type: Option<String>,
    /// `ApplicationVersion` (a dotted quad, e.g. `10.0.0.0`).
    #[xml(name = "ApplicationVersion", nillable(omit), with = fields::token)]
    pub application_version: Option<String>,
    /// `OSEdition`.
    #[xml(name = "OSEdition", nillable(omit), with = fields::value)]
    pub os_edition: Option<u32>,
    /// `AuthPolicies/AuthPolicy`, in order; `None` when `AuthPolicies` is
    /// absent.
    #[xml(name = "AuthPolicies", list(item = "AuthPolicy"), with = fields::value)]
    pub auth_policies: Option<Vec<AuthPolicy>>,
    /// Other children of `request`, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl Discover {
    /// The WS-Addressing Action of the request.
    pub const ACTION: &'static str = "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover";

    /// A request for `email_address` with nothing else set.
    pub fn new(email_address: impl Into<String>) -> Self {
        let mut d = Self::default();
        d.request.email_address = Some(email_address.into());
        d
    }

    /// Adds an `AuthPolicy`.
    #[must_use]
    pub fn with_auth_policy(mut self, policy: AuthPolicy) -> Self {
        self.request
            .auth_policies
            .get_or_insert_with(Vec::new)
            .push(policy);
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
/// its `unknown` (of `DiscoverResponse`, in `extensions`). Its Action is
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
#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[xml(ns = ns::MDE2, alt_ns = NAMESPACE_TRAILING_SLASH, name = "DiscoverResponse", prefixes = crate::PREFIXES)]
pub struct DiscoverResponse {
    /// The namespace spelling read (the schema's is written).
    #[xml(from_start = namespace_of)]
    pub namespace: DiscoverNamespace,
    /// `DiscoverResult`.
    #[xml(name = "DiscoverResult")]
    pub result: DiscoverResult,
    /// Other children of `DiscoverResponse`, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

/// The `DiscoverResult` of a [`DiscoverResponse`].
#[derive(Debug, Clone, PartialEq, Eq, FromXml, ToXml)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[xml(ns = ns::MDE2, alt_ns = NAMESPACE_TRAILING_SLASH, name = "DiscoverResult")]
pub struct DiscoverResult {
    /// `AuthPolicy`.
    #[xml(name = "AuthPolicy", with = fields::value)]
    pub auth_policy: AuthPolicy,
    /// `EnrollmentVersion` (`xs:decimal`, kept as text, e.g. `5.0`).
    #[xml(name = "EnrollmentVersion", nillable(omit), with = fields::token)]
    pub enrollment_version: Option<String>,
    /// `EnrollmentPolicyServiceUrl`: the MS-XCEP endpoint.
    #[xml(name = "EnrollmentPolicyServiceUrl", nillable(omit), with = fields::token)]
    pub enrollment_policy_service_url: Option<String>,
    /// `EnrollmentServiceUrl`: the MS-WSTEP endpoint.
    #[xml(name = "EnrollmentServiceUrl", with = fields::token)]
    pub enrollment_service_url: String,
    /// `AuthenticationServiceUrl` (federated authentication).
    #[xml(name = "AuthenticationServiceUrl", nillable(omit), with = fields::token)]
    pub authentication_service_url: Option<String>,
    /// Other children of `DiscoverResult`, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl DiscoverResponse {
    /// The WS-Addressing Action of the response.
    pub const ACTION: &'static str = "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse";

    /// A response with the required values only.
    pub fn new(auth_policy: AuthPolicy, enrollment_service_url: impl Into<String>) -> Self {
        Self {
            namespace: DiscoverNamespace::Schema,
            result: DiscoverResult {
                auth_policy,
                enrollment_version: None,
                enrollment_policy_service_url: None,
                enrollment_service_url: enrollment_service_url.into(),
                authentication_service_url: None,
                unknown: Vec::new(),
            },
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

impl Payload for DiscoverResponse {
    fn action(&self) -> Option<&str> {
        Some(Self::ACTION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soap_envelope::ErrorKind;

    #[test]
    fn trailing_slash_namespace_is_read_and_schema_one_written() {
        let xml = format!(
            "<Discover xmlns='{NAMESPACE_TRAILING_SLASH}'><request>\
             <EmailAddress>a@b</EmailAddress><OSEdition>3</OSEdition>\
             <X xmlns='urn:x'>1</X></request></Discover>"
        );
        let d = Discover::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(d.namespace, DiscoverNamespace::TrailingSlash);
        assert_eq!(d.request.os_edition, Some(3));
        assert_eq!(d.request.unknown.len(), 1);
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
