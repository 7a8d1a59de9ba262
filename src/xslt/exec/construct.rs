//! Building the result tree: text and `xsl:value-of`, literal result elements, `xsl:element`,
//! `xsl:attribute` and attribute sets, `xsl:copy`, `xsl:copy-of`, `xsl:comment` and
//! `xsl:processing-instruction`, with the namespace fix-up each needs.

use std::sync::Arc;

use super::Exec;
use crate::xml::{NameId, NodeId, NodeKind, NsBinding, Tree, XML_NS};
use crate::xpath::ExpandedName;
use crate::xpath::eval::to_string;
use crate::xpath::value::{NodeRef, Value, XNodeKind, namespace_bindings, node_kind};
use crate::xslt::ast::{Avt, Instr, LiteralElement, Loc, XExpr};
use crate::xslt::compile::is_qname;
use crate::xslt::error::XsltError;

/// A tree being built (the result or a fragment) and where output goes in it.
pub(super) struct Frame {
    pub(super) tree: Tree,
    pub(super) parent: NodeId,
}

impl Exec<'_> {
    /// `xsl:value-of`.
    pub(super) fn value_of(
        &mut self,
        select: &XExpr,
        doe: bool,
        loc: Loc,
    ) -> Result<(), XsltError> {
        let s = self.eval_string(select)?;
        self.append_text(&s, doe, loc)
    }

    /// A literal result element: its namespaces, attribute sets, attributes, then its content.
    pub(super) fn literal_element(
        &mut self,
        le: &LiteralElement,
        loc: Loc,
    ) -> Result<(), XsltError> {
        let el = self.start_element(
            &le.name.prefix,
            &le.name.local,
            &le.name.uri,
            &le.namespaces,
            loc,
        )?;
        self.with_parent(el, |s| {
            s.apply_attribute_sets(&le.use_sets, loc, &mut Vec::new())?;
            for (name, avt) in &le.attrs {
                let v = s.avt(avt)?;
                s.add_attribute(el, &name.prefix, &name.local, &name.uri, &v);
            }
            s.exec_body(&le.body)
        })
    }

    /// `xsl:element`: the name (and namespace) computed, prefixes resolved against `ns`.
    pub(super) fn element(
        &mut self,
        name: &Avt,
        namespace: Option<&Avt>,
        ns: &[(Arc<str>, Arc<str>)],
        use_sets: &[ExpandedName],
        body: &[Instr],
        loc: Loc,
    ) -> Result<(), XsltError> {
        let qn = self.avt(name)?;
        let qn = qn.trim();
        if !is_qname(qn) || qn == "xmlns" || qn.starts_with("xmlns:") {
            return Err(self.err(
                loc,
                "XTDE0820",
                format!("xsl:element: \"{qn}\" is not a valid element name"),
            ));
        }
        let (prefix, local) = qn.split_once(':').unwrap_or(("", qn));
        let uri = match namespace {
            Some(a) => self.avt(a)?,
            None => match ns.iter().rev().find(|(p, _)| &**p == prefix) {
                Some((_, u)) => u.to_string(),
                None if prefix.is_empty() => String::new(),
                None if prefix == "xml" => XML_NS.to_owned(),
                None => {
                    return Err(self.err(
                        loc,
                        "XTDE0830",
                        format!("xsl:element: namespace prefix '{prefix}' is not declared"),
                    ));
                }
            },
        };
        let prefix = if uri.is_empty() { "" } else { prefix };
        let el = self.start_element(prefix, local, &uri, &[], loc)?;
        self.with_parent(el, |s| {
            s.apply_attribute_sets(use_sets, loc, &mut Vec::new())?;
            s.exec_body(body)
        })
    }

    /// `xsl:attribute`: added to the element being built if it has no children yet, else
    /// dropped.
    pub(super) fn attribute(
        &mut self,
        name: &Avt,
        namespace: Option<&Avt>,
        ns: &[(Arc<str>, Arc<str>)],
        body: &[Instr],
        loc: Loc,
    ) -> Result<(), XsltError> {
        let qn = self.avt(name)?;
        let qn = qn.trim().to_owned();
        // "xmlns" is never an attribute; an "xmlns:" prefix only with an explicit
        // namespace (which then gets a prefix of its own).
        if !is_qname(&qn) || qn == "xmlns" || (qn.starts_with("xmlns:") && namespace.is_none()) {
            return Err(self.err(
                loc,
                "XTDE0850",
                format!("xsl:attribute: \"{qn}\" is not a valid attribute name"),
            ));
        }
        let (prefix, local) = qn.split_once(':').unwrap_or(("", &qn));
        let uri = match namespace {
            Some(a) => self.avt(a)?,
            None if prefix.is_empty() => String::new(),
            None if prefix == "xml" => XML_NS.to_owned(),
            None => match ns.iter().rev().find(|(p, _)| &**p == prefix) {
                Some((_, u)) => u.to_string(),
                None => {
                    return Err(self.err(
                        loc,
                        "XTDE0860",
                        format!("xsl:attribute: namespace prefix '{prefix}' is not declared"),
                    ));
                }
            },
        };
        let value = self.body_text(body)?;
        if let Some(el) = self.attribute_target() {
            let prefix = prefix.to_owned();
            let local = local.to_owned();
            self.add_attribute(el, &prefix, &local, &uri, &value);
        }
        Ok(())
    }

    /// `xsl:copy`: the current node without its attributes or children; an element's content
    /// is the body.
    pub(super) fn copy(
        &mut self,
        use_sets: &[ExpandedName],
        body: &[Instr],
        loc: Loc,
    ) -> Result<(), XsltError> {
        let node = self.current;
        let kind = node_kind(self.tree_of(node.doc), node);
        match kind {
            XNodeKind::Root => self.exec_body(body),
            XNodeKind::Element => {
                let parent = self.frame().parent;
                self.copy_node(node, false, loc)?;
                let el = self.frame().parent;
                self.frame().parent = parent;
                self.with_parent(el, |s| {
                    s.apply_attribute_sets(use_sets, loc, &mut Vec::new())?;
                    s.exec_body(body)
                })
            }
            _ => self.copy_node(node, false, loc),
        }
    }

    /// `xsl:copy-of`: nodes and fragments copied deeply, other values as text.
    pub(super) fn copy_of(&mut self, select: &XExpr, loc: Loc) -> Result<(), XsltError> {
        match self.eval(select)? {
            Value::Nodes(ns) => {
                for &n in ns.iter() {
                    self.copy_node(n, true, loc)?;
                }
                Ok(())
            }
            Value::Rtf(r) => self.copy_node(r, true, loc),
            v => {
                let s = to_string(&v, self).to_string();
                self.append_text(&s, false, loc)
            }
        }
    }

    /// `xsl:comment`.
    pub(super) fn comment(&mut self, body: &[Instr], loc: Loc) -> Result<(), XsltError> {
        let text = self.body_text(body)?;
        if text.contains("--") || text.ends_with('-') {
            return Err(self.err(
                loc,
                "XTDE0050",
                "xsl:comment: a comment cannot contain \"--\" or end with \"-\"",
            ));
        }
        self.count_output(loc)?;
        let f = self.frame();
        let p = f.parent;
        f.tree.append_comment(p, &text);
        Ok(())
    }

    /// `xsl:processing-instruction`.
    pub(super) fn processing_instruction(
        &mut self,
        name: &Avt,
        body: &[Instr],
        loc: Loc,
    ) -> Result<(), XsltError> {
        let target = self.avt(name)?;
        let target = target.trim();
        if !is_qname(target) || target.contains(':') || target.eq_ignore_ascii_case("xml") {
            return Err(self.err(
                loc,
                "XTDE0890",
                format!("xsl:processing-instruction: \"{target}\" is not a valid target"),
            ));
        }
        let data = self.body_text(body)?;
        if data.contains("?>") {
            return Err(self.err(
                loc,
                "XTDE0890",
                "xsl:processing-instruction: the content cannot contain \"?>\"",
            ));
        }
        self.count_output(loc)?;
        let target = target.to_owned();
        let f = self.frame();
        let p = f.parent;
        f.tree.append_pi(p, &target, data.trim_start());
        Ok(())
    }

    /// The tree being built.
    fn frame(&mut self) -> &mut Frame {
        self.out.last_mut().expect("an output frame")
    }

    /// Appends text (`raw`: not to be escaped) to the current output parent.
    pub(super) fn append_text(&mut self, text: &str, raw: bool, loc: Loc) -> Result<(), XsltError> {
        if text.is_empty() {
            return Ok(());
        }
        self.count_output(loc)?;
        self.count_output_bytes(text.len(), loc)?;
        let f = self.frame();
        let p = f.parent;
        if raw {
            f.tree.append_raw_text(p, text);
        } else {
            f.tree.append_text(p, text);
        }
        Ok(())
    }

    /// Creates an element under the current output parent with the given namespace nodes (on
    /// top of the inherited ones) and makes sure its own name's namespace is bound.
    fn start_element(
        &mut self,
        prefix: &str,
        local: &str,
        uri: &str,
        namespaces: &[(Arc<str>, Arc<str>)],
        loc: Loc,
    ) -> Result<NodeId, XsltError> {
        self.count_output(loc)?;
        let f = self.out.last_mut().expect("an output frame");
        Ok(start_element(
            &mut f.tree,
            f.parent,
            (prefix, local, uri),
            namespaces,
        ))
    }

    /// Adds an attribute to an element of the current output tree, binding its namespace.
    fn add_attribute(&mut self, el: NodeId, prefix: &str, local: &str, uri: &str, value: &str) {
        let f = self.out.last_mut().expect("an output frame");
        add_attribute(&mut f.tree, el, (prefix, local, uri), value);
    }

    /// The attributes of the current output element, as (name, value).
    fn output_attributes(&mut self) -> Vec<(NameId, String)> {
        let f = self.frame();
        let p = f.parent;
        let t = &f.tree;
        if t.kind(p) != NodeKind::Element {
            return Vec::new();
        }
        t.attributes(p)
            .filter_map(|a| t.name_id(a).map(|n| (n, t.value(a).to_owned())))
            .collect()
    }

    /// The output parent if attributes may still be added to it.
    fn attribute_target(&mut self) -> Option<NodeId> {
        let f = self.frame();
        let p = f.parent;
        (f.tree.kind(p) == NodeKind::Element && f.tree.first_child(p).is_none()).then_some(p)
    }

    /// Runs `f` with `el` as the output parent.
    fn with_parent<R>(&mut self, el: NodeId, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = std::mem::replace(&mut self.frame().parent, el);
        let r = f(self);
        self.frame().parent = saved;
        r
    }

    /// Copies a node (deeply or not) to the current output parent.
    pub(super) fn copy_node(
        &mut self,
        src: NodeRef,
        deep: bool,
        loc: Loc,
    ) -> Result<(), XsltError> {
        // Work list of (source node, destination parent): filled by deep copies only, so that
        // xsl:copy (one node, most of an identity transform's work) allocates none.
        let mut first = Some((src, self.frame().parent));
        let mut work: Vec<(NodeRef, NodeId)> = Vec::new();
        while let Some((n, dst)) = first.take().or_else(|| work.pop()) {
            self.count_output(loc)?;
            let kind = node_kind(self.tree_of(n.doc), n);
            let (st, frame) = (
                self.docs[n.doc as usize].tree(),
                self.out.last_mut().expect("frame"),
            );
            let dt = &mut frame.tree;
            match kind {
                XNodeKind::Root => {
                    if deep {
                        let kids: Vec<NodeId> = st.children(n.node).collect();
                        work.extend(
                            kids.into_iter()
                                .rev()
                                .map(|c| (NodeRef::new(n.doc, c), dst)),
                        );
                    }
                }
                XNodeKind::Element => {
                    let el = copy_element(st, n.node, dt, dst);
                    if deep {
                        for a in st.attributes(n.node) {
                            let an =
                                dt.intern_name(st.prefix(a), st.local_name(a), st.namespace_uri(a));
                            dt.set_attribute(el, an, st.value(a));
                        }
                        let kids: Vec<NodeId> = st.children(n.node).collect();
                        work.extend(kids.into_iter().rev().map(|c| (NodeRef::new(n.doc, c), el)));
                    } else {
                        // xsl:copy: the caller continues inside the new element.
                        frame.parent = el;
                    }
                }
                XNodeKind::Attribute => {
                    if dt.kind(dst) == NodeKind::Element && dt.first_child(dst).is_none() {
                        let (p, l, u) = (
                            st.prefix(n.node).to_owned(),
                            st.local_name(n.node).to_owned(),
                            st.namespace_uri(n.node).to_owned(),
                        );
                        let v = st.value(n.node).to_owned();
                        self.add_attribute(dst, &p, &l, &u, &v);
                    }
                }
                XNodeKind::Text | XNodeKind::Comment | XNodeKind::ProcessingInstruction => {
                    copy_leaf(st, n.node, dt, dst);
                }
                XNodeKind::Namespace => {
                    if dt.kind(dst) == NodeKind::Element {
                        let (p, u) = crate::xpath::value::namespace_node(st, n);
                        let (pa, ua) = (dt.intern(p), dt.intern(u));
                        dt.add_namespace(dst, pa, ua);
                    }
                }
            }
        }
        Ok(())
    }

    /// A deep copy of source element `src` (of the principal source) to the current output
    /// parent, as [`Exec::copy_node`] makes it, for the identity shortcut's whole subtrees:
    /// each distinct name is interned once, and an element that declares no namespace of its
    /// own, copied under its copied parent, keeps the namespaces it inherits (into the result,
    /// which shares the source's names, a name is taken as it is). Counts nothing
    /// (the caller counts the nodes made).
    pub(super) fn copy_element_deep(&mut self, src: NodeRef) {
        let st = self.docs[src.doc as usize].tree();
        // The result tree starts with the source's names (see `Stylesheet::transform`).
        let same_names = src.doc == 0 && self.out.len() == 1;
        let frame = self.out.last_mut().expect("frame");
        copy_element_deep(st, src.node, &mut frame.tree, frame.parent, same_names);
    }

    /// Applies attribute sets (and the sets they use) to the element being built.
    fn apply_attribute_sets(
        &mut self,
        names: &[ExpandedName],
        loc: Loc,
        seen: &mut Vec<ExpandedName>,
    ) -> Result<(), XsltError> {
        let sheet = self.sheet;
        for n in names {
            let Some(sets) = sheet.attribute_sets.get(n) else {
                return Err(self.err(loc, "XTSE0710", format!("no attribute set named {n}")));
            };
            if seen.contains(n) {
                return Err(self.err(loc, "XTSE0720", format!("attribute set {n} uses itself")));
            }
            seen.push(n.clone());
            // Definitions merge in import-precedence order, later ones overriding. Within a
            // definition its own attributes win over the sets it uses; libxslt writes the own
            // attributes first, so they are created first and re-applied after the used sets.
            for s in sets {
                let before = self.output_attributes();
                // Attribute sets see only global variables.
                let saved = self.frame_base;
                self.frame_base = self.locals.len();
                let r = self.exec_body(&s.body);
                self.frame_base = saved;
                r?;
                let own: Vec<(NameId, String)> = self
                    .output_attributes()
                    .into_iter()
                    .filter(|a| !before.contains(a))
                    .collect();
                self.apply_attribute_sets(&s.use_sets, loc, seen)?;
                if let Some(el) = self.attribute_target() {
                    let t = &mut self.frame().tree;
                    for (name, value) in own {
                        t.set_attribute(el, name, &value);
                    }
                }
            }
            seen.pop();
        }
        Ok(())
    }
}

/// A deep copy of element `src` of `st` under `parent` in `dt`, as `xsl:copy-of` makes it
/// (see [`Exec::copy_element_deep`]); `same_names`: `dt` shares `st`'s names (it was made
/// with [`Tree::with_names_of`]), so a name is taken as it is.
pub(crate) fn copy_element_deep(
    st: &Tree,
    src: NodeId,
    dt: &mut Tree,
    parent: NodeId,
    same_names: bool,
) {
    let mut names: rustc_hash::FxHashMap<NameId, NameId> = Default::default();
    let mut name_of = |dt: &mut Tree, n: NodeId| {
        let id = st.name_id(n).expect("named");
        if same_names {
            return id;
        }
        *names
            .entry(id)
            .or_insert_with(|| dt.intern_name(st.prefix(n), st.local_name(n), st.namespace_uri(n)))
    };
    // (source node, destination parent, whether the parent is the copy of its parent).
    // Room for a config's usual subtree (children of the nodes on one path): no regrowth.
    let mut work: Vec<(NodeId, NodeId, bool)> = Vec::with_capacity(32);
    work.push((src, parent, false));
    while let Some((n, dst, under_copy)) = work.pop() {
        match st.kind(n) {
            NodeKind::Element => {
                let name = name_of(dt, n);
                let el = dt.append_element(dst, name);
                let inherits = under_copy
                    && st.parent(n).is_some_and(|p| {
                        let (mine, theirs) = (st.namespaces(n), st.namespaces(p));
                        std::ptr::eq(mine, theirs)
                    })
                    && {
                        // Its own prefix is bound as the copied parent binds it.
                        let (p, u) = (st.prefix(n), st.namespace_uri(n));
                        dt.namespaces(el)
                            .iter()
                            .any(|b| dt.atom(b.prefix) == p && dt.atom(b.uri) == u)
                    };
                if !inherits {
                    copy_namespaces(st, n, dt, el);
                }
                for a in st.attributes(n) {
                    let an = name_of(dt, a);
                    dt.set_attribute(el, an, st.value(a));
                }
                let mut c = st.last_child(n);
                while let Some(k) = c {
                    work.push((k, el, true));
                    c = st.prev_sibling(k);
                }
            }
            NodeKind::Text | NodeKind::Comment | NodeKind::ProcessingInstruction => {
                copy_leaf(st, n, dt, dst);
            }
            NodeKind::Root | NodeKind::Attribute => {}
        }
    }
}

/// Creates element (`prefix`, `local`, `uri`) under `parent` in `t` with the given namespace
/// nodes (on top of the inherited ones), making sure its own name's namespace is bound: what a
/// literal result element and `xsl:element` make.
pub(crate) fn start_element(
    t: &mut Tree,
    parent: NodeId,
    (prefix, local, uri): (&str, &str, &str),
    namespaces: &[(Arc<str>, Arc<str>)],
) -> NodeId {
    let name = t.intern_name(prefix, local, uri);
    let el = t.append_element(parent, name);
    let mut ns: Vec<NsBinding> = t.namespaces(el).to_vec();
    for (p, u) in namespaces {
        bind(t, &mut ns, p, u);
    }
    let pa = t.intern(prefix);
    let current = ns
        .iter()
        .find(|b| b.prefix == pa)
        .map(|b| t.atom(b.uri).to_owned());
    if current.as_deref().unwrap_or("") != uri {
        bind(t, &mut ns, prefix, uri);
    }
    t.set_namespaces(el, &ns);
    el
}

/// Adds an attribute (`prefix`, `local`, `uri`) to element `el` of `t`, binding its namespace
/// (a prefix of its own when the given one is taken): what `xsl:attribute` and an attribute's
/// `xsl:copy` do.
pub(crate) fn add_attribute(
    t: &mut Tree,
    el: NodeId,
    (prefix, local, uri): (&str, &str, &str),
    value: &str,
) {
    let prefix = if uri.is_empty() {
        String::new()
    } else {
        let bound = |t: &Tree, p: &str| {
            t.namespaces(el)
                .iter()
                .rev()
                .find(|b| t.atom(b.prefix) == p)
                .map(|b| t.atom(b.uri).to_owned())
        };
        let usable = |t: &Tree, p: &str| {
            !p.is_empty() && p != "xmlns" && bound(t, p).is_none_or(|u| u == uri)
        };
        let chosen = if uri == XML_NS {
            "xml".to_owned()
        } else if usable(t, prefix) {
            prefix.to_owned()
        } else if let Some(b) = t
            .namespaces(el)
            .iter()
            .find(|b| t.atom(b.uri) == uri && !t.atom(b.prefix).is_empty())
        {
            t.atom(b.prefix).to_owned()
        } else {
            let mut k = 1;
            loop {
                let cand = format!("ns_{k}");
                if usable(t, &cand) {
                    break cand;
                }
                k += 1;
            }
        };
        if chosen != "xml" && bound(t, &chosen).is_none() {
            let (pa, ua) = (t.intern(&chosen), t.intern(uri));
            t.add_namespace(el, pa, ua);
        }
        chosen
    };
    let name = t.intern_name(&prefix, local, uri);
    t.set_attribute(el, name, value);
}

/// Appends a copy of text, comment or processing instruction `n` of `st` to `dst` in `dt`.
pub(crate) fn copy_leaf(st: &Tree, n: NodeId, dt: &mut Tree, dst: NodeId) {
    match st.kind(n) {
        NodeKind::Text if st.value(n).is_empty() => {
            // An empty CDATA section is still a node: libxslt copies it, and the element then
            // is written <a></a> rather than <a/>.
            dt.append_text_node(dst, "");
        }
        NodeKind::Text if st.is_raw_text(n) => {
            dt.append_raw_text(dst, st.value(n));
        }
        NodeKind::Text => {
            dt.append_text(dst, st.value(n));
        }
        NodeKind::Comment => {
            dt.append_comment(dst, st.value(n));
        }
        NodeKind::ProcessingInstruction => {
            dt.append_pi(dst, st.local_name(n), st.value(n));
        }
        NodeKind::Root | NodeKind::Element | NodeKind::Attribute => {}
    }
}

/// A copy of element `n` of `st` under `parent` in `dt`, without its attributes or children:
/// what `xsl:copy` of an element makes (its name and its namespace nodes).
pub(crate) fn copy_element(st: &Tree, n: NodeId, dt: &mut Tree, parent: NodeId) -> NodeId {
    let name = dt.intern_name(st.prefix(n), st.local_name(n), st.namespace_uri(n));
    let el = dt.append_element(parent, name);
    copy_namespaces(st, n, dt, el);
    el
}

/// Gives element `el` of `dt`, the copy of source element `n` of `st`, the source's namespace
/// nodes on top of those it inherits, and a binding for its own prefix (an element in no
/// namespace under a default namespace needs `xmlns=""`).
fn copy_namespaces(st: &Tree, n: NodeId, dt: &mut Tree, el: NodeId) {
    // Nothing in scope in the source (a config without xmlns): only the element's own prefix
    // is to bind, and the copy's scope mostly binds it so already. The bindings would come out
    // the same; this spares building them (two lists a copied element).
    if st.namespaces(n).is_empty() {
        let (pa, ua) = (dt.intern(st.prefix(n)), dt.intern(st.namespace_uri(n)));
        if dt
            .namespaces(el)
            .iter()
            .find(|b| b.prefix == pa)
            .is_some_and(|b| b.uri == ua)
        {
            return;
        }
    }
    let mut ns: Vec<NsBinding> = dt.namespaces(el).to_vec();
    for (p, u) in namespace_bindings(st, n) {
        if p != "xml" {
            bind(dt, &mut ns, p, u);
        }
    }
    bind(dt, &mut ns, st.prefix(n), st.namespace_uri(n));
    dt.set_namespaces(el, &ns);
}

/// Binds prefix `p` to `u` in `ns` (bindings of tree `t`), replacing a binding of `p`.
fn bind(t: &mut Tree, ns: &mut Vec<NsBinding>, p: &str, u: &str) {
    let (pa, ua) = (t.intern(p), t.intern(u));
    match ns.iter_mut().find(|b| b.prefix == pa) {
        Some(b) => b.uri = ua,
        None => ns.push(NsBinding {
            prefix: pa,
            uri: ua,
        }),
    }
}
