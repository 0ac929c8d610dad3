//! The MS-WSTEP answers: issued, pending, denied.

use der::Encode;
use der::asn1::GeneralizedTime;
use soap_envelope::xsd::DateTime;
use soap_envelope::{Envelope, Fault, Header};
use wstep::hresult::HResult;
use wstep::payload::{PendInfo, build_cmc_pending_response, build_cmc_response_der};
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
/// ([`build_cmc_response_der`]), the certificate in `RequestedSecurityToken`
/// and `RequestID`; `RelatesTo` is the request's `MessageID`.
///
/// `certificate_der` goes into both tokens as given; it must be one DER
/// `SEQUENCE` (else an error), and that it is the certificate is the
/// caller's word: the CA just encoded it, or the store kept it.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub fn issued_reply(
    request_id: &str,
    certificate_der: &[u8],
    chain: &[Certificate],
    relates_to: Option<&str>,
) -> Result<Reply, ServerError> {
    // The certificate's bytes go into the PKCS#7 as given (checked there
    // to be one DER SEQUENCE), not decoded and encoded again.
    let chain_der = chain
        .iter()
        .map(Encode::to_der)
        .collect::<Result<Vec<_>, _>>()?;
    let mut certificates: Vec<&[u8]> = Vec::with_capacity(chain.len() + 1);
    certificates.push(certificate_der);
    certificates.extend(chain_der.iter().map(Vec::as_slice));
    let pkcs7 = build_cmc_response_der(BODY_PART_ID, &certificates)?;
    let mut rstr = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Issued").with_lang("en-US"))
        .with_binary_security_token(ValueKind::Pkcs7.token(&pkcs7))
        .with_requested_security_token(RequestedSecurityToken::new(
            // The bytes as given.
            ValueKind::X509v3.token(certificate_der),
        ))
        .with_request_id(RequestId::new(request_id));
    rstr.token_type = Some(actions::TOKEN_TYPE_X509V3.to_owned());
    rstrc_reply(rstr, relates_to)
}

/// The answer for a request the CA put in the pending state
/// ([MS-WSTEP] 3.1.4.1.3.2): an RSTRC (200) whose response has `TokenType`
/// X.509 v3, `DispositionMessage` `Pending`, a `RequestedSecurityToken`
/// holding a `wsse:SecurityTokenReference` whose `wsse:Reference` `URI`
/// is `ces_url` (the CES endpoint that answered, where the client sends
/// its QueryTokenStatus), and the `RequestID`. As AD CS does, a numeric
/// request ID (one that fits 32 bits) also gets a PKCS7
/// `BinarySecurityToken` with a CMC response saying pending, its
/// `pendInfo` carrying the ID and `now` as the time to ask again
/// ([`build_cmc_pending_response`]); another ID gets no such token.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub fn pending_reply(
    request_id: &str,
    ces_url: &str,
    now: DateTime,
    relates_to: Option<&str>,
) -> Result<Reply, ServerError> {
    let mut rstr = RequestSecurityTokenResponse::new()
        .with_disposition_message(DispositionMessage::new("Pending").with_lang("en-US"));
    if let Ok(id) = request_id.parse::<u32>() {
        let seconds = u64::try_from(now.to_unix()).unwrap_or(0);
        let pend_time =
            GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))?;
        let pkcs7 =
            build_cmc_pending_response(BODY_PART_ID, &PendInfo::for_request_id(id, pend_time)?)?;
        rstr = rstr.with_binary_security_token(ValueKind::Pkcs7.token(&pkcs7));
    }
    let mut rstr = rstr
        .with_requested_security_token(RequestedSecurityToken::reference(ces_url))
        .with_request_id(RequestId::new(request_id));
    rstr.token_type = Some(actions::TOKEN_TYPE_X509V3.to_owned());
    rstrc_reply(rstr, relates_to)
}

/// The `Receiver` fault of a denied request ([MS-WSTEP] 3.1.4.1.4): a
/// `CertificateEnrollmentWSDetail` with `ErrorCode` `hresult`,
/// `InvalidRequest` true and `RequestID` (nil when not known, as is
/// `BinaryResponse`), and `message` as the reason.
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
