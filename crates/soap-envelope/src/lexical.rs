//! The lexical rules of XML 1.0 the reader, the writer and the simple
//! types share: names, whitespace and characters. A leaf module.

/// Whether `s` is an XML 1.0 Name without colons (an NCName): the
/// NameStartChar and NameChar productions of XML 1.0 (fifth edition) 2.3.
#[inline]
pub(crate) fn is_ncname(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_ascii() {
        // The names of every real message: one table lookup a byte.
        return match bytes.split_first() {
            Some((first, rest)) => {
                ASCII_NAME[usize::from(first & 0x7f)] == NAME_START
                    && rest
                        .iter()
                        .all(|&b| ASCII_NAME[usize::from(b & 0x7f)] & (NAME_START | NAME_REST) != 0)
            }
            None => false,
        };
    }
    is_ncname_by_chars(s)
}

/// [`is_ncname`] by the productions, character by character.
fn is_ncname_by_chars(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    is_name_start_char(first) && chars.all(is_name_char)
}

/// Whether `s` is a qualified name: an NCName, or two joined by one colon.
#[inline]
pub(crate) fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        // A second colon is no name character: the local part fails.
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(s),
    }
}

/// What an ASCII byte may be in a name, by table: a name start.
const NAME_START: u8 = 1;
/// A name character that cannot start a name (`-`, `.`, a digit).
const NAME_REST: u8 = 2;

/// The class of each ASCII byte in an NCName (0: not allowed).
static ASCII_NAME: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        #[allow(clippy::cast_possible_truncation)] // below 128
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() || c == b'_' {
            NAME_START
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            NAME_REST
        } else {
            0
        };
        b += 1;
    }
    t
};

#[inline]
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

#[inline]
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `c` is XML whitespace (space, tab, CR, LF).
#[inline]
pub(crate) fn is_ws_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// [`is_ws_char`] for a byte.
#[inline]
pub(crate) fn is_ws_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

#[inline]
pub(crate) fn is_xml_ws(s: &str) -> bool {
    s.bytes().all(is_ws_byte)
}

#[inline]
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The offset of the first character of UTF-8 text that XML 1.0 never
/// allows: a control character other than tab, line feed and carriage
/// return, or U+FFFE/U+FFFF (surrogates cannot occur in UTF-8).
///
/// The text is scanned in blocks of [`BLOCK`] bytes by a branch-free test
/// that the compiler vectorises; only a block holding a control character
/// or `0xEF` (the lead byte of U+F000..U+FFFF) is looked at byte by byte.
pub(crate) fn first_forbidden_char(bytes: &[u8]) -> Option<usize> {
    let mut base = 0;
    for block in bytes.chunks_exact(BLOCK) {
        if block_suspicious(block)
            && let Some(pos) = first_forbidden_in(bytes, base, base + BLOCK)
        {
            return Some(pos);
        }
        base += BLOCK;
    }
    first_forbidden_in(bytes, base, bytes.len())
}

/// The block size of [`first_forbidden_char`]'s vectorised pass.
const BLOCK: usize = 64;

/// Whether `block` may hold a forbidden character; no branch per byte.
#[inline]
fn block_suspicious(block: &[u8]) -> bool {
    let mut acc = 0u8;
    for &b in block {
        // Bitwise on 0/1 bytes, not `&&`: no branch.
        let control =
            u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n') & u8::from(b != b'\r');
        acc |= control | u8::from(b == 0xEF);
    }
    acc != 0
}

/// The first forbidden character starting in `bytes[from..to]` (U+FFFE and
/// U+FFFF may end past `to`).
fn first_forbidden_in(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&i| {
        let b = bytes[i];
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(&0xBE | &0xBF)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, one character at a time.
    fn naive(s: &str) -> Option<usize> {
        s.char_indices()
            .find(|&(_, c)| c != '\t' && c != '\n' && c != '\r' && !is_xml_char(c))
            .map(|(i, _)| i)
    }

    #[test]
    fn qualified_names() {
        for ok in ["a", "a:b", "_x.y-z:w1", "wsse:Security", "A", "a1"] {
            assert!(is_qname(ok), "{ok}");
        }
        for bad in [
            "", ":", "a:", ":a", "a::b", "a:b:c", "1a", "a:1", "-a", "a b", "a\u{7f}",
        ] {
            assert!(!is_qname(bad), "{bad:?}");
        }
    }

    #[test]
    fn forbidden_characters_at_block_edges() {
        for at in [0, 1, 62, 63, 64, 65, 127, 128, 200] {
            for bad in ["\u{0}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"] {
                let s = format!("{}{bad}{}", "a".repeat(at), "b".repeat(70));
                assert_eq!(first_forbidden_char(s.as_bytes()), Some(at), "{at} {bad:?}");
            }
        }
        // Tab, LF, CR and other characters led by 0xEF are allowed.
        let ok = format!("{}\t\n\r\u{F000}\u{FFFD}\u{FEFF}", "x".repeat(61));
        assert_eq!(first_forbidden_char(ok.as_bytes()), None);
    }

    proptest! {
        #[test]
        fn the_ascii_name_check_agrees_with_the_productions(s in "[ -~]{0,12}") {
            prop_assert_eq!(is_ncname(&s), is_ncname_by_chars(&s));
        }

        #[test]
        fn qualified_names_agree_with_the_productions(s in "[a_:1.\\- ~]{0,6}") {
            let by_chars = match s.split_once(':') {
                Some((p, l)) => is_ncname_by_chars(p) && is_ncname_by_chars(l),
                None => is_ncname_by_chars(&s),
            };
            prop_assert_eq!(is_qname(&s), by_chars, "{:?}", s);
        }

        #[test]
        fn the_block_scan_finds_what_a_char_scan_finds(
            s in "[a\t\n\r\u{0}-\u{1F}\u{F000}\u{FFFD}-\u{FFFF}\u{10000}]{0,300}"
        ) {
            prop_assert_eq!(first_forbidden_char(s.as_bytes()), naive(&s));
        }
    }
}
