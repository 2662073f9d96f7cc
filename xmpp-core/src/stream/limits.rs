//! The limits the stream reader enforces while it scans, before it buffers more bytes.

/// Size and shape limits for what a peer may send on one stream.
///
/// Every limit is checked by the framer as the bytes go past, so exceeding one costs
/// at most the limit in buffered memory (plus the caller's current input chunk), and
/// produces a `policy-violation` stream error (RFC 6120 §4.9.3.18).
///
/// The limits may be changed between reads with
/// [`StreamReader::set_limits`](crate::StreamReader::set_limits) — for example from
/// [`Limits::pre_auth`] to [`Limits::c2s`] once the peer has authenticated. A lowered
/// size limit applies to a partly received element from its next byte on.
///
/// ```
/// use xmpp_core::Limits;
///
/// let mut limits = Limits::c2s();
/// limits.max_depth = 32;
/// assert_eq!(limits.max_stanza_bytes, 256 * 1024);
/// assert!(Limits::pre_auth().max_stanza_bytes < limits.max_stanza_bytes);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest top-level element (stanza or nonza) in bytes, from its `<` to the `>`
    /// that closes it. The same bound applies to the stream header (XML declaration
    /// and prolog included) and to the stream's closing tag.
    pub max_stanza_bytes: usize,
    /// Deepest element nesting inside a top-level element; the top-level element
    /// itself is at depth 1.
    pub max_depth: u32,
    /// Most attributes on one element, namespace declarations included.
    pub max_attributes: u32,
    /// Most namespace declarations (`xmlns='…'` and `xmlns:p='…'`) in one top-level
    /// element, all its descendants counted, or in the stream header.
    pub max_namespace_declarations: u32,
}

impl Limits {
    /// The default stanza size for an authenticated client-to-server stream: 256 KiB,
    /// Prosody's `c2s_stanza_size_limit`.
    pub const C2S_STANZA_BYTES: usize = 256 * 1024;
    /// The stanza size before authentication: 8 KiB, in line with ejabberd's
    /// pre-authentication limit.
    pub const PRE_AUTH_STANZA_BYTES: usize = 8 * 1024;

    /// Limits for an authenticated client-to-server stream (either side of it).
    pub const fn c2s() -> Self {
        Self {
            max_stanza_bytes: Self::C2S_STANZA_BYTES,
            max_depth: 64,
            max_attributes: 64,
            max_namespace_declarations: 128,
        }
    }

    /// Limits before authentication: as [`Limits::c2s`] with an 8 KiB stanza size.
    pub const fn pre_auth() -> Self {
        Self {
            max_stanza_bytes: Self::PRE_AUTH_STANZA_BYTES,
            ..Self::c2s()
        }
    }

    /// These limits with a different [`max_stanza_bytes`](Self::max_stanza_bytes).
    pub const fn with_max_stanza_bytes(self, max_stanza_bytes: usize) -> Self {
        Self {
            max_stanza_bytes,
            ..self
        }
    }
}

impl Default for Limits {
    /// [`Limits::c2s`].
    fn default() -> Self {
        Self::c2s()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_differ_only_in_size() {
        let pre = Limits::pre_auth();
        let post = Limits::c2s();
        assert_eq!(pre.max_stanza_bytes, 8192);
        assert_eq!(pre.with_max_stanza_bytes(post.max_stanza_bytes), post);
        assert_eq!(Limits::default(), post);
    }
}
