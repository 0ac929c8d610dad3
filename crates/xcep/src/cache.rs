//! Policy caching, [MS-XCEP] 3.1.4.1.3.9 (`lastUpdate`) and 3.1.4.1.3.23
//! (`nextUpdateHours`, `policiesNotChanged`): when a server may answer
//! "not changed", and how a client keeps its copy and knows when to ask
//! again.
//!
//! Time is always an argument: nothing here reads a clock.
//!
//! # Server
//!
//! The server keeps the time its policy last changed (**LastUpdateTime**,
//! [MS-XCEP] 3.1.1, set at initialization and "SHOULD" be updated with the
//! policy, 3.1.3 and 3.1.6). [`policies_not_changed`] compares the client's
//! `lastUpdate` with it, [`not_changed_response`] builds the short answer,
//! and [`respond`] puts both together with the request filter
//! ([`crate::filter`]).
//!
//! # Client
//!
//! [`CachedPolicy`] holds the last full answer with the times it was
//! received and last confirmed; [`merge`] folds a later answer into a
//! cached response and [`refresh_time`] turns `nextUpdateHours` into a
//! time.
//!
//! ```
//! use soap_envelope::xsd::DateTime;
//! use xcep::cache::{self, CachedPolicy, Merge};
//! use xcep::{GetPolicies, GetPoliciesResponse, Response};
//!
//! let t = |s: &str| s.parse::<DateTime>().unwrap();
//! let policy = GetPoliciesResponse::new().with_response(
//!     Response::new("{083C7011-1D0A-4855-885D-AC945184658C}").with_next_update_hours(8),
//! );
//! let changed = t("2009-03-01T00:00:00Z"); // the server's LastUpdateTime
//!
//! // First request: no lastUpdate, so the full policy.
//! let first = GetPolicies::default();
//! let answer = cache::respond(&first, &policy, &changed);
//! assert_eq!(answer, policy);
//! let mut cached = CachedPolicy::new(answer, t("2009-03-26T00:58:51Z"));
//! assert_eq!(cached.refresh_at(cache::WINDOWS_NEXT_UPDATE_HOURS), t("2009-03-26T08:58:51Z"));
//!
//! // Eight hours later: lastUpdate is current, so "not changed".
//! let again = cached.request(GetPolicies::default());
//! let answer = cache::respond(&again, &policy, &changed);
//! assert_eq!(answer.response.as_ref().unwrap().policies_not_changed, Some(true));
//! assert_eq!(cached.update(answer, t("2009-03-26T09:00:00Z")), Merge::NotChanged);
//! assert_eq!(cached.response(), &policy);
//! assert_eq!(cached.refresh_at(8), t("2009-03-26T17:00:00Z"));
//! ```
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/

use soap_envelope::xsd::DateTime;

use crate::filter::apply_filter;
use crate::get_policies::GetPolicies;
use crate::get_policies_response::{GetPoliciesResponse, Response};

/// The `nextUpdateHours` Windows servers send by default ([MS-XCEP] 7,
/// note 4): a reasonable interval for a client whose server sends nil.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub const WINDOWS_NEXT_UPDATE_HOURS: u32 = 8;

/// Server: whether the policy is unchanged for a client whose `lastUpdate`
/// is `client_last_update`, given the server's **LastUpdateTime**
/// `last_update_time` ([MS-XCEP] 3.1.4.1.3.9).
///
/// - nil or absent: "the server MUST consider the value to be older than
///   the initialized value of the LastUpdateTime": `false`, send the
///   policy;
/// - older than `last_update_time`: the server "SHOULD provide a full
///   GetPoliciesResponse message": `false`;
/// - "equal to or newer than": the server "SHOULD respond [...] with
///   `<policiesNotChanged>` set to true": `true`.
///
/// Times are compared as instants: `lastUpdate` "is provided as GMT", and
/// a value without a time zone (as in the [MS-XCEP] 4.1.1.1 example) counts
/// as UTC; `10:00:00+01:00` equals `09:00:00Z`. Fractions of a second
/// count.
///
/// ```
/// use soap_envelope::xsd::DateTime;
/// use xcep::cache::policies_not_changed;
///
/// let server: DateTime = "2009-03-15T09:38:46Z".parse().unwrap();
/// let equal: DateTime = "2009-03-15T10:38:46+01:00".parse().unwrap();
/// let older: DateTime = "0001-01-01T00:00:00".parse().unwrap();
/// assert!(policies_not_changed(Some(&equal), &server));
/// assert!(!policies_not_changed(Some(&older), &server));
/// assert!(!policies_not_changed(None, &server));
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub fn policies_not_changed(
    client_last_update: Option<&DateTime>,
    last_update_time: &DateTime,
) -> bool {
    client_last_update.is_some_and(|client| instant(client) >= instant(last_update_time))
}

/// Server: the answer that says "not changed" ([MS-XCEP] 3.1.4.1.3.9): the
/// `response` of `policy` with `policiesNotChanged` true and `policies`
/// nil, and "the `<oIDs>` and `<cAs>` elements [...] set to nil". The
/// other `response` fields (`policyID`, `policyFriendlyName`,
/// `nextUpdateHours`, extensions) and unknown children are kept; a nil
/// `response` becomes one with an empty `policyID`.
///
/// The result for the [MS-XCEP] 4.1.1.2 example is the 4.1.2.2 example.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub fn not_changed_response(policy: &GetPoliciesResponse) -> GetPoliciesResponse {
    let response = match &policy.response {
        Some(r) => Response {
            policy_id: r.policy_id.clone(),
            policy_friendly_name: r.policy_friendly_name.clone(),
            next_update_hours: r.next_update_hours,
            policies_not_changed: Some(true),
            policies: None,
            extensions: r.extensions.clone(),
        },
        None => Response::new(String::new()).with_policies_not_changed(true),
    };
    GetPoliciesResponse {
        response: Some(response),
        cas: None,
        oids: None,
        unknown: policy.unknown.clone(),
    }
}

/// Server: the answer to `request`, given the whole `policy` and its
/// **LastUpdateTime**: [`not_changed_response`] when
/// [`policies_not_changed`], otherwise `policy` filtered by the request's
/// `requestFilter` ([`apply_filter`]).
///
/// In a full answer a `policiesNotChanged` of true, which would tell the
/// client to keep its old copy, is replaced by nil, as in the [MS-XCEP]
/// 4.1.1.2 example ("false or nil: the policy has changed", 3.1.4.1.3.23).
///
/// The `client` element's other checks are the caller's: "If the
/// `<xcep:client>` element is absent, is specified as nil, or has no value,
/// the server MUST respond with a SOAP fault" ([MS-XCEP] 3.1.4.1.2.1);
/// choosing the language (`preferredLanguage`) is the caller's too.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub fn respond(
    request: &GetPolicies,
    policy: &GetPoliciesResponse,
    last_update_time: &DateTime,
) -> GetPoliciesResponse {
    if policies_not_changed(request.client.last_update.as_ref(), last_update_time) {
        return not_changed_response(policy);
    }
    let mut answer = apply_filter(policy, request.request_filter.as_ref());
    if let Some(r) = &mut answer.response
        && r.policies_not_changed == Some(true)
    {
        r.policies_not_changed = None;
    }
    answer
}

/// Client: when to send the next GetPolicies, given the time an answer was
/// received and its `nextUpdateHours`, "the number of hours that the server
/// recommends the client wait before submitting another GetPolicies
/// message" ([MS-XCEP] 3.1.4.1.3.23): `received_at` plus that many hours,
/// in UTC.
///
/// `None` when the server gives no advice: nil, or 0, which breaks "MUST be
/// a positive nonzero integer" and is not taken as "ask again at once" (a
/// client that did would loop). The client then chooses, for instance
/// [`WINDOWS_NEXT_UPDATE_HOURS`].
///
/// ```
/// use soap_envelope::xsd::DateTime;
/// use xcep::cache::refresh_time;
///
/// let received: DateTime = "2009-03-26T00:58:51.549Z".parse().unwrap();
/// assert_eq!(refresh_time(&received, Some(8)).unwrap().to_string(), "2009-03-26T08:58:51.549Z");
/// assert_eq!(refresh_time(&received, None), None);
/// assert_eq!(refresh_time(&received, Some(0)), None);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub fn refresh_time(received_at: &DateTime, next_update_hours: Option<u32>) -> Option<DateTime> {
    let hours = next_update_hours.filter(|&h| h > 0)?;
    Some(add_hours(received_at, hours))
}

/// What [`merge`] (or [`CachedPolicy::update`]) did with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub enum Merge {
    /// The answer is a full policy (`policiesNotChanged` false or nil:
    /// "the policy has changed"): it replaced the cached one.
    Replaced,
    /// The answer says "not changed" for the cached policy: the cached
    /// templates, CAs and OIDs are kept, and the answer's
    /// `policyFriendlyName`, `nextUpdateHours` and `response` extensions
    /// replace the cached ones.
    NotChanged,
    /// The answer says "not changed", but for another `policyID` than the
    /// cached one (`lastUpdate` is per policy server, [MS-XCEP]
    /// 3.1.4.1.3.9), or the cached response has no `response`: the cache is
    /// left as it was and holds nothing the answer confirms. Ask again
    /// with a nil `lastUpdate`.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    PolicyIdMismatch,
}

/// Client: folds `answer` into the `cached` response ([MS-XCEP]
/// 3.1.4.1.3.23): a full answer replaces it; a `policiesNotChanged` true
/// answer for the same `policyID` keeps its templates, CAs and OIDs and
/// takes the answer's `policyFriendlyName`, `nextUpdateHours` and
/// `response` extensions (anything else the answer carries is ignored:
/// "If the value of the `<policiesNotChanged>` element is true, the policy
/// has not changed"). See [`Merge`].
///
/// ```
/// use xcep::cache::{Merge, merge, not_changed_response};
/// use xcep::{GetPoliciesResponse, Response};
///
/// let mut cached = GetPoliciesResponse::new().with_response(Response::new("P").with_next_update_hours(8));
/// let mut answer = not_changed_response(&cached);
/// answer.response.as_mut().unwrap().next_update_hours = Some(24);
/// assert_eq!(merge(&mut cached, answer), Merge::NotChanged);
/// assert_eq!(cached.response.as_ref().unwrap().next_update_hours, Some(24));
/// assert_eq!(cached.response.as_ref().unwrap().policies_not_changed, None);
///
/// let other = not_changed_response(&GetPoliciesResponse::new().with_response(Response::new("Q")));
/// assert_eq!(merge(&mut cached, other), Merge::PolicyIdMismatch);
/// ```
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub fn merge(cached: &mut GetPoliciesResponse, answer: GetPoliciesResponse) -> Merge {
    let Some(fresh) = answer
        .response
        .as_ref()
        .filter(|r| r.policies_not_changed == Some(true))
    else {
        *cached = answer;
        return Merge::Replaced;
    };
    match &mut cached.response {
        Some(kept) if kept.policy_id == fresh.policy_id => {
            let fresh = answer.response.unwrap_or_default();
            kept.policy_friendly_name = fresh.policy_friendly_name;
            kept.next_update_hours = fresh.next_update_hours;
            kept.extensions = fresh.extensions;
            Merge::NotChanged
        }
        _ => Merge::PolicyIdMismatch,
    }
}

/// Client: a cached policy with the time it was received
/// ([`retrieved_at`](Self::retrieved_at), the `lastUpdate` to send) and
/// the time it was last confirmed ([`checked_at`](Self::checked_at), from
/// which `nextUpdateHours` counts).
///
/// `lastUpdate` is "the last time that the client retrieved policies from
/// a policy server with this Response object's `<policyServerID>`"
/// ([MS-XCEP] 3.1.4.1.3.9): the time the full policy was received, not
/// that of a later "not changed" answer. (A later time would be as correct
/// with exact clocks; the earlier one leaves the client's and the server's
/// clocks less room to disagree, at no cost: a server that did not change
/// since still answers "not changed".)
///
/// See the [module documentation](self) for an example.
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPolicy {
    response: GetPoliciesResponse,
    retrieved_at: DateTime,
    checked_at: DateTime,
}

impl CachedPolicy {
    /// A cache holding `response`, a full answer received at `received_at`.
    pub fn new(response: GetPoliciesResponse, received_at: DateTime) -> Self {
        Self {
            response,
            retrieved_at: received_at,
            checked_at: received_at,
        }
    }

    /// The cached response.
    pub fn response(&self) -> &GetPoliciesResponse {
        &self.response
    }

    /// The cached response, taken out.
    pub fn into_response(self) -> GetPoliciesResponse {
        self.response
    }

    /// When the cached policy was received: the `lastUpdate` to send.
    pub fn retrieved_at(&self) -> DateTime {
        self.retrieved_at
    }

    /// When the last answer (full or "not changed") was received.
    pub fn checked_at(&self) -> DateTime {
        self.checked_at
    }

    /// `request` with `client/lastUpdate` set to
    /// [`retrieved_at`](Self::retrieved_at).
    pub fn request(&self, mut request: GetPolicies) -> GetPolicies {
        request.client.last_update = Some(self.retrieved_at);
        request
    }

    /// When to ask again: [`refresh_time`] from
    /// [`checked_at`](Self::checked_at) with the cached `nextUpdateHours`,
    /// or `default_hours` (e.g. [`WINDOWS_NEXT_UPDATE_HOURS`]) when the
    /// server gave no advice.
    pub fn refresh_at(&self, default_hours: u32) -> DateTime {
        let hours = self
            .response
            .response
            .as_ref()
            .and_then(|r| r.next_update_hours);
        refresh_time(&self.checked_at, hours)
            .unwrap_or_else(|| add_hours(&self.checked_at, default_hours))
    }

    /// Whether it is time to ask again at `now`: `now` is at or after
    /// [`refresh_at`](Self::refresh_at).
    pub fn is_due(&self, now: &DateTime, default_hours: u32) -> bool {
        instant(now) >= instant(&self.refresh_at(default_hours))
    }

    /// Folds `answer`, received at `received_at`, into the cache with
    /// [`merge`]: a full answer is cached with `received_at` as both times;
    /// a "not changed" one moves only [`checked_at`](Self::checked_at); a
    /// mismatched one changes nothing.
    pub fn update(&mut self, answer: GetPoliciesResponse, received_at: DateTime) -> Merge {
        let outcome = merge(&mut self.response, answer);
        match outcome {
            Merge::Replaced => {
                self.retrieved_at = received_at;
                self.checked_at = received_at;
            }
            Merge::NotChanged => self.checked_at = received_at,
            Merge::PolicyIdMismatch => {}
        }
        outcome
    }
}

/// A time as an instant: seconds since the epoch (a value without offset
/// counting as UTC) and nanoseconds.
fn instant(t: &DateTime) -> (i64, u32) {
    (t.to_unix(), t.nanosecond())
}

fn add_hours(t: &DateTime, hours: u32) -> DateTime {
    DateTime::from_unix(t.to_unix() + i64::from(hours) * 3600, t.nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime {
        s.parse().unwrap()
    }

    #[test]
    fn respond_clears_a_stale_not_changed_flag_in_a_full_answer() {
        let policy = GetPoliciesResponse::new()
            .with_response(Response::new("P").with_policies_not_changed(true));
        let answer = respond(&GetPolicies::default(), &policy, &t("2020-01-01T00:00:00Z"));
        assert_eq!(answer.response.unwrap().policies_not_changed, None);
    }

    #[test]
    fn not_changed_against_a_nil_response() {
        let answer = not_changed_response(&GetPoliciesResponse::new());
        let r = answer.response.as_ref().unwrap();
        assert_eq!(
            (r.policy_id.as_deref(), r.policies_not_changed),
            (Some(""), Some(true))
        );
        let mut cached = GetPoliciesResponse::new();
        assert_eq!(merge(&mut cached, answer), Merge::PolicyIdMismatch);
        assert_eq!(cached, GetPoliciesResponse::new());
    }

    #[test]
    fn refresh_crosses_days_and_keeps_the_instant_of_offset_times() {
        let received = t("2009-12-31T20:30:00-05:00");
        assert_eq!(
            refresh_time(&received, Some(30)).unwrap(),
            t("2010-01-02T07:30:00Z")
        );
        assert_eq!(
            refresh_time(&received, Some(u32::MAX)).unwrap().to_unix(),
            received.to_unix() + i64::from(u32::MAX) * 3600
        );
    }
}
