//! Revocation as the CA publishes it: the CRL (signed again when the
//! revocations change and before its `nextUpdate`) and the CA
//! certificate, at the URLs every issued certificate names
//! ([`PublicationConfig`]). No sockets: [`Publication::get`] answers a
//! path; `cepces serve` serves it over plain HTTP.

use std::sync::{Mutex, PoisonError};

use der::Encode;
use x509_cert::Certificate;
use x509_cert::ext::Extension;

use crate::Error;
use crate::config::PublicationConfig;
use crate::pki::{self, CrlSpec, Issuer};
use crate::store::{RequestStore, StoredCrl, revocations_digest};

/// The media type of a CRL ([RFC 2585] 4.2).
///
/// [RFC 2585]: https://www.rfc-editor.org/rfc/rfc2585#section-4.2
pub const CRL_MEDIA_TYPE: &str = "application/pkix-crl";
/// The media type of a certificate ([RFC 2585] 4.1).
///
/// [RFC 2585]: https://www.rfc-editor.org/rfc/rfc2585#section-4.1
pub const CERT_MEDIA_TYPE: &str = "application/pkix-cert";

/// A published file: its media type and bytes (DER).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Published {
    /// [`CRL_MEDIA_TYPE`] or [`CERT_MEDIA_TYPE`].
    pub content_type: &'static str,
    /// The DER.
    pub body: Vec<u8>,
}

impl Published {
    /// A file of `content_type` holding `body`.
    pub fn new(content_type: &'static str, body: Vec<u8>) -> Self {
        Self { content_type, body }
    }
}

/// The CA's publication point: its URLs, and the CRL last served.
#[derive(Debug)]
pub struct Publication {
    config: PublicationConfig,
    crl_url: String,
    ca_url: String,
    crl_path: String,
    ca_path: String,
    extensions: Vec<Extension>,
    current: Mutex<Option<StoredCrl>>,
}

/// `name` as a file name: letters, digits, `-`, `_` and `.` kept, every
/// other character `_`; `ca` when that leaves nothing.
pub fn file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.trim_matches('.').is_empty() {
        "ca".into()
    } else {
        s
    }
}

/// The first common name of `cert`'s subject.
fn common_name(cert: &Certificate) -> Option<String> {
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == const_oid::db::rfc4519::CN)
        .and_then(|atv| {
            der::asn1::Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    der::asn1::PrintableStringRef::try_from(&atv.value)
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        })
}

impl Publication {
    /// The publication point of the CA whose certificate is `ca`, as
    /// `config` says. `config` must pass [`PublicationConfig::check`].
    pub fn new(config: PublicationConfig, ca: &Certificate) -> Result<Self, Error> {
        config.check().map_err(Error::Config)?;
        let name = file_name(&common_name(ca).unwrap_or_default());
        let base = config.url.trim_end_matches('/');
        let crl_url = format!("{base}/{name}.crl");
        let ca_url = format!("{base}/{name}.crt");
        let path = |url: &str| {
            let rest = url.strip_prefix("http://").unwrap_or(url);
            rest.find('/')
                .map_or_else(|| "/".into(), |i| rest[i..].to_owned())
        };
        let extensions = vec![
            pki::crl_distribution_point(&crl_url).map_err(Error::Config)?,
            pki::authority_info_access(&ca_url).map_err(Error::Config)?,
        ];
        Ok(Self {
            crl_path: path(&crl_url),
            ca_path: path(&ca_url),
            extensions,
            crl_url,
            ca_url,
            config,
            current: Mutex::new(None),
        })
    }

    /// Where the CRL is (the CRL distribution point).
    pub fn crl_url(&self) -> &str {
        &self.crl_url
    }

    /// Where the CA certificate is (`caIssuers`).
    pub fn ca_url(&self) -> &str {
        &self.ca_url
    }

    /// The settings.
    pub fn config(&self) -> &PublicationConfig {
        &self.config
    }

    /// The extensions that name the CRL and the CA certificate, for a
    /// certificate the CA issues (made once, with the URLs).
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The file at `path` (an HTTP request's path), if it is one of ours:
    /// the current CRL or the CA certificate.
    pub fn get(
        &self,
        path: &str,
        store: &dyn RequestStore,
        issuer: &dyn Issuer,
        now: i64,
    ) -> Option<Result<Published, Error>> {
        if path == self.crl_path {
            Some(self.crl(store, issuer, now).map(|crl| Published {
                content_type: CRL_MEDIA_TYPE,
                body: crl.der,
            }))
        } else if path == self.ca_path {
            Some(
                issuer
                    .ca_certificate()
                    .to_der()
                    .map(|body| Published {
                        content_type: CERT_MEDIA_TYPE,
                        body,
                    })
                    .map_err(|e| Error::Issuer(e.to_string())),
            )
        } else {
            None
        }
    }

    /// The current CRL: the newest stored, while it lists what is revoked
    /// now and its `nextUpdate` is more than the overlap away; otherwise
    /// a new one, numbered one past the newest, signed and stored (when
    /// another server instance stored that number first, its CRL).
    pub fn crl(
        &self,
        store: &dyn RequestStore,
        issuer: &dyn Issuer,
        now: i64,
    ) -> Result<StoredCrl, Error> {
        // One signer per process; other instances are settled by the
        // store's unique CRL numbers.
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let revoked = store.revoked(now)?;
        let covers = revocations_digest(&revoked);
        let overlap = i64::from(self.config.crl_overlap_hours) * 3600;
        let usable = |c: &StoredCrl| c.covers == covers && now < c.next_update - overlap;
        if let Some(c) = current.as_ref().filter(|c| usable(c)) {
            return Ok(c.clone());
        }
        let latest = store.latest_crl()?;
        if let Some(c) = latest.as_ref().filter(|c| usable(c)) {
            *current = Some(c.clone());
            return Ok(c.clone());
        }
        let number = latest.map_or(1, |c| c.number.saturating_add(1));
        let next_update = now + i64::from(self.config.crl_validity_hours) * 3600;
        let entries = revoked
            .into_iter()
            .map(|r| pki::CrlEntry::new(r.serial, r.revocation.at, r.revocation.reason))
            .collect();
        let signed = issuer
            .sign_crl(&CrlSpec::new(number, now, next_update, entries))
            .map_err(Error::Issuer)?;
        let der = signed.to_der().map_err(|e| Error::Issuer(e.to_string()))?;
        let crl = StoredCrl::new(number, now, next_update, covers, der);
        let crl = if store.add_crl(&crl)? {
            crl
        } else {
            store
                .latest_crl()?
                .ok_or_else(|| Error::Store("a CRL number taken, but no CRL stored".into()))?
        };
        *current = Some(crl.clone());
        Ok(crl)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use der::Decode;
    use x509_cert::crl::CertificateList;

    use crate::pki::Authority;
    use crate::store::{CrlReason, MemoryStore, NewRequest};

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    fn ca() -> Authority {
        Authority::create(
            pki::generate_key(2048).unwrap(),
            "Example Issuing CA 1",
            NOW,
            86_400 * 365,
        )
        .unwrap()
    }

    fn issued(store: &MemoryStore, serial: &str, csr: &[u8]) {
        let request = NewRequest {
            received: NOW,
            principal: "alice",
            groups: &[],
            template: "User",
            csr,
            renewal_of: None,
        };
        let serial = serial.to_owned();
        store
            .insert_issued(&request, &mut |_| {
                Ok((b"cert".to_vec(), serial.clone(), NOW + 30 * 86_400))
            })
            .unwrap();
    }

    fn decoded(crl: &StoredCrl) -> CertificateList {
        CertificateList::from_der(&crl.der).unwrap()
    }

    #[test]
    fn urls_and_paths_follow_the_ca_name() {
        let p = Publication::new(
            PublicationConfig::new("http://pki.example.test:8080/CertEnroll/"),
            &ca().certificate,
        )
        .unwrap();
        assert_eq!(
            p.crl_url(),
            "http://pki.example.test:8080/CertEnroll/Example_Issuing_CA_1.crl"
        );
        assert_eq!(
            p.ca_url(),
            "http://pki.example.test:8080/CertEnroll/Example_Issuing_CA_1.crt"
        );
        assert_eq!(p.crl_path, "/CertEnroll/Example_Issuing_CA_1.crl");
        assert_eq!(file_name("../../etc"), ".._.._etc");
        assert_eq!(file_name(""), "ca");
        assert_eq!(file_name(".."), "ca");
        for bad in ["https://pki.example.test/", "http:///x", "ldap://dc/x"] {
            assert!(PublicationConfig::new(bad).check().is_err(), "{bad}");
        }
        let overlap_too_long = PublicationConfig::new("http://h/").with_crl_hours(24, 24);
        assert!(overlap_too_long.check().is_err());
    }

    #[test]
    fn a_crl_is_signed_again_when_revocations_change_or_next_update_nears() {
        let ca = ca();
        let store = MemoryStore::new();
        issued(&store, "0A", b"a");
        issued(&store, "0B", b"b");
        let config =
            PublicationConfig::new("http://pki.example.test/CertEnroll").with_crl_hours(48, 6);
        let p = Publication::new(config.clone(), &ca.certificate).unwrap();

        let first = p.crl(&store, &ca, NOW).unwrap();
        assert_eq!((first.number, first.next_update), (1, NOW + 48 * HOUR));
        let list = decoded(&first);
        assert!(list.tbs_cert_list.revoked_certificates.is_none());
        // Signed by the CA's key.
        let tbs = list.tbs_cert_list.to_der().unwrap();
        wstep::payload::signature::verify(
            &ca.certificate.tbs_certificate.subject_public_key_info,
            &list.signature_algorithm,
            &tbs,
            list.signature.raw_bytes(),
        )
        .unwrap();
        // Unchanged, it is served as it is until the overlap begins.
        assert_eq!(p.crl(&store, &ca, NOW + 41 * HOUR).unwrap(), first);
        let renewed = p.crl(&store, &ca, NOW + 42 * HOUR).unwrap();
        assert_eq!(renewed.number, 2);
        assert_eq!(renewed.this_update, NOW + 42 * HOUR);

        // A revocation (made by another process on the same store, as
        // `cepces revoke` is) makes the next request sign a new one.
        store
            .revoke("0B", CrlReason::KeyCompromise, NOW + 43 * HOUR)
            .unwrap();
        let third = p.crl(&store, &ca, NOW + 43 * HOUR).unwrap();
        assert_eq!(third.number, 3);
        let entries = decoded(&third).tbs_cert_list.revoked_certificates.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].serial_number.as_bytes(), [0x0B]);
        let reason = entries[0].crl_entry_extensions.as_ref().unwrap();
        assert_eq!(
            CrlReason::from_der(reason[0].extn_value.as_bytes()).unwrap(),
            CrlReason::KeyCompromise
        );

        // Another instance on the same store serves the stored CRL.
        let other = Publication::new(config, &ca.certificate).unwrap();
        assert_eq!(other.crl(&store, &ca, NOW + 44 * HOUR).unwrap(), third);
        // The CA certificate and the CRL by path; any other path is not ours.
        let got = p
            .get(
                "/CertEnroll/Example_Issuing_CA_1.crl",
                &store,
                &ca,
                NOW + 44 * HOUR,
            )
            .unwrap()
            .unwrap();
        assert_eq!((got.content_type, got.body), (CRL_MEDIA_TYPE, third.der));
        let got = p
            .get("/CertEnroll/Example_Issuing_CA_1.crt", &store, &ca, NOW)
            .unwrap()
            .unwrap();
        assert_eq!(got.body, ca.certificate.to_der().unwrap());
        assert!(p.get("/CertEnroll/other.crl", &store, &ca, NOW).is_none());
    }

    #[test]
    fn an_issuer_that_signs_no_crls_is_an_error_not_an_empty_crl() {
        #[derive(Debug)]
        struct External(Certificate);
        impl Issuer for External {
            fn ca_certificate(&self) -> &Certificate {
                &self.0
            }
            fn issue(&self, _: &pki::CertificateSpec) -> pki::Result<Certificate> {
                Err("not here".into())
            }
        }
        let issuer = External(ca().certificate);
        let store = MemoryStore::new();
        let p = Publication::new(PublicationConfig::new("http://h/x"), &issuer.0).unwrap();
        assert!(matches!(p.crl(&store, &issuer, NOW), Err(Error::Issuer(_))));
        assert_eq!(store.latest_crl().unwrap(), None);
    }
}
