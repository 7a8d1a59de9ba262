//! The lossless XML layer: decoding, limits, parsing into an arena [`Tree`] with byte spans,
//! and writing an unedited [`Document`] back byte for byte.
//!
//! Pipeline: bytes → [`encoding::decode`] (BOM, declared encoding) → [`limits::prescan`] (depth,
//! attribute count, DTD) → roxmltree (well-formedness, namespaces, positions) → [`Tree`] (names
//! interned, values zero-copy where possible, spans for every tag, attribute name and value).

pub mod document;
pub mod encoding;
pub mod error;
pub mod limits;
pub mod parse;
pub mod tree;

pub use document::Document;
pub use encoding::{Encoding, LineEnding, TextEncoding};
pub use error::XmlError;
pub use limits::Limits;
pub use tree::{Atom, NameId, NodeId, NodeKind, NsBinding, QName, Tree, XML_NS};
