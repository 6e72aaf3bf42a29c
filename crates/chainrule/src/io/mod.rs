//! Reading and writing: JSON, the one number format, files written atomically, and
//! escaping for SVG and HTML.

pub(crate) mod fsutil;
pub mod json;
pub(crate) mod markup;
pub mod number;
