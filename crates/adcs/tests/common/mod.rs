//! Directory entries written from the specs: the default templates of
//! MS-CRTD section 3 (product behavior note 43, the templates Windows
//! Server 2008 and later install), their default DACLs, and a CA.
#![allow(dead_code, clippy::unwrap_used, missing_docs)] // dead code: each test file uses a part

use cepces_adcs::LdapEntry;
use cepces_adcs::security::{AUTO_ENROLL, Ace, Acl, ENROLL, SecurityDescriptor, Sid, rights};

pub const CONFIG: &str = "CN=Configuration,DC=example,DC=test";
pub const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";

pub fn domain(rid: u32) -> Sid {
    DOMAIN.parse::<Sid>().unwrap().with_rid(rid).unwrap()
}

pub fn template_dn(cn: &str) -> String {
    format!("CN={cn},CN=Certificate Templates,CN=Public Key Services,CN=Services,{CONFIG}")
}

/// `0x00 0x40 0x39 ...` as MS-CRTD prints binary values.
pub fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b.trim_start_matches("0x"), 16).unwrap())
        .collect()
}

/// An entry from `name: value; value` lines, the layout of MS-CRTD 3;
/// the binary attributes (`pKIExpirationPeriod`, `pKIOverlapPeriod`,
/// `pKIKeyUsage`) are given in hex.
pub fn entry(dn: &str, text: &str) -> LdapEntry {
    let mut e = LdapEntry::new(dn);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, values) = line.split_once(':').unwrap();
        let name = name.split(" (").next().unwrap().trim();
        let values = values.trim().trim_end_matches(';');
        if matches!(
            name,
            "pKIExpirationPeriod" | "pKIOverlapPeriod" | "pKIKeyUsage"
        ) {
            e.insert(name, [hex(values)]);
        } else if name == "msPKI-RA-Application-Policies" {
            e.insert(name, [values.to_owned()]);
        } else {
            e.insert(name, values.split("; ").map(str::to_owned));
        }
    }
    e
}

/// MS-CRTD 3, note 43: `User`.
pub const USER: &str = "
cn: User;
displayName: User;
flags: 66106;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.1;
msPKI-Certificate-Name-Flag: -1509949440;
msPKI-Enrollment-Flag: 41;
msPKI-Minimal-Key-Size: 2048;
msPKI-Private-Key-Flag: 16;
msPKI-RA-Signature: 0;
msPKI-Template-Minor-Revision: 1;
msPKI-Template-Schema-Version: 1;
name: User;
pKICriticalExtensions: 2.5.29.15;
pKIDefaultCSPs (2): 2,Microsoft Base Cryptographic Provider v1.0; 1,Microsoft Enhanced Cryptographic Provider v1.0;
pKIDefaultKeySpec: 1;
pKIExpirationPeriod: 0x00 0x40 0x39 0x87 0x2E 0xE1 0xFE 0xFF;
pKIExtendedKeyUsage (3): 1.3.6.1.4.1.311.10.3.4; 1.3.6.1.5.5.7.3.4; 1.3.6.1.5.5.7.3.2;
pKIKeyUsage: 0xA0 0x00;
pKIMaxIssuingDepth: 0;
pKIOverlapPeriod: 0x00 0x80 0xA6 0x0A 0xFF 0xDE 0xFF 0xFF;
revision: 3;
";

/// MS-CRTD 3, note 43: `Machine`.
pub const MACHINE: &str = "
cn: Machine;
displayName: Computer;
flags: 66144;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.14;
msPKI-Certificate-Name-Flag: 402653184;
msPKI-Enrollment-Flag: 32;
msPKI-Minimal-Key-Size: 2048;
msPKI-Private-Key-Flag: 0;
msPKI-RA-Signature: 0;
msPKI-Template-Minor-Revision: 1;
msPKI-Template-Schema-Version: 1;
name: Machine;
pKICriticalExtensions: 2.5.29.15;
pKIDefaultCSPs: 1,Microsoft RSA SChannel Cryptographic Provider;
pKIDefaultKeySpec: 1;
pKIExpirationPeriod: 0x00 0x40 0x39 0x87 0x2E 0xE1 0xFE 0xFF;
pKIExtendedKeyUsage (2): 1.3.6.1.5.5.7.3.2; 1.3.6.1.5.5.7.3.1;
pKIKeyUsage: 0xA0 0x00;
pKIMaxIssuingDepth: 0;
pKIOverlapPeriod: 0x00 0x80 0xA6 0x0A 0xFF 0xDE 0xFF 0xFF;
revision: 5;
";

/// MS-CRTD 3, note 43: `WebServer`.
pub const WEB_SERVER: &str = "
cn: WebServer;
displayName: Web Server;
flags: 66113;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.16;
msPKI-Certificate-Name-Flag: 1;
msPKI-Enrollment-Flag: 0;
msPKI-Minimal-Key-Size: 2048;
msPKI-Private-Key-Flag: 0;
msPKI-RA-Signature: 0;
msPKI-Template-Minor-Revision: 1;
msPKI-Template-Schema-Version: 1;
name: WebServer;
pKICriticalExtensions: 2.5.29.15;
pKIDefaultCSPs (2): 2,Microsoft DH SChannel Cryptographic Provider; 1,Microsoft RSA SChannel Cryptographic Provider;
pKIDefaultKeySpec: 1;
pKIExpirationPeriod: 0x00 0x80 0x72 0x0E 0x5D 0xC2 0xFD 0xFF;
pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.1;
pKIKeyUsage: 0xA0 0x00;
pKIMaxIssuingDepth: 0;
pKIOverlapPeriod: 0x00 0x80 0xA6 0x0A 0xFF 0xDE 0xFF 0xFF;
revision: 4;
";

/// MS-CRTD 3, note 43: `OCSPResponseSigning`, a schema 3 template whose
/// `msPKI-RA-Application-Policies` uses syntax option 2.
pub const OCSP_RESPONSE_SIGNING: &str = "
cn: OCSPResponseSigning;
displayName: OCSP Response Signing;
flags: 66112;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.32;
msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.9;
msPKI-Certificate-Name-Flag: 402653184;
msPKI-Enrollment-Flag: 4096;
msPKI-Minimal-Key-Size: 2048;
msPKI-Private-Key-Flag: 0;
msPKI-RA-Application-Policies: msPKI-Asymmetric-Algorithm`PZPWSTR`RSA`msPKI-Hash-Algorithm`PZPWSTR`SHA1`msPKI-Key-Security-Descriptor`PZPWSTR`D:(A;;FA;;;BA)(A;;FA;;;SY)(A;;GR;;;S-1-5-80-3804348527-3718992918-2141599610-3686422417-2726379419)`msPKI-Key-Usage`DWORD`2`;
msPKI-RA-Signature: 0;
msPKI-Template-Minor-Revision: 0;
msPKI-Template-Schema-Version: 3;
name: OCSPResponseSigning;
pKICriticalExtensions: 2.5.29.15;
pKIDefaultKeySpec: 2;
pKIExpirationPeriod: 0x00 0x80 0x37 0xAE 0xFF 0xF4 0xFF 0xFF;
pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.9;
pKIKeyUsage: 0x80 0x00;
pKIMaxIssuingDepth: 0;
pKIOverlapPeriod: 0x00 0x80 0x2C 0xAB 0x6D 0xFE 0xFF 0xFF;
revision: 101;
";

const ADMIN_RIGHTS: u32 = rights::FULL_CONTROL & !rights::CONTROL_ACCESS;
const READ: u32 =
    rights::LIST_CHILDREN | rights::READ_PROPERTY | rights::LIST_OBJECT | rights::READ_CONTROL;

/// The default DACL of the User template: `(OA;;RPWPCR;Enroll;;DA)`,
/// `(OA;;RPWPCR;Enroll;;DU)`, `(OA;;RPWPCR;Enroll;;EA)`,
/// `(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)`, the same for EA, `(A;;LCRPLORC;;;AU)`.
pub fn user_dacl() -> SecurityDescriptor {
    let enroll = rights::READ_PROPERTY | rights::WRITE_PROPERTY | rights::CONTROL_ACCESS;
    SecurityDescriptor::new(
        Some(domain(519)),
        Some(domain(519)),
        Acl::new(vec![
            Ace::new(false, enroll, Some(ENROLL), domain(512)),
            Ace::new(false, enroll, Some(ENROLL), domain(513)),
            Ace::new(false, enroll, Some(ENROLL), domain(519)),
            Ace::new(false, ADMIN_RIGHTS, None, domain(512)),
            Ace::new(false, ADMIN_RIGHTS, None, domain(519)),
            Ace::new(false, READ, None, Sid::AUTHENTICATED_USERS),
        ]),
    )
}

/// The Machine template's DACL: Domain Computers enroll and autoenroll
/// (as an administrator sets it up for autoenrollment), admins full, AU read.
pub fn machine_dacl() -> SecurityDescriptor {
    SecurityDescriptor::new(
        Some(domain(519)),
        Some(domain(519)),
        Acl::new(vec![
            Ace::new(false, rights::CONTROL_ACCESS, Some(ENROLL), domain(515)),
            Ace::new(
                false,
                rights::CONTROL_ACCESS,
                Some(AUTO_ENROLL),
                domain(515),
            ),
            Ace::new(false, ADMIN_RIGHTS, None, domain(512)),
            Ace::new(false, READ, None, Sid::AUTHENTICATED_USERS),
        ]),
    )
}

/// The WebServer template's default DACL: only the admins enroll.
pub fn web_server_dacl() -> SecurityDescriptor {
    SecurityDescriptor::new(
        Some(domain(519)),
        Some(domain(519)),
        Acl::new(vec![
            Ace::new(false, rights::CONTROL_ACCESS, Some(ENROLL), domain(512)),
            Ace::new(false, rights::CONTROL_ACCESS, Some(ENROLL), domain(519)),
            Ace::new(false, ADMIN_RIGHTS, None, domain(512)),
            Ace::new(false, READ, None, Sid::AUTHENTICATED_USERS),
        ]),
    )
}

/// A template entry with its security descriptor.
pub fn template(cn: &str, text: &str, sd: &SecurityDescriptor) -> LdapEntry {
    entry(&template_dn(cn), text).with_attribute("nTSecurityDescriptor", [sd.to_bytes()])
}

/// The CA `example-CA` issuing User, Machine and WebServer through three
/// CES endpoints.
pub fn ca_entry() -> LdapEntry {
    LdapEntry::new(format!(
        "CN=example-CA,CN=Enrollment Services,CN=Public Key Services,CN=Services,{CONFIG}"
    ))
    .with_attribute("cn", ["example-CA"])
    .with_attribute("dNSHostName", ["ca.example.test"])
    .with_attribute("cACertificate", [vec![0x30, 0x03, 0x02, 0x01, 0x01]])
    .with_attribute("certificateTemplates", ["User", "Machine", "WebServer"])
    .with_attribute(
        "msPKI-Enrollment-Servers",
        [
            "1\n2\n0\nhttps://ca.example.test/example-CA_CES_Kerberos/service.svc/CES",
            "2\n4\n0\nhttps://ca.example.test/example-CA_CES_UsernamePassword/service.svc/CES",
            "3\n8\n1\nhttps://ca.example.test/example-CA_CES_Certificate/service.svc/CES",
        ],
    )
}

/// MS-CRTD 3, note 43: `EFS` ("Basic EFS"), the template of the MS-XCEP
/// 4.1.1.2 example.
pub const EFS: &str = "
cn: EFS;
displayName: Basic EFS;
flags: 66104;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.6;
msPKI-Certificate-Name-Flag: -2113929216;
msPKI-Enrollment-Flag: 41;
msPKI-Minimal-Key-Size: 2048;
msPKI-Private-Key-Flag: 16;
msPKI-RA-Signature: 0;
msPKI-Template-Minor-Revision: 1;
msPKI-Template-Schema-Version: 1;
name: EFS;
pKICriticalExtensions: 2.5.29.15;
pKIDefaultCSPs (2): 2,Microsoft Base Cryptographic Provider v1.0; 1,Microsoft Enhanced Cryptographic Provider v1.0;
pKIDefaultKeySpec: 1;
pKIExpirationPeriod: 0x00 0x40 0x39 0x87 0x2E 0xE1 0xFE 0xFF;
pKIExtendedKeyUsage: 1.3.6.1.4.1.311.10.3.4;
pKIKeyUsage: 0x20 0x00;
pKIMaxIssuingDepth: 0;
pKIOverlapPeriod: 0x00 0x80 0xA6 0x0A 0xFF 0xDE 0xFF 0xFF;
revision: 3;
";

/// MS-CRTD 3, note 43: `SubCA`.
pub const SUB_CA: &str = "
cn: SubCA;
displayName: Subordinate Certification Authority;
flags: 66257;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.18;
msPKI-Certificate-Name-Flag: 1;
msPKI-Enrollment-Flag: 0;
msPKI-Minimal-Key-Size: 1024;
msPKI-Private-Key-Flag: 16;
msPKI-RA-Signature: 0;
msPKI-Template-Minor-Revision: 1;
msPKI-Template-Schema-Version: 1;
name: SubCA;
pKICriticalExtensions (2): 2.5.29.15; 2.5.29.19;
pKIDefaultCSPs: 1,Microsoft Enhanced Cryptographic Provider v1.0;
pKIDefaultKeySpec: 2;
pKIExpirationPeriod: 0x00 0x40 0x1E 0xA4 0xE8 0x65 0xFA 0xFF;
pKIKeyUsage: 0x86 0x00;
pKIMaxIssuingDepth: -1;
pKIOverlapPeriod: 0x00 0x80 0xA6 0x0A 0xFF 0xDE 0xFF 0xFF;
revision: 5;
";

/// MS-CRTD 3, note 43: `CrossCA`, a schema 2 template needing one RA
/// signature.
pub const CROSS_CA: &str = "
cn: CrossCA;
displayName: Cross Certification Authority;
flags: 67600;
msPKI-Cert-Template-OID: 1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.25;
msPKI-Certificate-Name-Flag: 1;
msPKI-Enrollment-Flag: 8;
msPKI-Minimal-Key-Size: 1024;
msPKI-Private-Key-Flag: 16;
msPKI-RA-Application-Policies: 1.3.6.1.4.1.311.10.3.10;
msPKI-RA-Signature: 1;
msPKI-Template-Minor-Revision: 0;
msPKI-Template-Schema-Version: 2;
name: CrossCA;
pKICriticalExtensions (2): 2.5.29.15; 2.5.29.19;
pKIDefaultCSPs: 1,Microsoft Enhanced Cryptographic Provider v1.0;
pKIDefaultKeySpec: 2;
pKIExpirationPeriod: 0x00 0x40 0x1E 0xA4 0xE8 0x65 0xFA 0xFF;
pKIKeyUsage: 0x86 0x00;
pKIMaxIssuingDepth: -1;
pKIOverlapPeriod: 0x00 0x80 0xA6 0x0A 0xFF 0xDE 0xFF 0xFF;
revision: 105;
";
