//! Expanded names: a namespace URI and a local name, never a prefix.

use std::fmt;

/// A static expanded name, used to match elements and attributes.
///
/// `ns` is the namespace URI (`""` for no namespace).
///
/// ```
/// use soap_envelope::{ns, QName};
///
/// const BODY: QName = QName::new(ns::SOAP12, "Body");
/// assert_eq!(BODY.to_string(), "{http://www.w3.org/2003/05/soap-envelope}Body");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    /// Namespace URI, `""` for none.
    pub ns: &'static str,
    /// Local name.
    pub local: &'static str,
}

impl QName {
    /// A name in namespace `ns` (`""` for none).
    pub const fn new(ns: &'static str, local: &'static str) -> Self {
        Self { ns, local }
    }

    /// The owned form of this name.
    pub fn to_owned_name(&self) -> OwnedQName {
        OwnedQName::new(
            (!self.ns.is_empty()).then(|| self.ns.to_owned()),
            self.local,
        )
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ns.is_empty() {
            f.write_str(self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// An owned expanded name, as found in a document.
///
/// Displayed in Clark notation, `{namespace}local`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct OwnedQName {
    /// Namespace URI, `None` for no namespace.
    pub ns: Option<String>,
    /// Local name.
    pub local: String,
}

impl OwnedQName {
    /// A new owned name.
    pub fn new(ns: Option<String>, local: impl Into<String>) -> Self {
        Self {
            ns,
            local: local.into(),
        }
    }

    /// Whether this is the given static name.
    pub fn is(&self, name: QName) -> bool {
        self.local == name.local && self.ns.as_deref().unwrap_or("") == name.ns
    }

    /// The namespace URI, `""` for none.
    pub fn ns_str(&self) -> &str {
        self.ns.as_deref().unwrap_or("")
    }
}

impl From<QName> for OwnedQName {
    fn from(q: QName) -> Self {
        q.to_owned_name()
    }
}

impl fmt::Display for OwnedQName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ns {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}
