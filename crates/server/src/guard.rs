//! What stands before a password is checked: the WS-Security timestamp
//! window, UsernameToken replay, the password type, back-off after failed
//! logins (per account and per address). No sockets and no clock of its own:
//! the caller passes the time.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use soap_envelope::{Security, UsernameToken};

use crate::config::ServiceConfig;

/// `#PasswordText` ([WSS UsernameToken Profile 1.1] 3.1), the only
/// password type a server holding argon2 hashes can check.
///
/// [WSS UsernameToken Profile 1.1]: https://docs.oasis-open.org/wss-m/wss/v1.1.1/os/wss-UsernameTokenProfile-v1.1.1-os.html
const PASSWORD_TEXT: &str = "#PasswordText";

/// The longest a held-back account or address waits.
const MAX_BACKOFF_SECS: i64 = 300;
/// Failure records kept at most (oldest dropped first); and for how
/// long a quiet key is remembered.
const MAX_TRACKED: usize = 65_536;
const FORGET_AFTER_SECS: i64 = 3_600;
/// Nonces remembered at most; past this, new messages with a nonce are
/// refused until old ones expire (a flood cannot make us forget).
const MAX_NONCES: usize = 262_144;

/// Why a message was refused before its password was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The timestamp (or the token's `Created`) is outside the window:
    /// `wsse:MessageExpired`.
    Expired(String),
    /// The UsernameToken was seen before: a replay.
    Replayed,
    /// A password type other than `#PasswordText` (a `#PasswordDigest`
    /// cannot be checked against a hash; it is never compared as text).
    PasswordType(String),
    /// The account or the address is held back after failed logins.
    Throttled {
        /// Seconds left.
        retry_after: i64,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Expired(why) => write!(f, "message expired: {why}"),
            Self::Replayed => f.write_str("the UsernameToken nonce was used before (replay)"),
            Self::PasswordType(t) => write!(
                f,
                "password type {t:?} is not supported (send #PasswordText over TLS)"
            ),
            Self::Throttled { retry_after } => {
                write!(f, "held back after failed logins for {retry_after} s")
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: i64,
    until: i64,
}

/// Failed logins per key, bounded.
#[derive(Debug, Default)]
struct Tracker {
    map: HashMap<String, Failures>,
}

impl Tracker {
    fn blocked_for(&self, key: &str, now: i64) -> Option<i64> {
        self.map
            .get(key)
            .filter(|f| f.until > now)
            .map(|f| f.until - now)
    }

    fn fail(&mut self, key: String, threshold: u32, base: i64, now: i64) -> u32 {
        if self.map.len() >= MAX_TRACKED {
            self.map.retain(|_, f| now - f.last < FORGET_AFTER_SECS);
            if self.map.len() >= MAX_TRACKED
                && let Some(oldest) = self
                    .map
                    .iter()
                    .min_by_key(|(_, f)| f.last)
                    .map(|(k, _)| k.clone())
            {
                self.map.remove(&oldest);
            }
        }
        let entry = self.map.entry(key).or_insert(Failures {
            count: 0,
            last: now,
            until: 0,
        });
        if now - entry.last >= FORGET_AFTER_SECS {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        if entry.count >= threshold {
            let doublings = (entry.count - threshold).min(16);
            entry.until = now + base.saturating_mul(1i64 << doublings).min(MAX_BACKOFF_SECS);
        }
        entry.count
    }

    fn succeed(&mut self, key: &str) {
        self.map.remove(key);
    }
}

/// UsernameToken nonces seen within the window.
#[derive(Debug, Default)]
struct Nonces {
    seen: HashSet<String>,
    order: VecDeque<(i64, String)>,
}

impl Nonces {
    fn expire(&mut self, before: i64) {
        while let Some((t, _)) = self.order.front() {
            if *t >= before {
                break;
            }
            if let Some((_, key)) = self.order.pop_front() {
                self.seen.remove(&key);
            }
        }
    }
}

/// The checks before and around password verification.
#[derive(Debug)]
pub struct Guard {
    skew: i64,
    max_age: i64,
    account_threshold: u32,
    address_threshold: u32,
    backoff: i64,
    failures: Mutex<Tracker>,
    nonces: Mutex<Nonces>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Guard {
    /// The guard for `service`'s settings.
    pub fn new(service: &ServiceConfig) -> Self {
        Self {
            skew: i64::from(service.clock_skew_secs),
            max_age: i64::from(service.max_message_age_secs),
            account_threshold: service.account_failures_before_backoff.max(1),
            address_threshold: service.address_failures_before_backoff.max(1),
            backoff: i64::from(service.login_backoff_secs.max(1)),
            failures: Mutex::default(),
            nonces: Mutex::default(),
        }
    }

    /// Checks the `wsu:Timestamp` of `security`, when there is one
    /// ([WSS 1.1] 10): `Created` not after now (plus the skew), `Expires`
    /// not before now (minus the skew), and without `Expires` a `Created`
    /// no older than the maximum age.
    ///
    /// [WSS 1.1]: https://docs.oasis-open.org/wss-m/wss/v1.1.1/os/wss-SOAPMessageSecurity-v1.1.1-os.html
    pub fn check_timestamp(&self, security: Option<&Security>, now: i64) -> Result<(), Refusal> {
        let Some(ts) = security.and_then(|s| s.timestamp.as_ref()) else {
            return Ok(());
        };
        let created = ts
            .created
            .as_ref()
            .map(soap_envelope::xsd::DateTime::to_unix);
        let expires = ts
            .expires
            .as_ref()
            .map(soap_envelope::xsd::DateTime::to_unix);
        self.check_window(created, expires, now)
    }

    fn check_window(
        &self,
        created: Option<i64>,
        expires: Option<i64>,
        now: i64,
    ) -> Result<(), Refusal> {
        if let Some(c) = created
            && c > now + self.skew
        {
            return Err(Refusal::Expired("Created is in the future".into()));
        }
        match (created, expires) {
            (_, Some(e)) if e < now - self.skew => {
                Err(Refusal::Expired("Expires has passed".into()))
            }
            (Some(c), None) if c < now - self.max_age - self.skew => {
                Err(Refusal::Expired("Created is too old".into()))
            }
            _ => Ok(()),
        }
    }

    /// Checks what can be checked of `token` before its password: the
    /// password type, its `Created`, and whether the account or address
    /// is held back.
    pub fn before_password(
        &self,
        token: &UsernameToken,
        peer: Option<IpAddr>,
        now: i64,
    ) -> Result<(), Refusal> {
        if let Some(t) = token
            .password
            .as_ref()
            .and_then(|p| p.password_type.as_deref())
            && !t.ends_with(PASSWORD_TEXT)
        {
            return Err(Refusal::PasswordType(t.to_owned()));
        }
        self.check_window(
            token
                .created
                .as_ref()
                .map(soap_envelope::xsd::DateTime::to_unix),
            None,
            now,
        )?;
        let failures = lock(&self.failures);
        let account = failures.blocked_for(&account_key(&token.username), now);
        let address = peer.and_then(|ip| failures.blocked_for(&address_key(ip), now));
        match account.max(address) {
            Some(retry_after) => Err(Refusal::Throttled { retry_after }),
            None => Ok(()),
        }
    }

    /// Records a failed login; returns the account's failure count.
    pub fn failed(&self, username: &str, peer: Option<IpAddr>, now: i64) -> u32 {
        let mut failures = lock(&self.failures);
        if let Some(ip) = peer {
            failures.fail(address_key(ip), self.address_threshold, self.backoff, now);
        }
        failures.fail(
            account_key(username),
            self.account_threshold,
            self.backoff,
            now,
        )
    }

    /// Records a successful login of `token`, and refuses it when its
    /// nonce was seen within the window (a replayed token): the nonce is
    /// remembered only once the password is right, so a stranger cannot
    /// spend someone else's nonces.
    pub fn succeeded(&self, token: &UsernameToken, now: i64) -> Result<(), Refusal> {
        lock(&self.failures).succeed(&account_key(&token.username));
        let Some(nonce) = token.nonce.as_deref() else {
            return Ok(());
        };
        let created = token
            .created
            .as_ref()
            .map_or_else(String::new, |c| c.to_unix().to_string());
        let key = format!("{}\n{nonce}\n{created}", account_key(&token.username));
        let mut nonces = lock(&self.nonces);
        nonces.expire(now - self.max_age - 2 * self.skew);
        if nonces.seen.contains(&key) {
            return Err(Refusal::Replayed);
        }
        if nonces.seen.len() >= MAX_NONCES {
            return Err(Refusal::Throttled {
                retry_after: self.max_age,
            });
        }
        nonces.seen.insert(key.clone());
        nonces.order.push_back((now, key));
        Ok(())
    }
}

fn account_key(username: &str) -> String {
    format!("account:{}", username.to_lowercase())
}

fn address_key(ip: IpAddr) -> String {
    format!("address:{ip}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use soap_envelope::xsd::DateTime;
    use soap_envelope::{Password, Timestamp};

    fn guard() -> Guard {
        Guard::new(&ServiceConfig::default())
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn the_timestamp_window() {
        let g = guard();
        let at = |created: i64, life: i64| {
            Security::new().with_timestamp(Timestamp::new(DateTime::from_unix(created, 0), life))
        };
        assert_eq!(g.check_timestamp(None, NOW), Ok(()));
        assert_eq!(g.check_timestamp(Some(&at(NOW - 10, 300)), NOW), Ok(()));
        // Within the skew either side.
        assert_eq!(g.check_timestamp(Some(&at(NOW + 200, 300)), NOW), Ok(()));
        assert_eq!(g.check_timestamp(Some(&at(NOW - 500, 300)), NOW), Ok(()));
        // A message from 2020.
        assert!(matches!(
            g.check_timestamp(Some(&at(1_600_000_000, 300)), NOW),
            Err(Refusal::Expired(_))
        ));
        assert!(matches!(
            g.check_timestamp(Some(&at(NOW + 3600, 300)), NOW),
            Err(Refusal::Expired(_))
        ));
    }

    fn token(nonce: Option<&str>) -> UsernameToken {
        let mut t = UsernameToken::password_text("alice", "pw");
        t.nonce = nonce.map(str::to_owned);
        t.created = Some(DateTime::from_unix(NOW, 0));
        t
    }

    #[test]
    fn a_nonce_is_refused_the_second_time() {
        let g = guard();
        assert_eq!(g.succeeded(&token(Some("bm9uY2U=")), NOW), Ok(()));
        assert_eq!(
            g.succeeded(&token(Some("bm9uY2U=")), NOW + 1),
            Err(Refusal::Replayed)
        );
        assert_eq!(g.succeeded(&token(Some("b3RoZXI=")), NOW + 1), Ok(()));
        // Without a nonce there is nothing to remember.
        assert_eq!(g.succeeded(&token(None), NOW), Ok(()));
        assert_eq!(g.succeeded(&token(None), NOW), Ok(()));
    }

    #[test]
    fn a_digest_is_never_taken_as_text() {
        let g = guard();
        let mut t = token(Some("bm9uY2U="));
        t.password = Some(Password::with_type(
            "pw",
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest",
        ));
        assert!(matches!(
            g.before_password(&t, None, NOW),
            Err(Refusal::PasswordType(_))
        ));
        t.password = Some(Password::with_type(
            "pw",
            "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText",
        ));
        assert_eq!(g.before_password(&t, None, NOW), Ok(()));
    }

    #[test]
    fn failed_logins_back_off_per_account_and_address() {
        let g = guard();
        let t = token(None);
        let ip: IpAddr = [192, 0, 2, 7].into();
        for _ in 0..4 {
            g.failed("alice", Some(ip), NOW);
        }
        assert_eq!(g.before_password(&t, Some(ip), NOW), Ok(()));
        assert_eq!(g.failed("ALICE", Some(ip), NOW), 5);
        assert_eq!(
            g.before_password(&t, Some(ip), NOW),
            Err(Refusal::Throttled { retry_after: 1 })
        );
        assert_eq!(g.before_password(&t, Some(ip), NOW + 1), Ok(()));
        g.failed("alice", Some(ip), NOW + 1);
        assert_eq!(
            g.before_password(&t, None, NOW + 1),
            Err(Refusal::Throttled { retry_after: 2 })
        );
        // Another account from another address is not held back.
        let bob = UsernameToken::password_text("bob", "pw");
        assert_eq!(g.before_password(&bob, None, NOW + 1), Ok(()));
        // One address trying many accounts is.
        for i in 0..20 {
            g.failed(&format!("user{i}"), Some([198, 51, 100, 1].into()), NOW);
        }
        assert!(matches!(
            g.before_password(&bob, Some([198, 51, 100, 1].into()), NOW),
            Err(Refusal::Throttled { .. })
        ));
        // A success clears the account.
        g.succeeded(&t, NOW + 10).unwrap();
        assert_eq!(g.before_password(&t, None, NOW + 10), Ok(()));
    }
}
