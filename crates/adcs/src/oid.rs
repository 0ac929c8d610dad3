//! [`EnterpriseOid`]: an `msPKI-Enterprise-Oid` entry under `CN=OID,CN=Public
//! Key Services,CN=Services,<config>`.

use xcep::{Oid, OidGroup};

use crate::entry::{LdapEntry, check_oid};
use crate::error::{Result, ValueError};

/// What an enterprise OID identifies: the `flags` attribute of an
/// `msPKI-Enterprise-Oid` object. The values are the Windows SDK's
/// `certca.h` `CERT_OID_TYPE_*` (MS-CRTD does not list them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OidType {
    /// 1, `CERT_OID_TYPE_TEMPLATE`: a certificate template (XCEP group 9).
    Template,
    /// 2, `CERT_OID_TYPE_ISSUER_POLICY`: an issuance policy (group 8).
    IssuancePolicy,
    /// 3, `CERT_OID_TYPE_APPLICATION_POLICY`: an application policy / EKU
    /// (group 7).
    ApplicationPolicy,
    /// Another value.
    Other(u32),
}

impl OidType {
    /// The type of `flags`.
    pub fn from_flags(flags: u32) -> Self {
        match flags {
            1 => OidType::Template,
            2 => OidType::IssuancePolicy,
            3 => OidType::ApplicationPolicy,
            other => OidType::Other(other),
        }
    }

    /// The XCEP `OID/group` ([MS-XCEP] 3.1.4.1.3.16) for this type.
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn group(self) -> OidGroup {
        match self {
            OidType::Template => OidGroup::EnrollmentObject,
            OidType::IssuancePolicy => OidGroup::CertificatePolicy,
            OidType::ApplicationPolicy => OidGroup::ExtendedKeyUsage,
            OidType::Other(v) => OidGroup::Other(v),
        }
    }
}

/// An OID the forest defined: a template's OID, an issuance policy or an
/// application policy, with its display name ([MS-ADSC]
/// `msPKI-Enterprise-Oid`). Maps to an XCEP `OID` ([MS-XCEP] 3.1.4.1.3.16).
///
/// [MS-ADSC]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adsc/
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnterpriseOid {
    /// The entry's distinguished name.
    pub dn: String,
    /// `msPKI-Cert-Template-OID`: the OID (the attribute name is the same
    /// for every type).
    pub oid: String,
    /// `flags`: what it identifies.
    pub oid_type: OidType,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `msPKI-OIDLocalizedName`: `(language id, name)` pairs, from values
    /// `LCID,Name` (a value without a numeric prefix has no language id).
    pub localized_names: Vec<(Option<u32>, String)>,
}

impl EnterpriseOid {
    /// Reads an `msPKI-Enterprise-Oid` entry. The `CN=OID` container is
    /// itself of that class and has no `msPKI-Cert-Template-OID`: it reads
    /// as `None`.
    pub fn from_entry(e: &LdapEntry) -> Result<Option<Self>> {
        let Some(oid) = e.string("msPKI-Cert-Template-OID")? else {
            return Ok(None);
        };
        let oid = check_oid(oid.trim()).map_err(|k| e.bad("msPKI-Cert-Template-OID", k))?;
        let flags = e.flags32("flags")?.unwrap_or(0);
        let mut localized_names = Vec::new();
        // ldapDisplayName msPKI-OIDLocalizedName (cn ms-PKI-OID-LocalizedName).
        for name in ["msPKI-OIDLocalizedName", "msPKI-OID-LocalizedName"] {
            for v in e.values(name) {
                let text = std::str::from_utf8(v)
                    .map_err(|_| e.bad("msPKI-OIDLocalizedName", ValueError::NotUtf8))?;
                let pair = match text.split_once(',') {
                    Some((lang, rest)) if lang.trim().parse::<u32>().is_ok() => {
                        (lang.trim().parse().ok(), rest.trim().to_owned())
                    }
                    _ => (None, text.trim().to_owned()),
                };
                localized_names.push(pair);
            }
        }
        Ok(Some(Self {
            dn: e.dn().to_owned(),
            oid,
            oid_type: OidType::from_flags(flags),
            display_name: e.string("displayName")?.map(str::to_owned),
            localized_names,
        }))
    }

    /// The name to show: `displayName`, else the first localized name.
    pub fn name(&self) -> Option<&str> {
        self.display_name
            .as_deref()
            .or_else(|| self.localized_names.first().map(|(_, n)| n.as_str()))
    }

    /// The XCEP `OID` with reference `oid_reference_id`.
    pub fn to_oid(&self, oid_reference_id: i32) -> Oid {
        let oid = Oid::new(self.oid.clone(), self.oid_type.group(), oid_reference_id);
        match self.name() {
            Some(n) => oid.with_default_name(n),
            None => oid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_oids() {
        let base = "CN=OID,CN=Public Key Services,CN=Services,CN=Configuration,DC=example,DC=test";
        assert_eq!(
            EnterpriseOid::from_entry(&LdapEntry::new(base)).unwrap(),
            None
        );
        let e = LdapEntry::new(format!("CN=16.8A2B,{base}"))
            .with_attribute(
                "msPKI-Cert-Template-OID",
                ["1.3.6.1.4.1.311.21.8.1.2.3.4.5.6.400.1"],
            )
            .with_attribute("flags", ["2"])
            .with_attribute("msPKI-OIDLocalizedName", ["1033,High Assurance"]);
        let o = EnterpriseOid::from_entry(&e).unwrap().unwrap();
        assert_eq!(o.oid_type, OidType::IssuancePolicy);
        assert_eq!(
            o.localized_names,
            [(Some(1033), "High Assurance".to_owned())]
        );
        let x = o.to_oid(12);
        assert_eq!(x.group, OidGroup::CertificatePolicy);
        assert_eq!(x.default_name.as_deref(), Some("High Assurance"));
        assert_eq!(OidType::from_flags(1).group(), OidGroup::EnrollmentObject);
        assert_eq!(OidType::from_flags(3).group(), OidGroup::ExtendedKeyUsage);
        let bad = e.with_attribute("msPKI-Cert-Template-OID", ["x"]);
        assert!(EnterpriseOid::from_entry(&bad).is_err());
        let bad = LdapEntry::new("CN=1").with_attribute("msPKI-Cert-Template-OID", ["7.1"]);
        assert_eq!(
            EnterpriseOid::from_entry(&bad).unwrap_err().attribute(),
            "msPKI-Cert-Template-OID"
        );
    }
}
