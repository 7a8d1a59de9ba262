//! Templates: finding the rule for a node (import precedence, priority, the last one), the
//! built-in rules, invoking a template with its parameters (depth and work bounded), and the
//! instructions that do it: `xsl:apply-templates`, `xsl:call-template`, `xsl:apply-imports`.

use super::{Exec, STACK_RED_ZONE, STACK_SEGMENT, TUNNEL};
use crate::xml::NodeKind;
use crate::xpath::ExpandedName;
use crate::xpath::eval::Context;
use crate::xpath::value::{NodeRef, Value, XNodeKind, node_kind};
use crate::xslt::ast::{Binding, Loc, Sort, XExpr};
use crate::xslt::error::XsltError;

impl Exec<'_> {
    /// `xsl:apply-templates`: to the selected nodes (the children by default), sorted, in `mode`.
    pub(super) fn apply_templates(
        &mut self,
        select: Option<&XExpr>,
        mode: Option<&ExpandedName>,
        sorts: &[Sort],
        params: &[Binding],
    ) -> Result<(), XsltError> {
        let nodes = match select {
            Some(x) => self.eval_nodes(x, "xsl:apply-templates select")?,
            None => {
                let n = self.ctx.node;
                let t = self.tree_of(n.doc);
                if n.ns != 0 || t.kind(n.node) == NodeKind::Attribute {
                    Vec::new()
                } else {
                    t.children(n.node).map(|c| NodeRef::new(n.doc, c)).collect()
                }
            }
        };
        let nodes = self.sort(nodes, sorts)?;
        let params = self.eval_params(params)?;
        self.apply_to(nodes, mode, &params)
    }

    /// `xsl:call-template`.
    pub(super) fn call_template(
        &mut self,
        name: &ExpandedName,
        params: &[Binding],
        loc: Loc,
    ) -> Result<(), XsltError> {
        let Some(&t) = self.sheet.named.get(name) else {
            return Err(self.err(
                loc,
                "XTSE0650",
                format!("there is no template named {name}"),
            ));
        };
        let params = self.eval_params(params)?;
        self.invoke(t, &params, false)
    }

    /// `xsl:apply-imports`: the current node, with the rules the current rule's module imports.
    pub(super) fn apply_imports(&mut self, loc: Loc) -> Result<(), XsltError> {
        let Some(t) = self.template else {
            return Err(self.err(loc, "XTDE0560", "xsl:apply-imports is used where there is no current template rule (inside xsl:for-each?)"));
        };
        let tpl = &self.sheet.templates[t];
        if tpl.precedence == 0 || tpl.imports_from >= tpl.precedence {
            let node = self.current;
            return self.builtin(node, self.mode.clone());
        }
        let range = (tpl.imports_from, tpl.precedence - 1);
        let node = self.current;
        let mode = self.mode.clone();
        match self.find_rule(node, &mode, Some(range))? {
            Some(t2) => self.invoke(t2, &[], true),
            None => self.builtin(node, mode),
        }
    }

    /// The template rule for `node` in `mode` (within a precedence range for
    /// `xsl:apply-imports`), if any matches.
    fn find_rule(
        &mut self,
        node: NodeRef,
        mode: &Option<ExpandedName>,
        range: Option<(u32, u32)>,
    ) -> Result<Option<usize>, XsltError> {
        let sheet = self.sheet;
        let Some(set) = sheet.rules.get(mode) else {
            return Ok(None);
        };
        let (local, parent_local) = {
            let tree = self.tree_of(node.doc);
            let local = if node.ns == 0 {
                tree.local_name(node.node)
            } else {
                ""
            };
            let parent_local = match tree.parent(node.node) {
                Some(p) if node.ns == 0 && tree.kind(p) == NodeKind::Element => tree.local_name(p),
                _ => "",
            };
            (local, parent_local)
        };
        // Only the identity template can match: every attribute and child node is `@*` or
        // `node()` (not the root, not a namespace node).
        if range.is_none()
            && node.ns == 0
            && let Some(t) = set.only_identity(local, parent_local)
            && self.tree_of(node.doc).kind(node.node) != NodeKind::Root
        {
            return Ok(Some(t));
        }
        for i in set.candidates(local, parent_local) {
            let r = &set.all[i];
            if let Some((lo, hi)) = range
                && (r.precedence < lo || r.precedence > hi)
            {
                continue;
            }
            let tpl = &sheet.templates[r.template];
            let alt = &tpl
                .pattern
                .as_ref()
                .expect("rules have patterns")
                .alternatives[r.alternative];
            let m = alt.matches(node, self).map_err(|e| {
                if e.code == TUNNEL
                    && let Some(p) = self.pending.take()
                {
                    return p;
                }
                self.err(tpl.loc, e.code, e.message.clone())
            })?;
            if m {
                return Ok(Some(r.template));
            }
        }
        Ok(None)
    }

    /// Applies the best rule for `node`, or the built-in one.
    pub(super) fn process(
        &mut self,
        node: NodeRef,
        mode: Option<&ExpandedName>,
        params: &[(ExpandedName, Value)],
    ) -> Result<(), XsltError> {
        let mode_owned = mode.cloned();
        match self.find_rule(node, &mode_owned, None)? {
            Some(t) if mode.is_none() && self.copy_subtree(node, t)? => Ok(()),
            Some(t) => {
                let saved = std::mem::replace(&mut self.mode, mode_owned);
                let r = self.invoke(t, params, true);
                self.mode = saved;
                r
            }
            None => self.builtin(node, mode_owned),
        }
    }

    /// Applies the identity template `t` to a source element by copying its subtree, when that
    /// is what the template's recursion would build: `t` copies its node and applies itself to
    /// the attributes and children ([`RuleSet::identity_copies`]), and no node of the subtree
    /// can get another rule. Node, work and depth bounds count as the recursion would.
    /// Returns whether it did.
    ///
    /// [`RuleSet::identity_copies`]: crate::xslt::compile::RuleSet
    fn copy_subtree(&mut self, node: NodeRef, t: usize) -> Result<bool, XsltError> {
        let Some(set) = self.sheet.rules.get(&None) else {
            return Ok(false);
        };
        if node.doc != 0
            || node.ns != 0
            || set.identity != Some(t)
            || !set.identity_copies
            || self.tree_of(0).kind(node.node) != NodeKind::Element
        {
            return Ok(false);
        }
        let height = self.plain_heights()[node.node.index()];
        if height == u16::MAX || self.depth + height as usize > self.opts.max_depth {
            return Ok(false);
        }
        let loc = self.sheet.templates[t].loc;
        let (nodes_before, made_before) = (
            self.output_nodes,
            self.out.last().map_or(0, |f| f.tree.len()),
        );
        self.copy_element_deep(node);
        let frame = self.out.last().expect("frame");
        // The copy is a new element (never merged), so the tree grew by exactly the subtree's
        // nodes, attributes included: one template invocation and one output node each.
        let made = frame.tree.len() - made_before;
        let copy = frame.tree.last_child(frame.parent).expect("the copy");
        // Only into the result itself, of the source as given (not whitespace-stripped).
        if self.out.len() == 1 && !self.sheet.strips_space() {
            self.copies.push((copy, node.node));
        }
        self.output_nodes = nodes_before + made - 1;
        self.count_output(loc)?;
        self.work += made as u64;
        if self.work > self.opts.max_work {
            return Err(self.err(loc, "WXSL0004", self.work_message()));
        }
        Ok(true)
    }

    /// The heights of the source's subtrees where only the default mode's identity template
    /// can match, else `u16::MAX` (computed once, in one pass from the last node back: a
    /// node's children come after it; two bytes a node, and a subtree too high for them is
    /// processed template by template, with the same result).
    fn plain_heights(&mut self) -> &[u16] {
        if self.plain.is_none() {
            let set = &self.sheet.rules[&None];
            let t = self.tree_of(0);
            // Whether a rule is indexed under a name, as a node's own and as its parent's:
            // looked up once a name (unnamed nodes have the local name "").
            let names: Vec<(bool, bool)> = (0..t.name_count())
                .map(|i| {
                    let local = t.atom(t.qname(crate::xml::NameId::from_index(i)).local);
                    (set.indexes_name(local), set.indexes_parent(local))
                })
                .collect();
            let unnamed = set.indexes_name("");
            let root_parent = set.indexes_parent("");
            let mut h = vec![0u16; t.len()];
            for i in (1..t.len()).rev() {
                let n = crate::xml::NodeId::from_index(i);
                let Some(p) = t.parent(n) else {
                    continue;
                };
                debug_assert!(p.index() < i, "a node after its children");
                let own_indexed = t.name_id(n).map_or(unnamed, |m| names[m.index()].0);
                let parent_indexed = match t.name_id(p) {
                    Some(m) if t.kind(p) == NodeKind::Element => names[m.index()].1,
                    _ => root_parent,
                };
                let indexed = own_indexed || parent_indexed;
                let own = if indexed {
                    u16::MAX
                } else {
                    h[i].saturating_add(1)
                };
                h[i] = own;
                h[p.index()] = h[p.index()].max(own);
            }
            self.plain = Some(h);
        }
        self.plain.as_deref().expect("computed")
    }

    /// The built-in template rules: recurse into children, copy text and attribute values.
    fn builtin(&mut self, node: NodeRef, mode: Option<ExpandedName>) -> Result<(), XsltError> {
        let kind = node_kind(self.tree_of(node.doc), node);
        match kind {
            XNodeKind::Root | XNodeKind::Element => {
                let kids: Vec<NodeRef> = self
                    .tree_of(node.doc)
                    .children(node.node)
                    .map(|c| NodeRef::new(node.doc, c))
                    .collect();
                self.apply_to(kids, mode.as_ref(), &[])
            }
            XNodeKind::Text | XNodeKind::Attribute => {
                let v = self.tree_of(node.doc).value(node.node).to_owned();
                let raw = kind == XNodeKind::Text && self.tree_of(node.doc).is_raw_text(node.node);
                self.append_text(&v, raw, self.cur_loc)
            }
            _ => Ok(()),
        }
    }

    /// Processes each node in turn as the context node.
    fn apply_to(
        &mut self,
        nodes: Vec<NodeRef>,
        mode: Option<&ExpandedName>,
        params: &[(ExpandedName, Value)],
    ) -> Result<(), XsltError> {
        let saved = (self.ctx, self.current);
        let size = nodes.len();
        let mut r = Ok(());
        for (i, n) in nodes.into_iter().enumerate() {
            self.ctx = Context {
                node: n,
                position: i + 1,
                size,
            };
            self.current = n;
            r = self.process(n, mode, params);
            if r.is_err() {
                break;
            }
        }
        (self.ctx, self.current) = saved;
        r
    }

    /// Invokes template `t` (as a rule, for `xsl:apply-imports`, or by name).
    fn invoke(
        &mut self,
        t: usize,
        params: &[(ExpandedName, Value)],
        is_rule: bool,
    ) -> Result<(), XsltError> {
        // Template recursion is bounded by `max_depth`, not by the thread's stack: grow the
        // stack on the heap when it runs low.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.invoke_inner(t, params, is_rule)
        })
    }

    /// [`Exec::invoke`] on the current stack: binds the parameters, runs the body.
    fn invoke_inner(
        &mut self,
        t: usize,
        params: &[(ExpandedName, Value)],
        is_rule: bool,
    ) -> Result<(), XsltError> {
        let sheet = self.sheet;
        let tpl = &sheet.templates[t];
        self.work += 1;
        if self.work > self.opts.max_work {
            return Err(self.err(tpl.loc, "WXSL0004", self.work_message()));
        }
        self.depth += 1;
        if self.depth > self.opts.max_depth {
            self.depth -= 1;
            return Err(self.err(
                tpl.loc,
                "WXSL0001",
                format!(
                    "templates nest deeper than {} levels (infinite recursion?)",
                    self.opts.max_depth
                ),
            ));
        }
        let saved_base = self.frame_base;
        let saved_template = self.template;
        let mark = self.locals.len();
        self.frame_base = mark;
        if is_rule {
            self.template = Some(t);
        }
        let mut r = self.bind_params(&tpl.params, |_, p| {
            params
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone())
        });
        if r.is_ok() {
            r = self.exec_body(&tpl.body);
        }
        self.locals.truncate(mark);
        self.frame_base = saved_base;
        self.template = saved_template;
        self.depth -= 1;
        r
    }

    /// Binds `params` in order, each to `given(i, param)` if passed, else to its default
    /// (evaluated with the parameters before it in scope). On error, those bound so far stay
    /// for the caller to drop with the rest of the frame.
    pub(super) fn bind_params(
        &mut self,
        params: &[Binding],
        mut given: impl FnMut(usize, &Binding) -> Option<Value>,
    ) -> Result<(), XsltError> {
        for (i, p) in params.iter().enumerate() {
            let v = match given(i, p) {
                Some(v) => v,
                None => self.eval_binding(&p.value)?,
            };
            self.locals.push((p.name.clone(), v));
        }
        Ok(())
    }

    /// Evaluates `xsl:with-param`s.
    fn eval_params(&mut self, params: &[Binding]) -> Result<Vec<(ExpandedName, Value)>, XsltError> {
        let mut out = Vec::with_capacity(params.len());
        for p in params {
            let v = self.eval_binding(&p.value)?;
            out.push((p.name.clone(), v));
        }
        Ok(out)
    }
}
