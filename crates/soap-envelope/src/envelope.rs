//! The SOAP 1.2 Envelope ([SOAP 1.2 Part 1] 5.1) with a pluggable Body
//! payload.
//!
//! [SOAP 1.2 Part 1]: https://www.w3.org/TR/soap12-part1/#soapenv

use crate::error::{Error, ErrorKind, Result};
use crate::fault::Fault;
use crate::header::Header;
use crate::limits::Limits;
use crate::name::QName;
use crate::ns;
use crate::reader::{Start, XmlReader, decode_input};
use crate::traits::{FromXml, Payload, ToXml};
use crate::writer::{Prefixes, XmlWriter};

/// The media type of a SOAP 1.2 message ([SOAP 1.2 Part 2] 7.1.4), as
/// CEP/CES and Windows send it.
///
/// [SOAP 1.2 Part 2]: https://www.w3.org/TR/soap12-part2/#soapinhttp
pub const CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";

/// The SOAP version of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum SoapVersion {
    /// SOAP 1.2, `http://www.w3.org/2003/05/soap-envelope`.
    #[default]
    Soap12,
    /// SOAP 1.1, `http://schemas.xmlsoap.org/soap/envelope/` (only read
    /// when [`ReadOptions::accept_soap11`] is set).
    Soap11,
}

impl SoapVersion {
    /// The envelope namespace URI.
    pub fn namespace(self) -> &'static str {
        match self {
            SoapVersion::Soap12 => ns::SOAP12,
            SoapVersion::Soap11 => ns::SOAP11,
        }
    }
}

/// How to read an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The limits to enforce.
    pub limits: Limits,
    /// Read a SOAP 1.1 envelope instead of failing with
    /// [`ErrorKind::VersionMismatch`]. A server must leave this off and
    /// answer a VersionMismatch fault; a client may set it for peers that
    /// answer in SOAP 1.1 (the MS-MDE2 4.3.2 example does).
    pub accept_soap11: bool,
}

impl ReadOptions {
    /// Options with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            accept_soap11: false,
        }
    }

    /// Sets [`accept_soap11`](Self::accept_soap11).
    #[must_use]
    pub fn accept_soap11(mut self, accept: bool) -> Self {
        self.accept_soap11 = accept;
        self
    }
}

/// The content of the Body: the payload, or a Fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<B> {
    /// The one payload element.
    Payload(B),
    /// A SOAP Fault.
    Fault(Fault),
}

/// A SOAP envelope: Header and a Body holding exactly one payload element
/// (or a Fault).
///
/// `B` is the payload type: a crate's message enum, or
/// [`AnyElement`](crate::AnyElement) to read any body.
///
/// ```
/// use soap_envelope::{AnyElement, Envelope, Header};
///
/// let xml = br#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
///   <env:Header>
///     <Action xmlns="http://www.w3.org/2005/08/addressing" env:mustUnderstand="true">urn:x</Action>
///   </env:Header>
///   <env:Body><ping xmlns="urn:example"/></env:Body>
/// </env:Envelope>"#;
/// let env = Envelope::<AnyElement>::from_xml(xml).unwrap();
/// assert_eq!(env.header.action(), Some("urn:x"));
/// assert_eq!(env.payload().unwrap().name.local, "ping");
///
/// // Written with the writer's own prefixes, it reads back equal.
/// let bytes = env.to_xml().unwrap();
/// assert_eq!(Envelope::<AnyElement>::from_xml(&bytes).unwrap(), env);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope<B> {
    /// The SOAP version read (always 1.2 unless
    /// [`ReadOptions::accept_soap11`] was set).
    pub version: SoapVersion,
    /// The Header (empty when absent).
    pub header: Header,
    /// The Body.
    pub body: Body<B>,
}

const ENVELOPE: &str = "Envelope";

impl<B> Envelope<B> {
    /// An envelope carrying `payload`.
    pub fn new(header: Header, payload: B) -> Self {
        Self {
            version: SoapVersion::Soap12,
            header,
            body: Body::Payload(payload),
        }
    }

    /// An envelope carrying a fault.
    pub fn fault(header: Header, fault: Fault) -> Self {
        Self {
            version: SoapVersion::Soap12,
            header,
            body: Body::Fault(fault),
        }
    }

    /// The payload, unless the body is a fault.
    pub fn payload(&self) -> Option<&B> {
        match &self.body {
            Body::Payload(p) => Some(p),
            Body::Fault(_) => None,
        }
    }

    /// The fault, if the body is one.
    pub fn as_fault(&self) -> Option<&Fault> {
        match &self.body {
            Body::Fault(f) => Some(f),
            Body::Payload(_) => None,
        }
    }
}

impl<B: Payload> Envelope<B> {
    /// Reads an envelope from bytes with the default [`ReadOptions`].
    pub fn from_xml(input: &[u8]) -> Result<Self> {
        Self::from_xml_with(input, &ReadOptions::default())
    }

    /// Reads an envelope from bytes.
    pub fn from_xml_with(input: &[u8], options: &ReadOptions) -> Result<Self> {
        let text = decode_input(input, &options.limits)?;
        let mut r = XmlReader::decoded(&text, options.limits);
        let root = r.root()?;
        let env = Self::read(&mut r, &root, options)?;
        r.finish()?;
        Ok(env)
    }

    /// Reads an envelope whose root start tag `root` was just read.
    pub fn read<'a>(
        r: &mut XmlReader<'a>,
        root: &Start<'a>,
        options: &ReadOptions,
    ) -> Result<Self> {
        let version = if root.is(QName::new(ns::SOAP12, ENVELOPE)) {
            SoapVersion::Soap12
        } else if root.local() == ENVELOPE
            || root.ns() == Some(ns::SOAP12)
            || root.ns() == Some(ns::SOAP11)
        {
            // A root named `Envelope` in another namespace, or a root in an
            // envelope namespace that is not `Envelope` (`envelope`, a bare
            // `Fault` or `Body`): "the namespace, local name or both did not
            // match the Envelope element information item" ([SOAP 1.2
            // Part 1] 5.4.7), a VersionMismatch, not a payload.
            let found = root.ns().unwrap_or("").to_owned();
            if root.is(QName::new(ns::SOAP11, ENVELOPE)) && options.accept_soap11 {
                SoapVersion::Soap11
            } else {
                return Err(r.error(ErrorKind::VersionMismatch(found)));
            }
        } else {
            return Err(r.error(ErrorKind::NotAnEnvelope(root.name())));
        };
        let env_ns = version.namespace();
        let header_name = QName::new(env_ns, "Header");
        let body_name = QName::new(env_ns, "Body");
        let mut header = None;
        let mut body = None;
        while let Some(child) = r.next_child()? {
            if child.is(header_name) && header.is_none() && body.is_none() {
                header = Some(Header::read(r, env_ns)?);
            } else if child.is(body_name) && body.is_none() {
                body = Some(Self::read_body(r, version)?);
            } else {
                let expected = if body.is_some() {
                    "nothing after Body"
                } else {
                    "Header or Body"
                };
                let duplicate = (child.is(header_name) && header.is_some())
                    || (child.is(body_name) && body.is_some());
                let kind = if duplicate {
                    ErrorKind::DuplicateElement(child.name())
                } else {
                    ErrorKind::UnexpectedElement {
                        found: child.name(),
                        expected: Some(expected.into()),
                    }
                };
                return Err(r.error(kind));
            }
        }
        let body = body
            .ok_or_else(|| r.error_after(ErrorKind::MissingElement(body_name.to_owned_name())))?;
        Ok(Self {
            version,
            header: header.unwrap_or_default(),
            body,
        })
    }

    fn read_body(r: &mut XmlReader<'_>, version: SoapVersion) -> Result<Body<B>> {
        let Some(child) = r.next_child()? else {
            return Err(r.error_after(ErrorKind::BodyChildCount(0)));
        };
        let body = if version == SoapVersion::Soap12 && Fault::matches(&child) {
            Body::Fault(Fault::read(r, &child)?)
        } else if version == SoapVersion::Soap11 && child.is(QName::new(ns::SOAP11, "Fault")) {
            Body::Fault(Fault::read_soap11(r, &child)?)
        } else if B::matches(&child) {
            Body::Payload(B::read(r, &child)?)
        } else {
            return Err(r.error(ErrorKind::UnsupportedPayload(child.name())));
        };
        let mut extra = 0usize;
        let mut first_extra: Option<Error> = None;
        while let Some(_more) = r.next_child()? {
            extra += 1;
            if first_extra.is_none() {
                first_extra = Some(r.error(ErrorKind::BodyChildCount(0)));
            }
            r.skip()?;
        }
        if let Some(e) = first_extra {
            return Err(Error::new(
                ErrorKind::BodyChildCount(1 + extra),
                e.path(),
                e.offset(),
            ));
        }
        Ok(body)
    }

    /// Writes the envelope as UTF-8 bytes (no XML declaration, no
    /// indentation), declaring the envelope's, WS-Addressing's and (when a
    /// Security header is present) WS-Security's prefixes once, on the
    /// root. The body's [`prefixes`](ToXml::prefixes) are preferred for
    /// its namespaces.
    pub fn to_xml(&self) -> Result<Vec<u8>> {
        let prefixes = match &self.body {
            Body::Payload(p) => p.prefixes(),
            Body::Fault(_) => &[],
        };
        self.to_xml_with(prefixes)
    }

    /// Writes the envelope as [`to_xml`](Self::to_xml) does, preferring
    /// `prefixes` for the namespaces of the body (for a body whose type
    /// has no table of its own, such as a fault whose detail is a message
    /// crate's element).
    pub fn to_xml_with(&self, prefixes: Prefixes) -> Result<Vec<u8>> {
        let mut w = XmlWriter::with_prefixes(prefixes);
        self.write(&mut w)?;
        w.into_bytes()
    }

    /// Writes the envelope into `w`. The envelope is always written as SOAP
    /// 1.2, whatever [`version`](Self::version) it was read as.
    pub fn write(&self, w: &mut XmlWriter) -> Result<()> {
        let env_ns = ns::SOAP12;
        w.start(QName::new(env_ns, ENVELOPE))?;
        if !self.header.is_empty() {
            w.declare_ns(ns::WSA)?;
        }
        if self.header.security.is_some() {
            w.declare_ns(ns::WSSE)?;
            w.declare_ns(ns::WSU)?;
        }
        self.header.write(w)?;
        w.start(QName::new(env_ns, "Body"))?;
        match &self.body {
            Body::Payload(p) => p.write(w)?,
            Body::Fault(f) => f.write(w)?,
        }
        w.end()?;
        w.end()
    }
}

/// Reads a document whose root element is one `T`, such as a bare payload
/// element taken from a log.
///
/// ```
/// use soap_envelope::{read_document, AnyElement, Limits};
///
/// let el: AnyElement = read_document(b"<a xmlns='urn:x'><b/></a>", &Limits::default()).unwrap();
/// assert_eq!(el.name.ns.as_deref(), Some("urn:x"));
/// ```
pub fn read_document<T>(input: &[u8], limits: &Limits) -> Result<T>
where
    T: for<'a> FromXml<'a>,
{
    let text = decode_input(input, limits)?;
    let mut r = XmlReader::decoded(&text, *limits);
    let root = r.root()?;
    if !T::matches(&root) {
        return Err(r.error(ErrorKind::UnsupportedPayload(root.name())));
    }
    let v = T::read(&mut r, &root)?;
    r.finish()?;
    Ok(v)
}
