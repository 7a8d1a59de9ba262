//! Building a tree: appending nodes, setting attributes and namespaces, text, moving and
//! detaching nodes. The parser, the XSLT engine, XDT and the native profile build through
//! these; [`super`] holds the tree itself and reading it.

use super::*;

impl Tree {
    fn push(&mut self, data: NodeData) -> NodeId {
        let id = self.nodes.len() as u32;
        assert!(id != NONE, "tree too large");
        self.nodes.push(data);
        NodeId(id)
    }

    fn link_child(&mut self, parent: NodeId, child: NodeId) {
        let last = self.nodes[parent.0 as usize].last_child;
        if last == NONE {
            self.nodes[parent.0 as usize].first_child = child.0;
        } else {
            self.nodes[last as usize].next = child.0;
            self.nodes[child.0 as usize].prev = last;
        }
        self.nodes[parent.0 as usize].last_child = child.0;
    }

    fn store(&mut self, s: &str) -> StrRef {
        let start = self.buf.len();
        self.buf.push_str(s);
        StrRef {
            start: start as u32,
            len: s.len() as u32 | IN_BUF,
        }
    }

    /// Stores a string that is a slice of the source text without copying it.
    fn source_ref(&self, s: &str) -> Option<(u32, u32)> {
        let (base, len) = self.src_ptr;
        let p = s.as_ptr() as usize;
        (p >= base && p + s.len() <= base + len && s.len() < IN_BUF as usize)
            .then(|| ((p - base) as u32, s.len() as u32))
    }

    /// Lets values refer into `text` while it is still borrowed by the parser; the caller must
    /// hand the same text to [`Tree::adopt_source`] before reading any value.
    pub(crate) fn begin_source(&mut self, text: &str) {
        self.src_ptr = (text.as_ptr() as usize, text.len());
    }

    /// Takes ownership of the text announced by [`Tree::begin_source`].
    pub(crate) fn adopt_source(mut self, text: String, spans_valid: bool) -> Tree {
        assert_eq!(
            (text.as_ptr() as usize, text.len()),
            self.src_ptr,
            "adopt_source needs the text given to begin_source"
        );
        let len = text.len() as u32;
        self.src = Arc::new(text);
        self.src_borrowed = false;
        self.lines = std::sync::OnceLock::new();
        self.has_spans = spans_valid && self.keep_spans;
        self.set_span(NodeId::ROOT, [0, len, 0, len]);
        self
    }

    fn value_ref(&mut self, s: &str) -> StrRef {
        match self.source_ref(s) {
            Some((start, len)) => StrRef { start, len },
            None => self.store(s),
        }
    }

    /// Appends an element under `parent`. Its in-scope namespaces start as the parent's.
    pub fn append_element(&mut self, parent: NodeId, name: NameId) -> NodeId {
        let mut d = NodeData::new(NodeKind::Element, parent.0);
        d.name = name.0;
        d.set_ns(self.d(parent).ns());
        let id = self.push(d);
        self.link_child(parent, id);
        id
    }

    /// Replaces an element's in-scope namespace bindings.
    pub fn set_namespaces(&mut self, el: NodeId, bindings: &[NsBinding]) {
        // Share the parent's range when equal: most elements declare nothing.
        if let Some(p) = self.parent(el)
            && self.kind(p) == NodeKind::Element
            && self.namespaces(p) == bindings
        {
            let scope = self.d(p).ns();
            self.nodes[el.0 as usize].set_ns(scope);
            return;
        }
        self.new_scope(el, bindings);
    }

    /// Gives an element its own in-scope namespaces.
    fn new_scope(&mut self, el: NodeId, bindings: &[NsBinding]) {
        let start = self.ns_table.len() as u32;
        self.ns_table.extend_from_slice(bindings);
        self.ns_scopes.push((start, bindings.len() as u32));
        let scope = (self.ns_scopes.len() - 1) as u32;
        self.nodes[el.0 as usize].set_ns(scope);
    }

    /// Adds (or rebinds) one namespace binding on an element.
    pub fn add_namespace(&mut self, el: NodeId, prefix: Atom, uri: Atom) {
        let mut current = self.namespaces(el).to_vec();
        if let Some(b) = current.iter_mut().find(|b| b.prefix == prefix) {
            if b.uri == uri {
                return;
            }
            b.uri = uri;
        } else {
            current.push(NsBinding { prefix, uri });
        }
        self.new_scope(el, &current);
    }

    /// Sets an attribute, replacing one with the same expanded name.
    pub fn set_attribute(&mut self, el: NodeId, name: NameId, value: &str) -> NodeId {
        let q = self.qname(name);
        // The walk that looks for the same name also finds the last attribute, where a new one
        // goes (elements keep no link to their last attribute).
        let mut last = NONE;
        let mut existing = None;
        for a in self.attributes(el) {
            let aq = self.names[self.d(a).name as usize];
            if aq.local == q.local && aq.uri == q.uri {
                existing = Some(a);
                break;
            }
            last = a.0;
        }
        let v = self.value_ref(value);
        if let Some(a) = existing {
            let d = &mut self.nodes[a.0 as usize];
            d.set_value(v);
            d.name = name.0;
            return a;
        }
        let mut d = NodeData::new(NodeKind::Attribute, el.0);
        d.name = name.0;
        d.set_value(v);
        let id = self.push(d);
        if last == NONE {
            self.nodes[el.0 as usize].set_first_attr(id.0);
        } else {
            self.nodes[last as usize].next = id.0;
            self.nodes[id.0 as usize].prev = last;
        }
        id
    }

    /// Appends text, merging with a preceding text sibling (result trees never hold two adjacent
    /// text nodes). Empty text adds nothing.
    pub fn append_text(&mut self, parent: NodeId, text: &str) -> Option<NodeId> {
        if text.is_empty() {
            return None;
        }
        if let Some(last) = self.last_child(parent)
            && self.kind(last) == NodeKind::Text
            && !self.d(last).raw
        {
            let old = self.d(last).value();
            let joined = if old.len & IN_BUF != 0
                && (old.start + (old.len & !IN_BUF)) as usize == self.buf.len()
            {
                // The old text is at the end of the buffer: extend it in place.
                self.buf.push_str(text);
                StrRef {
                    start: old.start,
                    len: ((old.len & !IN_BUF) + text.len() as u32) | IN_BUF,
                }
            } else {
                let mut s = self.str_of(old).to_owned();
                s.push_str(text);
                self.store(&s)
            };
            self.nodes[last.0 as usize].set_value(joined);
            return Some(last);
        }
        let mut d = NodeData::new(NodeKind::Text, parent.0);
        d.set_value(self.value_ref(text));
        let id = self.push(d);
        self.link_child(parent, id);
        Some(id)
    }

    /// Appends text that serializers write without escaping (XSLT's
    /// `disable-output-escaping="yes"`). It is merged only with other such text.
    pub fn append_raw_text(&mut self, parent: NodeId, text: &str) -> Option<NodeId> {
        if text.is_empty() {
            return None;
        }
        if let Some(last) = self.last_child(parent)
            && self.kind(last) == NodeKind::Text
            && self.d(last).raw
        {
            let mut s = self.value(last).to_owned();
            s.push_str(text);
            let v = self.store(&s);
            self.nodes[last.0 as usize].set_value(v);
            return Some(last);
        }
        let mut d = NodeData::new(NodeKind::Text, parent.0);
        d.raw = true;
        d.set_value(self.store(text));
        let id = self.push(d);
        self.link_child(parent, id);
        Some(id)
    }

    /// Whether a text node is written without escaping.
    pub fn is_raw_text(&self, n: NodeId) -> bool {
        self.d(n).raw
    }

    /// Appends a text node without merging (the parser's text runs are already merged).
    pub(crate) fn append_text_node(&mut self, parent: NodeId, text: &str) -> NodeId {
        let mut d = NodeData::new(NodeKind::Text, parent.0);
        d.set_value(self.value_ref(text));
        let id = self.push(d);
        self.link_child(parent, id);
        id
    }

    /// Appends a comment.
    pub fn append_comment(&mut self, parent: NodeId, text: &str) -> NodeId {
        let mut d = NodeData::new(NodeKind::Comment, parent.0);
        d.set_value(self.value_ref(text));
        let id = self.push(d);
        self.link_child(parent, id);
        id
    }

    /// Appends a processing instruction.
    pub fn append_pi(&mut self, parent: NodeId, target: &str, data: &str) -> NodeId {
        let name = self.intern_name("", target, "");
        let mut d = NodeData::new(NodeKind::ProcessingInstruction, parent.0);
        d.name = name.0;
        d.set_value(self.value_ref(data));
        let id = self.push(d);
        self.link_child(parent, id);
        id
    }

    /// Records source spans for a node (parser only).
    pub(crate) fn set_span(&mut self, n: NodeId, span: [u32; 4]) {
        if !self.keep_spans {
            return;
        }
        let i = n.0 as usize;
        if self.spans.len() <= i {
            self.spans.resize(i + 1, [0; 4]);
        }
        self.spans[i] = span;
    }

    pub(crate) fn raw_span(&self, n: NodeId) -> [u32; 4] {
        self.sp(n)
    }

    /// Unlinks a node from its parent (it stays in the arena, unreachable). Used for whitespace
    /// stripping.
    pub fn detach(&mut self, n: NodeId) {
        let (parent, prev, next) = {
            let d = self.d(n);
            (d.parent, d.prev, d.next)
        };
        if parent == NONE {
            return;
        }
        let is_attr = self.kind(n) == NodeKind::Attribute;
        if prev != NONE {
            self.nodes[prev as usize].next = next;
        } else if is_attr {
            self.nodes[parent as usize].set_first_attr(next);
        } else {
            self.nodes[parent as usize].first_child = next;
        }
        if next != NONE {
            self.nodes[next as usize].prev = prev;
        } else if !is_attr {
            self.nodes[parent as usize].last_child = prev;
        }
        let d = &mut self.nodes[n.0 as usize];
        d.parent = NONE;
        d.prev = NONE;
        d.next = NONE;
    }
}
