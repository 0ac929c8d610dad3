//! A PostgreSQL server of its own for a test (Debian `postgresql`):
//! `initdb` in a temporary folder, `pg_ctl start` listening on a Unix
//! socket in that folder only (no TCP), trust authentication; stopped by
//! the PID in its `postmaster.pid` when dropped. As root (CI) the server
//! runs as the `postgres` user, which initdb requires.
//!
//! [`Postgres::start`] says "skipped: ..." on stderr and returns `None`
//! when PostgreSQL is not installed, except in CI, where it panics.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::in_ci;

/// A running PostgreSQL server.
#[derive(Debug)]
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pid: Option<u32>,
}

/// Runs `cmd` (`what` in messages); its output, which must be a success.
fn succeed(cmd: &mut Command, what: &str) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The newest `/usr/lib/postgresql/<version>/bin`.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `program args`, as the `postgres` user when we are root.
fn as_owner(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

impl Postgres {
    /// A new database cluster, started; `None` (after saying why) where
    /// PostgreSQL is not installed.
    pub fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            let why = "PostgreSQL is not installed (Debian: postgresql)";
            assert!(!in_ci(), "{why}: it is required in CI");
            eprintln!("skipped: {why}");
            return None;
        };
        let dir = tempfile::tempdir().expect("a temporary folder");
        if is_root() {
            let out = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .output()
                .expect("chown");
            assert!(out.status.success(), "chown: {out:?}");
        }
        let data = dir.path().join("data");
        succeed(
            as_owner(&bin, "initdb")
                .args([
                    "--auth=trust",
                    "--username=postgres",
                    "--encoding=UTF8",
                    "-D",
                ])
                .arg(&data),
            "initdb",
        );
        let out = as_owner(&bin, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-k {} -c listen_addresses='' -c fsync=on",
                dir.path().display()
            ))
            .arg("-l")
            .arg(dir.path().join("server.log"))
            .args(["-w", "-t", "60", "start"])
            .output()
            .expect("running pg_ctl");
        let mut pg = Self {
            dir,
            bin,
            pid: None,
        };
        pg.pid = std::fs::read_to_string(data.join("postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next()?.trim().parse().ok());
        assert!(
            out.status.success() && pg.pid.is_some(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            pg.log()
        );
        Some(pg)
    }

    /// A connection string for the database `dbname` as the superuser.
    pub fn config(&self, dbname: &str) -> String {
        format!(
            "host={} port=5432 user=postgres dbname={dbname}",
            self.dir.path().display()
        )
    }

    /// Creates the database `name`.
    pub fn create_database(&self, name: &str) {
        succeed(self.client("createdb").arg(name), "createdb");
    }

    /// The client `program` of this server's version, connecting to it as
    /// the superuser.
    fn client(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        c.arg("-h").arg(self.dir.path()).args(["-U", "postgres"]);
        c
    }

    /// Runs `sql` with psql on `dbname`; its standard output.
    pub fn psql(&self, dbname: &str, sql: &str) -> String {
        let out = succeed(
            self.client("psql")
                .args(["-d", dbname, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]),
            "psql",
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The server's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGQUIT: immediate shutdown (what `pg_ctl stop -m immediate`
        // sends), by the postmaster's PID.
        if let Some(pid) = self.pid {
            let _ = Command::new("kill")
                .args(["-QUIT", &pid.to_string()])
                .status();
            for _ in 0..100 {
                let alive = Command::new("kill")
                    .args(["-0", &pid.to_string()])
                    .stderr(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                if !alive {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
}
