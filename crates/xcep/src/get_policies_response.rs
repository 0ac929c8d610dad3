//! The response message: [`GetPoliciesResponse`] and its [`Response`].

use soap_envelope::{AnyElement, FromXml, Limits, Payload, ToXml, read_document};

use crate::ca::Ca;
use crate::oid::Oid;
use crate::policy::CertificateEnrollmentPolicy;

/// The `GetPoliciesResponse` element, [MS-XCEP] 3.1.4.1.2.2: the server's
/// answer, with the policy, the CAs and the OIDs the policy refers to.
///
/// ```xml
/// <xs:element name="GetPoliciesResponse">
///   <xs:complexType>
///     <xs:sequence>
///       <xs:element name="response" nillable="true" type="xcep:Response" />
///       <xs:element name="cAs" nillable="true" type="xcep:CACollection" />
///       <xs:element name="oIDs" nillable="true" type="xcep:OIDCollection" />
///     </xs:sequence>
///   </xs:complexType>
/// </xs:element>
/// <xs:complexType name="CACollection">
///   <xs:sequence>
///     <xs:element name="cA" type="xcep:CA" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="OIDCollection">
///   <xs:sequence>
///     <xs:element name="oID" type="xcep:OID" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// The three children are required and nillable, so absent and nil are the
/// same: `None`. When the client's `lastUpdate` is current, the server
/// "SHOULD respond with a GetPoliciesResponse message in which the `<oIDs>`
/// and `<cAs>` elements are set to nil" and `policiesNotChanged` true
/// ([MS-XCEP] 3.1.4.1.3.9).
///
/// Its WS-Addressing Action is [`GetPoliciesResponse::ACTION`].
///
/// ```
/// use xcep::{GetPoliciesResponse, Response};
///
/// let r = GetPoliciesResponse::new()
///     .with_response(Response::new("{083C7011-1D0A-4855-885D-AC945184658C}").with_policies_not_changed(true));
/// let bytes = r.to_xml().unwrap();
/// assert_eq!(GetPoliciesResponse::from_xml(&bytes).unwrap(), r);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "GetPoliciesResponse", declare = soap_envelope::ns::XSI)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPoliciesResponse {
    /// `response`: the policy; `None` when nil.
    #[xml(name = "response", nillable)]
    pub response: Option<Response>,
    /// `cAs`: the CAs the templates refer to; `None` when nil. An empty
    /// list is written as nil.
    #[xml(name = "cAs", nillable, list(item = "cA"))]
    pub cas: Option<Vec<Ca>>,
    /// `oIDs`: the OIDs the templates refer to; `None` when nil. An empty
    /// list is written as nil.
    #[xml(name = "oIDs", nillable, list(item = "oID"))]
    pub oids: Option<Vec<Oid>>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl GetPoliciesResponse {
    /// The WS-Addressing Action of the response ([MS-XCEP] 3.1.4.1).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub const ACTION: &'static str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse";

    /// A response with everything nil.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `response`.
    #[must_use]
    pub fn with_response(mut self, response: Response) -> Self {
        self.response = Some(response);
        self
    }

    /// Adds a CA.
    #[must_use]
    pub fn with_ca(mut self, ca: Ca) -> Self {
        self.cas.get_or_insert_with(Vec::new).push(ca);
        self
    }

    /// Adds an OID.
    #[must_use]
    pub fn with_oid(mut self, oid: Oid) -> Self {
        self.oids.get_or_insert_with(Vec::new).push(oid);
        self
    }

    /// The templates (`response/policies/policy`), empty when the response
    /// or its policies are nil.
    pub fn policies(&self) -> &[CertificateEnrollmentPolicy] {
        self.response
            .as_ref()
            .and_then(|r| r.policies.as_deref())
            .unwrap_or_default()
    }

    /// The CA whose `cAReferenceID` is `ca_reference_id`.
    pub fn find_ca(&self, ca_reference_id: i32) -> Option<&Ca> {
        self.cas
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|c| c.ca_reference_id == ca_reference_id)
    }

    /// The OID whose `oIDReferenceID` is `oid_reference_id`.
    pub fn find_oid(&self, oid_reference_id: i32) -> Option<&Oid> {
        self.oids
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|o| o.oid_reference_id == oid_reference_id)
    }

    /// Reads a document whose root is a `GetPoliciesResponse` element (a
    /// bare SOAP Body payload), with the default [`Limits`]. For a whole
    /// SOAP message use `Envelope::<GetPoliciesResponse>::from_xml` or
    /// `Envelope::<XcepMessage>::from_xml`.
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }
}

impl Payload for GetPoliciesResponse {
    fn action(&self) -> Option<&str> {
        Some(Self::ACTION)
    }
}

/// `Response` complex type, [MS-XCEP] 3.1.4.1.3.23: the policy server's
/// identity, its advice on when to ask again, and the templates.
///
/// ```xml
/// <xs:complexType name="Response">
///   <xs:sequence>
///     <xs:element name="policyID" type="xs:string" nillable="false" />
///     <xs:element name="policyFriendlyName" type="xs:string" nillable="true" />
///     <xs:element name="nextUpdateHours" type="xs:unsignedInt" nillable="true" />
///     <xs:element name="policiesNotChanged" type="xs:boolean" nillable="true" />
///     <xs:element name="policies" type="xcep:PolicyCollection" nillable="true" />
///     <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// <xs:complexType name="PolicyCollection">
///   <xs:sequence>
///     <xs:element name="policy" type="xcep:CertificateEnrollmentPolicy" minOccurs="1" maxOccurs="unbounded" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(FromXml, ToXml)]
#[xml(ns = crate::NAMESPACE, prefixes = crate::PREFIXES, nil = crate::codec::is_nil, name = "response")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Response {
    /// `policyID`: identifies the policy (not meant for people). Required
    /// by the schema; MS-MDE2 servers send it empty (`Some("")`) or leave
    /// it out (`None`). The writer writes it when present; see
    /// [`Response::missing_required`].
    #[xml(name = "policyID")]
    pub policy_id: Option<String>,
    /// `policyFriendlyName`: a name for people; `None` when nil.
    #[xml(name = "policyFriendlyName", nillable)]
    pub policy_friendly_name: Option<String>,
    /// `nextUpdateHours`: hours to wait before asking again; `None` when
    /// nil.
    #[xml(name = "nextUpdateHours", nillable, with = soap_envelope::fields::value)]
    pub next_update_hours: Option<u32>,
    /// `policiesNotChanged`: true when nothing changed since the client's
    /// `lastUpdate`; `None` when nil (which, like false, means changed).
    #[xml(name = "policiesNotChanged", nillable, with = soap_envelope::fields::value)]
    pub policies_not_changed: Option<bool>,
    /// `policies`: the templates; `None` when nil. An empty list is written
    /// as nil.
    #[xml(name = "policies", nillable, list(item = "policy"))]
    pub policies: Option<Vec<CertificateEnrollmentPolicy>>,
    /// Elements of the `##any` extension point, kept as read.
    #[xml(unknown)]
    pub extensions: Vec<AnyElement>,
}

impl Response {
    /// A response with the given `policyID`; everything else nil.
    pub fn new(policy_id: impl Into<String>) -> Self {
        Self {
            policy_id: Some(policy_id.into()),
            ..Self::default()
        }
    }

    /// The elements the schema requires that were absent when read:
    /// `policyID`, or nothing. Empty for anything built with
    /// [`Response::new`].
    pub fn missing_required(&self) -> Vec<&'static str> {
        if self.policy_id.is_none() {
            vec!["policyID"]
        } else {
            Vec::new()
        }
    }

    /// Sets `policyFriendlyName`.
    #[must_use]
    pub fn with_policy_friendly_name(mut self, name: impl Into<String>) -> Self {
        self.policy_friendly_name = Some(name.into());
        self
    }

    /// Sets `nextUpdateHours`.
    #[must_use]
    pub fn with_next_update_hours(mut self, hours: u32) -> Self {
        self.next_update_hours = Some(hours);
        self
    }

    /// Sets `policiesNotChanged`.
    #[must_use]
    pub fn with_policies_not_changed(mut self, not_changed: bool) -> Self {
        self.policies_not_changed = Some(not_changed);
        self
    }

    /// Adds a template.
    #[must_use]
    pub fn with_policy(mut self, policy: CertificateEnrollmentPolicy) -> Self {
        self.policies.get_or_insert_with(Vec::new).push(policy);
        self
    }

    /// Adds an element to the `##any` extension point.
    #[must_use]
    pub fn with_extension(mut self, element: AnyElement) -> Self {
        self.extensions.push(element);
        self
    }
}
