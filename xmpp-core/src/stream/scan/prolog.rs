//! The prolog: what may come before the stream's start tag — a UTF-8 byte-order
//! mark, the XML declaration (only at the very start), whitespace — and what may
//! not (UTF-16, DTDs, comments, processing instructions, text, end tags).

use super::{Fault, Limits, Mode, Scan, Scanner, UnitKind, is_space, markup_fault};

impl Scanner {
    /// One step in a prolog mode at index `*i` (`*i < *stop`): advances `*i`,
    /// possibly changes the mode, and returns the scan result if the scan stops
    /// here. Starting the header unit recomputes `*stop` (its size limit).
    pub(super) fn prolog_step(
        &mut self,
        input: &[u8],
        i: &mut usize,
        stop: &mut usize,
        base: u64,
        limits: &Limits,
    ) -> Option<Scan> {
        let fault = |at: usize, fault: Fault| Scan::Fault {
            at,
            offset: base + at as u64,
            fault,
        };
        match self.mode {
            Mode::Start { bom } => {
                let b = input[*i];
                match b {
                    0xEF if bom => {
                        *i += 1;
                        self.mode = Mode::Bom(1);
                        return None;
                    }
                    0xFE | 0xFF | 0x00 => return Some(fault(*i, Fault::NotUtf8)),
                    _ => {}
                }
                self.begin_unit(UnitKind::Header, base + *i as u64);
                *stop = self.stop(input.len(), base, limits);
                if *stop <= *i {
                    // Not even the first byte fits the limit: the caller
                    // reports it.
                    return None;
                }
                *i += 1;
                self.mode = match b {
                    b'<' => Mode::StartLt,
                    _ if is_space(b) => Mode::Prolog,
                    _ => return Some(fault(*i - 1, Fault::TextOutsideElements)),
                };
            }
            Mode::Bom(k) => {
                let b = input[*i];
                let want = if k == 1 { 0xBB } else { 0xBF };
                if b != want {
                    let start = base + *i as u64 - u64::from(k);
                    return Some(Scan::Fault {
                        at: *i,
                        offset: start,
                        fault: Fault::TextOutsideElements,
                    });
                }
                *i += 1;
                self.mode = if k == 1 {
                    Mode::Bom(2)
                } else {
                    Mode::Start { bom: false }
                };
            }
            Mode::StartLt => {
                let b = input[*i];
                match b {
                    b'?' => {
                        *i += 1;
                        self.mode = Mode::Decl { question: false };
                    }
                    b'!' => {
                        *i += 1;
                        self.mode = Mode::OuterBang;
                    }
                    b'/' => return Some(markup_fault(base, *i, 1, Fault::EndTagInProlog)),
                    // `<` then NUL: UTF-16LE without a byte-order mark.
                    0x00 => return Some(fault(*i, Fault::NotUtf8)),
                    _ => self.begin_start_tag(),
                }
            }
            Mode::Decl { question } => {
                let b = input[*i];
                *i += 1;
                if question && b == b'>' {
                    self.mode = Mode::Prolog;
                    return Some(Scan::DeclEnd { end: *i });
                }
                self.mode = Mode::Decl {
                    question: b == b'?',
                };
            }
            Mode::Prolog => {
                while *i < *stop && is_space(input[*i]) {
                    *i += 1;
                }
                if *i < *stop {
                    if input[*i] != b'<' {
                        return Some(fault(*i, Fault::TextOutsideElements));
                    }
                    *i += 1;
                    self.mode = Mode::PrologLt;
                }
            }
            Mode::PrologLt => {
                let b = input[*i];
                match b {
                    b'?' => return Some(markup_fault(base, *i, 1, Fault::ProcessingInstruction)),
                    b'!' => {
                        *i += 1;
                        self.mode = Mode::OuterBang;
                    }
                    b'/' => return Some(markup_fault(base, *i, 1, Fault::EndTagInProlog)),
                    _ => self.begin_start_tag(),
                }
            }
            _ => {}
        }
        None
    }
}
