//! The response message: [`GetPoliciesResponse`] and its [`Response`].

use soap_envelope::{
    AnyElement, FromXml, Limits, Payload, QName, Result, Start, ToXml, XmlReader, XmlWriter, ns,
    read_document,
};

use crate::ca::Ca;
use crate::codec::{
    Children, ReadFields, nillable_complex, nillable_list, nillable_string, nillable_value, once,
    once_nillable, write_all, write_nillable, write_nillable_list, write_nillable_text,
    write_nillable_value, xcep,
};
use crate::oid::Oid;
use crate::policy::CertificateEnrollmentPolicy;

const RESPONSE: QName = xcep("response");
const CAS: QName = xcep("cAs");
const OIDS: QName = xcep("oIDs");
const POLICY_ID: QName = xcep("policyID");
const POLICY_FRIENDLY_NAME: QName = xcep("policyFriendlyName");
const NEXT_UPDATE_HOURS: QName = xcep("nextUpdateHours");
const POLICIES_NOT_CHANGED: QName = xcep("policiesNotChanged");
const POLICIES: QName = xcep("policies");

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
/// let bytes = r.to_xml_bytes().unwrap();
/// assert_eq!(GetPoliciesResponse::from_xml_bytes(&bytes).unwrap(), r);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GetPoliciesResponse {
    /// `response`: the policy; `None` when nil.
    pub response: Option<Response>,
    /// `cAs`: the CAs the templates refer to; `None` when nil. An empty
    /// list is written as nil.
    pub cas: Option<Vec<Ca>>,
    /// `oIDs`: the OIDs the templates refer to; `None` when nil. An empty
    /// list is written as nil.
    pub oids: Option<Vec<Oid>>,
    /// Child elements the schema does not define, kept as read (written
    /// after the defined ones).
    pub unknown: Vec<AnyElement>,
}

impl GetPoliciesResponse {
    /// The element name.
    pub const NAME: QName = xcep("GetPoliciesResponse");

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
    pub fn from_xml_bytes(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml_bytes(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml_bytes(self)?)
    }
}

impl<'a> FromXml<'a> for GetPoliciesResponse {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        let mut response = (None, false);
        let mut cas = (None, false);
        let mut oids = (None, false);
        let mut unknown = Vec::new();
        while let Some(child) = r.next_child()? {
            if child.is(RESPONSE) {
                once_nillable(r, &mut response.0, &mut response.1, RESPONSE, |r| {
                    nillable_complex(r, &child)
                })?;
            } else if child.is(CAS) {
                once_nillable(r, &mut cas.0, &mut cas.1, CAS, |r| {
                    nillable_list(r, &child, Ca::NAME, |r, _| {
                        Ca::read_fields(r, Children::new())
                    })
                })?;
            } else if child.is(OIDS) {
                once_nillable(r, &mut oids.0, &mut oids.1, OIDS, |r| {
                    nillable_list(r, &child, Oid::NAME, |r, _| {
                        Oid::read_fields(r, Children::new())
                    })
                })?;
            } else {
                unknown.push(r.any(&child)?);
            }
        }
        Ok(Self {
            response: response.0,
            cas: cas.0,
            oids: oids.0,
            unknown,
        })
    }
}

impl ToXml for GetPoliciesResponse {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        w.declare_ns(ns::XSI)?;
        write_nillable(w, RESPONSE, self.response.as_ref())?;
        write_nillable_list(w, CAS, self.cas.as_ref(), |w, c| c.to_xml(w))?;
        write_nillable_list(w, OIDS, self.oids.as_ref(), |w, o| o.to_xml(w))?;
        write_all(w, &self.unknown)?;
        w.end()
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Response {
    /// `policyID`: identifies the policy (not meant for people). Required
    /// by the schema; MS-MDE2 servers send it empty (`Some("")`) or leave
    /// it out (`None`). The writer writes it when present; see
    /// [`Response::missing_required`].
    pub policy_id: Option<String>,
    /// `policyFriendlyName`: a name for people; `None` when nil.
    pub policy_friendly_name: Option<String>,
    /// `nextUpdateHours`: hours to wait before asking again; `None` when
    /// nil.
    pub next_update_hours: Option<u32>,
    /// `policiesNotChanged`: true when nothing changed since the client's
    /// `lastUpdate`; `None` when nil (which, like false, means changed).
    pub policies_not_changed: Option<bool>,
    /// `policies`: the templates; `None` when nil. An empty list is written
    /// as nil.
    pub policies: Option<Vec<CertificateEnrollmentPolicy>>,
    /// Elements of the `##any` extension point, kept as read.
    pub extensions: Vec<AnyElement>,
}

impl Response {
    /// The element name, `response`.
    pub const NAME: QName = RESPONSE;

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

impl<'a> ReadFields<'a> for Response {
    fn read_fields(r: &mut XmlReader<'a>, mut children: Children<'a>) -> Result<Self> {
        let mut policy_id = None;
        let mut friendly_name = (None, false);
        let mut next_update_hours = (None, false);
        let mut not_changed = (None, false);
        let mut policies = (None, false);
        let mut extensions = Vec::new();
        while let Some(child) = children.next(r)? {
            if child.is(POLICY_ID) {
                once(r, &mut policy_id, POLICY_ID, |r| Ok(r.text()?.into_owned()))?;
            } else if child.is(POLICY_FRIENDLY_NAME) {
                let (slot, seen) = &mut friendly_name;
                once_nillable(r, slot, seen, POLICY_FRIENDLY_NAME, |r| {
                    nillable_string(r, &child)
                })?;
            } else if child.is(NEXT_UPDATE_HOURS) {
                let (slot, seen) = &mut next_update_hours;
                once_nillable(r, slot, seen, NEXT_UPDATE_HOURS, |r| {
                    nillable_value(r, &child)
                })?;
            } else if child.is(POLICIES_NOT_CHANGED) {
                let (slot, seen) = &mut not_changed;
                once_nillable(r, slot, seen, POLICIES_NOT_CHANGED, |r| {
                    nillable_value(r, &child)
                })?;
            } else if child.is(POLICIES) {
                let (slot, seen) = &mut policies;
                once_nillable(r, slot, seen, POLICIES, |r| {
                    nillable_list(r, &child, CertificateEnrollmentPolicy::NAME, |r, _| {
                        CertificateEnrollmentPolicy::read_fields(r, Children::new())
                    })
                })?;
            } else {
                extensions.push(r.any(&child)?);
            }
        }
        Ok(Self {
            // Lenient: MS-MDE2 servers may leave it out.
            policy_id,
            policy_friendly_name: friendly_name.0,
            next_update_hours: next_update_hours.0,
            policies_not_changed: not_changed.0,
            policies: policies.0,
            extensions,
        })
    }
}

impl<'a> FromXml<'a> for Response {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn from_xml(r: &mut XmlReader<'a>, _start: &Start<'a>) -> Result<Self> {
        Self::read_fields(r, Children::new())
    }
}

impl ToXml for Response {
    fn to_xml(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        if let Some(id) = &self.policy_id {
            w.text_element(POLICY_ID, id)?;
        }
        write_nillable_text(
            w,
            POLICY_FRIENDLY_NAME,
            self.policy_friendly_name.as_deref(),
        )?;
        write_nillable_value(w, NEXT_UPDATE_HOURS, self.next_update_hours.as_ref())?;
        write_nillable_value(w, POLICIES_NOT_CHANGED, self.policies_not_changed.as_ref())?;
        write_nillable_list(w, POLICIES, self.policies.as_ref(), |w, p| p.to_xml(w))?;
        write_all(w, &self.extensions)?;
        w.end()
    }
}
