//! [`RequestStore`] in an embedded SQLite database (feature `sqlite`;
//! `cepces.db` in `cepces serve`'s state directory).

use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::Thread;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::Error;
use crate::store::{
    Counts, CrlReason, Issued, MadeCertificate, NewRequest, Record, RequestStore, Revocation,
    RevokeOutcome, Revoked, State, StoredCrl, csr_hash, groups_from_column, reason_code,
    reason_from_code,
};

/// The records in an SQLite database file, written with WAL and
/// `synchronous=FULL`: each write is committed to disk when it returns.
///
/// New requests are written with group commit: enrollments that arrive
/// while a commit is on its way to the disk are written into one
/// transaction on a connection of their own, committed together (one disk
/// sync for all of them), and each returns only once that commit has, so
/// nothing is acknowledged that is not on disk. Reads and the other writes
/// use the first connection, and so never see an uncommitted request.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    writer: Mutex<Batch>,
    turn: Condvar,
}

/// The group-commit writer's state.
#[derive(Debug)]
struct Batch {
    /// The writer's connection; `None` while a COMMIT runs (without the
    /// lock, so that the next batch can gather).
    conn: Option<Connection>,
    /// A transaction is open on it.
    open: bool,
    /// The number of the open (or last) batch.
    number: u64,
    /// Writes in the open batch.
    size: usize,
    /// The ID the next new row of the open batch gets, once a write of the
    /// batch has inserted one: the row after it (the batch holds the
    /// database's write lock, so no other row comes between).
    next_id: Option<i64>,
    /// The last batch whose COMMIT returned.
    committed: u64,
    /// Writers waiting for the connection (a COMMIT is under way).
    waiting: usize,
    /// The writers of the open batch waiting for its COMMIT; its
    /// committer tells each, and wakes it, without their taking this lock
    /// again.
    members: Vec<Arc<Member>>,
}

/// A writer of an open batch, told the outcome of its COMMIT.
#[derive(Debug)]
struct Member {
    /// [`PENDING`], [`COMMITTED`] or [`FAILED`].
    state: AtomicU8,
    /// Why the COMMIT failed.
    error: OnceLock<String>,
    /// The writer's thread, unparked once `state` is set.
    thread: Thread,
}

/// A [`Member`]'s batch is not committed yet.
const PENDING: u8 = 0;
/// A [`Member`]'s batch is on disk.
const COMMITTED: u8 = 1;
/// A [`Member`]'s batch failed to commit: nothing of it is kept.
const FAILED: u8 = 2;

impl Member {
    /// Waits (parked) for the outcome of the batch's COMMIT.
    fn wait(&self) -> Result<(), Error> {
        loop {
            match self.state.load(Ordering::Acquire) {
                COMMITTED => return Ok(()),
                FAILED => {
                    let why = self.error.get().map_or("COMMIT failed", String::as_str);
                    return Err(Error::Store(why.to_owned().into()));
                }
                // A spurious or early wake-up parks again; an unpark that
                // came before the park makes it return at once.
                _ => std::thread::park(),
            }
        }
    }

    /// Tells the writer the outcome and wakes it.
    fn tell(&self, result: &Result<(), String>) {
        let state = match result {
            Ok(()) => COMMITTED,
            Err(e) => {
                let _ = self.error.set(e.clone());
                FAILED
            }
        };
        self.state.store(state, Ordering::Release);
        self.thread.unpark();
    }
}

/// At most this many writes share a commit, so that a steady stream of
/// requests cannot hold one open for ever.
const MAX_BATCH: usize = 64;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received    INTEGER NOT NULL,
    principal   TEXT NOT NULL,
    groups      TEXT NOT NULL,
    template    TEXT NOT NULL,
    csr         BLOB NOT NULL,
    renewal_of  INTEGER REFERENCES requests(id),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'denied')),
    certificate BLOB,
    serial      TEXT UNIQUE,
    not_after   INTEGER,
    hresult     INTEGER,
    message     TEXT,
    decided     INTEGER
);
CREATE TABLE IF NOT EXISTS crls (
    number      INTEGER PRIMARY KEY,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    covers      TEXT NOT NULL,
    der         BLOB NOT NULL
);
";

/// Columns added since the first schema, for databases made before.
const MIGRATIONS: [(&str, &str); 4] = [
    // SHA-256 of the CSR: the same request sent again (a client that
    // lost our answer) gets the same record, not a second certificate.
    (
        "csr_sha256",
        "ALTER TABLE requests ADD COLUMN csr_sha256 TEXT",
    ),
    // The renewal that replaced this certificate.
    (
        "superseded_by",
        "ALTER TABLE requests ADD COLUMN superseded_by INTEGER REFERENCES requests(id)",
    ),
    // Revocation: when, and the RFC 5280 reason code.
    (
        "revoked_at",
        "ALTER TABLE requests ADD COLUMN revoked_at INTEGER",
    ),
    (
        "revocation_reason",
        "ALTER TABLE requests ADD COLUMN revocation_reason INTEGER",
    ),
];

impl SqliteStore {
    /// Opens (or creates) the database at `path`. A new database file is
    /// made readable by its owner only (SQLite gives its journal files the
    /// same mode). A database that cannot be written is an error now, not
    /// at the first enrollment.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        create_private_empty(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(e.to_string()),
            )
        })?;
        let store = Self::setup(Connection::open(path)?)?;
        let writer = Connection::open(path)?;
        writer.busy_timeout(std::time::Duration::from_secs(10))?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        store.writer_lock().conn = Some(writer);
        Ok(store)
    }

    fn setup(conn: Connection) -> rusqlite::Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        for (column, sql) in MIGRATIONS {
            let exists: bool = conn.query_row(
                "SELECT count(*) > 0 FROM pragma_table_info('requests') WHERE name = ?1",
                [column],
                |r| r.get(0),
            )?;
            if !exists {
                conn.execute_batch(sql)?;
            }
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS requests_csr ON requests(csr_sha256, principal, template)",
        )?;
        // A database we may read but not write would fail every
        // enrollment later: find out now (a write that changes nothing).
        conn.execute_batch("BEGIN IMMEDIATE; UPDATE requests SET id = id WHERE 0; COMMIT")?;
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("the database is read-only".into()),
            ));
        }
        Ok(Self {
            conn: Mutex::new(conn),
            writer: Mutex::new(Batch {
                conn: None,
                open: false,
                number: 0,
                size: 0,
                next_id: None,
                committed: 0,
                waiting: 0,
                members: Vec::new(),
            }),
            turn: Condvar::new(),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written
        // record (every write is one transaction), so the data is usable.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The record whose `column` is `value`, by a statement prepared once.
    fn one(&self, column: &str, value: impl rusqlite::ToSql) -> Result<Option<Record>, Error> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!("{SELECT} WHERE {column} = ?1"))
            .map_err(db)?;
        statement.query_row([value], record).optional().map_err(db)
    }

    fn writer_lock(&self) -> MutexGuard<'_, Batch> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `write`, which inserts one request, in the open batch (a
    /// savepoint of its own: a failed write leaves the others), and returns
    /// once the batch is committed. `write` is given the ID its row gets
    /// when an earlier write of the batch has told it. The last writer of a
    /// batch, the one no other writer waits behind, commits it.
    fn grouped<T>(
        &self,
        write: impl FnOnce(&Connection, Option<i64>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut b = self.writer_lock();
        b.waiting += 1;
        while b.conn.is_none() {
            b = self.turn.wait(b).unwrap_or_else(PoisonError::into_inner);
        }
        b.waiting -= 1;
        if !b.open {
            b.conn
                .as_ref()
                .ok_or_else(writer_gone)?
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(db)?;
            b.open = true;
            b.number += 1;
            b.size = 0;
            b.next_id = None;
        }
        b.size += 1;
        let my = b.number;
        let next_id = b.next_id.take();
        let conn = b.conn.as_ref().ok_or_else(writer_gone)?;
        // Statements prepared once: every write of every batch runs them.
        let run = |sql: &str| {
            conn.prepare_cached(sql)
                .and_then(|mut s| s.execute([]))
                .map_err(db)
        };
        let out = run("SAVEPOINT request").and_then(|_| {
            let out = write(conn, next_id);
            let end = if out.is_ok() {
                run("RELEASE request")
            } else {
                run("ROLLBACK TO request").and_then(|_| run("RELEASE request"))
            };
            end.and(out)
        });
        // A write undone leaves the count unknown: the next one reads it.
        b.next_id = out.is_ok().then(|| conn.last_insert_rowid() + 1);
        if b.waiting > 0 && b.size < MAX_BATCH && out.is_ok() {
            // A writer waits behind this one: it (or the last after it)
            // commits, and tells this one.
            let me = Arc::new(Member {
                state: AtomicU8::new(PENDING),
                error: OnceLock::new(),
                thread: std::thread::current(),
            });
            b.members.push(Arc::clone(&me));
            drop(b);
            return me.wait().and(out);
        }
        // The last of the batch, or a failure (whose savepoint may be in an
        // unknown state): commit what the batch holds.
        self.commit(b, my).and(out)
    }

    /// Commits batch `my` without holding the lock (writers arriving
    /// meanwhile gather for the next one), then tells its writers.
    fn commit(&self, mut b: MutexGuard<'_, Batch>, my: u64) -> Result<(), Error> {
        let conn = b.conn.take().ok_or_else(writer_gone)?;
        let members = std::mem::take(&mut b.members);
        drop(b);
        let result = conn.execute_batch("COMMIT").map_err(|e| e.to_string());
        if result.is_err() {
            // Nothing of the batch is kept: none of its writers is told
            // otherwise.
            let _ = conn.execute_batch("ROLLBACK");
        }
        let mut b = self.writer_lock();
        b.conn = Some(conn);
        b.open = false;
        b.committed = my;
        // Only the writers waiting for the connection take the lock again.
        if b.waiting > 0 {
            self.turn.notify_all();
        }
        drop(b);
        for m in &members {
            m.tell(&result);
        }
        result.map_err(|e| Error::Store(e.into()))
    }
}

/// The group-commit writer's connection is missing (a bug, not an I/O
/// failure: it is only ever taken for a COMMIT and put back).
fn writer_gone() -> Error {
    Error::Store("the writer connection is gone".into())
}

fn db(e: rusqlite::Error) -> Error {
    Error::Store(Box::new(e))
}

impl RequestStore for SqliteStore {
    fn same_request(
        &self,
        csr: &[u8],
        principal: &str,
        template: &str,
        since: i64,
    ) -> Result<Option<Record>, Error> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!(
                "{SELECT} WHERE csr_sha256 = ?1 AND principal = ?2 AND template = ?3 \
                 AND received >= ?4 ORDER BY id LIMIT 1"
            ))
            .map_err(db)?;
        statement
            .query_row(params![csr_hash(csr), principal, template, since], record)
            .optional()
            .map_err(db)
    }

    fn any_certificate(&self) -> Result<Option<Vec<u8>>, Error> {
        self.conn()
            .query_row(
                "SELECT certificate FROM requests WHERE certificate IS NOT NULL ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    fn insert_issued(
        &self,
        request: &NewRequest<'_>,
        make: &mut dyn FnMut(i64) -> Result<MadeCertificate, Error>,
    ) -> Result<i64, Error> {
        self.grouped(|tx, next_id| {
            // The ID the row will get (the write lock is held): one INSERT
            // of the whole row, not an INSERT and an UPDATE of it.
            let id: i64 = match next_id {
                Some(id) => id,
                None => tx
                    .prepare_cached(
                        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0) + 1",
                    )
                    .and_then(|mut s| s.query_row([], |r| r.get(0)))
                    .map_err(db)?,
            };
            let (certificate, serial, not_after) = make(id)?;
            insert(
                tx,
                request,
                Some(id),
                Some(&Issued {
                    certificate: &certificate,
                    serial: &serial,
                    not_after,
                }),
            )
            .map_err(db)?;
            if let Some(old) = request.renewal_of {
                tx.prepare_cached(
                    "UPDATE requests SET superseded_by = ?2 WHERE id = ?1 AND superseded_by IS NULL",
                )
                .and_then(|mut s| s.execute(params![old, id]))
                .map_err(db)?;
            }
            Ok(id)
        })
    }

    fn insert_pending(&self, request: &NewRequest<'_>) -> Result<i64, Error> {
        self.grouped(|tx, next_id| insert(tx, request, next_id, None).map_err(db))
    }

    fn approve(&self, id: i64, issued: &Issued<'_>, now: i64) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let pending: Option<String> = tx
            .query_row("SELECT state FROM requests WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        if pending.as_deref() != Some("pending") {
            return Ok(false);
        }
        set_issued(&tx, id, issued, now).map_err(db)?;
        tx.execute(
            "UPDATE requests SET superseded_by = ?1
             WHERE id = (SELECT renewal_of FROM requests WHERE id = ?1) AND superseded_by IS NULL",
            [id],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(true)
    }

    fn deny(&self, id: i64, hresult: i64, message: &str, now: i64) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "UPDATE requests SET state = 'denied', hresult = ?2, message = ?3, decided = ?4
                 WHERE id = ?1 AND state = 'pending'",
                params![id, hresult, message, now],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn get(&self, id: i64) -> Result<Option<Record>, Error> {
        self.one("id", id)
    }

    fn by_serial(&self, serial: &str) -> Result<Option<Record>, Error> {
        // Every request authenticated by a certificate asks: prepared once.
        self.one("serial", serial)
    }

    fn list(&self) -> Result<Vec<Record>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY id")).map_err(db)?;
        let rows = stmt.query_map([], record).map_err(db)?;
        rows.collect::<rusqlite::Result<_>>().map_err(db)
    }

    fn counts(&self) -> Result<Counts, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT state, count(*) FROM requests GROUP BY state")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.unsigned_abs()))
            })
            .map_err(db)?;
        Ok(Counts::from_rows(
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)?,
        ))
    }

    fn revoke(&self, serial: &str, reason: CrlReason, at: i64) -> Result<RevokeOutcome, Error> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let found: Option<(Option<i64>, Option<i64>)> = tx
            .query_row(
                "SELECT revoked_at, revocation_reason FROM requests
                 WHERE serial = ?1 AND state = 'issued'",
                [serial],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        let Some(earlier) = found else {
            return Ok(RevokeOutcome::NotIssued);
        };
        if let Some(earlier) = Revocation::from_columns(earlier.0, earlier.1)
            && earlier.stands_against(reason)
        {
            return Ok(RevokeOutcome::AlreadyRevoked(earlier));
        }
        tx.execute(
            "UPDATE requests SET revoked_at = ?2, revocation_reason = ?3 WHERE serial = ?1",
            params![serial, at, reason_code(reason)],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(RevokeOutcome::Revoked)
    }

    fn release(&self, serial: &str) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "UPDATE requests SET revoked_at = NULL, revocation_reason = NULL
                 WHERE serial = ?1 AND revocation_reason = ?2",
                params![serial, reason_code(CrlReason::CertificateHold)],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn revoked(&self, now: i64) -> Result<Vec<Revoked>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT serial, not_after, revoked_at, revocation_reason FROM requests
                 WHERE revoked_at IS NOT NULL AND not_after > ?1 ORDER BY serial",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([now], |r| {
                let code: i64 = r.get(3)?;
                Ok(Revoked {
                    serial: r.get(0)?,
                    not_after: r.get(1)?,
                    revocation: Revocation::new(
                        r.get(2)?,
                        reason_from_code(code).unwrap_or(CrlReason::Unspecified),
                    ),
                })
            })
            .map_err(db)?;
        rows.collect::<rusqlite::Result<_>>().map_err(db)
    }

    fn latest_crl(&self) -> Result<Option<StoredCrl>, Error> {
        self.conn()
            .query_row(
                "SELECT number, this_update, next_update, covers, der FROM crls
                 ORDER BY number DESC LIMIT 1",
                [],
                |r| {
                    Ok(StoredCrl::new(
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                    ))
                },
            )
            .optional()
            .map_err(db)
    }

    fn add_crl(&self, crl: &StoredCrl) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute(
                "INSERT INTO crls (number, this_update, next_update, covers, der)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (number) DO NOTHING",
                params![
                    crl.number,
                    crl.this_update,
                    crl.next_update,
                    crl.covers,
                    crl.der
                ],
            )
            .map_err(db)?;
        Ok(n == 1)
    }
}

/// Creates an empty file at `path` readable by its owner only, unless it
/// exists.
fn create_private_empty(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(f) => f.sync_all(),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

const SELECT: &str = "SELECT id, received, principal, groups, template, csr, renewal_of, state,
    certificate, serial, not_after, hresult, message, superseded_by, revoked_at,
    revocation_reason FROM requests";

/// Writes a new request: pending, or issued at once with `issued` and
/// the ID `id` (a NULL ID takes the next one); gives its ID.
fn insert(
    tx: &Connection,
    r: &NewRequest<'_>,
    id: Option<i64>,
    issued: Option<&Issued<'_>>,
) -> rusqlite::Result<i64> {
    // Prepared once per connection (the statements of every enrollment).
    tx.prepare_cached(
        "INSERT INTO requests (id, received, principal, groups, template, csr, renewal_of, state,
         csr_sha256, certificate, serial, not_after, decided)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        r.received,
        r.principal,
        r.groups.join("\n"),
        r.template,
        r.csr,
        r.renewal_of,
        if issued.is_some() {
            State::Issued
        } else {
            State::Pending
        }
        .as_str(),
        csr_hash(r.csr),
        issued.map(|i| i.certificate),
        issued.map(|i| i.serial),
        issued.map(|i| i.not_after),
        issued.map(|_| r.received),
    ])?;
    Ok(tx.last_insert_rowid())
}

fn set_issued(tx: &Connection, id: i64, issued: &Issued<'_>, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE requests SET state = 'issued', certificate = ?2, serial = ?3, not_after = ?4,
         decided = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        issued.certificate,
        issued.serial,
        issued.not_after,
        now
    ])?;
    Ok(())
}

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let groups: String = row.get(3)?;
    let state: String = row.get(7)?;
    Ok(Record {
        id: row.get(0)?,
        received: row.get(1)?,
        principal: row.get(2)?,
        groups: groups_from_column(&groups),
        template: row.get(4)?,
        csr: row.get(5)?,
        renewal_of: row.get(6)?,
        state: State::parse(&state).ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(
                7,
                format!("state {state:?}"),
                rusqlite::types::Type::Text,
            )
        })?,
        certificate: row.get(8)?,
        serial: row.get(9)?,
        not_after: row.get(10)?,
        hresult: row.get(11)?,
        message: row.get(12)?,
        superseded_by: row.get(13)?,
        revoked: Revocation::from_columns(row.get(14)?, row.get(15)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::tests::request;

    /// Gives the writer's connection back (taken to stand for a commit on
    /// its way to disk) once `n` writers wait for it, and wakes them.
    fn release_when_waiting(store: &SqliteStore, conn: Connection, n: usize) {
        while store.writer_lock().waiting < n {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        store.writer_lock().conn = Some(conn);
        store.turn.notify_all();
    }

    #[test]
    fn writers_waiting_for_a_commit_share_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        let store = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
        // Hold the writer's connection, as a commit on its way to disk does.
        let conn = store.writer_lock().conn.take().unwrap();
        let writers: Vec<_> = (0..10)
            .map(|i| {
                let store = std::sync::Arc::clone(&store);
                std::thread::spawn(move || {
                    let groups = vec!["Staff".to_owned()];
                    if i % 2 == 0 {
                        store.insert_pending(&request(&groups)).unwrap()
                    } else {
                        store
                            .insert_issued(&request(&groups), &mut |id| {
                                Ok((vec![1], format!("{id:X}"), 500))
                            })
                            .unwrap()
                    }
                })
            })
            .collect();
        // No batch commits while the connection is held.
        let before = store.writer_lock().committed;
        release_when_waiting(&store, conn, 10);
        let mut ids: Vec<i64> = writers.into_iter().map(|t| t.join().unwrap()).collect();
        // One commit for the ten, each told its own ID once it was made.
        assert_eq!(store.writer_lock().committed, before + 1);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 10);
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.list().unwrap().len(), 10);
        let issued = ids
            .iter()
            .filter(|&&id| store.get(id).unwrap().unwrap().state == State::Issued)
            .count();
        assert_eq!(issued, 5);
    }

    #[test]
    fn every_writer_of_a_batch_whose_commit_fails_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        let store = std::sync::Arc::new(SqliteStore::open(&path).unwrap());
        let conn = store.writer_lock().conn.take().unwrap();
        // Every insert breaks a deferred foreign key: the savepoints
        // succeed and the COMMIT fails.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
             CREATE TRIGGER orphan AFTER INSERT ON requests BEGIN INSERT INTO child VALUES (NEW.id); END;",
        )
        .unwrap();
        let writers: Vec<_> = (0..6)
            .map(|_| {
                let store = std::sync::Arc::clone(&store);
                std::thread::spawn(move || {
                    let groups = vec!["Staff".to_owned()];
                    store.insert_issued(&request(&groups), &mut |id| {
                        Ok((vec![1], format!("{id:X}"), 500))
                    })
                })
            })
            .collect();
        release_when_waiting(&store, conn, 6);
        for w in writers {
            let err = w.join().unwrap().expect_err("the batch was not committed");
            assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
        }
        assert_eq!(store.writer_lock().members.len(), 0);
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn records_survive_reopening_and_decisions_apply_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        let groups = vec!["Domain Users".to_owned(), "Staff".to_owned()];
        let (issued, pending) = {
            let store = SqliteStore::open(&path).unwrap();
            let issued = store
                .insert_issued(&request(&groups), &mut |id| {
                    Ok((format!("cert{id}").into_bytes(), "0A1B".into(), 500))
                })
                .unwrap();
            let pending = store.insert_pending(&request(&groups)).unwrap();
            (issued, pending)
        };
        let store = SqliteStore::open(&path).unwrap();
        let r = store.get(issued).unwrap().unwrap();
        assert_eq!(r.state, State::Issued);
        assert_eq!(
            r.certificate.as_deref(),
            Some(format!("cert{issued}").as_bytes())
        );
        assert_eq!(r.groups, groups);
        assert_eq!(store.by_serial("0A1B").unwrap().unwrap().id, issued);
        assert_eq!(store.get(pending).unwrap().unwrap().state, State::Pending);
        assert!(store.deny(pending, -2_146_877_420, "no", 200).unwrap());
        assert!(!store.deny(pending, 1, "again", 201).unwrap());
        let issue = Issued {
            certificate: b"x",
            serial: "FF",
            not_after: 1,
        };
        assert!(!store.approve(pending, &issue, 202).unwrap());
        let r = store.get(pending).unwrap().unwrap();
        assert_eq!((r.state, r.hresult), (State::Denied, Some(-2_146_877_420)));
        assert_eq!(store.list().unwrap().len(), 2);
        assert!(store.get(99).unwrap().is_none());
    }

    #[test]
    fn a_read_only_database_is_refused_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        drop(SqliteStore::open(&path).unwrap());
        let conn =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let e = SqliteStore::setup(conn).unwrap_err();
        assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly),
            "{e}"
        );
    }

    #[test]
    fn the_same_csr_finds_its_record_and_a_renewal_supersedes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("cepces.db")).unwrap();
        crate::store::tests::same_csr_and_supersede(&store);
    }

    #[test]
    fn revocations_and_crls_are_kept_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        crate::store::tests::revocations(&SqliteStore::open(&path).unwrap());
        let store = SqliteStore::open(&path).unwrap();
        let revoked = store.by_serial("0A").unwrap().unwrap().revoked.unwrap();
        assert_eq!(revoked, Revocation::new(12, CrlReason::KeyCompromise));
        assert_eq!(store.latest_crl().unwrap().map(|c| c.number), Some(2));
    }

    #[test]
    fn a_database_of_the_first_schema_gains_the_new_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute(
            "INSERT INTO requests (received, principal, groups, template, csr, state)
             VALUES (1, 'alice', '', 'User', x'00', 'pending')",
            [],
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open(&path).unwrap();
        let r = store.get(1).unwrap().unwrap();
        assert_eq!((r.principal.as_str(), r.superseded_by), ("alice", None));
    }

    #[test]
    fn a_failed_issue_leaves_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("cepces.db")).unwrap();
        let r = store.insert_issued(&request(&[]), &mut |_| Err(Error::Issuer("boom".into())));
        assert!(matches!(r, Err(Error::Issuer(_))));
        assert!(store.list().unwrap().is_empty());
        // Its savepoint was rolled back and its batch ended: the next write
        // goes through.
        let id = store.insert_pending(&request(&[])).unwrap();
        assert_eq!(store.get(id).unwrap().unwrap().state, State::Pending);
    }
}
