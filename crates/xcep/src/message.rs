//! [`XcepMessage`]: either MS-XCEP message, as a SOAP Body payload.

use soap_envelope::{ErrorKind, FromXml, Payload, Result, Start, ToXml, XmlReader, XmlWriter};

use crate::get_policies::GetPolicies;
use crate::get_policies_response::GetPoliciesResponse;

/// Either message of the GetPolicies operation ([MS-XCEP] 3.1.4.1.1), so
/// that `Envelope<XcepMessage>` reads a request or a response.
///
/// ```
/// use soap_envelope::{Envelope, Header, Payload};
/// use xcep::{Client, GetPolicies, XcepMessage};
///
/// let request = XcepMessage::GetPolicies(GetPolicies::new(Client::new()));
/// let header = Header::new().with_action(request.action().unwrap());
/// let bytes = Envelope::new(header, request.clone()).to_xml().unwrap();
/// let env = Envelope::<XcepMessage>::from_xml(&bytes).unwrap();
/// assert_eq!(env.payload(), Some(&request));
/// assert_eq!(env.header.action(), Some(GetPolicies::ACTION));
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
pub enum XcepMessage {
    /// The request.
    GetPolicies(GetPolicies),
    /// The response.
    GetPoliciesResponse(GetPoliciesResponse),
}

impl From<GetPolicies> for XcepMessage {
    fn from(m: GetPolicies) -> Self {
        XcepMessage::GetPolicies(m)
    }
}

impl From<GetPoliciesResponse> for XcepMessage {
    fn from(m: GetPoliciesResponse) -> Self {
        XcepMessage::GetPoliciesResponse(m)
    }
}

impl<'a> FromXml<'a> for XcepMessage {
    fn matches(start: &Start<'_>) -> bool {
        GetPolicies::matches(start) || GetPoliciesResponse::matches(start)
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        if GetPolicies::matches(start) {
            GetPolicies::read(r, start).map(XcepMessage::GetPolicies)
        } else if GetPoliciesResponse::matches(start) {
            GetPoliciesResponse::read(r, start).map(XcepMessage::GetPoliciesResponse)
        } else {
            Err(r.error(ErrorKind::UnsupportedPayload(start.name())))
        }
    }
}

impl ToXml for XcepMessage {
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        match self {
            XcepMessage::GetPolicies(m) => m.write(w),
            XcepMessage::GetPoliciesResponse(m) => m.write(w),
        }
    }
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
}

impl Payload for XcepMessage {
    fn action(&self) -> Option<&str> {
        match self {
            XcepMessage::GetPolicies(m) => m.action(),
            XcepMessage::GetPoliciesResponse(m) => m.action(),
        }
    }
}
