//! A CA whose key stays in an HSM or a token ([`Pkcs11Authority`],
//! feature `pkcs11`): the key is found by its label in a token found by
//! its label, through the vendor's PKCS#11 module (SoftHSM2, a network
//! HSM, a smart card) loaded at run time with [`cryptoki`]. This process
//! never holds the private key: it sends what is to be signed and gets
//! back the signature (`CKM_SHA256_RSA_PKCS`, the `sha256WithRSAEncryption`
//! the file CA writes).

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use rsa::{BigUint, RsaPublicKey};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use crate::pki::{self, CertificateSpec, CrlSpec, Issuer, Result};

fn ck(what: &'static str) -> impl Fn(CkError) -> String {
    move |e| format!("PKCS#11, {what}: {e}")
}

/// A token, logged in as its user.
struct TokenInner {
    ctx: Pkcs11,
    slot: Slot,
    pin: AuthPin,
}

impl std::fmt::Debug for TokenInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

impl TokenInner {
    /// A new read-write session, logged in (the login is the
    /// application's: a session opened after the first is already in).
    fn session(&self) -> Result<Session> {
        let session = self
            .ctx
            .open_rw_session(self.slot)
            .map_err(ck("opening a session"))?;
        match session.login(UserType::User, Some(&self.pin)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(e) => Err(ck("logging in")(e)),
        }
    }
}

/// A PKCS#11 token, opened by its label through `module`.
#[derive(Debug, Clone)]
pub struct Token {
    inner: Arc<TokenInner>,
}

impl Token {
    /// Loads `module` (a PKCS#11 shared library) and opens the token
    /// labelled `label`, logging in with the user PIN `pin`.
    pub fn open(module: &Path, label: &str, pin: &str) -> Result<Self> {
        let ctx = Pkcs11::new(module).map_err(|e| format!("{}: {e}", module.display()))?;
        ctx.initialize(CInitializeArgs::OsThreads)
            .map_err(ck("initializing the module"))?;
        let mut slot = None;
        for s in ctx.get_slots_with_token().map_err(ck("listing slots"))? {
            let info = ctx.get_token_info(s).map_err(ck("reading a token"))?;
            if info.label().trim_end() == label {
                slot = Some(s);
                break;
            }
        }
        let slot =
            slot.ok_or_else(|| format!("{}: no token labelled {label:?}", module.display()))?;
        let inner = TokenInner {
            ctx,
            slot,
            pin: AuthPin::from(pin.to_owned()),
        };
        // Log in now: a wrong PIN is an error at start, not at the first
        // enrollment.
        drop(inner.session()?);
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The RSA private key labelled `label`, if the token holds one.
    pub fn key(&self, label: &str) -> Result<Option<Pkcs11Key>> {
        let session = self.inner.session()?;
        let Some(handle) = find_key(&session, label)? else {
            return Ok(None);
        };
        let public = public_key(&session, handle)?;
        Ok(Some(Pkcs11Key {
            token: Arc::clone(&self.inner),
            label: label.to_owned(),
            public,
            sessions: Mutex::new(vec![(session, handle)]),
        }))
    }

    /// Generates an RSA key pair of `bits` in the token, labelled
    /// `label`: the private key is a token object, sensitive and not
    /// extractable, for signing only. An error when a key of that label
    /// exists.
    pub fn generate_key(&self, label: &str, bits: usize) -> Result<Pkcs11Key> {
        let session = self.inner.session()?;
        if find_key(&session, label)?.is_some() {
            return Err(format!("the token already holds a key labelled {label:?}"));
        }
        let bits = u64::try_from(bits).map_err(|_| "a key size".to_owned())?;
        let id = label.as_bytes().to_vec();
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::Encrypt(false),
            Attribute::Wrap(false),
            Attribute::ModulusBits(bits.into()),
            Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.clone()),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Decrypt(false),
            Attribute::Unwrap(false),
            Attribute::Derive(false),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id),
        ];
        let (_, handle) = session
            .generate_key_pair(
                &Mechanism::RsaPkcsKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(ck("generating the key"))?;
        let public = public_key(&session, handle)?;
        Ok(Pkcs11Key {
            token: Arc::clone(&self.inner),
            label: label.to_owned(),
            public,
            sessions: Mutex::new(vec![(session, handle)]),
        })
    }
}

fn find_key(session: &Session, label: &str) -> Result<Option<ObjectHandle>> {
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::RSA),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(ck("finding the key"))?;
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(format!(
            "the token holds {} RSA keys labelled {label:?}: which is the CA's is not clear",
            found.len()
        )),
    }
}

/// The public half of the private key `key`, from its modulus and public
/// exponent (readable on a sensitive key).
fn public_key(session: &Session, key: ObjectHandle) -> Result<RsaPublicKey> {
    let attributes = session
        .get_attributes(
            key,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .map_err(ck("reading the public key"))?;
    let (mut n, mut e) = (None, None);
    for a in attributes {
        match a {
            Attribute::Modulus(m) => n = Some(BigUint::from_bytes_be(&m)),
            Attribute::PublicExponent(x) => e = Some(BigUint::from_bytes_be(&x)),
            _ => {}
        }
    }
    match (n, e) {
        (Some(n), Some(e)) => RsaPublicKey::new(n, e).map_err(|e| format!("the token's key: {e}")),
        _ => Err("the token gives no modulus and exponent for the key".into()),
    }
}

/// An RSA private key in a token. Signing takes a session from a pool
/// (one per signature at a time), so that signatures run in parallel
/// where the token allows it.
#[derive(Debug)]
pub struct Pkcs11Key {
    token: Arc<TokenInner>,
    label: String,
    public: RsaPublicKey,
    sessions: Mutex<Vec<(Session, ObjectHandle)>>,
}

impl Pkcs11Key {
    /// The public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The `sha256WithRSAEncryption` (PKCS#1 v1.5) signature of `data`,
    /// made by the token. A session the token has dropped (a restarted
    /// HSM) is replaced once.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let mut retried = false;
        loop {
            let pooled = self
                .sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let (session, key) = if let Some(pooled) = pooled {
                pooled
            } else {
                let session = self.token.session()?;
                let key = find_key(&session, &self.label)?
                    .ok_or_else(|| format!("the key {:?} is gone from the token", self.label))?;
                (session, key)
            };
            match session.sign(&Mechanism::Sha256RsaPkcs, key, data) {
                Ok(signature) => {
                    self.sessions
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((session, key));
                    return Ok(signature);
                }
                Err(e) if !retried => {
                    tracing::warn!(error = %e, "PKCS#11 signature failed: retrying with a new session");
                    retried = true;
                }
                Err(e) => return Err(ck("signing")(e)),
            }
        }
    }

    /// The key as a certificate's `SubjectPublicKeyInfo`.
    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned> {
        pki::spki(&self.public)
    }
}

/// A CA whose key is in a token: [`Authority`](crate::pki::Authority)'s
/// certificates and CRLs, signed by the token.
#[derive(Debug)]
pub struct Pkcs11Authority {
    key: Pkcs11Key,
    certificate: Certificate,
}

impl Pkcs11Authority {
    /// The CA of `key` and its `certificate`; an error when the
    /// certificate is not the key's.
    pub fn new(key: Pkcs11Key, certificate: Certificate) -> Result<Self> {
        if key.spki()? != certificate.tbs_certificate.subject_public_key_info {
            return Err(format!(
                "the token's key {:?} is not the key of the CA certificate {}",
                key.label, certificate.tbs_certificate.subject
            ));
        }
        Ok(Self { key, certificate })
    }

    /// A new CA of `key` with a self-signed certificate named
    /// `common_name`, valid from `now` for `validity_secs`.
    pub fn create(key: Pkcs11Key, common_name: &str, now: i64, validity_secs: i64) -> Result<Self> {
        let certificate = pki::self_signed_with(
            &|tbs| key.sign(tbs),
            key.spki()?,
            common_name,
            now,
            validity_secs,
        )?;
        Ok(Self { key, certificate })
    }

    /// The key.
    pub fn key(&self) -> &Pkcs11Key {
        &self.key
    }
}

impl Issuer for Pkcs11Authority {
    fn ca_certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn issue(&self, spec: &CertificateSpec) -> Result<Certificate> {
        pki::issue_with(&|tbs| self.key.sign(tbs), &self.certificate, spec)
    }

    fn sign_crl(&self, spec: &CrlSpec) -> Result<CertificateList> {
        pki::crl_signed_with(&|tbs| self.key.sign(tbs), &self.certificate, spec)
    }
}
