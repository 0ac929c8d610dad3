//! What the server's tests and its login bench set up alike: a server on
//! a new in-memory CA, and a GetPolicies with alice's UsernameToken.
#![allow(dead_code, clippy::unwrap_used)]

use cepces_server::config::{Auth, Service, Urls};
use cepces_server::policy::PolicySource;
use cepces_server::{Config, MemoryStore, Parts, PasswordAccounts, Server};

/// A server at `https://ca.example.com` answering from `source`, with
/// `accounts` and a new CA named as `config` says (valid a year from
/// `now`), its records in memory.
pub fn server(
    config: &Config,
    source: Box<dyn PolicySource>,
    accounts: PasswordAccounts,
    now: i64,
) -> Server {
    let ca = cepces_server::pki::Authority::create(
        cepces_server::pki::generate_key(2048).unwrap(),
        &config.ca.common_name,
        now,
        86_400 * 365,
    )
    .unwrap();
    let urls = Urls::new("https://ca.example.com", config.ces_name());
    let parts = Parts::new(
        urls,
        source,
        Box::new(accounts),
        Box::new(ca),
        Box::new(MemoryStore::new()),
    );
    Server::new(parts, now).unwrap()
}

/// GetPolicies to `server`'s UsernamePassword CEP as alice, password `pw`.
pub fn get_policies_body(server: &Server) -> Vec<u8> {
    let cep = server.urls().url(Service::Cep, Auth::UsernamePassword);
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
        <s:Header>
          <a:Action s:mustUnderstand="1">http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies</a:Action>
          <a:To s:mustUnderstand="1">{cep}</a:To>
          <o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
            <o:UsernameToken><o:Username>alice</o:Username><o:Password>pw</o:Password></o:UsernameToken>
          </o:Security>
        </s:Header>
        <s:Body><GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy">
          <client><lastUpdate xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></client>
        </GetPolicies></s:Body></s:Envelope>"#
    )
    .into_bytes()
}
