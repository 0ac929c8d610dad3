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

use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged};
use x509_cert::request::CertReq;

use super::oid;

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

/// A CMC `TaggedAttribute` (a control), [RFC 5272 Section 3.2.1.1]:
/// `SEQUENCE { bodyPartID, attrType, attrValues SET OF AttributeValue }`.
///
/// [RFC 5272 Section 3.2.1.1]: https://www.rfc-editor.org/rfc/rfc5272#section-3.2.1.1
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct TaggedAttribute {
    /// `bodyPartID`.
    pub body_part_id: u32,
    /// `attrType`.
    pub attr_type: ObjectIdentifier,
    /// `attrValues`.
    pub attr_values: SetOfVec<Any>,
}

/// `CMCStatus` `success`, [RFC 5272 Section 6.1.1].
///
/// [RFC 5272 Section 6.1.1]: https://www.rfc-editor.org/rfc/rfc5272#section-6.1.1
pub const CMC_STATUS_SUCCESS: u32 = 0;

/// `CMCStatus` `failed`, [RFC 5272 Section 6.1.1].
///
/// [RFC 5272 Section 6.1.1]: https://www.rfc-editor.org/rfc/rfc5272#section-6.1.1
pub const CMC_STATUS_FAILED: u32 = 2;

/// `CMCStatus` `pending`: the request is held, ask again later,
/// [RFC 5272 Section 6.1.1].
///
/// [RFC 5272 Section 6.1.1]: https://www.rfc-editor.org/rfc/rfc5272#section-6.1.1
pub const CMC_STATUS_PENDING: u32 = 3;

/// `PendInfo`, the `otherInfo` of a pending `CMCStatusInfo`,
/// [RFC 5272 Section 6.1.1]:
///
/// ```text
/// PendInfo ::= SEQUENCE {
///     pendToken  OCTET STRING,
///     pendTime   GeneralizedTime }
/// ```
///
/// AD CS ([MS-WCCE] `CMC_PEND_INFO`) puts the CA's request ID in
/// `pendToken` as a 32-bit little-endian integer (a Windows `DWORD`);
/// [`PendInfo::for_request_id`] writes that and
/// [`PendInfo::request_id`] reads it. `pendTime` is when the CA suggests
/// asking again.
///
/// [RFC 5272 Section 6.1.1]: https://www.rfc-editor.org/rfc/rfc5272#section-6.1.1
/// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct PendInfo {
    /// `pendToken`.
    pub pend_token: OctetString,
    /// `pendTime`.
    pub pend_time: GeneralizedTime,
}

impl PendInfo {
    /// The `PendInfo` of request `request_id`, to be asked about at
    /// `pend_time`.
    pub fn for_request_id(request_id: u32, pend_time: GeneralizedTime) -> der::Result<Self> {
        Ok(Self {
            pend_token: OctetString::new(request_id.to_le_bytes().to_vec())?,
            pend_time,
        })
    }

    /// The request ID in `pendToken`, when it is 4 bytes (a little-endian
    /// `DWORD`, as AD CS writes it); `None` otherwise.
    pub fn request_id(&self) -> Option<u32> {
        let bytes: [u8; 4] = self.pend_token.as_bytes().try_into().ok()?;
        Some(u32::from_le_bytes(bytes))
    }
}

/// `CMCStatusInfo`, the value of `id-cmc-statusInfo`,
/// [RFC 5272 Section 6.1.1]:
///
/// ```text
/// CMCStatusInfo ::= SEQUENCE {
///     cMCStatus     CMCStatus,
///     bodyList      SEQUENCE SIZE (1..MAX) OF BodyPartID,
///     statusString  UTF8String OPTIONAL,
///     otherInfo     CHOICE { ... } OPTIONAL }
/// ```
///
/// [RFC 5272 Section 6.1.1]: https://www.rfc-editor.org/rfc/rfc5272#section-6.1.1
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct CmcStatusInfo {
    /// `cMCStatus`: 0 success, 2 failed, 3 pending, ...
    pub cmc_status: u32,
    /// `bodyList`: the body parts the status is about.
    pub body_list: Vec<u32>,
    /// `statusString`.
    #[asn1(optional = "true")]
    pub status_string: Option<String>,
    /// `otherInfo` (`failInfo` INTEGER or `pendInfo` SEQUENCE), kept as
    /// `Any`; see [`CmcStatusInfo::pend_info`].
    #[asn1(optional = "true")]
    pub other_info: Option<Any>,
}

impl CmcStatusInfo {
    /// The `pendInfo` of `otherInfo`, when `otherInfo` is one (a
    /// SEQUENCE); `None` when it is absent or a `failInfo`. A SEQUENCE
    /// that is not a `PendInfo` is an error.
    pub fn pend_info(&self) -> der::Result<Option<PendInfo>> {
        match &self.other_info {
            Some(info) if info.tag() == Tag::Sequence => info.decode_as().map(Some),
            _ => Ok(None),
        }
    }

    /// The `failInfo` of `otherInfo`, when `otherInfo` is one (an
    /// INTEGER).
    pub fn fail_info(&self) -> der::Result<Option<u32>> {
        match &self.other_info {
            Some(info) if info.tag() == Tag::Integer => info.decode_as().map(Some),
            _ => Ok(None),
        }
    }
}

impl PkiResponse {
    /// The first `id-cmc-statusInfo` control's value, or `None` when there
    /// is none. (`id-cmc-statusInfoV2` and Microsoft's controls are not
    /// read.)
    pub fn status_info(&self) -> der::Result<Option<CmcStatusInfo>> {
        for control in &self.control_sequence {
            let attr: TaggedAttribute = control.decode_as()?;
            if attr.attr_type != oid::CMC_STATUS_INFO {
                continue;
            }
            if let Some(value) = attr.attr_values.iter().next() {
                return value.decode_as().map(Some);
            }
        }
        Ok(None)
    }

    /// A `PKIResponse` shaped like the [MS-WSTEP] 4.1.1.2 one: a single
    /// control, `id-cmc-statusInfo` (its own bodyPartID 1) saying
    /// success ("Issued") for `request_body_part_id`. Microsoft's
    /// `szOID_CMC_ADD_ATTRIBUTES` control (the issued certificate's hash)
    /// is not written.
    ///
    /// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
    pub fn success(request_body_part_id: u32) -> der::Result<Self> {
        Self::with_status(&CmcStatusInfo {
            cmc_status: CMC_STATUS_SUCCESS,
            body_list: vec![request_body_part_id],
            status_string: Some("Issued".to_owned()),
            other_info: None,
        })
    }

    /// A `PKIResponse` for a request the CA holds, as AD CS answers one
    /// ([MS-WCCE] `CMC_STATUS_PENDING`): a single control,
    /// `id-cmc-statusInfo` (bodyPartID 1) saying pending (3) for
    /// `request_body_part_id`, with `statusString` "Taken Under
    /// Submission" and a `pendInfo` carrying `pend_info` (the request ID).
    ///
    /// [MS-WCCE]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/
    pub fn pending(request_body_part_id: u32, pend_info: &PendInfo) -> der::Result<Self> {
        Self::with_status(&CmcStatusInfo {
            cmc_status: CMC_STATUS_PENDING,
            body_list: vec![request_body_part_id],
            status_string: Some("Taken Under Submission".to_owned()),
            other_info: Some(Any::encode_from(pend_info)?),
        })
    }

    /// The `pendInfo` of a pending status: `Some` when the first
    /// `id-cmc-statusInfo` says pending and carries one.
    pub fn pend_info(&self) -> der::Result<Option<PendInfo>> {
        match self.status_info()? {
            Some(status) if status.cmc_status == CMC_STATUS_PENDING => status.pend_info(),
            _ => Ok(None),
        }
    }

    fn with_status(status: &CmcStatusInfo) -> der::Result<Self> {
        let attr = TaggedAttribute {
            body_part_id: 1,
            attr_type: oid::CMC_STATUS_INFO,
            attr_values: SetOfVec::try_from(vec![Any::encode_from(status)?])?,
        };
        Ok(Self {
            control_sequence: vec![Any::encode_from(&attr)?],
            cms_sequence: Vec::new(),
            other_msg_sequence: Vec::new(),
        })
    }
}

/// Decodes a bare DER `PKIData`.
pub fn decode_pki_data(der: &[u8]) -> crate::Result<PkiData> {
    PkiData::from_der(der).map_err(crate::Error::der("PKIData"))
}
