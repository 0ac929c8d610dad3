//! A policy source that changes: [`Server::refresh`] serves the new policy
//! from the next request on, with `lastUpdate` following the change, and a
//! source that did not change leaves the policy as it was.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::fmt::Write as _;

use std::sync::Mutex;

use cepces_server::config::{Auth, Service, Urls};
use cepces_server::policy::{Policy, PolicySource};
use cepces_server::{Config, Error, PasswordAccounts, Server, Transport};
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
    let body = common::get_policies_body(server);
    let (reply, _) = server.handle(
        (Service::Cep, Auth::UsernamePassword),
        Transport::default(),
        &body,
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
    let accounts = PasswordAccounts::new(first.users.clone(), 2);
    let server = common::server(&first, Box::new(source), accounts, start);
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
