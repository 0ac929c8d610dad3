//! The typed view of the MS-XCEP messages: a `GetPolicies` request or a
//! `GetPoliciesResponse`, read with the `xcep` model.
//!
//! The payload element is read as an [`XcepMessage`] from a [`Source`]
//! (where it is in the input, or its generic tree written back), so the
//! view, like every view, is a function of the element's values: prefixes,
//! comments, CDATA and character references do not reach it. When the
//! model refuses the element (a negative `minimalKeyLength`, a bad
//! `lastUpdate`, a missing required element, ...), the view carries the
//! error (kind, message and element path) instead of a model; `cepces
//! inspect` then prints the generic reading and the error, and exits 2.
//!
//! The values come from xcep's `serde::Serialize` (feature `serde`),
//! through [`crate::value_ser`]: the view picks, orders and renames the
//! serialized fields, and adds what the model does not hold (references
//! resolved against the response, the validity in days, the decoded
//! extensions and CA certificates, what is missing).
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

use soap_envelope::{AnyElement, Error};
use xcep::{
    CertificateEnrollmentPolicy, Extension, GetPolicies, GetPoliciesResponse, OidGroup, Response,
    XcepMessage,
};

use crate::value::{PayloadView, Reading, Recognized, Source, Value};
use crate::value_ser::to_value;
use crate::{extension_view, payload_view};

/// The protocol name shown.
const PROTOCOL: &str = "MS-XCEP";

/// Recognizes `GetPolicies` and `GetPoliciesResponse` and reads them with
/// the `xcep` model.
pub struct XcepView;

impl PayloadView for XcepView {
    fn recognize(&self, element: &AnyElement) -> Option<Recognized> {
        let message = if element.name.is(GetPolicies::NAME) {
            "GetPolicies request"
        } else if element.name.is(GetPoliciesResponse::NAME) {
            "GetPolicies response"
        } else {
            return None;
        };
        Some(Recognized::new(PROTOCOL, message, Vec::new(), read))
    }
}

/// The element read as an MS-XCEP message, and shown.
fn read(source: Source<'_, '_>) -> Result<Reading, Error> {
    let model = match source.read::<XcepMessage>()? {
        XcepMessage::GetPolicies(r) => Some(request(&r)),
        XcepMessage::GetPoliciesResponse(r) => Some(response(&r)),
        // `XcepMessage` is non-exhaustive; a later message kind would get
        // its own model here.
        _ => None,
    };
    Ok(Reading { model, error: None })
}

/// An integer value.
fn int(v: impl Into<i64>) -> Value {
    Value::Int(v.into())
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

/// The request: the `client` values, and the filter.
fn request(r: &GetPolicies) -> Value {
    let mut client = to_value(&r.client);
    let filter = to_value(&r.request_filter);
    Value::Record(vec![
        ("last_update", client.take("last_update")),
        ("preferred_language", client.take("preferred_language")),
        (
            "request_filter",
            filter.select(&["policy_oids", "client_version", "server_version"]),
        ),
    ])
}

/// The response. The fields are serialized one by one, as they are shown:
/// a copy of the whole response as values is never made.
fn response(r: &GetPoliciesResponse) -> Value {
    Value::Record(vec![
        (
            "response",
            Value::map_or_nil(r.response.as_ref(), |x| policy(r, x)),
        ),
        ("cas", to_value(&r.cas).map_items(ca)),
        (
            "oids",
            to_value(&r.oids).map_items(|o| {
                o.select(&[
                    "reference_id=oid_reference_id",
                    "value",
                    "group",
                    "default_name",
                ])
            }),
        ),
    ])
}

/// The `response` element: the policy and its templates.
fn policy(all: &GetPoliciesResponse, r: &Response) -> Value {
    Value::Record(vec![
        (
            "policy_id",
            to_value(&r.policy_id).required(r.policy_id.is_some()),
        ),
        ("missing_required", missing(&r.missing_required())),
        ("policy_friendly_name", to_value(&r.policy_friendly_name)),
        ("next_update_hours", to_value(&r.next_update_hours)),
        ("policies_not_changed", to_value(&r.policies_not_changed)),
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

/// The names of the schema-required elements that were absent.
fn missing(names: &[&str]) -> Value {
    Value::List(names.iter().map(|n| Value::Text((*n).to_owned())).collect())
}

/// Seconds as an integer value.
fn seconds(s: u64) -> Value {
    int(i64::try_from(s).unwrap_or(i64::MAX))
}

/// One template: the serialized attributes, flattened, with references
/// resolved and the validity also in days.
fn template(all: &GetPoliciesResponse, p: &CertificateEnrollmentPolicy) -> Value {
    let a = &p.attributes;
    let mut attrs = to_value(a);
    let mut key = attrs.take("private_key_attributes");
    let mut permission = attrs.take("permission");
    let mut revision = attrs.take("revision");
    let validity = a.certificate_validity.as_ref();
    let in_validity = |f: fn(u64) -> Value, renewal: bool| {
        validity.map_or(Value::Missing, |v| {
            f(if renewal {
                v.renewal_period_seconds
            } else {
                v.validity_period_seconds
            })
        })
    };
    let oid_or_nil = |r: Option<i32>| Value::map_or_nil(r, |r| oid_ref(all, r));
    Value::Record(vec![
        (
            "common_name",
            attrs.take("common_name").required(a.common_name.is_some()),
        ),
        ("missing_required", missing(&a.missing_required())),
        ("oid", oid_ref(all, p.policy_oid_reference)),
        ("oid_note", template_oid_note(all, p.policy_oid_reference)),
        ("schema_version", attrs.take("policy_schema")),
        (
            "major_revision",
            revision
                .take("major_revision")
                .required(a.revision.is_some()),
        ),
        (
            "minor_revision",
            revision
                .take("minor_revision")
                .required(a.revision.is_some()),
        ),
        ("validity_days", in_validity(days, false)),
        ("renewal_days", in_validity(days, true)),
        ("validity_seconds", in_validity(seconds, false)),
        ("renewal_seconds", in_validity(seconds, true)),
        (
            "enroll",
            permission.take("enroll").required(a.permission.is_some()),
        ),
        (
            "auto_enroll",
            permission
                .take("auto_enroll")
                .required(a.permission.is_some()),
        ),
        ("minimal_key_length", key.take("minimal_key_length")),
        ("key_spec", key.take("key_spec")),
        ("key_usage", key.take("key_usage_property")),
        (
            "key_algorithm",
            oid_or_nil(a.private_key_attributes.algorithm_oid_reference),
        ),
        ("hash_algorithm", oid_or_nil(a.hash_algorithm_oid_reference)),
        ("crypto_providers", key.take("crypto_providers")),
        ("private_key_flags", attrs.take("private_key_flags")),
        ("subject_name_flags", attrs.take("subject_name_flags")),
        ("enrollment_flags", attrs.take("enrollment_flags")),
        ("general_flags", attrs.take("general_flags")),
        (
            "superseded_templates",
            attrs.take("superseded_policies").take("common_names"),
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

/// A CA's certificate (the serialized base64 text), decoded: subject,
/// issuer, validity, key; or why it could not be.
fn ca_certificate(base64: &str) -> Value {
    let der = match xcep::Base64Text::new(base64).decode() {
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

/// One serialized CA, with its certificate's size and decoding.
fn ca(mut c: Value) -> Value {
    let Value::Text(base64) = c.take("certificate") else {
        return c;
    };
    let decoded = xcep::Base64Text::new(&base64)
        .decode()
        .ok()
        .map(|b| b.len());
    let uri = |u: Value| u.select(&["uri", "client_authentication", "priority", "renewal_only"]);
    Value::Record(vec![
        ("reference_id", c.take("ca_reference_id")),
        ("uris", c.take("uris").map_items(uri)),
        ("enroll_permission", c.take("enroll_permission")),
        (
            "certificate_bytes",
            Value::map_or_nil(decoded, |n| int(i64::try_from(n).unwrap_or(i64::MAX))),
        ),
        (
            "certificate_base64_chars",
            int(i64::try_from(base64.len()).unwrap_or(i64::MAX)),
        ),
        ("certificate", ca_certificate(&base64)),
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
        assert!(XcepView.recognize(&el).is_none());
    }

    #[test]
    fn a_refused_element_carries_the_typed_error() {
        let el = AnyElement::new(GetPolicies::NAME);
        let r = XcepView.recognize(&el).expect("recognized");
        let reading = r.read(Source::Tree(&el));
        let v = r.view(reading, "");
        assert_eq!(v.model, None);
        let e = v.error.expect("error");
        assert_eq!(e.kind, "missing-element");
        assert!(e.path.starts_with("/GetPolicies"), "{}", e.path);
    }
}
