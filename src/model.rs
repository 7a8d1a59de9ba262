//! The parts of a web.config that webxsl reasons about: the HTTP header collections
//! (`system.webServer/httpProtocol/customHeaders` and `redirectHeaders`) at the top level and in
//! each `<location>`, with their `add`/`remove`/`clear` entries.
//!
//! Elements are matched by local name, whatever their namespace: a `<configuration>` with the
//! `http://schemas.microsoft.com/.NetConfiguration/v2.0` default namespace puts every element in
//! that namespace, and IIS reads it all the same.

use crate::diag::Pos;
use crate::xml::{NodeId, NodeKind, Tree};

/// Which header collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CollectionKind {
    /// `customHeaders`: sent with every response.
    CustomHeaders,
    /// `redirectHeaders`: sent with redirects only.
    RedirectHeaders,
}

impl CollectionKind {
    /// The element name.
    pub fn element_name(self) -> &'static str {
        match self {
            CollectionKind::CustomHeaders => "customHeaders",
            CollectionKind::RedirectHeaders => "redirectHeaders",
        }
    }
}

/// Where a collection applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Directly under `<configuration>`.
    TopLevel,
    /// Inside `<location path="...">` (the path as written; `.` is the application itself).
    Location(String),
}

impl Scope {
    /// A short label: `(top level)` or `location "api"`.
    pub fn label(&self) -> String {
        match self {
            Scope::TopLevel => "top level".into(),
            Scope::Location(p) => format!("location path=\"{p}\""),
        }
    }

    /// Whether this is `<location path=".">` (or `path=""`): the application itself, merged
    /// with the top level.
    pub fn is_application(&self) -> bool {
        matches!(self, Scope::Location(p) if Scope::is_application_path(p))
    }

    /// Whether a `<location>` of this `path` is the application itself (see
    /// [`Scope::is_application`]), without making the scope.
    pub fn is_application_path(path: &str) -> bool {
        matches!(path.trim(), "." | "")
    }

    /// The location path as written, `None` at the top level.
    pub fn path(&self) -> Option<&str> {
        match self {
            Scope::TopLevel => None,
            Scope::Location(p) => Some(p),
        }
    }
}

/// One entry of a header collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderOp {
    /// `<add name="..." value="..."/>`
    Add {
        /// Header name as written.
        name: String,
        /// Header value.
        value: String,
    },
    /// `<remove name="..."/>`
    Remove {
        /// Header name as written.
        name: String,
    },
    /// `<clear/>`
    Clear,
}

/// An entry with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What it does.
    pub op: HeaderOp,
    /// Its element.
    pub node: NodeId,
    /// Its position.
    pub pos: Pos,
}

/// A header collection element and its entries.
#[derive(Clone, Debug)]
pub struct HeaderCollection {
    /// Top level or location.
    pub scope: Scope,
    /// customHeaders or redirectHeaders.
    pub kind: CollectionKind,
    /// The collection element.
    pub element: NodeId,
    /// Its position.
    pub pos: Pos,
    /// Its entries, in order.
    pub entries: Vec<Entry>,
}

impl HeaderCollection {
    /// The headers this collection defines after applying its own entries in order: `clear`
    /// empties the list, `remove` drops a name, `add` appends (names compare
    /// case-insensitively, as IIS does). Inherited entries are not included.
    pub fn effective(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for e in &self.entries {
            match &e.op {
                HeaderOp::Clear => out.clear(),
                HeaderOp::Remove { name } => out.retain(|(n, _)| !n.eq_ignore_ascii_case(name)),
                HeaderOp::Add { name, value } => out.push((name.clone(), value.clone())),
            }
        }
        out
    }
}

/// A header in effect, and the `<add>` that set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effective {
    /// Header name as written.
    pub name: String,
    /// Header value.
    pub value: String,
    /// The `<add>` element.
    pub node: NodeId,
}

/// The headers of one kind in effect at each scope, as IIS merges them.
#[derive(Clone, Debug, Default)]
pub struct Scopes {
    /// The application: the top-level collections, then those of `<location path=".">`.
    pub application: Vec<Effective>,
    /// Every other `<location>` collection: what the application passes down, then its own
    /// entries.
    pub locations: Vec<(Scope, Vec<Effective>)>,
}

/// Merges the collections of one kind as IIS does: the top level, then `<location path=".">`
/// (the application itself), then each other `<location>` on top of the application's.
/// Headers inherited from the server (IIS adds `X-Powered-By`) are not known here; duplicates
/// (HTTP 500.19), server defaults included, are [`crate::iis::duplicates`].
pub fn effective_headers(collections: &[HeaderCollection], kind: CollectionKind) -> Scopes {
    fn apply(list: &mut Vec<Effective>, coll: &HeaderCollection) {
        for e in &coll.entries {
            match &e.op {
                HeaderOp::Clear => list.clear(),
                HeaderOp::Remove { name } => list.retain(|x| !x.name.eq_ignore_ascii_case(name)),
                HeaderOp::Add { name, value } => list.push(Effective {
                    name: name.clone(),
                    value: value.clone(),
                    node: e.node,
                }),
            }
        }
    }
    let mut out = Scopes::default();
    let of_kind = || collections.iter().filter(move |c| c.kind == kind);
    let mut top = Vec::new();
    for c in of_kind().filter(|c| c.scope == Scope::TopLevel) {
        apply(&mut top, c);
    }
    let mut app = top;
    for c in of_kind().filter(|c| c.scope.is_application()) {
        apply(&mut app, c);
    }
    for c in of_kind().filter(|c| c.scope != Scope::TopLevel && !c.scope.is_application()) {
        let mut list = app.clone();
        apply(&mut list, c);
        out.locations.push((c.scope.clone(), list));
    }
    out.application = app;
    out
}

fn is(t: &Tree, n: NodeId, local: &str) -> bool {
    t.kind(n) == NodeKind::Element && t.local_name(n) == local
}

fn child<'t>(t: &'t Tree, n: NodeId, local: &'t str) -> impl Iterator<Item = NodeId> + 't {
    t.element_children(n)
        .filter(move |&c| t.local_name(c) == local)
}

/// Every header collection of a parsed web.config, in document order.
pub fn header_collections(tree: &Tree) -> Vec<HeaderCollection> {
    let lines = tree.line_index();
    let pos = |n: NodeId| {
        if tree.has_spans() {
            lines.pos(tree.source(), tree.span(n).start)
        } else {
            Pos::new(1, 1)
        }
    };
    let mut out = Vec::new();
    let Some(root) = tree
        .root_element()
        .filter(|&r| is(tree, r, "configuration"))
    else {
        return out;
    };
    let mut scopes: Vec<(Scope, NodeId)> = vec![(Scope::TopLevel, root)];
    for loc in child(tree, root, "location") {
        let path = tree
            .attribute_value(loc, "", "path")
            .unwrap_or("")
            .trim()
            .to_owned();
        let path = if path.is_empty() {
            ".".to_owned()
        } else {
            path
        };
        scopes.push((Scope::Location(path), loc));
    }
    for (scope, holder) in scopes {
        for ws in child(tree, holder, "system.webServer") {
            for hp in child(tree, ws, "httpProtocol") {
                for kind in [
                    CollectionKind::CustomHeaders,
                    CollectionKind::RedirectHeaders,
                ] {
                    for coll in child(tree, hp, kind.element_name()) {
                        let mut entries = Vec::new();
                        for e in tree.element_children(coll) {
                            let name = tree.attribute_value(e, "", "name").unwrap_or("").to_owned();
                            let op = match tree.local_name(e) {
                                "add" => HeaderOp::Add {
                                    name,
                                    value: tree
                                        .attribute_value(e, "", "value")
                                        .unwrap_or("")
                                        .to_owned(),
                                },
                                "remove" => HeaderOp::Remove { name },
                                "clear" => HeaderOp::Clear,
                                _ => continue,
                            };
                            entries.push(Entry {
                                op,
                                node: e,
                                pos: pos(e),
                            });
                        }
                        out.push(HeaderCollection {
                            scope: scope.clone(),
                            kind,
                            element: coll,
                            pos: pos(coll),
                            entries,
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits};

    #[test]
    fn collections_per_scope_with_effective_headers() {
        let doc = Document::parse_str(
            r#"<configuration xmlns="http://schemas.microsoft.com/.NetConfiguration/v2.0">
  <system.webServer><httpProtocol>
    <customHeaders><clear/><add name="A" value="1"/><add name="B" value="2"/><remove name="a"/></customHeaders>
    <redirectHeaders><add name="R" value="r"/></redirectHeaders>
  </httpProtocol></system.webServer>
  <location path="api"><system.webServer><httpProtocol><customHeaders><add name="C" value="3"/></customHeaders></httpProtocol></system.webServer></location>
  <location><system.webServer><httpProtocol><customHeaders/></httpProtocol></system.webServer></location>
</configuration>"#,
            &Limits::default(),
        )
        .unwrap();
        let cs = header_collections(doc.tree());
        assert_eq!(cs.len(), 4);
        assert_eq!(
            (cs[0].scope.clone(), cs[0].kind),
            (Scope::TopLevel, CollectionKind::CustomHeaders)
        );
        assert_eq!(cs[0].effective(), vec![("B".to_string(), "2".to_string())]);
        assert_eq!(cs[0].pos, Pos::new(3, 5));
        assert_eq!(cs[1].kind, CollectionKind::RedirectHeaders);
        assert_eq!(cs[2].scope, Scope::Location("api".into()));
        assert_eq!(cs[3].scope, Scope::Location(".".into()));
        assert!(cs[3].entries.is_empty());
    }
}
