//! `pKIExpirationPeriod` and `pKIOverlapPeriod`: FILETIME intervals.

/// Reads an interval as AD CS stores it ([MS-CRTD] 2.16, 2.18): eight
/// octets, a little-endian signed count of 100-nanosecond units, negative
/// (a relative time). Returns whole seconds; `None` when the value is not
/// eight octets or not negative.
///
/// ```
/// // One year, the User template's validity: -365 days in 100 ns units.
/// let year = (-315_360_000_000_000_i64).to_le_bytes();
/// assert_eq!(cepces_adcs::period::seconds(&year), Some(365 * 86_400));
/// ```
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
pub fn seconds(value: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = value.try_into().ok()?;
    let units = i64::from_le_bytes(bytes);
    if units >= 0 {
        return None;
    }
    Some(units.unsigned_abs() / 10_000_000)
}

/// Writes `seconds` as such an interval (the inverse of [`seconds`]).
pub fn to_filetime(seconds: u64) -> [u8; 8] {
    let units = i64::try_from(seconds.saturating_mul(10_000_000)).unwrap_or(i64::MAX);
    (-units).to_le_bytes()
}
