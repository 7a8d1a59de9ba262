//! XDT (Microsoft's XML-Document-Transform, the language of `Web.Release.config` and NuGet's
//! `web.config.install.xdt`) with the semantics of Microsoft.Web.XmlTransform.
//!
//! Pipeline: [`parse`] reads the transform file (limits, no DTD, `xdt:Import` refused) →
//! [`exec`] copies the input into a mutable [`dom::Dom`] and walks the transform file in
//! document order: each element's path is composed by [`locate`] from its ancestors' (`Match`,
//! `Condition`, `XPath` locators), evaluated by webxsl's XPath 1.0 engine on the document as it
//! is at that moment (the common paths directly on the `Dom`: `direct.rs`), and its transform
//! applied ([`verbs`]) → the result becomes a [`Tree`] that [`crate::apply`] turns into a
//! minimal edit of the input, verified like an XSLT result (the elements the run left as they
//! were are trusted, as XSLT's copies are).
//!
//! Messages follow the engine's (same texts, same positions: element and attribute names),
//! with a code each ([`error`]). A run that logs an error yields no result.
//!
//! ```
//! use webxsl::xdt::{XdtTransform, transform};
//! use webxsl::xml::{Document, Limits};
//!
//! let xdt = XdtTransform::from_str(
//!     r#"<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">
//!          <appSettings>
//!            <add key="env" value="prod" xdt:Transform="SetAttributes" xdt:Locator="Match(key)"/>
//!          </appSettings>
//!        </configuration>"#,
//!     "Web.Release.config",
//! )?;
//! let input = Document::parse_str(
//!     "<configuration><appSettings><add key='env' value='dev'/></appSettings></configuration>",
//!     &Limits::default(),
//! )?;
//! let out = transform(&input, &[&xdt])?;
//! let t = &out.tree;
//! let add = t.descendants(t.root()).find(|&n| t.local_name(n) == "add").unwrap();
//! assert_eq!(t.attribute_value(add, "", "value"), Some("prod"));
//! assert!(out.warnings.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod direct;
pub mod dom;
pub mod error;
pub mod exec;
pub mod locate;
pub mod parse;
pub mod verbs;

pub use error::{XdtError, XdtErrors};
pub use parse::XdtTransform;

use crate::xml::{Document, Tree};

/// The result of running XDT transforms: the transformed tree and the warnings.
#[derive(Debug)]
pub struct XdtOutcome {
    /// The transformed document.
    pub tree: Tree,
    /// Its elements that are still the input's, with their input nodes (see
    /// [`crate::patch::minimal_edit_with`]).
    pub copies: Vec<(crate::xml::NodeId, crate::xml::NodeId)>,
    /// Warnings of the run (the transforms' own load warnings are in
    /// [`XdtTransform::warnings`]).
    pub warnings: Vec<XdtError>,
}

/// Runs transforms in order on a document (a build transform, then an environment transform,
/// as MSBuild chains them). Any error fails the run; the messages come in the order they arose.
pub fn transform(input: &Document, chain: &[&XdtTransform]) -> Result<XdtOutcome, XdtErrors> {
    let mut run = exec::Run::new(input, chain);
    run.run_all();
    if run.failed() {
        return Err(XdtErrors(run.messages));
    }
    let (tree, copies) = run.dom.to_tree_with_copies();
    Ok(XdtOutcome {
        tree,
        copies,
        warnings: run.messages,
    })
}
