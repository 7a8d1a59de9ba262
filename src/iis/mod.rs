//! IIS configuration collections and their unique keys: what makes IIS answer HTTP 500.19
//! ("Cannot add duplicate collection entry").
//!
//! [`COLLECTIONS`] is the one table of the collections webxsl checks, with their element names
//! and keys, taken from IIS's own configuration schema (`IIS_schema.xml`,
//! `%windir%\System32\inetsrv\config\schema`; URL Rewrite's `rewrite_schema.xml`; the .NET
//! `connectionStrings` and `appSettings` from System.Configuration). [`duplicates`] replays
//! every collection as IIS merges configuration: the server's defaults
//! (`defaults-iis*.tsv`, IIS 10's or 8.5's default applicationHost.config), then the
//! web.config's top level, then `<location path=".">` (the application itself), then each other
//! `<location>` on top of the application's. `<clear/>` empties the collection, `<remove>` drops
//! a key, and an `<add>` of a key already in effect is a duplicate.
//!
//! ```
//! use webxsl::iis::{IisVersion, duplicates};
//! use webxsl::xml::{Document, Limits};
//!
//! let doc = Document::parse_str(
//!     "<configuration><system.webServer><staticContent>\
//!        <mimeMap fileExtension='.WOFF2' mimeType='font/woff2'/>\
//!      </staticContent></system.webServer></configuration>",
//!     &Limits::default(),
//! )?;
//! let d = duplicates(doc.tree(), IisVersion::Iis10);
//! assert_eq!(d.len(), 1); // IIS 10 already maps .woff2 (keys compare case-insensitively)
//! assert_eq!(d[0].collection.id, "mimeMap");
//! assert!(duplicates(doc.tree(), IisVersion::Iis85).is_empty()); // IIS 8.5 does not
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::model::Scope;
use crate::xml::{NodeId, NodeKind, Tree};

mod collections;
mod defaults;

pub use collections::{COLLECTIONS, Collection, KeyAttr, OnDuplicate};
pub use defaults::IisVersion;

/// The machine.config entry ASP.NET apps inherit in `connectionStrings`.
const LOCAL_SQL_SERVER: &str = "data source=.\\SQLEXPRESS;Integrated Security=SSPI;AttachDBFilename=|DataDirectory|aspnetdb.mdf;User Instance=true";

/// Where the entry in effect came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An element of this file, and whether it sits in another scope (inherited from the top
    /// level or from `<location path=".">`).
    Entry {
        /// The element.
        node: NodeId,
        /// Inherited from another scope of the file.
        inherited: bool,
    },
    /// The server level: the default applicationHost.config of this IIS, with when it has
    /// the entry ("always", "with ASP.NET"...).
    Server(IisVersion, &'static str),
    /// .NET's machine.config.
    Machine,
}

/// An `<add>` of a key already in effect.
#[derive(Clone, Debug)]
pub struct Duplicate {
    /// The collection.
    pub collection: &'static Collection,
    /// The key, as the duplicate writes it.
    pub key: Vec<String>,
    /// Where the duplicate is.
    pub scope: Scope,
    /// The duplicate element.
    pub second: NodeId,
    /// The entry in effect before it.
    pub first: Origin,
}

impl Duplicate {
    /// A key that identifies the duplicate across two versions of a file (collection, scope,
    /// key): what the apply guard compares.
    pub fn identity(&self) -> (&'static str, Scope, String) {
        (
            self.collection.id,
            self.scope.clone(),
            self.collection
                .compared(self.key.iter().map(String::as_str)),
        )
    }
}

/// How a duplicate is reported: the validate rule, the message, and a hint when the rule's
/// own does not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    /// `duplicate-header`, `duplicate-entry`, `duplicate-inherited` or `duplicate-setting`.
    pub rule: &'static str,
    /// What is wrong and what IIS (or .NET) does about it.
    pub message: String,
    /// How to fix it, when it depends on the entry.
    pub hint: Option<String>,
}

impl Duplicate {
    /// Whether the server (or the application) refuses it; `appSettings` only warns.
    pub fn is_error(&self) -> bool {
        self.collection.on_duplicate != OnDuplicate::LastWins
    }

    /// The finding; `line` gives the line of a node of the file.
    pub fn describe(&self, line: &dyn Fn(NodeId) -> u32) -> Described {
        let c = self.collection;
        let what = if matches!(c.id, "customHeaders" | "redirectHeaders") {
            self.key[0].clone()
        } else {
            format!("{} {}", c.id, c.describe_key(&self.key))
        };
        let make_room = c
            .remove_element(&self.key)
            .map(|r| format!("Put {r} before it"))
            .unwrap_or_else(|| "Remove one".to_owned());
        let consequence = match c.on_duplicate {
            OnDuplicate::Http50019 => {
                "IIS answers HTTP 500.19 (cannot add duplicate collection entry)".to_owned()
            }
            OnDuplicate::NetError => format!(
                "ASP.NET fails with \"The entry '{}' has already been added.\"",
                self.key[0]
            ),
            OnDuplicate::LastWins => "the last value silently wins".to_owned(),
        };
        match &self.first {
            Origin::Entry { node, inherited } => {
                let note = if *inherited { " (inherited)" } else { "" };
                let (rule, verb) = match (c.on_duplicate, c.id) {
                    (OnDuplicate::LastWins, _) => ("duplicate-setting", "set"),
                    (_, "customHeaders" | "redirectHeaders") => ("duplicate-header", "added"),
                    _ => ("duplicate-entry", "added"),
                };
                Described {
                    rule,
                    message: format!(
                        "{what} is already {verb} at line {}{note}: {consequence}",
                        line(*node)
                    ),
                    hint: None,
                }
            }
            Origin::Server(v, when) => {
                let when = match *when {
                    "always" => String::new(),
                    other => format!(" ({other})"),
                };
                Described {
                    rule: "duplicate-inherited",
                    message: format!(
                        "{what} is already defined at server level by {}'s default applicationHost.config{when}: {consequence}",
                        v.label()
                    ),
                    hint: Some(format!(
                        "{make_room}, or drop it if the server's entry is what you want (--iis-version 8.5|10 picks the server)"
                    )),
                }
            }
            Origin::Machine => Described {
                rule: "duplicate-inherited",
                message: format!(
                    "{what} is already defined by .NET's machine.config: {consequence}"
                ),
                hint: Some(format!("{make_room}, or <clear />")),
            },
        }
    }
}

fn is(t: &Tree, n: NodeId, local: &str) -> bool {
    t.kind(n) == NodeKind::Element && t.local_name(n) == local
}

/// The scopes of a web.config: the top level, then each `<location>`, in document order.
pub fn scopes(t: &Tree) -> Vec<(Scope, NodeId)> {
    let Some(root) = t.root_element().filter(|&r| is(t, r, "configuration")) else {
        return Vec::new();
    };
    let mut out = vec![(Scope::TopLevel, root)];
    for loc in t.element_children(root).filter(|&c| is(t, c, "location")) {
        let path = t.attribute_value(loc, "", "path").unwrap_or("").trim();
        let path = if path.is_empty() { "." } else { path };
        out.push((Scope::Location(path.to_owned()), loc));
    }
    out
}

/// An entry in effect while replaying a collection.
#[derive(Clone)]
struct InEffect {
    /// Where it came from (for `Origin::Entry`, `inherited` is decided at lookup).
    origin: Origin,
    /// For .NET's exact-copy rule: every attribute, sorted (only kept where that rule applies).
    attrs: Vec<(String, String)>,
}

/// What is in effect at one scope: its own entries on top of what it inherits (`base`), minus
/// what it removed or cleared. Layers instead of copies: a config with thousands of
/// `<location>`s does not copy the application's entries for each.
struct Layer<'a> {
    base: Option<&'a Layer<'a>>,
    /// By compared key; the first entry of a key stays, so later duplicates name it. The
    /// server level's keys are mostly the defaults files' own text, borrowed.
    own: rustc_hash::FxHashMap<Cow<'static, str>, InEffect>,
    removed: rustc_hash::FxHashSet<String>,
    cleared: bool,
}

impl<'a> Layer<'a> {
    fn new(base: Option<&'a Layer<'a>>) -> Layer<'a> {
        Layer {
            base,
            own: Default::default(),
            removed: Default::default(),
            cleared: false,
        }
    }

    /// The entry in effect for a key, and whether it is inherited.
    fn get(&self, k: &str) -> Option<(&InEffect, bool)> {
        if let Some(e) = self.own.get(k) {
            return Some((e, false));
        }
        if self.cleared || self.removed.contains(k) {
            return None;
        }
        self.base.and_then(|b| b.get(k)).map(|(e, _)| (e, true))
    }
}

/// The paths of [`COLLECTIONS`] as a tree of element names: the collections a path ends at, and
/// where it goes on.
#[derive(Default)]
struct PathTrie {
    ends: Vec<usize>,
    next: rustc_hash::FxHashMap<&'static str, PathTrie>,
}

fn path_trie() -> &'static PathTrie {
    static TRIE: OnceLock<PathTrie> = OnceLock::new();
    TRIE.get_or_init(|| {
        let mut root = PathTrie::default();
        for (i, c) in COLLECTIONS.iter().enumerate() {
            let mut at = &mut root;
            for name in c.path {
                at = at.next.entry(name).or_default();
            }
            at.ends.push(i);
        }
        root
    })
}

/// The collection elements of a web.config, per collection of [`COLLECTIONS`]: (scope index,
/// element), in document order. One walk, following only the names some path continues with
/// (one table lookup an element).
fn instances(t: &Tree, scopes: &[(Scope, NodeId)]) -> Vec<Vec<(usize, NodeId)>> {
    fn walk(
        t: &Tree,
        node: NodeId,
        trie: &PathTrie,
        scope: usize,
        out: &mut [Vec<(usize, NodeId)>],
    ) {
        for child in t.element_children(node) {
            if let Some(sub) = trie.next.get(t.local_name(child)) {
                for &c in &sub.ends {
                    out[c].push((scope, child));
                }
                if !sub.next.is_empty() {
                    walk(t, child, sub, scope, out);
                }
            }
        }
    }
    let mut out = vec![Vec::new(); COLLECTIONS.len()];
    for (i, (_, holder)) in scopes.iter().enumerate() {
        walk(t, *holder, path_trie(), i, &mut out);
    }
    out
}

/// Every duplicate in a web.config, collection by collection, as IIS (or .NET) merges them.
pub fn duplicates(t: &Tree, version: IisVersion) -> Vec<Duplicate> {
    analyze(t, version).duplicates
}

/// What replaying the collections finds.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// `<add>`s of a key already in effect.
    pub duplicates: Vec<Duplicate>,
    /// `<remove>`s in a header collection of a name nothing defines at that point (not the
    /// server, not a parent scope, not an earlier entry) and that no later `<add>` of the same
    /// collection re-adds: they have no effect (a `<remove>` cannot stop a header the
    /// application sets).
    pub useless_removes: Vec<(NodeId, String)>,
}

/// What the server level defines for collection `ci` of [`COLLECTIONS`]: built once per
/// version and collection and shared (the defaults hold hundreds of entries). Only the
/// collections a config has are built: a process that checks one file builds a few.
fn server_layer(version: IisVersion, ci: usize) -> &'static Layer<'static> {
    type Layers = [OnceLock<Layer<'static>>; COLLECTIONS.len()];
    static V10: Layers = [const { OnceLock::new() }; COLLECTIONS.len()];
    static V85: Layers = [const { OnceLock::new() }; COLLECTIONS.len()];
    let cells = match version {
        IisVersion::Iis10 => &V10,
        IisVersion::Iis85 => &V85,
    };
    cells[ci].get_or_init(|| {
        let c = &COLLECTIONS[ci];
        let mut server = Layer::new(None);
        server.own.reserve(version.defaults_of(c.id).count() + 1);
        for d in version.defaults_of(c.id) {
            let entry = InEffect {
                origin: Origin::Server(version, d.condition),
                attrs: Vec::new(),
            };
            server.own.insert(c.compared_static(d.key), entry);
        }
        if c.id == "connectionStrings" {
            let entry = InEffect {
                origin: Origin::Machine,
                attrs: vec![
                    ("connectionString".into(), LOCAL_SQL_SERVER.into()),
                    ("name".into(), "LocalSqlServer".into()),
                    ("providerName".into(), "System.Data.SqlClient".into()),
                ],
            };
            server.own.insert(Cow::Borrowed("localsqlserver"), entry);
        }
        server
    })
}

/// Replays every collection of a web.config (see the module documentation).
pub fn analyze(t: &Tree, version: IisVersion) -> Analysis {
    let scopes = scopes(t);
    let found = instances(t, &scopes);
    let mut out = Analysis::default();
    for (ci, (c, found)) in COLLECTIONS.iter().zip(found).enumerate() {
        if found.is_empty() {
            continue;
        }
        let server = server_layer(version, ci);
        let of = |pick: fn(&Scope) -> bool| {
            found
                .iter()
                .map(|&(s, n)| (&scopes[s].0, n))
                .filter(move |(s, _)| pick(s))
        };
        let mut top = Layer::new(Some(server));
        for (s, n) in of(|s| *s == Scope::TopLevel) {
            replay(t, c, s, n, &mut top, &mut out);
        }
        let mut app = Layer::new(Some(&top));
        for (s, n) in of(Scope::is_application) {
            replay(t, c, s, n, &mut app, &mut out);
        }
        for (s, n) in of(|s| *s != Scope::TopLevel && !s.is_application()) {
            let mut list = Layer::new(Some(&app));
            replay(t, c, s, n, &mut list, &mut out);
        }
    }
    out.duplicates.sort_by_key(|d| d.second);
    out.useless_removes.sort_by_key(|r| r.0);
    out
}

/// Applies one collection element's entries to what is in effect.
fn replay(
    t: &Tree,
    c: &'static Collection,
    scope: &Scope,
    coll: NodeId,
    list: &mut Layer<'_>,
    out: &mut Analysis,
) {
    let headers = matches!(c.id, "customHeaders" | "redirectHeaders");
    for e in t.element_children(coll) {
        let local = t.local_name(e);
        if c.clear == Some(local) {
            list.own.clear();
            list.removed.clear();
            list.cleared = true;
        } else if c.remove == Some(local) {
            let k = c.compared_key(t, e);
            if headers && list.get(&k).is_none() {
                let readded = std::iter::successors(t.next_sibling(e), |&x| t.next_sibling(x))
                    .filter(|&x| t.kind(x) == NodeKind::Element)
                    .any(|x| c.add.contains(&t.local_name(x)) && c.compared_key(t, x) == k);
                if !readded {
                    let written = c.key_of(t, e).swap_remove(0);
                    out.useless_removes.push((e, written));
                }
            }
            list.own.remove(k.as_str());
            list.removed.insert(k);
        } else if c.add.contains(&local) {
            let k = c.compared_key(t, e);
            let attrs: Vec<(String, String)> = if c.on_duplicate == OnDuplicate::NetError {
                let mut a: Vec<(String, String)> = t
                    .attributes(e)
                    .filter(|&a| t.namespace_uri(a).is_empty())
                    .map(|a| (t.local_name(a).to_owned(), t.value(a).to_owned()))
                    .collect();
                a.sort();
                a
            } else {
                Vec::new()
            };
            let entry = InEffect {
                origin: Origin::Entry {
                    node: e,
                    inherited: false,
                },
                attrs,
            };
            let replace = match list.get(&k) {
                None => true,
                Some((first, inherited)) => {
                    let exact_copy =
                        c.on_duplicate == OnDuplicate::NetError && first.attrs == entry.attrs;
                    if !exact_copy {
                        let first = match &first.origin {
                            Origin::Entry { node, .. } => Origin::Entry {
                                node: *node,
                                inherited,
                            },
                            other => other.clone(),
                        };
                        out.duplicates.push(Duplicate {
                            collection: c,
                            key: c.key_of(t, e),
                            scope: scope.clone(),
                            second: e,
                            first,
                        });
                    }
                    c.on_duplicate == OnDuplicate::LastWins || exact_copy
                }
            };
            if replace {
                list.own.insert(Cow::Owned(k), entry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits};

    fn dups(body: &str) -> Vec<(String, String)> {
        let doc = Document::parse_str(
            &format!("<configuration>{body}</configuration>"),
            &Limits::default(),
        )
        .unwrap();
        duplicates(doc.tree(), IisVersion::Iis10)
            .iter()
            .map(|d| (d.collection.id.to_owned(), d.key.join(",")))
            .collect()
    }

    #[test]
    fn the_defaults_files_name_known_collections_and_hold_the_classic_cases() {
        for v in [IisVersion::Iis10, IisVersion::Iis85] {
            for d in v.defaults() {
                let c = COLLECTIONS.iter().find(|c| c.id == d.collection);
                let c = c.unwrap_or_else(|| {
                    panic!("{}: unknown collection {}", v.label(), d.collection)
                });
                assert_eq!(c.keys.len(), d.key_parts().count(), "{d:?}");
                // The server's keys, borrowed where they can be, compare as computed ones.
                assert_eq!(c.compared_static(d.key), c.compared(d.key_parts()), "{d:?}");
            }
        }
        let by_id = |id: &str| COLLECTIONS.iter().find(|c| c.id == id).unwrap();
        for (id, key, borrowed) in [
            ("mimeMap", ".json", true),
            ("mimeMap", ".JSON", false),
            ("mimeMap", ".\u{C9}t\u{E9}", false),
            ("httpErrors", "404,-1", false),
            ("customHeaders", "x-powered-by", true),
        ] {
            let c = by_id(id);
            let got = c.compared_static(key);
            assert_eq!(got, c.compared(key.split(',')), "{id} {key}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{id} {key}");
        }
        let has = |v: IisVersion, c: &str, k: &str| {
            v.defaults()
                .iter()
                .any(|d| d.collection == c && d.key.eq_ignore_ascii_case(k))
        };
        assert!(has(IisVersion::Iis10, "mimeMap", ".woff2"));
        assert!(!has(IisVersion::Iis85, "mimeMap", ".woff2"));
        assert!(has(IisVersion::Iis85, "mimeMap", ".woff"));
        assert!(has(IisVersion::Iis10, "mimeMap", ".json"));
        assert!(!has(IisVersion::Iis10, "mimeMap", ".webmanifest"));
        assert!(has(IisVersion::Iis10, "httpErrors", "404,-1"));
        assert!(has(
            IisVersion::Iis10,
            "handlers",
            "ExtensionlessUrlHandler-Integrated-4.0"
        ));
        assert!(has(IisVersion::Iis10, "defaultDocument", "Default.htm"));
    }

    #[test]
    fn clear_remove_and_locations_replay_like_iis() {
        let mm = |e: &str| {
            format!("<system.webServer><staticContent>{e}</staticContent></system.webServer>")
        };
        assert_eq!(
            dups(&mm("<mimeMap fileExtension='.json' mimeType='a'/>")),
            [("mimeMap".into(), ".json".into())]
        );
        assert!(
            dups(&mm(
                "<remove fileExtension='.JSON'/><mimeMap fileExtension='.json' mimeType='a'/>"
            ))
            .is_empty()
        );
        assert!(dups(&mm("<clear/><mimeMap fileExtension='.json' mimeType='a'/>")).is_empty());
        assert!(dups(&mm("<mimeMap fileExtension='.webmanifest' mimeType='a'/>")).is_empty());
        assert_eq!(
            dups(&mm(
                "<mimeMap fileExtension='.x1' mimeType='a'/><mimeMap fileExtension='.X1' mimeType='b'/>"
            )),
            [("mimeMap".into(), ".X1".into())]
        );
        // A location inherits the application's entries.
        let body = format!(
            "{}<location path='api'>{}</location>",
            mm("<mimeMap fileExtension='.x1' mimeType='a'/>"),
            mm("<mimeMap fileExtension='.x1' mimeType='a'/>")
        );
        assert_eq!(dups(&body), [("mimeMap".into(), ".x1".into())]);
        // Handler names are case-sensitive; a combined key counts every part, defaults included.
        let h = "<system.webServer><handlers><add name='a'/><add name='A'/></handlers>\
                 <httpErrors><error statusCode='418'/><error statusCode='418' subStatusCode='-1'/><error statusCode='418' subStatusCode='2'/></httpErrors></system.webServer>";
        assert_eq!(dups(h), [("httpErrors".into(), "418,-1".into())]);
    }

    #[test]
    fn dotnet_collections() {
        // An exact copy is accepted by .NET; another value is not; machine.config's entry counts.
        let cs = "<connectionStrings><add name='a' connectionString='x'/><add name='a' connectionString='x'/>\
                  <add name='A' connectionString='y'/><add name='LocalSqlServer' connectionString='z'/></connectionStrings>";
        assert_eq!(
            dups(cs),
            [
                ("connectionStrings".into(), "A".into()),
                ("connectionStrings".into(), "LocalSqlServer".into())
            ]
        );
        let doc = Document::parse_str(
            "<configuration><appSettings><add key='k' value='1'/><add key='K' value='2'/></appSettings></configuration>",
            &Limits::default(),
        )
        .unwrap();
        let d = duplicates(doc.tree(), IisVersion::Iis10);
        assert_eq!(d[0].collection.on_duplicate, OnDuplicate::LastWins);
    }
}
