//! A value that may be given as nil, for the elements whose absence and nil
//! mean different things.

/// An element that was given, either nil (`xsi:nil="true"`) or with a
/// value.
///
/// Most nillable MS-XCEP elements are also required, so absent and nil are
/// the same and the model uses `Option<T>` (`None` = nil). Where an element
/// may be absent *and* nil, the model uses `Option<Nillable<T>>`: `None` is
/// absent (not written), `Some(Nillable::Nil)` is written as nil. This is the
/// case of `clientVersion`/`serverVersion` in
/// [`RequestFilter`](crate::RequestFilter).
///
/// ```
/// use xcep::Nillable;
///
/// let v: Nillable<i32> = 3.into();
/// assert_eq!(v.value(), Some(&3));
/// assert!(Nillable::<i32>::Nil.is_nil());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nillable<T> {
    /// `xsi:nil="true"`.
    Nil,
    /// A value.
    Value(T),
}

impl<T> Nillable<T> {
    /// Whether this is nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Nillable::Nil)
    }

    /// The value, `None` when nil.
    pub fn value(&self) -> Option<&T> {
        match self {
            Nillable::Nil => None,
            Nillable::Value(v) => Some(v),
        }
    }

    /// `Nil` for `None`, `Value` for `Some`.
    pub fn from_option(value: Option<T>) -> Self {
        match value {
            None => Nillable::Nil,
            Some(v) => Nillable::Value(v),
        }
    }
}

impl<T> From<T> for Nillable<T> {
    fn from(value: T) -> Self {
        Nillable::Value(value)
    }
}
