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

/// The tokens of one client: its credentials and the channel bindings of
/// each host seen.
#[derive(Debug, Default)]
pub struct Negotiator {
    principals: Vec<String>,
    /// The credentials of the first principal that had them, once found.
    cred: Mutex<Option<Cred>>,
    bindings: Mutex<HashMap<String, Vec<u8>>>,
}

/// A context waiting for the server's answer.
pub struct Pending(ClientCtx);

impl Negotiator {
    /// Tokens for the first of `principals` that has credentials (from
    /// the keytab `KRB5_CLIENT_KTNAME` names), or, with none, for the
    /// default credential cache's principal.
    pub fn new(principals: Vec<String>) -> Self {
        Self {
            principals,
            cred: Mutex::new(None),
            bindings: Mutex::new(HashMap::new()),
        }
    }

    /// The credentials to initiate with: `None` for the default ones.
    fn credentials(&self) -> Result<Option<Cred>, String> {
        if self.principals.is_empty() {
            return Ok(None);
        }
        if let Some(c) = self.cred.lock().ok().and_then(|c| c.clone()) {
            return Ok(Some(c));
        }
        let mut why = Vec::new();
        for p in &self.principals {
            let attempt = Name::new(p.as_bytes(), Some(GSS_NT_KRB5_PRINCIPAL))
                .and_then(|name| Cred::acquire(Some(&name), None, CredUsage::Initiate, None));
            match attempt {
                Ok(cred) => {
                    if let Ok(mut c) = self.cred.lock() {
                        *c = Some(cred.clone());
                    }
                    return Ok(Some(cred));
                }
                Err(e) => why.push(format!("{p}: {e}")),
            }
        }
        Err(format!("no Kerberos credentials: {}", why.join("; ")))
    }

    /// The channel bindings kept for `host`.
    pub fn binding(&self, host: &str) -> Option<Vec<u8>> {
        self.bindings.lock().ok()?.get(host).cloned()
    }

    /// Keeps the channel bindings of `host` from its TLS certificate.
    pub fn learn(&self, host: &str, certificate: &[u8]) -> Result<(), String> {
        let binding = cepces_server::negotiate::tls_server_end_point(certificate)
            .map_err(|e| format!("the server's TLS certificate: {e}"))?;
        if let Ok(mut b) = self.bindings.lock() {
            b.insert(host.to_owned(), binding);
        }
        Ok(())
    }

    /// The first token for `HTTP@host`, and the context that checks the
    /// answer.
    pub fn start(&self, host: &str, binding: Option<&[u8]>) -> Result<(Pending, Vec<u8>), String> {
        let cred = self.credentials()?;
        let target = Name::new(
            format!("HTTP@{host}").as_bytes(),
            Some(GSS_NT_HOSTBASED_SERVICE),
        )
        .map_err(|e| format!("service name HTTP@{host}: {e}"))?;
        let mut ctx = ClientCtx::new(
            cred,
            target,
            CtxFlags::GSS_C_MUTUAL_FLAG,
            Some(GSS_MECH_SPNEGO),
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
