//! [`StreamReader`]: bytes in any chunking to stream events, one at a time, with
//! the exact number of bytes each step consumed.

use xmpp_stanza::{CompactStr, NsContext, TreeBuilder};

use super::buffer::UnitBuffer;
use super::config::ReaderConfig;
use super::error::{ReadError, ReadErrorKind};
use super::event::StreamEvent;
use super::header;
use super::limits::Limits;
use super::scan::{Scan, Scanner, UnitKind};
use super::step::{Step, StreamEvents};
use super::toplevel;
use super::utf8::{self, InvalidUtf8, Tail};

/// A byte-fed XMPP stream reader: the peer's bytes in, in any chunking; the stream
/// header, each complete top-level element (as an [`xmpp_stanza::Element`]) and the
/// stream close out, in order — or a [`ReadError`] naming the RFC 6120 condition to
/// close the stream with.
///
/// Work is linear in the input: the framer classifies each byte once, keeping its
/// state between reads, and the tree builder runs once per complete element (on the
/// input itself when the element arrived in one piece, else on the reader's
/// buffer). Memory held is at most the configured stanza size limit: bytes of an
/// unfinished element are buffered only as far as the limit allows.
///
/// # Reading
///
/// [`read`](Self::read) stops after each event and says how many bytes it consumed,
/// so that a stream restart can happen at exactly the right byte;
/// [`feed`](Self::feed) wraps it in an iterator.
///
/// ```
/// use xmpp_core::{ReaderConfig, StreamEvent, StreamReader};
///
/// let mut reader = StreamReader::new(ReaderConfig::c2s());
/// let stream = b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\
///     <message to='romeo@example.net'><body>caf\xC3\xA9</body></message> </stream:stream>";
/// // Any chunking gives the same events; here, 7 bytes at a time.
/// let mut events = Vec::new();
/// for chunk in stream.chunks(7) {
///     for event in reader.feed(chunk) {
///         events.push(event.unwrap());
///     }
/// }
/// assert!(matches!(events[0], StreamEvent::StreamOpened(_)));
/// let StreamEvent::Element(message) = &events[1] else { panic!() };
/// assert_eq!(message.child("body", "jabber:client").unwrap().text(), "café");
/// assert_eq!(events[2], StreamEvent::StreamClosed);
/// ```
///
/// # Restarts
///
/// After `<proceed/>` (STARTTLS) or `<success/>` (SASL) the stream restarts:
/// call [`reset`](Self::reset) right after the event, and give the bytes that
/// followed it in the same input ([`StreamEvents::remaining`], or the input past
/// [`Step::consumed`]) to the reset reader — or, after `<proceed/>`, treat them as
/// the injection attack they are (RFC 6120 §5.4.3.3).
///
/// ```
/// use xmpp_core::{ReaderConfig, StreamEvent, StreamReader};
///
/// let mut reader = StreamReader::new(ReaderConfig::c2s());
/// let input = b"<stream:stream xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'>\
///     <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><iq type='get'/>";
/// let mut events = reader.feed(input);
/// assert!(matches!(events.next(), Some(Ok(StreamEvent::StreamOpened(_)))));
/// let Some(Ok(StreamEvent::Element(proceed))) = events.next() else { panic!() };
/// assert_eq!(proceed.name(), "proceed");
/// // Plaintext after <proceed/>: refuse it.
/// assert_eq!(events.remaining(), b"<iq type='get'/>");
/// reader.reset();
/// ```
#[derive(Debug)]
pub struct StreamReader {
    config: ReaderConfig,
    scanner: Scanner,
    buffer: UnitBuffer,
    builder: TreeBuilder,
    /// Absolute offset of the next byte the reader will be given.
    offset: u64,
    /// Absolute offset where the current stream header's XML declaration ends.
    decl_end: Option<u64>,
    /// The namespace context of the current stream's content.
    context: NsContext,
    /// The stream element's qualified name, which the closing tag repeats.
    close_qname: CompactStr,
    /// The error the reader stopped with.
    failed: Option<ReadError>,
}

/// The tree builder for the reader's limits and tokenizer.
fn builder_for(config: &ReaderConfig) -> TreeBuilder {
    let to_usize = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    TreeBuilder::with_limits(xmpp_stanza::Limits {
        max_depth: to_usize(config.limits.max_depth),
        max_attributes: to_usize(config.limits.max_attributes),
    })
    .with_tokenizer(config.tokenizer)
}

fn utf8_error(e: InvalidUtf8) -> ReadError {
    ReadError::new(ReadErrorKind::InvalidUtf8, e.offset)
}

impl StreamReader {
    /// A reader at the start of a stream.
    pub fn new(config: ReaderConfig) -> StreamReader {
        StreamReader {
            builder: builder_for(&config),
            config,
            scanner: Scanner::default(),
            buffer: UnitBuffer::default(),
            offset: 0,
            decl_end: None,
            context: NsContext::empty(),
            close_qname: CompactStr::EMPTY,
            failed: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ReaderConfig {
        &self.config
    }

    /// Replaces the limits, for example to leave the smaller pre-authentication
    /// stanza limit once the peer has authenticated. A lowered size limit applies to
    /// an element already partly received, from its next byte.
    pub fn set_limits(&mut self, limits: Limits) {
        if (limits.max_depth, limits.max_attributes)
            != (
                self.config.limits.max_depth,
                self.config.limits.max_attributes,
            )
        {
            self.config.limits = limits;
            self.builder = builder_for(&self.config);
        }
        self.config.limits = limits;
        if self.buffer.is_empty() {
            // Between elements: a buffer grown under a larger limit is released.
            self.buffer.clear(limits.max_stanza_bytes);
        }
    }

    /// Total bytes consumed since the reader was created (across resets): the
    /// absolute offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes of buffer memory the reader holds for an unfinished element: never
    /// more than the stanza size limit, and between elements at most 16 KiB or the
    /// limit, whichever is smaller.
    pub fn buffered_capacity(&self) -> usize {
        self.buffer.capacity()
    }

    /// Releases the memory the reader keeps for reuse between elements — the buffer
    /// for elements that span reads and the tree builder's scratch stacks — when no
    /// element is partly read (otherwise does nothing). For connections going idle
    /// after a large element: the next element allocates afresh.
    pub fn release_memory(&mut self) {
        if self.scanner.in_unit() {
            return;
        }
        self.buffer = UnitBuffer::default();
        self.builder = builder_for(&self.config);
    }

    /// Whether the reader is in the middle of a unit (stream header, element or
    /// closing tag) — that is, not at a boundary between top-level elements.
    pub fn is_mid_element(&self) -> bool {
        self.scanner.in_unit()
    }

    /// The error the reader stopped with, if it did.
    pub fn error(&self) -> Option<ReadError> {
        self.failed
    }

    /// Starts over at the beginning of a new stream (a stream restart after
    /// STARTTLS or SASL, RFC 6120 §4.3.3): a new XML declaration and stream header
    /// are expected next. Keeps the configuration and the byte count. Anything of an
    /// unfinished element is discarded, so call this right after the event that
    /// triggers the restart.
    pub fn reset(&mut self) {
        self.scanner = Scanner::default();
        self.buffer.clear(self.config.limits.max_stanza_bytes);
        self.decl_end = None;
        self.context = NsContext::empty();
        self.close_qname = CompactStr::EMPTY;
        self.failed = None;
    }

    /// Reads from `input` until one event is complete or the input is used up.
    ///
    /// Returns how many bytes were consumed and the event, if one completed (see
    /// [`Step`]). Call again with the rest of the input to go on. An error is final:
    /// every later call returns it again.
    #[inline]
    pub fn read(&mut self, input: &[u8]) -> Result<Step, ReadError> {
        // The commonest step when bytes trickle in one at a time, small enough to
        // inline into the caller: one ASCII byte that continues character data or
        // an attribute value.
        if let [b] = *input
            && self.failed.is_none()
            && self.scanner.continues(b, self.offset, &self.config.limits)
            && self.buffer.push_ascii(b)
        {
            self.offset += 1;
            return Ok(Step {
                consumed: 1,
                event: None,
            });
        }
        self.read_any(input)
    }

    /// [`read`](Self::read) in general.
    #[inline(never)]
    fn read_any(&mut self, input: &[u8]) -> Result<Step, ReadError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        // The common case, kept inline: the whole input lies inside character data,
        // an attribute value or a tag name of the current element.
        let limits = &self.config.limits;
        match self.scanner.quick(input, self.offset, limits) {
            None => {
                let limit = limits.max_stanza_bytes;
                if let Err(e) = self.buffer.push(input, self.offset, Tail::Hold, limit) {
                    return Err(self.fail(utf8_error(e)));
                }
                self.offset += input.len() as u64;
                Ok(Step {
                    consumed: input.len(),
                    event: None,
                })
            }
            // Errors are recorded where they arise (`fail`), so that the step,
            // which can be large, is returned without another copy.
            Some(start) => self.read_from(input, start),
        }
    }

    /// Records `e` as the error the reader stopped with.
    #[cold]
    fn fail(&mut self, e: ReadError) -> ReadError {
        self.failed = Some(e);
        self.buffer.clear(self.config.limits.max_stanza_bytes);
        e
    }

    /// Reads all of `input` as an iterator of events (see [`StreamEvents`]).
    #[inline]
    pub fn feed<'r, 'i>(&'r mut self, input: &'i [u8]) -> StreamEvents<'r, 'i> {
        StreamEvents::new(self, input)
    }

    /// Index in `rest` (at absolute `base`) where the current unit's bytes begin.
    fn unit_from(&self, base: u64) -> usize {
        usize::try_from(self.scanner.unit_start().saturating_sub(base)).unwrap_or(usize::MAX)
    }

    /// The general path of [`read`](Self::read): the scanner takes over at index
    /// `start` of `input` (the bytes before it are classified, inside the current
    /// unit).
    #[inline(never)]
    fn read_from(&mut self, input: &[u8], start: usize) -> Result<Step, ReadError> {
        let limit = self.config.limits.max_stanza_bytes;
        let mut pos = 0;
        let mut skip = start;
        loop {
            let rest = &input[pos..];
            let base = self.offset + pos as u64;
            let scanned = self
                .scanner
                .scan_from(rest, skip, base, &self.config.limits);
            skip = 0;
            match scanned {
                Scan::NeedMore => {
                    if self.scanner.in_unit() {
                        let from = self.unit_from(base).min(rest.len());
                        let at = base + from as u64;
                        if let Err(e) = self.buffer.push(&rest[from..], at, Tail::Hold, limit) {
                            return Err(self.fail(utf8_error(e)));
                        }
                    }
                    self.offset += input.len() as u64;
                    return Ok(Step {
                        consumed: input.len(),
                        event: None,
                    });
                }
                Scan::DeclEnd { end } => {
                    let from = self.unit_from(base).min(end);
                    let at = base + from as u64;
                    if let Err(e) = self.buffer.push(&rest[from..end], at, Tail::Ignore, limit) {
                        return Err(self.fail(utf8_error(e)));
                    }
                    let start = self.scanner.unit_start();
                    let checked =
                        header::check_declaration(self.buffer.text(), start, &self.config.limits);
                    if let Err(e) = checked {
                        return Err(self.fail(e));
                    }
                    self.decl_end = Some(base + end as u64);
                    pos += end;
                }
                Scan::UnitEnd { end, kind } => {
                    let event = match self.finish_unit(&rest[..end], base, kind) {
                        Ok(event) => event,
                        Err(e) => return Err(self.fail(e)),
                    };
                    self.offset += (pos + end) as u64;
                    return Ok(Step {
                        consumed: pos + end,
                        event: Some(event),
                    });
                }
                Scan::Fault { at, offset, fault } => {
                    if self.scanner.in_unit() {
                        // A UTF-8 error earlier in the unit is reported first.
                        let from = self.unit_from(base).min(at);
                        let start = base + from as u64;
                        if let Err(e) =
                            self.buffer
                                .push(&rest[from..at], start, Tail::Ignore, limit)
                        {
                            return Err(self.fail(utf8_error(e)));
                        }
                    }
                    let kind = ReadErrorKind::from_fault(fault, &self.config.limits);
                    return Err(self.fail(ReadError::new(kind, offset)));
                }
            }
        }
    }

    /// The unit that ends at the end of `region` (which starts at absolute `base`)
    /// is complete: turns it into its event.
    fn finish_unit(
        &mut self,
        region: &[u8],
        base: u64,
        kind: UnitKind,
    ) -> Result<StreamEvent, ReadError> {
        let unit_start = self.scanner.unit_start();
        let from = self.unit_from(base).min(region.len());
        let limits = self.config.limits;
        let Self {
            buffer,
            builder,
            context,
            close_qname,
            config,
            decl_end,
            ..
        } = self;
        let text = if unit_start >= base && buffer.is_empty() {
            // The whole unit is in this input: no copy.
            utf8::validate(&region[from..], unit_start).map_err(utf8_error)?
        } else {
            let at = base + from as u64;
            buffer
                .push(&region[from..], at, Tail::Ignore, limits.max_stanza_bytes)
                .map_err(utf8_error)?;
            buffer.text()
        };
        let event = match kind {
            UnitKind::Element => {
                let element = builder
                    .build(text, context)
                    .map_err(|e| ReadError::from_parse(e, unit_start, &limits))?;
                toplevel::check(&element, &config.content_namespace)
                    .map_err(|kind| ReadError::new(kind, unit_start))?;
                StreamEvent::Element(element)
            }
            UnitKind::Header => {
                let tag_from = decl_end.map_or(0, |end| end.saturating_sub(unit_start));
                let tag_from = usize::try_from(tag_from).unwrap_or(usize::MAX);
                let tag = text.get(tag_from..).unwrap_or_default();
                let opened = header::open_stream(
                    builder,
                    tag,
                    unit_start + tag_from as u64,
                    &config.content_namespace,
                    &limits,
                )?;
                *context = opened.header.context.clone();
                *close_qname = opened.qname;
                *decl_end = None;
                StreamEvent::StreamOpened(Box::new(opened.header))
            }
            UnitKind::StreamClose => {
                if !header::is_close_tag(text, close_qname) {
                    return Err(ReadError::new(
                        ReadErrorKind::MismatchedStreamClose,
                        unit_start,
                    ));
                }
                StreamEvent::StreamClosed
            }
        };
        buffer.clear(limits.max_stanza_bytes);
        Ok(event)
    }
}

#[cfg(test)]
mod tests;
