//! # webxsl
//!
//! Harden IIS `web.config` files: generate shared-configuration templates from a header profile,
//! apply XSLT 1.0 stylesheets or profiles with a minimal diff, compare and validate the result.
//!
//! The crate is organised as the pipeline it implements:
//!
//! | module | does |
//! | --- | --- |
//! | [`xml`] | lossless documents: encodings, limits, arena tree with byte spans |
//! | [`diag`] | positions and `file:line:col` diagnostics |
//! | [`xpath`] | XPath 1.0: lexer, parser, AST with spans, evaluator; XSLT patterns |
//! | [`xslt`] | XSLT 1.0: compile, execute, serialize |
//! | [`patch`] | minimal edits: align source and result trees, splice text edits |
//! | [`apply`] | the main job: stylesheet + web.config → minimal edit in the file's encoding |
//! | [`diff`] | unified diff and per-header changes |
//! | [`iis`] | IIS configuration collections, their unique keys and the server's defaults (HTTP 500.19) |
//! | [`model`] | the web.config header collections |
//! | [`profile`] | header profiles (TOML/JSON), presets, CSP and Permissions-Policy syntax |
//! | [`generate`] | XSLT 1.0 and XDT templates from a profile |
//! | [`validate`] | IIS, header-syntax and security rules; the Observatory grade; reports |
//! | [`probe`] | `webxsl probe`: fetch a live site (HTTP/1.1, rustls), check what it serves, drift, grade |
//! | [`xdt`] | XDT (Web.Release.config) transforms, with the semantics of Microsoft's engine |
//! | [`reports`] | CSP violation reports: parse every shape, learn a policy change, edit the profile, collect over HTTP |
//! | [`html`] | reports people look at: self-contained HTML pages for validate, diff, probe and check, and an SVG grade badge |
//!
//! ```
//! use webxsl::xml::{Document, Limits};
//!
//! let text = "<configuration>\n  <system.webServer/>\n</configuration>\n";
//! let doc = Document::parse(text.as_bytes(), &Limits::default())?;
//! let root = doc.tree().root_element().unwrap();
//! assert_eq!(doc.tree().element_children(root).count(), 1);
//! // An unedited document is written back byte for byte.
//! assert_eq!(doc.to_bytes().unwrap(), text.as_bytes());
//! # Ok::<(), webxsl::xml::XmlError>(())
//! ```

#![warn(missing_docs)]

pub mod apply;
pub mod diag;
pub mod diff;
pub mod generate;
pub mod html;
pub mod iis;
pub mod manifest;
pub mod model;
pub mod patch;
pub mod probe;
pub mod profile;
pub mod reports;
pub mod validate;
pub mod xdt;
pub mod xml;
pub mod xpath;
pub mod xslt;
