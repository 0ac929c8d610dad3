//! [`CertificateEnrollmentWsDetail`]: the SOAP fault detail of a failed
//! enrollment.

use crate::ns;
use soap_envelope::xsd::{XsdType, trim};
use soap_envelope::{
    AnyElement, ErrorKind, Fault, FaultCodeValue, FromXml, Limits, QName, Result, Start, ToXml,
    XmlReader, XmlWriter, read_document,
};

use crate::codec::once;
use crate::hresult::HResult;

const BINARY_RESPONSE: QName = QName::new(ns::WSTEP, "BinaryResponse");
const ERROR_CODE: QName = QName::new(ns::WSTEP, "ErrorCode");
const INVALID_REQUEST: QName = QName::new(ns::WSTEP, "InvalidRequest");
const REQUEST_ID: QName = QName::new(ns::WSTEP, "RequestID");
const XSI_NIL: QName = QName::new(ns::XSI, "nil");

/// The `CertificateEnrollmentWSDetail` element, [MS-WSTEP] 3.1.4.1.3.4: why
/// the CA refused a request, carried as a SOAP Fault detail entry (with the
/// fault Action [`crate::actions::DETAIL_FAULT`]).
///
/// ```xml
/// <xs:element name="CertificateEnrollmentWSDetail" nillable="true"
///             type="wstep:CertificateEnrollmentWSDetailType" />
/// <xs:complexType name="CertificateEnrollmentWSDetailType">
///   <xs:sequence>
///     <xs:element minOccurs="0" maxOccurs="1" name="BinaryResponse" nillable="true" type="xs:string" />
///     <xs:element minOccurs="0" maxOccurs="1" name="ErrorCode" nillable="true" type="xs:int" />
///     <xs:element minOccurs="0" maxOccurs="1" name="InvalidRequest" nillable="true" type="xs:boolean" />
///     <xs:element minOccurs="0" maxOccurs="1" name="RequestID" type="xs:string" nillable="true" />
///   </xs:sequence>
/// </xs:complexType>
/// ```
///
/// Every field is optional and nillable; absent and nil both read as
/// `None`. `BinaryResponse` and `RequestID` are always written, with
/// `xsi:nil="true"` when `None` (as the schema allows and AD CS
/// have them: present and nil when there is no CA response or no request
/// ID, as for a request denied before it was stored); `ErrorCode` and
/// `InvalidRequest` are written only when set. `BinaryResponse` (base64
/// of the CA's CMC or PKCS#7 response) and `RequestID` are read with
/// surrounding whitespace removed.
///
/// ```
/// use soap_envelope::{Fault, FaultCodeValue};
/// use wstep::CertificateEnrollmentWsDetail;
/// use wstep::hresult::HResult;
///
/// let detail = CertificateEnrollmentWsDetail::new()
///     .with_error_code(HResult(0x8009_4012_u32 as i32))
///     .with_invalid_request(true);
/// let fault = detail.to_fault("Denied by Policy Module").unwrap();
/// let again = CertificateEnrollmentWsDetail::from_fault(&fault).unwrap().unwrap();
/// assert_eq!(again.error_code.unwrap().0 as u32, 0x8009_4012);
/// assert_eq!(again, detail);
/// ```
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CertificateEnrollmentWsDetail {
    /// `BinaryResponse`: the CA's response, base64.
    pub binary_response: Option<String>,
    /// `ErrorCode`: the HRESULT.
    pub error_code: Option<HResult>,
    /// `InvalidRequest`: whether the request itself was bad.
    pub invalid_request: Option<bool>,
    /// `RequestID`.
    pub request_id: Option<String>,
}

impl CertificateEnrollmentWsDetail {
    /// The element name.
    pub const NAME: QName = QName::new(ns::WSTEP, "CertificateEnrollmentWSDetail");

    /// An empty detail.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `ErrorCode`.
    #[must_use]
    pub fn with_error_code(mut self, code: HResult) -> Self {
        self.error_code = Some(code);
        self
    }

    /// Sets `InvalidRequest`.
    #[must_use]
    pub fn with_invalid_request(mut self, invalid: bool) -> Self {
        self.invalid_request = Some(invalid);
        self
    }

    /// Sets `RequestID`.
    #[must_use]
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// Sets `BinaryResponse`.
    #[must_use]
    pub fn with_binary_response(mut self, base64: impl Into<String>) -> Self {
        self.binary_response = Some(base64.into());
        self
    }

    /// The detail read from the first `CertificateEnrollmentWSDetail` entry
    /// of the fault's `Detail`; `None` when there is none.
    pub fn from_fault(fault: &Fault) -> Option<crate::Result<Self>> {
        let entry = fault
            .detail
            .as_ref()?
            .entries
            .iter()
            .find(|e| e.name.is(Self::NAME))?;
        Some(Self::from_detail_entry(entry))
    }

    /// Reads the detail from a detail entry (written back and re-read, so
    /// that the same rules apply as to a document).
    pub fn from_detail_entry(entry: &AnyElement) -> crate::Result<Self> {
        let bytes = entry.to_xml()?;
        Self::from_xml(&bytes)
    }

    /// This detail as a fault `Detail` entry.
    pub fn to_detail_entry(&self) -> crate::Result<AnyElement> {
        Ok(read_document(&self.to_xml()?, &Limits::default())?)
    }

    /// A `Receiver` fault with this detail and an English reason.
    pub fn to_fault(&self, reason: impl Into<String>) -> crate::Result<Fault> {
        Ok(Fault::new(FaultCodeValue::Receiver, reason).with_detail_entry(self.to_detail_entry()?))
    }

    /// Reads a document whose root is this element.
    pub fn from_xml(input: &[u8]) -> crate::Result<Self> {
        Ok(read_document(input, &Limits::default())?)
    }

    /// This element alone, as UTF-8 bytes.
    pub fn to_xml(&self) -> crate::Result<Vec<u8>> {
        Ok(ToXml::to_xml(self)?)
    }
}

/// Reads a nillable simple value; nil or empty is `None`.
fn nillable<T: XsdType>(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<Option<T>> {
    if r.is_nil(start)? {
        r.skip()?;
        return Ok(None);
    }
    let text = r.text()?;
    let text = trim(&text);
    if text.is_empty() {
        return Ok(None);
    }
    T::parse_xsd(text)
        .map(Some)
        .map_err(|why| r.error_after(ErrorKind::bad_value(T::TYPE_NAME, text, why)))
}

impl<'a> FromXml<'a> for CertificateEnrollmentWsDetail {
    fn matches(start: &Start<'_>) -> bool {
        start.is(Self::NAME)
    }

    fn read(r: &mut XmlReader<'a>, start: &Start<'a>) -> Result<Self> {
        let mut d = Self::default();
        if r.is_nil(start)? {
            r.skip()?;
            return Ok(d);
        }
        let (mut br, mut ec, mut ir, mut id) = (None, None, None, None);
        while let Some(child) = r.next_child()? {
            if child.is(BINARY_RESPONSE) {
                once(r, &mut br, BINARY_RESPONSE, |r| {
                    nillable::<String>(r, &child)
                })?;
            } else if child.is(ERROR_CODE) {
                once(r, &mut ec, ERROR_CODE, |r| nillable::<i32>(r, &child))?;
            } else if child.is(INVALID_REQUEST) {
                once(r, &mut ir, INVALID_REQUEST, |r| nillable::<bool>(r, &child))?;
            } else if child.is(REQUEST_ID) {
                once(r, &mut id, REQUEST_ID, |r| nillable::<String>(r, &child))?;
            } else {
                return Err(r.error(ErrorKind::UnexpectedElement {
                    found: child.name(),
                    expected: Some("a CertificateEnrollmentWSDetail child".into()),
                }));
            }
        }
        d.binary_response = br.flatten();
        d.error_code = ec.flatten().map(HResult);
        d.invalid_request = ir.flatten();
        d.request_id = id.flatten();
        Ok(d)
    }
}

impl ToXml for CertificateEnrollmentWsDetail {
    fn prefixes(&self) -> soap_envelope::Prefixes {
        crate::PREFIXES
    }
    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        w.start(Self::NAME)?;
        nillable_element(w, BINARY_RESPONSE, self.binary_response.as_deref())?;
        if let Some(c) = &self.error_code {
            w.value_element(ERROR_CODE, &c.0)?;
        }
        if let Some(i) = &self.invalid_request {
            w.value_element(INVALID_REQUEST, i)?;
        }
        nillable_element(w, REQUEST_ID, self.request_id.as_deref())?;
        w.end()
    }
}

/// Writes `name` with `text`, or with `xsi:nil="true"` when there is none.
fn nillable_element(w: &mut XmlWriter, name: QName, text: Option<&str>) -> Result<()> {
    if let Some(t) = text {
        return w.text_element(name, t);
    }
    w.start(name)?;
    w.attribute(XSI_NIL, "true")?;
    w.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nil_fields_and_bad_error_code() {
        let xml = format!(
            "<CertificateEnrollmentWSDetail xmlns='{}' xmlns:i='{}'>\
             <BinaryResponse i:nil='true'/><ErrorCode>-2146877420</ErrorCode>\
             <InvalidRequest>true</InvalidRequest><RequestID i:nil='true'/>\
             </CertificateEnrollmentWSDetail>",
            ns::WSTEP,
            ns::XSI
        );
        let d = CertificateEnrollmentWsDetail::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(d.error_code, Some(HResult(-2_146_877_420)));
        assert_eq!(d.binary_response, None);
        let bad = xml.replace("-2146877420", "0x80094012");
        let crate::Error::Xml(e) =
            CertificateEnrollmentWsDetail::from_xml(bad.as_bytes()).unwrap_err()
        else {
            panic!()
        };
        assert!(matches!(e.kind(), ErrorKind::BadValue { .. }), "{e}");
        assert!(e.path().ends_with("ErrorCode"), "{}", e.path());
    }
}
