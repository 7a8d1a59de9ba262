//! The lossless XML layer: decoding, limits, parsing into an arena [`Tree`] with byte spans,
//! and writing an unedited [`Document`] back byte for byte.
//!
//! Pipeline: bytes → [`encoding::decode`] (BOM, declared encoding) → one pass over the text
//! (src/xml/build.rs over src/xml/scan.rs: well-formedness, namespaces, positions, and the limits
//! of [`limits::prescan`] checked on the way; the pre-scan itself runs only to name the error of
//! a refused document) → [`Tree`] (names interned, values zero-copy where
//! possible, spans for every tag, attribute name and value). Documents with a DTD (allowed only
//! by [`Limits::allow_dtd`]) are read by roxmltree instead and converted into the same tree.

mod build;
pub mod document;
pub mod encoding;
pub mod error;
pub mod limits;
pub mod pages;
pub mod parse;
mod scan;
pub mod tree;
pub(crate) mod words;

pub use document::Document;
pub use encoding::{Encoding, LineEnding, TextEncoding};
pub use error::XmlError;
pub use limits::Limits;
pub use tree::{Atom, NameId, NodeId, NodeKind, NsBinding, QName, Tree, XML_NS};
