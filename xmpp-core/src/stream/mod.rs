//! The XML stream layer: [`StreamReader`] (bytes in, events out) and
//! [`StreamWriter`] (stream header, elements, errors and close tag out).
//!
//! Modules, one job each:
//!
//! | module | job |
//! |---|---|
//! | `utf8` | UTF-8 validation, holding back a character split between inputs |
//! | `scan` | the resumable framer: unit boundaries, restricted markup, limits (submodules: `prolog`, `tag`, `find`) |
//! | `buffer` | the bytes of a unit that spans inputs, with bounded growth |
//! | `header` | XML declaration and stream header checks |
//! | `toplevel` | which first-level elements a stream may carry |
//! | `limits`, `config` | what the reader enforces and expects |
//! | `error` | [`ReadError`] and its RFC 6120 conditions |
//! | `event` | [`StreamEvent`], [`StreamHeader`], [`StreamVersion`] |
//! | `reader` | [`StreamReader`]: the glue, reads and resets |
//! | `step` | what a read returns: [`Step`], [`StreamEvents`] |
//! | `writer` | [`StreamWriter`] |

mod buffer;
mod config;
mod error;
mod event;
mod header;
mod limits;
mod reader;
mod scan;
mod step;
mod toplevel;
mod utf8;
mod writer;

pub use config::ReaderConfig;
pub use error::{ReadError, ReadErrorKind};
pub use event::{StreamEvent, StreamHeader, StreamVersion};
pub use limits::Limits;
pub use reader::StreamReader;
pub use step::{Step, StreamEvents};
pub use writer::{StreamAttributes, StreamWriter, WriteError};
