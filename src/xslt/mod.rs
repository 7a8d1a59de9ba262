//! An XSLT 1.0 processor: compile a stylesheet into an instruction tree, execute it over a
//! source tree into a result tree, serialize per `xsl:output`.
//!
//! ```
//! use webxsl::xml::{Document, Limits};
//! use webxsl::xslt::{serialize, Stylesheet, TransformOptions};
//!
//! let xsl = r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
//!   <xsl:output omit-xml-declaration="yes"/>
//!   <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
//!   <xsl:template match="customHeaders">
//!     <xsl:copy><xsl:apply-templates/><add name="X-Frame-Options" value="DENY"/></xsl:copy>
//!   </xsl:template>
//! </xsl:stylesheet>"#;
//! let sheet = Stylesheet::from_str(xsl, None)?;
//! let doc = Document::parse_str("<customHeaders/>", &Limits::default())?;
//! let result = sheet.transform(doc.tree(), &TransformOptions::default())?;
//! let out = serialize(&result.tree, &result.output)?;
//! assert_eq!(String::from_utf8(out)?, "<customHeaders><add name=\"X-Frame-Options\" value=\"DENY\"/></customHeaders>\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ast;
pub mod compile;
pub mod decimal;
pub mod error;
pub mod exec;
pub(crate) mod ext;
pub mod number;
pub mod serialize;

pub use compile::Stylesheet;
pub use error::XsltError;
pub use exec::{ParamValue, TransformOptions, TransformResult};
pub use serialize::{Method, OutputSpec, serialize};

/// The XSLT namespace.
pub const XSLT_NS: &str = "http://www.w3.org/1999/XSL/Transform";

#[cfg(test)]
mod tests {
    /// Batches share one compiled stylesheet between threads; this fails to compile if a
    /// reference-counted or cell type sneaks back into the compiled form or the trees.
    #[test]
    fn stylesheets_and_trees_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<super::Stylesheet>();
        shared::<crate::xml::Tree>();
        shared::<super::TransformResult>();
    }
}
