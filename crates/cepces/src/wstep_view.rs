//! The typed view of the MS-WSTEP and MS-MDE2 messages, read with the
//! `wstep` model: `RequestSecurityToken`, `RequestSecurityTokenResponseCollection`,
//! `RequestSecurityTokenResponse`, the `CertificateEnrollmentWSDetail` fault
//! detail, and the MS-MDE2 `Discover` / `DiscoverResponse`.
//!
//! The values come from wstep's `serde::Serialize` (feature `serde`),
//! through [`crate::value_ser`]; the tokens' decoded payloads, their element
//! paths and the HRESULT messages are added here.
//!
//! As for [`crate::xcep_view`], the model reads the element from a
//! [`Source`], so the view is a function of the element's values. The
//! facts (read from the generic tree, so they are shown even when the model
//! refuses the element)
//! are those the earlier name-only views gave: `request_type`, `token_type`
//! and `request_id` of a request; `error_code` (decimal and hexadecimal),
//! `invalid_request` and `request_id` of a fault detail. The model adds the
//! rest, under keys that are not facts:
//!
//! - request: the request kind, `Context`, `PreferredLanguage`, the
//!   `BinarySecurityToken` (ValueType, its kind, EncodingType, decoded size,
//!   and the decoded DER payload: see [`crate::payload_view`]),
//!   the `AdditionalContext` items by name and value, unknown children;
//! - response: per `RequestSecurityTokenResponse`, the token type, the
//!   disposition message and its language, the request ID, the PKCS#7/CMC
//!   response token and the issued (or key exchange) token;
//! - fault detail: `hresult`, the `ErrorCode` by its `winerror.h` name with
//!   the number (`CERTSRV_E_TEMPLATE_DENIED (0x80094012)` in text), and its
//!   message; the size of `BinaryResponse`;
//! - MS-MDE2: the namespace spelling read (the request examples' trailing
//!   slash is an erratum), and every value of the request or response.
//!
//! When the model refuses the element, or a token's payload does not
//! decode, the view carries the typed error;
//! `cepces inspect` then prints the generic reading and the error, and
//! exits 2.

use soap_envelope::{AnyElement, Error, FromXml, QName};
use wstep::mde2::{Discover, DiscoverNamespace, DiscoverResponse};
use wstep::ns;
use wstep::{
    BinarySecurityToken, BinarySecurityTokenExt, CertificateEnrollmentWsDetail,
    RequestSecurityToken, RequestSecurityTokenResponse, RequestSecurityTokenResponseCollection,
};

use crate::payload_view::{self, Errors, kind_name};
use crate::value::{PayloadView, ReadModel, Reading, Recognized, Source, Value};
use crate::value_ser::to_value;

/// The MS-WSTEP protocol name.
const WSTEP: &str = "MS-WSTEP";
/// The MS-MDE2 protocol name.
const MDE2: &str = "MS-MDE2";

/// Recognizes the MS-WSTEP and MS-MDE2 elements and reads them with the
/// `wstep` model.
pub struct WstepView;

impl PayloadView for WstepView {
    fn recognize(&self, element: &AnyElement) -> Option<Recognized> {
        let name = &element.name;
        let (protocol, message, read): (_, _, ReadModel) = if name.is(RequestSecurityToken::NAME) {
            (WSTEP, "RequestSecurityToken (enrollment request)", |s| {
                typed::<RequestSecurityToken>(s, request)
            })
        } else if name.is(RequestSecurityTokenResponseCollection::NAME) {
            (
                WSTEP,
                "RequestSecurityTokenResponseCollection (enrollment response)",
                |s| typed::<RequestSecurityTokenResponseCollection>(s, collection),
            )
        } else if name.is(RequestSecurityTokenResponse::NAME) {
            (
                WSTEP,
                "RequestSecurityTokenResponse (enrollment response)",
                |s| typed::<RequestSecurityTokenResponse>(s, response),
            )
        } else if name.is(CertificateEnrollmentWsDetail::NAME) {
            (
                WSTEP,
                "CertificateEnrollmentWSDetail (enrollment fault detail)",
                |s| typed::<CertificateEnrollmentWsDetail>(s, detail),
            )
        } else if is_mde2(element, "Discover") {
            (MDE2, "Discover request", |s| typed::<Discover>(s, discover))
        } else if is_mde2(element, "DiscoverResponse") {
            (MDE2, "Discover response", |s| {
                typed::<DiscoverResponse>(s, discover_response)
            })
        } else {
            return None;
        };
        Some(Recognized::new(protocol, message, facts(element), read))
    }
}

/// Whether `element` is `local` in either spelling of the MS-MDE2
/// namespace.
fn is_mde2(element: &AnyElement, local: &str) -> bool {
    element.name.local == local
        && element
            .name
            .ns
            .as_deref()
            .and_then(DiscoverNamespace::from_uri)
            .is_some()
}

/// The element read from `source` as a `T` and shown by `show`. A token
/// whose payload does not decode: the rest is shown, and the reading
/// carries the payload's typed error.
fn typed<T: for<'a> FromXml<'a>>(
    source: Source<'_, '_>,
    show: fn(&T, &mut Errors) -> Value,
) -> Result<Reading, Error> {
    let value: T = source.read()?;
    let mut errors = Errors::default();
    let model = show(&value, &mut errors);
    Ok(Reading {
        model: Some(model),
        error: errors.first,
    })
}

/// The text of the first child of `element` named `name`, trimmed.
fn child_text(element: &AnyElement, name: QName) -> Option<String> {
    element
        .child_elements()
        .find(|c| c.name.is(name))
        .map(|c| c.text().trim().to_owned())
}

/// The facts, read from the generic tree: what the name-only views showed
/// before the typed model, so that they are there when the model refuses
/// the element.
fn facts(element: &AnyElement) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    if element.name.is(RequestSecurityToken::NAME) {
        let wst = |local| QName::new(ns::WST, local);
        if let Some(t) = child_text(element, wst("RequestType")) {
            facts.push(("request_type", t));
        }
        if let Some(t) = child_text(element, wst("TokenType")) {
            facts.push(("token_type", t));
        }
        if let Some(t) = child_text(element, QName::new(ns::WSTEP, "RequestID")) {
            facts.push(("request_id", t));
        }
    } else if element.name.is(CertificateEnrollmentWsDetail::NAME) {
        let wstep = |local| QName::new(ns::WSTEP, local);
        if let Some(code) = child_text(element, wstep("ErrorCode")) {
            let shown = match code.parse::<i32>() {
                // An HRESULT is a 32-bit pattern: show the bits in hex.
                Ok(n) => format!("{n} (0x{:08X})", n.cast_unsigned()),
                Err(_) => code,
            };
            facts.push(("error_code", shown));
        }
        if let Some(v) = child_text(element, wstep("InvalidRequest")) {
            facts.push(("invalid_request", v));
        }
        if let Some(v) = child_text(element, wstep("RequestID")).filter(|v| !v.is_empty()) {
            facts.push(("request_id", v));
        }
    }
    facts
}

/// A size or count.
fn size(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Serialized unknown children, by their `{namespace}local` name.
fn unknown(v: Value) -> Value {
    v.map_items(|mut e| e.take("name"))
}

/// A `BinarySecurityToken` found at element path `path`: its value type,
/// declared kind, encoding, decoded size (`Nil` when the text is not
/// base64) and the decoded DER payload (see [`payload_view::decoded`]).
fn token(t: &BinarySecurityToken, path: &str, errors: &mut Errors) -> Value {
    let mut v = to_value(t);
    let decoded = t.decode_bytes().ok();
    Value::Record(vec![
        ("value_type", v.take("value_type")),
        (
            "kind",
            Value::map_or_nil(t.value_kind(), |k| Value::Text(kind_name(k).to_owned())),
        ),
        ("encoding_type", v.take("encoding_type")),
        (
            "decoded_bytes",
            Value::map_or_nil(decoded, |b| size(b.len())),
        ),
        ("payload", payload_view::decoded(t, path, errors)),
    ])
}

/// The request.
fn request(r: &RequestSecurityToken, errors: &mut Errors) -> Value {
    let mut v = to_value(r);
    // The WS-Trust short names; another request type is serialized as its
    // URI.
    let kind = match v.take("request_type") {
        Value::Text(k) if matches!(k.as_str(), "Issue" | "Renew" | "QueryTokenStatus" | "KET") => {
            Value::Text(k)
        }
        _ => Value::Text("other".to_owned()),
    };
    Value::Record(vec![
        ("request_kind", kind),
        ("context", v.take("context")),
        ("preferred_language", v.take("preferred_language")),
        (
            "binary_security_token",
            Value::map_or_nil(r.binary_security_token.as_ref(), |t| {
                token(t, "/RequestSecurityToken/BinarySecurityToken", errors)
            }),
        ),
        (
            "context_items",
            v.take("additional_context")
                .take("items")
                .map_items(|i| i.select(&["name", "value"])),
        ),
        ("unknown", unknown(v.take("unknown"))),
    ])
}

/// The response collection.
fn collection(c: &RequestSecurityTokenResponseCollection, errors: &mut Errors) -> Value {
    let responses = c
        .responses
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let base = "/RequestSecurityTokenResponseCollection/RequestSecurityTokenResponse";
            let path = if i > 0 {
                format!("{base}[{}]", i + 1)
            } else {
                base.to_owned()
            };
            response_at(r, &path, errors)
        })
        .collect();
    Value::Record(vec![
        ("responses", Value::List(responses)),
        ("unknown", unknown(to_value(&c.unknown))),
    ])
}

/// A `RequestSecurityTokenResponse` read alone.
fn response(r: &RequestSecurityTokenResponse, errors: &mut Errors) -> Value {
    response_at(r, "/RequestSecurityTokenResponse", errors)
}

/// One `RequestSecurityTokenResponse`, at element path `path`.
fn response_at(r: &RequestSecurityTokenResponse, path: &str, errors: &mut Errors) -> Value {
    let mut v = to_value(r);
    let mut disposition = v.take("disposition_message");
    let issued = r.requested_security_token.as_ref();
    let mut token_at = |t: Option<&BinarySecurityToken>, at: &str| {
        Value::map_or_nil(t, |t| token(t, &format!("{path}{at}"), errors))
    };
    let response_token = token_at(r.binary_security_token.as_ref(), "/BinarySecurityToken");
    let issued_token = token_at(
        issued.and_then(|t| t.binary_security_token.as_ref()),
        "/RequestedSecurityToken/BinarySecurityToken",
    );
    let key_exchange_token = token_at(
        issued
            .and_then(|t| t.key_exchange_token.as_ref())
            .and_then(|k| k.binary_security_token.as_ref()),
        "/RequestedSecurityToken/KeyExchangeToken/BinarySecurityToken",
    );
    let token_reference = v
        .take("requested_security_token")
        .take("security_token_reference")
        .take("reference")
        .select(&["uri", "value_type"]);
    Value::Record(vec![
        ("token_type", v.take("token_type")),
        ("disposition_message", disposition.take("text")),
        ("disposition_lang", disposition.take("lang")),
        ("request_id", v.take("request_id")),
        ("context", v.take("context")),
        ("response_token", response_token),
        ("issued_token", issued_token),
        ("token_reference", token_reference),
        ("key_exchange_token", key_exchange_token),
        ("unknown", unknown(v.take("unknown"))),
    ])
}

/// The fault detail.
fn detail(d: &CertificateEnrollmentWsDetail, _: &mut Errors) -> Value {
    Value::Record(vec![
        ("hresult", to_value(&d.error_code)),
        (
            "hresult_message",
            Value::text_or_nil(d.error_code.and_then(|h| h.message())),
        ),
        (
            "binary_response_base64_chars",
            Value::map_or_nil(d.binary_response.as_ref(), |b| size(b.len())),
        ),
    ])
}

/// The serialized namespace spelling, the erratum named.
fn namespace(v: Value) -> Value {
    match v {
        Value::Text(s) if s == "trailing-slash" => Value::Text(format!("{s} (erratum)")),
        v => v,
    }
}

/// A version number, shown as the number it is (`5.0`).
fn version(v: Value) -> Value {
    match v {
        Value::Text(s) => Value::Decimal(s),
        v => v,
    }
}

/// The MS-MDE2 `Discover` request, its `request` shown in place.
fn discover(d: &Discover, _: &mut Errors) -> Value {
    let mut v = to_value(d);
    let mut q = v.take("request");
    Value::Record(vec![
        ("namespace", namespace(v.take("namespace"))),
        ("email_address", q.take("email_address")),
        ("request_version", version(q.take("request_version"))),
        ("device_type", q.take("device_type")),
        ("application_version", q.take("application_version")),
        ("os_edition", q.take("os_edition")),
        ("auth_policies", q.take("auth_policies")),
        ("unknown", unknown(q.take("unknown"))),
    ])
}

/// The MS-MDE2 `DiscoverResponse`, its `DiscoverResult` shown in place.
fn discover_response(r: &DiscoverResponse, _: &mut Errors) -> Value {
    let mut v = to_value(r);
    let mut q = v.take("result");
    Value::Record(vec![
        ("namespace", namespace(v.take("namespace"))),
        ("auth_policy", q.take("auth_policy")),
        ("enrollment_version", version(q.take("enrollment_version"))),
        (
            "enrollment_policy_service_url",
            q.take("enrollment_policy_service_url"),
        ),
        ("enrollment_service_url", q.take("enrollment_service_url")),
        (
            "authentication_service_url",
            q.take("authentication_service_url"),
        ),
        ("unknown", unknown(q.take("unknown"))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_names_the_hresult() {
        let el = AnyElement::new(CertificateEnrollmentWsDetail::NAME).with_child(
            AnyElement::new(QName::new(ns::WSTEP, "ErrorCode")).with_text("-2146877422"),
        );
        let v = crate::views::view_at(&el, "").expect("recognized");
        assert_eq!(
            v.facts,
            vec![("error_code", "-2146877422 (0x80094012)".to_owned())]
        );
        let Some(Value::Record(fields)) = v.model else {
            panic!("{v:?}")
        };
        assert_eq!(
            fields[0],
            (
                "hresult",
                Value::Named {
                    value: 0x8009_4012,
                    name: "CERTSRV_E_TEMPLATE_DENIED".into(),
                    hex: true
                }
            )
        );
    }

    #[test]
    fn refused_request_carries_the_typed_error() {
        // No RequestType.
        let el = AnyElement::new(RequestSecurityToken::NAME);
        let v = crate::views::view_at(&el, "").expect("recognized");
        assert_eq!(v.model, None);
        let e = v.error.expect("error");
        assert_eq!(e.kind, "missing-element");
        assert!(e.path.ends_with("/RequestType"), "{}", e.path);
    }

    #[test]
    fn other_elements_are_not_recognized() {
        assert!(
            WstepView
                .recognize(&AnyElement::new(QName::new("urn:x", "Discover")))
                .is_none()
        );
    }
}
