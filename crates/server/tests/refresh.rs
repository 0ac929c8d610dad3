//! A policy source that changes: [`Server::refresh`] serves the new policy
//! from the next request on, with `lastUpdate` following the change, and a
//! source that did not change leaves the policy as it was.
#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write as _;

use std::sync::Mutex;

use cepces_server::config::{Auth, Service, Urls};
use cepces_server::policy::{Policy, PolicySource};
use cepces_server::{Config, Error, MemoryStore, Parts, PasswordAccounts, Server, Transport};
use soap_envelope::xsd::DateTime;
use x509_cert::Certificate;
use xcep::XcepMessage;

/// The configurations the directory would give, one per change.
#[derive(Debug)]
struct Changing {
    versions: Mutex<Vec<Config>>,
}

impl PolicySource for Changing {
    fn policy(&self, ca: &Certificate, urls: &Urls, now: DateTime) -> Result<Policy, Error> {
        PolicySource::policy(&self.versions.lock().unwrap()[0], ca, urls, now)
    }

    fn refresh(
        &self,
        _current: &Policy,
        ca: &Certificate,
        urls: &Urls,
        now: DateTime,
    ) -> Result<Option<Policy>, Error> {
        let mut versions = self.versions.lock().unwrap();
        if versions.len() == 1 {
            return Ok(None);
        }
        versions.remove(0);
        PolicySource::policy(&versions[0], ca, urls, now).map(Some)
    }
}

fn config(hash: &str, templates: &[&str]) -> Config {
    let mut text = format!(
        "[ca]\ncommon_name = \"Example CA\"\n[[user]]\nname = \"alice\"\npassword_hash = \"{hash}\"\n"
    );
    for t in templates {
        write!(text, "[[template]]\nname = \"{t}\"\n").unwrap();
    }
    Config::from_toml(&text).unwrap()
}

/// GetPolicies as alice: the template names and `lastUpdate`.
fn get_policies(server: &Server, now: i64) -> (Vec<String>, Option<DateTime>) {
    let cep = server.urls().url(Service::Cep, Auth::UsernamePassword);
    let body = format!(
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
    );
    let (reply, _) = server.handle(
        (Service::Cep, Auth::UsernamePassword),
        Transport::default(),
        body.as_bytes(),
        now,
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let envelope = soap_envelope::Envelope::<XcepMessage>::from_xml(&reply.body).unwrap();
    let Some(XcepMessage::GetPoliciesResponse(policy)) = envelope.payload() else {
        panic!("not a GetPoliciesResponse");
    };
    let names = policy
        .policies()
        .iter()
        .filter_map(|p| p.attributes.common_name.clone())
        .collect();
    let last_update = server.policy().last_update;
    (names, Some(last_update))
}

#[test]
fn refresh_serves_the_changed_policy() {
    let hash = cepces_server::accounts::hash_password("pw").unwrap();
    let start = 1_800_000_000;
    let source = Changing {
        versions: Mutex::new(vec![
            config(&hash, &["User"]),
            config(&hash, &["User", "Machine"]),
        ]),
    };
    let first = config(&hash, &["User"]);
    let ca = cepces_server::pki::Authority::create(
        cepces_server::pki::generate_key(2048).unwrap(),
        &first.ca.common_name,
        start,
        86_400 * 365,
    )
    .unwrap();
    let urls = Urls::new("https://ca.example.com", first.ces_name());
    let parts = Parts::new(
        urls,
        Box::new(source),
        Box::new(PasswordAccounts::new(first.users.clone(), 2)),
        Box::new(ca),
        Box::new(MemoryStore::new()),
    );
    let server = Server::new(parts, start).unwrap();
    let (names, loaded) = get_policies(&server, start + 1);
    assert_eq!(names, ["User"]);
    assert_eq!(loaded, Some(DateTime::from_unix(start, 0)));

    // The directory changed: the new template is offered, lastUpdate moves.
    assert!(server.refresh(start + 60).unwrap());
    let (names, changed) = get_policies(&server, start + 61);
    assert_eq!(names, ["User", "Machine"]);
    assert_eq!(changed, Some(DateTime::from_unix(start + 60, 0)));
    assert!(server.policy().template("machine").is_some());

    // Nothing changed since: the same policy.
    assert!(!server.refresh(start + 120).unwrap());
    assert_eq!(get_policies(&server, start + 121).1, changed);
}
