//! The typed view of the MS-XCEP messages: a `GetPolicies` request or a
//! `GetPoliciesResponse`, read with the `xcep` model.
//!
//! The payload element (already read as an [`AnyElement`]) is written back
//! and read again as an [`XcepMessage`], so the view, like every view, is a
//! function of the element's values: prefixes, comments, CDATA and
//! character references do not reach it. When the model refuses the
//! element (a negative `minimalKeyLength`, a bad `lastUpdate`, a missing
//! required element, ...), the view carries the error (kind, message and
//! element path) instead of a model; `cepces inspect` then prints the
//! generic reading and the error, and exits 2.
//!
//! What is shown:
//!
//! - request: `lastUpdate`, `preferredLanguage`, the request filter (policy
//!   OIDs, client and server version);
//! - response: `policyID`, the friendly name, `nextUpdateHours`,
//!   `policiesNotChanged`; each template with its OID (value and name,
//!   looked up with `find_oid`), schema version, revision, validity and
//!   renewal period (in days, and in seconds as sent), permissions, minimal
//!   key length, key spec and usage, key and hash algorithm, crypto
//!   providers, the four flag words by Windows name, the templates it
//!   supersedes and the CAs it can be enrolled from (with their URIs); each
//!   CA (reference id, URIs with client authentication by name, priority,
//!   renewal only, enroll permission, certificate size); each OID (value,
//!   group, default name).
//!
//! A reference that points nowhere is shown with `null` (`nil` in text) for
//! what it would have named.
//!
//! An element the schema requires that the peer left out (MS-MDE2 servers
//! leave out `policyID` and a template's `commonName`,
//! `certificateValidity`, `permission` and `revision`) is shown as
//! `missing (schema requires)` in text and `null` in JSON, and listed by
//! name in the record's `missing_required`.

use std::fmt::Display;

use soap_envelope::{AnyElement, Limits, read_document};
use xcep::{
    Ca, CaUri, CertificateEnrollmentPolicy, Extension, GetPolicies, GetPoliciesResponse, Oid,
    OidGroup, RequestFilter, Response, XcepMessage,
};

use crate::value::{PayloadView, Value, View, ViewError};
use crate::{extension_view, payload_view};

/// The protocol name shown.
const PROTOCOL: &str = "MS-XCEP";

/// Recognizes `GetPolicies` and `GetPoliciesResponse` and reads them with
/// the `xcep` model.
pub struct XcepView;

impl PayloadView for XcepView {
    fn view(&self, element: &AnyElement) -> Option<View> {
        let message = if element.name.is(GetPolicies::NAME) {
            "GetPolicies request"
        } else if element.name.is(GetPoliciesResponse::NAME) {
            "GetPolicies response"
        } else {
            return None;
        };
        let mut view = View::facts(PROTOCOL, message, Vec::new());
        match read(element) {
            Ok(XcepMessage::GetPolicies(r)) => view.model = Some(request(&r)),
            Ok(XcepMessage::GetPoliciesResponse(r)) => view.model = Some(response(&r)),
            // `XcepMessage` is non-exhaustive; a later message kind would
            // get its own model here.
            Ok(_) => {}
            Err(e) => {
                view.error = Some(ViewError {
                    kind: e.kind_name(),
                    message: e.kind().to_string(),
                    path: e.path().to_owned(),
                });
            }
        }
        Some(view)
    }
}

/// `element` written back and read as an MS-XCEP message.
///
/// The limits are the default ones except those that depend on how the
/// element is written rather than on its values (document length,
/// attributes and namespace declarations per element): the element was
/// already read within the limits, and our writer may declare namespaces
/// where the input did not.
fn read(element: &AnyElement) -> Result<XcepMessage, soap_envelope::Error> {
    let bytes = element.to_xml()?;
    let limits = Limits::default()
        .with_max_document_len(usize::MAX)
        .with_max_attributes(usize::MAX)
        .with_max_ns_decls(usize::MAX);
    read_document(&bytes, &limits)
}

/// An integer value.
fn int(v: impl Into<i64>) -> Value {
    Value::Int(v.into())
}

/// A flag set or enumerated value: its number and its `Display` (the
/// Windows names).
fn named(bits: u32, display: impl Display, hex: bool) -> Value {
    Value::Named {
        value: bits,
        name: display.to_string(),
        hex,
    }
}

/// A list of strings, `Nil` when nil.
fn texts(v: Option<&Vec<String>>) -> Value {
    Value::map_or_nil(v, |v| {
        Value::List(v.iter().map(|s| Value::Text(s.clone())).collect())
    })
}

/// Seconds as days: an integer when exact, else to three decimals.
fn days(seconds: u64) -> Value {
    const DAY: u64 = 86_400;
    if seconds.is_multiple_of(DAY) {
        return Value::Decimal((seconds / DAY).to_string());
    }
    // The whole days, and the rest in thousandths of a day, rounded.
    let mut whole = seconds / DAY;
    let mut milli = ((seconds % DAY) * 1000 + DAY / 2) / DAY;
    if milli == 1000 {
        whole += 1;
        milli = 0;
    }
    let s = format!("{whole}.{milli:03}");
    Value::Decimal(s.trim_end_matches('0').trim_end_matches('.').to_owned())
}

/// The request.
fn request(r: &GetPolicies) -> Value {
    Value::Record(vec![
        (
            "last_update",
            Value::map_or_nil(r.client.last_update, |d| Value::Text(d.to_string())),
        ),
        (
            "preferred_language",
            Value::text_or_nil(r.client.preferred_language.as_deref()),
        ),
        (
            "request_filter",
            Value::map_or_nil(r.request_filter.as_ref(), filter),
        ),
    ])
}

/// The request filter. `clientVersion` and `serverVersion` are `Nil` when
/// absent or nil.
fn filter(f: &RequestFilter) -> Value {
    let version = |v: Option<&xcep::Nillable<i32>>| {
        Value::map_or_nil(v.and_then(xcep::Nillable::value), |&n| int(n))
    };
    Value::Record(vec![
        ("policy_oids", texts(f.policy_oids.as_ref())),
        ("client_version", version(f.client_version.as_ref())),
        ("server_version", version(f.server_version.as_ref())),
    ])
}

/// The response.
fn response(r: &GetPoliciesResponse) -> Value {
    Value::Record(vec![
        (
            "response",
            Value::map_or_nil(r.response.as_ref(), |x| policy(r, x)),
        ),
        (
            "cas",
            Value::map_or_nil(r.cas.as_ref(), |v| Value::List(v.iter().map(ca).collect())),
        ),
        (
            "oids",
            Value::map_or_nil(r.oids.as_ref(), |v| {
                Value::List(v.iter().map(oid).collect())
            }),
        ),
    ])
}

/// The `response` element: the policy and its templates.
fn policy(all: &GetPoliciesResponse, r: &Response) -> Value {
    Value::Record(vec![
        ("policy_id", required(r.policy_id.as_deref(), text)),
        ("missing_required", missing(&r.missing_required())),
        (
            "policy_friendly_name",
            Value::text_or_nil(r.policy_friendly_name.as_deref()),
        ),
        (
            "next_update_hours",
            Value::map_or_nil(r.next_update_hours, int),
        ),
        (
            "policies_not_changed",
            Value::map_or_nil(r.policies_not_changed, Value::Bool),
        ),
        (
            "templates",
            Value::map_or_nil(r.policies.as_ref(), |v| {
                Value::List(v.iter().map(|p| template(all, p)).collect())
            }),
        ),
    ])
}

/// An OID reference: the reference and, when it resolves, the OID's value
/// and default name.
fn oid_ref(all: &GetPoliciesResponse, reference: i32) -> Value {
    let found = all.find_oid(reference);
    Value::Record(vec![
        ("reference", int(reference)),
        ("value", Value::text_or_nil(found.map(|o| o.value.as_str()))),
        (
            "name",
            Value::text_or_nil(found.and_then(|o| o.default_name.as_deref())),
        ),
    ])
}

/// A CA reference: the reference and, when it resolves, the CA's URIs.
fn ca_ref(all: &GetPoliciesResponse, reference: i32) -> Value {
    Value::Record(vec![
        ("reference", int(reference)),
        (
            "uris",
            Value::map_or_nil(all.find_ca(reference), |c| {
                Value::List(c.uris.iter().map(|u| Value::Text(u.uri.clone())).collect())
            }),
        ),
    ])
}

/// A string value.
fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// `f(v)`, or [`Value::Missing`] for an element the schema requires that
/// was absent.
fn required<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Missing, f)
}

/// The names of the schema-required elements that were absent.
fn missing(names: &[&str]) -> Value {
    Value::List(names.iter().map(|n| text(n)).collect())
}

/// Seconds as an integer value.
fn seconds(s: u64) -> Value {
    int(i64::try_from(s).unwrap_or(i64::MAX))
}

/// One template.
fn template(all: &GetPoliciesResponse, p: &CertificateEnrollmentPolicy) -> Value {
    let a = &p.attributes;
    let validity = a.certificate_validity.as_ref();
    let revision = a.revision.as_ref();
    let permission = a.permission.as_ref();
    let key = &a.private_key_attributes;
    Value::Record(vec![
        ("common_name", required(a.common_name.as_deref(), text)),
        ("missing_required", missing(&a.missing_required())),
        ("oid", oid_ref(all, p.policy_oid_reference)),
        ("oid_note", template_oid_note(all, p.policy_oid_reference)),
        ("schema_version", int(a.policy_schema)),
        (
            "major_revision",
            required(revision, |r| int(r.major_revision)),
        ),
        (
            "minor_revision",
            required(revision, |r| Value::map_or_nil(r.minor_revision, int)),
        ),
        (
            "validity_days",
            required(validity, |v| days(v.validity_period_seconds)),
        ),
        (
            "renewal_days",
            required(validity, |v| days(v.renewal_period_seconds)),
        ),
        (
            "validity_seconds",
            required(validity, |v| seconds(v.validity_period_seconds)),
        ),
        (
            "renewal_seconds",
            required(validity, |v| seconds(v.renewal_period_seconds)),
        ),
        ("enroll", required(permission, |p| Value::Bool(p.enroll))),
        (
            "auto_enroll",
            required(permission, |p| Value::Bool(p.auto_enroll)),
        ),
        ("minimal_key_length", int(key.minimal_key_length)),
        (
            "key_spec",
            Value::map_or_nil(key.key_spec, |k| named(k.bits(), k, false)),
        ),
        (
            "key_usage",
            Value::map_or_nil(key.key_usage_property, |k| named(k.bits(), k, true)),
        ),
        (
            "key_algorithm",
            Value::map_or_nil(key.algorithm_oid_reference, |r| oid_ref(all, r)),
        ),
        (
            "hash_algorithm",
            Value::map_or_nil(a.hash_algorithm_oid_reference, |r| oid_ref(all, r)),
        ),
        ("crypto_providers", texts(key.crypto_providers.as_ref())),
        (
            "private_key_flags",
            Value::map_or_nil(a.private_key_flags, |f| named(f.bits(), f, true)),
        ),
        (
            "subject_name_flags",
            Value::map_or_nil(a.subject_name_flags, |f| named(f.bits(), f, true)),
        ),
        (
            "enrollment_flags",
            Value::map_or_nil(a.enrollment_flags, |f| named(f.bits(), f, true)),
        ),
        (
            "general_flags",
            Value::map_or_nil(a.general_flags, |f| named(f.bits(), f, true)),
        ),
        (
            "superseded_templates",
            texts(a.superseded_policies.as_ref().map(|s| &s.common_names)),
        ),
        (
            "extensions",
            Value::map_or_nil(a.extensions.as_ref(), |v| {
                Value::List(v.iter().map(|e| extension(all, e)).collect())
            }),
        ),
        (
            "cas",
            Value::map_or_nil(p.cas.as_ref(), |v| {
                Value::List(v.iter().map(|&r| ca_ref(all, r)).collect())
            }),
        ),
    ])
}

/// A note when `policyOIDReference` names an OID that is not a template
/// OID (group 9, enrollment object, [MS-XCEP] 3.1.4.1.3.16); `Nil` when it
/// is one or names nothing (shown by `oid` as `null`).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
fn template_oid_note(all: &GetPoliciesResponse, reference: i32) -> Value {
    match all.find_oid(reference) {
        Some(o) if o.group != OidGroup::EnrollmentObject => Value::Text(format!(
            "not a template OID: group {} ({}), not 9 (enrollment object)",
            u32::from(o.group),
            o.group
        )),
        _ => Value::Nil,
    }
}

/// One template extension, decoded (see [`crate::extension_view`]).
fn extension(all: &GetPoliciesResponse, e: &Extension) -> Value {
    let oid = all.find_oid(e.oid_reference).map(|o| o.value.as_str());
    extension_view::extension(
        e.oid_reference,
        oid,
        e.critical,
        e.value.as_ref().map(xcep::Base64Text::decode),
    )
}

/// A CA's certificate, decoded: subject, issuer, validity, key; or why it
/// could not be.
fn ca_certificate(c: &Ca) -> Value {
    let der = match c.certificate.decode() {
        Ok(der) => der,
        Err(e) => return Value::Record(vec![("error", Value::Text(format!("[base64] {e}")))]),
    };
    match wstep::payload::decode_certificate(&der) {
        Ok(cert) => payload_view::certificate(&cert),
        Err(e) => Value::Record(vec![(
            "error",
            Value::Text(format!("[{}] {e}", e.kind_name())),
        )]),
    }
}

/// One CA.
fn ca(c: &Ca) -> Value {
    let decoded = c.certificate.decode().ok().map(|b| b.len());
    Value::Record(vec![
        ("reference_id", int(c.ca_reference_id)),
        ("uris", Value::List(c.uris.iter().map(ca_uri).collect())),
        ("enroll_permission", Value::Bool(c.enroll_permission)),
        (
            "certificate_bytes",
            Value::map_or_nil(decoded, |n| int(i64::try_from(n).unwrap_or(i64::MAX))),
        ),
        (
            "certificate_base64_chars",
            int(i64::try_from(c.certificate.as_str().len()).unwrap_or(i64::MAX)),
        ),
        ("certificate", ca_certificate(c)),
    ])
}

/// One CA URI.
fn ca_uri(u: &CaUri) -> Value {
    Value::Record(vec![
        ("uri", Value::Text(u.uri.clone())),
        (
            "client_authentication",
            named(
                u.client_authentication.bits(),
                u.client_authentication,
                false,
            ),
        ),
        ("priority", Value::map_or_nil(u.priority, int)),
        (
            "renewal_only",
            Value::map_or_nil(u.renewal_only, Value::Bool),
        ),
    ])
}

/// One OID.
fn oid(o: &Oid) -> Value {
    Value::Record(vec![
        ("reference_id", int(o.oid_reference_id)),
        ("value", Value::Text(o.value.clone())),
        ("group", named(u32::from(o.group), o.group, false)),
        (
            "default_name",
            Value::text_or_nil(o.default_name.as_deref()),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_exact_or_three_decimals() {
        assert_eq!(days(31_536_000), Value::Decimal("365".into()));
        assert_eq!(days(43_200), Value::Decimal("0.5".into()));
        assert_eq!(days(3_600), Value::Decimal("0.042".into()));
        assert_eq!(days(86_399), Value::Decimal("1".into()));
        assert_eq!(days(0), Value::Decimal("0".into()));
    }

    #[test]
    fn other_elements_are_not_recognized() {
        let el = AnyElement::new(soap_envelope::QName::new("urn:x", "GetPolicies"));
        assert!(XcepView.view(&el).is_none());
    }

    #[test]
    fn a_refused_element_carries_the_typed_error() {
        let el = AnyElement::new(GetPolicies::NAME);
        let v = XcepView.view(&el).expect("recognized");
        assert_eq!(v.model, None);
        let e = v.error.expect("error");
        assert_eq!(e.kind, "missing-element");
        assert!(e.path.starts_with("/GetPolicies"), "{}", e.path);
    }
}
