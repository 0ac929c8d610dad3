//! Reading helpers shared by the model types.

use soap_envelope::{Error, ErrorKind, QName, Result, XmlReader};

/// Stores `value` into a single-valued field, or fails with
/// [`ErrorKind::DuplicateElement`] at the second occurrence.
pub(crate) fn once<'a, T>(
    r: &mut XmlReader<'a>,
    slot: &mut Option<T>,
    name: QName,
    read: impl FnOnce(&mut XmlReader<'a>) -> Result<T>,
) -> Result<()> {
    if slot.is_some() {
        return Err(r.error(ErrorKind::DuplicateElement(name.to_owned_name())));
    }
    *slot = Some(read(r)?);
    Ok(())
}

/// The value of a required element, or [`ErrorKind::MissingElement`] whose
/// path ends in the missing element. Call once the parent element is closed.
pub(crate) fn required<T>(r: &XmlReader<'_>, slot: Option<T>, name: QName) -> Result<T> {
    slot.ok_or_else(|| {
        let e = r.error_after(ErrorKind::MissingElement(name.to_owned_name()));
        let path = format!("{}/{}", e.path(), name.local);
        Error::new(e.kind().clone(), path, e.offset())
    })
}
