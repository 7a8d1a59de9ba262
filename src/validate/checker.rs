//! The checker every rule family reports to: it turns byte offsets into positions and records
//! each finding with the severity and hint of its rule in [`RULES`](super::RULES).

use super::{Finding, rule_by_id};
use crate::diag::{LineIndex, Pos};
use crate::xml::{NodeId, Tree};

/// A header entry with where its element and its value are.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    /// The header name, as written.
    pub(super) name: String,
    /// The header value, decoded.
    pub(super) value: String,
    /// The `<add>` element.
    pub(super) node: NodeId,
}

/// The findings of one document so far, each with the byte offset it sorts by.
pub(super) struct Checker<'a> {
    tree: &'a Tree,
    text: &'a str,
    lines: &'a LineIndex,
    findings: Vec<(usize, Finding)>,
}

impl<'a> Checker<'a> {
    /// A checker for a document's tree and its source text, with no findings yet.
    pub(super) fn new(tree: &'a Tree, text: &'a str) -> Self {
        debug_assert!(std::ptr::eq(text, tree.source()), "the tree's own text");
        Checker {
            tree,
            text,
            lines: tree.line_index(),
            // A typical config has a handful of findings: room for them without regrowing.
            findings: Vec::with_capacity(16),
        }
    }

    /// The document's tree.
    pub(super) fn tree(&self) -> &'a Tree {
        self.tree
    }

    /// The line and column of a byte offset.
    pub(super) fn pos(&self, offset: usize) -> Pos {
        self.lines.pos(self.text, offset)
    }

    /// Records a finding of rule `id` at `offset`, with the rule's hint.
    pub(super) fn add(&mut self, id: &'static str, offset: usize, message: String) {
        self.add_hinted(id, offset, message, rule_by_id(id).hint);
    }

    /// Records a finding of rule `id` at `offset`, with a hint of its own.
    pub(super) fn add_hinted(
        &mut self,
        id: &'static str,
        offset: usize,
        message: String,
        hint: &str,
    ) {
        let r = rule_by_id(id);
        let pos = self.pos(offset);
        self.findings.push((
            offset,
            Finding {
                rule: id,
                severity: r.severity,
                pos,
                message,
                hint: hint.to_owned(),
            },
        ));
    }

    /// The byte offset where an element starts.
    pub(super) fn node_offset(&self, n: NodeId) -> usize {
        self.tree.span(n).start
    }

    /// The byte offset of character `i` (a byte offset in the decoded value) of an entry's
    /// value attribute.
    pub(super) fn value_offset(&self, e: &Entry, i: usize) -> usize {
        match self.tree.attribute(e.node, "", "value") {
            Some(a) => {
                let start = self.tree.attr_value_span(a).start;
                start + crate::xml::document::raw_value_offset(&self.text[start..], i)
            }
            None => self.node_offset(e.node),
        }
    }

    /// The findings, in the order they were recorded, each with its byte offset.
    pub(super) fn into_findings(self) -> Vec<(usize, Finding)> {
        self.findings
    }
}
