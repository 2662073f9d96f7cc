//! [`CompactStr`]: the immutable string type of the element model.
//!
//! Element names, attribute values and text are mostly short (`id='ktx72v49'`,
//! `type='chat'`, `<show>away</show>`). A `CompactStr` keeps up to
//! [`CompactStr::INLINE_CAPACITY`] bytes inline, refers to `&'static str` constants
//! without copying, and puts only longer strings on the heap — so parsing a typical
//! stanza allocates for few of its strings.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

const INLINE_CAP: usize = 30;

/// An immutable UTF-8 string that stores short values inline.
///
/// Dereferences to `str`; compares, hashes and orders like the `str` it holds,
/// whatever its storage.
///
/// ```
/// use xmpp_stanza::CompactStr;
///
/// let id = CompactStr::from("ktx72v49");
/// assert_eq!(id, "ktx72v49");
/// assert!(id.is_inline());
/// let body = CompactStr::from("Art thou not Romeo, and a Montague?");
/// assert!(!body.is_inline());
/// assert_eq!(&*body, "Art thou not Romeo, and a Montague?");
/// ```
#[derive(Clone)]
pub struct CompactStr(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Inline { len: u8, buf: [u8; INLINE_CAP] },
    Heap(Box<str>),
}

impl CompactStr {
    /// Longest string (in bytes) stored without a heap allocation.
    pub const INLINE_CAPACITY: usize = INLINE_CAP;

    /// The empty string.
    pub const EMPTY: CompactStr = CompactStr(Repr::Static(""));

    /// Wraps a string constant without copying it.
    pub const fn from_static(s: &'static str) -> CompactStr {
        CompactStr(Repr::Static(s))
    }

    /// `source[start..end]`, copied inline with one fixed-size copy when `source`
    /// has [`CompactStr::INLINE_CAPACITY`] bytes from `start` on (the bytes past
    /// `end` are never read back). `start..end` must be a `str` range of `source`;
    /// a range that is not gives the empty string.
    #[inline]
    pub(crate) fn from_range(source: &str, start: usize, end: usize) -> CompactStr {
        let len = end.saturating_sub(start);
        if len == 0 || !source.is_char_boundary(start) || !source.is_char_boundary(end) {
            return CompactStr::EMPTY;
        }
        if len <= INLINE_CAP
            && let Some(window) = source.as_bytes().get(start..start + INLINE_CAP)
        {
            let mut buf = [0u8; INLINE_CAP];
            buf.copy_from_slice(window);
            // `len <= 30` so the cast is lossless.
            return CompactStr(Repr::Inline {
                len: len as u8,
                buf,
            });
        }
        CompactStr::from(source.get(start..end).unwrap_or(""))
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            // The inline bytes were copied from a `str` and cut at its end, so they are
            // always valid UTF-8; the fallback is unreachable.
            Repr::Inline { len, buf } => {
                std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Heap(s) => s,
        }
    }

    /// The string's bytes (no UTF-8 re-validation, unlike [`CompactStr::as_str`]
    /// on an inline string).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Static(s) => s.as_bytes(),
            Repr::Inline { len, buf } => &buf[..usize::from(*len)],
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// Whether the string is stored inline (no heap allocation).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// Whether the string lives on the heap.
    pub fn is_heap(&self) -> bool {
        matches!(self.0, Repr::Heap(_))
    }
}

impl Default for CompactStr {
    fn default() -> Self {
        CompactStr::EMPTY
    }
}

impl From<&str> for CompactStr {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            CompactStr::EMPTY
        } else if s.len() <= INLINE_CAP {
            let mut buf = [0u8; INLINE_CAP];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            // `s.len() <= 30` so the cast is lossless.
            CompactStr(Repr::Inline {
                len: s.len() as u8,
                buf,
            })
        } else {
            CompactStr(Repr::Heap(Box::from(s)))
        }
    }
}

impl From<String> for CompactStr {
    fn from(s: String) -> Self {
        if s.len() <= INLINE_CAP {
            CompactStr::from(s.as_str())
        } else {
            CompactStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<&String> for CompactStr {
    fn from(s: &String) -> Self {
        CompactStr::from(s.as_str())
    }
}

impl From<Box<str>> for CompactStr {
    fn from(s: Box<str>) -> Self {
        if s.len() <= INLINE_CAP {
            CompactStr::from(&*s)
        } else {
            CompactStr(Repr::Heap(s))
        }
    }
}

impl From<CompactStr> for String {
    fn from(s: CompactStr) -> Self {
        match s.0 {
            Repr::Heap(b) => b.into_string(),
            _ => s.as_str().to_owned(),
        }
    }
}

impl Deref for CompactStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CompactStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for CompactStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for CompactStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for CompactStr {}

impl PartialEq<str> for CompactStr {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for CompactStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<CompactStr> for str {
    fn eq(&self, other: &CompactStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<CompactStr> for &str {
    fn eq(&self, other: &CompactStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for CompactStr {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CompactStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // UTF-8 byte order is code point order, so this orders like `str`.
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for CompactStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for CompactStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for CompactStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_by_length() {
        assert!(!CompactStr::from("").is_heap());
        assert!(CompactStr::from("a").is_inline());
        assert!(CompactStr::from("x".repeat(30).as_str()).is_inline());
        assert!(CompactStr::from("x".repeat(31).as_str()).is_heap());
        assert!(CompactStr::from("é".repeat(15)).is_inline());
        assert!(!CompactStr::from_static("a long static string that is not copied").is_heap());
    }

    #[test]
    fn equal_whatever_the_storage() {
        let a = CompactStr::from_static("chat");
        let b = CompactStr::from("chat");
        let c = CompactStr::from(String::from("chat"));
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a, "chat");
        assert_eq!(String::from(c), "chat");
        let long = "ü".repeat(40);
        assert_eq!(CompactStr::from(long.clone()).as_str(), long);
        assert_eq!(String::from(CompactStr::from(long.as_str())), long);
    }

    #[test]
    fn from_range_matches_slicing() {
        let src = "<a x='héllo wörld'>some text that is longer than thirty bytes</a>";
        for (start, end) in [(6, 18), (0, 2), (21, 64), (64, 64), (60, 68), (2, 1)] {
            let want = src.get(start..end).unwrap_or("");
            let got = CompactStr::from_range(src, start, end);
            assert_eq!(got, want, "{start}..{end}");
            assert_eq!(got.as_str(), want);
        }
        assert_eq!(CompactStr::from_range("é", 1, 2), "");
    }

    #[test]
    fn size_is_four_words() {
        assert_eq!(std::mem::size_of::<CompactStr>(), 32);
    }
}
