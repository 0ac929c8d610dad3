//! The OID collection of a GetPoliciesResponse, built as templates and
//! CAs name OIDs ([MS-XCEP] 3.1.4.1.3.16).
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/

use xcep::{Oid, OidGroup};

use crate::enterprise_oid::EnterpriseOid;

/// OIDs with their reference IDs, each OID once per group.
#[derive(Debug, Clone, Default)]
pub struct OidTable {
    oids: Vec<Oid>,
    names: Vec<(String, String)>,
}

impl OidTable {
    /// An empty table whose OIDs are named from `enterprise` (the
    /// `msPKI-Enterprise-Oid` objects) where they name them.
    pub fn new(enterprise: &[EnterpriseOid]) -> Self {
        Self {
            oids: Vec::new(),
            names: enterprise
                .iter()
                .filter_map(|e| Some((e.oid.clone(), e.display_name.clone()?)))
                .collect(),
        }
    }

    /// The reference ID of `oid` in `group`, added with `default_name`
    /// (or the directory's display name for it) if it is new.
    pub fn reference(&mut self, oid: &str, group: OidGroup, default_name: Option<&str>) -> i32 {
        if let Some(o) = self
            .oids
            .iter()
            .find(|o| o.value == oid && o.group == group)
        {
            return o.oid_reference_id;
        }
        let id = i32::try_from(self.oids.len() + 1).unwrap_or(i32::MAX);
        let mut entry = Oid::new(oid, group, id);
        let name = default_name.map(str::to_owned).or_else(|| {
            self.names
                .iter()
                .find(|(o, _)| o == oid)
                .map(|(_, n)| n.clone())
        });
        if let Some(n) = name {
            entry = entry.with_default_name(n);
        }
        self.oids.push(entry);
        id
    }

    /// The OIDs, in reference order.
    pub fn into_oids(self) -> Vec<Oid> {
        self.oids
    }
}
