//! [`RequestStore`] in a PostgreSQL database (feature `postgres`), which
//! several server instances share: request IDs come from one sequence, a
//! request pended on one instance can be approved through another and
//! fetched through a third, and revocations and CRLs are the same for all.
//! Every write is one transaction, committed (PostgreSQL's
//! `synchronous_commit`, on by default) before the call returns.
//!
//! The schema is versioned: `schema_version` holds the migrations applied
//! ([`MIGRATIONS`]), each run once, under an advisory lock so that
//! instances starting together do not race.

use std::sync::{Mutex, MutexGuard, PoisonError};

use postgres::{Client, NoTls, Row};

use crate::Error;
use crate::store::{
    Counts, CrlReason, Issued, MadeCertificate, NewRequest, Record, RequestStore, Revocation,
    RevokeOutcome, Revoked, State, StoredCrl, csr_hash, groups_from_column, reason_code,
    reason_from_code,
};

/// The migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
pub const MIGRATIONS: [&str; 1] = ["
CREATE TABLE requests (
    id                BIGSERIAL PRIMARY KEY,
    received          BIGINT NOT NULL,
    principal         TEXT NOT NULL,
    groups            TEXT NOT NULL,
    template          TEXT NOT NULL,
    csr               BYTEA NOT NULL,
    csr_sha256        TEXT NOT NULL,
    renewal_of        BIGINT REFERENCES requests(id),
    state             TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'denied')),
    certificate       BYTEA,
    serial            TEXT UNIQUE,
    not_after         BIGINT,
    hresult           BIGINT,
    message           TEXT,
    decided           BIGINT,
    superseded_by     BIGINT REFERENCES requests(id),
    revoked_at        BIGINT,
    revocation_reason BIGINT
);
CREATE INDEX requests_csr ON requests (csr_sha256, principal, template);
CREATE INDEX requests_revoked ON requests (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE TABLE crls (
    number      BIGINT PRIMARY KEY,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    covers      TEXT NOT NULL,
    der         BYTEA NOT NULL
);
"];

/// An advisory lock key of our own (`cepces` in ASCII) for migrations.
const MIGRATION_LOCK: i64 = 0x6365_7063_6573;

/// The records in PostgreSQL, over one connection (reopened when it
/// breaks).
pub struct PostgresStore {
    config: String,
    client: Mutex<Option<Client>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection string may hold a password.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

/// The error, with the server's message and SQLSTATE when it gave one
/// (`postgres::Error` alone says only "db error").
fn db(e: postgres::Error) -> Error {
    match e.as_db_error() {
        Some(d) => Error::Store(format!("{} (SQLSTATE {})", d.message(), d.code().code()).into()),
        None => Error::Store(Box::new(e)),
    }
}

const SELECT: &str = "SELECT id, received, principal, groups, template, csr, renewal_of, state,
    certificate, serial, not_after, hresult, message, superseded_by, revoked_at,
    revocation_reason FROM requests";

impl PostgresStore {
    /// Connects with `config` (a libpq connection string or URL:
    /// `host=/run/postgresql dbname=cepces user=cepces`, no TLS: a local
    /// socket or a protected network) and applies the migrations this
    /// database lacks. Must not be called on an async runtime's thread
    /// (the blocking pool is fine).
    pub fn open(config: &str) -> Result<Self, Error> {
        let mut client = Client::connect(config, NoTls).map_err(db)?;
        migrate(&mut client)?;
        Ok(Self {
            config: config.to_owned(),
            client: Mutex::new(Some(client)),
        })
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<i32, Error> {
        self.with(|c| {
            c.query_one("SELECT max(version) FROM schema_version", &[])
                .map(|r| r.get::<_, Option<i32>>(0).unwrap_or(0))
        })
    }

    fn lock(&self) -> MutexGuard<'_, Option<Client>> {
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the connection. A connection found broken (the server
    /// restarted, a failover, an idle timeout) is opened again and `f`
    /// run once more: what `f` does is one transaction, which PostgreSQL
    /// rolls back when its connection ends before the commit.
    fn with<T>(
        &self,
        mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, Error> {
        let mut guard = self.lock();
        let client = self.connected(&mut guard)?;
        match f(client) {
            Err(_) if client.is_closed() => {
                *guard = None;
                let client = self.connected(&mut guard)?;
                f(client).map_err(db)
            }
            result => result.map_err(db),
        }
    }

    /// The connection, opened again when there is none or it is closed.
    fn connected<'g>(&self, guard: &'g mut Option<Client>) -> Result<&'g mut Client, Error> {
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(Client::connect(&self.config, NoTls).map_err(db)?);
        }
        guard
            .as_mut()
            .ok_or_else(|| Error::Store("no connection".into()))
    }
}

/// Applies the migrations `client`'s database lacks, one transaction each.
fn migrate(client: &mut Client) -> Result<(), Error> {
    let mut tx = client.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
        .map_err(db)?;
    let current: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
        .map_err(db)?
        .get(0);
    let known = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
    if current > known {
        return Err(Error::Config(format!(
            "the database has schema version {current}, newer than this cepces knows ({known})"
        )));
    }
    for (version, sql) in (1..)
        .zip(MIGRATIONS.iter())
        .skip(usize::try_from(current).unwrap_or(0))
    {
        tx.batch_execute(sql).map_err(db)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&version],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

fn insert(tx: &mut postgres::Transaction<'_>, r: &NewRequest<'_>) -> Result<i64, postgres::Error> {
    let groups = r.groups.join("\n");
    let hash = csr_hash(r.csr);
    tx.query_one(
        "INSERT INTO requests (received, principal, groups, template, csr, csr_sha256,
         renewal_of, state) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') RETURNING id",
        &[
            &r.received,
            &r.principal,
            &groups,
            &r.template,
            &r.csr,
            &hash,
            &r.renewal_of,
        ],
    )
    .map(|row| row.get(0))
}

fn set_issued(
    tx: &mut postgres::Transaction<'_>,
    id: i64,
    issued: &Issued<'_>,
    now: i64,
) -> Result<(), postgres::Error> {
    tx.execute(
        "UPDATE requests SET state = 'issued', certificate = $2, serial = $3, not_after = $4,
         decided = $5 WHERE id = $1",
        &[
            &id,
            &issued.certificate,
            &issued.serial,
            &issued.not_after,
            &now,
        ],
    )?;
    tx.execute(
        "UPDATE requests SET superseded_by = $1
         WHERE id = (SELECT renewal_of FROM requests WHERE id = $1) AND superseded_by IS NULL",
        &[&id],
    )?;
    Ok(())
}

fn record(row: &Row) -> Result<Record, postgres::Error> {
    let groups: String = row.try_get(3)?;
    let state: String = row.try_get(7)?;
    let revoked_at: Option<i64> = row.try_get(14)?;
    let reason: Option<i64> = row.try_get(15)?;
    Ok(Record {
        id: row.try_get(0)?,
        received: row.try_get(1)?,
        principal: row.try_get(2)?,
        groups: groups_from_column(&groups),
        template: row.try_get(4)?,
        csr: row.try_get(5)?,
        renewal_of: row.try_get(6)?,
        // The column's CHECK admits only the three states.
        state: State::parse(&state).unwrap_or(State::Denied),
        certificate: row.try_get(8)?,
        serial: row.try_get(9)?,
        not_after: row.try_get(10)?,
        hresult: row.try_get(11)?,
        message: row.try_get(12)?,
        superseded_by: row.try_get(13)?,
        revoked: Revocation::from_columns(revoked_at, reason),
    })
}

fn one(rows: &[Row]) -> Result<Option<Record>, postgres::Error> {
    rows.first().map(record).transpose()
}

impl RequestStore for PostgresStore {
    fn insert_issued(
        &self,
        request: &NewRequest<'_>,
        make: &mut dyn FnMut(i64) -> Result<MadeCertificate, Error>,
    ) -> Result<i64, Error> {
        let mut guard = self.lock();
        // `make` signs once: find a broken connection before, not after.
        if guard
            .as_mut()
            .is_some_and(|c| c.is_valid(std::time::Duration::from_secs(5)).is_err())
        {
            *guard = None;
        }
        let client = self.connected(&mut guard)?;
        let mut tx = client.transaction().map_err(db)?;
        let id = insert(&mut tx, request).map_err(db)?;
        // `make`'s error drops the transaction: no record remains.
        let (certificate, serial, not_after) = make(id)?;
        let issued = Issued {
            certificate: &certificate,
            serial: &serial,
            not_after,
        };
        set_issued(&mut tx, id, &issued, request.received).map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(id)
    }

    fn insert_pending(&self, request: &NewRequest<'_>) -> Result<i64, Error> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let id = insert(&mut tx, request)?;
            tx.commit()?;
            Ok(id)
        })
    }

    fn approve(&self, id: i64, issued: &Issued<'_>, now: i64) -> Result<bool, Error> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let pending = tx.query_opt(
                "SELECT 1 FROM requests WHERE id = $1 AND state = 'pending' FOR UPDATE",
                &[&id],
            )?;
            if pending.is_none() {
                return Ok(false);
            }
            set_issued(&mut tx, id, issued, now)?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn deny(&self, id: i64, hresult: i64, message: &str, now: i64) -> Result<bool, Error> {
        self.with(|c| {
            c.execute(
                "UPDATE requests SET state = 'denied', hresult = $2, message = $3, decided = $4
                 WHERE id = $1 AND state = 'pending'",
                &[&id, &hresult, &message, &now],
            )
            .map(|n| n == 1)
        })
    }

    fn get(&self, id: i64) -> Result<Option<Record>, Error> {
        self.with(|c| one(&c.query(&format!("{SELECT} WHERE id = $1"), &[&id])?))
    }

    fn by_serial(&self, serial: &str) -> Result<Option<Record>, Error> {
        self.with(|c| one(&c.query(&format!("{SELECT} WHERE serial = $1"), &[&serial])?))
    }

    fn same_request(
        &self,
        csr: &[u8],
        principal: &str,
        template: &str,
        since: i64,
    ) -> Result<Option<Record>, Error> {
        let hash = csr_hash(csr);
        self.with(|c| {
            one(&c.query(
                &format!(
                    "{SELECT} WHERE csr_sha256 = $1 AND principal = $2 AND template = $3
                     AND received >= $4 ORDER BY id LIMIT 1"
                ),
                &[&hash, &principal, &template, &since],
            )?)
        })
    }

    fn any_certificate(&self) -> Result<Option<Vec<u8>>, Error> {
        self.with(|c| {
            c.query_opt(
                "SELECT certificate FROM requests WHERE certificate IS NOT NULL ORDER BY id LIMIT 1",
                &[],
            )
            .map(|r| r.map(|r| r.get(0)))
        })
    }

    fn list(&self) -> Result<Vec<Record>, Error> {
        self.with(|c| {
            c.query(&format!("{SELECT} ORDER BY id"), &[])?
                .iter()
                .map(record)
                .collect()
        })
    }

    fn counts(&self) -> Result<Counts, Error> {
        self.with(|c| {
            let rows = c.query("SELECT state, count(*) FROM requests GROUP BY state", &[])?;
            Ok(Counts::from_rows(rows.iter().map(|r| {
                (r.get::<_, String>(0), r.get::<_, i64>(1).unsigned_abs())
            })))
        })
    }

    fn revoke(&self, serial: &str, reason: CrlReason, at: i64) -> Result<RevokeOutcome, Error> {
        let code = reason_code(reason);
        self.with(|c| {
            let mut tx = c.transaction()?;
            let Some(row) = tx.query_opt(
                "SELECT revoked_at, revocation_reason FROM requests
                 WHERE serial = $1 AND state = 'issued' FOR UPDATE",
                &[&serial],
            )?
            else {
                return Ok(RevokeOutcome::NotIssued);
            };
            if let Some(earlier) = Revocation::from_columns(row.get(0), row.get(1))
                && earlier.stands_against(reason)
            {
                return Ok(RevokeOutcome::AlreadyRevoked(earlier));
            }
            tx.execute(
                "UPDATE requests SET revoked_at = $2, revocation_reason = $3 WHERE serial = $1",
                &[&serial, &at, &code],
            )?;
            tx.commit()?;
            Ok(RevokeOutcome::Revoked)
        })
    }

    fn release(&self, serial: &str) -> Result<bool, Error> {
        let hold = reason_code(CrlReason::CertificateHold);
        self.with(|c| {
            c.execute(
                "UPDATE requests SET revoked_at = NULL, revocation_reason = NULL
                 WHERE serial = $1 AND revocation_reason = $2",
                &[&serial, &hold],
            )
            .map(|n| n == 1)
        })
    }

    fn revoked(&self, now: i64) -> Result<Vec<Revoked>, Error> {
        self.with(|c| {
            let rows = c.query(
                "SELECT serial, not_after, revoked_at, revocation_reason FROM requests
                 WHERE revoked_at IS NOT NULL AND not_after > $1 ORDER BY serial",
                &[&now],
            )?;
            rows.iter()
                .map(|r| {
                    let code: i64 = r.try_get(3)?;
                    Ok(Revoked {
                        serial: r.try_get(0)?,
                        not_after: r.try_get(1)?,
                        revocation: Revocation::new(
                            r.try_get(2)?,
                            reason_from_code(code).unwrap_or(CrlReason::Unspecified),
                        ),
                    })
                })
                .collect()
        })
    }

    fn latest_crl(&self) -> Result<Option<StoredCrl>, Error> {
        self.with(|c| {
            c.query_opt(
                "SELECT number, this_update, next_update, covers, der FROM crls
                 ORDER BY number DESC LIMIT 1",
                &[],
            )
            .map(|r| r.map(|r| StoredCrl::new(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
        })
    }

    fn add_crl(&self, crl: &StoredCrl) -> Result<bool, Error> {
        self.with(|c| {
            c.execute(
                "INSERT INTO crls (number, this_update, next_update, covers, der)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO NOTHING",
                &[
                    &crl.number,
                    &crl.this_update,
                    &crl.next_update,
                    &crl.covers,
                    &crl.der,
                ],
            )
            .map(|n| n == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keeps_what_a_store_keeps_shared_by_two_connections() {
        let Some(pg) = testkit::postgres::Postgres::start() else {
            return;
        };
        pg.create_database("cepces");
        let config = pg.config("cepces");
        crate::store::tests::same_csr_and_supersede(&PostgresStore::open(&config).unwrap());
        // A second database for the revocation checks, which count what
        // is revoked.
        pg.create_database("revocations");
        let one = PostgresStore::open(&pg.config("revocations")).unwrap();
        let two = PostgresStore::open(&pg.config("revocations")).unwrap();
        assert_eq!(two.schema_version().unwrap(), 1);
        crate::store::tests::revocations(&one);
        // What one instance wrote, the other reads: records, revocations,
        // CRLs; IDs come from one sequence.
        assert_eq!(
            two.by_serial("0A").unwrap().unwrap().revoked,
            Some(Revocation::new(12, CrlReason::KeyCompromise))
        );
        assert_eq!(two.latest_crl().unwrap().map(|c| c.number), Some(2));
        assert!(!two.add_crl(&one.latest_crl().unwrap().unwrap()).unwrap());
        let a = one
            .insert_pending(&crate::store::tests::request(&[]))
            .unwrap();
        let b = two
            .insert_pending(&crate::store::tests::request(&[]))
            .unwrap();
        assert_eq!(b, a + 1);
        let issued = Issued {
            certificate: b"c",
            serial: "0C",
            not_after: 99,
        };
        assert!(two.approve(a, &issued, 7).unwrap());
        assert!(!one.approve(a, &issued, 8).unwrap());
        assert_eq!(one.get(a).unwrap().unwrap().state, State::Issued);
        // A failed issue leaves no record.
        let before = one.list().unwrap().len();
        let failed = one.insert_issued(&crate::store::tests::request(&[]), &mut |_| {
            Err(Error::Issuer("boom".into()))
        });
        assert!(failed.is_err());
        assert_eq!(two.list().unwrap().len(), before);
        // Migrations run once: opening again changes nothing.
        drop(PostgresStore::open(&pg.config("revocations")).unwrap());
        assert_eq!(
            pg.psql("revocations", "SELECT count(*) FROM schema_version"),
            "1\n"
        );
    }

    #[test]
    fn a_database_newer_than_this_build_is_refused() {
        let Some(pg) = testkit::postgres::Postgres::start() else {
            return;
        };
        pg.create_database("newer");
        drop(PostgresStore::open(&pg.config("newer")).unwrap());
        pg.psql("newer", "INSERT INTO schema_version VALUES (99)");
        let e = PostgresStore::open(&pg.config("newer")).unwrap_err();
        assert!(matches!(e, Error::Config(ref m) if m.contains("99")), "{e}");
    }
}
