//! The collections webxsl checks: where each is, the elements that add, remove and clear its
//! entries, and its key, as IIS's configuration schema defines them.

use crate::xml::{NodeId, Tree};

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
pub static COLLECTIONS: &[Collection] = &[
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

    /// The key of an entry element as compared, in one string (see [`Collection::compared`]).
    pub(super) fn compared_key(&self, t: &Tree, el: NodeId) -> String {
        self.compared(
            self.keys
                .iter()
                .map(|k| t.attribute_value(el, "", k.name).unwrap_or(k.default)),
        )
    }

    /// A key as compared, in one string: its parts, lowercased where IIS compares them without
    /// case, joined by NUL (which no XML value holds, so two keys are equal exactly when their
    /// parts are). One allocation a key, where the parts would take one each.
    pub(super) fn compared<'a>(&self, parts: impl Iterator<Item = &'a str>) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.keys.iter().zip(parts).enumerate() {
            if i > 0 {
                out.push('\0');
            }
            if k.case_sensitive {
                out.push_str(v);
            } else if v.is_ascii() {
                let from = out.len();
                out.push_str(v);
                out[from..].make_ascii_lowercase();
            } else {
                out.push_str(&v.to_lowercase());
            }
        }
        out
    }

    /// [`Collection::compared`] of a key as the defaults files write it (parts joined by
    /// ','): the text itself when comparing would not change it (one part, compared as
    /// written or ASCII already in lower case), which is most of the server's entries.
    pub(super) fn compared_static(&self, key: &'static str) -> std::borrow::Cow<'static, str> {
        let as_written = match self.keys {
            [k] => {
                k.case_sensitive || (key.is_ascii() && !key.bytes().any(|b| b.is_ascii_uppercase()))
            }
            _ => false,
        };
        if as_written {
            std::borrow::Cow::Borrowed(key)
        } else {
            std::borrow::Cow::Owned(self.compared(key.split(',')))
        }
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
