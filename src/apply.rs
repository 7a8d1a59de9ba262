//! The main job: run a stylesheet (or XDT transforms) on a web.config and write a result whose
//! diff against the input holds only the real change (see [`crate::patch`]), in the input's
//! encoding.

use crate::diag::Pos;
use crate::patch::{NotAnEdit, minimal_edit};
use crate::profile::{Profile, bad_value_char, is_token};
use crate::xdt::{XdtError, XdtErrors, XdtTransform};
use crate::xml::encoding::{EncodeError, decode, encode};
use crate::xml::{Document, Limits, NodeId, NodeKind, Tree, XmlError};
use crate::xslt::{Method, OutputSpec, Stylesheet, TransformOptions, XsltError, serialize};

/// Options of [`apply_stylesheet`].
#[derive(Clone, Debug, Default)]
pub struct ApplyOptions {
    /// Write the stylesheet's own serialization instead of a minimal edit.
    pub faithful: bool,
    /// Transformation options (parameters, `document()`, limits).
    pub transform: TransformOptions,
    /// Limits for the input document.
    pub limits: Limits,
}

/// The outcome of applying a stylesheet to one document.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The bytes to write.
    pub bytes: Vec<u8>,
    /// Whether they differ from the input.
    pub changed: bool,
    /// Why the faithful serialization was written instead of a minimal edit, if it was.
    pub fallback: Option<String>,
    /// `xsl:message` output.
    pub messages: Vec<String>,
    /// The warnings of XDT transforms (none for a stylesheet).
    pub warnings: Vec<XdtError>,
    /// The input as text (for diffs).
    pub old_text: String,
    /// The output as text (for diffs).
    pub new_text: String,
}

/// Why a document could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The input is not acceptable XML.
    #[error("{0}")]
    Xml(#[from] XmlError),
    /// The transformation failed.
    #[error("{0}")]
    Xslt(#[from] XsltError),
    /// An XDT transform failed: its errors and warnings, in order.
    #[error("{0}")]
    Xdt(#[from] XdtErrors),
    /// The result cannot be written in the input's encoding.
    #[error("{0}")]
    Encode(#[from] EncodeError),
    /// The result would hold a header IIS would send broken or split: a name that is not an
    /// RFC 9110 token, or a value with CR, LF or another control character. `pos` is the
    /// entry's place in the input when it came from there.
    #[error("{message}")]
    UnsafeHeader {
        /// What is wrong.
        message: String,
        /// Line and column in the input, if the entry was already there.
        pos: Option<Pos>,
    },
}

/// Refuses results with a header that would be sent broken: no stylesheet, parameter or
/// profile can make webxsl write a header name that is not a token or a value that could split
/// the response (CR/LF) into the `customHeaders` of a web.config.
fn check_headers(source: &Document, result: &Tree) -> Result<(), ApplyError> {
    for n in result.descendants(NodeId::ROOT) {
        if result.kind(n) != NodeKind::Element
            || result.local_name(n) != "add"
            || result
                .parent(n)
                .is_none_or(|p| result.local_name(p) != "customHeaders")
        {
            continue;
        }
        let name = result.attribute_value(n, "", "name").unwrap_or("");
        let value = result.attribute_value(n, "", "value").unwrap_or("");
        let problem = if !is_token(name) {
            format!("header name {name:?} is not a token (RFC 9110)")
        } else if let Some((_, c)) = bad_value_char(value) {
            format!(
                "header {name} has the control character U+{:04X} in its value: IIS would send a broken or split response",
                c as u32
            )
        } else {
            continue;
        };
        // Point at the entry in the input when the stylesheet only copied it.
        let t = source.tree();
        let pos = t
            .descendants(NodeId::ROOT)
            .find(|&m| {
                t.kind(m) == NodeKind::Element
                    && t.local_name(m) == "add"
                    && t.attribute_value(m, "", "name") == Some(name)
                    && t.attribute_value(m, "", "value").unwrap_or("") == value
            })
            .map(|m| source.pos(t.span(m).start));
        return Err(ApplyError::UnsafeHeader {
            message: format!("refusing to write the result: {problem}"),
            pos,
        });
    }
    Ok(())
}

/// Applies a stylesheet to a document's bytes.
///
/// ```
/// use webxsl::apply::{apply_stylesheet, ApplyOptions};
/// use webxsl::xslt::Stylesheet;
///
/// let xsl = r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
///   <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
///   <xsl:template match="customHeaders"><xsl:copy><xsl:apply-templates select="@*|node()"/><add name="X-Frame-Options" value="DENY"/></xsl:copy></xsl:template>
/// </xsl:stylesheet>"#;
/// let input = "<configuration>\r\n  <customHeaders>\r\n    <add name='A' value='1' />\r\n  </customHeaders>\r\n</configuration>";
/// let out = apply_stylesheet(&Stylesheet::from_str(xsl, None)?, input.as_bytes(), &ApplyOptions::default())?;
/// assert_eq!(
///     out.new_text,
///     "<configuration>\r\n  <customHeaders>\r\n    <add name='A' value='1' />\r\n    <add name='X-Frame-Options' value='DENY' />\r\n  </customHeaders>\r\n</configuration>"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_stylesheet(
    sheet: &Stylesheet,
    input: &[u8],
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    let doc = Document::parse(input, &opts.limits)?;
    let result = sheet.transform(doc.tree(), &opts.transform)?;
    let method = result.output.effective_method(&result.tree);
    let not_xml = (method != Method::Xml).then(|| {
        format!(
            "the stylesheet's output method is {}",
            format!("{method:?}").to_lowercase()
        )
    });
    let mut applied = finish(
        &doc,
        input,
        &result.tree,
        &result.output,
        opts.faithful,
        not_xml,
    )?;
    applied.messages = result.messages;
    Ok(applied)
}

/// Applies XDT transforms, in order, to a document's bytes (a build transform, then an
/// environment transform, as MSBuild chains them), with a minimal edit as for a stylesheet.
///
/// ```
/// use webxsl::apply::{apply_transforms, ApplyOptions};
/// use webxsl::xdt::XdtTransform;
///
/// let xdt = XdtTransform::from_str(r#"<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">
///   <system.web><compilation xdt:Transform="RemoveAttributes(debug)"/></system.web>
/// </configuration>"#, "Web.Release.config")?;
/// let input = "<configuration>\r\n  <system.web>\r\n    <compilation debug='true' targetFramework='4.8'/>\r\n  </system.web>\r\n</configuration>";
/// let out = apply_transforms(&[&xdt], input.as_bytes(), &ApplyOptions::default())?;
/// assert_eq!(
///     out.new_text,
///     "<configuration>\r\n  <system.web>\r\n    <compilation targetFramework='4.8'/>\r\n  </system.web>\r\n</configuration>"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_transforms(
    chain: &[&XdtTransform],
    input: &[u8],
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    let doc = Document::parse(input, &opts.limits)?;
    let outcome = crate::xdt::transform(&doc, chain)?;
    let output = OutputSpec {
        method: Some(Method::Xml),
        ..OutputSpec::default()
    };
    let mut applied = finish(&doc, input, &outcome.tree, &output, opts.faithful, None)?;
    applied.warnings = outcome.warnings;
    Ok(applied)
}

/// The common tail: refuse unsafe headers, express the result as a minimal edit of the input
/// (or, when it is not one, serialize it and say why), and encode.
fn finish(
    doc: &Document,
    input: &[u8],
    result: &Tree,
    output: &OutputSpec,
    faithful: bool,
    not_an_edit: Option<String>,
) -> Result<Applied, ApplyError> {
    check_headers(doc, result)?;
    let minimal = if faithful {
        None
    } else if let Some(reason) = not_an_edit {
        Some(Err(NotAnEdit(reason)))
    } else {
        Some(minimal_edit(doc, result))
    };
    let (bytes, fallback) = match minimal {
        Some(Ok(text)) => (encode(&text, doc.encoding())?, None),
        Some(Err(NotAnEdit(reason))) => (serialize(result, output)?, Some(reason)),
        None => (serialize(result, output)?, None),
    };
    let new_text = match decode(&bytes) {
        Ok((t, _)) => t,
        Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Ok(Applied {
        changed: bytes != input,
        bytes,
        fallback,
        messages: Vec::new(),
        warnings: Vec::new(),
        old_text: doc.text().to_owned(),
        new_text,
    })
}

/// The stylesheet that applies a profile: the one `webxsl generate` writes, compiled.
pub fn profile_stylesheet(profile: &Profile) -> Stylesheet {
    let xsl = crate::generate::xsl(profile);
    Stylesheet::from_str(&xsl, None).unwrap_or_else(|e| {
        panic!(
            "the generated stylesheet for {} does not compile: {e}",
            profile.name
        )
    })
}

/// Applies a header profile to a document's bytes: exactly what applying its generated XSL
/// template does.
pub fn apply_profile(
    profile: &Profile,
    input: &[u8],
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    apply_stylesheet(&profile_stylesheet(profile), input, opts)
}
