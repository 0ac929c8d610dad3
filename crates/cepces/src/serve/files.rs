//! The files of a state directory, written so that a crash or a failed
//! start never leaves a half-written or world-readable secret: every file
//! is written to a temporary name beside it, synced and renamed into
//! place; keys, the configuration (password hashes) and the database are
//! the owner's alone (0600, the directory 0700; the database file is
//! made by [`SqliteStore`](cepces_server::sqlite::SqliteStore)).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Mode of keys, the configuration and the database.
pub const PRIVATE: u32 = 0o600;
/// Mode of certificates (public).
pub const PUBLIC: u32 = 0o644;

/// The files of a state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    /// The directory.
    pub root: PathBuf,
}

impl StateDir {
    /// `root/name`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
    /// The CA key (PKCS#8 PEM).
    pub fn ca_key(&self) -> PathBuf {
        self.file("ca-key.pem")
    }
    /// The CA certificate (PEM).
    pub fn ca_cert(&self) -> PathBuf {
        self.file("ca.pem")
    }
    /// The TLS server key.
    pub fn tls_key(&self) -> PathBuf {
        self.file("tls-key.pem")
    }
    /// The TLS server certificate.
    pub fn tls_cert(&self) -> PathBuf {
        self.file("tls.pem")
    }
    /// The database.
    pub fn db(&self) -> PathBuf {
        self.file("cepces.db")
    }
    /// The default configuration file.
    pub fn config(&self) -> PathBuf {
        self.file("cepces.toml")
    }

    /// Creates the directory (0700) if it does not exist.
    pub fn create(&self) -> Result<(), String> {
        if self.root.is_dir() {
            return Ok(());
        }
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.root)
            .map_err(|e| format!("{}: {e}", self.root.display()))
    }

    /// The state files that exist, for the "is this a new CA" question:
    /// a CA is only ever created where none of them is.
    pub fn existing_state(&self) -> Vec<PathBuf> {
        [
            self.ca_key(),
            self.ca_cert(),
            self.tls_key(),
            self.tls_cert(),
            self.db(),
        ]
        .into_iter()
        .filter(|p| p.exists())
        .collect()
    }

    /// Warns (once per file, at start) about every secret in the
    /// directory, and the directory itself, that others may read.
    pub fn warn_exposed(&self, config: Option<&Path>) {
        let files = [
            self.root.clone(),
            self.ca_key(),
            self.tls_key(),
            self.db(),
            config.map_or_else(|| self.config(), Path::to_path_buf),
        ];
        for path in &files {
            if let Some(mode) = exposed_mode(path) {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:o}"),
                    "readable by others: it holds keys, password hashes or records (chmod go-rwx)"
                );
            }
        }
    }
}

/// The permission bits of `path` when group or others have any access.
pub fn exposed_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Writes `contents` to `path` with `mode`, atomically: a temporary file
/// in the same directory, synced, renamed over `path`, and the directory
/// synced. A crash leaves the old file or the new one, never a part.
pub fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match options.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename is durable once the directory entry is.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes `contents` to `path` readable by the owner only (0600),
/// atomically ([`write_atomic`]).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_atomic(path, contents, PRIVATE)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_writes_replace_whole_files_with_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        write_private(&path, b"first").unwrap();
        write_private(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(exposed_mode(&path), None);
        write_atomic(&path, b"public", PUBLIC).unwrap();
        assert_eq!(exposed_mode(&path), Some(0o644));
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: the rename fails.
        let target = dir.path().join("sub");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("x"), b"x").unwrap();
        assert!(write_private(&target, b"data").is_err());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("sub")]);
    }
}
