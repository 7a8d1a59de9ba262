//! From reports to a policy change: group what was blocked, then propose the smallest change to a
//! policy that allows it.
//!
//! Reports are grouped by disposition (enforced or report-only, never mixed), effective
//! directive and what was blocked ([`Blocked`]): an origin (scheme, host, port: never a path,
//! never `*`), a scheme (`data:`, `blob:`), inline code, eval, wasm-eval, or noise (browser
//! extensions, `about:`...). Each group counts its reports, the first and last time seen and a
//! few example pages.
//!
//! [`status`] says what a group means for a policy, and [`propose`] folds the groups into one
//! [`Proposal`]:
//!
//! - an origin or a scheme is added to the directive that governs it: the reported directive if
//!   the policy has it; for `script-src-elem`/`-attr` and `style-src-elem`/`-attr`, their
//!   `script-src`/`style-src`; otherwise that directive is created **from the sources it
//!   inherited** (from `default-src`, or `child-src`/`script-src` along CSP's fallback chain),
//!   so that adding a host never narrows the policy. A blocked origin equal to the page's is
//!   `'self'`. `'none'` gives way to the new source;
//! - never proposed: `'unsafe-inline'`, `'unsafe-eval'` (inline code and eval are listed with the
//!   way out: a hash of the reported sample when it is whole, a nonce, moving the code to a
//!   file), `data:`/`blob:` for scripts and objects, plain-HTTP origins on HTTPS pages, hosts in
//!   a script directive that has `'strict-dynamic'` (browsers ignore them), and noise.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use sha2::Digest as _;

use super::{Report, origin_of, strip_query};

/// Enforced or report-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Disposition {
    /// `Content-Security-Policy` (or no disposition given: older browsers).
    Enforce,
    /// `Content-Security-Policy-Report-Only`.
    Report,
}

impl Disposition {
    /// `enforce` or `report`, as reports say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Enforce => "enforce",
            Disposition::Report => "report",
        }
    }

    /// The header whose policy this disposition comes from.
    pub fn header(self) -> &'static str {
        match self {
            Disposition::Enforce => "Content-Security-Policy",
            Disposition::Report => "Content-Security-Policy-Report-Only",
        }
    }
}

/// What a report says was blocked.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Blocked {
    /// A network origin: `https://cdn.example.com:8443`.
    Origin(String),
    /// A scheme source: `data:`, `blob:`, `filesystem:`, `mediastream:`.
    Scheme(String),
    /// Inline script, style, event handler or style attribute.
    Inline,
    /// `eval()`, `new Function()`, `setTimeout("...")`.
    Eval,
    /// WebAssembly compiled at run time.
    WasmEval,
    /// A Trusted Types sink or policy.
    TrustedTypes(String),
    /// A plain-HTTP (or ws:) origin on an HTTPS page: mixed content.
    Insecure(String),
    /// Not the site's: a browser extension (`chrome-extension:`...), `about:`, unreadable.
    Noise(String),
}

impl Blocked {
    /// How the group is shown: the origin, the scheme, `inline`, ...
    pub fn label(&self) -> String {
        match self {
            Blocked::Origin(o) | Blocked::Insecure(o) => o.clone(),
            Blocked::Scheme(s) | Blocked::TrustedTypes(s) | Blocked::Noise(s) => s.clone(),
            Blocked::Inline => "inline".into(),
            Blocked::Eval => "eval".into(),
            Blocked::WasmEval => "wasm-eval".into(),
        }
    }

    /// `origin`, `scheme`, `inline`, `eval`, `wasm-eval`, `trusted-types`, `insecure`, `noise`.
    pub fn kind(&self) -> &'static str {
        match self {
            Blocked::Origin(_) => "origin",
            Blocked::Scheme(_) => "scheme",
            Blocked::Inline => "inline",
            Blocked::Eval => "eval",
            Blocked::WasmEval => "wasm-eval",
            Blocked::TrustedTypes(_) => "trusted-types",
            Blocked::Insecure(_) => "insecure",
            Blocked::Noise(_) => "noise",
        }
    }
}

/// Schemes of browser extensions and of the browser itself: never the site's.
pub static NOISE_SCHEMES: &[&str] = &[
    "chrome-extension",
    "moz-extension",
    "safari-extension",
    "safari-web-extension",
    "ms-browser-extension",
    "edge-extension",
    "chrome",
    "resource",
    "about",
    "view-source",
    "webkit-masked-url",
    "android-webview-video-poster",
];

/// Reports of the same disposition, directive and blocked thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Enforced or report-only.
    pub disposition: Disposition,
    /// The effective directive, as reported.
    pub directive: String,
    /// What was blocked.
    pub blocked: Blocked,
    /// How many reports.
    pub count: usize,
    /// The earliest report time (milliseconds since 1970), if any report has one.
    pub first_seen: Option<i64>,
    /// The latest.
    pub last_seen: Option<i64>,
    /// Up to three pages (without query or fragment) where it happened.
    pub pages: Vec<String>,
    /// Whether a page's own origin was blocked (then the source is `'self'`).
    pub same_origin: bool,
    /// Whether the pages were served over plain HTTP (a scheme-less host source then matches
    /// `http:` too).
    pub http_pages: bool,
    /// Up to three distinct samples of the blocked code.
    pub samples: Vec<String>,
}

/// How many example pages and samples a group keeps.
pub const EXAMPLES: usize = 3;

/// What to learn from.
#[derive(Clone, Debug, Default)]
pub struct LearnOptions {
    /// Keep only the reports of pages of this origin (`https://www.example.com`).
    pub site: Option<String>,
}

/// The reports, grouped.
#[derive(Clone, Debug, Default)]
pub struct Learned {
    /// Reports read.
    pub total: usize,
    /// Reports left out by `--site`.
    pub outside_site: usize,
    /// The groups: enforced first, then by directive, the most reported first.
    pub groups: Vec<Group>,
}

/// Groups reports.
pub fn learn(reports: &[Report], opts: &LearnOptions) -> Learned {
    let mut out = Learned {
        total: reports.len(),
        ..Learned::default()
    };
    let site = opts.site.as_deref().and_then(origin_of);
    let mut groups: BTreeMap<(Disposition, String, Blocked), Group> = BTreeMap::new();
    for r in reports {
        let page = origin_of(&r.document_uri);
        if site.is_some() && page != site {
            out.outside_site += 1;
            continue;
        }
        let disposition = if r.is_report_only() {
            Disposition::Report
        } else {
            Disposition::Enforce
        };
        let blocked = classify(r, page.as_deref());
        let directive = r.effective_directive.clone();
        let g = groups
            .entry((disposition, directive.clone(), blocked.clone()))
            .or_insert_with(|| Group {
                disposition,
                directive,
                blocked: blocked.clone(),
                count: 0,
                first_seen: None,
                last_seen: None,
                pages: Vec::new(),
                same_origin: false,
                http_pages: false,
                samples: Vec::new(),
            });
        g.count += 1;
        if let Some(t) = r.time_ms() {
            g.first_seen = Some(g.first_seen.map_or(t, |f| f.min(t)));
            g.last_seen = Some(g.last_seen.map_or(t, |l| l.max(t)));
        }
        let shown = strip_query(&r.document_uri);
        if !shown.is_empty() && g.pages.len() < EXAMPLES && !g.pages.iter().any(|p| p == shown) {
            g.pages.push(shown.to_owned());
        }
        if let Blocked::Origin(o) = &blocked {
            g.same_origin |= page.as_deref() == Some(o.as_str());
        }
        g.http_pages |= page.as_deref().is_some_and(|p| p.starts_with("http://"));
        if let Some(s) = &r.script_sample
            && g.samples.len() < EXAMPLES
            && !g.samples.contains(s)
        {
            g.samples.push(s.clone());
        }
    }
    out.groups = groups.into_values().collect();
    out.groups.sort_by(|a, b| {
        (
            a.disposition,
            rank(&a.blocked),
            &a.directive,
            std::cmp::Reverse(a.count),
        )
            .cmp(&(
                b.disposition,
                rank(&b.blocked),
                &b.directive,
                std::cmp::Reverse(b.count),
            ))
            .then_with(|| a.blocked.cmp(&b.blocked))
    });
    out
}

/// Sources first, then code to move, then noise.
fn rank(b: &Blocked) -> u8 {
    match b {
        Blocked::Origin(_) | Blocked::Scheme(_) => 0,
        Blocked::Inline | Blocked::Eval | Blocked::WasmEval | Blocked::TrustedTypes(_) => 1,
        Blocked::Insecure(_) => 2,
        Blocked::Noise(_) => 3,
    }
}

/// What a report's `blocked-uri` is; `page`: the origin of the page.
pub fn classify(r: &Report, page: Option<&str>) -> Blocked {
    let scheme_of = |u: &str| {
        u.split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    };
    // Code an extension injected is the extension's, whatever it loads.
    if let Some(s) = r.source_file.as_deref().and_then(scheme_of)
        && NOISE_SCHEMES.contains(&s.as_str())
        && s != "about"
    {
        return Blocked::Noise(format!("{s}:"));
    }
    let b = r.blocked_uri.trim();
    let lower = b.to_ascii_lowercase();
    match lower.as_str() {
        "inline" => return Blocked::Inline,
        // Safari sends an empty blocked-uri for inline code.
        "" if r.effective_directive.starts_with("script-src")
            || r.effective_directive.starts_with("style-src") =>
        {
            return Blocked::Inline;
        }
        "eval" => return Blocked::Eval,
        "wasm-eval" => return Blocked::WasmEval,
        "trusted-types-sink" | "trusted-types-policy" => return Blocked::TrustedTypes(lower),
        "data" | "blob" | "filesystem" | "mediastream" => {
            return Blocked::Scheme(format!("{lower}:"));
        }
        "self" => {
            return match page {
                Some(p) => Blocked::Origin(p.to_owned()),
                None => Blocked::Noise("self".into()),
            };
        }
        _ => {}
    }
    let Some(scheme) = scheme_of(b) else {
        // Chrome names an extension's resource by its scheme alone.
        if NOISE_SCHEMES.contains(&lower.as_str()) {
            return Blocked::Noise(format!("{lower}:"));
        }
        return Blocked::Noise(if b.is_empty() {
            "(empty)".into()
        } else {
            b.to_owned()
        });
    };
    if NOISE_SCHEMES.contains(&scheme.as_str()) {
        return Blocked::Noise(format!("{scheme}:"));
    }
    if matches!(
        scheme.as_str(),
        "data" | "blob" | "filesystem" | "mediastream"
    ) {
        return Blocked::Scheme(format!("{scheme}:"));
    }
    let Some(origin) = origin_of(b) else {
        return Blocked::Noise(format!("{scheme}:"));
    };
    if !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss") {
        return Blocked::Noise(format!("{scheme}:"));
    }
    let https_page = page.is_some_and(|p| p.starts_with("https://"));
    if https_page && (scheme == "http" || scheme == "ws") {
        return Blocked::Insecure(origin);
    }
    Blocked::Origin(origin)
}

/// What a group means for a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Add `source` to `directive`; `created_from`: the directive does not exist and starts from
    /// the sources of this one (`None` when it is created from nothing, which never happens:
    /// then the policy does not restrict it).
    Add {
        /// The directive to change.
        directive: String,
        /// The source to add: an origin, a scheme or `'self'`.
        source: String,
        /// Whether and from where the directive is created.
        created_from: Option<String>,
    },
    /// The policy already allows it (the reports came from an older policy).
    Allowed {
        /// The directive that allows it.
        directive: String,
    },
    /// No directive of the policy restricts it.
    Unrestricted,
    /// Not proposed: what to do instead.
    WayOut(String),
}

/// CSP3's fallback chain: where a directive takes its sources from when it is absent.
pub fn fallbacks(directive: &str) -> &'static [&'static str] {
    match directive {
        "script-src-elem" | "script-src-attr" => &["script-src", "default-src"],
        "style-src-elem" | "style-src-attr" => &["style-src", "default-src"],
        "worker-src" => &["child-src", "script-src", "default-src"],
        "frame-src" => &["child-src", "default-src"],
        "fenced-frame-src" => &["frame-src", "child-src", "default-src"],
        "script-src" | "style-src" | "img-src" | "font-src" | "connect-src" | "media-src"
        | "object-src" | "manifest-src" | "child-src" | "prefetch-src" => &["default-src"],
        _ => &[],
    }
}

fn is_script(directive: &str) -> bool {
    directive.starts_with("script-src") || directive == "worker-src"
}

fn values<'a>(policy: &'a [(String, Vec<String>)], name: &str) -> Option<&'a [String]> {
    policy
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

/// What `group` means for `policy`.
pub fn status(policy: &[(String, Vec<String>)], g: &Group) -> Status {
    let source = match &g.blocked {
        Blocked::Origin(_) if g.same_origin => "'self'".to_owned(),
        Blocked::Origin(o) => o.clone(),
        Blocked::Scheme(s)
            if g.directive.starts_with("script-src") || g.directive == "object-src" =>
        {
            return Status::WayOut(format!(
                "{s} for {} would let an injected URL run code: serve it from a file of an allowed origin",
                g.directive
            ));
        }
        Blocked::Scheme(s) => s.clone(),
        _ => return Status::WayOut(way_out(g)),
    };
    let d = g.directive.as_str();
    if d == "default-src" {
        return Status::WayOut(format!(
            "the browser names only default-src (older Safari does), so the kind of resource is unknown: add {source} by hand to the directive for its kind (img-src, style-src...)"
        ));
    }
    // The directive that governs it now: itself, or the first of its fallbacks.
    let governing = std::iter::once(d)
        .chain(fallbacks(d).iter().copied())
        .find_map(|n| values(policy, n).map(|v| (n, v)));
    let Some((gov_name, gov_values)) = governing else {
        return Status::Unrestricted;
    };
    if allows(gov_values, &g.blocked, g.same_origin, g.http_pages) {
        return Status::Allowed {
            directive: gov_name.to_owned(),
        };
    }
    // Where the source goes: the directive itself, or (for the -elem/-attr variants, which
    // older browsers do not know) script-src / style-src.
    let parent = match d {
        "script-src-elem" | "script-src-attr" => Some("script-src"),
        "style-src-elem" | "style-src-attr" => Some("style-src"),
        _ => None,
    };
    let (target, created_from) = if values(policy, d).is_some() {
        (d, None)
    } else if let Some(p) = parent.filter(|p| values(policy, p).is_some()) {
        (p, None)
    } else {
        (parent.unwrap_or(d), Some(gov_name.to_owned()))
    };
    let target_values = values(policy, target).unwrap_or(gov_values);
    if is_script(target)
        && target_values
            .iter()
            .any(|v| v.eq_ignore_ascii_case("'strict-dynamic'"))
    {
        return Status::WayOut(format!(
            "{target} has 'strict-dynamic': browsers ignore host sources there; load {source} from a script that carries the nonce (or whose hash is allowed)"
        ));
    }
    Status::Add {
        directive: target.to_owned(),
        source,
        created_from,
    }
}

/// The way out for what is never proposed.
pub fn way_out(g: &Group) -> String {
    let d = g.directive.as_str();
    match &g.blocked {
        Blocked::Inline if d.ends_with("-attr") => {
            let what = if d.starts_with("script") {
                "an inline event handler (onclick=...): attach it with addEventListener from a script file"
            } else {
                "a style attribute: move it to a class in a stylesheet"
            };
            format!("{what} ('unsafe-inline' is not proposed; a hash would also need 'unsafe-hashes')")
        }
        Blocked::Inline => {
            let parent = if d.starts_with("style") { "style-src" } else { "script-src" };
            let mut s = String::from("inline code: ");
            if g.samples.is_empty() {
                s.push_str(&format!(
                    "add 'report-sample' to {parent} to see it; then "
                ));
            }
            for sample in &g.samples {
                match sample_hash(sample) {
                    Some(h) => s.push_str(&format!(
                        "the sample {sample:?} is whole (under 40 characters): add {h} to {parent}; "
                    )),
                    None => s.push_str(&format!(
                        "the sample {sample:?} is cut at 40 characters, so no hash can be computed from it: hash the whole code from the page; "
                    )),
                }
            }
            s.push_str(&format!(
                "or give the element a nonce ('nonce-...' in {parent}, the same nonce on the tag, new on every response), or move the code to a file ('unsafe-inline' is not proposed)"
            ));
            s
        }
        Blocked::Eval => "eval(), new Function() or setTimeout/setInterval with a string: replace it with code (JSON.parse for data) ('unsafe-eval' is not proposed)".into(),
        Blocked::WasmEval => "WebAssembly compiled at run time: 'wasm-unsafe-eval' in script-src allows exactly this and not JavaScript eval; add it by hand if the module is yours ('unsafe-eval' is not proposed)".into(),
        Blocked::TrustedTypes(t) => format!("a Trusted Types violation ({t}): pass the sink a value from a Trusted Types policy, or allow the policy's name in trusted-types"),
        Blocked::Insecure(o) => format!("{o} over plain HTTP from an HTTPS page (mixed content, which browsers block anyway): load it over https and learn again"),
        Blocked::Noise(n) if NOISE_SCHEMES.iter().any(|s| n.trim_end_matches(':') == *s) => {
            "a browser extension or the browser itself, not the site: nothing to change".into()
        }
        Blocked::Noise(_) => "not a resource the site can allow: nothing to change".into(),
        Blocked::Origin(_) | Blocked::Scheme(_) => String::new(),
    }
}

/// `'sha256-…'` of a sample, when it is the whole code: reports cut samples at 40 characters
/// (UTF-16 code units), so one that long may be a prefix and its hash would match nothing.
pub fn sample_hash(sample: &str) -> Option<String> {
    if sample.encode_utf16().count() >= 40 {
        return None;
    }
    Some(sha256_source(sample))
}

/// The CSP hash source of a text: `'sha256-` base64(SHA-256(UTF-8 bytes)) `'`.
pub fn sha256_source(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// One directive to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The directive.
    pub directive: String,
    /// Sources to add, in report order.
    pub add: Vec<String>,
    /// `Some(name)`: the directive is new and starts from `name`'s sources ([`Change::base`]).
    pub created_from: Option<String>,
    /// The inherited sources a new directive starts from (`'none'` left out).
    pub base: Vec<String>,
}

/// The smallest change to one policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proposal {
    /// The policy as it is.
    pub before: Vec<(String, Vec<String>)>,
    /// The policy with the changes.
    pub after: Vec<(String, Vec<String>)>,
    /// The changes, one per directive, in the order they are made.
    pub changes: Vec<Change>,
}

impl Proposal {
    /// Whether anything changes.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The smallest change to `policy` that allows what the groups of `disposition` blocked.
pub fn propose(
    policy: &[(String, Vec<String>)],
    learned: &Learned,
    disposition: Disposition,
) -> Proposal {
    let mut changes: Vec<Change> = Vec::new();
    for g in learned
        .groups
        .iter()
        .filter(|g| g.disposition == disposition)
    {
        let Status::Add {
            directive,
            source,
            created_from,
        } = status(policy, g)
        else {
            continue;
        };
        let i = match changes.iter().position(|c| c.directive == directive) {
            Some(i) => i,
            None => {
                let base = created_from
                    .as_deref()
                    .and_then(|f| values(policy, f))
                    .unwrap_or(&[])
                    .iter()
                    .filter(|v| !v.eq_ignore_ascii_case("'none'"))
                    .cloned()
                    .collect();
                changes.push(Change {
                    directive,
                    add: Vec::new(),
                    created_from,
                    base,
                });
                changes.len() - 1
            }
        };
        let c = &mut changes[i];
        if !c.add.contains(&source) && !c.base.contains(&source) {
            c.add.push(source);
        }
    }
    changes.retain(|c| !c.add.is_empty());
    Proposal {
        before: policy.to_vec(),
        after: apply(policy, &changes),
        changes,
    }
}

/// A policy with changes made: sources appended (`'none'` dropped), new directives at the end.
pub fn apply(policy: &[(String, Vec<String>)], changes: &[Change]) -> Vec<(String, Vec<String>)> {
    let mut after = policy.to_vec();
    for c in changes {
        match after.iter_mut().find(|(n, _)| *n == c.directive) {
            Some((_, v)) => {
                v.retain(|s| !s.eq_ignore_ascii_case("'none'"));
                v.extend(c.add.iter().cloned());
            }
            None => {
                let mut v = c.base.clone();
                v.extend(c.add.iter().cloned());
                after.push((c.directive.clone(), v));
            }
        }
    }
    after
}

/// The most frequent `original-policy` of the reports of a disposition (the policy to change
/// when no profile is given).
pub fn reported_policy(reports: &[Report], disposition: Disposition) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in reports {
        let d = if r.is_report_only() {
            Disposition::Report
        } else {
            Disposition::Enforce
        };
        if d == disposition
            && let Some(p) = r
                .original_policy
                .as_deref()
                .filter(|p| !p.trim().is_empty())
        {
            *counts.entry(p).or_default() += 1;
        }
    }
    let max = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|&(_, n)| n == max)
        .map(|(p, _)| p.to_owned())
}

/// The dispositions present among the groups.
pub fn dispositions(learned: &Learned) -> BTreeSet<Disposition> {
    learned.groups.iter().map(|g| g.disposition).collect()
}

mod sources;
#[cfg(test)]
mod tests;

pub use sources::allows;
