//! Minimal CMC ([RFC 5272]) structures: enough to find the PKCS#10 inside a
//! CMC request. Defined in [RFC 5272 Section 3.2].
//!
//! ```text
//! PKIData ::= SEQUENCE {
//!     controlSequence    SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
//!     reqSequence        SEQUENCE SIZE(0..MAX) OF TaggedRequest,
//!     cmsSequence        SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
//!     otherMsgSequence   SEQUENCE SIZE(0..MAX) OF OtherMsg
//! }
//! PKIResponse ::= SEQUENCE {
//!     controlSequence   SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
//!     cmsSequence       SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
//!     otherMsgSequence  SEQUENCE SIZE(0..MAX) OF OtherMsg
//! }
//! TaggedRequest ::= CHOICE {
//!     tcr   [0] TaggedCertificationRequest,
//!     crm   [1] CertReqMsg,
//!     orm   [2] SEQUENCE { ... } }
//! TaggedCertificationRequest ::= SEQUENCE {
//!     bodyPartID            BodyPartID,
//!     certificationRequest  CertificationRequest }
//! ```
//!
//! The module uses IMPLICIT tags, so `tcr` is `[0]` constructed holding
//! the bodyPartID and the CertificationRequest. Elements other than `tcr`
//! are kept as `Any`.
//!
//! [RFC 5272]: https://www.rfc-editor.org/rfc/rfc5272
//! [RFC 5272 Section 3.2]: https://www.rfc-editor.org/rfc/rfc5272#section-3.2

use der::{Any, Decode, Encode, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged};
use x509_cert::request::CertReq;

/// A CMC `PKIData` (the body of a CMC request), [RFC 5272 Section 3.2].
///
/// [RFC 5272 Section 3.2]: https://www.rfc-editor.org/rfc/rfc5272#section-3.2
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct PkiData {
    /// `controlSequence`: TaggedAttributes, kept as `Any`.
    pub control_sequence: Vec<Any>,
    /// `reqSequence`: TaggedRequests, kept as `Any`; see
    /// [`PkiData::certification_requests`].
    pub req_sequence: Vec<Any>,
    /// `cmsSequence`: TaggedContentInfos, kept as `Any`.
    pub cms_sequence: Vec<Any>,
    /// `otherMsgSequence`: OtherMsgs, kept as `Any`.
    pub other_msg_sequence: Vec<Any>,
}

/// A CMC `PKIResponse`, [RFC 5272 Section 3.2]; its elements are kept as
/// `Any`.
///
/// [RFC 5272 Section 3.2]: https://www.rfc-editor.org/rfc/rfc5272#section-3.2
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct PkiResponse {
    /// `controlSequence`.
    pub control_sequence: Vec<Any>,
    /// `cmsSequence`.
    pub cms_sequence: Vec<Any>,
    /// `otherMsgSequence`.
    pub other_msg_sequence: Vec<Any>,
}

const TCR: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N0,
};

impl PkiData {
    /// The `tcr` elements of `reqSequence`: each bodyPartID with its
    /// PKCS#10 request. Other request kinds (CRMF, other) are skipped.
    pub fn certification_requests(&self) -> der::Result<Vec<(u32, CertReq)>> {
        let mut out = Vec::new();
        for req in &self.req_sequence {
            if req.tag() != TCR {
                continue;
            }
            let mut reader = SliceReader::new(req.value())?;
            let body_part_id: u32 = reader.decode()?;
            let request: CertReq = reader.decode()?;
            reader.finish(())?;
            out.push((body_part_id, request));
        }
        Ok(out)
    }

    /// A `PKIData` carrying `request` as `tcr` with `body_part_id` and
    /// nothing else.
    pub fn with_request(body_part_id: u32, request: &CertReq) -> der::Result<Self> {
        let mut value = body_part_id.to_der()?;
        value.extend(request.to_der()?);
        Ok(Self {
            control_sequence: Vec::new(),
            req_sequence: vec![Any::new(TCR, value)?],
            cms_sequence: Vec::new(),
            other_msg_sequence: Vec::new(),
        })
    }
}

/// Decodes a bare DER `PKIData`.
pub fn decode_pki_data(der: &[u8]) -> crate::Result<PkiData> {
    PkiData::from_der(der).map_err(crate::Error::der("PKIData"))
}
