//! The CA's records: every request the CA accepted for a decision, with
//! its state, behind [`RequestStore`]. A record is durable before the
//! answer that names its request ID goes out, so a crash or restart loses
//! no acknowledged request or issued certificate.
//! [`SqliteStore`](crate::sqlite::SqliteStore) (feature `sqlite`) keeps
//! them in an embedded database, [`MemoryStore`] in memory.

use std::sync::{Mutex, PoisonError};

use sha2::Digest;

use crate::Error;

/// A request's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Waiting for `cepces approve` / `cepces deny`.
    Pending,
    /// Issued.
    Issued,
    /// Denied by an administrator.
    Denied,
}

impl State {
    /// `pending`, `issued` or `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Issued => "issued",
            Self::Denied => "denied",
        }
    }

    /// The state named `s` as [`as_str`](Self::as_str) writes it.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "issued" => Some(Self::Issued),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Record {
    /// The request ID (`RequestID` on the wire).
    pub id: i64,
    /// When it arrived (seconds since 1970).
    pub received: i64,
    /// The authenticated caller.
    pub principal: String,
    /// The caller's groups.
    pub groups: Vec<String>,
    /// The template's `commonName`.
    pub template: String,
    /// The PKCS#10 (DER).
    pub csr: Vec<u8>,
    /// The record of the certificate this renews.
    pub renewal_of: Option<i64>,
    /// The state.
    pub state: State,
    /// The issued certificate (DER).
    pub certificate: Option<Vec<u8>>,
    /// Its serial number (hex).
    pub serial: Option<String>,
    /// Its `notAfter` (seconds since 1970).
    pub not_after: Option<i64>,
    /// A denial's HRESULT.
    pub hresult: Option<i64>,
    /// A denial's message.
    pub message: Option<String>,
    /// The request that renewed this certificate, once one did.
    pub superseded_by: Option<i64>,
}

/// A new request to record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewRequest<'a> {
    /// When it arrived.
    pub received: i64,
    /// The caller.
    pub principal: &'a str,
    /// Its groups.
    pub groups: &'a [String],
    /// The template.
    pub template: &'a str,
    /// The PKCS#10 (DER).
    pub csr: &'a [u8],
    /// The record renewed.
    pub renewal_of: Option<i64>,
}

/// An issued certificate to record.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Issued<'a> {
    /// DER.
    pub certificate: &'a [u8],
    /// Serial (hex).
    pub serial: &'a str,
    /// `notAfter`.
    pub not_after: i64,
}

/// The certificate [`RequestStore::insert_issued`]'s `make` gives: DER,
/// serial (hex) and `notAfter`.
pub type MadeCertificate = (Vec<u8>, String, i64);

/// Where the CA keeps its records. Every write is atomic and durable
/// when it returns: the server answers only after it.
pub trait RequestStore: Send + Sync + std::fmt::Debug {
    /// Records an issued request and returns its ID: `make` is called with
    /// the new ID while the record is written and gives the certificate;
    /// when it fails, no record remains. A renewal
    /// ([`NewRequest::renewal_of`]) marks the renewed record superseded.
    fn insert_issued(
        &self,
        request: &NewRequest<'_>,
        make: &mut dyn FnMut(i64) -> Result<MadeCertificate, Error>,
    ) -> Result<i64, Error>;
    /// Records a pending request; returns its ID.
    fn insert_pending(&self, request: &NewRequest<'_>) -> Result<i64, Error>;
    /// Marks a pending request issued (and the record it renews
    /// superseded). `false` when it is not pending.
    fn approve(&self, id: i64, issued: &Issued<'_>, now: i64) -> Result<bool, Error>;
    /// Marks a pending request denied. `false` when it is not pending.
    fn deny(&self, id: i64, hresult: i64, message: &str, now: i64) -> Result<bool, Error>;
    /// The request with ID `id`.
    fn get(&self, id: i64) -> Result<Option<Record>, Error>;
    /// The issued request whose certificate has serial `serial` (hex).
    fn by_serial(&self, serial: &str) -> Result<Option<Record>, Error>;
    /// The earliest request of `principal` for `template` with the same
    /// CSR (DER) received at or after `since` (seconds since 1970), if
    /// any.
    fn same_request(
        &self,
        csr: &[u8],
        principal: &str,
        template: &str,
        since: i64,
    ) -> Result<Option<Record>, Error>;
    /// An issued certificate on record, if any (to check that the records
    /// belong to the CA they are served with).
    fn any_certificate(&self) -> Result<Option<Vec<u8>>, Error>;
    /// Every request, oldest first.
    fn list(&self) -> Result<Vec<Record>, Error>;
}

/// SHA-256 of a CSR, hex: what finds the same request again.
pub fn csr_hash(csr: &[u8]) -> String {
    crate::pki::hex(&sha2::Sha256::digest(csr))
}

/// Records in memory, for tests and for embedders that keep their own
/// durable copy: nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<Vec<(Record, String)>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Record, String)>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn new_record(records: &[(Record, String)], r: &NewRequest<'_>) -> (Record, String) {
        let id = i64::try_from(records.len()).unwrap_or(i64::MAX - 1) + 1;
        (
            Record {
                id,
                received: r.received,
                principal: r.principal.to_owned(),
                groups: r.groups.to_vec(),
                template: r.template.to_owned(),
                csr: r.csr.to_vec(),
                renewal_of: r.renewal_of,
                state: State::Pending,
                certificate: None,
                serial: None,
                not_after: None,
                hresult: None,
                message: None,
                superseded_by: None,
            },
            csr_hash(r.csr),
        )
    }

    fn set_issued(records: &mut [(Record, String)], id: i64, issued: &Issued<'_>) {
        let renewed = records.iter_mut().find(|(r, _)| r.id == id).map(|(r, _)| {
            r.state = State::Issued;
            r.certificate = Some(issued.certificate.to_vec());
            r.serial = Some(issued.serial.to_owned());
            r.not_after = Some(issued.not_after);
            r.renewal_of
        });
        if let Some(Some(old)) = renewed
            && let Some((r, _)) = records.iter_mut().find(|(r, _)| r.id == old)
            && r.superseded_by.is_none()
        {
            r.superseded_by = Some(id);
        }
    }
}

impl RequestStore for MemoryStore {
    fn insert_issued(
        &self,
        request: &NewRequest<'_>,
        make: &mut dyn FnMut(i64) -> Result<MadeCertificate, Error>,
    ) -> Result<i64, Error> {
        let mut records = self.lock();
        let record = Self::new_record(&records, request);
        let id = record.0.id;
        let (certificate, serial, not_after) = make(id)?;
        records.push(record);
        Self::set_issued(
            &mut records,
            id,
            &Issued {
                certificate: &certificate,
                serial: &serial,
                not_after,
            },
        );
        Ok(id)
    }

    fn insert_pending(&self, request: &NewRequest<'_>) -> Result<i64, Error> {
        let mut records = self.lock();
        let record = Self::new_record(&records, request);
        let id = record.0.id;
        records.push(record);
        Ok(id)
    }

    fn approve(&self, id: i64, issued: &Issued<'_>, _now: i64) -> Result<bool, Error> {
        let mut records = self.lock();
        if !records
            .iter()
            .any(|(r, _)| r.id == id && r.state == State::Pending)
        {
            return Ok(false);
        }
        Self::set_issued(&mut records, id, issued);
        Ok(true)
    }

    fn deny(&self, id: i64, hresult: i64, message: &str, _now: i64) -> Result<bool, Error> {
        let mut records = self.lock();
        match records
            .iter_mut()
            .find(|(r, _)| r.id == id && r.state == State::Pending)
        {
            Some((r, _)) => {
                r.state = State::Denied;
                r.hresult = Some(hresult);
                r.message = Some(message.to_owned());
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn get(&self, id: i64) -> Result<Option<Record>, Error> {
        Ok(self
            .lock()
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(r, _)| r.clone()))
    }

    fn by_serial(&self, serial: &str) -> Result<Option<Record>, Error> {
        Ok(self
            .lock()
            .iter()
            .find(|(r, _)| r.serial.as_deref() == Some(serial))
            .map(|(r, _)| r.clone()))
    }

    fn same_request(
        &self,
        csr: &[u8],
        principal: &str,
        template: &str,
        since: i64,
    ) -> Result<Option<Record>, Error> {
        let hash = csr_hash(csr);
        Ok(self
            .lock()
            .iter()
            .find(|(r, h)| {
                *h == hash
                    && r.principal == principal
                    && r.template == template
                    && r.received >= since
            })
            .map(|(r, _)| r.clone()))
    }

    fn any_certificate(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.lock().iter().find_map(|(r, _)| r.certificate.clone()))
    }

    fn list(&self) -> Result<Vec<Record>, Error> {
        Ok(self.lock().iter().map(|(r, _)| r.clone()).collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) fn request(groups: &[String]) -> NewRequest<'_> {
        NewRequest {
            received: 100,
            principal: "alice",
            groups,
            template: "User",
            csr: b"csr",
            renewal_of: None,
        }
    }

    /// What every store must do with a repeated CSR and a renewal.
    pub(crate) fn same_csr_and_supersede(store: &dyn RequestStore) {
        same_csr_is_found_only_since(store);
        let first = store
            .insert_issued(&request(&[]), &mut |_| Ok((b"c1".to_vec(), "01".into(), 9)))
            .unwrap();
        assert_eq!(
            store
                .same_request(b"csr", "alice", "User", 0)
                .unwrap()
                .map(|r| r.id),
            Some(first)
        );
        assert!(
            store
                .same_request(b"csr", "bob", "User", 0)
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .same_request(b"other", "alice", "User", 0)
                .unwrap()
                .is_none()
        );
        let renewal = NewRequest {
            csr: b"csr2",
            renewal_of: Some(first),
            ..request(&[])
        };
        let second = store
            .insert_issued(&renewal, &mut |_| Ok((b"c2".to_vec(), "02".into(), 9)))
            .unwrap();
        assert_eq!(
            store.get(first).unwrap().unwrap().superseded_by,
            Some(second)
        );
        assert_eq!(store.get(second).unwrap().unwrap().superseded_by, None);
        // A pending renewal supersedes once approved.
        let third = store
            .insert_pending(&NewRequest {
                csr: b"csr3",
                renewal_of: Some(second),
                ..request(&[])
            })
            .unwrap();
        assert_eq!(store.get(second).unwrap().unwrap().superseded_by, None);
        let issued = Issued {
            certificate: b"c3",
            serial: "03",
            not_after: 9,
        };
        assert!(store.approve(third, &issued, 5).unwrap());
        assert_eq!(
            store.get(second).unwrap().unwrap().superseded_by,
            Some(third)
        );
    }

    /// A request received before `since` is not the same request.
    fn same_csr_is_found_only_since(store: &dyn RequestStore) {
        let id = store
            .insert_pending(&NewRequest {
                csr: b"old csr",
                ..request(&[])
            })
            .unwrap();
        let found = |since| {
            store
                .same_request(b"old csr", "alice", "User", since)
                .unwrap()
                .map(|r| r.id)
        };
        assert_eq!(found(100), Some(id));
        assert_eq!(found(101), None);
    }

    #[test]
    fn the_memory_store_keeps_what_a_store_keeps() {
        same_csr_and_supersede(&MemoryStore::new());
        let store = MemoryStore::new();
        let id = store.insert_pending(&request(&[])).unwrap();
        assert!(store.deny(id, -1, "no", 1).unwrap());
        assert!(!store.deny(id, -1, "again", 2).unwrap());
        assert_eq!(store.get(id).unwrap().unwrap().state, State::Denied);
        let failed = store.insert_issued(&request(&[]), &mut |_| Err(Error::Issuer("boom".into())));
        assert!(failed.is_err());
        assert_eq!(store.list().unwrap().len(), 1);
    }
}
