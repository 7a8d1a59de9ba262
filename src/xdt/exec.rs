//! Running a transform: the engine's walk over the transform file, the paths and targets of its
//! elements, and its messages (the transforms themselves are in [`super::verbs`]).
//!
//! Every element of the transform file is visited in document order, parents first. An element
//! with `xdt:Transform` runs its transform on the targets its path selects *now* (so it sees
//! the changes of the elements before it); then its children are visited. As in Microsoft's
//! engine, a transform that fails is reported and the walk goes on, so one run reports every
//! problem; the caller writes nothing when there was an error.

use crate::diag::Severity;
use crate::xml::{NodeId, Tree};
use crate::xpath::{Context, NodeRef, SimpleEnv, Value, XPath};

use super::dom::{DId, DRef, Dom, Origin, name_offset};
use super::error::XdtError;
use super::locate::{
    Locator, PathText, bad_value, compile, element_path, locator, parent_path, unknown_type,
    xpath_error,
};
use super::parse::{XdtTransform, parse_spec};
use super::verbs::Verb;

/// One visited transform element.
pub(super) struct Ctx {
    pub(super) el: NodeId,
    pub(super) parent: Option<usize>,
    pub(super) locator: Option<Result<Locator, XdtError>>,
    pub(super) path: Option<Result<PathText, XdtError>>,
    pub(super) targets: Option<Vec<DId>>,
    pub(super) parents: Option<Option<Vec<DId>>>,
}

/// Work every XPath evaluation of a run draws from: a hostile transform stops with WXSL0004.
const BUDGET: u64 = 100_000_000;

/// The state of running the transforms of a chain over one document.
pub(crate) struct Run<'a> {
    pub dom: Dom,
    /// The input as parsed: "did this path match before the transforms?" (for messages).
    pub(super) original: &'a Tree,
    /// The input's text, for positions of its nodes.
    pub(super) input: &'a crate::xml::Document,
    pub(super) chain: &'a [&'a XdtTransform],
    /// The transform running now (index in `chain`).
    pub(super) k: usize,
    pub(super) ctxs: Vec<Ctx>,
    pub(super) view: Option<(Tree, Vec<DRef>)>,
    pub(super) budget: u64,
    pub(super) suppress: bool,
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

    pub(super) fn t(&self) -> &'a XdtTransform {
        self.chain[self.k]
    }

    pub(super) fn error(&mut self, e: XdtError) {
        self.messages.push(e);
    }

    pub(super) fn warn(&mut self, e: XdtError) {
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
    pub(super) fn targets(&mut self, ci: usize) -> Result<Vec<DId>, XdtError> {
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
    pub(super) fn parents(&mut self, ci: usize) -> Result<Option<Vec<DId>>, XdtError> {
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
    pub(super) fn failed_target_ctx(&mut self, ci: usize) -> Result<usize, XdtError> {
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
    pub(super) fn failed_parent_ctx(&mut self, ci: usize) -> Result<usize, XdtError> {
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
    pub(super) fn missing(&mut self, ci: usize) -> Result<XdtError, XdtError> {
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
        if let Some(found) = super::direct::select(&self.dom, xp, &mut self.budget) {
            // Debug builds (every test run) check each direct answer against the engine's,
            // leaving the run's budget as release builds do.
            #[cfg(debug_assertions)]
            {
                let budget = self.budget;
                if let Ok(by_engine) = self.select(xp, None, el, path) {
                    let direct: Vec<DRef> = found.iter().map(|&d| DRef::Node(d)).collect();
                    assert_eq!(direct, by_engine, "direct evaluation of '{}'", xp.source());
                }
                self.budget = budget;
            }
            return Ok(found);
        }
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
    pub(super) fn select(
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

    /// A message about a node of the document: where it came from.
    pub(super) fn node_error(&self, d: DId, code: &'static str, message: &str) -> XdtError {
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
