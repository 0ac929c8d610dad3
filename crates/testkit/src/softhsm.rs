//! SoftHSM2 (Debian `softhsm2`) for the tests of keys in an HSM: a token
//! store in a temporary folder of its own (a `softhsm2.conf` that the
//! processes under test get through `SOFTHSM2_CONF`), one token
//! initialised with `softhsm2-util`.
//!
//! [`SoftHsm::new`] says "skipped: ..." on stderr and returns `None` when
//! SoftHSM2 is not installed, except in CI, where it panics.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::in_ci;

/// Where Debian installs the PKCS#11 module.
const MODULES: [&str; 3] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
];

/// A SoftHSM2 token store with one initialised token.
#[derive(Debug)]
pub struct SoftHsm {
    dir: tempfile::TempDir,
    module: PathBuf,
    /// The token's label.
    pub label: String,
    /// The token's user PIN.
    pub pin: String,
}

impl SoftHsm {
    /// A new token store with the token `label` (user PIN `pin`), or
    /// `None` (after saying why) where SoftHSM2 is not installed.
    pub fn new(label: &str, pin: &str) -> Option<Self> {
        let Some(module) = MODULES.iter().map(PathBuf::from).find(|p| p.exists()) else {
            let why = "SoftHSM2 is not installed (Debian: softhsm2)";
            assert!(!in_ci(), "{why}: it is required in CI");
            eprintln!("skipped: {why}");
            return None;
        };
        let dir = tempfile::tempdir().ok()?;
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).ok()?;
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .ok()?;
        let hsm = Self {
            dir,
            module,
            label: label.to_owned(),
            pin: pin.to_owned(),
        };
        let out = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", label, "--so-pin"])
            .arg(format!("so-{pin}"))
            .args(["--pin", pin])
            .env("SOFTHSM2_CONF", hsm.conf())
            .output()
            .expect("running softhsm2-util");
        assert!(
            out.status.success(),
            "softhsm2-util --init-token: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(hsm)
    }

    /// The PKCS#11 module.
    pub fn module(&self) -> &Path {
        &self.module
    }

    /// The configuration file that every process using the token needs
    /// as `SOFTHSM2_CONF`.
    pub fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    /// The folder of the token store.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The objects of the token, as `softhsm2-util --show-slots` does not
    /// list them: every file of the token store, for a check that a key
    /// was made there.
    pub fn object_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir.path().join("tokens")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "object") {
                    out.push(p);
                }
            }
        }
        out
    }
}
