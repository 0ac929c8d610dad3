//! The CA's records: every request the CA accepted for a decision, with
//! its state, behind [`RequestStore`]. A record is durable before the
//! answer that names its request ID goes out, so a crash or restart loses
//! no acknowledged request or issued certificate.
//! [`SqliteStore`](crate::sqlite::SqliteStore) (feature `sqlite`) keeps
//! them in an embedded database, [`MemoryStore`] in memory.

use std::sync::{Mutex, PoisonError};

use sha2::Digest;
pub use x509_cert::ext::pkix::crl::CrlReason;

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
    /// The certificate's revocation, once it is revoked (or on hold).
    pub revoked: Option<Revocation>,
}

/// When and why a certificate was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revocation {
    /// When (seconds since 1970): the CRL entry's `revocationDate`.
    pub at: i64,
    /// Why (RFC 5280 §5.3.1); `certificateHold` can be released.
    pub reason: CrlReason,
}

impl Revocation {
    /// Revoked at `at` for `reason`.
    pub fn new(at: i64, reason: CrlReason) -> Self {
        Self { at, reason }
    }

    /// The revocation a store keeps as two columns (`revoked_at`, the
    /// reason code), if both are set; an unknown code reads as
    /// `unspecified`.
    pub fn from_columns(at: Option<i64>, code: Option<i64>) -> Option<Self> {
        match (at, code) {
            (Some(at), Some(code)) => Some(Self::new(
                at,
                reason_from_code(code).unwrap_or(CrlReason::Unspecified),
            )),
            _ => None,
        }
    }

    /// Whether this (earlier) revocation stands against a new one for
    /// `reason`: always, unless it is a hold that `reason` makes final.
    pub fn stands_against(self, reason: CrlReason) -> bool {
        self.reason != CrlReason::CertificateHold || reason == CrlReason::CertificateHold
    }
}

/// The groups a store keeps in one column, a line each.
pub fn groups_from_column(column: &str) -> Vec<String> {
    column
        .split('\n')
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A revoked certificate, as a CRL lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revoked {
    /// Its serial number (hex).
    pub serial: String,
    /// Its `notAfter`: a CRL need not list it after that.
    pub not_after: i64,
    /// When and why.
    pub revocation: Revocation,
}

/// What [`RequestStore::revoke`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevokeOutcome {
    /// Revoked now (or a hold made final with another reason).
    Revoked,
    /// It was revoked before (the earlier revocation stands).
    AlreadyRevoked(Revocation),
    /// No issued certificate has this serial.
    NotIssued,
}

/// A CRL as the store keeps it: the newest one is served, and a new one
/// is signed when the revocations change or its `nextUpdate` nears.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredCrl {
    /// Its `cRLNumber` (RFC 5280 §5.2.3): one more than the one before.
    pub number: i64,
    /// `thisUpdate` (seconds since 1970).
    pub this_update: i64,
    /// `nextUpdate`.
    pub next_update: i64,
    /// A digest of the revocations it lists ([`revocations_digest`]).
    pub covers: String,
    /// The CRL (DER).
    pub der: Vec<u8>,
}

impl StoredCrl {
    /// CRL number `number` for `this_update`..`next_update`, listing the
    /// revocations of digest `covers`.
    pub fn new(
        number: i64,
        this_update: i64,
        next_update: i64,
        covers: String,
        der: Vec<u8>,
    ) -> Self {
        Self {
            number,
            this_update,
            next_update,
            covers,
            der,
        }
    }
}

/// The code of `reason` (RFC 5280 §5.3.1), as stores keep it.
pub fn reason_code(reason: CrlReason) -> i64 {
    i64::from(reason as u32)
}

/// The name RFC 5280 §5.3.1 gives `reason` (`keyCompromise`).
pub fn reason_name(reason: CrlReason) -> &'static str {
    match reason {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

/// The reason of code `code`.
pub fn reason_from_code(code: i64) -> Option<CrlReason> {
    Some(match code {
        0 => CrlReason::Unspecified,
        1 => CrlReason::KeyCompromise,
        2 => CrlReason::CaCompromise,
        3 => CrlReason::AffiliationChanged,
        4 => CrlReason::Superseded,
        5 => CrlReason::CessationOfOperation,
        6 => CrlReason::CertificateHold,
        8 => CrlReason::RemoveFromCRL,
        9 => CrlReason::PrivilegeWithdrawn,
        10 => CrlReason::AaCompromise,
        _ => return None,
    })
}

/// A digest of `revoked` (serials, dates and reasons, in serial order):
/// a CRL that covers another digest is out of date.
pub fn revocations_digest(revoked: &[Revoked]) -> String {
    let mut sorted: Vec<&Revoked> = revoked.iter().collect();
    sorted.sort_by(|a, b| a.serial.cmp(&b.serial));
    let mut hash = sha2::Sha256::new();
    for r in sorted {
        hash.update(r.serial.as_bytes());
        hash.update(b"\0");
        hash.update(r.revocation.at.to_be_bytes());
        hash.update(reason_code(r.revocation.reason).to_be_bytes());
    }
    crate::pki::hex(&hash.finalize())
}

/// How many requests are in each state ([`RequestStore::counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Waiting for a decision.
    pub pending: u64,
    /// Issued.
    pub issued: u64,
    /// Denied.
    pub denied: u64,
}

impl Counts {
    /// Counts of a state named by [`State::as_str`].
    fn add(&mut self, state: &str, n: u64) {
        match State::parse(state) {
            Some(State::Pending) => self.pending += n,
            Some(State::Issued) => self.issued += n,
            Some(State::Denied) => self.denied += n,
            None => {}
        }
    }

    /// From `(state, count)` rows, as `GROUP BY state` gives them.
    pub fn from_rows(rows: impl IntoIterator<Item = (String, u64)>) -> Self {
        let mut counts = Self::default();
        for (state, n) in rows {
            counts.add(&state, n);
        }
        counts
    }
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
    /// How many requests are pending, issued and denied. By default
    /// counted from [`list`](Self::list); a database counts them itself.
    fn counts(&self) -> Result<Counts, Error> {
        let mut counts = Counts::default();
        for r in self.list()? {
            match r.state {
                State::Pending => counts.pending += 1,
                State::Issued => counts.issued += 1,
                State::Denied => counts.denied += 1,
            }
        }
        Ok(counts)
    }
    /// Revokes the issued certificate with serial `serial` (hex) at `at`
    /// for `reason`. A certificate on hold can be revoked again with
    /// another reason (the hold becomes final); otherwise the first
    /// revocation stands.
    fn revoke(&self, serial: &str, reason: CrlReason, at: i64) -> Result<RevokeOutcome, Error>;
    /// Takes the certificate with serial `serial` off hold. `false` when
    /// it is not on hold.
    fn release(&self, serial: &str) -> Result<bool, Error>;
    /// Every revoked certificate whose `notAfter` is after `now`.
    fn revoked(&self, now: i64) -> Result<Vec<Revoked>, Error>;
    /// The CRL with the highest number, if any.
    fn latest_crl(&self) -> Result<Option<StoredCrl>, Error>;
    /// Stores a new CRL. `false` when one with its number exists (another
    /// server instance signed it first).
    fn add_crl(&self, crl: &StoredCrl) -> Result<bool, Error>;
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
    crls: Mutex<Vec<StoredCrl>>,
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
                revoked: None,
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

    fn revoke(&self, serial: &str, reason: CrlReason, at: i64) -> Result<RevokeOutcome, Error> {
        let mut records = self.lock();
        let Some((r, _)) = records
            .iter_mut()
            .find(|(r, _)| r.state == State::Issued && r.serial.as_deref() == Some(serial))
        else {
            return Ok(RevokeOutcome::NotIssued);
        };
        Ok(match r.revoked {
            Some(earlier) if earlier.stands_against(reason) => {
                RevokeOutcome::AlreadyRevoked(earlier)
            }
            _ => {
                r.revoked = Some(Revocation::new(at, reason));
                RevokeOutcome::Revoked
            }
        })
    }

    fn release(&self, serial: &str) -> Result<bool, Error> {
        let mut records = self.lock();
        Ok(
            match records.iter_mut().find(|(r, _)| {
                r.serial.as_deref() == Some(serial)
                    && r.revoked
                        .is_some_and(|v| v.reason == CrlReason::CertificateHold)
            }) {
                Some((r, _)) => {
                    r.revoked = None;
                    true
                }
                None => false,
            },
        )
    }

    fn revoked(&self, now: i64) -> Result<Vec<Revoked>, Error> {
        Ok(self
            .lock()
            .iter()
            .filter_map(|(r, _)| {
                Some(Revoked {
                    serial: r.serial.clone()?,
                    not_after: r.not_after.filter(|t| *t > now)?,
                    revocation: r.revoked?,
                })
            })
            .collect())
    }

    fn latest_crl(&self) -> Result<Option<StoredCrl>, Error> {
        let crls = self.crls.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(crls.iter().max_by_key(|c| c.number).cloned())
    }

    fn add_crl(&self, crl: &StoredCrl) -> Result<bool, Error> {
        let mut crls = self.crls.lock().unwrap_or_else(PoisonError::into_inner);
        if crls.iter().any(|c| c.number == crl.number) {
            return Ok(false);
        }
        crls.push(crl.clone());
        Ok(true)
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

    /// What every store must do with revocations and CRLs.
    pub(crate) fn revocations(store: &dyn RequestStore) {
        let first = store
            .insert_issued(&request(&[]), &mut |_| {
                Ok((b"r1".to_vec(), "0A".into(), 50))
            })
            .unwrap();
        store
            .insert_issued(
                &NewRequest {
                    csr: b"csr-b",
                    ..request(&[])
                },
                &mut |_| Ok((b"r2".to_vec(), "0B".into(), 500)),
            )
            .unwrap();
        let pending = store
            .insert_pending(&NewRequest {
                csr: b"csr-c",
                ..request(&[])
            })
            .unwrap();
        assert_eq!(
            store.revoke("FF", CrlReason::KeyCompromise, 10).unwrap(),
            RevokeOutcome::NotIssued
        );
        assert!(store.get(pending).unwrap().unwrap().revoked.is_none());
        // On hold, released, held again, then revoked for good.
        assert_eq!(
            store.revoke("0A", CrlReason::CertificateHold, 10).unwrap(),
            RevokeOutcome::Revoked
        );
        assert!(store.release("0A").unwrap());
        assert!(!store.release("0A").unwrap());
        assert!(store.get(first).unwrap().unwrap().revoked.is_none());
        store.revoke("0A", CrlReason::CertificateHold, 11).unwrap();
        assert_eq!(
            store.revoke("0A", CrlReason::KeyCompromise, 12).unwrap(),
            RevokeOutcome::Revoked
        );
        let final_one = Revocation::new(12, CrlReason::KeyCompromise);
        assert_eq!(
            store.revoke("0A", CrlReason::Superseded, 13).unwrap(),
            RevokeOutcome::AlreadyRevoked(final_one)
        );
        assert!(!store.release("0A").unwrap());
        assert_eq!(
            store.by_serial("0A").unwrap().unwrap().revoked,
            Some(final_one)
        );
        store.revoke("0B", CrlReason::Unspecified, 14).unwrap();
        let listed = store.revoked(20).unwrap();
        assert_eq!(listed.len(), 2);
        // 0A's notAfter (50) has passed at 60: a CRL need not list it.
        let later = store.revoked(60).unwrap();
        assert_eq!(
            later.iter().map(|r| r.serial.as_str()).collect::<Vec<_>>(),
            ["0B"]
        );
        assert_ne!(revocations_digest(&listed), revocations_digest(&later));
        let mut reversed = listed.clone();
        reversed.reverse();
        assert_eq!(revocations_digest(&listed), revocations_digest(&reversed));
        // CRLs: the highest number is the latest; a number is taken once.
        assert_eq!(store.latest_crl().unwrap(), None);
        let crl = |n| StoredCrl::new(n, 20, 30, "d".into(), vec![0x30, 0]);
        assert!(store.add_crl(&crl(1)).unwrap());
        assert!(store.add_crl(&crl(2)).unwrap());
        assert!(!store.add_crl(&crl(2)).unwrap());
        assert_eq!(store.latest_crl().unwrap().map(|c| c.number), Some(2));
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
        revocations(&MemoryStore::new());
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
