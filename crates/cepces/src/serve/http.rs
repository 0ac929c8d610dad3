//! The HTTPS side of `cepces serve`: the accept loop and its connection
//! cap, TLS (rustls), HTTP/1.1 (hyper) and the request log, around
//! [`cepces_server::tower::ServiceAdapter`] (which does the transport
//! checks and the answer).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service as _;

use cepces_server::Server as App;
use cepces_server::publish::Published;
use cepces_server::tower::{ConnectionInfo, Handled, ServiceAdapter};

use super::status::Metrics;

/// The server that answers, replaced whole when the configuration is
/// reloaded (SIGHUP): a request is answered by the server current when
/// it arrived; connections are not dropped.
#[derive(Debug)]
pub struct Current(std::sync::RwLock<Arc<App>>);

impl Current {
    /// Answering with `app`.
    pub fn new(app: Arc<App>) -> Self {
        Self(std::sync::RwLock::new(app))
    }

    /// The server now.
    pub fn get(&self) -> Arc<App> {
        Arc::clone(
            &self
                .0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Answers with `app` from now on.
    pub fn set(&self, app: Arc<App>) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = app;
    }
}

/// How long a client may take for a request head
/// (`[service] request_timeout_secs`; the TLS handshake has its own limit,
/// the body the adapter's).
fn head_timeout(app: &App) -> Duration {
    Duration::from_secs(u64::from(app.settings().request_timeout_secs.max(1)))
}

/// Accepts connections on `listener` until the task is dropped; each
/// connection runs in its own task, so one bad client cannot stop others.
/// At most `max_connections` are served at once: one more is closed as
/// it arrives, before any TLS work, so that a flood of idle sockets takes
/// neither memory nor the descriptors the accepted connections need.
/// `binding` is the `tls-server-end-point` channel binding of the
/// server's certificate, the same for every connection.
pub async fn serve(
    listener: TcpListener,
    tls: TlsAcceptor,
    current: Arc<Current>,
    max_connections: usize,
    binding: Option<Arc<[u8]>>,
    metrics: Arc<Metrics>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let (head_timeout, handshake_timeout) = {
        let app = current.get();
        let handshake = app.settings().handshake_timeout_secs.max(1);
        (
            head_timeout(&app),
            Duration::from_secs(u64::from(handshake)),
        )
    };
    let mut refused = 0u64;
    loop {
        let (tcp, peer) = accept(&listener).await;
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
        let current = Arc::clone(&current);
        let binding = binding.clone();
        let metrics = Arc::clone(&metrics);
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
            let connection = ConnectionInfo::new(Some(peer), local)
                .with_client_cert(client_cert)
                .with_channel_binding(binding);
            let service = hyper::service::service_fn(move |req| {
                let adapter = ServiceAdapter::new(current.get());
                let connection = connection.clone();
                let metrics = Arc::clone(&metrics);
                async move { Ok::<_, Infallible>(handle(adapter, connection, &metrics, req).await) }
            });
            let result = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = result {
                tracing::info!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}

async fn handle(
    adapter: ServiceAdapter,
    connection: ConnectionInfo,
    metrics: &Metrics,
    mut req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let path = req.uri().path().to_owned();
    let peer = connection.peer;
    req.extensions_mut().insert(connection);
    let mut adapter = adapter;
    let Ok(response) = adapter.call(req).await;
    let outcome = response
        .extensions()
        .get::<Handled>()
        .map_or("", |h| h.0.as_str());
    metrics.record(outcome, started.elapsed());
    tracing::info!(
        peer = ?peer,
        path,
        status = response.status().as_u16(),
        outcome,
        ms = started.elapsed().as_millis(),
        "request"
    );
    response
}

/// The next connection on `listener`. A failed accept (out of
/// descriptors and the like) is logged, and after a pause tried again.
async fn accept(listener: &TcpListener) -> (tokio::net::TcpStream, std::net::SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(c) => return c,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// What a plain-HTTP listener serves.
#[derive(Debug, Clone)]
pub enum Plain {
    /// The CRL and the CA certificate ([`App::published`]).
    Publication,
    /// `/health` and `/metrics`.
    Status(Arc<Metrics>),
}

/// Serves `what` over plain HTTP on `listener`: `GET` and `HEAD` of its
/// paths, nothing else (no SOAP endpoint is ever reachable without TLS).
/// At most `max_connections` at once, each with the same head timeout as
/// HTTPS.
pub async fn serve_plain(
    listener: TcpListener,
    current: Arc<Current>,
    max_connections: usize,
    what: Plain,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let head_timeout = head_timeout(&current.get());
    loop {
        let (tcp, peer) = accept(&listener).await;
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            drop(tcp);
            continue;
        };
        let current = Arc::clone(&current);
        let what = what.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |req| {
                let app = current.get();
                let what = what.clone();
                async move { Ok::<_, Infallible>(plain_answer(app, &what, peer, req).await) }
            });
            let result = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout)
                .serve_connection(TokioIo::new(tcp), service)
                .await;
            if let Err(e) = result {
                tracing::info!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}

async fn plain_answer(
    app: Arc<App>,
    what: &Plain,
    peer: std::net::SocketAddr,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    use hyper::{Method, StatusCode, header};
    let path = req.uri().path().to_owned();
    let head = req.method() == Method::HEAD;
    let status_only = |status: StatusCode| {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = status;
        r
    };
    let response = if head || req.method() == Method::GET {
        let now = crate::pki::unix_now();
        let lookup = {
            let path = path.clone();
            let what = what.clone();
            // A new CRL is signed and stored here, the store asked there:
            // off the async threads.
            tokio::task::spawn_blocking(move || match what {
                Plain::Publication => app.published(&path, now),
                Plain::Status(metrics) => status(&app, &metrics, &path),
            })
            .await
        };
        match lookup {
            Ok(Some(Ok(file))) => {
                let length = file.body.len();
                let body = if head {
                    Bytes::new()
                } else {
                    Bytes::from(file.body)
                };
                let mut r = Response::new(Full::new(body));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static(file.content_type),
                );
                r.headers_mut()
                    .insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
                r
            }
            Ok(None) => status_only(StatusCode::NOT_FOUND),
            Ok(Some(Err(e))) => {
                tracing::error!(error = %e, path, "cannot answer");
                status_only(match what {
                    // The health check fails: take this instance out.
                    Plain::Status(_) => StatusCode::SERVICE_UNAVAILABLE,
                    Plain::Publication => StatusCode::INTERNAL_SERVER_ERROR,
                })
            }
            Err(e) => {
                tracing::error!(error = %e, path, "publication task");
                status_only(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    } else {
        let mut r = status_only(StatusCode::METHOD_NOT_ALLOWED);
        r.headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
        r
    };
    tracing::info!(
        peer = %peer,
        path,
        status = response.status().as_u16(),
        "plain HTTP request"
    );
    response
}

/// `/health` (`ok`, or the store's error as a 503) and `/metrics`.
fn status(
    app: &App,
    metrics: &Metrics,
    path: &str,
) -> Option<Result<Published, cepces_server::Error>> {
    let text = |body: String| Published::new("text/plain; charset=utf-8", body.into_bytes());
    match path {
        "/health" => Some(app.counts().map(|_| text("ok\n".into()))),
        "/metrics" => Some(Ok(Published::new(
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(app).into_bytes(),
        ))),
        _ => None,
    }
}
