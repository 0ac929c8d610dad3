//! The XML Schema simple types that the enrollment protocols use: their
//! lexical spaces (what is read), and canonical forms (what is written).
//!
//! [XML Schema Part 2]: https://www.w3.org/TR/xmlschema-2/

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::lexical::is_ws_char;

/// A simple type read from element text or an attribute value.
///
/// `parse_xsd` applies the type's whitespace facet itself (all types here
/// but `String` collapse surrounding whitespace), so callers pass the text
/// exactly as read.
pub trait XsdType: Sized {
    /// The type's name in error messages, e.g. `xs:unsignedInt`.
    const TYPE_NAME: &'static str;
    /// Parses the lexical form; the error says why it is not valid.
    fn parse_xsd(s: &str) -> Result<Self, String>;
    /// The canonical lexical form.
    fn to_xsd(&self) -> Cow<'_, str>;
    /// Calls `f` with the canonical lexical form. Types whose form is
    /// formatted (numbers, dates) override it to format on the stack, so
    /// that writing a value allocates nothing.
    fn with_xsd<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(&self.to_xsd())
    }
}

/// Removes leading and trailing XML whitespace (the `collapse` facet for
/// single tokens such as numbers, URIs and dates).
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_ws_char)
}

/// Applies the `collapse` whitespace facet: runs of XML whitespace become
/// one space; leading and trailing whitespace is removed.
pub fn collapse(s: &str) -> Cow<'_, str> {
    let t = trim(s);
    let bytes = t.as_bytes();
    // Most values (URIs, tokens, numbers) have no byte at or below the
    // space: one pass without an early exit, which the compiler vectorises,
    // settles them.
    let all_above_space = bytes.iter().copied().min().is_none_or(|b| b > b' ');
    let needs = !all_above_space
        && bytes
            .iter()
            .zip(bytes.iter().skip(1))
            .any(|(&a, &b)| matches!(a, b'\t' | b'\r' | b'\n') || (a == b' ' && b == b' '));
    if !needs {
        return Cow::Borrowed(t);
    }
    // Whitespace is ASCII, so every index here is a character boundary and
    // the runs between whitespace are copied whole.
    let mut out = String::with_capacity(t.len());
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            if run < i {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&t[run..i]);
            }
            run = i + 1;
        }
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(&t[run..]);
    Cow::Owned(out)
}

impl XsdType for String {
    const TYPE_NAME: &'static str = "xs:string";
    fn parse_xsd(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
    fn to_xsd(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XsdType for bool {
    const TYPE_NAME: &'static str = "xs:boolean";
    fn parse_xsd(s: &str) -> Result<Self, String> {
        match trim(s) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("expected true, false, 1 or 0".into()),
        }
    }
    fn to_xsd(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! integer_type {
    ($t:ty, $name:literal, $unsigned:literal) => {
        impl XsdType for $t {
            const TYPE_NAME: &'static str = $name;
            fn parse_xsd(s: &str) -> Result<Self, String> {
                let t = trim(s);
                let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("not an integer".into());
                }
                if $unsigned && t.starts_with('-') && digits.bytes().any(|b| b != b'0') {
                    return Err("negative value for an unsigned type".into());
                }
                let t = if $unsigned { digits } else { t };
                t.parse::<$t>()
                    .map_err(|_| format!("out of range ({}..={})", <$t>::MIN, <$t>::MAX))
            }
            fn to_xsd(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
            fn with_xsd<R>(&self, f: impl FnOnce(&str) -> R) -> R {
                f(itoa::Buffer::new().format(*self))
            }
        }
    };
}

integer_type!(u8, "xs:unsignedByte", true);
integer_type!(u16, "xs:unsignedShort", true);
integer_type!(u32, "xs:unsignedInt", true);
integer_type!(u64, "xs:unsignedLong", true);
integer_type!(i32, "xs:int", false);
integer_type!(i64, "xs:long", false);

/// `xs:base64Binary`: bytes carried as base64 text.
///
/// Reading accepts whitespace anywhere, including line breaks every 64 or 76
/// columns and the `&#xD;` carriage returns that AD CS writes, and tolerates
/// missing padding. Writing uses standard base64 with padding and no line
/// breaks.
///
/// ```
/// use soap_envelope::xsd::{Base64Binary, XsdType};
///
/// let b = Base64Binary::parse_xsd("TWFu\r\nTWE=\n").unwrap();
/// assert_eq!(b.0, b"ManMa");
/// assert_eq!(b.to_xsd(), "TWFuTWE=");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Base64Binary(pub Vec<u8>);

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl XsdType for Base64Binary {
    const TYPE_NAME: &'static str = "xs:base64Binary";
    fn parse_xsd(s: &str) -> Result<Self, String> {
        let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let compact: Cow<'_, [u8]> = if s.as_bytes().iter().any(is_ws) {
            Cow::Owned(s.bytes().filter(|b| !is_ws(b)).collect())
        } else {
            Cow::Borrowed(s.as_bytes())
        };
        LENIENT
            .decode(&*compact)
            .map(Base64Binary)
            .map_err(|e| e.to_string())
    }
    fn to_xsd(&self) -> Cow<'_, str> {
        Cow::Owned(base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

/// `xs:dateTime`: a date and time with an optional time zone offset.
///
/// Fractions of a second are kept to the nanosecond, and printed with as
/// many digits as were written (up to nine: WCF writes seven, `.5000000`),
/// though values that differ only in trailing zeros are equal. Without an
/// offset the value is "local" in XML Schema terms;
/// [`to_unix`](Self::to_unix) treats such values as UTC, which is what
/// AD CS and Windows clients mean.
///
/// ```
/// use soap_envelope::xsd::DateTime;
///
/// let t: DateTime = "2009-03-26T00:58:51.549Z".parse().unwrap();
/// assert_eq!(t.millisecond(), 549);
/// assert_eq!(t.to_string(), "2009-03-26T00:58:51.549Z");
/// assert_eq!(t.to_unix(), 1_238_029_131);
/// assert!("20090-03-15-T09:38:46".parse::<DateTime>().is_err());
/// let wcf: DateTime = "2012-08-02T00:32:59.4200000Z".parse().unwrap();
/// assert_eq!(wcf.to_string(), "2012-08-02T00:32:59.4200000Z");
/// assert_eq!(wcf, "2012-08-02T00:32:59.42Z".parse().unwrap());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DateTime {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    offset_minutes: Option<i16>,
    /// The digits of the fraction as written (0: none written, or a value
    /// made from a number); only for printing, never compared.
    frac_digits: u8,
}

impl DateTime {
    /// What equality, order and hashing compare: everything but how many
    /// fraction digits were written.
    fn key(&self) -> (i32, u8, u8, u8, u8, u8, u32, Option<i16>) {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanos,
            self.offset_minutes,
        )
    }
}

impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for DateTime {}

impl std::hash::Hash for DateTime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl DateTime {
    /// A UTC time from seconds and nanoseconds since the Unix epoch.
    pub fn from_unix(secs: i64, nanos: u32) -> Self {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Self {
            year: year as i32,
            month: month as u8,
            day: day as u8,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
            nanos: nanos.min(999_999_999),
            offset_minutes: Some(0),
            frac_digits: 0,
        }
    }

    /// Seconds since the Unix epoch (a value without offset counts as UTC).
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes.unwrap_or(0)) * 60
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }
    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// The hour, 0 to 24.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second.
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Nanoseconds within the second.
    pub fn nanosecond(&self) -> u32 {
        self.nanos
    }
    /// Milliseconds within the second.
    pub fn millisecond(&self) -> u32 {
        self.nanos / 1_000_000
    }
    /// The time zone offset in minutes east of UTC, `None` when not given.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
        _ => 31,
    }
}

fn two_digits(s: &str, what: &str) -> Result<u8, String> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map_err(|_| format!("bad {what}"))
    } else {
        Err(format!("{what} must be two digits"))
    }
}

impl FromStr for DateTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = trim(s);
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (date, time) = body
            .split_once('T')
            .ok_or("missing 'T' between date and time")?;
        let mut parts = date.splitn(3, '-');
        let y = parts.next().unwrap_or_default();
        let m = parts.next().ok_or("missing month")?;
        let d = parts.next().ok_or("missing day")?;
        if y.len() < 4
            || !y.bytes().all(|b| b.is_ascii_digit())
            || (y.len() > 4 && y.starts_with('0'))
        {
            return Err("year must have four or more digits".into());
        }
        let year: i32 = y.parse().map_err(|_| "year out of range")?;
        if year == 0 {
            return Err("year 0000 is not allowed".into());
        }
        let year = if neg { -year } else { year };
        let month = two_digits(m, "month")?;
        let day = two_digits(d, "day")?;
        if !(1..=12).contains(&month) {
            return Err("month out of range".into());
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err("day out of range".into());
        }
        // Time zone: 'Z', or +hh:mm / -hh:mm at the end.
        let (clock, offset_minutes) = if let Some(c) = time.strip_suffix('Z') {
            (c, Some(0i16))
        } else if time.len() > 6 && matches!(time.as_bytes()[time.len() - 6], b'+' | b'-') {
            let (c, tz) = time.split_at(time.len() - 6);
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let (hh, mm) = tz[1..].split_once(':').ok_or("bad time zone")?;
            let hh = two_digits(hh, "time zone hour")?;
            let mm = two_digits(mm, "time zone minute")?;
            if hh > 14 || mm > 59 || (hh == 14 && mm != 0) {
                return Err("time zone out of range".into());
            }
            (c, Some(sign * (i16::from(hh) * 60 + i16::from(mm))))
        } else {
            (time, None)
        };
        let (hms, frac) = match clock.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (clock, None),
        };
        let mut t = hms.split(':');
        let hour = two_digits(t.next().unwrap_or_default(), "hour")?;
        let minute = two_digits(t.next().ok_or("missing minute")?, "minute")?;
        let second = two_digits(t.next().ok_or("missing second")?, "second")?;
        if t.next().is_some() {
            return Err("too many time fields".into());
        }
        let nanos = match frac {
            None => 0,
            Some(f) => {
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("bad fraction of a second".into());
                }
                let mut n: u32 = 0;
                for (i, b) in f.bytes().enumerate() {
                    if i < 9 {
                        n = n * 10 + u32::from(b - b'0');
                    }
                }
                for _ in f.len()..9 {
                    n *= 10;
                }
                n
            }
        };
        if minute > 59 || second > 59 {
            return Err("minute or second out of range".into());
        }
        if hour > 24 || (hour == 24 && (minute != 0 || second != 0 || nanos != 0)) {
            return Err("hour out of range".into());
        }
        Ok(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset_minutes,
            #[allow(clippy::cast_possible_truncation)] // at most 9
            frac_digits: frac.map_or(0, |f| f.len().min(9) as u8),
        })
    }
}

/// The longest canonical `xs:dateTime` [`DateTime`] writes: a sign, a
/// ten-digit year, `-MM-DDThh:mm:ss`, nine fraction digits and `+hh:mm`.
const DATE_TIME_MAX: usize = 1 + 10 + 15 + 10 + 6;

impl DateTime {
    /// Writes the canonical form into `buf` and returns it: digits by hand,
    /// no formatter and no allocation (a response carries several dates).
    fn format<'b>(&self, buf: &'b mut [u8; DATE_TIME_MAX]) -> &'b str {
        /// Appends `v` as exactly `width` digits (`v` has no more).
        fn digits(buf: &mut [u8], at: &mut usize, mut v: u32, width: usize) {
            for i in (0..width).rev() {
                #[allow(clippy::cast_possible_truncation)] // a digit
                let d = (v % 10) as u8;
                buf[*at + i] = b'0' + d;
                v /= 10;
            }
            *at += width;
        }
        let mut at = 0;
        if self.year < 0 {
            buf[at] = b'-';
            at += 1;
        }
        let year = self.year.unsigned_abs();
        let width = if year >= 10_000 {
            year.ilog10() as usize + 1
        } else {
            4
        };
        digits(buf, &mut at, year, width);
        for (sep, v) in [
            (b'-', self.month),
            (b'-', self.day),
            (b'T', self.hour),
            (b':', self.minute),
            (b':', self.second),
        ] {
            buf[at] = sep;
            at += 1;
            digits(buf, &mut at, u32::from(v), 2);
        }
        let shown = if self.frac_digits > 0 {
            usize::from(self.frac_digits)
        } else if self.nanos != 0 {
            // The fraction without its trailing zeros.
            let mut n = 9;
            let mut v = self.nanos;
            while v.is_multiple_of(10) {
                v /= 10;
                n -= 1;
            }
            n
        } else {
            0
        };
        if shown > 0 {
            buf[at] = b'.';
            at += 1;
            // The first `shown` of the nine digits.
            let dropped = u32::try_from(9 - shown).unwrap_or(0);
            digits(buf, &mut at, self.nanos / 10u32.pow(dropped), shown);
        }
        match self.offset_minutes {
            None => {}
            Some(0) => {
                buf[at] = b'Z';
                at += 1;
            }
            Some(m) => {
                buf[at] = if m < 0 { b'-' } else { b'+' };
                at += 1;
                let m = u32::from(m.unsigned_abs());
                digits(buf, &mut at, m / 60, 2);
                buf[at] = b':';
                at += 1;
                digits(buf, &mut at, m % 60, 2);
            }
        }
        // ASCII digits and separators only.
        std::str::from_utf8(&buf[..at]).unwrap_or_default()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; DATE_TIME_MAX];
        f.write_str(self.format(&mut buf))
    }
}

impl XsdType for DateTime {
    const TYPE_NAME: &'static str = "xs:dateTime";
    fn parse_xsd(s: &str) -> Result<Self, String> {
        s.parse()
    }
    fn to_xsd(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
    fn with_xsd<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [0u8; DATE_TIME_MAX];
        f(self.format(&mut buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The canonical form by the formatter, as `Display` was written before
    /// it formatted by hand.
    fn by_formatter(d: &DateTime) -> String {
        use std::fmt::Write as _;
        let mut f = String::new();
        if d.year < 0 {
            f.push('-');
        }
        let _ = write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.year.unsigned_abs(),
            d.month,
            d.day,
            d.hour,
            d.minute,
            d.second
        );
        let frac = format!("{:09}", d.nanos);
        if d.frac_digits > 0 {
            let _ = write!(f, ".{}", &frac[..usize::from(d.frac_digits)]);
        } else if d.nanos != 0 {
            let _ = write!(f, ".{}", frac.trim_end_matches('0'));
        }
        match d.offset_minutes {
            None => {}
            Some(0) => f.push('Z'),
            Some(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                let _ = write!(f, "{sign}{:02}:{:02}", m / 60, m % 60);
            }
        }
        f
    }

    #[test]
    fn dates_format_as_the_spec_examples() {
        for s in [
            "2009-06-01T12:34:56Z",
            "2009-06-01T12:34:56.5-05:00",
            "-0044-03-15T00:00:00",
            "12345-01-01T00:00:00.000000001+14:00",
            "2026-12-07T23:59:59.120Z",
        ] {
            let d: DateTime = s.parse().expect(s);
            assert_eq!(d.to_string(), s);
            assert_eq!(d.with_xsd(str::to_owned), s);
            assert_eq!(d.to_string(), by_formatter(&d));
        }
        assert_eq!(u64::MAX.with_xsd(str::to_owned), "18446744073709551615");
        assert_eq!((-7i32).with_xsd(str::to_owned), "-7");
    }

    proptest::proptest! {
        #[test]
        fn dates_format_as_the_formatter_does(
            year in -99_999i32..=99_999,
            month in 1u8..=12,
            day in 1u8..=28,
            hour in 0u8..=23,
            minute in 0u8..=59,
            second in 0u8..=59,
            nanos in proptest::prop_oneof![0u32..=0, 0u32..=999_999_999, proptest::strategy::Strategy::prop_map(0u32..=999, |m| m * 1_000_000)],
            frac_digits in 0u8..=9,
            offset in proptest::option::of(-840i16..=840),
        ) {
            proptest::prop_assume!(year != 0);
            let d = DateTime { year, month, day, hour, minute, second, nanos, offset_minutes: offset, frac_digits };
            proptest::prop_assert_eq!(d.to_string(), by_formatter(&d));
        }

        #[test]
        fn collapse_joins_the_words_with_one_space(s in "[ \t\r\nab\u{e9}\u{3000}]{0,40}") {
            let words: Vec<&str> = s.split(is_ws_char).filter(|w| !w.is_empty()).collect();
            proptest::prop_assert_eq!(collapse(&s), words.join(" "));
        }
    }

    #[test]
    fn booleans() {
        assert!(bool::parse_xsd(" 1 ").unwrap());
        assert!(!bool::parse_xsd("false").unwrap());
        assert!(bool::parse_xsd("maybe").is_err());
        assert!(bool::parse_xsd("TRUE").is_err());
    }

    #[test]
    fn unsigned() {
        assert_eq!(u32::parse_xsd("\n 4294967295 ").unwrap(), u32::MAX);
        assert!(
            u32::parse_xsd("4294967296")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(u32::parse_xsd("-1").unwrap_err().contains("negative"));
        assert_eq!(u32::parse_xsd("-0").unwrap(), 0);
        assert_eq!(u32::parse_xsd("+7").unwrap(), 7);
        assert!(u32::parse_xsd("").is_err());
        assert!(u32::parse_xsd("1e3").is_err());
        assert_eq!(i32::parse_xsd("-2147483648").unwrap(), i32::MIN);
    }

    #[test]
    fn datetime_round_trip_and_unix() {
        for s in [
            "0001-01-01T00:00:00",
            "2009-03-26T00:58:51.549Z",
            "2012-08-02T00:32:59.4200001+05:30",
            "-0044-03-15T12:00:00-01:00",
            "2024-02-29T24:00:00Z",
        ] {
            let d: DateTime = s.parse().unwrap();
            let again: DateTime = d.to_string().parse().unwrap();
            assert_eq!(d, again, "{s}");
        }
        let d = DateTime::from_unix(1_700_000_000, 5);
        assert_eq!(d.to_unix(), 1_700_000_000);
        assert_eq!(d.to_string(), "2023-11-14T22:13:20.000000005Z");
        assert!("2023-02-29T00:00:00".parse::<DateTime>().is_err());
        assert!("2023-13-01T00:00:00".parse::<DateTime>().is_err());
        assert!("2023-01-01T24:00:01".parse::<DateTime>().is_err());
        assert!("2023-01-01 00:00:00".parse::<DateTime>().is_err());
    }

    #[test]
    fn base64_lenient_read_strict_write() {
        let b = Base64Binary::parse_xsd("TW\tFu\r\n TWE").unwrap();
        assert_eq!(b.0, b"ManMa");
        assert!(Base64Binary::parse_xsd("not base64!").is_err());
        assert_eq!(Base64Binary(vec![0; 100]).to_xsd().find('\n'), None);
    }

    #[test]
    fn collapse_whitespace() {
        assert_eq!(collapse("\n a \t b\r\n"), "a b");
        assert!(matches!(collapse(" ab "), Cow::Borrowed("ab")));
    }
}
