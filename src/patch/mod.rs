//! Minimal edits: express a result tree as text edits on the original document.
//!
//! 1. **Align** the source tree with the result tree, parent by parent: the significant children
//!    (elements, comments, processing instructions, text that is not only white space) of each
//!    side get a key (element name plus its identity attribute — `name`, `key`, `path`... — or
//!    the text), and a Myers diff of the keys pairs them up. Matched elements are compared
//!    attribute by attribute and recursively; elements of the same name facing each other in a
//!    changed run are paired too, so a changed value is an attribute edit, not a new element.
//! 2. **Edit**: unmatched source nodes are deleted (with their line when alone on it), unmatched
//!    result nodes are written in the file's style (quotes, `<a />` or `<a/>`, indentation,
//!    line endings, encoding) after their nearest kept sibling; attribute and text changes
//!    replace just their bytes. A self-closing parent that receives children is expanded.
//! 3. **Splice** the edits into the original text in one pass.
//! 4. **Verify**: the patched text must parse to the result tree, ignoring white space between
//!    elements; where that proves the same, only the edited elements are parsed again
//!    (`verify.rs`). A result element the transform made as a deep copy of its source element
//!    ([`minimal_edit_with`]) is equal to it by construction: neither aligned nor compared
//!    where no edit touches its bytes. If the proof fails, or the result is not an edit of the source
//!    at all (another root element, a text or html output method), the caller falls back to
//!    the stylesheet's own serialization.
//!
//! White space between elements is formatting, not content: a transform that only changes it
//! produces no edit (see the README's limitations).

pub mod style;
mod verify;

pub use verify::equivalent;

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use crate::xml::{Document, NodeId, NodeKind, Tree};
use style::{NsScope, Style, is_blank, line_ending_at, write_node};

/// A text edit: replace `start..end` of the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Start byte.
    pub start: usize,
    /// End byte (equal to start for an insertion).
    pub end: usize,
    /// Replacement.
    pub text: String,
}

/// Why a result cannot be expressed as an edit of the source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAnEdit(pub String);

/// XML white space.
const XML_WS: [char; 4] = [' ', '\t', '\r', '\n'];

/// Attributes that identify an element within an IIS collection (its key in `<add>`,
/// `<remove>`, `<location>`, `<mimeMap>`...).
const IDENTITY_ATTRIBUTES: &[&str] = &[
    "name",
    "key",
    "path",
    "fileExtension",
    "id",
    "verb",
    "type",
    "value",
];

/// Computes the edits that turn `source` into `result`.
pub fn diff_trees(source: &Document, result: &Tree) -> Result<Vec<Edit>, NotAnEdit> {
    Ok(align(source, result, &[])?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// The edits, each with the source element it changes (the parent whose children change, the
/// element whose attributes change): what the verification needs to prove them locally.
fn align(
    source: &Document,
    result: &Tree,
    copies: &[(NodeId, NodeId)],
) -> Result<Vec<(NodeId, Edit)>, NotAnEdit> {
    let t = source.tree();
    if !t.has_spans() {
        return Err(NotAnEdit(
            "the input has no reliable byte positions (DTD entities)".into(),
        ));
    }
    let (Some(sr), Some(rr)) = (t.root_element(), result.root_element()) else {
        return Err(NotAnEdit("the result has no root element".into()));
    };
    if t.local_name(sr) != result.local_name(rr) || t.namespace_uri(sr) != result.namespace_uri(rr)
    {
        return Err(NotAnEdit(format!(
            "the result's root element <{}> is not the input's <{}>",
            result.qualified_name(rr),
            t.qualified_name(sr)
        )));
    }
    let mut a = Aligner {
        doc: source,
        res: result,
        escaper: Style {
            encoding: source.encoding().encoding,
            ..Style::default()
        },
        basic: std::cell::OnceCell::new(),
        style: std::cell::OnceCell::new(),
        copies,
        edits: Vec::new(),
    };
    a.children(NodeId::ROOT, NodeId::ROOT)?;
    Ok(a.edits)
}

/// Applies edits to a text in one pass. Edits must not overlap; insertions at the same offset
/// keep their order.
pub fn splice(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end != e.start));
    let extra: usize = sorted.iter().map(|e| e.text.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    crate::xml::pages::advise_huge_text(&out);
    let mut pos = 0;
    for e in sorted {
        debug_assert!(e.start >= pos, "overlapping edits at {}", e.start);
        let start = e.start.max(pos);
        out.push_str(&text[pos..start]);
        out.push_str(&e.text);
        pos = e.end.max(start);
    }
    out.push_str(&text[pos..]);
    out
}

/// The minimal edit of `source` that has the content of `result`: the new text, verified
/// (see the module documentation).
pub fn minimal_edit(source: &Document, result: &Tree) -> Result<String, NotAnEdit> {
    minimal_edit_with(source, result, &[])
}

/// [`minimal_edit`], knowing which result elements are deep copies of which source elements
/// (as (result node, source node), sorted by result node: what
/// [`TransformResult::copies`](crate::xslt::TransformResult::copies) gives). A copy paired
/// with its own original is equal to it by construction: neither the alignment nor the
/// verification walks it. Anything else is compared as by [`minimal_edit`].
pub fn minimal_edit_with(
    source: &Document,
    result: &Tree,
    copies: &[(NodeId, NodeId)],
) -> Result<String, NotAnEdit> {
    debug_assert!(copies.is_sorted_by_key(|c| c.0), "copies in result order");
    let edits = align(source, result, copies)?;
    if edits.is_empty() {
        return Ok(source.text().to_owned());
    }
    let plain: Vec<Edit> = edits.iter().map(|(_, e)| e.clone()).collect();
    let text = splice(source.text(), &plain);
    verify::verify(source, result, &edits, &text, copies)?;
    Ok(text)
}

/// Whether result element `r` is a deep copy of source element `s` (see
/// [`minimal_edit_with`]).
fn is_copy(copies: &[(NodeId, NodeId)], s: NodeId, r: NodeId) -> bool {
    copies
        .binary_search_by_key(&r, |c| c.0)
        .is_ok_and(|i| copies[i].1 == s)
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Key(u64);

/// The hash behind a [`Key`]: rustc-hash's, which takes a string eight bytes and more at a
/// time; each string ends with 0xFF, a byte no UTF-8 string holds. Keys that collide only make
/// the aligner take a changed node for an unchanged one, which the verification then refuses.
struct KeyHasher(rustc_hash::FxHasher);

impl KeyHasher {
    fn new() -> KeyHasher {
        KeyHasher(rustc_hash::FxHasher::default())
    }
    fn write(&mut self, s: &str) -> &mut KeyHasher {
        use std::hash::Hasher as _;
        self.0.write(s.as_bytes());
        self.0.write_u8(0xff);
        self
    }
}

/// The significant children of a node: everything but white-space-only text.
fn significant(t: &Tree, n: NodeId) -> impl Iterator<Item = NodeId> + Clone + '_ {
    t.children(n)
        .filter(move |&c| !(t.kind(c) == NodeKind::Text && is_blank(t.value(c))))
}

fn key(t: &Tree, n: NodeId) -> Key {
    let mut h = KeyHasher::new();
    match t.kind(n) {
        NodeKind::Element => {
            h.write("e")
                .write(t.namespace_uri(n))
                .write(t.local_name(n));
            // The first of IDENTITY_ATTRIBUTES the element has, in one pass over its attributes.
            let mut best: Option<(usize, NodeId)> = None;
            for a in t.attributes(n) {
                if !t.namespace_uri(a).is_empty() {
                    continue;
                }
                let local = t.local_name(a);
                if let Some(k) = IDENTITY_ATTRIBUTES.iter().position(|&i| i == local)
                    && best.is_none_or(|(b, _)| k < b)
                {
                    best = Some((k, a));
                }
            }
            if let Some((_, a)) = best {
                h.write(t.value(a));
            }
        }
        NodeKind::Text => {
            h.write("t").write(t.value(n).trim_matches(XML_WS));
        }
        NodeKind::Comment => {
            h.write("c").write(t.value(n));
        }
        NodeKind::ProcessingInstruction => {
            h.write("p").write(t.local_name(n)).write(t.value(n));
        }
        NodeKind::Root | NodeKind::Attribute => {}
    }
    Key(std::hash::Hasher::finish(&h.0))
}

/// Whether two elements have the same attributes (names and values) in the same order: what a
/// copy gives, recognised without building lists.
fn same_attributes_in_order(a: &Tree, x: NodeId, b: &Tree, y: NodeId) -> bool {
    let mut bs = b.attributes(y);
    a.attributes(x).all(|p| {
        bs.next().is_some_and(|q| {
            a.value(p) == b.value(q)
                && a.local_name(p) == b.local_name(q)
                && a.namespace_uri(p) == b.namespace_uri(q)
        })
    }) && bs.next().is_none()
}

fn same_element(a: &Tree, x: NodeId, b: &Tree, y: NodeId) -> bool {
    a.kind(x) == NodeKind::Element
        && b.kind(y) == NodeKind::Element
        && a.local_name(x) == b.local_name(y)
        && a.namespace_uri(x) == b.namespace_uri(y)
}

struct Aligner<'a> {
    doc: &'a Document,
    res: &'a Tree,
    /// The file's encoding, for escaping.
    escaper: Style,
    /// The file's line ending and encoding, read when a line break needs it.
    basic: std::cell::OnceCell<Style>,
    /// The file's style, read when an edit needs what its neighbourhood does not show (it
    /// walks the whole document).
    style: std::cell::OnceCell<Style>,
    copies: &'a [(NodeId, NodeId)],
    edits: Vec<(NodeId, Edit)>,
}

impl Aligner<'_> {
    fn style(&self) -> &Style {
        self.style.get_or_init(|| Style::detect(self.doc))
    }

    fn basic(&self) -> &Style {
        self.basic.get_or_init(|| Style::basic(self.doc))
    }

    /// Records an edit of `owner`'s bytes.
    fn push(&mut self, owner: NodeId, e: Edit) {
        self.edits.push((owner, e));
    }

    fn src(&self) -> &Tree {
        self.doc.tree()
    }

    fn text(&self) -> &str {
        self.doc.text()
    }

    /// Aligns the children of a matched pair of parents.
    fn children(&mut self, s: NodeId, r: NodeId) -> Result<(), NotAnEdit> {
        let (doc, res) = (self.doc, self.res);
        let st = doc.tree();
        // Nearly every parent keeps its children as they were: checked, then paired, without
        // lists.
        let (mut xs, mut ys) = (significant(st, s), significant(res, r));
        let unchanged = loop {
            match (xs.next(), ys.next()) {
                (None, None) => break true,
                (Some(a), Some(b)) if key(st, a) == key(res, b) => {}
                _ => break false,
            }
        };
        if unchanged {
            for (a, b) in significant(st, s).zip(significant(res, r)) {
                self.pair(a, b)?;
            }
            return Ok(());
        }
        let s_items: Vec<NodeId> = significant(st, s).collect();
        let r_items: Vec<NodeId> = significant(res, r).collect();
        let s_keys: Vec<Key> = s_items.iter().map(|&n| key(st, n)).collect();
        let r_keys: Vec<Key> = r_items.iter().map(|&n| key(self.res, n)).collect();
        // Gaps: result nodes to insert after source item i (usize::MAX: before the first).
        let mut inserts: Vec<(Option<usize>, Vec<NodeId>)> = Vec::new();
        let mut deleted: Vec<usize> = Vec::new();
        let mut last_kept: Option<usize> = None;
        // Myers is O(N·D): quick for real edits, quadratic for a stylesheet that reorders a
        // long list. Past the deadline `similar` settles for a valid but coarser script, which
        // only makes the edit larger, never wrong (the result is verified after splicing).
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        let ops = capture_diff_slices_deadline(Algorithm::Myers, &s_keys, &r_keys, Some(deadline));
        let add_insert =
            |after: Option<usize>, n: NodeId, inserts: &mut Vec<(Option<usize>, Vec<NodeId>)>| {
                match inserts.last_mut() {
                    Some((a, v)) if *a == after => v.push(n),
                    _ => inserts.push((after, vec![n])),
                }
            };
        for op in ops {
            match op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    for k in 0..len {
                        self.pair(s_items[old_index + k], r_items[new_index + k])?;
                    }
                    last_kept = Some(old_index + len - 1);
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    deleted.extend(old_index..old_index + old_len);
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    for k in 0..new_len {
                        add_insert(last_kept, r_items[new_index + k], &mut inserts);
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    // Pair same-named elements facing each other: an attribute changed.
                    let mut i = 0;
                    let mut j = 0;
                    while i < old_len || j < new_len {
                        if i < old_len && j < new_len {
                            let (a, b) = (s_items[old_index + i], r_items[new_index + j]);
                            let st = self.doc.tree();
                            let pairable = same_element(st, a, self.res, b)
                                || (st.kind(a) == NodeKind::Text
                                    && self.res.kind(b) == NodeKind::Text);
                            if pairable {
                                self.pair(a, b)?;
                                last_kept = Some(old_index + i);
                                i += 1;
                                j += 1;
                                continue;
                            }
                        }
                        if i < old_len {
                            deleted.push(old_index + i);
                            i += 1;
                        } else {
                            add_insert(last_kept, r_items[new_index + j], &mut inserts);
                            j += 1;
                        }
                    }
                }
            }
        }
        // Neighbours deleted together go as one range (their lines, their white space).
        deleted.sort_unstable();
        let mut k = 0;
        while k < deleted.len() {
            let mut j = k;
            while j + 1 < deleted.len() && deleted[j + 1] == deleted[j] + 1 {
                j += 1;
            }
            self.delete(s_items[deleted[k]], s_items[deleted[j]]);
            k = j + 1;
        }
        for (after, nodes) in inserts {
            self.insert(s, after.map(|i| s_items[i]), &nodes);
        }
        Ok(())
    }

    /// A matched pair: compare attributes and children (elements) or content (text).
    fn pair(&mut self, s: NodeId, r: NodeId) -> Result<(), NotAnEdit> {
        match self.src().kind(s) {
            NodeKind::Element if is_copy(self.copies, s, r) => Ok(()),
            NodeKind::Element => {
                self.attributes(s, r);
                self.children(s, r)
            }
            NodeKind::Text => {
                let (src, res) = (self.doc.tree(), self.res);
                let old = src.value(s).trim_matches(XML_WS);
                let new = res.value(r).trim_matches(XML_WS);
                if old != new {
                    // Keep the white space around the text, replace what is between.
                    let span = self.src().span(s);
                    let raw = &self.text()[span.clone()];
                    let lead = raw.len() - raw.trim_start_matches(XML_WS).len();
                    let tail = raw.len() - raw.trim_end_matches(XML_WS).len();
                    let mut text = String::new();
                    self.escaper.escape_text(new, &mut text);
                    let owner = self.src().parent(s).unwrap_or(NodeId::ROOT);
                    self.push(
                        owner,
                        Edit {
                            start: span.start + lead,
                            end: span.end - tail,
                            text,
                        },
                    );
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn attributes(&mut self, s: NodeId, r: NodeId) {
        let (src, res) = (self.doc.tree(), self.res);
        // The common case: every attribute kept, in order, with its value (a copy).
        if same_attributes_in_order(src, s, res, r) {
            return;
        }
        let text = self.doc.text();
        let attrs: Vec<NodeId> = src.attributes(s).collect();
        let name_end = src.start_tag_span(s).start + 1 + src.qualified_name(s).len();
        let kept: Vec<bool> = attrs
            .iter()
            .map(|&a| {
                res.attribute(r, src.namespace_uri(a), src.local_name(a))
                    .is_some()
            })
            .collect();
        let mut new_edits = Vec::new();
        // Changed values: just the bytes between the quotes.
        for (&a, _) in attrs.iter().zip(&kept).filter(|(_, k)| **k) {
            let b = res
                .attribute(r, src.namespace_uri(a), src.local_name(a))
                .expect("kept");
            if res.value(b) != src.value(a) {
                let mut v = String::new();
                self.escaper
                    .escape_attr(res.value(b), src.attr_quote(a), &mut v);
                let vs = src.attr_value_span(a);
                new_edits.push(Edit {
                    start: vs.start,
                    end: vs.end,
                    text: v,
                });
            }
        }
        let added: Vec<NodeId> = res
            .attributes(r)
            .filter(|&b| {
                src.attribute(s, res.namespace_uri(b), res.local_name(b))
                    .is_none()
            })
            .collect();
        // Removed attributes, by runs. Each attribute owns the white space before it; a run's
        // own white space goes when what follows keeps its layout, and is handed to what
        // follows otherwise: after the element name (the name keeps its separator), or when
        // the run started a line and what follows did not (so it takes the run's line).
        let mut added_at: Option<(usize, &str)> = None;
        let mut i = 0;
        while i < attrs.len() {
            if kept[i] {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < attrs.len() && !kept[j + 1] {
                j += 1;
            }
            let prev_end = if i == 0 {
                name_end
            } else {
                src.span(attrs[i - 1]).end
            };
            let (first, last) = (src.span(attrs[i]).start, src.span(attrs[j]).end);
            let lead = &text[prev_end..first];
            let (start, end) = match attrs.get(j + 1) {
                Some(&next) => {
                    let next_start = src.span(next).start;
                    let gap = &text[last..next_start];
                    if i == 0 || (lead.contains('\n') && !gap.contains('\n')) {
                        (first, next_start)
                    } else {
                        (prev_end, last)
                    }
                }
                None if !added.is_empty() && (i == 0 || lead.contains('\n')) => {
                    added_at = Some((first, lead));
                    (first, last)
                }
                None => (prev_end, last),
            };
            new_edits.push(Edit {
                start,
                end,
                text: String::new(),
            });
            i = j + 1;
        }
        // New attributes go after the last one, on its line or on a new line like it (or in
        // the place of removed ones, taking their white space).
        if !added.is_empty() {
            let last_kept = attrs
                .iter()
                .zip(&kept)
                .rev()
                .find(|(_, k)| **k)
                .map(|(a, _)| *a);
            // A line break like the file's, then the indentation of the line holding `pos`.
            let line_sep = |pos: usize| {
                let ls = text[..pos].rfind('\n').map_or(0, |i| i + 1);
                let indent: String = text[ls..]
                    .chars()
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .collect();
                format!(
                    "{}{indent}",
                    line_ending_at(text, ls.saturating_sub(2), self.basic().eol)
                )
            };
            // One attribute per line (every one after the first starts its line): new ones too.
            let starts_line = |a: NodeId| {
                let before = &text[..src.span(a).start];
                let ls = before.rfind('\n').map_or(0, |i| i + 1);
                before[ls..].chars().all(|c| c == ' ' || c == '\t')
            };
            let kept_attrs: Vec<NodeId> = attrs
                .iter()
                .zip(&kept)
                .filter(|(_, k)| **k)
                .map(|(a, _)| *a)
                .collect();
            let one_per_line =
                kept_attrs.len() >= 2 && kept_attrs[1..].iter().all(|&a| starts_line(a));
            let sep = match (added_at, last_kept) {
                (Some((first, lead)), _) if lead.contains('\n') => line_sep(first),
                (_, Some(la)) if one_per_line => line_sep(src.span(la).start),
                _ => " ".to_owned(),
            };
            let q = attrs
                .first()
                .map_or_else(|| self.style().quote, |&a| src.attr_quote(a));
            let mut ins = String::new();
            for (k, b) in added.into_iter().enumerate() {
                if k > 0 || added_at.is_none() {
                    ins.push_str(&sep);
                }
                // A namespaced attribute keeps the result's prefix; it is declared on the element
                // in the source or the result would not have been built (verified afterwards).
                ins.push_str(&res.qualified_name(b));
                ins.push('=');
                ins.push(q);
                self.escaper.escape_attr(res.value(b), q, &mut ins);
                ins.push(q);
            }
            let at = match (added_at, attrs.last()) {
                (Some((first, _)), _) => first,
                (None, Some(&la)) => src.span(la).end,
                (None, None) => name_end,
            };
            new_edits.push(Edit {
                start: at,
                end: at,
                text: ins,
            });
        }
        self.edits.extend(new_edits.into_iter().map(|e| (s, e)));
    }

    /// Deletes source siblings `first..=last` (only white space between them), with their line
    /// when they are alone on it. Nodes that start their line take the white space after them
    /// (what follows moves into their place); nodes that end their line take the white space
    /// before them.
    fn delete(&mut self, first: NodeId, last: NodeId) {
        let text = self.doc.text();
        let span = self.src().span(first).start..self.src().span(last).end;
        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let after = &text[span.end..];
        let rest_len = after.find('\n').unwrap_or(after.len());
        let rest = &after[..rest_len];
        let is_space = |c: char| c == ' ' || c == '\t';
        let alone_before = text[line_start..span.start].chars().all(is_space);
        let blank_after = rest.trim_end_matches('\r').chars().all(is_space);
        let (start, end) = if alone_before && blank_after && rest_len < after.len() {
            (line_start, span.end + rest_len + 1)
        } else if alone_before && !blank_after {
            (
                span.start,
                span.end + (rest.len() - rest.trim_start_matches(is_space).len()),
            )
        } else if blank_after {
            let before = &text[line_start..span.start];
            (
                span.start - (before.len() - before.trim_end_matches(is_space).len()),
                span.end,
            )
        } else {
            (span.start, span.end)
        };
        let owner = self.src().parent(first).unwrap_or(NodeId::ROOT);
        self.push(
            owner,
            Edit {
                start,
                end,
                text: String::new(),
            },
        );
    }

    /// The indentation of the line an element starts on.
    fn line_indent(&self, n: NodeId) -> String {
        let text = self.doc.text();
        let start = self.src().span(n).start;
        let ls = text[..start].rfind('\n').map_or(0, |i| i + 1);
        text[ls..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// One level of indentation below `parent`, as the neighbourhood shows it: the step from
    /// the parent to its children, else from the grandparent to the parent, else the file's.
    fn local_step(&self, parent: NodeId, parent_indent: &str) -> String {
        let t = self.src();
        let extension = |outer: &str, inner: &str| {
            (inner.len() > outer.len() && inner.starts_with(outer))
                .then(|| inner[outer.len()..].to_owned())
        };
        if let Some(c) = t
            .element_children(parent)
            .find(|&c| self.doc.line_indent(c).is_some())
            && let Some(step) = extension(parent_indent, &self.line_indent(c))
        {
            return step;
        }
        t.parent(parent)
            .filter(|&g| t.kind(g) == NodeKind::Element && self.doc.line_indent(parent).is_some())
            .and_then(|g| extension(&self.line_indent(g), parent_indent))
            .unwrap_or_else(|| self.style().indent.clone())
    }

    /// Inserts result nodes into source parent `parent`, after `after` (or first).
    fn insert(&mut self, parent: NodeId, after: Option<NodeId>, nodes: &[NodeId]) {
        let doc = self.doc;
        let t = doc.tree();
        let text = doc.text();
        let is_root = parent == NodeId::ROOT;
        let like = nodes
            .iter()
            .find(|&&n| self.res.kind(n) == NodeKind::Element)
            .map(|&n| self.res.local_name(n).to_owned());
        let mut style = if is_root {
            self.style().clone()
        } else {
            // The file's style only for what the neighbourhood does not show (the indentation
            // is the neighbourhood's too: `local_step` below).
            let local = Style::local(doc, parent, like.as_deref());
            let base = if local.0.is_some() && local.1.is_some() {
                self.basic()
            } else {
                self.style()
            };
            base.with_local(local)
        };
        let content = if is_root {
            0..text.len()
        } else {
            t.content_span(parent)
        };
        let parent_indent = if is_root {
            String::new()
        } else {
            self.line_indent(parent)
        };
        let child_indent = if is_root {
            String::new()
        } else {
            style.indent = self.local_step(parent, &parent_indent);
            t.element_children(parent)
                .find(|&c| doc.line_indent(c).is_some())
                .map(|c| self.line_indent(c))
                .unwrap_or_else(|| format!("{parent_indent}{}", style.indent))
        };
        let eol = line_ending_at(
            text,
            if is_root { 0 } else { t.span(parent).start },
            style.eol,
        );
        let existing = &text[content.clone()];
        let only_blank = is_blank(existing) || is_root;
        let block = is_root || existing.contains('\n') || only_blank;
        // Namespaces in scope at the insertion point.
        let mut scope: NsScope = if is_root {
            Vec::new()
        } else {
            t.namespaces(parent)
                .iter()
                .map(|b| (t.atom(b.prefix).to_owned(), t.atom(b.uri).to_owned()))
                .collect()
        };
        let mut body = String::new();
        for &n in nodes {
            if block {
                body.push_str(eol);
                body.push_str(&child_indent);
            }
            write_node(self.res, n, &style, &child_indent, &mut scope, &mut body);
        }
        if !is_root && t.is_self_closing(parent) {
            // <customHeaders /> becomes <customHeaders> ... </customHeaders>.
            let st = t.start_tag_span(parent);
            let tag = &text[st.clone()];
            let slash = tag.rfind("/>").expect("self-closing tag");
            let trimmed = tag[..slash].trim_end_matches(XML_WS);
            let start = st.start + trimmed.len();
            let mut repl = String::from(">");
            repl.push_str(&body);
            repl.push_str(eol);
            repl.push_str(&parent_indent);
            repl.push_str(&format!("</{}>", t.qualified_name(parent)));
            self.push(
                parent,
                Edit {
                    start,
                    end: st.end,
                    text: repl,
                },
            );
            return;
        }
        let offset = match after {
            Some(a) => t.span(a).end,
            None if is_root => t.root_element().map_or(text.len(), |r| t.span(r).start),
            None => content.start,
        };
        if is_root && after.is_none() {
            // Before the root element: the new node gets its own line.
            body = body.trim_start_matches(['\r', '\n']).to_owned();
            body.push_str(eol);
        } else if after.is_none() && only_blank && !existing.contains('\n') {
            // An empty parent: the children get their own lines, the end tag its own.
            body.push_str(eol);
            body.push_str(&parent_indent);
        } else if block && !is_root {
            // A node that followed on the same line moves to a line of its own, after them.
            let line = &text[offset..];
            let line = &line[..line.find('\n').unwrap_or(line.len())];
            let next = line.trim_start_matches([' ', '\t']).trim_end_matches('\r');
            if !next.is_empty() && !next.starts_with("</") {
                body.push_str(eol);
                body.push_str(&child_indent);
            }
        }
        self.push(
            parent,
            Edit {
                start: offset,
                end: offset,
                text: body,
            },
        );
    }
}
