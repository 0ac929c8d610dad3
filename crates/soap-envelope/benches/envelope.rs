//! Parsing an envelope with its headers, against quick-xml's raw namespace
//! reader over the same bytes (the baseline: every event read and every
//! element name resolved, nothing built).
//!
//! Besides criterion's own report, the bench prints the ratio
//! `soap-envelope / baseline` for each input, timed in this same process.
#![allow(missing_docs, clippy::unwrap_used, clippy::format_push_string)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use soap_envelope::{AnyElement, Envelope};
use testkit::bench::{baseline, time_per_iter};

/// A CES request as Windows sends it: WS-Addressing, a Security header with
/// Timestamp and UsernameToken, and a body carrying a base64 CSR.
fn rst_request() -> Vec<u8> {
    let csr: String = (0..1400u32)
        .map(|i| {
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(i * 7 % 64) as usize],
            )
        })
        .collect::<Vec<_>>()
        .chunks(64)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("&#xD;\n");
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <s:Header>
    <a:Action s:mustUnderstand="1">http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep</a:Action>
    <a:MessageID>urn:uuid:b5d1a601-5091-4a7d-b34b-5204c18b5919</a:MessageID>
    <a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>
    <a:To s:mustUnderstand="1">https://ces.contoso.com/Contoso-CA_CES_UsernamePassword/service.svc/CES</a:To>
    <o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
      <u:Timestamp u:Id="_0"><u:Created>2026-11-25T10:00:00.000Z</u:Created><u:Expires>2026-11-25T10:05:00.000Z</u:Expires></u:Timestamp>
      <o:UsernameToken u:Id="uuid-1"><o:Username>CONTOSO\alice</o:Username><o:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">secret</o:Password></o:UsernameToken>
    </o:Security>
  </s:Header>
  <s:Body>
    <RequestSecurityToken PreferredLanguage="en-US" xmlns="http://docs.oasis-open.org/ws-sx/ws-trust/200512">
      <TokenType>http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3</TokenType>
      <RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</RequestType>
      <BinarySecurityToken ValueType="http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary" a:Id="" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">{csr}</BinarySecurityToken>
      <AdditionalContext xmlns="http://schemas.xmlsoap.org/ws/2006/12/authorization">
        <ContextItem Name="ccm"><Value>host.contoso.com</Value></ContextItem>
      </AdditionalContext>
    </RequestSecurityToken>
  </s:Body>
</s:Envelope>"#
    )
    .into_bytes()
}

/// A large body: the same headers and 2,000 small elements in the payload.
fn large_body() -> Vec<u8> {
    let mut items = String::new();
    for i in 0..2000 {
        items.push_str(&format!(
            "<oID><value>1.3.6.1.4.1.311.21.8.{i}</value><group>9</group><oIDReferenceID>{i}</oIDReferenceID><defaultName>Template {i}</defaultName></oID>\n"
        ));
    }
    let s = String::from_utf8(rst_request()).unwrap();
    let start = s.find("<RequestSecurityToken").unwrap();
    let end = s.find("</s:Body>").unwrap();
    format!(
        "{}<oIDs xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\">{items}</oIDs>{}",
        &s[..start],
        &s[end..]
    )
    .into_bytes()
}

fn ours(input: &[u8]) -> Envelope<AnyElement> {
    Envelope::<AnyElement>::from_xml(input).unwrap()
}

fn bench(c: &mut Criterion) {
    for (name, input) in [
        ("rst_request", rst_request()),
        ("large_body_2000", large_body()),
    ] {
        // Sanity: both read the same document.
        assert!(baseline(&input) > 0);
        let env = ours(&input);
        assert!(env.header.security.is_some());

        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("quick_xml_ns_reader", |b| {
            b.iter(|| baseline(black_box(&input)));
        });
        g.bench_function("soap_envelope", |b| b.iter(|| ours(black_box(&input))));
        g.finish();

        let base = time_per_iter(
            &|| {
                black_box(baseline(black_box(&input)));
            },
            Duration::from_millis(700),
        );
        let mine = time_per_iter(
            &|| {
                black_box(ours(black_box(&input)));
            },
            Duration::from_millis(700),
        );
        println!(
            "RATIO {name}: {} bytes, baseline {:.1} µs, soap-envelope {:.1} µs, ratio {:.2}",
            input.len(),
            base * 1e6,
            mine * 1e6,
            mine / base
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
