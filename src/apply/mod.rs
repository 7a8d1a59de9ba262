//! The main job: run a stylesheet (or XDT transforms) on a web.config and write a result whose
//! diff against the input holds only the real change (see [`crate::patch`]), in the input's
//! encoding.

mod profile;

pub use profile::ProfileTransform;

use crate::diag::Pos;
use crate::iis::{Duplicate, IisVersion, duplicates};
use crate::patch::{NotAnEdit, minimal_edit_with};
use crate::profile::{Profile, bad_value_char, is_token};
use crate::xdt::{XdtError, XdtErrors, XdtTransform};
use crate::xml::encoding::{EncodeError, decode, encode, encode_owned};
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
    /// Write a result that IIS would refuse (HTTP 500.19: a duplicate the input did not have).
    pub allow_broken: bool,
    /// Whose server defaults the duplicate check assumes.
    pub iis: IisVersion,
    /// Leave [`Applied::old_text`] and [`Applied::new_text`] empty: on a large document that
    /// saves two copies of it (the CLI sets it when it shows no diff).
    pub skip_texts: bool,
}

/// A duplicate collection entry (HTTP 500.19, or ASP.NET's configuration error), located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenEntry {
    /// The validate rule (`duplicate-entry`...).
    pub rule: &'static str,
    /// What is wrong (names the first entry's line, or the server level).
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Where the duplicate is: in the result for a new one, in the input for an old one.
    pub pos: Pos,
    /// The line at `pos`.
    pub line: String,
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
    /// The stylesheet's warnings (a broken `format-number()` pattern...; none for XDT).
    pub stylesheet_warnings: Vec<XsltError>,
    /// Duplicates the input already had (reported; they do not stop the run).
    pub broken_before: Vec<BrokenEntry>,
    /// Duplicates the result adds, written anyway because of [`ApplyOptions::allow_broken`].
    pub broken_allowed: Vec<BrokenEntry>,
    /// The input as text (for diffs; empty with [`ApplyOptions::skip_texts`]).
    pub old_text: String,
    /// The output as text (for diffs; empty with [`ApplyOptions::skip_texts`]).
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
    /// The result adds entries IIS would refuse (HTTP 500.19): nothing is written.
    #[error("refusing to write the result: IIS would answer HTTP 500.19 ({} duplicate entr{})", .0.len(), if .0.len() == 1 { "y" } else { "ies" })]
    BreaksIis(Vec<BrokenEntry>),
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
    run_stylesheet(sheet, &doc, Original::Bytes(input), opts)
}

/// [`apply_stylesheet`] for input the caller gives up: UTF-8 input (the usual case) becomes
/// the document's text without a copy, which saves the size of the file on a large one.
pub fn apply_stylesheet_owned(
    sheet: &Stylesheet,
    input: Vec<u8>,
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    if !crate::xml::encoding::is_utf8_encoded(&input) {
        return apply_stylesheet(sheet, &input, opts);
    }
    let doc = Document::parse_owned(input, &opts.limits)?;
    run_stylesheet(sheet, &doc, Original::Utf8, opts)
}

/// What the input was, to tell whether the output differs from it.
#[derive(Clone, Copy)]
enum Original<'a> {
    /// These bytes.
    Bytes(&'a [u8]),
    /// The document's text in UTF-8, after a BOM if its encoding has one.
    Utf8,
}

impl Original<'_> {
    fn differs(self, doc: &Document, bytes: &[u8]) -> bool {
        match self {
            Original::Bytes(input) => bytes != input,
            Original::Utf8 => {
                let bom: &[u8] = if doc.encoding().bom {
                    &[0xEF, 0xBB, 0xBF]
                } else {
                    &[]
                };
                bytes.strip_prefix(bom) != Some(doc.text().as_bytes())
            }
        }
    }
}

fn run_stylesheet(
    sheet: &Stylesheet,
    doc: &Document,
    original: Original,
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    let result = sheet.transform(doc.tree(), &opts.transform)?;
    let method = result.output.effective_method(&result.tree);
    let not_xml = (method != Method::Xml).then(|| {
        format!(
            "the stylesheet's output method is {}",
            format!("{method:?}").to_lowercase()
        )
    });
    let mut applied = finish(
        doc,
        original,
        (&result.tree, &result.copies),
        &result.output,
        opts,
        not_xml,
    )?;
    applied.messages = result.messages;
    applied.stylesheet_warnings = result.warnings;
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
    // Debug builds (every test run) check that the unchanged elements the run reports change
    // nothing in the minimal edit: the same text, or the same refusal, as comparing them all.
    #[cfg(debug_assertions)]
    assert_eq!(
        crate::patch::minimal_edit_with(&doc, &outcome.tree, &outcome.copies).ok(),
        crate::patch::minimal_edit(&doc, &outcome.tree).ok(),
        "the XDT run's unchanged elements"
    );
    let output = OutputSpec {
        method: Some(Method::Xml),
        ..OutputSpec::default()
    };
    let mut applied = finish(
        &doc,
        Original::Bytes(input),
        (&outcome.tree, &outcome.copies),
        &output,
        opts,
        None,
    )?;
    applied.warnings = outcome.warnings;
    Ok(applied)
}

/// The common tail: refuse unsafe headers, express the result as a minimal edit of the input
/// (or, when it is not one, serialize it and say why), and encode. `result` comes with the
/// elements it copied whole from the input (see [`minimal_edit_with`]).
fn finish(
    doc: &Document,
    original: Original,
    (result, copies): (&Tree, &[(NodeId, NodeId)]),
    output: &OutputSpec,
    opts: &ApplyOptions,
    not_an_edit: Option<String>,
) -> Result<Applied, ApplyError> {
    check_headers(doc, result)?;
    let minimal = if opts.faithful {
        None
    } else if let Some(reason) = not_an_edit {
        Some(Err(NotAnEdit(reason)))
    } else {
        Some(minimal_edit_with(doc, result, copies))
    };
    let (bytes, fallback, edited) = match minimal {
        Some(Ok(text)) if opts.skip_texts => (encode_owned(text, doc.encoding())?, None, None),
        Some(Ok(text)) => (encode(&text, doc.encoding())?, None, Some(text)),
        Some(Err(NotAnEdit(reason))) => (serialize(result, output)?, Some(reason), None),
        None => (serialize(result, output)?, None, None),
    };
    // The output as text: the edited text itself, or the bytes decoded.
    let as_text = |bytes: &[u8]| match decode(bytes) {
        Ok((t, _)) => t,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    let new_text = match edited {
        Some(t) => t,
        None if opts.skip_texts => String::new(),
        None => as_text(&bytes),
    };
    // Never break IIS: the duplicates the result adds (those the input already had are only
    // reported).
    let errors = |t: &Tree| -> Vec<Duplicate> {
        duplicates(t, opts.iis)
            .into_iter()
            .filter(Duplicate::is_error)
            .collect()
    };
    let before = errors(doc.tree());
    let old: Vec<_> = before.iter().map(Duplicate::identity).collect();
    let mut broken_allowed = Vec::new();
    // A minimal edit that edits nothing writes the input's own text: it has the input's
    // duplicates, nothing new (a batch leaves most files as they are).
    let unchanged = !opts.skip_texts && new_text == doc.text();
    if !unchanged && errors(result).iter().any(|d| !old.contains(&d.identity())) {
        // Locate them in the text that would be written.
        let decoded;
        let text: &str = if opts.skip_texts {
            decoded = as_text(&bytes);
            &decoded
        } else {
            &new_text
        };
        let written = Document::parse_str(
            text,
            &Limits {
                max_bytes: usize::MAX,
                ..Limits::default()
            },
        )?;
        let new: Vec<BrokenEntry> = errors(written.tree())
            .iter()
            .filter(|d| !old.contains(&d.identity()))
            .map(|d| located(&written, d))
            .collect();
        if !opts.allow_broken {
            return Err(ApplyError::BreaksIis(new));
        }
        broken_allowed = new;
    }
    Ok(Applied {
        changed: original.differs(doc, &bytes),
        bytes,
        fallback,
        messages: Vec::new(),
        warnings: Vec::new(),
        stylesheet_warnings: Vec::new(),
        broken_before: before.iter().map(|d| located(doc, d)).collect(),
        broken_allowed,
        old_text: if opts.skip_texts {
            String::new()
        } else {
            doc.text().to_owned()
        },
        new_text,
    })
}

/// A duplicate with its place in `doc`.
fn located(doc: &Document, d: &Duplicate) -> BrokenEntry {
    let t = doc.tree();
    let f = d.describe(&|n| doc.pos(t.span(n).start).line);
    let pos = doc.pos(t.span(d.second).start);
    BrokenEntry {
        rule: f.rule,
        message: f.message,
        hint: f
            .hint
            .or_else(|| Some(crate::validate::rule_by_id(f.rule).hint.to_owned())),
        pos,
        line: crate::diag::line_text(doc.text(), pos.line)
            .unwrap_or("")
            .to_owned(),
    }
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
/// template does (see [`ProfileTransform`], which also serves many documents).
pub fn apply_profile(
    profile: &Profile,
    input: &[u8],
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    ProfileTransform::new(profile).apply(input, opts)
}

/// Configs a generated template must never break (HTTP 500.19), whatever the profile: an empty
/// one, a typical ASP.NET one with headers, and (for the XSL template, which handles it) one
/// whose `system.webServer` lives in `<location path=".">`.
const SELF_CHECK_CONFIGS: &[(&str, &str, bool)] = &[
    (
        "an empty <configuration>",
        "<configuration>\n</configuration>\n",
        true,
    ),
    (
        "a config with headers",
        "<configuration>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <remove name=\"X-Powered-By\" />\n        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n        <add name=\"X-Content-Type-Options\" value=\"nosniff\" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n</configuration>\n",
        true,
    ),
    (
        "a config whose system.webServer is in <location path=\".\">",
        "<configuration>\n  <location path=\".\" inheritInChildApplications=\"false\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"X-Content-Type-Options\" value=\"nosniff\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n",
        false,
    ),
];

/// `webxsl generate`'s self-check: the template generated for `profile` (`xdt` or the XSL one)
/// applied to a few typical configs adds no entry IIS refuses. `Err` says on which and why.
pub fn check_generated(profile: &Profile, xdt: bool) -> Result<(), String> {
    let opts = ApplyOptions::default();
    /// The template checked: for XSL the stylesheet itself, not the profile applied natively.
    enum Template {
        Xdt(XdtTransform),
        Xsl(Stylesheet),
    }
    let template = if xdt {
        Template::Xdt(
            XdtTransform::from_str(&crate::generate::xdt(profile), "generated.xdt")
                .map_err(|e| format!("internal: the generated XDT does not load: {e}"))?,
        )
    } else {
        Template::Xsl(profile_stylesheet(profile))
    };
    for (what, config, xdt_too) in SELF_CHECK_CONFIGS {
        let r = match &template {
            Template::Xdt(t) if *xdt_too => apply_transforms(&[t], config.as_bytes(), &opts),
            Template::Xdt(_) => continue,
            Template::Xsl(sheet) => apply_stylesheet(sheet, config.as_bytes(), &opts),
        };
        match r {
            Ok(_) => {}
            Err(ApplyError::BreaksIis(entries)) => {
                let e = &entries[0];
                return Err(format!(
                    "the template would break IIS on {what}: {} (line {} of the result). A profile writes a <remove> before each <add> with remove-inherited = true",
                    e.message, e.pos.line,
                ));
            }
            Err(e) => return Err(format!("internal: the template fails on {what}: {e}")),
        }
    }
    Ok(())
}
