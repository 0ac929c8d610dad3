//! [`CertificateEnrollmentWsDetail`]: the SOAP fault detail of a failed
//! enrollment.

use crate::ns;
use soap_envelope::{
    AnyElement, Fault, FaultCodeValue, FromXml, Limits, ToXml, fields, read_document,
};

use crate::hresult::HResult;
use soap_envelope::fields::trimmed;

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
#[derive(Debug, Clone, PartialEq, Eq, Default, FromXml, ToXml)]
#[xml(ns = ns::WSTEP, prefixes = crate::PREFIXES, name = "CertificateEnrollmentWSDetail", nillable)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CertificateEnrollmentWsDetail {
    /// `BinaryResponse`: the CA's response, base64.
    #[xml(name = "BinaryResponse", nillable, with = trimmed)]
    pub binary_response: Option<String>,
    /// `ErrorCode`: the HRESULT.
    #[xml(name = "ErrorCode", nillable(omit), with = fields::value)]
    pub error_code: Option<HResult>,
    /// `InvalidRequest`: whether the request itself was bad.
    #[xml(name = "InvalidRequest", nillable(omit), with = fields::value)]
    pub invalid_request: Option<bool>,
    /// `RequestID`.
    #[xml(name = "RequestID", nillable, with = trimmed)]
    pub request_id: Option<String>,
}

impl CertificateEnrollmentWsDetail {
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

#[cfg(test)]
mod tests {
    use super::*;
    use soap_envelope::ErrorKind;

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

    #[test]
    fn nil_detail_and_what_is_written_for_none() {
        let xml = format!(
            "<d:CertificateEnrollmentWSDetail xmlns:d='{}' xmlns:i='{}' i:nil='1'/>",
            ns::WSTEP,
            ns::XSI
        );
        let d = CertificateEnrollmentWsDetail::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(d, CertificateEnrollmentWsDetail::default());
        // BinaryResponse and RequestID are written nil, ErrorCode and
        // InvalidRequest left out, as AD CS does.
        let text = String::from_utf8(d.with_request_id(" 42 ").to_xml().unwrap()).unwrap();
        assert!(
            text.contains("<BinaryResponse ") && text.contains("xsi:nil=\"true\"/>"),
            "{text}"
        );
        assert!(
            !text.contains("ErrorCode") && !text.contains("InvalidRequest"),
            "{text}"
        );
        let again = CertificateEnrollmentWsDetail::from_xml(text.as_bytes()).unwrap();
        assert_eq!(again.request_id.as_deref(), Some("42"));
    }
}
