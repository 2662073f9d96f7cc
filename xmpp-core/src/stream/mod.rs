//! The XML stream layer.

mod limits;
mod scan;
mod utf8;

pub use limits::Limits;
