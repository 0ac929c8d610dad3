//! End-to-end tests of the typed MS-XCEP view of `cepces inspect`, running
//! the built binary:
//!
//! - the spec's GetPoliciesResponse examples (MS-XCEP 4.1.1.2, MS-MDE2
//!   4.2.2; skipped with a message when `../shared/testdata/spec` is absent,
//!   an error in CI) and `testdata/messages/get-policies-response.xml` show
//!   their templates, CAs and OIDs, flags by Windows name, in text and JSON;
//! - the GetPolicies requests of `testdata/messages/` show `lastUpdate`,
//!   `preferredLanguage` and the filter;
//! - a response the model refuses (`get-policies-response-bad-keylength.xml`)
//!   is shown as the generic reading, with the typed error (kind and path)
//!   on standard error and in the JSON, and exit status 2;
//! - a reference that names no CA or OID is shown as `null`, not an error.

#![allow(clippy::unwrap_used, clippy::too_many_lines, missing_docs)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cepces");

const XCEP: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn message_path(name: &str) -> PathBuf {
    workspace_root().join("testdata/messages").join(name)
}

/// `<workspace root>/../shared/testdata/spec/<rel>`, or `None` (after
/// saying so) when the spec folder is absent. Panics when it is absent in
/// CI (`CI=true`).
fn spec_file(rel: &str) -> Option<PathBuf> {
    let dir = workspace_root().join("../shared/testdata/spec");
    if !dir.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} not found; the spec examples are required in CI",
            dir.display()
        );
        eprintln!("skipped: ../shared/testdata/spec not found");
        return None;
    }
    let path = dir.join(rel);
    assert!(path.is_file(), "{} missing", path.display());
    Some(path)
}

/// Runs `cepces` with `args`, feeding `stdin` when given.
fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("spawn cepces");
    if let Some(input) = stdin {
        let _ = child.stdin.take().expect("stdin").write_all(input);
    }
    child.wait_with_output().expect("wait for cepces")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_no_panic(o: &Output, what: &str) {
    assert_ne!(o.status.code(), Some(70), "{what}: internal error");
    assert_ne!(o.status.code(), Some(101), "{what}: panic");
    assert!(!stderr(o).contains("panicked"), "{what}: {}", stderr(o));
}

/// Text and JSON of `path`, both with exit status 0.
fn inspect_ok(path: &Path) -> (String, Value) {
    let p = path.to_str().expect("path");
    let text = run(&["inspect", p], None);
    let json = run(&["inspect", "--json", p], None);
    for (o, mode) in [(&text, "text"), (&json, "json")] {
        assert_no_panic(o, p);
        assert_eq!(o.status.code(), Some(0), "{p} {mode}: {}", stderr(o));
        assert!(stderr(o).is_empty(), "{p} {mode}: {}", stderr(o));
    }
    let j: Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    (stdout(&text), j)
}

/// The typed model of the payload in the JSON report.
fn model(j: &Value) -> &Value {
    let r = &j["payload"]["recognized"];
    assert_eq!(r["protocol"], "MS-XCEP");
    assert_eq!(r["error"], Value::Null, "{r}");
    assert!(r["model"].is_object(), "{r}");
    &r["model"]
}

/// The names of a JSON array of records, by `key`.
fn strings<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x[key].as_str().expect("string"))
        .collect()
}

fn assert_lines(text: &str, lines: &[&str]) {
    for l in lines {
        assert!(
            text.lines().any(|x| x.trim_start() == *l),
            "line {l:?} not in:\n{text}"
        );
    }
}

// ------------------------------------------------------------ responses ---

#[test]
fn spec_xcep_4_1_1_2_response() {
    let Some(path) = spec_file("xcep/4.1.1.2-GetPoliciesResponse.normalized.xml") else {
        return;
    };
    let (text, j) = inspect_ok(&path);
    assert_eq!(
        j["payload"]["recognized"]["message"],
        "GetPolicies response"
    );
    let m = model(&j);
    let r = &m["response"];
    assert_eq!(r["policy_id"], "{083C7011-1D0A-4855-885D-AC945184658C}");
    assert_eq!(r["policy_friendly_name"], "Contoso Enrollment Policy");
    assert_eq!(r["next_update_hours"], 8);
    assert_eq!(r["policies_not_changed"], Value::Null);

    let templates = r["templates"].as_array().expect("templates");
    assert_eq!(templates.len(), 1);
    let t = &templates[0];
    assert_eq!(t["common_name"], "EFS");
    assert_eq!(
        t["oid"],
        json!({
            "reference": 9,
            "value": "1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6",
            "name": "Basic EFS",
        })
    );
    assert_eq!(t["schema_version"], 1);
    assert_eq!(
        (t["major_revision"].clone(), t["minor_revision"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(t["validity_days"], 365);
    assert_eq!(t["renewal_days"], 42);
    assert_eq!(t["validity_seconds"], 31_536_000);
    assert_eq!(t["minimal_key_length"], 2048);
    assert_eq!(t["key_spec"], json!({"value": 1, "name": "AT_KEYEXCHANGE"}));
    assert_eq!(t["key_algorithm"], Value::Null);
    assert_eq!(t["hash_algorithm"], Value::Null);
    // xs:string values are kept as sent: the example breaks the line
    // after `<provider>`.
    assert_eq!(
        t["crypto_providers"],
        json!([
            "\nMicrosoft Enhanced Cryptographic Provider v1.0",
            "\nMicrosoft Base Cryptographic Provider v1.0"
        ])
    );
    // The example's unprefixed `nil="true"` (erratum) reads as nil.
    for flags in [
        "private_key_flags",
        "subject_name_flags",
        "enrollment_flags",
        "general_flags",
    ] {
        assert_eq!(t[flags], Value::Null, "{flags}");
    }
    let base = "https://9-1351c1223a.dom9-1351c1223a.nttest.microsoft.com/EntRootCA_CES_";
    let uris = [
        format!("{base}Certificate/service.svc/CES"),
        format!("{base}UsernamePassword/service.svc/CES"),
        format!("{base}Kerberos/service.svc/CES"),
    ];
    assert_eq!(t["cas"], json!([{ "reference": 0, "uris": uris }]));

    let cas = m["cas"].as_array().expect("cas");
    assert_eq!(cas.len(), 1);
    let ca = &cas[0];
    assert_eq!(ca["reference_id"], 0);
    assert_eq!(ca["enroll_permission"], true);
    assert_eq!(strings(&ca["uris"], "uri"), uris);
    let auth: Vec<&str> = ca["uris"]
        .as_array()
        .expect("uris")
        .iter()
        .map(|u| u["client_authentication"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        auth,
        [
            "X509AuthCertificate",
            "X509AuthUsername",
            "X509AuthKerberos"
        ]
    );
    assert_eq!(ca["uris"][2]["client_authentication"]["value"], 2);
    assert_eq!(ca["uris"][0]["priority"], 1);
    assert_eq!(ca["uris"][0]["renewal_only"], false);
    // The example elides the certificate with `…`: not base64.
    assert_eq!(ca["certificate_bytes"], Value::Null);
    assert!(ca["certificate_base64_chars"].as_u64().expect("chars") > 0);

    let oids = m["oids"].as_array().expect("oids");
    assert_eq!(
        strings(&m["oids"], "value"),
        [
            "1.3.6.1.4.1.311.20.2",
            "2.5.29.37",
            "2.5.29.15",
            "1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6"
        ]
    );
    assert_eq!(
        oids[3]["group"],
        json!({"value": 9, "name": "enrollment object"})
    );
    assert_eq!(oids[0]["default_name"], "Certificate Template Name");
    assert_eq!(oids[3]["reference_id"], 9);

    assert!(
        text.contains("Recognized    MS-XCEP GetPolicies response"),
        "{text}"
    );
    assert_lines(
        &text,
        &[
            "policy_friendly_name: Contoso Enrollment Policy",
            "- common_name: EFS",
            "name: Basic EFS",
            "validity_days: 365",
            "key_spec: AT_KEYEXCHANGE (1)",
            "private_key_flags: nil",
            "client_authentication: X509AuthKerberos (2)",
            &format!("- uri: {base}Kerberos/service.svc/CES"),
            "group: enrollment object (9)",
        ],
    );
}

#[test]
fn spec_mde2_4_2_2_response() {
    let Some(path) = spec_file("mde2/4.2.2-GetPoliciesResponse.xml") else {
        return;
    };
    let (text, j) = inspect_ok(&path);
    let m = model(&j);
    let r = &m["response"];
    assert_eq!(r["policy_id"], "");
    assert_eq!(r["policy_friendly_name"], Value::Null);
    assert_eq!(r["next_update_hours"], Value::Null);
    let t = &r["templates"][0];
    assert_eq!(t["common_name"], "CEPUnitTest");
    assert_eq!(t["schema_version"], 3);
    assert_eq!(t["validity_days"], 14);
    assert_eq!(t["renewal_days"], 2);
    assert_eq!(t["key_spec"], Value::Null);
    // Both references name the one OID of the example (group 4).
    let sha256 = json!({
        "reference": 0,
        "value": "2.16.840.1.101.3.4.2.1",
        "name": " szOID_NIST_sha256",
    });
    assert_eq!(t["oid"], sha256);
    assert_eq!(t["hash_algorithm"], sha256);
    assert_eq!(
        t["crypto_providers"],
        json!([
            "Microsoft Platform Crypto Provider",
            "Microsoft Software Key Storage Provider"
        ])
    );
    assert_eq!(t["cas"], Value::Null);
    assert_eq!(m["cas"], Value::Null);
    assert_eq!(
        m["oids"][0]["group"],
        json!({"value": 4, "name": "signing algorithm"})
    );
    assert_lines(
        &text,
        &[
            "policy_id: \"\"",
            "- common_name: CEPUnitTest",
            "name: \" szOID_NIST_sha256\"",
            "- Microsoft Platform Crypto Provider",
            "cas: nil",
        ],
    );
}

#[test]
fn response_with_flags_by_name() {
    let (text, j) = inspect_ok(&message_path("get-policies-response.xml"));
    let m = model(&j);
    let r = &m["response"];
    assert_eq!(r["policy_id"], "{5E2C4A1F-93B7-4D0E-A6C8-1F7B2D9E3A40}");
    assert_eq!(r["policies_not_changed"], false);
    let templates = r["templates"].as_array().expect("templates");
    assert_eq!(
        strings(&r["templates"], "common_name"),
        ["CorpUser", "CorpWebServer"]
    );

    let user = &templates[0];
    assert_eq!(
        user["private_key_flags"],
        json!({"value": 0x10, "name": "CT_FLAG_EXPORTABLE_KEY"})
    );
    assert_eq!(
        user["subject_name_flags"],
        json!({
            "value": 0x8200_0000_u32,
            "name": "CT_FLAG_SUBJECT_ALT_REQUIRE_UPN | CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH"
        })
    );
    assert_eq!(
        user["enrollment_flags"]["name"],
        "CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS | CT_FLAG_PUBLISH_TO_DS | CT_FLAG_AUTO_ENROLLMENT"
    );
    assert_eq!(
        user["general_flags"]["name"],
        "CT_FLAG_AUTO_ENROLLMENT | CT_FLAG_ADD_TEMPLATE_NAME | CT_FLAG_IS_MODIFIED"
    );
    assert_eq!(user["auto_enroll"], true);
    assert_eq!(user["superseded_templates"], Value::Null);
    let ca_refs: Vec<u64> = user["cas"]
        .as_array()
        .expect("cas")
        .iter()
        .map(|c| c["reference"].as_u64().expect("reference"))
        .collect();
    assert_eq!(ca_refs, [0, 1]);
    assert_eq!(
        user["cas"][1]["uris"],
        json!(["https://ca2.corp.example.com/Corp-CA2_CES_Certificate/service.svc/CES"])
    );

    let web = &templates[1];
    assert_eq!(web["schema_version"], 3);
    assert_eq!(web["validity_days"], 730);
    assert_eq!(web["renewal_days"], 21);
    assert_eq!(web["minimal_key_length"], 3072);
    assert_eq!(web["key_spec"]["name"], "AT_SIGNATURE");
    assert_eq!(web["key_usage"]["name"], "NCRYPT_ALLOW_ALL_USAGES");
    assert_eq!(web["key_algorithm"]["name"], "RSA");
    assert_eq!(web["hash_algorithm"]["value"], "2.16.840.1.101.3.4.2.1");
    assert_eq!(web["superseded_templates"], json!(["WebServer"]));
    assert_eq!(
        web["private_key_flags"]["name"],
        "server version 5 | client version 5"
    );
    // A bit without a Windows name is kept, in hexadecimal.
    assert_eq!(
        web["enrollment_flags"],
        json!({"value": 0x0010_0008, "name": "CT_FLAG_PUBLISH_TO_DS | 0x00100000"})
    );

    let cas = m["cas"].as_array().expect("cas");
    assert_eq!(cas[0]["certificate_bytes"], 424);
    assert_eq!(cas[1]["enroll_permission"], false);
    assert_eq!(cas[1]["uris"][0]["renewal_only"], true);
    assert_eq!(
        cas[1]["uris"][0]["client_authentication"],
        json!({"value": 8, "name": "X509AuthCertificate"})
    );
    assert_eq!(m["oids"].as_array().expect("oids").len(), 6);

    assert_lines(
        &text,
        &[
            "- common_name: CorpUser",
            "private_key_flags: CT_FLAG_EXPORTABLE_KEY (0x00000010)",
            "subject_name_flags: CT_FLAG_SUBJECT_ALT_REQUIRE_UPN | CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH (0x82000000)",
            "enrollment_flags: CT_FLAG_PUBLISH_TO_DS | 0x00100000 (0x00100008)",
            "general_flags: CT_FLAG_MACHINE_TYPE | CT_FLAG_ADD_TEMPLATE_NAME | CT_FLAG_IS_MODIFIED (0x00020240)",
            "key_usage: NCRYPT_ALLOW_ALL_USAGES (0x00ffffff)",
            "- WebServer",
            "- https://ca1.corp.example.com/Corp-CA1_CES_Kerberos/service.svc/CES",
            "client_authentication: X509AuthUsername (4)",
            "certificate_bytes: 424",
        ],
    );
}

#[test]
fn dangling_references_show_as_null() {
    let xml = format!(
        r#"<GetPoliciesResponse xmlns="{XCEP}"><response><policyID>p</policyID><policies><policy>
<policyOIDReference>41</policyOIDReference><cAs><cAReference>7</cAReference></cAs>
<attributes><commonName>Orphan</commonName><policySchema>2</policySchema>
<certificateValidity><validityPeriodSeconds>43200</validityPeriodSeconds><renewalPeriodSeconds>3600</renewalPeriodSeconds></certificateValidity>
<permission><enroll>false</enroll><autoEnroll>false</autoEnroll></permission>
<privateKeyAttributes><minimalKeyLength>256</minimalKeyLength></privateKeyAttributes>
<revision><majorRevision>1</majorRevision></revision>
<hashAlgorithmOIDReference>42</hashAlgorithmOIDReference>
</attributes></policy></policies></response></GetPoliciesResponse>"#
    );
    let o = run(&["inspect", "--json", "-"], Some(xml.as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let t = &model(&j)["response"]["templates"][0];
    assert_eq!(
        t["oid"],
        json!({"reference": 41, "value": null, "name": null})
    );
    assert_eq!(t["hash_algorithm"]["reference"], 42);
    assert_eq!(t["hash_algorithm"]["value"], Value::Null);
    assert_eq!(t["cas"], json!([{"reference": 7, "uris": null}]));
    assert_eq!(t["validity_days"], 0.5);
    assert_eq!(t["renewal_days"], 0.042);
    assert_eq!(model(&j)["cas"], Value::Null);
}

// ------------------------------------------------------------- requests ---

#[test]
fn get_policies_request_envelope() {
    let (text, j) = inspect_ok(&message_path("get-policies-request.xml"));
    assert_eq!(j["payload"]["recognized"]["message"], "GetPolicies request");
    assert_eq!(
        *model(&j),
        json!({
            "last_update": "2025-03-13T08:00:00Z",
            "preferred_language": "en-US",
            "request_filter": null,
        })
    );
    assert_lines(
        &text,
        &[
            "last_update: 2025-03-13T08:00:00Z",
            "preferred_language: en-US",
            "request_filter: nil",
        ],
    );
}

#[test]
fn get_policies_bare_payload_with_filter() {
    let (text, j) = inspect_ok(&message_path("get-policies-payload.xml"));
    assert_eq!(
        *model(&j),
        json!({
            "last_update": null,
            "preferred_language": null,
            "request_filter": {
                "policy_oids": ["1.3.6.1.4.1.311.21.8.1234567.7654321.1"],
                "client_version": 6,
                "server_version": 0,
            },
        })
    );
    assert_lines(
        &text,
        &[
            "last_update: nil",
            "request_filter:",
            "- 1.3.6.1.4.1.311.21.8.1234567.7654321.1",
            "client_version: 6",
        ],
    );
}

// --------------------------------------------------------------- errors ---

const BAD_PATH: &str = "/GetPoliciesResponse/response/policies/policy/attributes/privateKeyAttributes/minimalKeyLength";

#[test]
fn bad_value_exits_2_after_the_generic_reading() {
    let p = message_path("get-policies-response-bad-keylength.xml");
    let p = p.to_str().expect("path");
    let full_path = format!("/Envelope/Body{BAD_PATH}");

    let o = run(&["inspect", p], None);
    assert_no_panic(&o, p);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    // What the generic view could read: header and tree...
    assert!(out.contains("SOAP 1.2 envelope with payload"), "{out}");
    assert!(out.contains("RelatesTo"), "{out}");
    assert!(out.contains("minimalKeyLength = \"-1\""), "{out}");
    assert!(out.contains("commonName = \"CorpUser\""), "{out}");
    // ... and the typed error, also on standard error.
    assert!(out.contains("typed reading failed: [bad-value]"), "{out}");
    let err = stderr(&o);
    assert!(err.contains("cepces: error [bad-value]"), "{err}");
    assert!(err.contains("'-1'"), "{err}");
    assert!(err.contains(&format!("path: {full_path}")), "{err}");
    assert!(err.contains("MS-XCEP GetPolicies response"), "{err}");

    let o = run(&["inspect", "--json", p], None);
    assert_eq!(o.status.code(), Some(2));
    let j: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(j["message"], "envelope-payload");
    assert_eq!(
        j["header"]["relates_to"][0]["value"],
        "urn:uuid:2f0c6d3a-6a1e-4c43-9b0e-1d2a64c1f0e7"
    );
    let r = &j["payload"]["recognized"];
    assert_eq!(r["protocol"], "MS-XCEP");
    assert_eq!(r["model"], Value::Null);
    assert_eq!(r["error"]["kind"], "bad-value");
    assert_eq!(r["error"]["path"], full_path.as_str());
    assert!(
        r["error"]["message"]
            .as_str()
            .expect("message")
            .contains("-1")
    );
    assert_eq!(j["payload"]["element"]["local"], "GetPoliciesResponse");
    assert!(stderr(&o).contains("[bad-value]"));
}

#[test]
fn bad_value_in_a_bare_element_has_a_path_from_its_root() {
    let doc = std::fs::read_to_string(message_path("get-policies-response-bad-keylength.xml"))
        .expect("read");
    let start = doc.find("<GetPoliciesResponse").expect("start");
    let end = doc.find("</GetPoliciesResponse>").expect("end") + "</GetPoliciesResponse>".len();
    // The Body declared `xsi`: declare it on the bare element instead.
    let bare = doc[start..end].replacen(
        "<GetPoliciesResponse ",
        "<GetPoliciesResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        1,
    );
    let o = run(&["inspect", "--json", "-"], Some(bare.as_bytes()));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(j["message"], "bare-element");
    assert_eq!(j["payload"]["recognized"]["error"]["path"], BAD_PATH);
    // The error is a function of the values: the same for another spelling.
    let prefixed = bare
        .replace('<', "<x:")
        .replace("<x:/", "</x:")
        .replacen("xmlns=", "xmlns:x=", 1)
        .replace("x:xsi:nil", "xsi:nil");
    assert_ne!(prefixed, bare);
    let o2 = run(&["inspect", "--json", "-"], Some(prefixed.as_bytes()));
    assert_eq!(o2.status.code(), Some(2), "{}", stderr(&o2));
    assert_eq!(stdout(&o2), stdout(&o));
}

#[test]
fn missing_required_element_exits_2() {
    let xml = format!(r#"<GetPolicies xmlns="{XCEP}"><requestFilter/></GetPolicies>"#);
    let o = run(&["inspect", "-"], Some(xml.as_bytes()));
    assert_no_panic(&o, "GetPolicies without client");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("[missing-element]"), "{err}");
    assert!(err.contains("path: /GetPolicies"), "{err}");
    assert!(stdout(&o).contains("Recognized    MS-XCEP GetPolicies request"));
}

// ------------------------------------------------------------ MS-MDE2 ---

/// `testdata/messages/get-policies-response.xml` as an MS-MDE2 server
/// sends it: the first template without `commonName`,
/// `certificateValidity`, `permission` and `revision`, the response without
/// `policyID`.
fn mdm_response() -> String {
    let xml = std::fs::read_to_string(message_path("get-policies-response.xml")).unwrap();
    let cut = |xml: &str, from: &str, to: &str| {
        let start = xml.find(from).unwrap_or_else(|| panic!("{from}"));
        let end = xml[start..].find(to).unwrap() + start + to.len();
        format!("{}{}", &xml[..start], &xml[end..])
    };
    let xml = cut(&xml, "<policyID>", "</policyID>");
    let xml = cut(&xml, "<commonName>CorpUser", "</commonName>");
    let xml = cut(&xml, "<certificateValidity>", "</certificateValidity>");
    let xml = cut(&xml, "<permission>", "</permission>");
    cut(&xml, "<revision>", "</revision>")
}

#[test]
fn mdm_response_names_what_is_missing() {
    let xml = mdm_response();
    let json = run(&["inspect", "--json", "-"], Some(xml.as_bytes()));
    assert_no_panic(&json, "mdm json");
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let j: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let r = &model(&j)["response"];
    assert_eq!(r["policy_id"], Value::Null);
    assert_eq!(r["missing_required"], json!(["policyID"]));
    let t = &r["templates"][0];
    assert_eq!(
        t["missing_required"],
        json!([
            "commonName",
            "certificateValidity",
            "permission",
            "revision"
        ])
    );
    for field in [
        "common_name",
        "major_revision",
        "minor_revision",
        "validity_days",
        "renewal_days",
        "enroll",
        "auto_enroll",
    ] {
        assert_eq!(t[field], Value::Null, "{field}");
    }
    // What is there is still shown.
    assert_eq!(t["minimal_key_length"], 2048);
    // The second template is complete.
    let t2 = &r["templates"][1];
    assert_eq!(t2["common_name"], "CorpWebServer");
    assert_eq!(t2["missing_required"], json!([]));

    let text = run(&["inspect", "-"], Some(xml.as_bytes()));
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let text = stdout(&text);
    assert_lines(
        &text,
        &[
            "policy_id: missing (schema requires)",
            "- common_name: missing (schema requires)",
            "validity_days: missing (schema requires)",
            "enroll: missing (schema requires)",
            "major_revision: missing (schema requires)",
            "- commonName",
            "- certificateValidity",
            "- policyID",
        ],
    );
}

// ------------------------------------------------- what is there, typed ---

/// The template extensions of MS-WCCE and RFC 5280, OIDs 50 to 52, added to
/// the first template of `get-policies-response.xml`, and its
/// `policyOIDReference` pointed at OID 6 (Extended Key Usage, group 6).
fn typed_extensions_response() -> String {
    let xml = std::fs::read_to_string(message_path("get-policies-response.xml")).unwrap();
    let ext = |r: u32, v: &str| {
        format!(
            "<extension><oIDReference>{r}</oIDReference><critical>false</critical><value>{v}</value></extension>"
        )
    };
    let added = [
        ext(50, "MBMGCysGAQQBgjcVCAECAgFkAgEF"),
        ext(51, "HggAVQBzAGUAcg=="),
        ext(52, "MAwwCgYIKwYBBQUHAwI="),
        ext(50, "BQA="),
    ]
    .concat();
    let xml = xml.replacen("</extensions>", &format!("{added}</extensions>"), 1);
    let oid = |v: &str, g: u32, r: u32| {
        format!(
            "<oID><value>{v}</value><group>{g}</group><oIDReferenceID>{r}</oIDReferenceID><defaultName xsi:nil=\"true\"/></oID>"
        )
    };
    let oids = [
        oid("1.3.6.1.4.1.311.21.7", 6, 50),
        oid("1.3.6.1.4.1.311.20.2", 6, 51),
        oid("1.3.6.1.4.1.311.21.10", 6, 52),
    ]
    .concat();
    let xml = xml.replacen("<oIDs>", &format!("<oIDs>{oids}"), 1);
    xml.replacen(
        "<policyOIDReference>1</policyOIDReference>",
        "<policyOIDReference>6</policyOIDReference>",
        1,
    )
}

#[test]
fn template_extensions_ca_certificate_and_non_template_oid() {
    let xml = typed_extensions_response();
    let json = run(&["inspect", "--json", "-"], Some(xml.as_bytes()));
    assert_no_panic(&json, "typed json");
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let j: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let m = model(&j);
    let t = &m["response"]["templates"][0];
    assert_eq!(t["oid"]["value"], "2.5.29.37");
    assert_eq!(
        t["oid_note"],
        "not a template OID: group 6 (certificate extension or attribute), not 9 (enrollment object)"
    );
    // The complete second template has no note.
    assert_eq!(m["response"]["templates"][1]["oid_note"], Value::Null);
    let e = t["extensions"].as_array().unwrap();
    assert_eq!(e.len(), 6);
    assert_eq!(e[0]["oid"], "2.5.29.37");
    assert_eq!(e[0]["name"], "id-ce-extKeyUsage");
    assert_eq!(e[0]["critical"], false);
    assert_eq!(
        e[0]["purposes"],
        json!([
            {"oid": "1.3.6.1.5.5.7.3.2", "name": "id-kp-clientAuth"},
            {"oid": "1.3.6.1.5.5.7.3.4", "name": "id-kp-emailProtection"},
        ])
    );
    assert_eq!(e[1]["oid"], "2.5.29.15");
    assert_eq!(e[1]["critical"], true);
    assert_eq!(
        e[1]["key_usage"],
        json!(["digitalSignature", "keyEncipherment"])
    );
    assert_eq!(e[2]["name"], "szOID_CERTIFICATE_TEMPLATE");
    assert_eq!(
        e[2]["template_oid"],
        json!({"oid": "1.3.6.1.4.1.311.21.8.1.2", "name": null})
    );
    assert_eq!(
        (e[2]["major_version"].clone(), e[2]["minor_version"].clone()),
        (json!(100), json!(5))
    );
    assert_eq!(e[3]["template_name"], "User");
    assert_eq!(
        e[4]["policies"],
        json!([{"oid": "1.3.6.1.5.5.7.3.2", "name": "id-kp-clientAuth"}])
    );
    // A value that is not a TemplateInfo: the error, not a failure.
    assert!(e[5]["error"].is_string(), "{}", e[5]);
    assert_eq!(e[5]["value_bytes"], 2);

    // The CA certificate, decoded.
    let c = &m["cas"][0]["certificate"];
    assert_eq!(c["subject"], "O=Example Corp,CN=alice");
    assert_eq!(c["issuer"], "O=Example Corp,CN=alice");
    assert_eq!(c["not_before"], "2026-11-25T11:06:34Z");
    assert_eq!(c["not_after"], "2027-11-25T11:06:34Z");
    assert_eq!(c["key_algorithm"], "EC P-256");
    assert_eq!(c["key_bits"], 256);

    let text = run(&["inspect", "-"], Some(xml.as_bytes()));
    let text = stdout(&text);
    assert_lines(
        &text,
        &[
            "oid_note: not a template OID: group 6 (certificate extension or attribute), not 9 (enrollment object)",
            "name: id-kp-clientAuth",
            "- digitalSignature",
            "template_name: User",
            "major_version: 100",
            "key_algorithm: EC P-256",
        ],
    );
}
