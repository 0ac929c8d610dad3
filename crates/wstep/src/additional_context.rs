//! [`AdditionalContext`] and its [`ContextItem`]s (WS-Federation
//! authorization namespace), with the item names MS-WSTEP and MS-MDE2 use.

use crate::ns;
use soap_envelope::{AnyElement, FromXml, ToXml, fields};

/// Context item names documented by [MS-WSTEP] 3.1.4.1.2.3 and [MS-MDE2]
/// 3.4.4.1.1.1.
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
/// [MS-MDE2]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-mde2/
pub mod names {
    /// The certificate template to enroll for (MS-WSTEP).
    pub const CERTIFICATE_TEMPLATE: &str = "CertificateTemplate";
    /// The device type, e.g. `CIMClient_Windows` (MS-MDE2).
    pub const DEVICE_TYPE: &str = "DeviceType";
    /// The client application version (MS-MDE2).
    pub const APPLICATION_VERSION: &str = "ApplicationVersion";
    /// The hardware device ID (MS-MDE2).
    pub const HW_DEV_ID: &str = "HWDevID";
    /// The OS version (MS-MDE2).
    pub const OS_VERSION: &str = "OSVersion";
    /// The OS edition (MS-MDE2).
    pub const OS_EDITION: &str = "OSEdition";
    /// The device ID (MS-MDE2).
    pub const DEVICE_ID: &str = "DeviceID";
    /// The enrollment type, `Full` or `Device` (MS-MDE2).
    pub const ENROLLMENT_TYPE: &str = "EnrollmentType";
    /// The device name (MS-MDE2).
    pub const DEVICE_NAME: &str = "DeviceName";
    /// A MAC address; may repeat (MS-MDE2).
    pub const MAC: &str = "MAC";
    /// An IMEI; may repeat (MS-MDE2).
    pub const IMEI: &str = "IMEI";
    /// The locale (MS-MDE2).
    pub const LOCALE: &str = "Locale";
    /// The enrollment request version (MS-MDE2).
    pub const REQUEST_VERSION: &str = "RequestVersion";
}

/// The `auth:AdditionalContext` element (namespace
/// `http://schemas.xmlsoap.org/ws/2006/12/authorization`), [MS-WSTEP]
/// 3.1.4.1.2.3: name/value pairs that go with the request.
///
/// ```xml
/// <auth:AdditionalContext>
///   <auth:ContextItem Name="xs:anyURI" Scope="xs:anyURI"?>
///     (<auth:Value>xs:string</auth:Value> | xs:any)?
///   </auth:ContextItem>*
///   ...
/// </auth:AdditionalContext>
/// ```
///
/// Items are kept in document order, repeated names included (MS-MDE2
/// sends several `MAC` and `IMEI` items). Other children are kept in
/// `unknown`.
///
/// ```
/// use wstep::AdditionalContext;
///
/// let c = AdditionalContext::new()
///     .with_item("CertificateTemplate", "User")
///     .with_item("DeviceType", "CIMClient_Windows");
/// assert_eq!(c.certificate_template(), Some("User"));
/// assert_eq!(c.context_item("DeviceType"), Some("CIMClient_Windows"));
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::AUTH, prefixes = crate::PREFIXES, name = "AdditionalContext")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AdditionalContext {
    /// The `ContextItem`s, in order.
    #[xml(name = "ContextItem")]
    pub items: Vec<ContextItem>,
    /// Other children, kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

/// One `auth:ContextItem`: a `Name` attribute, an optional `Scope`, and a
/// `Value` child (kept exactly as read, whitespace included; a second
/// `Value` is kept in `unknown`).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::AUTH, prefixes = crate::PREFIXES, name = "ContextItem")]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ContextItem {
    /// `Name` (whitespace collapsed).
    #[xml(attribute(name = "Name"), with = fields::token)]
    pub name: String,
    /// `Scope`.
    #[xml(attribute(name = "Scope"), with = fields::token)]
    pub scope: Option<String>,
    /// `Value`, `None` when absent.
    #[xml(name = "Value", first)]
    pub value: Option<String>,
    /// Other children (the `xs:any` choice), kept as read.
    #[xml(unknown)]
    pub unknown: Vec<AnyElement>,
}

impl ContextItem {
    /// An item with a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            scope: None,
            value: Some(value.into()),
            unknown: Vec::new(),
        }
    }
}

impl AdditionalContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an item (builder style).
    #[must_use]
    pub fn with_item(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.items.push(ContextItem::new(name, value));
        self
    }

    /// The value of the first item called `name`.
    pub fn context_item(&self, name: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|i| i.name == name)
            .and_then(|i| i.value.as_deref())
    }

    /// The values of every item called `name`, in order.
    pub fn context_items<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.items
            .iter()
            .filter(move |i| i.name == name)
            .filter_map(|i| i.value.as_deref())
    }

    /// `CertificateTemplate`.
    pub fn certificate_template(&self) -> Option<&str> {
        self.context_item(names::CERTIFICATE_TEMPLATE)
    }

    /// `DeviceType`.
    pub fn device_type(&self) -> Option<&str> {
        self.context_item(names::DEVICE_TYPE)
    }

    /// `ApplicationVersion`.
    pub fn application_version(&self) -> Option<&str> {
        self.context_item(names::APPLICATION_VERSION)
    }

    /// `HWDevID`.
    pub fn hw_dev_id(&self) -> Option<&str> {
        self.context_item(names::HW_DEV_ID)
    }

    /// `OSVersion`.
    pub fn os_version(&self) -> Option<&str> {
        self.context_item(names::OS_VERSION)
    }

    /// `OSEdition`.
    pub fn os_edition(&self) -> Option<&str> {
        self.context_item(names::OS_EDITION)
    }

    /// `DeviceID`.
    pub fn device_id(&self) -> Option<&str> {
        self.context_item(names::DEVICE_ID)
    }

    /// `EnrollmentType`.
    pub fn enrollment_type(&self) -> Option<&str> {
        self.context_item(names::ENROLLMENT_TYPE)
    }
}
