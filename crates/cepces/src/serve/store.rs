//! The CA's records in an embedded SQLite database (`cepces.db` in the
//! state directory): every request the CA accepted for a decision, with
//! its state. A record is committed (`synchronous=FULL`) before the answer
//! that names its request ID goes out, so a crash or restart loses no
//! acknowledged request or issued certificate.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

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

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
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
    certificate, serial, not_after, hresult, message FROM requests";

fn insert(tx: &Connection, r: &NewRequest<'_>, state: State) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO requests (received, principal, groups, template, csr, renewal_of, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            r.received,
            r.principal,
            r.groups.join("\n"),
            r.template,
            r.csr,
            r.renewal_of,
            state.as_str()
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
    fn a_failed_issue_leaves_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("cepces.db")).unwrap();
        let r = store.insert_issued(&request(&[]), |_| Err::<(Vec<u8>, String, i64), _>("boom"));
        assert!(matches!(r, Err(StoreOr::Other("boom"))));
        assert!(store.list().unwrap().is_empty());
    }
}
