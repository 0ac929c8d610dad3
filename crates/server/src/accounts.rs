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

    /// [`verify_password`](Self::verify_password) at `now` (seconds since
    /// 1970), which the server calls: an implementation may remember a
    /// recent success (the caller owns the clock). The default verifies.
    fn verify_password_at(&self, name: &str, password: &str, now: i64) -> Option<Account> {
        let _ = now;
        self.verify_password(name, password)
    }
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
    verified: Verified,
    /// Full (argon2) verifications run, for the tests.
    full: std::sync::atomic::AtomicU64,
}

impl PasswordAccounts {
    /// The accounts `users`, with at most `max_concurrent` password
    /// verifications at once (the others wait), and never more than the
    /// machine has cores: argon2 is CPU-bound, so more would only add
    /// working memory (~19 MiB each) and no throughput.
    pub fn new(users: Vec<UserConfig>, max_concurrent: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            users,
            workspaces: Workspaces::new(max_concurrent.clamp(1, cores)),
            verified: Verified::new(0),
            full: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Remembers a successful verification for `seconds` (0: never, the
    /// default), so that a client sending its UsernameToken with every
    /// request pays argon2 once per window rather than every time. What
    /// is kept is an HMAC-SHA-256, under a key made at random for this
    /// process, of the user name, its stored hash and the password: never
    /// the password. A wrong password, or an unknown name, is verified in
    /// full every time.
    #[must_use]
    pub fn with_verified_cache(mut self, seconds: u32) -> Self {
        self.verified = Verified::new(seconds);
        self
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
        self.full.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let verified = self
            .workspaces
            .with(|blocks| argon2_matches(hash, password.as_bytes(), blocks));
        user.filter(|_| verified).map(Account::from)
    }

    fn verify_password_at(&self, name: &str, password: &str, now: i64) -> Option<Account> {
        let Some(user) = self.user(name) else {
            // An unknown name costs a full verification, as a wrong password.
            return self.verify_password(name, password);
        };
        let key = self.verified.key(user, password);
        if self.verified.holds(&key, now) {
            return Some(Account::from(user));
        }
        let account = self.verify_password(name, password)?;
        self.verified.remember(key, now);
        Some(account)
    }
}

/// The verified-password cache of [`PasswordAccounts::with_verified_cache`].
struct Verified {
    seconds: u32,
    key: [u8; 32],
    until: Mutex<std::collections::HashMap<[u8; 32], i64>>,
}

/// At most this many verified (user, password) pairs are remembered.
const MAX_VERIFIED: usize = 4096;

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("seconds", &self.seconds)
            .finish_non_exhaustive()
    }
}

impl Verified {
    fn new(seconds: u32) -> Self {
        let mut key = [0; 32];
        if seconds > 0 {
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut key);
        }
        Self {
            seconds,
            key,
            until: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// HMAC(key, len-prefixed name ‖ stored hash ‖ password): a change of
    /// the stored hash is another entry.
    fn key(&self, user: &UserConfig, password: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        for part in [
            user.name.to_ascii_lowercase().as_bytes(),
            user.password_hash.as_bytes(),
            password.as_bytes(),
        ] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn holds(&self, key: &[u8; 32], now: i64) -> bool {
        self.seconds > 0 && lock(&self.until).get(key).is_some_and(|&until| now < until)
    }

    fn remember(&self, key: [u8; 32], now: i64) {
        if self.seconds == 0 {
            return;
        }
        let mut until = lock(&self.until);
        if until.len() >= MAX_VERIFIED {
            until.retain(|_, &mut u| now < u);
            if until.len() >= MAX_VERIFIED {
                until.clear();
            }
        }
        until.insert(key, now + i64::from(self.seconds));
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

    #[test]
    fn verifications_at_once_are_capped_at_the_cores() {
        let cores = std::thread::available_parallelism().unwrap().get();
        let free = |n| lock(&PasswordAccounts::new(Vec::new(), n).workspaces.free).len();
        assert_eq!(free(10_000), cores);
        assert_eq!(free(0), 1);
        assert_eq!(free(1), 1);
    }

    /// A remembered success answers without argon2 within its window and
    /// not after; a wrong password, an unknown name and a changed hash are
    /// verified in full; with no window nothing is remembered. (The
    /// speed-up itself is measured in the bench, not here.)
    #[test]
    fn verified_passwords_are_remembered_for_their_window() {
        use std::sync::atomic::Ordering::Relaxed;
        let user = |hash: &str| UserConfig {
            name: "alice".into(),
            password_hash: hash.into(),
            groups: vec![],
            email: None,
            upn: None,
            dns_name: None,
        };
        let hash = hash_password("pw").unwrap();
        let accounts = PasswordAccounts::new(vec![user(&hash)], 1).with_verified_cache(60);
        let full = || accounts.full.load(Relaxed);
        let now = 1_800_000_000;
        assert!(accounts.verify_password_at("ALICE", "pw", now).is_some());
        assert_eq!(full(), 1);
        assert!(
            accounts
                .verify_password_at("alice", "pw", now + 59)
                .is_some()
        );
        assert_eq!(full(), 1, "remembered");
        // A wrong password or an unknown name is never answered from the
        // cache.
        assert!(
            accounts
                .verify_password_at("alice", "px", now + 1)
                .is_none()
        );
        assert!(accounts.verify_password_at("bob", "pw", now + 1).is_none());
        assert_eq!(full(), 3);
        // The window ends: verified in full again (and remembered again).
        assert!(
            accounts
                .verify_password_at("alice", "pw", now + 60)
                .is_some()
        );
        assert!(
            accounts
                .verify_password_at("alice", "pw", now + 61)
                .is_some()
        );
        assert_eq!(full(), 4);
        // Another stored hash (the password changed): not the same entry.
        let changed = PasswordAccounts::new(vec![user(&hash_password("new").unwrap())], 1)
            .with_verified_cache(60);
        assert_ne!(
            accounts.verified.key(&accounts.users[0], "pw"),
            changed.verified.key(&changed.users[0], "pw")
        );
        assert!(changed.verify_password_at("alice", "pw", now).is_none());
        // No window: every check is a full one.
        let plain = PasswordAccounts::new(vec![user(&hash)], 1);
        assert!(plain.verify_password_at("alice", "pw", now).is_some());
        assert!(plain.verify_password_at("alice", "pw", now).is_some());
        assert_eq!(plain.full.load(Relaxed), 2);
    }
}
