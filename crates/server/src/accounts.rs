//! Who may log in: [`Authenticator`] names the accounts and checks their
//! passwords; [`PasswordAccounts`] does it for a list of accounts with
//! argon2 hashes (the configuration's `[[user]]`s), a few verifications
//! at a time, each in memory allocated once.

use std::sync::{Condvar, Mutex, PoisonError};

use argon2::PasswordHasher;

use crate::config::UserConfig;

/// An account, with what certificates built from it may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Account {
    /// The name clients log in with.
    pub name: String,
    /// Its groups, for templates' enroll lists.
    pub groups: Vec<String>,
    /// Its e-mail address.
    pub email: Option<String>,
    /// Its user principal name.
    pub upn: Option<String>,
    /// Its DNS name (a machine's).
    pub dns_name: Option<String>,
    /// Its SID (`S-1-5-21-…`), from a directory: certificates built from
    /// the account carry it for strong certificate mapping.
    pub sid: Option<String>,
    /// Its distinguished name, from a directory (the subject of
    /// `directory_path` templates).
    pub dn: Option<String>,
    /// Its `cn`, from a directory (the CN of user templates that require
    /// a common name).
    pub cn: Option<String>,
    /// Its `objectGUID` (16 bytes as the directory stores it), from a
    /// directory.
    pub object_guid: Option<[u8; 16]>,
}

impl Account {
    /// An account named `name` in `groups`, with no other attribute.
    pub fn new(name: impl Into<String>, groups: Vec<String>) -> Self {
        Self {
            name: name.into(),
            groups,
            email: None,
            upn: None,
            dns_name: None,
            sid: None,
            dn: None,
            cn: None,
            object_guid: None,
        }
    }
}

impl From<&UserConfig> for Account {
    fn from(u: &UserConfig) -> Self {
        Self {
            name: u.name.clone(),
            groups: u.groups.clone(),
            email: u.email.clone(),
            upn: u.upn.clone(),
            dns_name: u.dns_name.clone(),
            sid: None,
            dn: None,
            cn: None,
            object_guid: None,
        }
    }
}

/// The accounts of a CA. The server asks it for an account by name (a TLS
/// client certificate's, a renewal's: it must still exist) and to check a
/// UsernameToken's password; throttling, replay and timestamps are the
/// server's ([`Guard`](crate::Guard)), before this is asked.
pub trait Authenticator: Send + Sync + std::fmt::Debug {
    /// The account named `name` (ASCII case ignored), if it exists and may
    /// authenticate.
    fn account(&self, name: &str) -> Option<Account>;
    /// The account named `name` if `password` is its password. An unknown
    /// name should cost as much as a wrong password (no enumeration by
    /// timing).
    fn verify_password(&self, name: &str, password: &str) -> Option<Account>;
}

/// An argon2 hash verified when the account does not exist, so that an
/// unknown name takes as long as a wrong password. Its password is random
/// and unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$7w3xbHnAEPyLwtpyEjp3Nw$6W8TdMcsGvMEC3JIS+kQK+Q3jQNhHyh55GWgqpK7xQg";

/// Accounts with argon2 (PHC string) password hashes.
#[derive(Debug)]
pub struct PasswordAccounts {
    users: Vec<UserConfig>,
    workspaces: Workspaces,
}

impl PasswordAccounts {
    /// The accounts `users`, with at most `max_concurrent` password
    /// verifications at once (the others wait).
    pub fn new(users: Vec<UserConfig>, max_concurrent: usize) -> Self {
        Self {
            users,
            workspaces: Workspaces::new(max_concurrent.max(1)),
        }
    }

    fn user(&self, name: &str) -> Option<&UserConfig> {
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }
}

impl Authenticator for PasswordAccounts {
    fn account(&self, name: &str) -> Option<Account> {
        self.user(name).map(Account::from)
    }

    fn verify_password(&self, name: &str, password: &str) -> Option<Account> {
        let user = self.user(name);
        let hash = user.map_or(DUMMY_HASH, |u| u.password_hash.as_str());
        let verified = self
            .workspaces
            .with(|blocks| argon2_matches(hash, password.as_bytes(), blocks));
        user.filter(|_| verified).map(Account::from)
    }
}

/// The argon2id hash (PHC string) of `password`, with a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = argon2::password_hash::SaltString::generate(&mut rand_core::OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The argon2 working memory of the verifications that may run at once,
/// allocated once and reused: N verifications never take more than N
/// blocks of memory, whatever the number of requests (argon2's own
/// `verify_password` allocates ~19 MiB per call on whichever thread runs
/// it, and the allocator keeps each thread's copy).
#[derive(Debug)]
struct Workspaces {
    free: Mutex<Vec<Vec<argon2::Block>>>,
    freed: Condvar,
}

impl Workspaces {
    fn new(n: usize) -> Self {
        Self {
            free: Mutex::new((0..n).map(|_| Vec::new()).collect()),
            freed: Condvar::new(),
        }
    }

    /// Runs `f` with a workspace, waiting for one to be free.
    fn with<T>(&self, f: impl FnOnce(&mut Vec<argon2::Block>) -> T) -> T {
        let mut blocks = {
            let mut free = lock(&self.free);
            loop {
                if let Some(b) = free.pop() {
                    break b;
                }
                free = self
                    .freed
                    .wait(free)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let result = f(&mut blocks);
        lock(&self.free).push(blocks);
        self.freed.notify_one();
        result
    }
}

/// Whether `password` matches the argon2 PHC string `phc`, computed in
/// `blocks` (grown to the hash's memory cost if needed).
fn argon2_matches(phc: &str, password: &[u8], blocks: &mut Vec<argon2::Block>) -> bool {
    use argon2::password_hash::{Output, PasswordHash};
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        argon2::Algorithm::try_from(hash.algorithm),
        argon2::Params::try_from(&hash),
    ) else {
        return false;
    };
    let version = hash
        .version
        .map_or(Ok(argon2::Version::default()), argon2::Version::try_from);
    let Ok(version) = version else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let needed = params.block_count();
    if blocks.len() < needed {
        blocks.resize(needed, argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    argon2::Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..needed])
        .is_ok()
        // Output compares in constant time.
        && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn passwords_verify_as_argon2_does() {
        let w = Workspaces::new(2);
        let check = |hash: &str, pw: &str| w.with(|b| argon2_matches(hash, pw.as_bytes(), b));
        let hash = hash_password("s3cret").unwrap();
        assert!(check(&hash, "s3cret"));
        assert!(!check(&hash, "s3creT"));
        assert!(!check("not a hash", "s3cret"));
        // Another cost and algorithm than the default, as a hash made
        // elsewhere may have.
        let params = argon2::Params::new(4096, 3, 1, Some(24)).unwrap();
        let other = argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params);
        let salt = argon2::password_hash::SaltString::generate(&mut rand_core::OsRng);
        let hash = argon2::PasswordHasher::hash_password(&other, b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(check(&hash, "pw"));
        assert!(!check(&hash, "px"));
    }

    #[test]
    fn accounts_by_name_and_password() {
        let hash = hash_password("pw").unwrap();
        let users = vec![UserConfig {
            name: "Alice".into(),
            password_hash: hash,
            groups: vec!["Staff".into()],
            email: Some("alice@example.com".into()),
            upn: None,
            dns_name: None,
        }];
        let accounts = PasswordAccounts::new(users, 1);
        let alice = accounts.verify_password("alice", "pw").unwrap();
        assert_eq!(
            (alice.name.as_str(), alice.email.as_deref()),
            ("Alice", Some("alice@example.com"))
        );
        assert_eq!(accounts.verify_password("alice", "px"), None);
        assert_eq!(accounts.verify_password("bob", "pw"), None);
        assert_eq!(accounts.account("ALICE").unwrap().groups, ["Staff"]);
    }
}
