//! RFC 4514 rendering of a distinguished name, lenient about the string
//! types Windows clients get wrong.

use std::fmt::Write;

use der::asn1::{Ia5StringRef, ObjectIdentifier, PrintableStringRef};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// A name rendered as an RFC 4514 string, and whether a value had to be
/// rendered leniently.
pub(crate) struct Rendered {
    pub text: String,
    pub lenient: bool,
}

/// Renders `name` as RFC 4514 (last RDN first; `+` joins the values of a
/// multi-valued RDN).
///
/// A value whose bytes are not valid for its declared string type (a
/// PrintableString with `!` or NUL, which Windows MDM clients send, or
/// invalid UTF-8) is rendered from its bytes anyway, with control
/// characters escaped as `\XX`, and [`Rendered::lenient`] is set.
pub(crate) fn render(name: &Name) -> Rendered {
    let mut lenient = false;
    let mut rdns = Vec::new();
    for rdn in name.0.iter().rev() {
        let parts: Vec<String> = rdn
            .0
            .iter()
            .map(|atv| render_atv(atv, &mut lenient))
            .collect();
        rdns.push(parts.join("+"));
    }
    Rendered {
        text: rdns.join(","),
        lenient,
    }
}

fn short_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    Some(match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "SERIALNUMBER",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "E",
        _ => return None,
    })
}

fn render_atv(atv: &AttributeTypeAndValue, lenient: &mut bool) -> String {
    let key = short_name(&atv.oid).map_or_else(|| atv.oid.to_string(), str::to_owned);
    let bytes = atv.value.value();
    let text = match atv.value.tag() {
        Tag::Utf8String => std::str::from_utf8(bytes).map(str::to_owned).ok(),
        Tag::PrintableString => PrintableStringRef::new(bytes)
            .ok()
            .map(|s| s.as_str().to_owned()),
        Tag::Ia5String | Tag::VisibleString => {
            Ia5StringRef::new(bytes).ok().map(|s| s.as_str().to_owned())
        }
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => bmp_to_string(bytes),
        _ => {
            // Not a string: RFC 4514 Section 2.4, `#` and the hex of the DER.
            let mut hex = String::from("#");
            if let Ok(der) = der::Encode::to_der(&atv.value) {
                for b in der {
                    let _ = write!(hex, "{b:02X}");
                }
            }
            return format!("{key}={hex}");
        }
    };
    let text = text.unwrap_or_else(|| {
        *lenient = true;
        String::from_utf8_lossy(bytes).into_owned()
    });
    format!("{key}={}", escape(&text))
}

/// A BMPString (UTF-16BE) as text; `None` when it is not UTF-16.
pub(crate) fn bmp_to_string(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// RFC 4514 Section 2.4 escaping; control characters become `\XX`.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}
