//! `msPKI-Enterprise-Oid` objects: the OIDs an enterprise defines for its
//! templates, issuance and application policies ([MS-CRTD] 2.1), kept in
//! `CN=OID,CN=Public Key Services,CN=Services,` of the Configuration
//! partition ([MS-ADTS]).
//!
//! [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
//! [MS-ADTS]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-adts/

use crate::entry::Entry;
use crate::error::Result;

/// What an enterprise OID names: its `flags` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OidKind {
    /// 1: a certificate template.
    Template,
    /// 2: an issuance policy.
    IssuancePolicy,
    /// 3: an application policy.
    ApplicationPolicy,
    /// Another value.
    Other(u32),
}

/// An `msPKI-Enterprise-Oid` object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnterpriseOid {
    /// `msPKI-Cert-Template-OID`: the OID.
    pub oid: String,
    /// `flags`.
    pub kind: OidKind,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `msPKI-OID-LocalizedName`: `lcid,name` values.
    pub localized_names: Vec<(u32, String)>,
    /// `msPKI-OID-CPS`: the policy's certification practice statement URLs.
    pub cps: Vec<String>,
}

impl EnterpriseOid {
    /// Reads the object's attributes.
    pub fn from_entry(e: &Entry) -> Result<Self> {
        let oid = e.required("msPKI-Cert-Template-OID")?.trim().to_owned();
        let kind = match e.u32("flags")?.unwrap_or(0) {
            1 => OidKind::Template,
            2 => OidKind::IssuancePolicy,
            3 => OidKind::ApplicationPolicy,
            v => OidKind::Other(v),
        };
        let localized_names = e
            .strings("msPKI-OID-LocalizedName")?
            .into_iter()
            .filter_map(|v| {
                let (lcid, name) = v.split_once(',')?;
                Some((lcid.trim().parse().ok()?, name.to_owned()))
            })
            .collect();
        Ok(Self {
            oid,
            kind,
            display_name: e.string("displayName")?,
            localized_names,
            cps: e.strings("msPKI-OID-CPS")?,
        })
    }
}
