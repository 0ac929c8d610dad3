//! The HTTPS side of `cepces serve`: TLS (rustls), HTTP/1.1 (hyper), the
//! transport checks (method, path, content type, size, timeouts), the
//! request log, and handing the body to [`App::handle`] on a blocking
//! thread.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use soap_envelope::{DocumentBuffer, Limits};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use cepces_server::{Outcome, Server as App, Transport};

/// How long a client may take for the request head or the body (the
/// TLS handshake has its own, shorter, configured limit).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of an oversized body is read (and dropped) before the 413
/// goes out, and for how long: closing with unread data makes TCP send a
/// reset, and the client would see that instead of the answer.
const DRAIN_BYTES: usize = 1 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Reads `body` into `buf`, which refuses it past its limit; `Ok(false)`
/// when it is longer.
async fn read_limited(body: &mut Incoming, buf: &mut DocumentBuffer) -> Result<bool, hyper::Error> {
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref()
            && buf.push(data).is_err()
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads and drops what is left of `body`, within [`DRAIN_BYTES`] and
/// [`DRAIN_TIME`].
async fn drain(body: &mut Incoming) {
    let deadline = tokio::time::Instant::now() + DRAIN_TIME;
    let mut seen = 0usize;
    while seen < DRAIN_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => seen += frame.data_ref().map_or(0, Bytes::len),
            _ => break,
        }
    }
}

fn too_large() -> (Response<Full<Bytes>>, String) {
    (
        plain(StatusCode::PAYLOAD_TOO_LARGE, "request too large"),
        "too large".into(),
    )
}

/// Accepts connections on `listener` until the task is dropped; each
/// connection runs in its own task, so one bad client cannot stop others.
/// At most `max_connections` are served at once: one more is closed as
/// it arrives, before any TLS work, so that a flood of idle sockets takes
/// neither memory nor the descriptors the accepted connections need.
pub async fn serve(listener: TcpListener, tls: TlsAcceptor, app: Arc<App>, max_connections: usize) {
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let handshake_timeout =
        Duration::from_secs(u64::from(app.settings().handshake_timeout_secs.max(1)));
    let mut refused = 0u64;
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of descriptors and the like: wait, then go on.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            refused += 1;
            // Once per power of two, not per connection: a flood must not
            // flood the log too.
            if refused.is_power_of_two() {
                tracing::warn!(%peer, max_connections, refused, "connection limit reached: closing new connections");
            }
            drop(tcp);
            continue;
        };
        let local = tcp.local_addr().ok();
        let tls = tls.clone();
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let _slot = slot;
            let stream = match tokio::time::timeout(handshake_timeout, tls.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::info!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::info!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            let client_cert: Option<Arc<[u8]>> = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| Arc::from(c.as_ref()));
            let service = hyper::service::service_fn(move |req| {
                let app = Arc::clone(&app);
                let client_cert = client_cert.clone();
                async move { Ok::<_, Infallible>(handle(app, (peer, local), client_cert, req).await) }
            });
            let result = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(CLIENT_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = result {
                tracing::info!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{text}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Whether `value` is `application/soap+xml` with no charset or UTF-8
/// ([RFC 3902]; [MS-XCEP] and [MS-WSTEP] use SOAP 1.2 only).
///
/// [RFC 3902]: https://www.rfc-editor.org/rfc/rfc3902
fn is_soap12(value: &str) -> bool {
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/soap+xml")
        && parts.all(|p| {
            let (name, v) = p.split_once('=').unwrap_or((p, ""));
            !name.trim().eq_ignore_ascii_case("charset")
                || v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
}

async fn handle(
    app: Arc<App>,
    (peer, local): (SocketAddr, Option<SocketAddr>),
    client_cert: Option<Arc<[u8]>>,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let path = req.uri().path().to_owned();
    let response = respond(&app, (peer, local), client_cert, req).await;
    let (status, outcome) = response;
    tracing::info!(
        %peer,
        path,
        status = status.status().as_u16(),
        outcome,
        ms = started.elapsed().as_millis(),
        "request"
    );
    status
}

#[allow(clippy::too_many_lines)] // the transport checks, in order
async fn respond(
    app: &Arc<App>,
    (peer, local): (SocketAddr, Option<SocketAddr>),
    client_cert: Option<Arc<[u8]>>,
    req: Request<Incoming>,
) -> (Response<Full<Bytes>>, String) {
    let Some(endpoint) = app.urls().route(req.uri().path()) else {
        return (
            plain(StatusCode::NOT_FOUND, "no such endpoint"),
            "not found".into(),
        );
    };
    if req.method() != Method::POST {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "POST a SOAP 1.2 envelope");
        r.headers_mut().insert(
            hyper::header::ALLOW,
            hyper::header::HeaderValue::from_static("POST"),
        );
        return (r, "method".into());
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
        return (
            plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, &text),
            "content type".into(),
        );
    }
    let limit = app.max_request_bytes();
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limits = Limits {
        max_document_len: limit,
        ..Limits::default()
    };
    let Ok(mut body) = DocumentBuffer::with_declared_len(&limits, declared) else {
        drain(&mut req.into_body()).await;
        return too_large();
    };
    let mut incoming = req.into_body();
    match tokio::time::timeout(CLIENT_TIMEOUT, read_limited(&mut incoming, &mut body)).await {
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
    let app2 = Arc::clone(app);
    let answer = tokio::task::spawn_blocking(move || {
        let transport = Transport {
            peer: Some(peer),
            local,
            client_cert: client_cert.as_deref(),
        };
        app2.handle(endpoint, transport, &body, crate::pki::unix_now())
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
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(reply.content_type),
    );
    let outcome = match outcome {
        Outcome::Policy => "policy".to_owned(),
        Outcome::Issued(id) => format!("issued {id}"),
        Outcome::Pending(id) => format!("pending {id}"),
        Outcome::Status => "status".to_owned(),
        Outcome::Fault(why) => format!("fault {why}"),
    };
    (response, outcome)
}

#[cfg(test)]
mod tests {
    use super::is_soap12;

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
