//! The state directory of `cepces serve`: the configuration, the CA's key
//! and certificate, and the TLS server's, loaded or made on first start.
//! Answering requests is [`cepces_server::Server`]'s.

use std::fs;
use std::net::IpAddr;
use std::path::Path;

use cepces_server::pki::{self, Authority, CertificateSpec, Profile};
use cepces_server::{Config, Issuer};
use x509_cert::Certificate;

use super::files;

pub use super::files::StateDir;

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// Reads the configuration at `path` (default `DIR/cepces.toml`). Only
/// `serve` may write the shipped example there, and only when no file
/// exists (`write_example`); the administrator commands never write.
pub fn load_config(
    dir: &StateDir,
    path: Option<&Path>,
    write_example: bool,
) -> Result<Config, String> {
    let path = path.map_or_else(|| dir.config(), Path::to_path_buf);
    if write_example && !path.exists() {
        files::write_private(&path, super::EXAMPLE.as_bytes()).map_err(io_err(&path))?;
        tracing::info!(path = %path.display(), "wrote the example configuration");
    }
    let text = fs::read_to_string(&path).map_err(io_err(&path))?;
    Config::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Loads the CA of `dir`. A CA is created (with `create`) only where the
/// directory holds no state at all; a key without its certificate, a
/// certificate without its key, or a key that does not match the
/// certificate stops the start: key material is never overwritten.
pub fn load_or_create_ca(
    dir: &StateDir,
    config: &Config,
    create: bool,
) -> Result<Box<dyn Issuer>, String> {
    if let Some(p) = &config.ca.pkcs11 {
        return pkcs11_ca(dir, config, p, create);
    }
    load_or_create_file_ca(dir, config, create).map(|ca| Box::new(ca) as Box<dyn Issuer>)
}

/// The CA whose key is in the token of `p` ([`load_or_create_ca`]'s rules:
/// a new key and certificate only where the directory holds no state,
/// never a certificate for another key).
#[cfg(feature = "pkcs11")]
fn pkcs11_ca(
    dir: &StateDir,
    config: &Config,
    p: &cepces_server::config::Pkcs11Config,
    create: bool,
) -> Result<Box<dyn Issuer>, String> {
    use cepces_server::pkcs11::{Pkcs11Authority, Token};
    let (key_path, cert_path) = (dir.ca_key(), dir.ca_cert());
    if key_path.exists() {
        return Err(format!(
            "[ca.pkcs11] is configured but {} exists: refusing to guess which is the CA key \
             (move the file away to use the token)",
            key_path.display()
        ));
    }
    let pin = fs::read_to_string(&p.pin_file).map_err(io_err(&p.pin_file))?;
    let pin = pin.lines().next().unwrap_or_default();
    let token = Token::open(&p.module, &p.token, pin)?;
    let key = token.key(&p.key_label)?;
    if cert_path.exists() {
        let key = key.ok_or_else(|| {
            format!(
                "{} exists but token {:?} holds no key labelled {:?}: refusing to start",
                cert_path.display(),
                p.token,
                p.key_label
            )
        })?;
        return Ok(Box::new(Pkcs11Authority::new(key, read_cert(&cert_path)?)?));
    }
    if !create {
        return Err(no_ca(dir));
    }
    refuse_over_state(dir)?;
    let key = match key {
        Some(key) => key,
        None => token.generate_key(&p.key_label, config.ca.key_bits)?,
    };
    let ca = Pkcs11Authority::create(
        key,
        &config.ca.common_name,
        pki::unix_now(),
        i64::from(config.ca.validity_days) * 86_400,
    )?;
    files::write_atomic(
        &cert_path,
        pki::cert_to_pem(ca.ca_certificate())?.as_bytes(),
        files::PUBLIC,
    )
    .map_err(io_err(&cert_path))?;
    tracing::info!(subject = %ca.ca_certificate().tbs_certificate.subject, token = %p.token, "created the CA, its key in the token");
    Ok(Box::new(ca))
}

#[cfg(not(feature = "pkcs11"))]
fn pkcs11_ca(
    _: &StateDir,
    _: &Config,
    _: &cepces_server::config::Pkcs11Config,
    _: bool,
) -> Result<Box<dyn Issuer>, String> {
    Err("[ca.pkcs11]: this cepces was built without the `pkcs11` feature".into())
}

/// What an administrator command says where `dir` holds no CA.
pub fn no_ca(dir: &StateDir) -> String {
    format!(
        "{} holds no CA (run `cepces serve` first)",
        dir.root.display()
    )
}

/// The certificate (PEM) at `path`.
fn read_cert(path: &Path) -> Result<Certificate, String> {
    pki::cert_from_pem(&fs::read_to_string(path).map_err(io_err(path))?)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn load_or_create_file_ca(
    dir: &StateDir,
    config: &Config,
    create: bool,
) -> Result<Authority, String> {
    let (key_path, cert_path) = (dir.ca_key(), dir.ca_cert());
    if let Some((key, certificate)) = load_pair(&key_path, &cert_path)? {
        return Ok(Authority::new(key, certificate));
    }
    if !create {
        return Err(no_ca(dir));
    }
    refuse_over_state(dir)?;
    let key = pki::generate_key(config.ca.key_bits)?;
    let ca = Authority::create(
        key,
        &config.ca.common_name,
        pki::unix_now(),
        i64::from(config.ca.validity_days) * 86_400,
    )?;
    write_pair(
        &key_path,
        &pki::key_to_pem(&ca.key)?,
        &cert_path,
        &pki::cert_to_pem(&ca.certificate)?,
    )?;
    tracing::info!(subject = %ca.certificate.tbs_certificate.subject, "created the CA");
    Ok(ca)
}

/// Refuses to create a CA where state from an earlier one remains.
fn refuse_over_state(dir: &StateDir) -> Result<(), String> {
    let existing = dir.existing_state();
    if existing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "no CA key and certificate in {}, but {} exist: refusing to create a new CA over them \
         (restore ca-key.pem and ca.pem, or start in an empty directory)",
        dir.root.display(),
        names.join(", ")
    ))
}

/// A key and its certificate, when both exist and match; `None` when
/// neither exists; an error for one without the other or a mismatch.
fn load_pair(
    key_path: &Path,
    cert_path: &Path,
) -> Result<Option<(rsa::RsaPrivateKey, Certificate)>, String> {
    match (key_path.exists(), cert_path.exists()) {
        (false, false) => Ok(None),
        (true, false) | (false, true) => {
            let (present, missing) = if key_path.exists() {
                (key_path, cert_path)
            } else {
                (cert_path, key_path)
            };
            Err(format!(
                "{} exists but {} does not: refusing to start (key material is never \
                 overwritten; restore the missing file, or move both away to start anew)",
                present.display(),
                missing.display()
            ))
        }
        (true, true) => {
            let key = pki::key_from_pem(&fs::read_to_string(key_path).map_err(io_err(key_path))?)
                .map_err(|e| format!("{}: {e}", key_path.display()))?;
            let cert = read_cert(cert_path)?;
            if pki::spki(&key.to_public_key())? != cert.tbs_certificate.subject_public_key_info {
                return Err(format!(
                    "{} is not the key of {}: refusing to start",
                    key_path.display(),
                    cert_path.display()
                ));
            }
            Ok(Some((key, cert)))
        }
    }
}

/// Writes a new key (0600) and its certificate, each atomically; when the
/// certificate cannot be written the new key is removed again, so that a
/// failed first start leaves nothing that blocks the next.
fn write_pair(
    key_path: &Path,
    key_pem: &str,
    cert_path: &Path,
    cert_pem: &str,
) -> Result<(), String> {
    files::write_private(key_path, key_pem.as_bytes()).map_err(io_err(key_path))?;
    if let Err(e) = files::write_atomic(cert_path, cert_pem.as_bytes(), files::PUBLIC) {
        let _ = fs::remove_file(key_path);
        return Err(io_err(cert_path)(e));
    }
    Ok(())
}

/// The TLS server key (PKCS#8 DER) and certificate chain (DER, leaf
/// first), issued by the CA for `localhost`, the loopback addresses and
/// `hostnames`; made on first start, never over a key that exists.
pub fn load_or_create_tls(
    dir: &StateDir,
    ca: &dyn Issuer,
    hostnames: &[String],
) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    let (key_path, cert_path) = (dir.tls_key(), dir.tls_cert());
    let (key, cert) = if let Some(pair) = load_pair(&key_path, &cert_path)? {
        pair
    } else {
        let key = pki::generate_key(2048)?;
        let mut dns = vec!["localhost"];
        let mut ips: Vec<IpAddr> =
            vec![[127, 0, 0, 1].into(), std::net::Ipv6Addr::LOCALHOST.into()];
        for h in hostnames {
            match h.parse::<IpAddr>() {
                Ok(ip) => ips.push(ip),
                Err(_) => dns.push(h),
            }
        }
        let now = pki::unix_now();
        let spec = CertificateSpec::new(
            pki::name_with_cn(dns.last().copied().unwrap_or("localhost"))?,
            pki::spki(&key.to_public_key())?,
            now - 60,
            now + 825 * 86_400,
            Profile::Leaf,
        )
        .with_extensions(vec![
            pki::subject_alt_name(&dns, &ips)?,
            pki::extended_key_usage(&[const_oid::db::rfc5280::ID_KP_SERVER_AUTH])?,
        ]);
        let cert = ca.issue(&spec)?;
        write_pair(
            &key_path,
            &pki::key_to_pem(&key)?,
            &cert_path,
            &pki::cert_to_pem(&cert)?,
        )?;
        (key, cert)
    };
    Ok((
        pki::key_to_pkcs8_der(&key)?,
        vec![pki::to_der(&cert)?, pki::to_der(ca.ca_certificate())?],
    ))
}
