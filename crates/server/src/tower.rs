//! A [`tower_service::Service`] over [`http::Request`]s (feature `tower`):
//! mount the CEP and CES endpoints in hyper, axum or any tower stack.
//!
//! [`ServiceAdapter`] does what HTTP must before the SOAP layer: the
//! route (the Windows URL layout, without regard to case), `POST` only
//! (405), SOAP 1.2 UTF-8 content type only (415), and the body collected
//! through [`soap_envelope::DocumentBuffer`] within the server's
//! `max_request_bytes` (413, refused from `Content-Length` before a byte
//! is read), each within a time limit. The answer is computed on tokio's
//! blocking pool (argon2 and RSA are CPU work). What the connection knows
//! comes from the request's extensions: insert a [`ConnectionInfo`].
//!
//! In-process, without a socket:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//!
//! use cepces_server::config::{Auth, Service, Urls};
//! use cepces_server::tower::{ConnectionInfo, ServiceAdapter};
//! use cepces_server::{Config, MemoryStore, Parts, PasswordAccounts, Server};
//! use http_body_util::{BodyExt, Full};
//! use tower_service::Service as _;
//!
//! let hash = cepces_server::accounts::hash_password("pw")?;
//! let config = Config::from_toml(&format!(
//!     "[ca]\ncommon_name = \"Example CA\"\n[[template]]\nname = \"User\"\n\
//!      [[user]]\nname = \"alice\"\npassword_hash = \"{hash}\"\n"
//! ))?;
//! let now = 1_800_000_000;
//! let ca = cepces_server::pki::Authority::create(
//!     cepces_server::pki::generate_key(2048)?,
//!     &config.ca.common_name,
//!     now,
//!     86_400 * 365,
//! )?;
//! let urls = Urls::new("https://ca.example.com", config.ces_name());
//! let cep = urls.url(Service::Cep, Auth::UsernamePassword);
//! let accounts = PasswordAccounts::new(config.users.clone(), 2);
//! let parts = Parts::new(
//!     urls.clone(),
//!     Box::new(config),
//!     Box::new(accounts),
//!     Box::new(ca),
//!     Box::new(MemoryStore::new()),
//! );
//! let mut service = ServiceAdapter::new(Arc::new(Server::new(parts, now)?));
//!
//! // GetPolicies as alice, as a Windows client sends it.
//! let body = format!(
//!     r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
//!         xmlns:a="http://www.w3.org/2005/08/addressing">
//!     <s:Header>
//!       <a:Action s:mustUnderstand="1">http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies</a:Action>
//!       <a:To s:mustUnderstand="1">{cep}</a:To>
//!       <o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
//!         <o:UsernameToken><o:Username>alice</o:Username><o:Password>pw</o:Password></o:UsernameToken>
//!       </o:Security>
//!     </s:Header>
//!     <s:Body><GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy">
//!       <client><lastUpdate xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></client>
//!     </GetPolicies></s:Body></s:Envelope>"#
//! );
//! let request = http::Request::post("/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP")
//!     .header("content-type", "application/soap+xml; charset=utf-8")
//!     .extension(ConnectionInfo::default())
//!     .body(Full::new(bytes::Bytes::from(body)))?;
//! let response = service.call(request).await?;
//! assert_eq!(response.status(), 200);
//! let bytes = response.into_body().collect().await?.to_bytes();
//! let envelope = soap_envelope::Envelope::<xcep::XcepMessage>::from_xml(&bytes)?;
//! let Some(xcep::XcepMessage::GetPoliciesResponse(policy)) = envelope.payload() else {
//!     panic!("not a GetPoliciesResponse");
//! };
//! assert_eq!(policy.policies().len(), 1);
//! # Ok(()) }
//! ```
//!
//! In axum, mount it on the endpoint paths: `Router::new().route_service(path,
//! ServiceAdapter::new(server.clone()))` for each of
//! [`Urls::path`](crate::config::Urls::path)'s four, behind a layer that
//! inserts the [`ConnectionInfo`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ALLOW, AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, TRANSFER_ENCODING,
    WWW_AUTHENTICATE,
};
use http::{Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use soap_envelope::{DocumentBuffer, Limits};

use crate::config::Auth;
use crate::negotiate::Refused;
use crate::{Reply, Server, Transport};

/// How much of an oversized body is read (and dropped) before the 413
/// goes out, and for how long: closing with unread data makes TCP send a
/// reset, and the client would see that instead of the answer.
const DRAIN_BYTES: usize = 1 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// What the connection knows about a request, for
/// [`Transport`]: put it in the request's extensions.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// Our address the client connected to.
    pub local: Option<SocketAddr>,
    /// The TLS client certificate (DER), verified by the TLS layer.
    pub client_cert: Option<Arc<[u8]>>,
    /// The TLS channel's `tls-server-end-point` binding
    /// ([`crate::negotiate::tls_server_end_point`] of the certificate the
    /// server presented), for HTTP Negotiate's channel-binding check.
    pub channel_binding: Option<Arc<[u8]>>,
}

impl ConnectionInfo {
    /// A connection from `peer` to `local`, without TLS facts.
    pub fn new(peer: Option<SocketAddr>, local: Option<SocketAddr>) -> Self {
        Self {
            peer,
            local,
            ..Self::default()
        }
    }

    /// With the client's verified TLS certificate.
    #[must_use]
    pub fn with_client_cert(mut self, der: Option<Arc<[u8]>>) -> Self {
        self.client_cert = der;
        self
    }

    /// With the channel's `tls-server-end-point` binding.
    #[must_use]
    pub fn with_channel_binding(mut self, binding: Option<Arc<[u8]>>) -> Self {
        self.channel_binding = binding;
        self
    }
}

/// What a request came to, for the log: in the response's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled(pub String);

/// The CEP and CES endpoints of a [`Server`] as a tower service.
#[derive(Debug, Clone)]
pub struct ServiceAdapter {
    server: Arc<Server>,
}

impl ServiceAdapter {
    /// The endpoints of `server`.
    pub fn new(server: Arc<Server>) -> Self {
        Self { server }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<B> tower_service::Service<Request<B>> for ServiceAdapter
where
    B: Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: std::fmt::Display,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let server = Arc::clone(&self.server);
        Box::pin(async move {
            let (mut response, outcome) = respond(&server, req).await;
            response.extensions_mut().insert(Handled(outcome));
            Ok(response)
        })
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{text}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// [`plain`], and the connection closed after it: what follows on it
/// cannot be trusted to be framed as the client meant.
fn closing(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = plain(status, text);
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

fn too_large() -> (Response<Full<Bytes>>, String) {
    (
        plain(StatusCode::PAYLOAD_TOO_LARGE, "request too large"),
        "too large".into(),
    )
}

/// Whether `value` is `application/soap+xml` with no charset or UTF-8
/// ([RFC 3902]; [MS-XCEP] and [MS-WSTEP] use SOAP 1.2 only).
///
/// [RFC 3902]: https://www.rfc-editor.org/rfc/rfc3902
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
pub fn is_soap12(value: &str) -> bool {
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/soap+xml")
        && parts.all(|p| {
            let (name, v) = p.split_once('=').unwrap_or((p, ""));
            !name.trim().eq_ignore_ascii_case("charset")
                || v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
}

/// Reads `body` into `buf`, which refuses it past its limit; `Ok(false)`
/// when it is longer.
async fn read_limited<B>(body: &mut B, buf: &mut DocumentBuffer) -> Result<bool, String>
where
    B: Body + Unpin,
    B::Error: std::fmt::Display,
{
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        if let Some(data) = frame.data_ref()
            && buf.push(bytes::Buf::chunk(data)).is_err()
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads and drops what is left of `body`, within [`DRAIN_BYTES`] and
/// [`DRAIN_TIME`].
async fn drain<B: Body + Unpin>(body: &mut B) {
    let deadline = tokio::time::Instant::now() + DRAIN_TIME;
    let mut seen = 0usize;
    while seen < DRAIN_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                seen += frame.data_ref().map_or(0, bytes::Buf::remaining);
            }
            _ => break,
        }
    }
}

/// The account of a request to a `…_Kerberos` endpoint and the token for
/// the client, or the 401 that answers it.
fn negotiate<B>(
    server: &Server,
    req: &Request<B>,
) -> Result<(String, Option<Vec<u8>>), Box<Answer>> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let connection = req.extensions().get::<ConnectionInfo>();
    let binding = connection.and_then(|c| c.channel_binding.as_deref());
    server.negotiate(header, binding).map_err(|why| {
        if why != Refused::Missing {
            let peer = connection.and_then(|c| c.peer);
            tracing::warn!(
                event = "negotiate_refused",
                peer = ?peer,
                reason = %why,
                "Kerberos authentication refused"
            );
        }
        let mut r = plain(
            StatusCode::UNAUTHORIZED,
            "Kerberos (Negotiate) authentication required",
        );
        r.headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Negotiate"));
        Box::new((r, format!("unauthorized: {why}")))
    })
}

/// A response and what it came to, for the log.
type Answer = (Response<Full<Bytes>>, String);

/// The SOAP reply as an HTTP response, with the mutual-authentication
/// token of a Negotiate request.
fn soap_response(reply: Reply, mutual: Option<Vec<u8>>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    if let Some(token) = mutual
        && let Ok(v) = HeaderValue::from_str(&crate::negotiate::header_value(&token))
    {
        response.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    response
}

/// The refusal of a request whose head, framing, method or content type is
/// not a SOAP 1.2 POST's: a head past [`MAX_HEAD_BYTES`] is a 431, and a
/// length and a transfer coding both (the shape of request smuggling, which
/// RFC 9112 6.3 allows refusing; a proxy in front may have framed the body
/// the other way) a 400, each closing the connection.
fn refusal<B>(req: &Request<B>) -> Option<(Response<Full<Bytes>>, String)> {
    if head_len(req) > MAX_HEAD_BYTES {
        let r = closing(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "the request head is too large",
        );
        return Some((r, "head too large".into()));
    }
    if req.headers().contains_key(TRANSFER_ENCODING) && req.headers().contains_key(CONTENT_LENGTH) {
        let r = closing(
            StatusCode::BAD_REQUEST,
            "Content-Length and Transfer-Encoding together",
        );
        return Some((r, "framing".into()));
    }
    if req.method() != Method::POST {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "POST a SOAP 1.2 envelope");
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return Some((r, "method".into()));
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !is_soap12(content_type) {
        // As WCF answers a wrong binding.
        let text = format!(
            "Cannot process the message because the content type '{content_type}' was not the expected type '{}'.",
            soap_envelope::CONTENT_TYPE
        );
        return Some((
            plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, &text),
            "content type".into(),
        ));
    }
    None
}

/// The largest request head (target and header fields) answered. hyper
/// refuses a head past its read buffer (about 400 KB), but one that
/// arrives in a single large read can get through whole; this bound holds
/// whatever the timing. A Kerberos `Authorization` header for a user in
/// many groups stays well below it.
const MAX_HEAD_BYTES: usize = 256 * 1024;

/// The length of a request's head as sent: its target and each header's
/// name and value (with their `: ` and line end).
fn head_len<B>(req: &Request<B>) -> usize {
    let fields: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let uri = req.uri();
    uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + fields
}

/// The transport checks, in order, then the server's answer.
async fn respond<B>(server: &Arc<Server>, req: Request<B>) -> (Response<Full<Bytes>>, String)
where
    B: Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: std::fmt::Display,
{
    let Some(endpoint) = server
        .urls()
        .route(req.uri().path())
        .filter(|&(_, auth)| auth != Auth::Kerberos || server.serves_kerberos())
    else {
        return (
            plain(StatusCode::NOT_FOUND, "no such endpoint"),
            "not found".into(),
        );
    };
    // HTTP Negotiate before the body is read: a client without a ticket
    // is told to bring one (RFC 4559 section 5).
    let (negotiated, mutual) = if endpoint.1 == Auth::Kerberos {
        match negotiate(server, &req) {
            Ok((account, reply)) => (Some(account), reply),
            Err(refused) => return *refused,
        }
    } else {
        (None, None)
    };
    if let Some(refused) = refusal(&req) {
        return refused;
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limits = Limits::default().with_max_document_len(server.max_request_bytes());
    let connection = req
        .extensions()
        .get::<ConnectionInfo>()
        .cloned()
        .unwrap_or_default();
    let mut incoming = req.into_body();
    let Ok(mut body) = DocumentBuffer::with_declared_len(&limits, declared) else {
        drain(&mut incoming).await;
        return too_large();
    };
    // How long a client may take to send the body.
    let body_timeout =
        Duration::from_secs(u64::from(server.settings().request_timeout_secs.max(1)));
    match tokio::time::timeout(body_timeout, read_limited(&mut incoming, &mut body)).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => {
            drain(&mut incoming).await;
            return too_large();
        }
        Ok(Err(e)) => {
            return (
                plain(StatusCode::BAD_REQUEST, "the body could not be read"),
                format!("body: {e}"),
            );
        }
        Err(_) => {
            return (
                plain(StatusCode::REQUEST_TIMEOUT, "body timed out"),
                "timeout".into(),
            );
        }
    }
    let body = body.into_bytes();
    let server = Arc::clone(server);
    let answer = tokio::task::spawn_blocking(move || {
        let transport = Transport {
            peer: connection.peer,
            local: connection.local,
            client_cert: connection.client_cert.as_deref(),
            negotiated: negotiated.as_deref(),
        };
        server.handle(endpoint, transport, &body, unix_now())
    })
    .await;
    let (reply, outcome) = match answer {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "the handler failed");
            return (
                plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
                "internal".into(),
            );
        }
    };
    (soap_response(reply, mutual), outcome.to_string())
}

/// Seconds since 1970 now.
fn unix_now() -> i64 {
    crate::pki::unix_now()
}

#[cfg(test)]
mod tests {
    use super::is_soap12;

    #[test]
    fn a_head_past_the_bound_is_refused_whatever_hyper_let_through() {
        let req = |filler: usize| {
            http::Request::post("/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP")
                .header("content-type", "application/soap+xml; charset=utf-8")
                .header("x-big", "a".repeat(filler))
                .body(())
                .unwrap()
        };
        let (r, why) = super::refusal(&req(super::MAX_HEAD_BYTES)).expect("refused");
        assert_eq!(
            r.status(),
            http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
        assert_eq!(r.headers()["connection"], "close");
        assert_eq!(why, "head too large");
        // A large Kerberos-sized head is answered.
        assert!(super::refusal(&req(64 * 1024)).is_none());
    }

    #[test]
    fn soap12_content_types() {
        assert!(is_soap12("application/soap+xml; charset=utf-8"));
        assert!(is_soap12(
            "Application/SOAP+XML;charset=\"UTF-8\"; action=\"x\""
        ));
        assert!(is_soap12("application/soap+xml"));
        assert!(!is_soap12("text/xml; charset=utf-8"));
        assert!(!is_soap12("application/soap+xml; charset=iso-8859-1"));
        assert!(!is_soap12(""));
    }
}
