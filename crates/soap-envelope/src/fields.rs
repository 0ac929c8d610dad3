//! Helpers for reading the fields of a complex type: a single-valued child
//! seen twice, a required child never seen.

use crate::error::{Error, ErrorKind, Result};
use crate::name::QName;
use crate::reader::XmlReader;

/// Reads the current element (`name`) into a single-valued field with
/// `read`, or fails with [`ErrorKind::DuplicateElement`] at this second
/// occurrence when the field is already set.
///
/// ```
/// use soap_envelope::{fields, ErrorKind, QName, XmlReader};
///
/// const A: QName = QName::new("", "a");
/// let mut r = XmlReader::new("<r><a>1</a><a>2</a></r>").unwrap();
/// r.root().unwrap();
/// let mut a: Option<u32> = None;
/// r.next_child().unwrap();
/// fields::once(&mut r, &mut a, A, |r| r.value()).unwrap();
/// r.next_child().unwrap();
/// let err = fields::once(&mut r, &mut a, A, |r| r.value()).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::DuplicateElement(_)));
/// assert_eq!(err.path(), "/r/a[2]");
/// ```
pub fn once<'a, T>(
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

/// The value of a required child, or [`ErrorKind::MissingElement`] whose
/// path ends in the missing element (`.../privateKeyAttributes/minimalKeyLength`).
/// Call once the parent element is closed.
pub fn required<T>(r: &XmlReader<'_>, slot: Option<T>, name: QName) -> Result<T> {
    slot.ok_or_else(|| {
        let e = r.error_after(ErrorKind::MissingElement(name.to_owned_name()));
        let path = format!("{}/{}", e.path(), name.local);
        Error::new(e.kind().clone(), path, e.offset())
    })
}
