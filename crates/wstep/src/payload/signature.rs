//! Public keys ([`KeyInfo`]) and, with the `verify` feature (on by
//! default), signature verification for the algorithms Windows and OpenSSL
//! use: RSA PKCS#1 v1.5 with SHA-1/224/256/384/512 (SHA-1 also under the
//! OIW OID Windows MDM clients use), RSASSA-PSS, and ECDSA on P-256/P-384.
//! Without `verify`, the crate needs no RSA or elliptic-curve code: a user
//! who only reads and writes messages does not build it.

use der::asn1::ObjectIdentifier;
#[cfg(feature = "verify")]
use p256::ecdsa::signature::hazmat::PrehashVerifier;
#[cfg(feature = "verify")]
use sha2::Digest;
#[cfg(feature = "verify")]
use spki::AlgorithmIdentifierOwned;
use spki::SubjectPublicKeyInfoOwned;

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
    /// Reads `spki`. An RSA key (`rsaEncryption`, or `id-RSASSA-PSS` for a
    /// key restricted to PSS) whose modulus cannot be read is
    /// [`Error::InvalidKey`].
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self> {
        let alg = spki.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION || alg == oid::RSASSA_PSS {
            Ok(Self::Rsa {
                bits: rsa_modulus_bits(spki)?,
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

#[cfg(feature = "verify")]
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
            (oid::SHA224, oid::SHA224_WITH_RSA),
            (oid::SHA256, oid::SHA256_WITH_RSA),
            (oid::SHA384, oid::SHA384_WITH_RSA),
            (oid::SHA512, oid::SHA512_WITH_RSA),
        ]
    } else if signature_alg == oid::EC_PUBLIC_KEY {
        [
            (oid::SHA1, oid::ECDSA_WITH_SHA1),
            (oid::SHA224, oid::ECDSA_WITH_SHA224),
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

#[cfg(feature = "verify")]
/// The digest of `message` with the digest algorithm `digest_alg`.
pub(crate) fn digest(digest_alg: ObjectIdentifier, message: &[u8]) -> Result<Vec<u8>> {
    let hash = Hash::from_digest_oid(digest_alg)
        .ok_or_else(|| Error::UnsupportedAlgorithm(format!("digest algorithm {digest_alg}")))?;
    Ok(hash.digest(message))
}

/// The largest RSA modulus a signature is verified with, in bits. The rsa
/// crate stops at 4096 by default; Windows, macOS and openssl make 8192-
/// and 16384-bit keys. Verifying with 16384 bits costs about 64 times a
/// 2048-bit verification; a larger key is [`Error::KeyTooLarge`] before
/// any arithmetic.
pub const MAX_RSA_BITS: usize = 16_384;

#[cfg(feature = "verify")]
fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Result<rsa::RsaPublicKey> {
    let bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::InvalidKey("RSA key bit string is not octet-aligned".into()))?;
    let key = <rsa::pkcs1::RsaPublicKey<'_> as der::Decode<'_>>::from_der(bytes)
        .map_err(|e| Error::InvalidKey(e.to_string()))?;
    let n = rsa::BigUint::from_bytes_be(key.modulus.as_bytes());
    let bits = n.bits();
    if bits > MAX_RSA_BITS {
        return Err(Error::KeyTooLarge {
            bits,
            max: MAX_RSA_BITS,
        });
    }
    let e = rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes());
    rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS)
        .map_err(|e| Error::InvalidKey(e.to_string()))
}

/// `RSAPublicKey`, RFC 8017 Appendix A.1.1.
#[derive(der::Sequence)]
struct RsaPublicKeyDer<'a> {
    modulus: der::asn1::UintRef<'a>,
    #[allow(dead_code)] // read to check the structure, not used
    public_exponent: der::asn1::UintRef<'a>,
}

/// The modulus size of the RSA key in `spki`, in bits.
fn rsa_modulus_bits(spki: &SubjectPublicKeyInfoOwned) -> Result<usize> {
    let bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::InvalidKey("RSA key bit string is not octet-aligned".into()))?;
    let key = <RsaPublicKeyDer<'_> as der::Decode<'_>>::from_der(bytes)
        .map_err(|e| Error::InvalidKey(e.to_string()))?;
    // `UintRef` has no leading zero bytes.
    let m = key.modulus.as_bytes();
    let bits = match m.first() {
        None => 0,
        Some(&b) => m.len() * 8 - b.leading_zeros() as usize,
    };
    if bits == 0 {
        return Err(Error::InvalidKey("RSA modulus is zero".into()));
    }
    Ok(bits)
}

fn ec_curve(spki: &SubjectPublicKeyInfoOwned) -> Result<ObjectIdentifier> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| Error::InvalidKey("EC key without a named curve".into()))
}

#[cfg(feature = "verify")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

#[cfg(feature = "verify")]
impl Hash {
    fn from_digest_oid(digest_alg: ObjectIdentifier) -> Option<Self> {
        [
            (oid::SHA1, Self::Sha1),
            (oid::SHA224, Self::Sha224),
            (oid::SHA256, Self::Sha256),
            (oid::SHA384, Self::Sha384),
            (oid::SHA512, Self::Sha512),
        ]
        .into_iter()
        .find(|(o, _)| *o == digest_alg)
        .map(|(_, h)| h)
    }

    fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(message).to_vec(),
            Self::Sha224 => sha2::Sha224::digest(message).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(message).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }

    /// AWS-LC's PKCS#1 v1.5 verification for this hash (keys of 2048 to
    /// 8192 bits), where it has one we use.
    #[cfg(feature = "aws-lc")]
    fn aws_lc_pkcs1v15(self) -> Option<&'static aws_lc_rs::signature::RsaParameters> {
        use aws_lc_rs::signature as s;
        match self {
            Self::Sha256 => Some(&s::RSA_PKCS1_2048_8192_SHA256),
            Self::Sha384 => Some(&s::RSA_PKCS1_2048_8192_SHA384),
            Self::Sha512 => Some(&s::RSA_PKCS1_2048_8192_SHA512),
            Self::Sha1 | Self::Sha224 => None,
        }
    }

    fn pkcs1v15(self) -> rsa::Pkcs1v15Sign {
        match self {
            Self::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            Self::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
            Self::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Self::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Self::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }

    fn pss(self, salt_len: usize) -> rsa::Pss {
        match self {
            Self::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt_len),
            Self::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt_len),
            Self::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt_len),
            Self::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt_len),
            Self::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt_len),
        }
    }
}

#[cfg(feature = "verify")]
/// How a signature algorithm OID is verified.
enum Scheme {
    /// RSA PKCS#1 v1.5 with the hash.
    Pkcs1v15(Hash),
    /// RSASSA-PSS; the hash, MGF1 hash and salt length are in the
    /// algorithm's parameters.
    Pss,
    /// ECDSA with the hash.
    Ecdsa(Hash),
}

#[cfg(feature = "verify")]
/// The signature algorithms Windows (CertEnroll, MDM), macOS and OpenSSL
/// put in PKCS#10 requests and CMS signers, and how each is verified.
const SCHEMES: [(ObjectIdentifier, Scheme); 12] = [
    (oid::SHA1_WITH_RSA, Scheme::Pkcs1v15(Hash::Sha1)),
    // Windows MDM clients: the same signature under the OIW arc.
    (oid::OIW_SHA1_WITH_RSA, Scheme::Pkcs1v15(Hash::Sha1)),
    (oid::SHA224_WITH_RSA, Scheme::Pkcs1v15(Hash::Sha224)),
    (oid::SHA256_WITH_RSA, Scheme::Pkcs1v15(Hash::Sha256)),
    (oid::SHA384_WITH_RSA, Scheme::Pkcs1v15(Hash::Sha384)),
    (oid::SHA512_WITH_RSA, Scheme::Pkcs1v15(Hash::Sha512)),
    (oid::RSASSA_PSS, Scheme::Pss),
    (oid::ECDSA_WITH_SHA1, Scheme::Ecdsa(Hash::Sha1)),
    (oid::ECDSA_WITH_SHA224, Scheme::Ecdsa(Hash::Sha224)),
    (oid::ECDSA_WITH_SHA256, Scheme::Ecdsa(Hash::Sha256)),
    (oid::ECDSA_WITH_SHA384, Scheme::Ecdsa(Hash::Sha384)),
    (oid::ECDSA_WITH_SHA512, Scheme::Ecdsa(Hash::Sha512)),
];

#[cfg(feature = "verify")]
/// Signature algorithms that are recognised and refused: their digests
/// have practical collisions, so a signature with them does not prove
/// possession of the key (AD CS has not issued MD5-signed requests by
/// default since Windows Server 2008; no current Windows, macOS or OpenSSL
/// client makes them).
const INSECURE: [(ObjectIdentifier, &str); 2] = [
    (
        oid::MD5_WITH_RSA,
        "md5WithRSAEncryption (1.2.840.113549.1.1.4)",
    ),
    (
        oid::MD2_WITH_RSA,
        "md2WithRSAEncryption (1.2.840.113549.1.1.2)",
    ),
];

/// Verifies `signature` over `message` made with `algorithm` by the key in
/// `spki`.
///
/// Supported, with an RSA key: RSA PKCS#1 v1.5 with SHA-1 (both
/// `sha1WithRSAEncryption` and the OIW `sha1WithRSASignature`
/// `1.3.14.3.2.29` that Windows MDM clients use), SHA-224, SHA-256, SHA-384
/// and SHA-512; RSASSA-PSS (`1.2.840.113549.1.1.10`) with MGF1, the same
/// hash for the message and the mask, and the salt length and trailer its
/// parameters give. With a P-256 or P-384 key: ECDSA with
/// SHA-1/224/256/384/512.
///
/// `md5WithRSAEncryption` and `md2WithRSAEncryption` are
/// [`Error::InsecureAlgorithm`]; anything else (including PSS with a
/// different mask hash) is [`Error::UnsupportedAlgorithm`]; PSS parameters
/// that are not DER are [`Error::Der`]; a key that cannot be read, or one
/// of the wrong algorithm, is [`Error::InvalidKey`]; a wrong or malformed
/// signature is [`Error::BadSignature`].
#[cfg(feature = "verify")]
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let sig_alg = algorithm.oid;
    if let Some((_, name)) = INSECURE.iter().find(|(o, _)| *o == sig_alg) {
        return Err(Error::InsecureAlgorithm(name));
    }
    let Some((_, scheme)) = SCHEMES.iter().find(|(o, _)| *o == sig_alg) else {
        return Err(Error::UnsupportedAlgorithm(format!(
            "signature algorithm {sig_alg}"
        )));
    };
    let wrong_key = || Error::InvalidKey(format!("{sig_alg} with a {} key", spki.algorithm.oid));
    match scheme {
        Scheme::Pkcs1v15(hash) => {
            if spki.algorithm.oid != oid::RSA_ENCRYPTION {
                return Err(wrong_key());
            }
            // A signature AWS-LC accepts is good; anything else (another key
            // size, a bad signature) is RustCrypto's to decide, so the
            // answer is the same with or without the feature.
            #[cfg(feature = "aws-lc")]
            if let (Some(params), Some(key)) =
                (hash.aws_lc_pkcs1v15(), spki.subject_public_key.as_bytes())
                && aws_lc_rs::signature::UnparsedPublicKey::new(params, key)
                    .verify(message, signature)
                    .is_ok()
            {
                return Ok(());
            }
            rsa_key(spki)?
                .verify(hash.pkcs1v15(), &hash.digest(message), signature)
                .map_err(|_| Error::BadSignature)
        }
        Scheme::Pss => {
            // An RSA-PSS signature may come from an `rsaEncryption` key or
            // an `id-RSASSA-PSS` key (RFC 4055 Section 1.2).
            if spki.algorithm.oid != oid::RSA_ENCRYPTION && spki.algorithm.oid != oid::RSASSA_PSS {
                return Err(wrong_key());
            }
            let (hash, salt_len) = pss_params(algorithm)?;
            rsa_key(spki)?
                .verify(hash.pss(salt_len), &hash.digest(message), signature)
                .map_err(|_| Error::BadSignature)
        }
        Scheme::Ecdsa(hash) => {
            if spki.algorithm.oid != oid::EC_PUBLIC_KEY {
                return Err(wrong_key());
            }
            verify_ecdsa(spki, *hash, message, signature)
        }
    }
}

#[cfg(feature = "verify")]
/// The hash and salt length of an `id-RSASSA-PSS` algorithm's
/// `RSASSA-PSS-params` (RFC 8017 Appendix A.2.3; absent fields take the
/// defaults SHA-1, MGF1 with SHA-1, salt 20, trailer 1).
fn pss_params(algorithm: &AlgorithmIdentifierOwned) -> Result<(Hash, usize)> {
    use der::Decode;
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| Error::UnsupportedAlgorithm("RSASSA-PSS without parameters".into()))?;
    let der = der::Encode::to_der(params).map_err(Error::der("RSASSA-PSS-params"))?;
    let params =
        rsa::pkcs1::RsaPssParams::from_der(&der).map_err(Error::der("RSASSA-PSS-params"))?;
    let hash = Hash::from_digest_oid(params.hash.oid).ok_or_else(|| {
        Error::UnsupportedAlgorithm(format!("RSASSA-PSS hash {}", params.hash.oid))
    })?;
    let mask_hash = params.mask_gen.parameters.map(|p| p.oid);
    if params.mask_gen.oid != oid::MGF1 || mask_hash != Some(params.hash.oid) {
        return Err(Error::UnsupportedAlgorithm(format!(
            "RSASSA-PSS mask generation {} with {} (only MGF1 with the message hash {})",
            params.mask_gen.oid,
            mask_hash.map_or_else(|| "no hash".to_owned(), |o| o.to_string()),
            params.hash.oid
        )));
    }
    Ok((hash, usize::from(params.salt_len)))
}

#[cfg(feature = "verify")]
fn verify_ecdsa(
    spki: &SubjectPublicKeyInfoOwned,
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let curve = ec_curve(spki)?;
    let point = spki.subject_public_key.raw_bytes();
    let bad_key = |e: p256::ecdsa::Error| Error::InvalidKey(e.to_string());
    if curve == oid::SECP256R1 {
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad_key)?;
        let sig =
            p256::ecdsa::DerSignature::try_from(signature).map_err(|_| Error::BadSignature)?;
        key.verify_prehash(&field_prehash(hash.digest(message), 32), &sig)
            .map_err(|_| Error::BadSignature)
    } else if curve == oid::SECP384R1 {
        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad_key)?;
        let sig =
            p384::ecdsa::DerSignature::try_from(signature).map_err(|_| Error::BadSignature)?;
        key.verify_prehash(&field_prehash(hash.digest(message), 48), &sig)
            .map_err(|_| Error::BadSignature)
    } else {
        Err(Error::UnsupportedAlgorithm(format!("EC curve {curve}")))
    }
}

#[cfg(feature = "verify")]
/// A digest shorter than the curve's field, left-padded with zeros to the
/// field size: the same integer `e` (FIPS 186-5 Section 6.4.2 uses the
/// whole digest when it is shorter than the order), which the `ecdsa`
/// crate otherwise refuses below half the field size (SHA-1 on P-384).
fn field_prehash(digest: Vec<u8>, field_bytes: usize) -> Vec<u8> {
    if digest.len() >= field_bytes {
        return digest;
    }
    let mut padded = vec![0; field_bytes - digest.len()];
    padded.extend_from_slice(&digest);
    padded
}
