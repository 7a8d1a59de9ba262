//! The documents an execution sees: the source (whitespace stripped per `xsl:strip-space`),
//! result tree fragments, files read by `document()` and stylesheet modules; and what XSLT's
//! functions know about them: key indexes (`key()`) and node ids (`generate-id()`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::Exec;
use crate::xml::{Document, NodeId, NodeKind, Tree, XML_NS};
use crate::xpath::ExpandedName;
use crate::xpath::eval::{Context, to_string};
use crate::xpath::value::{DocId, NodeRef, Value, sort_dedup, string_value};
use crate::xslt::compile::Stylesheet;
use crate::xslt::error::XsltError;

/// Removes whitespace-only text nodes under elements `xsl:strip-space` names (unless
/// `xml:space="preserve"` is in scope).
pub(super) fn strip_whitespace(sheet: &Stylesheet, t: &mut Tree) {
    let mut doomed = Vec::new();
    for n in t.descendants(NodeId::ROOT) {
        if t.kind(n) != NodeKind::Text
            || !t
                .value(n)
                .chars()
                .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        {
            continue;
        }
        let Some(p) = t.parent(n) else { continue };
        if t.kind(p) != NodeKind::Element || !sheet.strips(t.namespace_uri(p), t.local_name(p)) {
            continue;
        }
        let preserved = std::iter::once(p)
            .chain(t.ancestors(p))
            .find_map(|a| t.attribute_value(a, XML_NS, "space"))
            .is_some_and(|v| v == "preserve");
        if !preserved {
            doomed.push(n);
        }
    }
    for n in doomed {
        t.detach(n);
    }
}

/// A document: the caller's source, a tree of the execution's own, or a stylesheet module.
pub(super) enum Slot<'a> {
    Borrowed(&'a Tree),
    Owned(Box<Tree>),
    Shared(Arc<Tree>),
}

impl Slot<'_> {
    /// The tree.
    pub(super) fn tree(&self) -> &Tree {
        match self {
            Slot::Borrowed(t) => t,
            Slot::Owned(t) => t,
            Slot::Shared(t) => t,
        }
    }
}

/// A key's index over one document: key value → nodes in document order.
pub(super) type KeyIndex = Rc<HashMap<String, Vec<NodeRef>>>;

impl Exec<'_> {
    /// Document `doc`.
    pub(super) fn tree_of(&self, doc: DocId) -> &Tree {
        self.docs[doc as usize].tree()
    }

    /// Adds a tree (a fragment, a node-set built from a string) as a new document.
    pub(super) fn add_tree(&mut self, tree: Tree) -> DocId {
        let id = self.docs.len() as DocId;
        self.docs.push(Slot::Owned(Box::new(tree)));
        self.doc_paths.push(None);
        id
    }

    /// The index of key `name` over document `doc`, built on first use.
    pub(super) fn key_index(
        &mut self,
        name: &ExpandedName,
        doc: DocId,
    ) -> Result<Rc<HashMap<String, Vec<NodeRef>>>, XsltError> {
        if let Some(ix) = self.keys.get(&(name.clone(), doc)) {
            return Ok(ix.clone());
        }
        let sheet = self.sheet;
        // An undeclared key selects nothing (libxslt's behaviour; XSLT 1.0 does not say).
        let Some(defs) = sheet.keys.get(name) else {
            return Ok(Rc::new(HashMap::new()));
        };
        let mut index: HashMap<String, Vec<NodeRef>> = HashMap::new();
        let nodes: Vec<NodeRef> = {
            let t = self.tree_of(doc);
            let mut v = vec![NodeRef::new(doc, NodeId::ROOT)];
            for n in t.descendants(NodeId::ROOT) {
                v.push(NodeRef::new(doc, n));
                if t.kind(n) == NodeKind::Element {
                    v.extend(t.attributes(n).map(|a| NodeRef::new(doc, a)));
                }
            }
            v
        };
        let saved = self.current;
        for &n in &nodes {
            for d in defs {
                let m = d
                    .pattern
                    .matches(n, self)
                    .map_err(|e| self.xerr(&d.use_expr, e))?;
                if !m {
                    continue;
                }
                self.current = n;
                let v = self.eval_at(&d.use_expr, Context::node(n));
                self.current = saved;
                match v? {
                    Value::Nodes(ns) => {
                        for &k in ns.iter() {
                            let s = string_value(self.tree_of(k.doc), k);
                            index.entry(s).or_default().push(n);
                        }
                    }
                    other => {
                        let s = to_string(&other, self).to_string();
                        index.entry(s).or_default().push(n);
                    }
                }
            }
        }
        let ix = Rc::new(index);
        self.keys.insert((name.clone(), doc), ix.clone());
        Ok(ix)
    }

    /// `document()`: reads local files (if `allow_document`), relative to the node's document
    /// or the stylesheet module; `document('')` is the stylesheet module itself.
    pub(super) fn document_fn(&mut self, args: Vec<Value>) -> Result<Value, XsltError> {
        if !self.opts.allow_document {
            return Err(self.err(self.cur_loc, "WXSL0003", "document() is disabled: pass --allow-document to let the stylesheet read local files"));
        }
        let base_override = args.get(1).and_then(|v| match v {
            Value::Nodes(n) => n.first().map(|&f| self.base_of(f)),
            _ => None,
        });
        let mut refs: Vec<(String, Option<PathBuf>)> = Vec::new();
        match &args[0] {
            Value::Nodes(ns) => {
                for &n in ns.iter() {
                    let s = string_value(self.tree_of(n.doc), n);
                    let base = base_override.clone().unwrap_or_else(|| self.base_of(n));
                    refs.push((s, base));
                }
            }
            v => {
                let s = to_string(v, self).to_string();
                let base = base_override.clone().unwrap_or_else(|| self.module_base());
                refs.push((s, base));
            }
        }
        let mut out = Vec::new();
        for (uri, base) in refs {
            let uri = uri.split('#').next().unwrap_or("").trim().to_owned();
            if uri.is_empty() {
                out.push(self.module_document());
                continue;
            }
            let local = uri.strip_prefix("file://").unwrap_or(&uri);
            if local.contains("://") {
                return Err(self.err(
                    self.cur_loc,
                    "WXSL0003",
                    format!("document(): only local files can be read, not {uri}"),
                ));
            }
            let path = match base {
                Some(b) if Path::new(local).is_relative() => b.join(local),
                _ => PathBuf::from(local),
            };
            let key = path.canonicalize().unwrap_or(path.clone());
            if let Some(&d) = self.loaded.get(&key) {
                out.push(NodeRef::new(d, NodeId::ROOT));
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| {
                self.err(
                    self.cur_loc,
                    "FODC0002",
                    format!("document(): cannot read {}: {e}", path.display()),
                )
            })?;
            let doc = Document::parse(&bytes, &self.opts.document_limits).map_err(|e| {
                self.err(
                    self.cur_loc,
                    "FODC0002",
                    format!("document(): {}:{}: {e}", path.display(), e.pos()),
                )
            })?;
            let mut tree = doc.into_tree();
            if self.sheet.strips_space() {
                strip_whitespace(self.sheet, &mut tree);
            }
            let id = self.docs.len() as DocId;
            self.docs.push(Slot::Owned(Box::new(tree)));
            self.doc_paths.push(path.parent().map(Path::to_path_buf));
            self.loaded.insert(key, id);
            out.push(NodeRef::new(id, NodeId::ROOT));
        }
        sort_dedup(&mut out);
        Ok(Value::Nodes(Rc::new(out)))
    }

    /// The directory of the stylesheet module of the current instruction.
    fn module_base(&self) -> Option<PathBuf> {
        self.sheet.modules[self.cur_loc.module as usize]
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    }

    /// The directory relative URIs in node `n`'s string value resolve against.
    fn base_of(&self, n: NodeRef) -> Option<PathBuf> {
        self.doc_paths
            .get(n.doc as usize)
            .cloned()
            .flatten()
            .or_else(|| self.module_base())
    }

    /// The stylesheet module of the current instruction as a document (`document('')`).
    fn module_document(&mut self) -> NodeRef {
        let m = self.cur_loc.module;
        if let Some(&d) = self.module_docs.get(&m) {
            return NodeRef::new(d, NodeId::ROOT);
        }
        let id = self.docs.len() as DocId;
        self.docs
            .push(Slot::Shared(self.sheet.modules[m as usize].tree.clone()));
        self.doc_paths.push(self.module_base());
        self.module_docs.insert(m, id);
        NodeRef::new(id, NodeId::ROOT)
    }

    /// `generate-id()`: `id1`, `id2`... in the order nodes are first asked for (as libxslt
    /// does); a namespace node is its element's id, `ns` and its prefix in hexadecimal UTF-8.
    pub(super) fn generate_id(&mut self, n: NodeRef) -> String {
        let el = NodeRef { ns: 0, ..n };
        let next = self.ids.len() + 1;
        let k = *self.ids.entry(el).or_insert(next);
        if n.ns == 0 {
            return format!("id{k}");
        }
        let (prefix, _) = crate::xpath::value::namespace_node(self.tree_of(n.doc), n);
        let hex: String = prefix.bytes().map(|b| format!("{b:02X}")).collect();
        format!("id{k}ns{hex}")
    }
}
