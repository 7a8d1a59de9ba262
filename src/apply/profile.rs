//! Applying a header profile without its stylesheet: the result tree the profile's generated
//! XSLT template ([`crate::generate::xsl`]) builds, made directly from the source tree.
//!
//! Compiling the generated template (some 50 KB of patterns and expressions) costs more than
//! applying it to a small web.config, so [`ProfileTransform`] builds the same result tree as
//! the template would, node for node, with the very functions the XSLT engine builds it with
//! (`xsl:copy`, `xsl:element`, `xsl:attribute`, `xsl:copy-of`). "Same result as the generated
//! template" is a tested property (`tests/profile_native.rs`, on every sample, corpus config and
//! preset). What this module does not cover goes to the template, compiled on first use:
//! - profiles that patch other `<location>`s (`locations = true`), blank headers with URL
//!   Rewrite (`strip`), or have logout paths;
//! - profiles whose names or values the template would not carry as they are (a value of white
//!   space only, a control character) or that list one header twice;
//! - documents whose root is not `<configuration>` in no namespace or the `.NetConfiguration`
//!   one, where an element the template looks at by local name is in another namespace, whose
//!   header collections are large enough for the template's quadratic sibling tests to near
//!   the work limit, or that the transformation limits in force could stop.
//!
//! The template's logic, which [`Native`] follows (see the template's comments, too):
//! - the *application* is `<configuration>` and each `<location>` with no path, `.` or an
//!   empty one; a chain of elements the profile needs (`system.webServer/httpProtocol/
//!   customHeaders`, `system.webServer/security/requestFiltering`, `system.web/httpRuntime`,
//!   `system.web/httpCookies`) has a *home*: the deepest element of it that exists, at the top
//!   level first, then in the application's location; `<configuration>` when none does. The
//!   home creates what is missing below it;
//! - in the application's collections, the first entry of a header after the last `<clear/>`
//!   gets the profile's value and later ones go; an `<add>` of a removed header goes, and one
//!   `<remove>` of it stays. The home collection gets every header the application does not
//!   set yet; another one gets those it cancels with `<clear/>` or `<remove>`;
//! - in other locations' collections, an `<add>` of a profile header gets a `<remove>` before
//!   it unless one is there (or a `<clear/>`);
//! - `requestFiltering`, `httpRuntime` and `httpCookies` get the profile's attributes.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::{Applied, ApplyError, ApplyOptions, Original, finish};
use crate::generate::NET_CONFIG_NS;
use crate::profile::Profile;
use crate::xml::{Document, NodeId, NodeKind, Tree};
use crate::xslt::exec::{add_attribute, copy_element, copy_element_deep, copy_leaf, start_element};
use crate::xslt::{Method, OutputSpec, Stylesheet};

/// A header profile ready to apply: natively where [`Native`] covers the profile and the
/// document, else through its generated stylesheet, compiled once, on first use.
pub struct ProfileTransform {
    profile: Profile,
    /// The effective profile (what the template writes), when the native path covers it.
    native: Option<Native>,
    sheet: OnceLock<Stylesheet>,
}

impl ProfileTransform {
    /// Prepares `profile`; nothing is compiled yet.
    pub fn new(profile: &Profile) -> ProfileTransform {
        ProfileTransform {
            profile: profile.clone(),
            native: Native::new(profile),
            sheet: OnceLock::new(),
        }
    }

    /// The profile's generated stylesheet, compiled (once).
    pub fn stylesheet(&self) -> &Stylesheet {
        self.sheet
            .get_or_init(|| super::profile_stylesheet(&self.profile))
    }

    /// Applies the profile to a document's bytes: what [`super::apply_stylesheet`] with
    /// [`ProfileTransform::stylesheet`] gives.
    pub fn apply(&self, input: &[u8], opts: &ApplyOptions) -> Result<Applied, ApplyError> {
        let doc = Document::parse(input, &opts.limits)?;
        self.run(&doc, Original::Bytes(input), opts)
    }

    /// [`ProfileTransform::apply`] for input the caller gives up (see
    /// [`super::apply_stylesheet_owned`]).
    pub fn apply_owned(&self, input: Vec<u8>, opts: &ApplyOptions) -> Result<Applied, ApplyError> {
        if !crate::xml::encoding::is_utf8_encoded(&input) {
            return self.apply(&input, opts);
        }
        let doc = Document::parse_owned(input, &opts.limits)?;
        self.run(&doc, Original::Utf8, opts)
    }

    /// Applies the profile natively, or `None` when the native path does not cover the profile
    /// or this document (then [`ProfileTransform::apply`] uses the stylesheet). For tests that
    /// compare the two.
    #[doc(hidden)]
    pub fn apply_natively(
        &self,
        input: &[u8],
        opts: &ApplyOptions,
    ) -> Option<Result<Applied, ApplyError>> {
        let native = self.native.as_ref()?;
        let doc = match Document::parse(input, &opts.limits) {
            Ok(d) => d,
            Err(e) => return Some(Err(e.into())),
        };
        let (tree, copies) = native.build(&doc, opts)?;
        Some(native_finish(
            &doc,
            Original::Bytes(input),
            &tree,
            &copies,
            opts,
        ))
    }

    fn run(
        &self,
        doc: &Document,
        original: Original,
        opts: &ApplyOptions,
    ) -> Result<Applied, ApplyError> {
        if let Some((tree, copies)) = self.native.as_ref().and_then(|n| n.build(doc, opts)) {
            return native_finish(doc, original, &tree, &copies, opts);
        }
        super::run_stylesheet(self.stylesheet(), doc, original, opts)
    }
}

fn native_finish(
    doc: &Document,
    original: Original,
    tree: &Tree,
    copies: &[(NodeId, NodeId)],
    opts: &ApplyOptions,
) -> Result<Applied, ApplyError> {
    finish(doc, original, (tree, copies), &output_spec(), opts, None)
}

/// The generated template's `<xsl:output method="xml" indent="yes" encoding="utf-8"/>`.
fn output_spec() -> OutputSpec {
    OutputSpec {
        method: Some(Method::Xml),
        encoding: Some("utf-8".to_owned()),
        indent: Some(true),
        ..OutputSpec::default()
    }
}

/// What a missing part of a chain ends with.
#[derive(Clone, Debug)]
enum Leaf {
    /// The header collection with every entry of the profile.
    Collection,
    /// An element with these attributes.
    Element(&'static str, Vec<(&'static str, String)>),
}

/// A chain of elements below `<configuration>` the profile needs (see the module docs).
#[derive(Clone, Debug)]
struct Chain {
    names: Vec<&'static str>,
    leaf: Leaf,
}

/// The native application of one (effective) profile.
#[derive(Clone, Debug)]
pub(super) struct Native {
    coll: &'static str,
    remove_inherited: bool,
    /// Headers to set: (name, lower-case name, value).
    headers: Vec<(String, String, String)>,
    /// Headers to remove: (name, lower-case name).
    remove: Vec<(String, String)>,
    chains: Vec<Chain>,
    /// Attributes set on existing elements, by the chain leaf's name.
    settings: Vec<(&'static str, Vec<(&'static str, String)>)>,
}

/// Whether the generated stylesheet carries `s` as it is (white space only would be stripped
/// from some of its places, control characters normalized).
fn carried(s: &str) -> bool {
    !s.trim().is_empty()
        && s.chars()
            .all(|c| !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}')
}

impl Native {
    /// The native application of `original`, or `None` when it needs the stylesheet.
    fn new(original: &Profile) -> Option<Native> {
        let eff = original.effective();
        let p = &eff.profile;
        if p.locations
            || !p.strip.is_empty()
            || !p.logout_paths.is_empty()
            || !eff.logout_headers.is_empty()
        {
            return None;
        }
        let headers: Vec<(String, String, String)> = p
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    h.name.to_ascii_lowercase(),
                    h.value.render(),
                )
            })
            .collect();
        let remove: Vec<(String, String)> = p
            .remove
            .iter()
            .map(|r| (r.clone(), r.to_ascii_lowercase()))
            .collect();
        let mut keys: Vec<&str> = headers
            .iter()
            .map(|h| h.1.as_str())
            .chain(remove.iter().map(|r| r.1.as_str()))
            .collect();
        let all_carried = headers.iter().all(|(n, _, v)| carried(n) && carried(v))
            && remove.iter().all(|(n, _)| carried(n));
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        if !all_carried || keys.len() != n {
            return None;
        }
        let coll = p.collection.element_name();
        let bool_str = |b: Option<bool>| if b == Some(false) { "false" } else { "true" };
        let mut chains = vec![Chain {
            names: vec!["system.webServer", "httpProtocol", coll],
            leaf: Leaf::Collection,
        }];
        let mut settings = Vec::new();
        if p.server.remove_server_header.is_some() {
            let attrs = vec![(
                "removeServerHeader",
                bool_str(p.server.remove_server_header).to_owned(),
            )];
            settings.push(("requestFiltering", attrs.clone()));
            chains.push(Chain {
                names: vec!["system.webServer", "security", "requestFiltering"],
                leaf: Leaf::Element("requestFiltering", attrs),
            });
        }
        if let Some(v) = p.server.enable_version_header {
            let attrs = vec![("enableVersionHeader", v.to_string())];
            settings.push(("httpRuntime", attrs.clone()));
            chains.push(Chain {
                names: vec!["system.web", "httpRuntime"],
                leaf: Leaf::Element("httpRuntime", attrs),
            });
        }
        let cookies = p.cookies.attributes();
        if !cookies.is_empty() {
            if !cookies.iter().all(|(_, v)| carried(v)) {
                return None;
            }
            settings.push(("httpCookies", cookies.clone()));
            chains.push(Chain {
                names: vec!["system.web", "httpCookies"],
                leaf: Leaf::Element("httpCookies", cookies),
            });
        }
        Some(Native {
            coll,
            remove_inherited: p.remove_inherited,
            headers,
            remove,
            chains,
            settings,
        })
    }

    /// The result tree (with the subtrees copied whole, as (result, source) pairs), or `None`
    /// when this document needs the stylesheet.
    fn build(&self, doc: &Document, opts: &ApplyOptions) -> Option<(Tree, Vec<(NodeId, NodeId)>)> {
        let src = doc.tree();
        let t = &opts.transform;
        // The stylesheet's limits could not stop it: no deeper than the document limits allow,
        // a result of about the source's size.
        if opts.limits.max_depth as usize + 16 > t.max_depth
            || src.len() + 10_000 > t.max_output_nodes
            || src.source().len().saturating_mul(2) + (1 << 20) > t.max_output_bytes
            || (src.len() as u64).saturating_mul(8) + 1_000_000 > t.max_work
        {
            return None;
        }
        let plan = Plan::new(self, src)?;
        let mut out = Build {
            src,
            dst: Tree::with_names_of(src),
            copies: Vec::new(),
            plan: &plan,
            native: self,
        };
        for c in src.children(NodeId::ROOT) {
            out.node(c, NodeId::ROOT);
        }
        Some((out.dst, out.copies))
    }

    fn header(&self, key: &str) -> Option<&(String, String, String)> {
        self.headers.iter().find(|h| h.1 == key)
    }

    fn removes(&self, key: &str) -> bool {
        self.remove.iter().any(|r| r.1 == key)
    }
}

/// What an element of the source gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Copied, its children processed (a `<location>` and the parts of another location's
    /// path to its collection).
    Pass,
    /// An element of the application at this chain prefix (`names[..depth]` of some chain):
    /// copied, then the missing parts it is home for.
    Prefix(usize),
    /// One of the application's collections.
    Collection,
    /// Another location's collection.
    OtherCollection,
    /// An element whose attributes the profile sets (index into `settings`).
    Settings(usize),
}

/// The roles of a document's elements and the homes of the chains.
struct Plan {
    roles: FxHashMap<NodeId, Role>,
    /// The home of each chain.
    homes: Vec<NodeId>,
    /// The application's collections.
    collections: Vec<NodeId>,
    /// The prefixes of the chains, in order.
    prefixes: Vec<Vec<&'static str>>,
}

/// The element children of `parents` named `name` (by local name, as the template's
/// variables select them), or `None` when one of them is not in namespace `ns` (where the
/// template's patterns, which are namespace-aware, would not see it).
fn kids(t: &Tree, parents: &[NodeId], name: &str, ns: &str) -> Option<Vec<NodeId>> {
    let mut out = Vec::new();
    for &p in parents {
        for c in t.element_children(p) {
            if t.local_name(c) == name {
                if t.namespace_uri(c) != ns {
                    return None;
                }
                out.push(c);
            }
        }
    }
    Some(out)
}

/// XPath's `normalize-space(@path)` is `.` or empty, or there is no `path`.
fn is_app_location(t: &Tree, loc: NodeId) -> bool {
    match t.attribute_value(loc, "", "path") {
        None => true,
        Some(p) => matches!(p.trim_matches([' ', '\t', '\r', '\n']), "" | "."),
    }
}

/// A header collection's children too many for the template's sibling tests to stay well
/// within the work limit.
const MAX_COLLECTION: usize = 200;

impl Plan {
    fn new(n: &Native, t: &Tree) -> Option<Plan> {
        let root = t.root_element()?;
        let ns = t.namespace_uri(root);
        if t.local_name(root) != "configuration" || !(ns.is_empty() || ns == NET_CONFIG_NS) {
            return None;
        }
        let mut roles = FxHashMap::default();
        let locations = kids(t, &[root], "location", ns)?;
        let (apps, others): (Vec<NodeId>, Vec<NodeId>) =
            locations.iter().partition(|&&l| is_app_location(t, l));
        roles.extend(locations.iter().map(|&l| (l, Role::Pass)));
        // The prefixes of the chains, and the roles of the application's elements.
        let mut prefixes: Vec<Vec<&'static str>> = Vec::new();
        let mut homes = Vec::new();
        let mut collections = Vec::new();
        for c in &n.chains {
            let (mut top, mut app) = (vec![root], apps.clone());
            let mut levels = Vec::new();
            for (k, name) in c.names.iter().enumerate() {
                let pre = c.names[..k].to_vec();
                let i = match prefixes.iter().position(|p| *p == pre) {
                    Some(i) => i,
                    None => {
                        prefixes.push(pre);
                        prefixes.len() - 1
                    }
                };
                for &e in top.iter().chain(if k == 0 { &[][..] } else { &app[..] }) {
                    roles.entry(e).or_insert(Role::Prefix(i));
                }
                top = kids(t, &top, name, ns)?;
                app = kids(t, &app, name, ns)?;
                levels.push((top.clone(), app.clone()));
            }
            let leaf = *c.names.last().expect("a chain has names");
            let role = if leaf == n.coll {
                collections = top.iter().chain(&app).copied().collect();
                Role::Collection
            } else {
                Role::Settings(n.settings.iter().position(|s| s.0 == leaf)?)
            };
            for &e in top.iter().chain(&app) {
                roles.insert(e, role);
            }
            let home = levels
                .iter()
                .rev()
                .find_map(|(top, app)| top.first().or(app.first()).copied())
                .unwrap_or(root);
            homes.push(home);
        }
        // Other locations: the path to their collections.
        let sws = kids(t, &others, "system.webServer", ns)?;
        let hp = kids(t, &sws, "httpProtocol", ns)?;
        let other_colls = kids(t, &hp, n.coll, ns)?;
        roles.extend(sws.iter().chain(&hp).map(|&e| (e, Role::Pass)));
        roles.extend(other_colls.iter().map(|&e| (e, Role::OtherCollection)));
        if collections
            .iter()
            .chain(&other_colls)
            .any(|&c| t.children(c).count() > MAX_COLLECTION)
        {
            return None;
        }
        Some(Plan {
            roles,
            homes,
            collections,
            prefixes,
        })
    }

    fn role(&self, e: NodeId) -> Option<Role> {
        self.roles.get(&e).copied()
    }
}

/// The lower-case `name` attribute of `e` (`translate(@name, 'A..Z', 'a..z')`).
fn key(t: &Tree, e: NodeId) -> String {
    t.attribute_value(e, "", "name")
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether element `e` is `<clear/>` or a `<remove>` of `k`.
fn cancels(t: &Tree, e: NodeId, k: &str) -> bool {
    match t.local_name(e) {
        "clear" => true,
        "remove" => key(t, e) == k,
        _ => false,
    }
}

/// Whether collection `c` has a `kind` entry of `k` in effect: no later `<clear/>` or
/// `<remove>` of `k` cancels it.
fn live(t: &Tree, c: NodeId, kind: &str, k: &str) -> bool {
    let kids: Vec<NodeId> = t.element_children(c).collect();
    let mut cancelled = false;
    for &e in kids.iter().rev() {
        if !cancelled && t.local_name(e) == kind && key(t, e) == k {
            return true;
        }
        cancelled |= cancels(t, e, k);
    }
    false
}

/// The result being built.
struct Build<'a> {
    src: &'a Tree,
    dst: Tree,
    copies: Vec<(NodeId, NodeId)>,
    plan: &'a Plan,
    native: &'a Native,
}

impl Build<'_> {
    /// The identity template on `n`, or its own template.
    fn node(&mut self, n: NodeId, parent: NodeId) {
        if self.src.kind(n) != NodeKind::Element {
            copy_leaf(self.src, n, &mut self.dst, parent);
            return;
        }
        let el = match self.plan.role(n) {
            None => {
                copy_element_deep(self.src, n, &mut self.dst, parent, true);
                let copy = self.dst.last_child(parent).expect("the copy");
                self.copies.push((copy, n));
                return;
            }
            Some(Role::Settings(i)) => {
                let el = self.copy(n, parent);
                for (k, v) in &self.native.settings[i].1 {
                    add_attribute(&mut self.dst, el, ("", k, ""), v);
                }
                el
            }
            Some(_) => self.copy(n, parent),
        };
        match self.plan.role(n) {
            Some(Role::Collection) => self.collection(n, el),
            Some(Role::OtherCollection) => self.other_collection(n, el),
            Some(Role::Prefix(i)) => {
                self.children(n, el);
                self.missing_parts(n, el, i);
            }
            _ => self.children(n, el),
        }
    }

    /// `xsl:copy` of element `n` with its attributes (`apply-templates select="@*"`).
    fn copy(&mut self, n: NodeId, parent: NodeId) -> NodeId {
        let (st, dt) = (self.src, &mut self.dst);
        let el = copy_element(st, n, dt, parent);
        for a in st.attributes(n) {
            add_attribute(
                dt,
                el,
                (st.prefix(a), st.local_name(a), st.namespace_uri(a)),
                st.value(a),
            );
        }
        el
    }

    fn children(&mut self, n: NodeId, el: NodeId) {
        let mut c = self.src.first_child(n);
        while let Some(k) = c {
            self.node(k, el);
            c = self.src.next_sibling(k);
        }
    }

    /// `xsl:copy-of` an element.
    fn copy_of(&mut self, n: NodeId, parent: NodeId) {
        copy_element_deep(self.src, n, &mut self.dst, parent, true);
    }

    /// An `xsl:element` in namespace `ns` with attributes.
    fn element(&mut self, parent: NodeId, name: &str, ns: &str, attrs: &[(&str, &str)]) -> NodeId {
        let el = start_element(&mut self.dst, parent, ("", name, ns), &[]);
        for (k, v) in attrs {
            add_attribute(&mut self.dst, el, ("", k, ""), v);
        }
        el
    }

    /// One of the application's collections: the first entry of each profile header after the
    /// last `<clear/>` gets the profile's value, later ones and `<add>`s of removed headers go,
    /// one `<remove>` of each removed header stays; then the entries it lacks.
    fn collection(&mut self, c: NodeId, el: NodeId) {
        let (st, n) = (self.src, self.native);
        let kids: Vec<NodeId> = st.children(c).collect();
        let last_clear = kids
            .iter()
            .rposition(|&k| st.kind(k) == NodeKind::Element && st.local_name(k) == "clear");
        let mut added: Vec<String> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        for (i, &k) in kids.iter().enumerate() {
            let in_effect = last_clear.is_none_or(|l| i > l);
            if st.kind(k) == NodeKind::Element && in_effect {
                let local = st.local_name(k);
                if local == "add" {
                    let key = key(st, k);
                    if let Some(h) = n.header(&key) {
                        if !added.contains(&key) {
                            added.push(key);
                            let e = self.copy(k, el);
                            add_attribute(&mut self.dst, e, ("", "value", ""), &h.2);
                        }
                        continue;
                    }
                    if n.removes(&key) {
                        continue;
                    }
                } else if local == "remove" {
                    let key = key(st, k);
                    if n.removes(&key) {
                        if !removed.contains(&key) {
                            removed.push(key);
                            self.copy_of(k, el);
                        }
                        continue;
                    }
                }
            }
            self.node(k, el);
        }
        self.missing_entries(c, el);
    }

    /// `webxsl-missing-entries`: the home collection gets every header the application does not
    /// set; another one those it cancels.
    fn missing_entries(&mut self, c: NodeId, el: NodeId) {
        let (st, n, plan) = (self.src, self.native, self.plan);
        let home = plan.homes[0] == c;
        let ns = st.namespace_uri(c).to_owned();
        for (name, k) in &n.remove {
            let set = plan
                .collections
                .iter()
                .any(|&x| st.element_children(x).any(|e| cancels(st, e, k)));
            if home && !set {
                self.element(el, "remove", &ns, &[("name", name)]);
            }
        }
        for (name, k, value) in &n.headers {
            let set_here = live(st, c, "add", k);
            let set_in_app = plan.collections.iter().any(|&x| live(st, x, "add", k));
            let cancelled_here = st.element_children(c).any(|e| cancels(st, e, k));
            if (home && !set_in_app) || (!home && cancelled_here && !set_here) {
                if n.remove_inherited && !live(st, c, "remove", k) {
                    self.element(el, "remove", &ns, &[("name", name)]);
                }
                self.element(el, "add", &ns, &[("name", name), ("value", value)]);
            }
        }
    }

    /// Another location's collection: an `<add>` of a profile header first removes the
    /// inherited one, unless a `<clear/>` or an entry of it comes before.
    fn other_collection(&mut self, c: NodeId, el: NodeId) {
        let st = self.src;
        let mut c_kid = st.first_child(c);
        while let Some(k) = c_kid {
            c_kid = st.next_sibling(k);
            if st.kind(k) == NodeKind::Element && st.local_name(k) == "add" {
                let key = key(st, k);
                if let Some(h) = self.native.header(&key) {
                    let mut before = st.prev_sibling(k);
                    let mut first = true;
                    while let Some(b) = before {
                        before = st.prev_sibling(b);
                        if st.kind(b) == NodeKind::Element
                            && (st.local_name(b) == "clear"
                                || (matches!(st.local_name(b), "remove" | "add")
                                    && self::key(st, b) == key))
                        {
                            first = false;
                            break;
                        }
                    }
                    if first {
                        let ns = st.namespace_uri(k).to_owned();
                        self.element(el, "remove", &ns, &[("name", &h.0)]);
                    }
                    self.copy_of(k, el);
                    continue;
                }
            }
            self.node(k, el);
        }
    }

    /// After the children of an application element at chain prefix `i`: for each next element
    /// of the chains through it, the missing parts when it is their home.
    fn missing_parts(&mut self, e: NodeId, el: NodeId, i: usize) {
        let (n, plan) = (self.native, self.plan);
        let pre = &plan.prefixes[i];
        let ns = self.src.namespace_uri(e).to_owned();
        let through: Vec<usize> = (0..n.chains.len())
            .filter(|&c| {
                let names = &n.chains[c].names;
                names.len() > pre.len() && names[..pre.len()] == pre[..]
            })
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for &c in &through {
            let next = n.chains[c].names[pre.len()];
            if seen.contains(&next) {
                continue;
            }
            seen.push(next);
            if plan.homes[c] != e {
                continue;
            }
            let group: Vec<usize> = through
                .iter()
                .copied()
                .filter(|&x| n.chains[x].names[pre.len()] == next)
                .collect();
            self.create(&group, pre.len(), el, &ns);
        }
    }

    /// The missing parts of chains `group` from their element at `depth` down, under `parent`
    /// (the template's nested `xsl:element`s).
    fn create(&mut self, group: &[usize], depth: usize, parent: NodeId, ns: &str) {
        let n = self.native;
        let mut done: Vec<&str> = Vec::new();
        for &c in group {
            let names = &n.chains[c].names;
            let first = names[depth];
            if done.contains(&first) {
                continue;
            }
            done.push(first);
            if names.len() == depth + 1 {
                match &n.chains[c].leaf {
                    Leaf::Collection => self.new_collection(parent, ns),
                    Leaf::Element(name, attrs) => {
                        let attrs: Vec<(&str, &str)> =
                            attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        self.element(parent, name, ns, &attrs);
                    }
                }
                continue;
            }
            let inner: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&x| n.chains[x].names[depth] == first)
                .collect();
            let el = self.element(parent, first, ns, &[]);
            self.create(&inner, depth + 1, el, ns);
        }
    }

    /// `webxsl-new-collection`: a collection with every entry of the profile.
    fn new_collection(&mut self, parent: NodeId, ns: &str) {
        let n = self.native;
        let el = self.element(parent, n.coll, ns, &[]);
        for (name, _) in &n.remove {
            self.element(el, "remove", ns, &[("name", name)]);
        }
        for (name, _, value) in &n.headers {
            if n.remove_inherited {
                self.element(el, "remove", ns, &[("name", name)]);
            }
            self.element(el, "add", ns, &[("name", name), ("value", value)]);
        }
    }
}
