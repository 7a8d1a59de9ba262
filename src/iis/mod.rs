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

use std::sync::OnceLock;

use crate::model::Scope;
use crate::xml::{NodeId, NodeKind, Tree};

/// One key attribute of a collection.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyAttr {
    /// The attribute.
    pub name: &'static str,
    /// Its value when it is left out (it still takes part in the key).
    pub default: &'static str,
    /// Whether values compare case-sensitively (the schema's `caseSensitive`; most do not).
    pub case_sensitive: bool,
}

/// What a duplicate does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDuplicate {
    /// IIS refuses the configuration: HTTP 500.19 (0x800700b7).
    Http50019,
    /// .NET's System.Configuration throws "The entry 'X' has already been added" (an exact
    /// copy, every attribute equal, is accepted).
    NetError,
    /// The last one silently wins (`appSettings`).
    LastWins,
}

/// A collection: where it is, its element names and its key.
#[derive(Debug)]
pub struct Collection {
    /// Short name, used in messages and in the defaults files (`mimeMap`, `handlers`...).
    pub id: &'static str,
    /// The elements from `<configuration>` (or a `<location>`) down to the collection.
    pub path: &'static [&'static str],
    /// The element(s) that add an entry.
    pub add: &'static [&'static str],
    /// The element that removes one (`None` when the collection has none).
    pub remove: Option<&'static str>,
    /// The element that empties it.
    pub clear: Option<&'static str>,
    /// The key: one attribute, or several (a combined key).
    pub keys: &'static [KeyAttr],
    /// What a duplicate does.
    pub on_duplicate: OnDuplicate,
}

const fn key(name: &'static str) -> KeyAttr {
    KeyAttr {
        name,
        default: "",
        case_sensitive: false,
    }
}

const fn key_cs(name: &'static str) -> KeyAttr {
    KeyAttr {
        name,
        default: "",
        case_sensitive: true,
    }
}

const fn iis(
    id: &'static str,
    path: &'static [&'static str],
    add: &'static [&'static str],
    keys: &'static [KeyAttr],
) -> Collection {
    Collection {
        id,
        path,
        add,
        remove: Some("remove"),
        clear: Some("clear"),
        keys,
        on_duplicate: OnDuplicate::Http50019,
    }
}

const WS: &str = "system.webServer";
const RF: &str = "requestFiltering";

/// The collections webxsl checks. Source: IIS's configuration schema (`IIS_schema.xml`, as of
/// IIS 10; keys are the same in 8.5), URL Rewrite 2's `rewrite_schema.xml`, and .NET's
/// System.Configuration (`ConnectionStringSettingsCollection`, `KeyValueConfigurationCollection`);
/// see docs/iis.md.
pub const COLLECTIONS: &[Collection] = &[
    iis(
        "customHeaders",
        &[WS, "httpProtocol", "customHeaders"],
        &["add"],
        &[key("name")],
    ),
    iis(
        "redirectHeaders",
        &[WS, "httpProtocol", "redirectHeaders"],
        &["add"],
        &[key("name")],
    ),
    iis(
        "mimeMap",
        &[WS, "staticContent"],
        &["mimeMap"],
        &[key("fileExtension")],
    ),
    iis("handlers", &[WS, "handlers"], &["add"], &[key_cs("name")]),
    iis("modules", &[WS, "modules"], &["add"], &[key_cs("name")]),
    iis(
        "defaultDocument",
        &[WS, "defaultDocument", "files"],
        &["add"],
        &[key("value")],
    ),
    iis(
        "httpErrors",
        &[WS, "httpErrors"],
        &["error"],
        &[
            key("statusCode"),
            KeyAttr {
                name: "subStatusCode",
                default: "-1",
                case_sensitive: false,
            },
        ],
    ),
    iis(
        "fileExtensions",
        &[WS, "security", RF, "fileExtensions"],
        &["add"],
        &[key("fileExtension")],
    ),
    iis(
        "hiddenSegments",
        &[WS, "security", RF, "hiddenSegments"],
        &["add"],
        &[key("segment")],
    ),
    iis(
        "denyUrlSequences",
        &[WS, "security", RF, "denyUrlSequences"],
        &["add"],
        &[key("sequence")],
    ),
    iis(
        "verbs",
        &[WS, "security", RF, "verbs"],
        &["add"],
        &[key_cs("verb")],
    ),
    iis(
        "headerLimits",
        &[WS, "security", RF, "requestLimits", "headerLimits"],
        &["add"],
        &[key("header")],
    ),
    iis(
        "filteringRules",
        &[WS, "security", RF, "filteringRules"],
        &["filteringRule"],
        &[key("name")],
    ),
    iis(
        "authorization",
        &[WS, "security", "authorization"],
        &["add"],
        &[key("users"), key("roles"), key_cs("verbs")],
    ),
    iis(
        "ipSecurity",
        &[WS, "security", "ipSecurity"],
        &["add"],
        &[
            key("ipAddress"),
            KeyAttr {
                name: "subnetMask",
                default: "255.255.255.255",
                case_sensitive: false,
            },
            key("domainName"),
        ],
    ),
    iis(
        "rewriteRules",
        &[WS, "rewrite", "rules"],
        &["rule"],
        &[key("name")],
    ),
    iis(
        "outboundRules",
        &[WS, "rewrite", "outboundRules"],
        &["rule"],
        &[key("name")],
    ),
    iis(
        "preConditions",
        &[WS, "rewrite", "outboundRules", "preConditions"],
        &["preCondition"],
        &[key("name")],
    ),
    iis(
        "rewriteMaps",
        &[WS, "rewrite", "rewriteMaps"],
        &["rewriteMap"],
        &[key("name")],
    ),
    iis(
        "allowedServerVariables",
        &[WS, "rewrite", "allowedServerVariables"],
        &["add"],
        &[key("name")],
    ),
    iis(
        "cachingProfiles",
        &[WS, "caching", "profiles"],
        &["add"],
        &[key("extension")],
    ),
    iis(
        "httpRedirect",
        &[WS, "httpRedirect"],
        &["add"],
        &[key("wildcard")],
    ),
    iis(
        "applicationInitialization",
        &[WS, "applicationInitialization"],
        &["add"],
        &[key("initializationPage")],
    ),
    Collection {
        id: "connectionStrings",
        path: &["connectionStrings"],
        add: &["add"],
        remove: Some("remove"),
        clear: Some("clear"),
        keys: &[key("name")],
        on_duplicate: OnDuplicate::NetError,
    },
    Collection {
        id: "appSettings",
        path: &["appSettings"],
        add: &["add"],
        remove: Some("remove"),
        clear: Some("clear"),
        keys: &[key("key")],
        on_duplicate: OnDuplicate::LastWins,
    },
];

impl Collection {
    /// The key of an entry element, as written (left-out attributes take their default).
    pub fn key_of(&self, t: &Tree, el: NodeId) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| {
                t.attribute_value(el, "", k.name)
                    .unwrap_or(k.default)
                    .to_owned()
            })
            .collect()
    }

    /// A key as compared.
    fn normalize(&self, key: &[String]) -> Vec<String> {
        self.keys
            .iter()
            .zip(key)
            .map(|(k, v)| {
                if k.case_sensitive {
                    v.clone()
                } else {
                    v.to_lowercase()
                }
            })
            .collect()
    }

    /// `fileExtension='.woff2'`, `statusCode='404' subStatusCode='-1'`.
    pub fn describe_key(&self, key: &[String]) -> String {
        self.keys
            .iter()
            .zip(key)
            .map(|(k, v)| format!("{}='{v}'", k.name))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `<remove>` that makes room for an entry, e.g. `<remove fileExtension=".woff2" />`.
    pub fn remove_element(&self, key: &[String]) -> Option<String> {
        let r = self.remove?;
        let attrs: String = self
            .keys
            .iter()
            .zip(key)
            .filter(|(k, v)| v.as_str() != k.default || k.default.is_empty())
            .map(|(k, v)| format!(" {}=\"{v}\"", k.name))
            .collect();
        Some(format!("<{r}{attrs} />"))
    }
}

/// Which IIS's defaults to assume at server level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IisVersion {
    /// IIS 8.5 (Windows Server 2012 R2).
    Iis85,
    /// IIS 10 (Windows Server 2016 and later).
    #[default]
    Iis10,
}

impl IisVersion {
    /// "IIS 10", "IIS 8.5".
    pub fn label(self) -> &'static str {
        match self {
            IisVersion::Iis85 => "IIS 8.5",
            IisVersion::Iis10 => "IIS 10",
        }
    }

    /// `"8.5"` or `"10"` (as `--iis-version` takes it).
    pub fn parse(s: &str) -> Option<IisVersion> {
        match s.trim() {
            "10" | "10.0" => Some(IisVersion::Iis10),
            "8.5" => Some(IisVersion::Iis85),
            _ => None,
        }
    }

    fn defaults(self) -> &'static [Default] {
        static V10: OnceLock<Vec<Default>> = OnceLock::new();
        static V85: OnceLock<Vec<Default>> = OnceLock::new();
        match self {
            IisVersion::Iis10 => {
                V10.get_or_init(|| parse_defaults(include_str!("defaults-iis10.tsv")))
            }
            IisVersion::Iis85 => {
                V85.get_or_init(|| parse_defaults(include_str!("defaults-iis85.tsv")))
            }
        }
    }
}

/// An entry the server level defines.
#[derive(Debug)]
struct Default {
    collection: &'static str,
    key: Vec<String>,
    /// "always", "with ASP.NET", "newer builds".
    condition: &'static str,
}

fn parse_defaults(text: &'static str) -> Vec<Default> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let (c, k, cond) = (f.next(), f.next(), f.next());
            let (Some(c), Some(k), Some(cond)) = (c, k, cond) else {
                panic!("a defaults line has three columns: {l:?}")
            };
            Default {
                collection: c,
                key: k.split(',').map(str::to_owned).collect(),
                condition: cond,
            }
        })
        .collect()
}

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
    pub fn identity(&self) -> (&'static str, Scope, Vec<String>) {
        (
            self.collection.id,
            self.scope.clone(),
            self.collection.normalize(&self.key),
        )
    }
}

/// An entry in effect while replaying a collection.
#[derive(Clone)]
struct InEffect {
    key: Vec<String>,
    origin: Origin,
    /// For .NET's exact-copy rule: every attribute, sorted.
    attrs: Vec<(String, String)>,
}

fn is(t: &Tree, n: NodeId, local: &str) -> bool {
    t.kind(n) == NodeKind::Element && t.local_name(n) == local
}

/// The elements at `path` below `holder`.
fn descend(t: &Tree, holder: NodeId, path: &[&str]) -> Vec<NodeId> {
    let mut level = vec![holder];
    for name in path {
        level = level
            .into_iter()
            .flat_map(|n| {
                t.element_children(n)
                    .filter(|&c| t.local_name(c) == *name)
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    level
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

/// Every duplicate in a web.config, collection by collection, as IIS (or .NET) merges them.
pub fn duplicates(t: &Tree, version: IisVersion) -> Vec<Duplicate> {
    let scopes = scopes(t);
    let mut out = Vec::new();
    for c in COLLECTIONS {
        let mut server: Vec<InEffect> = version
            .defaults()
            .iter()
            .filter(|d| d.collection == c.id)
            .map(|d| InEffect {
                key: c.normalize(&d.key),
                origin: Origin::Server(version, d.condition),
                attrs: Vec::new(),
            })
            .collect();
        if c.id == "connectionStrings" {
            server.push(InEffect {
                key: vec!["localsqlserver".into()],
                origin: Origin::Machine,
                attrs: vec![
                    ("connectionString".into(), LOCAL_SQL_SERVER.into()),
                    ("name".into(), "LocalSqlServer".into()),
                    ("providerName".into(), "System.Data.SqlClient".into()),
                ],
            });
        }
        let instances = |pick: &dyn Fn(&Scope) -> bool| -> Vec<(Scope, NodeId)> {
            scopes
                .iter()
                .filter(|(s, _)| pick(s))
                .flat_map(|(s, h)| {
                    descend(t, *h, c.path)
                        .into_iter()
                        .map(move |n| (s.clone(), n))
                })
                .collect()
        };
        let mut top = server;
        for (s, n) in instances(&|s| *s == Scope::TopLevel) {
            replay(t, c, &s, n, &mut top, &mut out);
        }
        let mut app = top.clone();
        for (s, n) in instances(&|s| s.is_application()) {
            replay(t, c, &s, n, &mut app, &mut out);
        }
        for (s, n) in instances(&|s| *s != Scope::TopLevel && !s.is_application()) {
            let mut list = app.clone();
            replay(t, c, &s, n, &mut list, &mut out);
        }
    }
    out.sort_by_key(|d| d.second);
    out
}

/// Applies one collection element's entries to what is in effect.
fn replay(
    t: &Tree,
    c: &'static Collection,
    scope: &Scope,
    coll: NodeId,
    list: &mut Vec<InEffect>,
    out: &mut Vec<Duplicate>,
) {
    // Entries already in effect when this element starts come from elsewhere.
    for e in list.iter_mut() {
        if let Origin::Entry { inherited, .. } = &mut e.origin {
            *inherited = true;
        }
    }
    for e in t.element_children(coll) {
        let local = t.local_name(e);
        if c.clear == Some(local) {
            list.clear();
        } else if c.remove == Some(local) {
            let k = c.normalize(&c.key_of(t, e));
            list.retain(|x| x.key != k);
        } else if c.add.contains(&local) {
            let written = c.key_of(t, e);
            let k = c.normalize(&written);
            let mut attrs: Vec<(String, String)> = t
                .attributes(e)
                .filter(|&a| t.namespace_uri(a).is_empty())
                .map(|a| (t.local_name(a).to_owned(), t.value(a).to_owned()))
                .collect();
            attrs.sort();
            if let Some(i) = list.iter().position(|x| x.key == k) {
                let exact_copy = c.on_duplicate == OnDuplicate::NetError && list[i].attrs == attrs;
                if !exact_copy {
                    out.push(Duplicate {
                        collection: c,
                        key: written.clone(),
                        scope: scope.clone(),
                        second: e,
                        first: list[i].origin.clone(),
                    });
                }
                if c.on_duplicate == OnDuplicate::LastWins || exact_copy {
                    list.remove(i);
                }
            }
            list.push(InEffect {
                key: k,
                origin: Origin::Entry {
                    node: e,
                    inherited: false,
                },
                attrs,
            });
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
                assert_eq!(c.keys.len(), d.key.len(), "{d:?}");
            }
        }
        let has = |v: IisVersion, c: &str, k: &str| {
            v.defaults()
                .iter()
                .any(|d| d.collection == c && d.key.join(",").eq_ignore_ascii_case(k))
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
