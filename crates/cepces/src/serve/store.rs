//! The CA's records in an embedded SQLite database (`cepces.db` in the
//! state directory): every request the CA accepted for a decision, with
//! its state. A record is committed (`synchronous=FULL`) before the answer
//! that names its request ID goes out, so a crash or restart loses no
//! acknowledged request or issued certificate.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::Digest;

/// A request's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for `cepces approve` / `cepces deny`.
    Pending,
    /// Issued.
    Issued,
    /// Denied by an administrator.
    Denied,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Issued => "issued",
            Self::Denied => "denied",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<Self> {
        match s {
            "pending" => Ok(Self::Pending),
            "issued" => Ok(Self::Issued),
            "denied" => Ok(Self::Denied),
            _ => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("state {s:?}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
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
pub struct Issued<'a> {
    /// DER.
    pub certificate: &'a [u8],
    /// Serial (hex).
    pub serial: &'a str,
    /// `notAfter`.
    pub not_after: i64,
}

/// The database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

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
";

/// Columns added since the first schema, for databases made before.
const MIGRATIONS: [(&str, &str); 2] = [
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
];

impl Store {
    /// Opens (or creates) the database at `path`.
    /// A new database file is made readable by its owner only (SQLite
    /// gives its journal files the same mode). A database that cannot be
    /// written is an error now, not at the first enrollment.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        super::files::create_private_empty(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(e.to_string()),
            )
        })?;
        Self::setup(Connection::open(path)?)
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
        Ok(Self { conn })
    }

    /// The earlier request of `principal` for `template` with the same
    /// CSR (DER), if any.
    pub fn same_request(
        &self,
        csr: &[u8],
        principal: &str,
        template: &str,
    ) -> rusqlite::Result<Option<Record>> {
        self.conn
            .query_row(
                &format!(
                    "{SELECT} WHERE csr_sha256 = ?1 AND principal = ?2 AND template = ?3 \
                     ORDER BY id LIMIT 1"
                ),
                params![csr_hash(csr), principal, template],
                record,
            )
            .optional()
    }

    /// An issued certificate on record, if any (to check that the records
    /// belong to the CA in the directory).
    pub fn any_certificate(&self) -> rusqlite::Result<Option<Vec<u8>>> {
        self.conn
            .query_row(
                "SELECT certificate FROM requests WHERE certificate IS NOT NULL ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
    }

    /// Records an issued request; returns its ID. `make` is called with
    /// the new ID (inside the transaction) and gives the certificate.
    pub fn insert_issued<E>(
        &mut self,
        request: &NewRequest<'_>,
        make: impl FnOnce(i64) -> Result<(Vec<u8>, String, i64), E>,
    ) -> Result<i64, StoreOr<E>> {
        let tx = self.conn.transaction()?;
        let id = insert(&tx, request, State::Pending)?;
        let (certificate, serial, not_after) = make(id).map_err(StoreOr::Other)?;
        set_issued(
            &tx,
            id,
            &Issued {
                certificate: &certificate,
                serial: &serial,
                not_after,
            },
            request.received,
        )?;
        if let Some(old) = request.renewal_of {
            tx.execute(
                "UPDATE requests SET superseded_by = ?2 WHERE id = ?1 AND superseded_by IS NULL",
                params![old, id],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Records a pending request; returns its ID.
    pub fn insert_pending(&mut self, request: &NewRequest<'_>) -> rusqlite::Result<i64> {
        let tx = self.conn.transaction()?;
        let id = insert(&tx, request, State::Pending)?;
        tx.commit()?;
        Ok(id)
    }

    /// Marks a pending request issued. `false` when it is not pending.
    pub fn approve(&mut self, id: i64, issued: &Issued<'_>, now: i64) -> rusqlite::Result<bool> {
        let tx = self.conn.transaction()?;
        let pending: Option<String> = tx
            .query_row("SELECT state FROM requests WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        if pending.as_deref() != Some("pending") {
            return Ok(false);
        }
        set_issued(&tx, id, issued, now)?;
        tx.execute(
            "UPDATE requests SET superseded_by = ?1
             WHERE id = (SELECT renewal_of FROM requests WHERE id = ?1) AND superseded_by IS NULL",
            [id],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Marks a pending request denied. `false` when it is not pending.
    pub fn deny(
        &mut self,
        id: i64,
        hresult: i64,
        message: &str,
        now: i64,
    ) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "UPDATE requests SET state = 'denied', hresult = ?2, message = ?3, decided = ?4
             WHERE id = ?1 AND state = 'pending'",
            params![id, hresult, message, now],
        )?;
        Ok(n == 1)
    }

    /// The request with ID `id`.
    pub fn get(&self, id: i64) -> rusqlite::Result<Option<Record>> {
        self.conn
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], record)
            .optional()
    }

    /// The issued request whose certificate has serial `serial` (hex).
    pub fn by_serial(&self, serial: &str) -> rusqlite::Result<Option<Record>> {
        self.conn
            .query_row(&format!("{SELECT} WHERE serial = ?1"), [serial], record)
            .optional()
    }

    /// Every request, oldest first.
    pub fn list(&self) -> rusqlite::Result<Vec<Record>> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY id"))?;
        stmt.query_map([], record)?.collect()
    }
}

/// A database error or the caller's.
#[derive(Debug)]
pub enum StoreOr<E> {
    /// SQLite.
    Store(rusqlite::Error),
    /// The caller's.
    Other(E),
}

impl<E> From<rusqlite::Error> for StoreOr<E> {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e)
    }
}

const SELECT: &str = "SELECT id, received, principal, groups, template, csr, renewal_of, state,
    certificate, serial, not_after, hresult, message, superseded_by FROM requests";

fn csr_hash(csr: &[u8]) -> String {
    crate::pki::hex(&sha2::Sha256::digest(csr))
}

fn insert(tx: &Connection, r: &NewRequest<'_>, state: State) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO requests (received, principal, groups, template, csr, renewal_of, state,
         csr_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.received,
            r.principal,
            r.groups.join("\n"),
            r.template,
            r.csr,
            r.renewal_of,
            state.as_str(),
            csr_hash(r.csr)
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

fn set_issued(tx: &Connection, id: i64, issued: &Issued<'_>, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE requests SET state = 'issued', certificate = ?2, serial = ?3, not_after = ?4,
         decided = ?5 WHERE id = ?1",
        params![id, issued.certificate, issued.serial, issued.not_after, now],
    )?;
    Ok(())
}

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let groups: String = row.get(3)?;
    let state: String = row.get(7)?;
    Ok(Record {
        id: row.get(0)?,
        received: row.get(1)?,
        principal: row.get(2)?,
        groups: groups
            .split('\n')
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect(),
        template: row.get(4)?,
        csr: row.get(5)?,
        renewal_of: row.get(6)?,
        state: State::parse(&state)?,
        certificate: row.get(8)?,
        serial: row.get(9)?,
        not_after: row.get(10)?,
        hresult: row.get(11)?,
        message: row.get(12)?,
        superseded_by: row.get(13)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(groups: &[String]) -> NewRequest<'_> {
        NewRequest {
            received: 100,
            principal: "alice",
            groups,
            template: "User",
            csr: b"csr",
            renewal_of: None,
        }
    }

    #[test]
    fn records_survive_reopening_and_decisions_apply_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cepces.db");
        let groups = vec!["Domain Users".to_owned(), "Staff".to_owned()];
        let (issued, pending) = {
            let mut store = Store::open(&path).unwrap();
            let issued = store
                .insert_issued::<String>(&request(&groups), |id| {
                    Ok((format!("cert{id}").into_bytes(), "0A1B".into(), 500))
                })
                .unwrap();
            let pending = store.insert_pending(&request(&groups)).unwrap();
            (issued, pending)
        };
        let mut store = Store::open(&path).unwrap();
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
        drop(Store::open(&path).unwrap());
        let conn =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let e = Store::setup(conn).unwrap_err();
        assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly),
            "{e}"
        );
    }

    #[test]
    fn the_same_csr_finds_its_record_and_a_renewal_supersedes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("cepces.db")).unwrap();
        let first = store
            .insert_issued::<String>(&request(&[]), |_| Ok((b"c1".to_vec(), "01".into(), 9)))
            .unwrap();
        assert_eq!(
            store
                .same_request(b"csr", "alice", "User")
                .unwrap()
                .map(|r| r.id),
            Some(first)
        );
        assert!(store.same_request(b"csr", "bob", "User").unwrap().is_none());
        assert!(
            store
                .same_request(b"other", "alice", "User")
                .unwrap()
                .is_none()
        );
        let renewal = NewRequest {
            csr: b"csr2",
            renewal_of: Some(first),
            ..request(&[])
        };
        let second = store
            .insert_issued::<String>(&renewal, |_| Ok((b"c2".to_vec(), "02".into(), 9)))
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
        let store = Store::open(&path).unwrap();
        let r = store.get(1).unwrap().unwrap();
        assert_eq!((r.principal.as_str(), r.superseded_by), ("alice", None));
    }

    #[test]
    fn a_failed_issue_leaves_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("cepces.db")).unwrap();
        let r = store.insert_issued(&request(&[]), |_| Err::<(Vec<u8>, String, i64), _>("boom"));
        assert!(matches!(r, Err(StoreOr::Other("boom"))));
        assert!(store.list().unwrap().is_empty());
    }
}
