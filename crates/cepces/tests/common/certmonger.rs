//! certmonger itself (Debian's `certmonger`) in the foreground with its
//! own state directories and a private socket (no D-Bus), for the tests
//! that drive `cepces certmonger` through it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::stdout;

/// Whether certmonger (and openssl) can run here; in CI they must.
pub fn certmonger_available() -> bool {
    let found = Command::new("getcert").arg("--help").output().is_ok()
        && Path::new("/usr/sbin/certmonger").exists();
    assert!(
        found || !testkit::in_ci(),
        "certmonger is required in CI (.ci/run installs it)"
    );
    found && testkit::openssl_available()
}

/// A certmonger daemon of its own: state in a temporary directory,
/// listening on a private socket only (no D-Bus), killed on drop.
pub struct Certmonger {
    child: Child,
    dir: tempfile::TempDir,
}

impl Certmonger {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for d in ["requests", "cas", "local", "tmp"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        let socket = dir.path().join("socket");
        let child = Command::new("/usr/sbin/certmonger")
            .args(["-n", "-L", "-P"])
            .arg(&socket)
            .env("CERTMONGER_REQUESTS_DIR", dir.path().join("requests"))
            .env("CERTMONGER_CAS_DIR", dir.path().join("cas"))
            .env("CERTMONGER_LOCAL_CA_DIR", dir.path().join("local"))
            .env("CERTMONGER_TMPDIR", dir.path().join("tmp"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("certmonger.log")).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "certmonger did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `getcert args…` against this daemon.
    pub fn getcert(&self, args: &[&str]) -> Output {
        Command::new("getcert")
            .args(args)
            .env(
                "CERTMONGER_PVT_ADDRESS",
                format!("unix:path={}", self.path("socket").display()),
            )
            .output()
            .unwrap()
    }

    /// The `status:` of request `id`.
    pub fn status(&self, id: &str) -> String {
        let out = self.getcert(&["list", "-i", id]);
        stdout(&out)
            .lines()
            .find_map(|l| l.trim().strip_prefix("status: "))
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until request `id` has status `want` (or gives up after 30 s
    /// and says what it has).
    pub fn wait_for(&self, id: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.status(id);
            if now == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "request {id}: status {now:?}, wanted {want:?}\n{}",
                stdout(&self.getcert(&["list", "-i", id]))
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Certmonger {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
