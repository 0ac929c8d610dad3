//! Issue 14 item 6: Samba's own auto-enrollment, end to end. On the test
//! domain's DC (`testkit::samba::Dc::shared_full`: LDAP, KDC, DNS, CLDAP,
//! SMB, RPC, winbindd), a GPO linked to the domain sets `AEPolicy` = 7
//! (enroll) in its `MACHINE/Registry.pol`; the directory has a
//! certificate template the Domain Controllers may enroll in and an
//! enrollment service (`pKIEnrollmentService`) naming `cepces serve`'s CA;
//! `samba-gpupdate --force --target=Computer` runs as the DC's machine
//! account and does everything itself: finds the DC (DNS SRV, CLDAP),
//! reads the GPOs (LDAP, SMB), installs the CA certificate from the
//! directory, asks `cepces-submit --server=<dNSHostName> --auth=Kerberos`
//! for the templates (`GET-SUPPORTED-TEMPLATES`), and has certmonger add
//! the CA and request a certificate for each. `cepces-submit` is
//! `cepces certmonger` (a two-line script on `PATH`), certmonger the real
//! daemon on a private socket; the certificate is issued by `cepces
//! serve` over Kerberos, for the DC's `dNSHostName`.
//!
//! What the machine must give `samba-gpupdate`, and how the test gives it
//! without touching the system:
//! - DNS: Samba's DNS client reads `/etc/resolv.conf` itself (libresolv is
//!   not used, so resolv_wrapper does not help): `samba-gpupdate` runs in a
//!   private mount namespace (`unshare -m`) where `/etc/resolv.conf` names
//!   the DC's own DNS server.
//! - The machine account as a Unix user: on a DC, Samba builds the
//!   account's token with `getpwuid` of the ID winbindd maps it to (a real
//!   DC has `winbind` in nsswitch.conf); nss_wrapper gives that line (from
//!   `wbinfo -i`) to `samba-gpupdate` alone.
//! - No system trust store: `PATH` holds only `cepces-submit` and
//!   `getcert` (so `update-ca-certificates` is not found), and
//!   `/etc/pki/trust/anchors` (SUSE's), if it exists, is an empty tmpfs in
//!   the namespace. The CA certificate goes to the DC's cache directory,
//!   which `cepces-submit`'s configuration names as its `cas`.
//!
//! Built with the `kerberos` feature; skipped, with a message, outside CI
//! when a tool is missing.
#![cfg(feature = "kerberos")]
#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use common::Server;
use common::certmonger::{Certmonger, certmonger_available};
use testkit::samba::{DC_HOST as DC, Dc};

/// The template and the enrollment service's `cn` (certmonger's CA
/// nickname, as `samba-gpupdate` names it).
const TEMPLATE: &str = "GPMachine";
const CA: &str = "cepces-CA";

/// `flags` of AD's Machine template (CT_FLAG_MACHINE_TYPE among them).
const MACHINE: u32 = 0x0002_0260;
/// `msPKI-Certificate-Name-Flag`: the DNS name as the CN and in the SAN,
/// and the objectGUID in the SAN (AD's DomainController template).
const DNS_NAME: u32 = 0x1900_0000;

/// Registry.pol with `Software\Policies\Microsoft\Cryptography\
/// AutoEnrollment` `AEPolicy` (REG_DWORD) = `argv[4]`, written over SMB as
/// the administrator (as the Group Policy editor writes it) into the GPO
/// `argv[2]`; `argv[1]` is smb.conf, `argv[3]` the administrator's
/// `DOMAIN\user%password`. Samba 4.17 has no `samba-tool gpo load`.
const WRITE_REGISTRY_POL: &str = r"
import sys
from samba.param import LoadParm
from samba.credentials import Credentials
from samba.samba3 import libsmb_samba_internal as libsmb
from samba.samba3 import param as s3param
from samba.dcerpc import preg, misc
from samba.ndr import ndr_pack
lp = LoadParm()
lp.load(sys.argv[1])
s3 = s3param.get_context()
s3.load(lp.configfile)
creds = Credentials()
creds.guess(lp)
creds.parse_string(sys.argv[3])
e = preg.entry()
e.keyname = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
e.valuename = 'AEPolicy'
e.type = misc.REG_DWORD
e.data = int(sys.argv[4])
pol = preg.file()
pol.num_entries = 1
pol.entries = [e]
conn = libsmb.Conn('%s.%s' % (lp.get('netbios name').lower(), lp.get('realm').lower()),
                   'sysvol', lp=s3, creds=creds)
path = '%s\\Policies\\%s\\MACHINE\\Registry.pol' % (lp.get('realm').lower(), sys.argv[2])
conn.savefile(path, ndr_pack(pol))
";

/// The first of `names` that is a file, in `PATH` or the usual places.
fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from));
    // Multiarch library folders, for nss_wrapper.
    for lib in ["/usr/lib", "/lib", "/usr/lib64"] {
        dirs.push(PathBuf::from(lib));
        if let Ok(entries) = std::fs::read_dir(lib) {
            dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// What the test runs besides the DC: paths of `samba-gpupdate`,
/// `samba-tool`, the Python that has Samba's modules (`samba-gpupdate`'s
/// interpreter), `unshare`, `mount`, `getcert` and `libnss_wrapper.so`;
/// `None` (after saying why) when one is missing outside CI.
struct Tools {
    gpupdate: PathBuf,
    samba_tool: PathBuf,
    python: PathBuf,
    unshare: PathBuf,
    mount: PathBuf,
    getcert: PathBuf,
    nss_wrapper: PathBuf,
}

fn tools() -> Option<Tools> {
    let mut missing = Vec::new();
    let mut get = |names: &[&str], package: &str| {
        let found = find(names);
        if found.is_none() {
            missing.push(format!("{} ({package})", names[0]));
        }
        found.unwrap_or_default()
    };
    let gpupdate = get(&["samba-gpupdate"], "samba");
    // `#! /usr/bin/python3`: not a virtual environment's python3 that
    // comes first in PATH.
    let python = std::fs::read_to_string(&gpupdate)
        .ok()
        .and_then(|s| Some(PathBuf::from(s.lines().next()?.strip_prefix("#!")?.trim())))
        .unwrap_or_else(|| PathBuf::from("/usr/bin/python3"));
    let tools = Tools {
        gpupdate,
        samba_tool: get(&["samba-tool"], "samba"),
        python,
        unshare: get(&["unshare"], "util-linux"),
        mount: get(&["mount"], "mount"),
        getcert: get(&["getcert"], "certmonger"),
        nss_wrapper: get(&["libnss_wrapper.so"], "libnss-wrapper"),
    };
    if missing.is_empty() {
        return Some(tools);
    }
    let why = format!("not installed: {}", missing.join(", "));
    assert!(
        !testkit::in_ci(),
        "{why}: required in CI (.ci/run installs them)"
    );
    eprintln!("skipped: {why}");
    None
}

/// `program args…` in a private mount namespace where `/etc/resolv.conf`
/// is the DC's (`resolv_conf`) and `/etc/pki/trust/anchors`, where
/// `samba-gpupdate` links CA certificates on systems that have it, an
/// empty tmpfs. The environment is `env` only.
fn in_namespace(
    tools: &Tools,
    resolv_conf: &Path,
    env: &[(&str, &std::ffi::OsStr)],
    program: &Path,
    args: &[&std::ffi::OsStr],
) -> Output {
    let script = "set -e\n\
                  \"$1\" --bind \"$0\" /etc/resolv.conf\n\
                  if [ -d /etc/pki/trust/anchors ]; then \"$1\" -t tmpfs tmpfs /etc/pki/trust/anchors; fi\n\
                  shift\n\
                  exec \"$@\"\n";
    Command::new(&tools.unshare)
        .args(["--mount", "/bin/sh", "-c", script])
        .arg(resolv_conf)
        .arg(&tools.mount)
        .arg(program)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The template (Enroll and AutoEnroll for the Domain Controllers, `DD`)
/// and the enrollment service of the CA `ca_der` at `host`, which issues
/// it, as LDIF.
fn directory_ldif(dc: &Dc, ca_der: &[u8], host: &str) -> String {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let domain = dc.object_sid(dc.base_dn());
    let sddl = "O:DAG:DAD:PAI\
         (OA;;RPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DD)\
         (OA;;RPCR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;DD)\
         (A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;LCRPLORC;;;AU)";
    let sd = cepces_adcs::security::SecurityDescriptor::from_sddl(
        sddl,
        &cepces_adcs::security::SddlDomains::single(domain.parse().unwrap()),
    )
    .unwrap();
    let pks = format!(
        "CN=Public Key Services,CN=Services,CN=Configuration,{}",
        dc.base_dn()
    );
    format!(
        "dn: CN={TEMPLATE},CN=Certificate Templates,{pks}\n\
         objectClass: top\nobjectClass: pKICertificateTemplate\ncn: {TEMPLATE}\n\
         displayName: {TEMPLATE}\nflags: {MACHINE}\nrevision: 100\n\
         msPKI-Template-Minor-Revision: 1\nmsPKI-Template-Schema-Version: 2\n\
         msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.7.7.600\n\
         pKIExpirationPeriod:: {exp}\npKIOverlapPeriod:: {overlap}\npKIKeyUsage:: oAA=\n\
         pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.2\n\
         msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.2\npKIDefaultKeySpec: 1\n\
         pKIMaxIssuingDepth: 0\npKICriticalExtensions: 2.5.29.15\nmsPKI-RA-Signature: 0\n\
         msPKI-Enrollment-Flag: 32\nmsPKI-Private-Key-Flag: 0\n\
         msPKI-Certificate-Name-Flag: {DNS_NAME}\nmsPKI-Minimal-Key-Size: 2048\n\
         nTSecurityDescriptor:: {sd}\n\n\
         dn: CN={CA},CN=Enrollment Services,{pks}\n\
         objectClass: top\nobjectClass: pKIEnrollmentService\ncn: {CA}\n\
         dNSHostName: {host}\ncACertificate:: {ca}\ncertificateTemplates: {TEMPLATE}\n",
        exp = common::interval(365),
        overlap = common::interval(42),
        sd = b64(&sd.to_bytes()),
        ca = b64(ca_der),
    )
}

/// `samba-gpupdate --force` on the DC, as the DC's machine account, with
/// the auto-enrollment GPO: certmonger ends with the DC's certificate from
/// `cepces serve`, through `cepces certmonger` as `cepces-submit`.
#[test]
fn samba_gpupdate_enrolls_the_dc_through_certmonger() {
    let began = Instant::now();
    let Some(tools) = tools() else { return };
    if !certmonger_available() {
        eprintln!("skipped: certmonger (or openssl) is not installed");
        return;
    }
    let Some(dc) = Dc::shared_full() else { return };
    let resolv_conf = dc.resolv_conf().unwrap();
    let dir = testkit::tmp_dir("gpupdate");
    let machine = format!("{}$", DC.to_uppercase());
    let host = format!("{DC}.{}", dc.dns_domain());
    let admin = format!(
        "{}\\{}%{}",
        dc.netbios_domain(),
        dc.admin_user(),
        dc.admin_password()
    );

    // `cepces serve`: HTTP/localhost for Negotiate, its own account to
    // read the directory (with the DC's LDAP service principal, which a
    // full DC's samba_spnupdate would register).
    dc.add_spn(&format!("ldap/{host}"), &machine);
    let account = dc.create_machine(&dc.unique("gpsrv"));
    dc.add_spn("HTTP/localhost", &account);
    let keytab = dir.join("server.keytab");
    dc.export_keytab(&format!("HTTP/localhost@{}", dc.realm()), &keytab);
    let bind_principal = format!("{account}@{}", dc.realm());
    dc.export_keytab(&bind_principal, &keytab);
    let config = format!(
        "[ca]\ncommon_name = \"cepces Test CA\"\n\
         [kerberos]\nkeytab = \"{}\"\nrealm = \"{}\"\ndomain = \"{}\"\n\
         [directory]\nurl = \"ldap://127.0.0.1\"\nserver_name = \"{host}\"\n\
         principal = \"{bind_principal}\"\nrefresh_seconds = 5\n",
        keytab.display(),
        dc.realm(),
        dc.netbios_domain(),
    );
    let server = Server::start_with_env(&config, &[("KRB5_CONFIG", dc.krb5_conf().as_os_str())]);
    assert!(server.log_has("directory_bound", 10), "{}", server.log());

    // The directory: the template and the enrollment service of serve's
    // CA (its certificate now exists), at `localhost`, where serve's TLS
    // certificate and HTTP/localhost point. serve sees them at its next
    // refresh.
    let ca_der = der::Encode::to_der(&common::read_cert(&server.ca_file())).unwrap();
    dc.ldap_add(&directory_ldif(dc, &ca_der, "localhost"));
    assert!(server.log_has("policy_refreshed", 20), "{}", server.log());

    // The GPO: created, linked to the domain, AEPolicy = 7 (enroll,
    // update pending, renew: [MS-CAESO] 4.4.5.1).
    let smb_conf = dc.smb_conf().as_os_str();
    let env_tools: [(&str, &std::ffi::OsStr); 2] = [
        ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin".as_ref()),
        ("KRB5_CONFIG", dc.krb5_conf().as_os_str()),
    ];
    let ldap = format!("ldap://{host}");
    let gpo = in_namespace(
        &tools,
        resolv_conf,
        &env_tools,
        &tools.samba_tool,
        &[
            "gpo".as_ref(),
            "create".as_ref(),
            "Autoenrollment".as_ref(),
            "-H".as_ref(),
            ldap.as_ref(),
            "-s".as_ref(),
            smb_conf,
            "-U".as_ref(),
            admin.as_ref(),
        ],
    );
    let said = common::stdout(&gpo);
    assert!(gpo.status.success(), "{said}{}", common::stderr(&gpo));
    let guid = said
        .split_whitespace()
        .find(|w| w.starts_with('{') && w.ends_with('}'))
        .unwrap_or_else(|| panic!("no GPO GUID in {said}"))
        .to_owned();
    let link = in_namespace(
        &tools,
        resolv_conf,
        &env_tools,
        &tools.samba_tool,
        &[
            "gpo".as_ref(),
            "setlink".as_ref(),
            dc.base_dn().as_ref(),
            guid.as_ref(),
            "-H".as_ref(),
            ldap.as_ref(),
            "-s".as_ref(),
            smb_conf,
            "-U".as_ref(),
            admin.as_ref(),
        ],
    );
    assert!(link.status.success(), "{}", common::stderr(&link));
    let pol = in_namespace(
        &tools,
        resolv_conf,
        &env_tools,
        &tools.python,
        &[
            "-c".as_ref(),
            WRITE_REGISTRY_POL.as_ref(),
            smb_conf,
            guid.as_ref(),
            admin.as_ref(),
            "7".as_ref(),
        ],
    );
    assert!(pol.status.success(), "{}", common::stderr(&pol));

    // The machine's side. Its keytab (what /etc/krb5.keytab is on a real
    // DC) for cepces-submit; where samba-gpupdate puts the CA certificate
    // (the DC's cache directory) as cepces-submit's trusted CAs.
    let machine_keytab = dir.join("machine.keytab");
    dc.export_keytab(&format!("{machine}@{}", dc.realm()), &machine_keytab);
    let trust_dir = dc.dir().join("cache/certs");
    let submit_conf = dir.join("cepces.conf");
    std::fs::write(
        &submit_conf,
        format!(
            "[global]\ntype=Policy\nauth=Kerberos\n\
             endpoint=https://${{server}}:{port}/ADPolicyProvider_CEP_${{auth}}/service.svc/CEP\n\
             cas={}\npoll_interval=1\n\n\
             [kerberos]\nkeytab={}\nrealm={}\nccache=True\nprincipals=\n  {}\n",
            trust_dir.display(),
            machine_keytab.display(),
            dc.realm(),
            machine.replace('$', "$$"),
            port = server.port,
        ),
    )
    .unwrap();
    // PATH for samba-gpupdate: cepces-submit and getcert only.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let submit = bin.join("cepces-submit");
    // certmonger clears its helpers' environment: the DC's krb5.conf (a
    // machine's is /etc/krb5.conf) is set here.
    std::fs::write(
        &submit,
        format!(
            "#!/bin/sh\nexport KRB5_CONFIG='{}'\nexec '{}' certmonger --config '{}' \"$@\"\n",
            dc.krb5_conf().display(),
            common::BIN,
            submit_conf.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&submit, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::os::unix::fs::symlink(&tools.getcert, bin.join("getcert")).unwrap();
    // The machine account as a Unix user, as winbindd maps it.
    let mut wbinfo = dc.krb5_command("wbinfo", None);
    let account_line = wbinfo
        .arg("-i")
        .arg(format!("{}\\{machine}", dc.netbios_domain()))
        .output()
        .unwrap();
    assert!(
        account_line.status.success(),
        "{}",
        common::stderr(&account_line)
    );
    let passwd = dir.join("passwd");
    std::fs::write(
        &passwd,
        format!(
            "{}{}",
            std::fs::read_to_string("/etc/passwd").unwrap_or_default(),
            common::stdout(&account_line)
        ),
    )
    .unwrap();

    let cm = Certmonger::start();
    let address = format!("unix:path={}", cm.path("socket").display());
    let ccache = format!("FILE:{}", dir.join("gpupdate.ccache").display());
    let env: [(&str, &std::ffi::OsStr); 7] = [
        ("PATH", bin.as_os_str()),
        ("KRB5_CONFIG", dc.krb5_conf().as_os_str()),
        ("KRB5CCNAME", ccache.as_ref()),
        ("CERTMONGER_PVT_ADDRESS", address.as_ref()),
        ("LD_PRELOAD", tools.nss_wrapper.as_os_str()),
        ("NSS_WRAPPER_PASSWD", passwd.as_os_str()),
        ("NSS_WRAPPER_GROUP", "/etc/group".as_ref()),
    ];
    let gpupdate = in_namespace(
        &tools,
        resolv_conf,
        &env,
        &tools.gpupdate,
        &[
            "-s".as_ref(),
            smb_conf,
            "--force".as_ref(),
            "--target=Computer".as_ref(),
        ],
    );
    let said = format!("{}{}", common::stdout(&gpupdate), common::stderr(&gpupdate));
    assert!(gpupdate.status.success(), "{said}\n{}", dc.log_tail());
    for failure in [
        "Failed to fetch the list of supported templates",
        "Failed to add Certificate Authority",
        "Failed to request certificate",
        "Traceback",
    ] {
        assert!(!said.contains(failure), "{said}\n{}", server.log());
    }

    // certmonger: the CA samba-gpupdate added runs cepces-submit as
    // samba-gpupdate wrote it, and the DC's certificate is issued.
    let cas = common::stdout(&cm.getcert(&["list-cas", "-c", CA]));
    assert!(
        cas.contains(&format!(
            "{} --server=localhost --auth=Kerberos",
            submit.display()
        )),
        "{cas}"
    );
    let nickname = format!("{CA}.{TEMPLATE}");
    cm.wait_for(&nickname, "MONITORING");
    let cert = trust_dir.join(format!("{nickname}.crt"));
    common::openssl_verify(&server.ca_file(), &cert);
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    let text = common::stdout(&text);
    assert!(text.contains(&format!("DNS:{host}")), "{text}");
    assert!(
        dc.dir()
            .join(format!("private/certs/{nickname}.key"))
            .is_file()
    );
    // The CA certificate samba-gpupdate installed from the directory.
    assert!(trust_dir.join(format!("{CA}.crt")).is_file());
    // `list` binds to the configuration's directory too: with the DC's
    // krb5.conf and the server's keytab as the client keytab.
    let list = dc
        .krb5_command(common::BIN, None)
        .env("KRB5_CLIENT_KTNAME", format!("FILE:{}", keytab.display()))
        .arg("list")
        .arg("--dir")
        .arg(server.ca_dir())
        .arg("--config")
        .arg(server.path("cepces.toml"))
        .output()
        .unwrap();
    let records = common::stdout(&list);
    assert!(
        records.contains(&format!("\t{TEMPLATE}\t{}\\{machine}", dc.netbios_domain())),
        "{records}{}",
        common::stderr(&list)
    );
    eprintln!(
        "samba-gpupdate enrolled {host} in {:.1} s (with the DC)",
        began.elapsed().as_secs_f64()
    );
}
