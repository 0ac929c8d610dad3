//! The MS-WSTEP answers: issued, pending, denied.

use der::{Decode, Encode};
use soap_envelope::{Envelope, Fault, Header};
use wstep::hresult::HResult;
use wstep::payload::build_cmc_response;
use wstep::{
    CertificateEnrollmentWsDetail, DispositionMessage, RequestId, RequestSecurityTokenResponse,
    RequestSecurityTokenResponseCollection, RequestedSecurityToken, ValueKind, WstepMessage,
    actions,
};
use x509_cert::Certificate;

use super::ServerError;
use super::envelope::{Reply, fault_envelope_reply};

/// The CMC body part the response's status refers to (the one
/// [`wstep::payload::CmcRequestBuilder`] uses).
const BODY_PART_ID: u32 = 1;

fn rstrc_reply(
    rstr: RequestSecurityTokenResponse,
    relates_to: Option<&str>,
) -> Result<Reply, ServerError> {
    let mut header = Header::new().with_action(actions::RSTRC);
    if let Some(id) = relates_to {
        header = header.with_relates_to(id);
    }
    let body = WstepMessage::from(RequestSecurityTokenResponseCollection::new(rstr));
    Reply::ok(&Envelope::new(header, body))
}

/// The answer for an issued certificate ([MS-WSTEP] 4.1.1.2): an RSTRC
/// (200) whose response has `TokenType` X.509 v3, `DispositionMessage`
/// `Issued`, a PKCS#7 `BinarySecurityToken` with a CMC success response
/// carrying the certificate and `chain`
/// ([`build_cmc_response`]), the certificate in `RequestedSecurityToken`
/// and `RequestID`; `RelatesTo` is the request's `MessageID`.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub fn issued_reply(
    request_id: &str,
    certificate_der: &[u8],
    chain: &[Certificate],
    relates_to: Option<&str>,
) -> Result<Reply, ServerError> {
    let certificate = Certificate::from_der(certificate_der)?;
    let mut certificates = Vec::with_capacity(chain.len() + 1);
    certificates.push(certificate);
    certificates.extend_from_slice(chain);
    let pkcs7 = build_cmc_response(BODY_PART_ID, &certificates)?;
    let issued = certificates[0].to_der()?;
    let mut rstr = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Issued").with_lang("en-US"))
        .with_binary_security_token(ValueKind::Pkcs7.token(&pkcs7))
        .with_requested_security_token(RequestedSecurityToken::new(
            ValueKind::X509v3.token(&issued),
        ))
        .with_request_id(RequestId::new(request_id));
    rstr.token_type = Some(actions::TOKEN_TYPE_X509V3.to_owned());
    rstrc_reply(rstr, relates_to)
}

/// The answer for a request the CA put in the pending state: an RSTRC
/// (200) whose response has `TokenType` X.509 v3, `DispositionMessage`
/// `Pending`, the `RequestID` the client later sends in a
/// QueryTokenStatus, and no `RequestedSecurityToken`.
pub fn pending_reply(request_id: &str, relates_to: Option<&str>) -> Result<Reply, ServerError> {
    let mut rstr = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Pending").with_lang("en-US"))
        .with_request_id(RequestId::new(request_id));
    rstr.token_type = Some(actions::TOKEN_TYPE_X509V3.to_owned());
    rstrc_reply(rstr, relates_to)
}

/// The `Receiver` fault of a denied request ([MS-WSTEP] 3.1.4.1.4): a
/// `CertificateEnrollmentWSDetail` with `ErrorCode` `hresult`,
/// `InvalidRequest` true and `RequestID` when known, and `message` as the
/// reason.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub fn denied_fault(
    hresult: HResult,
    message: &str,
    request_id: Option<&str>,
) -> Result<Fault, ServerError> {
    let mut detail = CertificateEnrollmentWsDetail::new()
        .with_error_code(hresult)
        .with_invalid_request(true);
    if let Some(id) = request_id {
        detail = detail.with_request_id(id);
    }
    Ok(detail.to_fault(message)?)
}

/// The answer for a denied request: [`denied_fault`] in a 500 reply with
/// the detail-fault `Action` ([`actions::DETAIL_FAULT`]).
pub fn denied_reply(
    hresult: HResult,
    message: &str,
    request_id: Option<&str>,
    relates_to: Option<&str>,
) -> Result<Reply, ServerError> {
    fault_reply(denied_fault(hresult, message, request_id)?, relates_to)
}

/// A 500 reply with `fault`: the detail-fault `Action` when it carries a
/// `CertificateEnrollmentWSDetail`, else the WS-Addressing fault Action.
pub fn fault_reply(fault: Fault, relates_to: Option<&str>) -> Result<Reply, ServerError> {
    let action = if CertificateEnrollmentWsDetail::from_fault(&fault).is_some() {
        actions::DETAIL_FAULT
    } else {
        soap_envelope::addressing::WSA_FAULT_ACTION
    };
    fault_envelope_reply(fault, action, relates_to)
}
