//! A real Active Directory domain controller for tests: Samba on loopback.
//!
//! [`Dc::shared`] provisions a fresh domain (realm `EXAMPLE.TEST`, NetBIOS
//! domain `EXAMPLE`, DC host `dc.example.test`) once per test process and
//! runs `samba -i -M single` serving only LDAP (389, 636, 3268, 3269) and the
//! KDC (88, kpasswd 464) on 127.0.0.1 and ::1. Provisioning plus start take
//! about 5 seconds. Tests share the one DC, so each test makes its own
//! accounts with [`Dc::unique`] names.
//!
//! It needs root (the DC binds ports below 1024 and provisioning sets file
//! ACLs) and the Debian packages `samba` (with `samba-dsdb-modules` and
//! `samba-ad-provision`), `krb5-user` and `ldb-tools`. When any is missing,
//! [`Dc::shared`] says "skipped: ..." on stderr and returns `None`, except
//! in CI, where it panics.
//!
//! # A DC for domain members' tools
//!
//! [`Dc::shared_full`] provisions the same domain with Samba's internal DNS
//! and also runs CLDAP, DNS (53), SMB (`smbd`: `sysvol`, 445), RPC and
//! `winbindd` (which `smbd` and Samba's Python tools need on a DC to map
//! accounts to Unix IDs): what `samba-gpupdate` needs to find the DC (a DNS
//! SRV lookup and a CLDAP ping) and fetch group policy (LDAP and SMB). Its
//! DNS has `dc.example.test` at 127.0.0.1; Samba's DNS client reads
//! `/etc/resolv.conf` itself (not through libresolv), so a tool that looks
//! the DC up needs [`Dc::resolv_conf`] in the place of `/etc/resolv.conf`
//! (a private mount namespace). It also needs the Debian package `winbind`,
//! and ports 53 and 445 free. One test process runs one DC: it cannot ask
//! for both kinds. Like every samba, its `winbindd` listens at the default
//! `/run/samba/winbindd`.
//!
//! # One DC per machine
//!
//! The ports are fixed, so only one DC can run on a machine: a test process
//! takes an exclusive `flock` on `$TMPDIR/cepces-testkit-samba/lock` before it
//! provisions and holds it until it exits; another process waits (up to
//! five minutes). Samba's standard input is a pipe held by the test
//! process: when that process exits, however it exits, samba reads EOF and
//! terminates. Its PID is also recorded in `samba.pid`, and a samba left
//! over from an earlier run is stopped before the next one starts.
//!
//! # Kerberos without the system configuration
//!
//! The DC writes its own `krb5.conf` ([`Dc::krb5_conf`]): the realm's KDC is
//! 127.0.0.1, with no DNS lookups for KDCs or realms and no hostname
//! canonicalisation (`rdns = false`, `dns_canonicalize_hostname = false`).
//! Every helper that runs a Kerberos tool sets `KRB5_CONFIG` to it and an
//! explicit `KRB5CCNAME` ([`Dc::krb5_command`]); `/etc/krb5.conf` is never
//! read. Code that uses Kerberos in-process (GSSAPI) needs the same two
//! variables (and `KRB5_KTNAME=FILE:<keytab>` on the accepting side) before
//! the library makes its first context. `std::env::set_var` is `unsafe` in
//! edition 2024 and the workspace forbids unsafe code, so run the client
//! and the server as child processes with [`Command::env`] (or
//! [`Dc::krb5_command`]), or have the test binary re-run itself with them.
//! The paths are fixed per machine: `$TMPDIR/cepces-testkit-samba/dc/`.
//!
//! # A Kerberos (SPNEGO) test on top of it
//!
//! ```no_run
//! # use testkit::samba::Dc;
//! let Some(dc) = Dc::shared() else { return };
//! let dir = testkit::tmp_dir("negotiate");
//!
//! // The server: an account (AES keys), an SPN for HTTP/<host>, a keytab.
//! let host = dc.unique("web"); // at most 15 characters: a NetBIOS name
//! let machine = dc.create_machine(&host);
//! let spn = format!("HTTP/{host}.example.test");
//! dc.add_spn(&spn, &machine);
//! let keytab = dir.join("http.keytab");
//! dc.export_keytab(&format!("{spn}@{}", dc.realm()), &keytab);
//! // The acceptor reads it through KRB5_KTNAME=FILE:<keytab> (and
//! // KRB5_CONFIG=<dc.krb5_conf()>).
//!
//! // The client: a user with a ticket-granting ticket in its own cache.
//! let user = dc.unique("alice");
//! let principal = dc.create_user(&user, "Pa55word-for-tests!");
//! let ccache = dir.join("alice.ccache");
//! dc.kinit_password(&principal, "Pa55word-for-tests!", &ccache).unwrap();
//! // The initiator runs with KRB5CCNAME=FILE:<ccache> and
//! // KRB5_CONFIG=<dc.krb5_conf()>, and asks for HTTP@<host>.example.test.
//! ```
//!
//! Host names need not resolve: with `dns_canonicalize_hostname = false`
//! the service name `HTTP@<host>.example.test` becomes the principal
//! `HTTP/<host>.example.test@EXAMPLE.TEST` without a DNS lookup (the
//! `domain_realm` section maps `.example.test`). Only the HTTP client's
//! TCP connection needs an address, so connect to 127.0.0.1 and name the
//! host, or use `HTTP/localhost` (it maps to the default realm through a
//! referral); an SPN can be registered on one account of the domain only,
//! so only one test of the shared DC can own `HTTP/localhost`.
//!
//! Accounts made by [`Dc::create_machine`] get AES keys
//! (`msDS-SupportedEncryptionTypes` = 24); without that, Samba issues
//! service tickets for the account with RC4 only and exports only an RC4
//! key for its SPNs. Use [`Dc::enable_aes`] on a user account that carries
//! an SPN.
//!
//! The domain's password policy is Active Directory's default (complexity
//! required, at least 7 characters): use passwords like `Pa55word-xyz!`.
//! Kerberos binds to LDAP (`ldap/dc.example.test`) need `dc.example.test` to
//! resolve, which it does not; [`Dc::ldap_search`] binds with NTLM.
//!
//! A service principal (an SPN) cannot `kinit` itself: the KDC looks up
//! clients by account name or UPN only; use `NAME$@EXAMPLE.TEST` for a
//! machine account, or check a service keytab with `kvno -k` (as the test
//! does).

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::in_ci;

/// The Kerberos realm of the test domain.
pub const REALM: &str = "EXAMPLE.TEST";
/// The DNS name of the test domain.
pub const DNS_DOMAIN: &str = "example.test";
/// The NetBIOS name of the test domain.
pub const NETBIOS_DOMAIN: &str = "EXAMPLE";
/// The DC's host name (without the domain).
pub const DC_HOST: &str = "dc";
/// The domain's base DN.
pub const BASE_DN: &str = "DC=example,DC=test";
/// The administrator's account name.
pub const ADMIN_USER: &str = "Administrator";
/// The administrator's password (it meets AD's complexity rules).
pub const ADMIN_PASSWORD: &str = "Adm1n-Pa55word!";

/// The services of [`Dc::shared`]'s DC: the directory and the KDC.
const SERVICES: &str = "ldap kdc";
/// The services of [`Dc::shared_full`]'s DC.
const FULL_SERVICES: &str = "ldap kdc cldap dns rpc s3fs winbindd";

/// Which DC a test process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// [`Dc::shared`]: LDAP and the KDC.
    Directory,
    /// [`Dc::shared_full`]: also DNS, CLDAP, SMB, RPC and winbindd.
    Full,
}

/// How long a process waits for another one's DC to finish.
const LOCK_WAIT: Duration = Duration::from_secs(300);
/// How long samba may take to answer LDAP and Kerberos.
const START_WAIT: Duration = Duration::from_secs(60);

/// A command of the test kit that failed: what ran and what it said.
#[derive(Debug, Clone)]
pub struct ToolError {
    /// The command line, for messages.
    pub command: String,
    /// Its exit status.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` failed ({}):\n{}{}",
            self.command, self.status, self.stderr, self.stdout
        )
    }
}

impl std::error::Error for ToolError {}

/// Runs `cmd` and returns its standard output, or what went wrong.
fn run(cmd: &mut Command, stdin: Option<&str>) -> Result<String, ToolError> {
    let command = format!("{cmd:?}");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // A tool that exits without reading gives EPIPE: its status says why.
        pipe.write_all(input.as_bytes()).ok();
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for {command}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(ToolError {
            command,
            status: out.status,
            stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// A running Samba AD DC (see the module documentation).
#[derive(Debug)]
pub struct Dc {
    dir: PathBuf,
    smb_conf: PathBuf,
    krb5_conf: PathBuf,
    admin_ccache: PathBuf,
    log: PathBuf,
    pid: u32,
    /// The CA of the LDAPS certificate, when openssl made one.
    tls_ca: Option<PathBuf>,
    /// A `resolv.conf` naming the DC's DNS ([`Dc::shared_full`]).
    resolv_conf: Option<PathBuf>,
    /// Samba, for its exit status while it starts.
    child: Mutex<Child>,
    /// Samba's standard input, held and never written: samba stops at its
    /// EOF, when this process exits.
    _stdin: ChildStdin,
    /// The machine-wide lock, held until this process exits.
    _lock: File,
    counter: AtomicUsize,
}

/// Why the DC cannot run here, if it cannot: a missing tool or not root.
fn unavailable(profile: Profile) -> Option<String> {
    let full: &[(&str, &str)] = match profile {
        Profile::Directory => &[],
        Profile::Full => &[
            ("smbd", "samba"),
            ("winbindd", "winbind"),
            ("wbinfo", "winbind"),
        ],
    };
    for &(tool, package) in [
        ("samba", "samba"),
        ("samba-tool", "samba"),
        ("kinit", "krb5-user"),
        ("klist", "krb5-user"),
        ("kvno", "krb5-user"),
        ("ldbmodify", "ldb-tools"),
    ]
    .iter()
    .chain(full)
    {
        if which(tool).is_none() {
            return Some(format!("{tool} not installed (apt-get install {package})"));
        }
    }
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0");
    if !root {
        return Some("the Samba DC needs root (ports 88 and 389)".to_owned());
    }
    None
}

/// The program's path: in `PATH` or in an `sbin` directory.
fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

/// What the first call of [`Dc::shared`] (or [`Dc::shared_full`]) found.
enum Outcome {
    Running(Box<Dc>),
    Unavailable(String),
    Failed(String),
}

impl Dc {
    /// The DC of this test process, started on first use; `None` (after
    /// saying "skipped: ..." on stderr) when Samba cannot run here. Panics
    /// in that case in CI, and whenever the DC does not come up.
    pub fn shared() -> Option<&'static Dc> {
        static DC: OnceLock<Outcome> = OnceLock::new();
        Self::shared_in(&DC, Profile::Directory)
    }

    /// The DC of this test process with DNS, CLDAP, SMB, RPC and winbindd
    /// as well (see the module documentation), for `samba-gpupdate`;
    /// `None` and panics as [`Dc::shared`]. A test process uses either
    /// this or [`Dc::shared`], not both (the ports are the same).
    pub fn shared_full() -> Option<&'static Dc> {
        static DC: OnceLock<Outcome> = OnceLock::new();
        Self::shared_in(&DC, Profile::Full)
    }

    /// The DC of `cell`, started with `profile` on first use.
    fn shared_in(cell: &'static OnceLock<Outcome>, profile: Profile) -> Option<&'static Dc> {
        static STARTED: OnceLock<Profile> = OnceLock::new();
        let outcome = cell.get_or_init(|| {
            let first = *STARTED.get_or_init(|| profile);
            assert_eq!(
                first, profile,
                "this test process already runs the other kind of test DC (one per process)"
            );
            match unavailable(profile) {
                Some(why) => Outcome::Unavailable(why),
                None => Dc::start(profile)
                    .map_or_else(Outcome::Failed, |dc| Outcome::Running(Box::new(dc))),
            }
        });
        match outcome {
            Outcome::Running(dc) => Some(dc),
            Outcome::Unavailable(why) => {
                assert!(!in_ci(), "{why}: the Samba DC is required in CI");
                eprintln!("skipped: {why}");
                None
            }
            Outcome::Failed(e) => panic!("the Samba DC did not start: {e}"),
        }
    }

    /// Takes the machine-wide lock, stops a stale samba, provisions and
    /// starts a fresh DC and waits for it.
    fn start(profile: Profile) -> Result<Dc, String> {
        let began = Instant::now();
        let base = std::env::temp_dir().join("cepces-testkit-samba");
        fs::create_dir_all(&base).map_err(|e| format!("creating {}: {e}", base.display()))?;
        let lock = take_lock(&base.join("lock"))?;
        let pid_file = base.join("samba.pid");
        stop_stale(&pid_file, &base)?;
        let ports: &[u16] = match profile {
            Profile::Directory => &[88, 389],
            Profile::Full => &[88, 389, 53, 445],
        };
        for &port in ports {
            if port_open(port) {
                return Err(format!(
                    "something else listens on 127.0.0.1:{port} (a system samba or KDC?); \
                     the test DC needs the port"
                ));
            }
        }

        let dir = base.join("dc");
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("removing {}: {e}", dir.display()))?;
        }
        fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let krb5_conf = dir.join("krb5.conf");
        fs::write(&krb5_conf, krb5_conf_text())
            .map_err(|e| format!("writing {}: {e}", krb5_conf.display()))?;
        provision(&dir, &krb5_conf, profile)?;
        let provisioned = began.elapsed();
        let smb_conf = dir.join("etc/smb.conf");

        let tls = tls_files(&dir);
        let log = dir.join("samba.log");
        let log_file = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let log_err = log_file.try_clone().map_err(|e| e.to_string())?;
        let mut child = Command::new(which("samba").unwrap_or_else(|| "samba".into()))
            .arg("-s")
            .arg(&smb_conf)
            .args(["-i", "-M", "single", "-d", "1", "--debug-stdout"])
            // Only the directory and the KDC (no DNS, SMB, RPC, NBT,
            // winbind), or the full set of a domain member's needs.
            .arg(format!(
                "--option=server services={}",
                match profile {
                    Profile::Directory => SERVICES,
                    Profile::Full => FULL_SERVICES,
                }
            ))
            .args(tls.iter().flat_map(|(_, options)| options.iter()))
            .env("KRB5_CONFIG", &krb5_conf)
            .stdin(Stdio::piped())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("starting samba: {e}"))?;
        let stdin = child.stdin.take().expect("samba's stdin is piped");
        let pid = child.id();
        fs::write(&pid_file, format!("{pid}\n"))
            .map_err(|e| format!("writing {}: {e}", pid_file.display()))?;

        let mut dc = Dc {
            admin_ccache: dir.join("admin.ccache"),
            dir,
            smb_conf,
            krb5_conf,
            log,
            pid,
            tls_ca: tls.map(|(ca, _)| ca),
            resolv_conf: None,
            child: Mutex::new(child),
            _stdin: stdin,
            _lock: lock,
            counter: AtomicUsize::new(0),
        };
        dc.wait_ready()?;
        if profile == Profile::Full {
            dc.start_full()?;
        }
        eprintln!(
            "samba DC (pid {pid}) ready in {:.1} s (provisioning {:.1} s)",
            began.elapsed().as_secs_f64(),
            provisioned.as_secs_f64()
        );
        Ok(dc)
    }

    /// Waits until the KDC and LDAP accept connections and the
    /// administrator can get a ticket.
    fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + START_WAIT;
        let mut last = String::from("ports 88 and 389 not open");
        while Instant::now() < deadline {
            if let Some(status) = self
                .child
                .lock()
                .unwrap()
                .try_wait()
                .map_err(|e| e.to_string())?
            {
                return Err(format!(
                    "samba exited ({status}); its log:\n{}",
                    self.log_tail()
                ));
            }
            if port_open(88) && port_open(389) {
                match self.kinit_password(
                    &self.admin_principal(),
                    ADMIN_PASSWORD,
                    &self.admin_ccache,
                ) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = e.to_string(),
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "samba did not answer within {} s ({last}); its log:\n{}",
            START_WAIT.as_secs(),
            self.log_tail()
        ))
    }

    /// What [`Dc::shared_full`] adds once LDAP and the KDC answer: waits
    /// for DNS, SMB and winbindd, gives `dc.example.test` its address in
    /// the DC's DNS (provisioning leaves out a loopback address) and writes
    /// [`Dc::resolv_conf`].
    fn start_full(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_WAIT;
        let mut last = String::from("ports 53 and 445 not open");
        loop {
            if port_open(53) && port_open(445) {
                let mut ping = self.krb5_command("wbinfo", None);
                ping.arg("--ping");
                match run(&mut ping, None) {
                    Ok(_) => break,
                    Err(e) => last = e.to_string(),
                }
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "DNS, SMB or winbindd did not answer within {} s ({last}); samba's log:\n{}",
                    START_WAIT.as_secs(),
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        // Over RPC (the DNS server's management pipe), which may take a
        // moment after the ports open.
        let host = format!("{DC_HOST}.{DNS_DOMAIN}");
        let credentials = format!("-U{NETBIOS_DOMAIN}\\{ADMIN_USER}%{ADMIN_PASSWORD}");
        let mut tries = 0;
        while let Err(e) = self.try_samba_tool(&[
            "dns",
            "add",
            "127.0.0.1",
            DNS_DOMAIN,
            DC_HOST,
            "A",
            "127.0.0.1",
            &credentials,
        ]) {
            tries += 1;
            if tries == 10 {
                return Err(format!("adding {host} to the DC's DNS: {e}"));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let resolv_conf = self.dir.join("resolv.conf");
        fs::write(&resolv_conf, "nameserver 127.0.0.1\n")
            .map_err(|e| format!("writing {}: {e}", resolv_conf.display()))?;
        self.resolv_conf = Some(resolv_conf);
        Ok(())
    }

    /// A `resolv.conf` whose name server is the DC's DNS (`dc.example.test`
    /// and the domain's SRV records), for [`Dc::shared_full`]'s DC; `None`
    /// for [`Dc::shared`]'s, which has no DNS.
    pub fn resolv_conf(&self) -> Option<&Path> {
        self.resolv_conf.as_deref()
    }

    /// The CA certificate (PEM) of the DC's LDAPS certificate, which names
    /// `dc.example.test` and 127.0.0.1 in its subjectAltName (Samba's own
    /// autogenerated one has no subjectAltName, which rustls refuses);
    /// `None` when openssl was not there to make it (Samba then uses its
    /// own).
    pub fn tls_ca(&self) -> Option<&Path> {
        self.tls_ca.as_deref()
    }

    /// The last 40 lines of samba's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The Kerberos realm, `EXAMPLE.TEST`.
    pub fn realm(&self) -> &'static str {
        REALM
    }

    /// The domain's DNS name, `example.test`.
    pub fn dns_domain(&self) -> &'static str {
        DNS_DOMAIN
    }

    /// The domain's NetBIOS name, `EXAMPLE` (samba's tools take
    /// `-U 'EXAMPLE\Administrator%...'`: without it they read the system
    /// `smb.conf`'s workgroup).
    pub fn netbios_domain(&self) -> &'static str {
        NETBIOS_DOMAIN
    }

    /// The domain's base DN, `DC=example,DC=test`.
    pub fn base_dn(&self) -> &'static str {
        BASE_DN
    }

    /// The DC's LDAP URL, `ldap://127.0.0.1`.
    pub fn ldap_url(&self) -> &'static str {
        "ldap://127.0.0.1"
    }

    /// The administrator's account name, `Administrator`.
    pub fn admin_user(&self) -> &'static str {
        ADMIN_USER
    }

    /// The administrator's password.
    pub fn admin_password(&self) -> &'static str {
        ADMIN_PASSWORD
    }

    /// The administrator's principal, `Administrator@EXAMPLE.TEST`.
    pub fn admin_principal(&self) -> String {
        format!("{ADMIN_USER}@{REALM}")
    }

    /// A credentials cache holding the administrator's ticket-granting
    /// ticket (valid for ten hours from the start).
    pub fn admin_ccache(&self) -> &Path {
        &self.admin_ccache
    }

    /// The DC's `krb5.conf` (see the module documentation).
    pub fn krb5_conf(&self) -> &Path {
        &self.krb5_conf
    }

    /// The DC's `smb.conf`, for `samba-tool`'s `-s`.
    pub fn smb_conf(&self) -> &Path {
        &self.smb_conf
    }

    /// The DC's provisioned directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The samba process's PID.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// A name unique within this test process (and so within the DC, which
    /// is provisioned afresh per process): `PREFIX-N`. Keep the prefix short:
    /// account names have at most 20 characters, computer names 15.
    pub fn unique(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}-{n}")
    }

    /// `program` with `KRB5_CONFIG` set to [`Dc::krb5_conf`] and
    /// `KRB5CCNAME` to `FILE:<ccache>` (or to a cache that does not exist,
    /// so that the user's own is never used).
    pub fn krb5_command(&self, program: &str, ccache: Option<&Path>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("KRB5_CONFIG", &self.krb5_conf);
        let ccache = ccache.map_or_else(|| self.dir.join("no.ccache"), Path::to_path_buf);
        cmd.env("KRB5CCNAME", format!("FILE:{}", ccache.display()));
        cmd.env_remove("KRB5_KTNAME");
        cmd
    }

    /// Runs `samba-tool ARGS -s <smb.conf>` against the DC's database;
    /// returns its standard output, or what went wrong.
    pub fn try_samba_tool(&self, args: &[&str]) -> Result<String, ToolError> {
        let mut cmd = self.krb5_command("samba-tool", None);
        cmd.args(args).arg("-s").arg(&self.smb_conf);
        run(&mut cmd, None)
    }

    /// Runs `samba-tool ARGS -s <smb.conf>` and returns its standard output;
    /// panics with its standard error when it fails.
    pub fn run_samba_tool(&self, args: &[&str]) -> String {
        self.try_samba_tool(args)
            .unwrap_or_else(|e| panic!("{e}\nsamba's log:\n{}", self.log_tail()))
    }

    /// `ldbsearch -H ldap://127.0.0.1 ARGS` bound as the administrator
    /// (NTLM: a Kerberos bind would need `dc.example.test` to resolve);
    /// returns the LDIF it prints, panics when it fails.
    pub fn ldap_search(&self, args: &[&str]) -> String {
        let mut cmd = self.krb5_command("ldbsearch", None);
        cmd.args(["-H", self.ldap_url()])
            .arg(format!("-U{NETBIOS_DOMAIN}\\{ADMIN_USER}%{ADMIN_PASSWORD}"))
            .args(args);
        run(&mut cmd, None).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The `objectSid` of the entry `dn`, in its string form (as
    /// ldbsearch prints it).
    pub fn object_sid(&self, dn: &str) -> String {
        self.ldap_search(&["-b", dn, "-s", "base", "(objectClass=*)", "objectSid"])
            .lines()
            .find_map(|l| l.strip_prefix("objectSid: "))
            .unwrap_or_else(|| panic!("no objectSid for {dn}"))
            .trim()
            .to_owned()
    }

    /// Adds the entries of `ldif` over LDAP (`ldbadd`, bound as the
    /// administrator as [`Dc::ldap_search`] is); binary values are
    /// written `attr:: base64`.
    pub fn ldap_add(&self, ldif: &str) {
        let mut cmd = self.krb5_command("ldbadd", None);
        cmd.args(["-H", self.ldap_url()])
            .arg(format!("-U{NETBIOS_DOMAIN}\\{ADMIN_USER}%{ADMIN_PASSWORD}"));
        run(&mut cmd, Some(ldif)).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Applies the changes of `ldif` (`changetype: modify` records) over
    /// LDAP with `ldbmodify`, bound as [`Dc::ldap_add`] is.
    pub fn ldap_modify(&self, ldif: &str) {
        let mut cmd = self.krb5_command("ldbmodify", None);
        cmd.args(["-H", self.ldap_url()])
            .arg(format!("-U{NETBIOS_DOMAIN}\\{ADMIN_USER}%{ADMIN_PASSWORD}"));
        run(&mut cmd, Some(ldif)).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Creates the user `name` with `password`; returns its principal,
    /// `name@EXAMPLE.TEST`.
    pub fn create_user(&self, name: &str, password: &str) -> String {
        self.run_samba_tool(&["user", "create", name, password]);
        format!("{name}@{REALM}")
    }

    /// Creates the (global security) group `name`.
    pub fn create_group(&self, name: &str) {
        self.run_samba_tool(&["group", "add", name]);
    }

    /// Adds `members` (account names: `alice-1`, `web-2$`, or groups) to
    /// `group`.
    pub fn add_members(&self, group: &str, members: &[&str]) {
        self.run_samba_tool(&["group", "addmembers", group, &members.join(",")]);
    }

    /// The account names of `group`'s members.
    pub fn list_members(&self, group: &str) -> Vec<String> {
        self.run_samba_tool(&["group", "listmembers", group])
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Creates the computer account `NAME$` (at most 15 characters for
    /// `name`), enabled, with a random password and AES keys; returns its
    /// account name `NAME$` (its principal is `NAME$@EXAMPLE.TEST`, its
    /// keytab [`Dc::export_keytab`]'s).
    pub fn create_machine(&self, name: &str) -> String {
        let account = format!("{name}$");
        self.run_samba_tool(&["computer", "create", name]);
        // samba-tool makes it disabled and without a password, so without
        // keys: give it both, and AES.
        self.run_samba_tool(&["user", "setpassword", &account, "--random-password"]);
        self.run_samba_tool(&["user", "enable", &account]);
        self.enable_aes(&account);
        account
    }

    /// Sets `msDS-SupportedEncryptionTypes` of the account `account` to
    /// AES128 and AES256 (24), so that its service tickets and exported
    /// SPN keys use AES rather than RC4.
    pub fn enable_aes(&self, account: &str) {
        let dn = self.dn_of(account);
        let ldif = format!(
            "dn: {dn}\nchangetype: modify\nreplace: msDS-SupportedEncryptionTypes\n\
             msDS-SupportedEncryptionTypes: 24\n"
        );
        let mut cmd = self.krb5_command("ldbmodify", None);
        cmd.arg("-H").arg(self.dir.join("private/sam.ldb"));
        run(&mut cmd, Some(&ldif)).unwrap_or_else(|e| panic!("{e}"));
    }

    /// The distinguished name of the account `account` (a sAMAccountName).
    pub fn dn_of(&self, account: &str) -> String {
        let mut cmd = self.krb5_command("ldbsearch", None);
        cmd.arg("-H")
            .arg(self.dir.join("private/sam.ldb"))
            .arg(format!("(sAMAccountName={account})"))
            .arg("dn");
        let out = run(&mut cmd, None).unwrap_or_else(|e| panic!("{e}"));
        out.lines()
            .find_map(|l| l.strip_prefix("dn: "))
            .unwrap_or_else(|| panic!("no account {account}:\n{out}"))
            .to_owned()
    }

    /// Adds the service principal name `spn` (e.g. `HTTP/web-1.example.test`)
    /// to the account `account` (`web-1$` or a user name).
    pub fn add_spn(&self, spn: &str, account: &str) {
        self.run_samba_tool(&["spn", "add", spn, account]);
    }

    /// Exports the keys of `principal` (`NAME$@EXAMPLE.TEST`, `user@...`, or
    /// an SPN such as `HTTP/web-1.example.test@EXAMPLE.TEST`) to the keytab
    /// `path` (added to it if it exists). Panics when nothing was exported
    /// (samba-tool then succeeds silently: an account without keys).
    ///
    /// samba-tool reads the database file directly, and once in a full run
    /// it found no key of an account the DC had just given a password: it
    /// is asked up to three times, 300 ms apart, before that is an error.
    pub fn export_keytab(&self, principal: &str, path: &Path) {
        let before = fs::metadata(path).map_or(0, |m| m.len());
        let mut after = before;
        for attempt in 0..3 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(300));
            }
            self.run_samba_tool(&[
                "domain",
                "exportkeytab",
                &path.display().to_string(),
                &format!("--principal={principal}"),
            ]);
            after = fs::metadata(path).map_or(0, |m| m.len());
            if after > before {
                break;
            }
        }
        assert!(
            after > before,
            "samba-tool exported no key of {principal} to {} (a disabled account, or one \
             without a password?)",
            path.display()
        );
    }

    /// `kinit PRINCIPAL` with `password` on standard input, into the cache
    /// `ccache`; the error says why the KDC refused.
    pub fn kinit_password(
        &self,
        principal: &str,
        password: &str,
        ccache: &Path,
    ) -> Result<(), ToolError> {
        let mut cmd = self.krb5_command("kinit", Some(ccache));
        cmd.arg(principal);
        run(&mut cmd, Some(&format!("{password}\n"))).map(drop)
    }

    /// [`Dc::kinit_password`] asking for a ticket that lives `lifetime`
    /// (kinit's `-l`, e.g. `4s`).
    pub fn kinit_password_for(
        &self,
        principal: &str,
        password: &str,
        ccache: &Path,
        lifetime: &str,
    ) -> Result<(), ToolError> {
        let mut cmd = self.krb5_command("kinit", Some(ccache));
        cmd.args(["-l", lifetime, principal]);
        run(&mut cmd, Some(&format!("{password}\n"))).map(drop)
    }

    /// `kinit -k -t KEYTAB PRINCIPAL` into the cache `ccache`.
    pub fn kinit_keytab(
        &self,
        principal: &str,
        keytab: &Path,
        ccache: &Path,
    ) -> Result<(), ToolError> {
        let mut cmd = self.krb5_command("kinit", Some(ccache));
        cmd.arg("-k").arg("-t").arg(keytab).arg(principal);
        run(&mut cmd, None).map(drop)
    }

    /// `klist` of the cache `ccache`; panics when it fails (no cache).
    pub fn klist(&self, ccache: &Path) -> String {
        let mut cmd = self.krb5_command("klist", Some(ccache));
        run(&mut cmd, None).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `klist -k -e KEYTAB`: the keytab's entries with their enctypes.
    pub fn klist_keytab(&self, keytab: &Path) -> String {
        let mut cmd = self.krb5_command("klist", None);
        cmd.arg("-k").arg("-e").arg(keytab);
        run(&mut cmd, None).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// `samba-tool domain provision` into `dir`, with our `krb5.conf`: without
/// DNS, or with Samba's internal DNS for [`Dc::shared_full`].
fn provision(dir: &Path, krb5_conf: &Path, profile: Profile) -> Result<(), String> {
    let mut cmd = Command::new("samba-tool");
    cmd.args(["domain", "provision"])
        .arg(format!("--targetdir={}", dir.display()))
        .arg(format!("--realm={REALM}"))
        .arg(format!("--domain={NETBIOS_DOMAIN}"))
        .arg(format!("--host-name={DC_HOST}"))
        .arg("--server-role=dc")
        .arg(match profile {
            Profile::Directory => "--dns-backend=NONE",
            Profile::Full => "--dns-backend=SAMBA_INTERNAL",
        })
        .arg(format!("--adminpass={ADMIN_PASSWORD}"))
        .arg("--host-ip=127.0.0.1")
        .arg("--option=interfaces=lo")
        .arg("--option=bind interfaces only=yes")
        .arg(format!("--option=log file={}/log.%m", dir.display()))
        .arg("--option=panic action=")
        .env("KRB5_CONFIG", krb5_conf);
    run(&mut cmd, None)
        .map(drop)
        .map_err(|e| format!("provisioning the domain: {e}"))
}

/// The DC's `krb5.conf`.
fn krb5_conf_text() -> String {
    format!(
        "[libdefaults]\n\
         \tdefault_realm = {REALM}\n\
         \tdns_lookup_kdc = false\n\
         \tdns_lookup_realm = false\n\
         \trdns = false\n\
         \tdns_canonicalize_hostname = false\n\
         \tudp_preference_limit = 1\n\
         [realms]\n\
         \t{REALM} = {{\n\
         \t\tkdc = 127.0.0.1\n\
         \t\tadmin_server = 127.0.0.1\n\
         \t\tkpasswd_server = 127.0.0.1\n\
         \t\tdefault_domain = {DNS_DOMAIN}\n\
         \t}}\n\
         [domain_realm]\n\
         \t.{DNS_DOMAIN} = {REALM}\n\
         \t{DNS_DOMAIN} = {REALM}\n"
    )
}

/// Whether 127.0.0.1:`port` accepts a connection.
fn port_open(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// Opens and exclusively locks `path`, waiting up to [`LOCK_WAIT`] for
/// another test process's DC; writes our PID into it.
fn take_lock(path: &Path) -> Result<File, String> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
    let deadline = Instant::now() + LOCK_WAIT;
    let mut said = false;
    loop {
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => break,
            Err(fs4::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(format!(
                        "another test process (pid {}) has held {} for {} s: its samba DC \
                         still runs",
                        read_owner(&mut file),
                        path.display(),
                        LOCK_WAIT.as_secs()
                    ));
                }
                if !said {
                    eprintln!(
                        "waiting for the samba DC of pid {} to finish ({})",
                        read_owner(&mut file),
                        path.display()
                    );
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(fs4::TryLockError::Error(e)) => {
                return Err(format!("locking {}: {e}", path.display()));
            }
        }
    }
    file.set_len(0).map_err(|e| e.to_string())?;
    file.rewind().map_err(|e| e.to_string())?;
    writeln!(file, "{}", std::process::id()).map_err(|e| e.to_string())?;
    Ok(file)
}

/// The PID written in the lock file, for messages.
fn read_owner(file: &mut File) -> String {
    let mut text = String::new();
    file.rewind().ok();
    file.read_to_string(&mut text).ok();
    let pid = text.trim();
    if pid.is_empty() { "?" } else { pid }.to_owned()
}

/// Whether the process of `proc_dir` (`/proc/PID`) is a samba with a file
/// under `base` open. Not its command line: samba rewrites that (and its
/// environment) to `samba: root process`.
fn is_our_samba(proc_dir: &Path, base: &Path) -> bool {
    let exe = fs::read_link(proc_dir.join("exe")).unwrap_or_default();
    if exe.file_name().is_none_or(|n| n != "samba") {
        return false;
    }
    fs::read_dir(proc_dir.join("fd")).is_ok_and(|fds| {
        fds.flatten()
            .any(|fd| fs::read_link(fd.path()).is_ok_and(|target| target.starts_with(base)))
    })
}

/// Stops the samba recorded in `pid_file` by an earlier run, if it still
/// runs (it should have stopped when that run's stdin pipe closed) and is
/// ours: a samba with a file under `base` open.
fn stop_stale(pid_file: &Path, base: &Path) -> Result<(), String> {
    let Ok(text) = fs::read_to_string(pid_file) else {
        return Ok(());
    };
    let pid = text.trim();
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if pid.parse::<u32>().is_ok() && is_our_samba(&proc_dir, base) {
        eprintln!("stopping the stale samba DC of an earlier run (pid {pid})");
        for signal in ["-TERM", "-KILL"] {
            Command::new("kill").args([signal, pid]).status().ok();
            let deadline = Instant::now() + Duration::from_secs(10);
            while proc_dir.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            if !proc_dir.exists() {
                break;
            }
        }
        if proc_dir.exists() {
            return Err(format!("the stale samba (pid {pid}) does not stop"));
        }
    }
    fs::remove_file(pid_file).map_err(|e| format!("removing {}: {e}", pid_file.display()))
}

/// A CA and an LDAPS certificate for the DC (`DNS:dc.example.test`,
/// `IP:127.0.0.1`), made with openssl in `dir/tls`
/// ([`crate::server_certificates`]): the CA's path and samba's `--option`s
/// for them. `None` without openssl.
fn tls_files(dir: &Path) -> Option<(PathBuf, Vec<String>)> {
    if !crate::openssl_available() {
        return None;
    }
    let tls = dir.join("tls");
    fs::create_dir_all(&tls).ok()?;
    let host = format!("{DC_HOST}.{DNS_DOMAIN}");
    crate::server_certificates(&tls, &host, &format!("DNS:{host},IP:127.0.0.1"));
    // samba refuses a key file others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tls.join("key.pem"), fs::Permissions::from_mode(0o600)).ok()?;
    }
    let options = vec![
        format!("--option=tls keyfile={}", tls.join("key.pem").display()),
        format!("--option=tls certfile={}", tls.join("cert.pem").display()),
        format!("--option=tls cafile={}", tls.join("ca.pem").display()),
    ];
    Some((tls.join("ca.pem"), options))
}
