//! The attributes SOAP defines on a header block (`mustUnderstand`,
//! `role`, `relay`) and the roles: a leaf below the header and the header
//! blocks (WS-Addressing, WS-Security) that carry them.

use crate::error::Result;
use crate::name::QName;
use crate::ns;
use crate::reader::{Start, XmlReader};
use crate::writer::XmlWriter;

/// The SOAP 1.2 role a header block with no `role` attribute targets: the
/// ultimate receiver ([SOAP 1.2 Part 1] 2.2).
///
/// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soaproles
pub const ROLE_ULTIMATE_RECEIVER: &str =
    "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";
/// The SOAP 1.2 `next` role: every SOAP node.
pub const ROLE_NEXT: &str = "http://www.w3.org/2003/05/soap-envelope/role/next";
/// The SOAP 1.1 `next` actor, read as [`ROLE_NEXT`] from a SOAP 1.1
/// envelope.
pub const SOAP11_ACTOR_NEXT: &str = "http://schemas.xmlsoap.org/soap/actor/next";
/// The SOAP 1.2 `none` role: no SOAP node processes the block.
pub const ROLE_NONE: &str = "http://www.w3.org/2003/05/soap-envelope/role/none";

/// The attributes SOAP 1.2 defines on a header block: `mustUnderstand`,
/// `role` and `relay` ([SOAP 1.2 Part 1] 5.2.2–5.2.4).
///
/// [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapmu
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct HeaderAttrs {
    /// `mustUnderstand`: the receiver must process the block or fault.
    pub must_understand: bool,
    /// `role`: the node the block targets; `None` means the ultimate
    /// receiver.
    pub role: Option<String>,
    /// `relay`: forward the block if not processed.
    pub relay: bool,
}

impl HeaderAttrs {
    /// Attributes with `mustUnderstand="1"`, as cepces and Windows send on
    /// Action, To and Security.
    pub fn must_understand() -> Self {
        Self {
            must_understand: true,
            ..Self::default()
        }
    }

    /// Sets `role` (the node the block targets).
    #[must_use]
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Sets `relay`.
    #[must_use]
    pub fn with_relay(mut self, relay: bool) -> Self {
        self.relay = relay;
        self
    }

    /// Reads the attributes from a header block's start tag. `env_ns` is
    /// the envelope's namespace (SOAP 1.2 or, when read leniently, 1.1).
    pub fn read(r: &XmlReader<'_>, start: &Start<'_>, env_ns: &'static str) -> Result<Self> {
        let must_understand = r
            .attr_value::<bool>(start, QName::new(env_ns, "mustUnderstand"))?
            .unwrap_or(false);
        let role = start
            .attr(QName::new(env_ns, "role"))
            .or_else(|| start.attr(QName::new(env_ns, "actor")))
            .map(|s| crate::xsd::collapse(s).into_owned());
        let relay = r
            .attr_value::<bool>(start, QName::new(env_ns, "relay"))?
            .unwrap_or(false);
        Ok(Self {
            must_understand,
            role,
            relay,
        })
    }

    /// Writes the attributes onto the element just started (SOAP 1.2).
    pub fn write(&self, w: &mut XmlWriter) -> Result<()> {
        if self.must_understand {
            w.attribute(QName::new(ns::SOAP12, "mustUnderstand"), "1")?;
        }
        if let Some(role) = &self.role {
            w.attribute(QName::new(ns::SOAP12, "role"), role)?;
        }
        if self.relay {
            w.attribute(QName::new(ns::SOAP12, "relay"), "true")?;
        }
        Ok(())
    }

    /// Whether a block with these attributes targets the ultimate receiver
    /// of a message (no role, `next` or `ultimateReceiver`).
    pub fn targets_ultimate_receiver(&self) -> bool {
        match self.role.as_deref() {
            None | Some("") => true,
            Some(r) => r == ROLE_ULTIMATE_RECEIVER || r == ROLE_NEXT || r == SOAP11_ACTOR_NEXT,
        }
    }
}
