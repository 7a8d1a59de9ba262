//! Locators: how a transform element's target is found. As in Microsoft's engine, each element
//! gets an XPath *text* built from its parent's: a child step named like the element, plus what
//! its `xdt:Locator` adds — `Match(attr,...)` a predicate comparing those attributes,
//! `Condition(expr)` a predicate, `XPath(expr)` a whole path. The text is then evaluated on the
//! working document as it is at that moment, so later locators see earlier changes.
//!
//! Every piece of the text remembers where in the transform file it was written, so an XPath
//! error points inside the attribute it came from.

use std::ops::Range;

use crate::xml::{NodeId, XML_NS};
use crate::xpath::{StaticContext, XPath, XPathError};

use super::error::XdtError;
use super::parse::{Arg, XdtTransform, parse_spec, split_args};

/// A composed XPath text, with the origin of the pieces users wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PathText {
    /// The expression.
    pub text: String,
    /// Pieces copied from attribute values: (range in `text`, attribute, byte offset of the
    /// piece in the attribute's value).
    pieces: Vec<(Range<usize>, NodeId, usize)>,
}

impl PathText {
    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends text written in attribute `attr` at value offset `offset`.
    fn push_piece(&mut self, s: &str, attr: NodeId, offset: usize) {
        let start = self.text.len();
        self.text.push_str(s);
        self.pieces.push((start..self.text.len(), attr, offset));
    }

    /// An absolute path given whole by the user.
    fn from_piece(s: &str, attr: NodeId, offset: usize) -> PathText {
        let mut p = PathText::default();
        p.push_piece(s, attr, offset);
        p
    }

    /// Where byte `at` of the text was written: (attribute, value offset).
    fn origin(&self, at: usize) -> Option<(NodeId, usize)> {
        self.pieces
            .iter()
            .find(|(r, _, _)| r.start <= at && at <= r.end)
            .map(|(r, a, o)| (*a, o + (at - r.start)))
    }

    /// `/./` becomes `/`, in one left-to-right pass like .NET's `String.Replace` (as the engine
    /// does for relative `XPath` locators); pieces follow the characters they keep.
    fn collapse_self_steps(&mut self) {
        let old = std::mem::take(&mut self.text);
        // Old indices of the removed characters (the "./" of each "/./").
        let mut removed = Vec::new();
        let mut i = 0;
        while let Some(j) = old[i..].find("/./") {
            self.text.push_str(&old[i..i + j + 1]);
            removed.extend([i + j + 1, i + j + 2]);
            i += j + 3;
        }
        self.text.push_str(&old[i..]);
        let map = |x: usize| x - removed.iter().filter(|&&r| r < x).count();
        for (r, _, o) in &mut self.pieces {
            let mut s = r.start;
            while removed.contains(&s) && s < r.end {
                s += 1;
            }
            *o += s - r.start;
            *r = map(s)..map(r.end);
        }
    }
}

/// What an element's `xdt:Locator` says.
#[derive(Clone, Debug)]
pub(crate) enum Locator {
    /// No locator (or `DefaultLocator`): a child step named like the element.
    Default,
    /// `Match(attr,...)`.
    Match(Vec<Arg>),
    /// `Condition(expr)`.
    Condition(Arg),
    /// `XPath(expr)`.
    XPath(Arg),
}

/// The transforms Microsoft's engine defines (what `Locator` rejects as "not a type of Locator").
pub(crate) const TRANSFORM_NAMES: &[&str] = &[
    "Replace",
    "Remove",
    "RemoveAll",
    "Insert",
    "InsertIfMissing",
    "InsertBefore",
    "InsertAfter",
    "SetAttributes",
    "SetTokenizedAttributes",
    "RemoveAttributes",
    "CommentOut",
];

/// The locators.
pub(crate) const LOCATOR_NAMES: &[&str] = &["Match", "Condition", "XPath", "DefaultLocator"];

/// The message for a name that is not a type of `kind` (`Transform` or `Locator`), with a
/// did-you-mean.
pub(crate) fn unknown_type(name: &str, kind: &str) -> (String, Option<String>) {
    let (own, other) = if kind == "Transform" {
        (TRANSFORM_NAMES, LOCATOR_NAMES)
    } else {
        (LOCATOR_NAMES, TRANSFORM_NAMES)
    };
    if other.contains(&name) {
        let hint = if kind == "Transform" {
            format!("{name} is a locator: write it as xdt:Locator=\"{name}(...)\"")
        } else {
            format!("{name} is a transform: write it as xdt:Transform=\"{name}\"")
        };
        return (
            format!("'Microsoft.Web.XmlTransform.{name}' is not a type of {kind}"),
            Some(hint),
        );
    }
    let best = own
        .iter()
        .map(|k| {
            (
                strsim::levenshtein(&k.to_lowercase(), &name.to_lowercase()),
                k,
            )
        })
        .min();
    let hint = match best {
        Some((d, k)) if d <= 3 => Some(format!("did you mean {k}?")),
        _ => Some(format!(
            "the {}s are {}",
            kind.to_lowercase(),
            own.join(", ")
        )),
    };
    (
        format!("Could not resolve '{name}' as a type of {kind}"),
        hint,
    )
}

/// Reads an element's locator. Errors point at the locator attribute.
pub(crate) fn locator(t: &XdtTransform, el: NodeId) -> Result<Locator, XdtError> {
    let Some(a) = t.xdt_attr(el, "Locator") else {
        return Ok(Locator::Default);
    };
    let tree = t.tree();
    let at = tree.span(a).start;
    let value = tree.value(a);
    let Some(spec) = parse_spec(value) else {
        return Err(bad_value(t, at));
    };
    let args = spec
        .args
        .as_ref()
        .map(|(s, o)| split_args(s, *o))
        .unwrap_or_default();
    let arg_error = |msg: String| {
        t.error_at(at, "XDT0004", msg)
            .hint(match spec.name.as_str() {
                "Condition" => "a comma outside parentheses separates arguments: wrap the expression in parentheses, e.g. Condition((@a='x,y'))",
                _ => "give one XPath expression, e.g. XPath(/configuration/appSettings)",
            })
    };
    match spec.name.as_str() {
        "DefaultLocator" => Ok(Locator::Default),
        "Match" if args.is_empty() => Err(t
            .error_at(at, "XDT0004", "Match requires at least 1 arguments")
            .hint("name the attributes to compare, e.g. Match(name)")),
        "Match" => Ok(Locator::Match(args)),
        "Condition" | "XPath" if args.len() != 1 => Err(arg_error(format!(
            "{} requires exactly 1 arguments",
            spec.name
        ))),
        "Condition" => Ok(Locator::Condition(args.into_iter().next().expect("one"))),
        "XPath" => Ok(Locator::XPath(args.into_iter().next().expect("one"))),
        other => {
            let (msg, hint) = unknown_type(other, "Locator");
            let mut e = t.error_at(at, "XDT0003", msg);
            e.hint = hint.map(Into::into);
            Err(e)
        }
    }
}

/// The error for a value that is not `Name(arguments)`.
pub(crate) fn bad_value(t: &XdtTransform, at: usize) -> XdtError {
    t.error_at(
        at,
        "XDT0002",
        "Transform and Locator attributes must contain only a type name, or a type name followed by a list of attributes in parentheses.",
    )
    .hint("write Name or Name(argument, ...), e.g. SetAttributes(value) or Match(name)")
}

/// The name test of an element's step: `_defaultNamespace:name` for an element in a default
/// namespace, the name as written otherwise.
fn node_test(t: &XdtTransform, el: NodeId) -> String {
    let tree = t.tree();
    if !tree.namespace_uri(el).is_empty() && tree.prefix(el).is_empty() {
        format!("_defaultNamespace:{}", tree.local_name(el))
    } else {
        tree.qualified_name(el).into_owned()
    }
}

/// `base/step[predicate]`: the engine's `AppendStep`.
fn append_step(base: &PathText, step: &str) -> PathText {
    let mut p = base.clone();
    if !p.text.ends_with('/') {
        p.push_str("/");
    }
    p.push_str(step);
    p
}

/// Appends a predicate, bracketed unless it already starts and ends with brackets.
fn push_predicate(p: &mut PathText, pred: &str, attr: NodeId, offset: usize) {
    if pred.is_empty() {
        return;
    }
    if !pred.starts_with('[') {
        p.push_str("[");
    }
    p.push_piece(pred, attr, offset);
    if !pred.ends_with(']') {
        p.push_str("]");
    }
}

/// The XPath text of an element, from its parent's (`""` at the top).
pub(crate) fn element_path(
    t: &XdtTransform,
    el: NodeId,
    parent: &PathText,
    loc: &Locator,
) -> Result<PathText, XdtError> {
    let tree = t.tree();
    let attr = t.xdt_attr(el, "Locator");
    match loc {
        Locator::Default => Ok(append_step(parent, &node_test(t, el))),
        Locator::Condition(arg) => {
            let mut p = append_step(parent, &node_test(t, el));
            push_predicate(&mut p, &arg.text, attr.expect("a locator"), arg.offset);
            Ok(p)
        }
        Locator::Match(keys) => {
            let a = attr.expect("a locator");
            let mut pred = String::new();
            for key in keys {
                // The engine looks the attribute up by its name as written.
                let found = tree
                    .attributes(el)
                    .find(|&x| tree.qualified_name(x) == key.text.as_str());
                let at = t.value_offset(a, key.offset);
                let Some(found) = found else {
                    return Err(t
                        .error_at(
                            at,
                            "XDT0005",
                            format!("No attribute '{}' exists for the Match Locator", key.text),
                        )
                        .hint(format!(
                            "give the element the attribute to compare, e.g. <{} {}=\"...\" xdt:Locator=\"Match({})\">",
                            tree.qualified_name(el),
                            key.text.trim(),
                            key.text.trim()
                        )));
                };
                let value = tree.value(found);
                if value.contains('\'') {
                    return Err(t
                        .error_at(
                            at,
                            "XDT0005",
                            format!(
                                "the value of '{}' contains an apostrophe: Match compares with @{}='...', which it breaks",
                                key.text, key.text
                            ),
                        )
                        .hint(format!(
                            "use Condition(@{}=\"...\") with the value in double quotes",
                            key.text
                        )));
                }
                if !pred.is_empty() {
                    pred.push_str(" and ");
                }
                pred.push_str(&format!("@{}='{}'", key.text, value));
            }
            let mut p = append_step(parent, &node_test(t, el));
            p.push_str("[");
            p.push_str(&pred);
            p.push_str("]");
            Ok(p)
        }
        Locator::XPath(arg) => {
            let a = attr.expect("a locator");
            if arg.text.starts_with('/') {
                return Ok(PathText::from_piece(&arg.text, a, arg.offset));
            }
            let mut p = append_step(&append_step(parent, &node_test(t, el)), "");
            p.push_piece(&arg.text, a, arg.offset);
            p.collapse_self_steps();
            Ok(p)
        }
    }
}

/// The path whose targets are an element's *parents* (for the inserting transforms): the
/// parent's path, or for an `XPath` locator the element's own.
pub(crate) fn parent_path(own: &PathText, parent: &PathText, loc: &Locator) -> PathText {
    match loc {
        Locator::XPath(_) => own.clone(),
        _ => parent.clone(),
    }
}

/// Compiles a path with the namespaces in scope on the transform element: its prefixes, and
/// `_defaultNamespace` for its default namespace. An error points into the attribute the
/// offending piece came from, or at the element.
pub(crate) fn compile(t: &XdtTransform, el: NodeId, path: &PathText) -> Result<XPath, XdtError> {
    let tree = t.tree();
    let resolve = |p: &str| -> Option<String> {
        if p == "xml" {
            return Some(XML_NS.to_owned());
        }
        let p = if p == "_defaultNamespace" { "" } else { p };
        tree.lookup_namespace(el, p)
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
    };
    let ctx = StaticContext {
        namespaces: &resolve,
        functions: &[],
    };
    XPath::compile_with(&path.text, &ctx).map_err(|e| xpath_error(t, el, path, &e))
}

/// Compiles an argument evaluated without namespaces (`InsertBefore(xpath)`: the engine calls
/// `SelectNodes` without a namespace manager).
pub(crate) fn compile_bare(
    t: &XdtTransform,
    el: NodeId,
    attr: NodeId,
    arg: &Arg,
) -> Result<XPath, XdtError> {
    let path = PathText::from_piece(&arg.text, attr, arg.offset);
    XPath::compile(&arg.text).map_err(|e| xpath_error(t, el, &path, &e))
}

/// An XPath error in a composed path, located.
pub(crate) fn xpath_error(
    t: &XdtTransform,
    el: NodeId,
    path: &PathText,
    e: &XPathError,
) -> XdtError {
    let at = match path.origin(e.span.start) {
        Some((a, off)) => t.value_offset(a, off),
        None => super::dom::name_offset(t.tree(), el),
    };
    let mut x = t.error_at(
        at,
        e.code,
        format!("{} (in the XPath '{}')", e.message, path.text),
    );
    if path.text.matches('[').count() != path.text.matches(']').count() {
        x = x.hint(
            "the engine adds a Condition's closing ']' only when the condition does not already end with ']': wrap it in parentheses, e.g. Condition((./add[@key='x']))",
        );
    } else if e.code == "XPST0081" {
        x = x.hint(
            "declare the prefix on the transform; an element in a default namespace is _defaultNamespace:name, available where the transform element has that default namespace (xmlns=\"...\")",
        );
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::XDT_NS;

    fn transform(body: &str) -> XdtTransform {
        XdtTransform::from_str(
            &format!("<configuration xmlns:xdt='{XDT_NS}'>{body}</configuration>"),
            "t.config",
        )
        .unwrap()
    }

    /// The paths of every element, built down from the root.
    fn paths(t: &XdtTransform) -> Vec<String> {
        fn walk(t: &XdtTransform, el: NodeId, parent: &PathText, out: &mut Vec<String>) {
            let loc = locator(t, el).unwrap();
            let p = element_path(t, el, parent, &loc).unwrap();
            out.push(p.text.clone());
            for c in t.tree().element_children(el) {
                walk(t, c, &p, out);
            }
        }
        let mut out = Vec::new();
        walk(
            t,
            t.tree().root_element().unwrap(),
            &PathText::default(),
            &mut out,
        );
        out
    }

    #[test]
    fn paths_compose_like_the_engines() {
        let t = transform(
            "<a><add name='x' k='1' xdt:Locator='Match(name, k)'/><b xdt:Locator='Condition(@p=1)'/>\
             <c xdt:Locator='XPath(./d)'/><e xdt:Locator='XPath(/z/y)'><f/></e><g xdt:Locator='Condition([1])'/></a>",
        );
        assert_eq!(
            paths(&t),
            [
                "/configuration",
                "/configuration/a",
                "/configuration/a/add[@name='x' and @k='1']",
                "/configuration/a/b[@p=1]",
                "/configuration/a/c/d",
                "/z/y",
                "/z/y/f",
                "/configuration/a/g[1]",
            ]
        );
        let t = XdtTransform::from_str(
            &format!("<configuration xmlns='urn:c' xmlns:xdt='{XDT_NS}'><a/></configuration>"),
            "t",
        )
        .unwrap();
        assert_eq!(
            paths(&t),
            [
                "/_defaultNamespace:configuration",
                "/_defaultNamespace:configuration/_defaultNamespace:a"
            ]
        );
    }

    #[test]
    fn an_xpath_error_points_inside_the_condition() {
        let t = transform("\n<add xdt:Locator='Condition(@name=)' />");
        let el = t.tree().root_element().unwrap();
        let add = t.tree().element_children(el).next().unwrap();
        let p = element_path(
            &t,
            add,
            &PathText::from_piece("/configuration", el, 0),
            &locator(&t, add).unwrap(),
        )
        .unwrap();
        let e = compile(&t, add, &p).unwrap_err();
        assert_eq!(e.code, "XPST0003");
        // Line 2: <add xdt:Locator='Condition(@name=)' />: the error is at the end of "@name=".
        assert_eq!(e.pos, Some(crate::diag::Pos::new(2, 35)));
    }

    #[test]
    fn locator_mistakes_are_named() {
        let t = transform(
            "<a xdt:Locator='Macth(name)' name='x'/><b xdt:Locator='Match(key)'/><c xdt:Locator='Condition(@a=\"x\",1)'/>",
        );
        let kids: Vec<NodeId> = t
            .tree()
            .element_children(t.tree().root_element().unwrap())
            .collect();
        let e = locator(&t, kids[0]).unwrap_err();
        assert_eq!(
            (e.code, e.hint.as_deref()),
            ("XDT0003", Some("did you mean Match?"))
        );
        let loc = locator(&t, kids[1]).unwrap();
        let e = element_path(&t, kids[1], &PathText::default(), &loc).unwrap_err();
        assert_eq!(e.code, "XDT0005");
        assert_eq!(locator(&t, kids[2]).unwrap_err().code, "XDT0004");
    }
}
