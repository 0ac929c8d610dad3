//! [`WstepMessage`]: any MS-WSTEP message, as a SOAP Body payload.

use soap_envelope::{ErrorKind, FromXml, Payload, Result, Start, ToXml, XmlReader, XmlWriter};

use crate::request::RequestSecurityToken;
use crate::response::{RequestSecurityTokenResponse, RequestSecurityTokenResponseCollection};

/// Any message of the RequestSecurityToken2 operation ([MS-WSTEP] 3.1.4.1),
/// so that `Envelope<WstepMessage>` reads a request or a response.
///
/// ```
/// use soap_envelope::{Envelope, Header, Payload};
/// use wstep::{RequestSecurityToken, RequestType, WstepMessage, actions};
///
/// let request = WstepMessage::from(RequestSecurityToken::new(RequestType::KeyExchangeToken));
/// assert_eq!(request.action(), Some(actions::KET));
/// let header = Header::new().with_action(request.action().unwrap());
/// let bytes = Envelope::new(header, request.clone()).to_xml().unwrap();
/// let env = Envelope::<WstepMessage>::from_xml(&bytes).unwrap();
/// assert_eq!(env.payload(), Some(&request));
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
pub enum WstepMessage {
    /// `wst:RequestSecurityToken`.
    RequestSecurityToken(RequestSecurityToken),
    /// `wst:RequestSecurityTokenResponseCollection`.
    RequestSecurityTokenResponseCollection(RequestSecurityTokenResponseCollection),
    /// A single `wst:RequestSecurityTokenResponse` (the key exchange token
    /// response).
    RequestSecurityTokenResponse(RequestSecurityTokenResponse),
}

impl From<RequestSecurityToken> for WstepMessage {
    fn from(m: RequestSecurityToken) -> Self {
        Self::RequestSecurityToken(m)
    }
}

impl From<RequestSecurityTokenResponseCollection> for WstepMessage {
    fn from(m: RequestSecurityTokenResponseCollection) -> Self {
        Self::RequestSecurityTokenResponseCollection(m)
    }
}

impl From<RequestSecurityTokenResponse> for WstepMessage {
    fn from(m: RequestSecurityTokenResponse) -> Self {
        Self::RequestSecurityTokenResponse(m)
    }
}

impl<'a> FromXml<'a> for WstepMessage {
    fn matches(start: &Start<'_>) -> bool {
        RequestSecurityToken::matches(start)
            || RequestSecurityTokenResponseCollection::matches(start)
            || RequestSecurityTokenResponse::matches(start)
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        if RequestSecurityToken::matches(start) {
            RequestSecurityToken::read(r, start).map(Self::RequestSecurityToken)
        } else if RequestSecurityTokenResponseCollection::matches(start) {
            RequestSecurityTokenResponseCollection::read(r, start)
                .map(Self::RequestSecurityTokenResponseCollection)
        } else if RequestSecurityTokenResponse::matches(start) {
            RequestSecurityTokenResponse::read(r, start).map(Self::RequestSecurityTokenResponse)
        } else {
            Err(r.error(ErrorKind::UnsupportedPayload(start.name())))
        }
    }
}

impl ToXml for WstepMessage {
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        match self {
            Self::RequestSecurityToken(m) => m.write(w),
            Self::RequestSecurityTokenResponseCollection(m) => m.write(w),
            Self::RequestSecurityTokenResponse(m) => m.write(w),
        }
    }
}

impl Payload for WstepMessage {
    fn action(&self) -> Option<&str> {
        match self {
            Self::RequestSecurityToken(m) => Payload::action(m),
            Self::RequestSecurityTokenResponseCollection(m) => m.action(),
            Self::RequestSecurityTokenResponse(m) => m.action(),
        }
    }
}
