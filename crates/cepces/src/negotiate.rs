//! HTTP Negotiate for `cepces enroll`/`renew` (RFC 4559): a SPNEGO token
//! from the system GSS-API (MIT Kerberos) for `HTTP@<host>`, from the
//! default credential cache or, with `--keytab`, from a keytab (a machine
//! account `HOST$`), bound to the TLS connection (`tls-server-end-point`,
//! RFC 5929), and the server's mutual-authentication token checked.

use std::collections::HashMap;
use std::sync::Mutex;

use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::name::Name;
use libgssapi::oid::{GSS_MECH_SPNEGO, GSS_NT_HOSTBASED_SERVICE, GSS_NT_KRB5_PRINCIPAL};
use sha2::Digest;

/// The tokens of one client: its credentials and the channel bindings of
/// each host seen.
#[derive(Debug, Default)]
pub struct Negotiator {
    principal: Option<String>,
    bindings: Mutex<HashMap<String, Vec<u8>>>,
}

/// A context waiting for the server's answer.
pub struct Pending(ClientCtx);

impl Negotiator {
    /// Tokens for `principal` (from the keytab `KRB5_CLIENT_KTNAME`
    /// names), or for the default credential cache's principal.
    pub fn new(principal: Option<String>) -> Self {
        Self {
            principal,
            bindings: Mutex::new(HashMap::new()),
        }
    }

    /// The channel bindings kept for `host`.
    pub fn binding(&self, host: &str) -> Option<Vec<u8>> {
        self.bindings.lock().ok()?.get(host).cloned()
    }

    /// Keeps the channel bindings of `host` from its TLS certificate.
    pub fn learn(&self, host: &str, certificate: &[u8]) -> Result<(), String> {
        let binding = tls_server_end_point(certificate)?;
        if let Ok(mut b) = self.bindings.lock() {
            b.insert(host.to_owned(), binding);
        }
        Ok(())
    }

    /// The first token for `HTTP@host`, and the context that checks the
    /// answer.
    pub fn start(&self, host: &str, binding: Option<&[u8]>) -> Result<(Pending, Vec<u8>), String> {
        let cred = match &self.principal {
            None => None,
            Some(p) => {
                let name = Name::new(p.as_bytes(), Some(&GSS_NT_KRB5_PRINCIPAL))
                    .map_err(|e| format!("Kerberos principal {p}: {e}"))?;
                Some(
                    Cred::acquire(Some(&name), None, CredUsage::Initiate, None)
                        .map_err(|e| format!("Kerberos credentials of {p}: {e}"))?,
                )
            }
        };
        let target = Name::new(
            format!("HTTP@{host}").as_bytes(),
            Some(&GSS_NT_HOSTBASED_SERVICE),
        )
        .map_err(|e| format!("service name HTTP@{host}: {e}"))?;
        let mut ctx = ClientCtx::new(
            cred,
            target,
            CtxFlags::GSS_C_MUTUAL_FLAG,
            Some(&GSS_MECH_SPNEGO),
        );
        let token = ctx
            .step(None, binding)
            .map_err(|e| format!("Kerberos ticket for HTTP/{host}: {e}"))?
            .ok_or("GSS-API gave no token")?;
        Ok((Pending(ctx), token.to_vec()))
    }
}

impl Pending {
    /// Checks the server's `WWW-Authenticate: Negotiate <token>`: the
    /// server proved it holds the service key.
    pub fn finish(mut self, header: Option<&str>) -> Result<(), String> {
        let token = header
            .and_then(|h| h.trim().strip_prefix("Negotiate "))
            .map(str::trim)
            .ok_or("the server did not authenticate itself (no Negotiate token in its answer)")?;
        let token =
            <soap_envelope::xsd::Base64Binary as soap_envelope::xsd::XsdType>::parse_xsd(token)
                .map_err(|e| format!("the server's Negotiate token: {e}"))?;
        self.0
            .step(Some(&token.0), None)
            .map_err(|e| format!("the server failed mutual authentication: {e}"))?;
        if self.0.is_complete() {
            Ok(())
        } else {
            Err("the server's Negotiate answer did not complete the exchange".into())
        }
    }
}

/// `tls-server-end-point` channel bindings (RFC 5929 section 4): the hash
/// of the server's certificate, SHA-256 unless its signature uses a
/// stronger hash, after the label.
pub fn tls_server_end_point(certificate: &[u8]) -> Result<Vec<u8>, String> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(certificate)
        .map_err(|e| format!("the server's TLS certificate: {e}"))?;
    let alg = cert.signature_algorithm.oid.to_string();
    let hash: Vec<u8> = match alg.as_str() {
        // sha384WithRSAEncryption, ecdsa-with-SHA384
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => {
            sha2::Sha384::digest(certificate).to_vec()
        }
        // sha512WithRSAEncryption, ecdsa-with-SHA512
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => {
            sha2::Sha512::digest(certificate).to_vec()
        }
        // SHA-256, and MD5 and SHA-1 (RFC 5929: use SHA-256 for those).
        _ => sha2::Sha256::digest(certificate).to_vec(),
    };
    let mut out = b"tls-server-end-point:".to_vec();
    out.extend_from_slice(&hash);
    Ok(out)
}
