//! The transforms: what each does to its targets, with the engine's warnings and errors.

use crate::xml::NodeId;

use super::dom::{Attr, DId, DRef, Data, Dom, Origin, name_offset};
use super::error::XdtError;
use super::exec::Run;
use super::locate::{PathText, TRANSFORM_NAMES, compile_bare};
use super::parse::{Arg, split_args};

/// The transforms of Microsoft.Web.XmlTransform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verb {
    Replace,
    Remove,
    RemoveAll,
    Insert,
    InsertIfMissing,
    InsertBefore,
    InsertAfter,
    SetAttributes,
    SetTokenizedAttributes,
    RemoveAttributes,
    CommentOut,
}

impl Verb {
    pub(super) fn from_name(name: &str) -> Option<Verb> {
        use Verb::*;
        const ALL: [Verb; 11] = [
            Replace,
            Remove,
            RemoveAll,
            Insert,
            InsertIfMissing,
            InsertBefore,
            InsertAfter,
            SetAttributes,
            SetTokenizedAttributes,
            RemoveAttributes,
            CommentOut,
        ];
        TRANSFORM_NAMES
            .iter()
            .position(|&n| n == name)
            .map(|i| ALL[i])
    }

    fn name(self) -> &'static str {
        TRANSFORM_NAMES[self as usize]
    }

    /// Inserting transforms target the parents of the path, and a missing one is an error.
    fn uses_parent(self) -> bool {
        matches!(
            self,
            Verb::Insert | Verb::InsertIfMissing | Verb::InsertBefore | Verb::InsertAfter
        )
    }

    /// Attribute transforms and RemoveAll change every target; the others the first.
    fn applies_to_all(self) -> bool {
        matches!(
            self,
            Verb::RemoveAll
                | Verb::SetAttributes
                | Verb::SetTokenizedAttributes
                | Verb::RemoveAttributes
        )
    }
}

impl Run<'_> {
    /// The engine's `Transform.Execute`: find the targets (or say why not), then apply.
    pub(super) fn execute(
        &mut self,
        ci: usize,
        verb: Verb,
        args: Option<(String, usize)>,
        attr: NodeId,
    ) -> Result<(), XdtError> {
        let t = self.t();
        let at = t.tree().span(attr).start;
        let el = self.ctxs[ci].el;
        let targets = if verb.uses_parent() {
            match self.parents(ci)? {
                None => {
                    return Err(t.error_at(
                        at,
                        "XDT0014",
                        format!(
                            "{} needs a parent element: the document element cannot be inserted",
                            verb.name()
                        ),
                    ));
                }
                Some(p) if p.is_empty() => {
                    let failed = self.failed_parent_ctx(ci)?;
                    return Err(self.missing(failed)?);
                }
                Some(p) => p,
            }
        } else {
            let found = self.targets(ci)?;
            if found.is_empty() {
                let failed = self.failed_target_ctx(ci)?;
                // "Remove every match" with none, where the parent is there: the usual
                // remove-then-insert idiom on a config that lacks the entry. Nothing to say
                // (the engine warns; webxsl only when the path itself is wrong).
                if verb == Verb::RemoveAll && failed == ci && self.ctxs[ci].parent.is_some() {
                    return Ok(());
                }
                let w = self.missing(failed)?;
                self.warn(w);
                return Ok(());
            }
            found
        };
        let arg_list = args.as_ref().map(|(s, o)| split_args(s, *o));
        let no_args = |me: &mut Run<'_>| {
            if args.is_some() {
                me.warn(
                    t.error_at(
                        at,
                        "XDT0013",
                        format!("{} does not expect arguments; ignoring", verb.name()),
                    )
                    .hint(format!("write xdt:Transform=\"{}\"", verb.name())),
                );
            }
        };
        let several = |me: &mut Run<'_>| {
            if targets.len() > 1 {
                me.warn(
                    t.error_at(
                        at,
                        "XDT0012",
                        format!(
                            "Found multiple target elements, but the '{}' Transform only applies to the first match",
                            verb.name()
                        ),
                    )
                    .hint(if verb == Verb::Remove {
                        "use RemoveAll, or a Locator that selects one element (Match(name))"
                    } else {
                        "add a Locator that selects one element, e.g. xdt:Locator=\"Match(name)\""
                    }),
                );
            }
        };
        let first = targets[0];
        if verb.applies_to_all() {
            for &target in &targets {
                if let Err(e) =
                    self.apply_attrs(verb, el, target, arg_list.as_deref(), at, &no_args)
                {
                    self.error(e);
                }
            }
            return Ok(());
        }
        match verb {
            Verb::Replace => {
                no_args(self);
                several(self);
                let new = self.clone_element(el);
                self.dom.replace(first, new);
            }
            Verb::Remove => {
                several(self);
                no_args(self);
                self.keep_root(first, verb, at)?;
                self.dom.remove(first);
            }
            Verb::Insert => {
                no_args(self);
                let new = self.clone_element(el);
                self.dom.append(first, new);
            }
            Verb::InsertIfMissing => {
                no_args(self);
                if self.targets(ci)?.is_empty() {
                    let new = self.clone_element(el);
                    self.dom.append(first, new);
                }
            }
            Verb::InsertBefore | Verb::InsertAfter => {
                let sibling = self.sibling(verb, el, first, attr, arg_list.as_deref())?;
                if self.dom.parent(sibling) == Some(DId::ROOT) {
                    // .NET refuses a second document element; so do we.
                    return Err(t.error_at(
                        at,
                        "XDT0014",
                        format!(
                            "{} would put an element beside the document element: a document has one",
                            verb.name()
                        ),
                    ));
                }
                let new = self.clone_element(el);
                self.dom
                    .insert_beside(sibling, new, verb == Verb::InsertAfter);
            }
            Verb::CommentOut => {
                if self.dom.parent(first) == Some(DId::ROOT) {
                    return Err(t.error_at(
                        at,
                        "XDT0014",
                        "Cannot comment out the whole XML document",
                    ));
                }
                let mut text = String::from(" ");
                outer_xml(&self.dom, first, &mut text);
                text.push(' ');
                if text.contains("--") || text.ends_with('-') {
                    return Err(t
                        .error_at(
                            at,
                            "XDT0014",
                            format!(
                                "the '{}' element holds '--' (a comment?), which an XML comment cannot contain",
                                self.dom.qualified_name(first)
                            ),
                        )
                        .hint("use Remove instead, or remove the inner comment first"));
                }
                let c = self.dom.new_comment(&text);
                self.dom.replace(first, c);
            }
            Verb::RemoveAll
            | Verb::SetAttributes
            | Verb::SetTokenizedAttributes
            | Verb::RemoveAttributes => unreachable!("applied to every target above"),
        }
        self.view = None;
        Ok(())
    }

    /// SetAttributes, SetTokenizedAttributes, RemoveAttributes and RemoveAll on one target.
    fn apply_attrs(
        &mut self,
        verb: Verb,
        el: NodeId,
        target: DId,
        args: Option<&[Arg]>,
        at: usize,
        no_args: &dyn Fn(&mut Run<'_>),
    ) -> Result<(), XdtError> {
        let t = self.t();
        self.view = None;
        match verb {
            Verb::RemoveAll => {
                no_args(self);
                self.keep_root(target, verb, at)?;
                self.dom.remove(target);
            }
            Verb::SetAttributes | Verb::SetTokenizedAttributes => {
                let tree = t.tree();
                let own: Vec<Attr> = tree
                    .attributes(el)
                    .filter(|&a| tree.namespace_uri(a) != crate::generate::XDT_NS)
                    .map(|a| Attr {
                        name: super::dom::Name {
                            prefix: tree.prefix(a).to_owned(),
                            local: tree.local_name(a).to_owned(),
                            uri: tree.namespace_uri(a).to_owned(),
                        },
                        value: tree.value(a).to_owned(),
                    })
                    .collect();
                let chosen = self.select_attrs(&own, args, at)?;
                for i in &chosen {
                    let mut a = own[*i].clone();
                    if verb == Verb::SetTokenizedAttributes {
                        a.value = self.tokenize(target, &own, &a).map_err(|name| {
                            t.error_at(
                                at,
                                "XDT0016",
                                format!(
                                    "$({name}) names an attribute neither the target nor the transform element has"
                                ),
                            )
                            .hint("SetTokenizedAttributes fills $(name) from the target's attribute `name` (the engine fails on any other)")
                        })?;
                    }
                    self.dom.set_attr(target, &a);
                }
                if chosen.is_empty() {
                    self.warn(
                        t.error_at(at, "XDT0011", "No attributes found to set")
                            .hint("give the transform element the attributes to set"),
                    );
                }
            }
            Verb::RemoveAttributes => {
                let current = self.dom.attrs(target).to_vec();
                let chosen = self.select_attrs(&current, args, at)?;
                let names: Vec<(String, String)> = chosen
                    .iter()
                    .map(|&i| (current[i].name.local.clone(), current[i].name.uri.clone()))
                    .collect();
                self.dom.remove_attrs(target, &|a| {
                    names
                        .iter()
                        .any(|(l, u)| *l == a.name.local && *u == a.name.uri)
                });
                if chosen.is_empty() {
                    let w = self.node_error(target, "XDT0011", "No attributes found to remove");
                    self.warn(w);
                }
            }
            _ => unreachable!("only attribute transforms and RemoveAll apply to all targets"),
        }
        Ok(())
    }

    /// The attributes an argument list names (`@a|@b`, `*` for all; none: all), in the
    /// element's order. An argument that names nothing is a warning, as in the engine.
    fn select_attrs(
        &mut self,
        attrs: &[Attr],
        args: Option<&[Arg]>,
        at: usize,
    ) -> Result<Vec<usize>, XdtError> {
        let t = self.t();
        let Some(args) = args.filter(|a| !a.is_empty()) else {
            return Ok((0..attrs.len()).collect());
        };
        let mut tests = Vec::new();
        for arg in args {
            let name = arg.text.trim();
            let valid = name == "*"
                || name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !valid {
                let code = if name.contains(':') {
                    "XPST0081"
                } else {
                    "XPST0003"
                };
                return Err(t
                    .error_at(
                        at,
                        code,
                        format!(
                            "'{}' is not an attribute name the engine can look up",
                            arg.text
                        ),
                    )
                    .hint("name attributes without a prefix, separated by commas, or * for all"));
            }
            let matches = |a: &Attr| name == "*" || (a.name.uri.is_empty() && a.name.local == name);
            if !attrs.iter().any(matches) {
                self.warn(
                    t.error_at(
                        at,
                        "XDT0011",
                        format!("Argument '{}' did not match any attributes", arg.text),
                    )
                    .hint("check the attribute's spelling (names are case-sensitive)"),
                );
            }
            tests.push(name.to_owned());
        }
        Ok((0..attrs.len())
            .filter(|&i| {
                let a = &attrs[i];
                tests
                    .iter()
                    .any(|n| n == "*" || (a.name.uri.is_empty() && a.name.local == *n))
            })
            .collect())
    }

    /// SetTokenizedAttributes' `$(name)`: the target's attribute `name` (else, for another
    /// name than the one being set, the transform element's), with `'` written as `&apos;`
    /// text, exactly as the engine does. A name found nowhere is an error (the engine fails
    /// with a null reference): `Err(name)`.
    fn tokenize(&self, target: DId, own: &[Attr], setting: &Attr) -> Result<String, String> {
        let value = &setting.value;
        let lookup = |name: &str| -> Option<String> {
            let on = |attrs: &[Attr]| {
                attrs
                    .iter()
                    .find(|a| a.name.qualified() == name)
                    .map(|a| a.value.clone())
            };
            on(self.dom.attrs(target))
                .or_else(|| {
                    (!name.eq_ignore_ascii_case(&setting.name.qualified()))
                        .then(|| on(own))
                        .flatten()
                })
                .map(|v| v.replace('\'', "&apos;"))
        };
        let mut out = String::new();
        let mut rest = value.as_str();
        while let Some(i) = rest.find("$(") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let len = after
                .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | ':' | '.')))
                .unwrap_or(after.len());
            if len > 0 && after[len..].starts_with(')') {
                let name = &after[..len];
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => return Err(name.to_owned()),
                }
                rest = &after[len + 1..];
            } else {
                out.push_str("$(");
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The sibling of InsertBefore/InsertAfter: the first node its argument selects from the
    /// target parent.
    fn sibling(
        &mut self,
        verb: Verb,
        el: NodeId,
        parent: DId,
        attr: NodeId,
        args: Option<&[Arg]>,
    ) -> Result<DId, XdtError> {
        let t = self.t();
        let at = t.tree().span(attr).start;
        let arg = match args {
            None | Some([]) => {
                return Err(t
                    .error_at(at, "XDT0004", format!("{} requires an XPath argument", verb.name()))
                    .hint(format!(
                        "name the sibling, e.g. xdt:Transform=\"{}(/configuration/appSettings/add[@key='k'])\"",
                        verb.name()
                    )));
            }
            Some([one]) => one,
            Some(_) => {
                return Err(t
                    .error_at(at, "XDT0004", format!("Too many arguments to {}", verb.name()))
                    .hint("a comma outside parentheses separates arguments: wrap the expression in parentheses"));
            }
        };
        let xp = compile_bare(t, el, attr, arg)?;
        let path = PathText::default();
        let found = self.select(&xp, Some(parent), el, &path)?;
        let Some(&first) = found.first() else {
            return Err(t.error_at(
                at,
                "XDT0007",
                format!("No element in the source document matches '{}'", arg.text),
            ));
        };
        match first {
            DRef::Node(d) if self.dom.is_element(d) => Ok(d),
            _ => Err(t.error_at(
                at,
                "XDT0007",
                format!("'{}' does not evaluate to an element", arg.text),
            )),
        }
    }

    /// Refuses to remove the document element: the result would not be XML (the engine writes
    /// such a file).
    fn keep_root(&self, target: DId, verb: Verb, at: usize) -> Result<(), XdtError> {
        if self.dom.parent(target) == Some(DId::ROOT) {
            return Err(self.t().error_at(
                at,
                "XDT0014",
                format!(
                    "{} would remove the document element, leaving a file that is not XML",
                    verb.name()
                ),
            ));
        }
        Ok(())
    }

    /// The transform element, cloned into the document without its `xdt:` attributes.
    fn clone_element(&mut self, el: NodeId) -> DId {
        let k = self.k;
        let tree = self.t().tree();
        self.view = None;
        self.dom.clone_from(
            tree,
            el,
            &|n| Origin::Transform(k, name_offset(tree, n)),
            &|t, a| t.namespace_uri(a) != crate::generate::XDT_NS,
        )
    }
}

/// An element as .NET's `OuterXml` writes it (double quotes, `<a />`), for `CommentOut`.
fn outer_xml(dom: &Dom, n: DId, out: &mut String) {
    let esc = |s: &str, attr: bool| {
        let mut o = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '&' => o.push_str("&amp;"),
                '<' => o.push_str("&lt;"),
                '>' if !attr => o.push_str("&gt;"),
                '"' if attr => o.push_str("&quot;"),
                _ => o.push(c),
            }
        }
        o
    };
    match dom.data(n) {
        Data::Element { name, attrs, decls } => {
            out.push('<');
            out.push_str(&name.qualified());
            for (p, u) in decls {
                if p.is_empty() {
                    out.push_str(&format!(" xmlns=\"{}\"", esc(u, true)));
                } else {
                    out.push_str(&format!(" xmlns:{p}=\"{}\"", esc(u, true)));
                }
            }
            for a in attrs {
                out.push_str(&format!(
                    " {}=\"{}\"",
                    a.name.qualified(),
                    esc(&a.value, true)
                ));
            }
            if dom.children(n).is_empty() {
                out.push_str(" />");
                return;
            }
            out.push('>');
            for &c in dom.children(n) {
                outer_xml(dom, c, out);
            }
            out.push_str(&format!("</{}>", name.qualified()));
        }
        Data::Text(s) => out.push_str(&esc(s, false)),
        Data::Comment(s) => out.push_str(&format!("<!--{s}-->")),
        Data::Pi(t, d) => out.push_str(&format!("<?{t} {d}?>")),
        Data::Root => {}
    }
}
