//! [`Interval`]: the `pKIExpirationPeriod` / `pKIOverlapPeriod` periods.

use core::fmt;

use crate::error::ValueError;

/// 100-nanosecond units per second.
const UNITS_PER_SECOND: u64 = 10_000_000;

/// A period of a certificate template: `pKIExpirationPeriod` ([MS-CRTD]
/// 2.11, the validity) or `pKIOverlapPeriod` ([MS-CRTD] 2.15, how long
/// before expiry a client renews).
///
/// Both are "an 8-byte octet string that initializes the FILETIME
/// structure" ([MS-DTYP] 2.3.3): a little-endian 64-bit count of
/// 100-nanosecond units, negative for a relative time, as Windows writes
/// intervals. One year, the User template's validity, is the bytes
/// `00 40 39 87 2E E1 FE FF`, i.e. −315 360 000 000 000.
///
/// ```
/// use cepces_adcs::Interval;
///
/// let year = Interval::from_filetime_bytes(&[0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0xFE, 0xFF])?;
/// assert_eq!(year.seconds(), 365 * 86_400);
/// let overlap = Interval::from_filetime_bytes(&[0x00, 0x80, 0xA6, 0x0A, 0xFF, 0xDE, 0xFF, 0xFF])?;
/// assert_eq!(overlap.to_string(), "6 weeks");
/// # Ok::<(), cepces_adcs::ValueError>(())
/// ```
///
/// [MS-CRTD]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-crtd/
/// [MS-DTYP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-dtyp/
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    units: u64,
}

impl Interval {
    /// Reads the 8-byte FILETIME. A value that is not negative is
    /// [`ValueError::NotAnInterval`]; another length is
    /// [`ValueError::WrongLength`].
    pub fn from_filetime_bytes(bytes: &[u8]) -> Result<Self, ValueError> {
        let raw: [u8; 8] = bytes.try_into().map_err(|_| ValueError::WrongLength {
            expected: 8,
            actual: bytes.len(),
        })?;
        let v = i64::from_le_bytes(raw);
        if v >= 0 {
            return Err(ValueError::NotAnInterval(v));
        }
        Ok(Self {
            units: v.unsigned_abs(),
        })
    }

    /// An interval of `seconds`.
    pub fn from_seconds(seconds: u64) -> Self {
        Self {
            units: seconds.saturating_mul(UNITS_PER_SECOND),
        }
    }

    /// The 8 bytes Windows stores for this interval.
    pub fn to_filetime_bytes(self) -> [u8; 8] {
        // At most 2^63 units come from bytes, so this is never i64::MIN's
        // negation; from_seconds saturates.
        let v = i64::try_from(self.units).map_or(i64::MIN, |u| -u);
        v.to_le_bytes()
    }

    /// The length in 100-nanosecond units.
    pub fn units(self) -> u64 {
        self.units
    }

    /// The length in whole seconds (what XCEP's `validityPeriodSeconds`
    /// and `renewalPeriodSeconds` carry, [MS-XCEP] 3.1.4.1.3.8).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn seconds(self) -> u64 {
        self.units / UNITS_PER_SECOND
    }
}

impl fmt::Display for Interval {
    /// The largest whole unit the certificate templates snap-in would
    /// show: `1 year`, `6 weeks`, `2 days`, `5 hours`, otherwise seconds
    /// (`90 seconds`), and below a second the 100-nanosecond units.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds();
        let units: [(u64, &str); 5] = [
            (365 * 86_400, "year"),
            (7 * 86_400, "week"),
            (86_400, "day"),
            (3_600, "hour"),
            (1, "second"),
        ];
        for (len, name) in units {
            if s >= len && s.is_multiple_of(len) {
                let n = s / len;
                let plural = if n == 1 { "" } else { "s" };
                return write!(f, "{n} {name}{plural}");
            }
        }
        write!(f, "{} 100-nanosecond units", self.units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_template_periods() {
        // MS-CRTD 3 (product note <43>): every default template's period.
        let cases: [([u8; 8], u64, &str); 6] = [
            (
                [0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0xFE, 0xFF],
                365 * 86_400,
                "1 year",
            ),
            (
                [0x00, 0x80, 0x72, 0x0E, 0x5D, 0xC2, 0xFD, 0xFF],
                2 * 365 * 86_400,
                "2 years",
            ),
            (
                [0x00, 0x40, 0x1E, 0xA4, 0xE8, 0x65, 0xFA, 0xFF],
                5 * 365 * 86_400,
                "5 years",
            ),
            (
                [0x00, 0x80, 0xA6, 0x0A, 0xFF, 0xDE, 0xFF, 0xFF],
                42 * 86_400,
                "6 weeks",
            ),
            (
                [0x00, 0xC0, 0x1B, 0xD7, 0x7F, 0xFA, 0xFF, 0xFF],
                7 * 86_400,
                "1 week",
            ),
            (
                [0x00, 0x40, 0x96, 0xD5, 0x36, 0xFF, 0xFF, 0xFF],
                86_400,
                "1 day",
            ),
        ];
        for (bytes, seconds, text) in cases {
            let i = Interval::from_filetime_bytes(&bytes).unwrap();
            assert_eq!(i.seconds(), seconds, "{bytes:02x?}");
            assert_eq!(i.to_string(), text);
            assert_eq!(i.to_filetime_bytes(), bytes);
            assert_eq!(Interval::from_seconds(seconds), i);
        }
        assert_eq!(Interval::from_seconds(90).to_string(), "90 seconds");
        assert_eq!(Interval::from_seconds(3_600).to_string(), "1 hour");
        let short = Interval::from_filetime_bytes(&(-5_i64).to_le_bytes()).unwrap();
        assert_eq!(short.to_string(), "5 100-nanosecond units");
        let year =
            Interval::from_filetime_bytes(&(-315_360_000_000_000_i64).to_le_bytes()).unwrap();
        assert_eq!(year.seconds() / 86_400, 365);
    }

    #[test]
    fn bad_periods_are_typed_errors() {
        assert_eq!(
            Interval::from_filetime_bytes(&[0; 7]),
            Err(ValueError::WrongLength {
                expected: 8,
                actual: 7
            })
        );
        assert_eq!(
            Interval::from_filetime_bytes(&[0; 8]),
            Err(ValueError::NotAnInterval(0))
        );
        assert_eq!(
            Interval::from_filetime_bytes(&1_i64.to_le_bytes()),
            Err(ValueError::NotAnInterval(1))
        );
        // The most negative value has no i64 negation; it still reads.
        let min = Interval::from_filetime_bytes(&i64::MIN.to_le_bytes()).unwrap();
        assert_eq!(min.units(), 1 << 63);
        assert_eq!(min.to_filetime_bytes(), i64::MIN.to_le_bytes());
    }
}
