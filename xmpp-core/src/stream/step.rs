//! What reading returns: [`Step`] (one read) and [`StreamEvents`] (the events of one
//! input, as an iterator).

use super::error::ReadError;
use super::event::StreamEvent;
use super::reader::StreamReader;

/// The result of one [`StreamReader::read`]: how many bytes of the input it
/// consumed, and the event they completed, if any.
///
/// Without an event, `consumed` is the whole input. With one, it is the number of
/// bytes up to and including the event's last byte; the rest of the input has not
/// been looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Bytes of the input consumed.
    pub consumed: usize,
    /// The event completed by those bytes.
    pub event: Option<StreamEvent>,
}

/// The events in one input, from [`StreamReader::feed`].
///
/// Yields each event, or the error the reader stopped with (once), until the input
/// is used up. Stop early (after a `<proceed/>` or `<success/>`, say) and
/// [`remaining`](Self::remaining) gives the bytes not yet read.
#[derive(Debug)]
pub struct StreamEvents<'r, 'i> {
    reader: &'r mut StreamReader,
    rest: &'i [u8],
    done: bool,
}

impl<'r, 'i> StreamEvents<'r, 'i> {
    #[inline]
    pub(crate) fn new(reader: &'r mut StreamReader, input: &'i [u8]) -> StreamEvents<'r, 'i> {
        StreamEvents {
            reader,
            rest: input,
            done: false,
        }
    }

    /// The bytes of the input not consumed yet (empty after an error).
    pub fn remaining(&self) -> &'i [u8] {
        self.rest
    }
}

impl Iterator for StreamEvents<'_, '_> {
    type Item = Result<StreamEvent, ReadError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        while !self.done && !self.rest.is_empty() {
            match self.reader.read(self.rest) {
                Ok(step) => {
                    self.rest = self.rest.get(step.consumed..).unwrap_or_default();
                    if let Some(event) = step.event {
                        return Some(Ok(event));
                    }
                }
                Err(e) => {
                    self.done = true;
                    self.rest = &[];
                    return Some(Err(e));
                }
            }
        }
        None
    }
}
