//! Running a transform: the engine's walk over the transform file, its transforms, and its
//! messages.
//!
//! Every element of the transform file is visited in document order, parents first. An element
//! with `xdt:Transform` runs its transform on the targets its path selects *now* (so it sees
//! the changes of the elements before it); then its children are visited. As in Microsoft's
//! engine, a transform that fails is reported and the walk goes on, so one run reports every
//! problem; the caller writes nothing when there was an error.

use crate::diag::Severity;
use crate::xml::{NodeId, Tree};
use crate::xpath::{Context, NodeRef, SimpleEnv, Value, XPath};

use super::dom::{Attr, DId, DRef, Data, Dom, Origin, name_offset};
use super::error::XdtError;
use super::locate::{
    Locator, PathText, TRANSFORM_NAMES, bad_value, compile, compile_bare, element_path, locator,
    parent_path, unknown_type, xpath_error,
};
use super::parse::{Arg, XdtTransform, parse_spec, split_args};

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
    fn from_name(name: &str) -> Option<Verb> {
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

/// One visited transform element.
struct Ctx {
    el: NodeId,
    parent: Option<usize>,
    locator: Option<Result<Locator, XdtError>>,
    path: Option<Result<PathText, XdtError>>,
    targets: Option<Vec<DId>>,
    parents: Option<Option<Vec<DId>>>,
}

/// Work every XPath evaluation of a run draws from: a hostile transform stops with WXSL0004.
const BUDGET: u64 = 100_000_000;

/// The state of running the transforms of a chain over one document.
pub(crate) struct Run<'a> {
    pub dom: Dom,
    /// The input as parsed: "did this path match before the transforms?" (for messages).
    original: &'a Tree,
    /// The input's text, for positions of its nodes.
    input: &'a crate::xml::Document,
    chain: &'a [&'a XdtTransform],
    /// The transform running now (index in `chain`).
    k: usize,
    ctxs: Vec<Ctx>,
    view: Option<(Tree, Vec<DRef>)>,
    budget: u64,
    suppress: bool,
    /// Errors and warnings, in order.
    pub messages: Vec<XdtError>,
}

impl<'a> Run<'a> {
    pub fn new(input: &'a crate::xml::Document, chain: &'a [&'a XdtTransform]) -> Run<'a> {
        Run {
            dom: Dom::from_tree(input.tree()),
            original: input.tree(),
            input,
            chain,
            k: 0,
            ctxs: Vec::new(),
            view: None,
            budget: BUDGET,
            suppress: false,
            messages: Vec::new(),
        }
    }

    /// Runs every transform of the chain in order.
    pub fn run_all(&mut self) {
        for k in 0..self.chain.len() {
            self.k = k;
            let t = self.chain[k];
            if !t.uses_namespace() {
                continue;
            }
            if let Some(root) = t.tree().root_element() {
                self.visit(root, None);
            }
        }
    }

    fn t(&self) -> &'a XdtTransform {
        self.chain[self.k]
    }

    fn error(&mut self, e: XdtError) {
        self.messages.push(e);
    }

    fn warn(&mut self, e: XdtError) {
        if !self.suppress {
            self.messages.push(e.warning());
        }
    }

    // ----- the walk -----

    fn visit(&mut self, el: NodeId, parent: Option<usize>) {
        let ci = self.ctxs.len();
        self.ctxs.push(Ctx {
            el,
            parent,
            locator: None,
            path: None,
            targets: None,
            parents: None,
        });
        if self.handle(ci) {
            let kids: Vec<NodeId> = self.t().tree().element_children(el).collect();
            for c in kids {
                self.visit(c, Some(ci));
            }
        }
        self.ctxs.truncate(ci);
    }

    /// Runs the element's transform, if it has one. False when the transform attribute itself
    /// is wrong: the engine then skips the element's children too.
    fn handle(&mut self, ci: usize) -> bool {
        let t = self.t();
        let tree = t.tree();
        let el = self.ctxs[ci].el;
        let Some(attr) = t.xdt_attr(el, "Transform") else {
            return true;
        };
        let at = tree.span(attr).start;
        let Some(spec) = parse_spec(tree.value(attr)) else {
            self.error(bad_value(t, at));
            return false;
        };
        let Some(verb) = Verb::from_name(&spec.name) else {
            let (msg, hint) = unknown_type(&spec.name, "Transform");
            let mut e = t.error_at(at, "XDT0003", msg);
            e.hint = hint.map(Into::into);
            self.error(e);
            return false;
        };
        let outer = self.suppress;
        if let Some(s) = t.xdt_attr(el, "SupressWarnings") {
            match tree.value(s).trim().to_ascii_lowercase().as_str() {
                "true" => self.suppress = true,
                "false" => self.suppress = false,
                _ => {
                    self.error(
                        t.error_at(
                            tree.span(s).start,
                            "XDT0015",
                            format!(
                                "xdt:SupressWarnings must be true or false, not '{}'",
                                tree.value(s)
                            ),
                        )
                        .hint(
                            "write xdt:SupressWarnings=\"true\" (the engine spells it with one p)",
                        ),
                    );
                    return false;
                }
            }
        }
        if let Err(e) = self.execute(ci, verb, spec.args, attr) {
            self.error(e);
        }
        self.suppress = outer;
        true
    }

    /// The engine's `Transform.Execute`: find the targets (or say why not), then apply.
    fn execute(
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

    // ----- paths and targets -----

    fn locator(&mut self, ci: usize) -> Result<Locator, XdtError> {
        if self.ctxs[ci].locator.is_none() {
            let l = locator(self.t(), self.ctxs[ci].el);
            self.ctxs[ci].locator = Some(l);
        }
        self.ctxs[ci].locator.clone().expect("just set")
    }

    /// The element's XPath text (cached, like the engine's context).
    fn path(&mut self, ci: usize) -> Result<PathText, XdtError> {
        if let Some(p) = &self.ctxs[ci].path {
            return p.clone();
        }
        let parent = match self.ctxs[ci].parent {
            Some(p) => self.path(p)?,
            None => PathText::default(),
        };
        let r = self
            .locator(ci)
            .and_then(|loc| element_path(self.t(), self.ctxs[ci].el, &parent, &loc));
        self.ctxs[ci].path = Some(r.clone());
        r
    }

    fn parent_path(&mut self, ci: usize) -> Result<PathText, XdtError> {
        let own = self.path(ci)?;
        let parent = match self.ctxs[ci].parent {
            Some(p) => self.path(p)?,
            None => PathText::default(),
        };
        Ok(parent_path(&own, &parent, &self.locator(ci)?))
    }

    /// The elements the element's path selects (computed once per visit).
    fn targets(&mut self, ci: usize) -> Result<Vec<DId>, XdtError> {
        if let Some(t) = &self.ctxs[ci].targets {
            return Ok(t.clone());
        }
        let path = self.path(ci)?;
        let el = self.ctxs[ci].el;
        let xp = compile(self.t(), el, &path)?;
        let found = self.select_elements(&xp, el, &path)?;
        self.ctxs[ci].targets = Some(found.clone());
        Ok(found)
    }

    /// The elements the parent path selects; `None` for the document element.
    fn parents(&mut self, ci: usize) -> Result<Option<Vec<DId>>, XdtError> {
        if let Some(p) = &self.ctxs[ci].parents {
            return Ok(p.clone());
        }
        let found = if self.ctxs[ci].parent.is_none() {
            None
        } else {
            let path = self.parent_path(ci)?;
            let el = self.ctxs[ci].el;
            let xp = compile(self.t(), el, &path)?;
            Some(self.select_elements(&xp, el, &path)?)
        };
        self.ctxs[ci].parents = Some(found.clone());
        Ok(found)
    }

    /// The engine's `HasTargetNode`: the outermost element up the chain whose path matched
    /// nothing.
    fn failed_target_ctx(&mut self, ci: usize) -> Result<usize, XdtError> {
        let mut failed = ci;
        while let Some(p) = self.ctxs[failed].parent {
            if !self.targets(p)?.is_empty() {
                break;
            }
            failed = p;
        }
        Ok(failed)
    }

    /// The engine's `HasTargetParent`.
    fn failed_parent_ctx(&mut self, ci: usize) -> Result<usize, XdtError> {
        let mut failed = ci;
        while let Some(p) = self.ctxs[failed].parent {
            if self.parent_path(p)?.text.is_empty()
                || self.parents(p)?.is_some_and(|v| !v.is_empty())
            {
                break;
            }
            failed = p;
        }
        Ok(failed)
    }

    /// "No element matches": at the element, naming its path; if the input had a match, the
    /// message says an earlier transform changed it.
    fn missing(&mut self, ci: usize) -> Result<XdtError, XdtError> {
        let t = self.t();
        let el = self.ctxs[ci].el;
        let path = self.path(ci)?;
        let xp = compile(t, el, &path)?;
        let mut env = SimpleEnv::new(self.original);
        env.budget = self.budget;
        let existed = matches!(xp.evaluate(&mut env), Ok(Value::Nodes(n)) if !n.is_empty());
        self.budget = env.budget;
        let message = if existed {
            format!(
                "'{}' did not find a match, because matching nodes in the source document were modified or removed by a previous transform",
                path.text
            )
        } else {
            format!("No element in the source document matches '{}'", path.text)
        };
        let root_ns = self
            .original
            .root_element()
            .map_or("", |r| self.original.namespace_uri(r));
        let hint = if !root_ns.is_empty() && !path.text.contains("_defaultNamespace:") {
            format!(
                "the config's root element is in the namespace {root_ns}: declare xmlns=\"{root_ns}\" on the transform's root element too, so that its paths use it"
            )
        } else {
            "check the element names (they are case-sensitive) and the Locator against the config"
                .to_owned()
        };
        Ok(t.error_at(name_offset(t.tree(), el), "XDT0006", message)
            .hint(hint))
    }

    fn select_elements(
        &mut self,
        xp: &XPath,
        el: NodeId,
        path: &PathText,
    ) -> Result<Vec<DId>, XdtError> {
        let found = self.select(xp, None, el, path)?;
        found
            .into_iter()
            .map(|r| match r {
                DRef::Node(d) if self.dom.is_element(d) => Ok(d),
                _ => Err(self.t().error_at(
                    name_offset(self.t().tree(), el),
                    "XDT0004",
                    format!("'{}' selects something other than elements", path.text),
                )),
            })
            .collect()
    }

    /// Evaluates on the working document, from the document node or from `from`.
    fn select(
        &mut self,
        xp: &XPath,
        from: Option<DId>,
        el: NodeId,
        path: &PathText,
    ) -> Result<Vec<DRef>, XdtError> {
        if self.view.is_none() {
            self.view = Some(self.dom.to_tree());
        }
        let (tree, map) = self.view.as_ref().expect("just built");
        let mut env = SimpleEnv::new(tree);
        env.budget = self.budget;
        let start = match from {
            None => NodeId::ROOT,
            Some(d) => {
                let i = map
                    .iter()
                    .position(|&r| r == DRef::Node(d))
                    .expect("an attached node is in the view");
                NodeId::from_index(i)
            }
        };
        let r = xp.evaluate_at(&Context::node(NodeRef::new(0, start)), &mut env);
        self.budget = env.budget;
        let shown = if path.text.is_empty() {
            xp.source()
        } else {
            &path.text
        };
        match r {
            Ok(Value::Nodes(nodes)) => Ok(nodes
                .iter()
                .filter(|n| !n.is_namespace())
                .map(|n| map[n.node.index()])
                .collect()),
            Ok(v) => Err(self.t().error_at(
                name_offset(self.t().tree(), el),
                "XPTY0004",
                format!("'{shown}' is a {}, not a set of elements", v.type_name()),
            )),
            Err(e) => Err(xpath_error(self.t(), el, path, &e)),
        }
    }

    // ----- nodes -----

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

    /// A message about a node of the document: where it came from.
    fn node_error(&self, d: DId, code: &'static str, message: &str) -> XdtError {
        match self.dom.origin(d) {
            Origin::Input(off) => {
                let mut e = XdtError::new(code, message);
                let pos = self.input.pos(off);
                e.pos = Some(pos);
                e.source_line = crate::diag::line_text(self.input.text(), pos.line).map(Into::into);
                e
            }
            Origin::Transform(k, off) => self.chain[k].error_at(off, code, message),
            Origin::None => XdtError::new(code, message),
        }
    }

    /// Whether any message is an error.
    pub fn failed(&self) -> bool {
        self.messages.iter().any(|m| m.severity == Severity::Error)
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
