//! Signature verification for the algorithms Windows and OpenSSL use:
//! RSA PKCS#1 v1.5 with SHA-1/256/384/512 and ECDSA on P-256/P-384.

use der::asn1::ObjectIdentifier;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::oid;
use crate::error::{Error, Result};

/// A public key's algorithm and size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyInfo {
    /// An RSA key; the modulus size in bits.
    Rsa {
        /// The modulus size in bits, e.g. 2048.
        bits: usize,
    },
    /// An EC key on a named curve.
    Ec {
        /// The curve's OID.
        curve: ObjectIdentifier,
        /// The curve's name (`P-256`, `P-384`) when known.
        curve_name: Option<&'static str>,
        /// The field size in bits (256, 384) when known.
        bits: Option<usize>,
    },
    /// Another algorithm, by OID.
    Other(ObjectIdentifier),
}

impl KeyInfo {
    /// Reads `spki`. An RSA key whose modulus cannot be read is
    /// [`Error::InvalidKey`].
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self> {
        let alg = spki.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION {
            let key = rsa_key(spki)?;
            Ok(Self::Rsa {
                bits: key.n().bits(),
            })
        } else if alg == oid::EC_PUBLIC_KEY {
            let curve = ec_curve(spki)?;
            let (curve_name, bits) = if curve == oid::SECP256R1 {
                (Some("P-256"), Some(256))
            } else if curve == oid::SECP384R1 {
                (Some("P-384"), Some(384))
            } else {
                (None, None)
            };
            Ok(Self::Ec {
                curve,
                curve_name,
                bits,
            })
        } else {
            Ok(Self::Other(alg))
        }
    }

    /// The key size in bits: the RSA modulus size or the curve's field size.
    pub fn bits(&self) -> Option<usize> {
        match self {
            Self::Rsa { bits } => Some(*bits),
            Self::Ec { bits, .. } => *bits,
            Self::Other(_) => None,
        }
    }
}

/// The signature algorithm that a CMS `SignerInfo` means when it names
/// only the key algorithm (`rsaEncryption`, `id-ecPublicKey`) and gives the
/// digest separately; other algorithms are returned unchanged.
pub(crate) fn combine(
    signature_alg: ObjectIdentifier,
    digest_alg: ObjectIdentifier,
) -> ObjectIdentifier {
    let table = if signature_alg == oid::RSA_ENCRYPTION {
        [
            (oid::SHA1, oid::SHA1_WITH_RSA),
            (oid::SHA256, oid::SHA256_WITH_RSA),
            (oid::SHA384, oid::SHA384_WITH_RSA),
            (oid::SHA512, oid::SHA512_WITH_RSA),
        ]
    } else if signature_alg == oid::EC_PUBLIC_KEY {
        [
            (oid::SHA1, signature_alg),
            (oid::SHA256, oid::ECDSA_WITH_SHA256),
            (oid::SHA384, oid::ECDSA_WITH_SHA384),
            (oid::SHA512, oid::ECDSA_WITH_SHA512),
        ]
    } else {
        return signature_alg;
    };
    table
        .into_iter()
        .find(|(d, _)| *d == digest_alg)
        .map_or(signature_alg, |(_, s)| s)
}

/// The digest of `message` with the digest algorithm `digest_alg`.
pub(crate) fn digest(digest_alg: ObjectIdentifier, message: &[u8]) -> Result<Vec<u8>> {
    let hash = [
        (oid::SHA1, Hash::Sha1),
        (oid::SHA256, Hash::Sha256),
        (oid::SHA384, Hash::Sha384),
        (oid::SHA512, Hash::Sha512),
    ]
    .into_iter()
    .find(|(o, _)| *o == digest_alg)
    .map(|(_, h)| h)
    .ok_or_else(|| Error::UnsupportedAlgorithm(format!("digest algorithm {digest_alg}")))?;
    Ok(hash.digest(message))
}

fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Result<rsa::RsaPublicKey> {
    let bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::InvalidKey("RSA key bit string is not octet-aligned".into()))?;
    rsa::RsaPublicKey::from_pkcs1_der(bytes).map_err(|e| Error::InvalidKey(e.to_string()))
}

fn ec_curve(spki: &SubjectPublicKeyInfoOwned) -> Result<ObjectIdentifier> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| Error::InvalidKey("EC key without a named curve".into()))
}

enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(message).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(message).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }

    fn pkcs1v15(&self) -> rsa::Pkcs1v15Sign {
        match self {
            Self::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            Self::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Self::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Self::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }
}

/// Verifies `signature` over `message` made with `algorithm` by the key in
/// `spki`.
///
/// Supported: `sha{1,256,384,512}WithRSAEncryption` with an RSA key and
/// `ecdsa-with-SHA{256,384,512}` with a P-256 or P-384 key. Anything else
/// is [`Error::UnsupportedAlgorithm`]; a key that cannot be read is
/// [`Error::InvalidKey`]; a wrong or malformed signature is
/// [`Error::BadSignature`].
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let sig_alg = algorithm.oid;
    let rsa_hash = [
        (oid::SHA1_WITH_RSA, Hash::Sha1),
        (oid::SHA256_WITH_RSA, Hash::Sha256),
        (oid::SHA384_WITH_RSA, Hash::Sha384),
        (oid::SHA512_WITH_RSA, Hash::Sha512),
    ]
    .into_iter()
    .find(|(o, _)| *o == sig_alg);
    if let Some((_, hash)) = rsa_hash {
        if spki.algorithm.oid != oid::RSA_ENCRYPTION {
            return Err(Error::InvalidKey(format!(
                "{sig_alg} with a {} key",
                spki.algorithm.oid
            )));
        }
        let key = rsa_key(spki)?;
        return key
            .verify(hash.pkcs1v15(), &hash.digest(message), signature)
            .map_err(|_| Error::BadSignature);
    }
    let ec_hash = [
        (oid::ECDSA_WITH_SHA256, Hash::Sha256),
        (oid::ECDSA_WITH_SHA384, Hash::Sha384),
        (oid::ECDSA_WITH_SHA512, Hash::Sha512),
    ]
    .into_iter()
    .find(|(o, _)| *o == sig_alg);
    let Some((_, hash)) = ec_hash else {
        return Err(Error::UnsupportedAlgorithm(format!(
            "signature algorithm {sig_alg}"
        )));
    };
    if spki.algorithm.oid != oid::EC_PUBLIC_KEY {
        return Err(Error::InvalidKey(format!(
            "{sig_alg} with a {} key",
            spki.algorithm.oid
        )));
    }
    let curve = ec_curve(spki)?;
    let point = spki.subject_public_key.raw_bytes();
    let prehash = hash.digest(message);
    let bad_key = |e: p256::ecdsa::Error| Error::InvalidKey(e.to_string());
    if curve == oid::SECP256R1 {
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad_key)?;
        let sig =
            p256::ecdsa::DerSignature::try_from(signature).map_err(|_| Error::BadSignature)?;
        key.verify_prehash(&prehash, &sig)
            .map_err(|_| Error::BadSignature)
    } else if curve == oid::SECP384R1 {
        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad_key)?;
        let sig =
            p384::ecdsa::DerSignature::try_from(signature).map_err(|_| Error::BadSignature)?;
        key.verify_prehash(&prehash, &sig)
            .map_err(|_| Error::BadSignature)
    } else {
        Err(Error::UnsupportedAlgorithm(format!("EC curve {curve}")))
    }
}
