//! Reading a transform file: the document (untrusted input, same limits as configs), the
//! checks .NET makes when it loads one (`xdt:Import`, unknown `xdt:` elements), and the syntax
//! of `Transform` and `Locator` values: `Name` or `Name(arguments)`.

use std::ops::Range;

use crate::generate::XDT_NS;
use crate::xml::document::raw_value_offset;
use crate::xml::{Document, Limits, NodeId, NodeKind, Tree};

use super::error::{XdtError, XdtErrors};

/// A parsed XDT transform file (Web.Release.config, web.config.install.xdt...).
#[derive(Debug)]
pub struct XdtTransform {
    doc: Document,
    name: String,
    uses_namespace: bool,
    warnings: Vec<XdtError>,
}

impl XdtTransform {
    /// Parses a transform; `name` is how messages name the file. Refuses `xdt:Import` (it
    /// loads an assembly into the engine) and what the input limits refuse (a DTD...).
    pub fn parse(bytes: &[u8], name: &str, limits: &Limits) -> Result<XdtTransform, XdtErrors> {
        let doc = Document::parse(bytes, limits).map_err(|e| {
            let text = crate::xml::encoding::decode(bytes).map(|(t, _)| t).ok();
            let mut x = XdtError::new("XDT0001", e.to_string());
            x.file = Some(name.into());
            x.pos = Some(e.pos());
            x.source_line = text
                .as_deref()
                .and_then(|t| crate::diag::line_text(t, e.pos().line))
                .map(Into::into);
            if let Some(h) = e.hint() {
                x = x.hint(h);
            }
            XdtErrors(vec![x])
        })?;
        let mut t = XdtTransform {
            doc,
            name: name.to_owned(),
            uses_namespace: false,
            warnings: Vec::new(),
        };
        t.preprocess()?;
        Ok(t)
    }

    /// Parses a transform from text.
    pub fn from_str(text: &str, name: &str) -> Result<XdtTransform, XdtErrors> {
        XdtTransform::parse(text.as_bytes(), name, &Limits::default())
    }

    /// How messages name the file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What loading it found worth a warning: unknown `xdt:` elements, no XDT namespace at all.
    pub fn warnings(&self) -> &[XdtError] {
        &self.warnings
    }

    /// The parsed file.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub(crate) fn tree(&self) -> &Tree {
        self.doc.tree()
    }

    /// Whether any element binds the XDT namespace: without it the engine does nothing.
    pub(crate) fn uses_namespace(&self) -> bool {
        self.uses_namespace
    }

    /// A message located at byte `offset` of this file.
    pub(crate) fn error_at(
        &self,
        offset: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> XdtError {
        let mut e = XdtError::new(code, message);
        let pos = self.doc.pos(offset);
        e.file = Some(self.name.as_str().into());
        e.pos = Some(pos);
        e.source_line = crate::diag::line_text(self.doc.text(), pos.line).map(Into::into);
        e
    }

    /// The byte offset of character `decoded` of attribute `a`'s value (entity references and
    /// normalised white space accounted for).
    pub(crate) fn value_offset(&self, a: NodeId, decoded: usize) -> usize {
        let span = self.tree().attr_value_span(a);
        span.start + raw_value_offset(&self.doc.text()[span.start..span.end], decoded)
    }

    /// The `xdt:` attribute `local` of element `el`.
    pub(crate) fn xdt_attr(&self, el: NodeId, local: &str) -> Option<NodeId> {
        self.tree().attribute(el, XDT_NS, local)
    }

    fn preprocess(&mut self) -> Result<(), XdtErrors> {
        let t = self.doc.tree();
        self.uses_namespace = t.descendants(NodeId::ROOT).any(|n| {
            t.kind(n) == NodeKind::Element
                && t.namespaces(n).iter().any(|b| t.atom(b.uri) == XDT_NS)
        });
        if !self.uses_namespace {
            let mut w = XdtError::new(
                "XDT0010",
                format!(
                    "the transform does not use the XDT namespace {XDT_NS}: it changes nothing"
                ),
            )
            .warning()
            .hint(format!(
                "declare xmlns:xdt=\"{XDT_NS}\" on the root element and use xdt:Transform"
            ));
            w.file = Some(self.name.as_str().into());
            self.warnings.push(w);
            return Ok(());
        }
        let mut errors = Vec::new();
        for n in t.descendants(NodeId::ROOT) {
            if t.kind(n) != NodeKind::Element || t.namespace_uri(n) != XDT_NS {
                continue;
            }
            let at = super::dom::name_offset(t, n);
            if t.local_name(n) == "Import" {
                errors.push(
                    self.error_at(
                        at,
                        "XDT0008",
                        format!(
                            "'{}' loads an assembly into the transform engine: webxsl refuses it",
                            t.qualified_name(n)
                        ),
                    )
                    .hint("use only the built-in transforms and locators"),
                );
            } else {
                let w = self
                    .error_at(
                        at,
                        "XDT0009",
                        format!("Unknown tag '{}'", t.qualified_name(n)),
                    )
                    .warning();
                self.warnings.push(w);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            let mut all = self.warnings.clone();
            all.extend(errors);
            Err(XdtErrors(all))
        }
    }
}

/// A `Transform` or `Locator` value taken apart: `Name`, `Name()` or `Name(arguments)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The name.
    pub name: String,
    /// The argument text (between the first `(` and the last `)`), with its byte offset in the
    /// value; `None` when there are no parentheses or nothing between them.
    pub args: Option<(String, usize)>,
}

/// One argument, with its byte offset in the attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Arg {
    pub text: String,
    pub offset: usize,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Takes a value apart as .NET does (`\A\s*(\w+)(\s*\((.*)\))?\s*\Z`); `None` when it is not of
/// that shape.
pub(crate) fn parse_spec(value: &str) -> Option<Spec> {
    let start = value.len() - value.trim_start().len();
    let name_len = value[start..]
        .find(|c: char| !is_word(c))
        .unwrap_or(value.len() - start);
    if name_len == 0 {
        return None;
    }
    let name = &value[start..start + name_len];
    let rest = &value[start + name_len..];
    let body = rest.trim();
    if body.is_empty() {
        return Some(Spec {
            name: name.to_owned(),
            args: None,
        });
    }
    if !body.starts_with('(') || !body.ends_with(')') || body.len() < 2 {
        return None;
    }
    let open = start + name_len + (rest.len() - rest.trim_start().len());
    let inner = &body[1..body.len() - 1];
    Some(Spec {
        name: name.to_owned(),
        args: (!inner.is_empty()).then(|| (inner.to_owned(), open + 1)),
    })
}

/// Splits arguments as .NET does: at commas outside parentheses, each then trimmed. A single
/// argument (no comma at all) is taken as it is, white space included.
pub(crate) fn split_args(text: &str, offset: usize) -> Vec<Arg> {
    if !text.contains(',') {
        return vec![Arg {
            text: text.to_owned(),
            offset,
        }];
    }
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let push = |piece: Range<usize>, out: &mut Vec<Arg>| {
        let raw = &text[piece.clone()];
        let lead = raw.len() - raw.trim_start().len();
        out.push(Arg {
            text: raw.trim().to_owned(),
            offset: offset + piece.start + lead,
        });
    };
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                push(start..i, &mut out);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(start..text.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    fn spec(v: &str) -> Option<(String, Option<String>)> {
        parse_spec(v).map(|s| (s.name, s.args.map(|(a, _)| a)))
    }

    #[test]
    fn values_are_taken_apart_like_the_engine_does() {
        assert_eq!(spec("Replace"), Some(("Replace".into(), None)));
        assert_eq!(spec(" Replace () "), Some(("Replace".into(), None)));
        assert_eq!(
            spec("SetAttributes( a, b )"),
            Some(("SetAttributes".into(), Some(" a, b ".into())))
        );
        assert_eq!(
            spec("Condition(f(x)='1')"),
            Some(("Condition".into(), Some("f(x)='1'".into())))
        );
        for bad in [
            "SetAttributes:foo",
            "SetAttributes(foo",
            "#SetAttributes#",
            "",
            "A B",
        ] {
            assert_eq!(spec(bad), None, "{bad}");
        }
        let s = parse_spec("  Match( name)").unwrap();
        assert_eq!(s.args, Some((" name".into(), 8)));
    }

    #[test]
    fn commas_split_outside_parentheses_and_a_lone_argument_keeps_its_spaces() {
        let a = |t: &str| -> Vec<String> { split_args(t, 0).into_iter().map(|a| a.text).collect() };
        assert_eq!(a(" name "), [" name "]);
        assert_eq!(a("a, b ,c"), ["a", "b", "c"]);
        assert_eq!(a("contains(@a, 'x'), b"), ["contains(@a, 'x')", "b"]);
        // The engine's own gotcha: a comma inside quotes still splits.
        assert_eq!(a("@a='x,y'"), ["@a='x", "y'"]);
        assert_eq!(split_args("a, b", 10)[1].offset, 13);
    }

    #[test]
    fn import_is_refused_and_unknown_tags_are_warned_about() {
        let ns = XDT_NS;
        let e = XdtTransform::from_str(
            &format!("<c xmlns:x='{ns}'>\n  <x:Import assembly='a' namespace='n'/></c>"),
            "t.config",
        )
        .unwrap_err();
        assert_eq!(e.first_error().code, "XDT0008");
        assert_eq!(e.first_error().pos, Some(Pos::new(2, 4)));
        let t = XdtTransform::from_str(&format!("<c xmlns:x='{ns}'>\n <x:Foo/></c>"), "t").unwrap();
        assert_eq!(t.warnings()[0].code, "XDT0009");
        assert_eq!(t.warnings()[0].pos, Some(Pos::new(2, 3)));
        let t = XdtTransform::from_str("<c/>", "t").unwrap();
        assert_eq!(t.warnings()[0].code, "XDT0010");
    }
}
