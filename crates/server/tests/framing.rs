//! The tower adapter refuses a request that carries both a length and a
//! transfer coding (the shape of request smuggling) when its HTTP stack
//! passes both through, before reading the body.
#![cfg(feature = "tower")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;

use cepces_server::config::{Auth, Service};
use cepces_server::tower::ServiceAdapter;
use cepces_server::{Config, PasswordAccounts};
use tower_service::Service as _;

#[test]
fn content_length_with_transfer_encoding_is_a_400_that_closes() {
    let config =
        Config::from_toml("[ca]\ncommon_name = \"Example CA\"\n[[template]]\nname = \"User\"\n")
            .unwrap();
    let now = 1_800_000_000;
    let accounts = PasswordAccounts::new(config.users.clone(), 1);
    let server = common::server(&config, Box::new(config.clone()), accounts, now);
    let url = server.urls().url(Service::Cep, Auth::UsernamePassword);
    let path = url
        .strip_prefix("https://ca.example.com")
        .unwrap()
        .to_owned();
    let body = common::get_policies_body(&server);
    let mut adapter = ServiceAdapter::new(Arc::new(server));
    let request = |both: bool| {
        let mut r = http::Request::post(path.as_str())
            .header("content-type", "application/soap+xml; charset=utf-8")
            .header("content-length", body.len().to_string());
        if both {
            r = r.header("transfer-encoding", "chunked");
        }
        r.body(http_body_util::Full::new(bytes::Bytes::from(body.clone())))
            .unwrap()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let refused = runtime.block_on(adapter.call(request(true))).unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.headers()["connection"], "close");
    // The same request framed one way only gets to the service (alice is
    // no account here: a SOAP fault, not a framing refusal).
    let answered = runtime.block_on(adapter.call(request(false))).unwrap();
    assert_eq!(answered.status(), 500);
    assert_eq!(
        answered.headers()["content-type"],
        "application/soap+xml; charset=utf-8"
    );
}
