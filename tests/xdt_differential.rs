//! webxsl's XDT engine against Microsoft's (Microsoft.Web.XmlTransform from Debian's
//! libnuget-core-cil, run by Mono through tests/xdt-oracle, built by scripts/setup): on every
//! sample, hand-written transforms that use every transform and locator, the transforms
//! `webxsl generate --format xdt` writes for each preset, and generated random transforms.
//! Both must succeed or fail together; when they succeed, the results must be canonically equal
//! (the engine reformats what it touches, webxsl keeps the file's layout) and the warnings
//! must sit at the same lines and columns.
//!
//! Seed of the random transforms: `WEBXSL_DIFF_SEED` (default fixed, so failures reproduce).

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::Rng;
use webxsl::apply::{ApplyError, ApplyOptions, apply_profile, apply_transforms};
use webxsl::diag::Severity;
use webxsl::xdt::{XdtError, XdtTransform};
use webxsl::xml::{Document, Limits, NodeId, NodeKind, Tree};

const NS: &str = "http://schemas.microsoft.com/XML-Document-Transform";

/// One comparison: a source and a transform file.
struct Case {
    source: PathBuf,
    transform: PathBuf,
}

/// What one engine made of a case.
#[derive(Debug)]
enum Outcome {
    /// The result's canonical content, and the positioned messages as (line, col, severity).
    Ok(String, BTreeSet<(u32, u32, Severity)>),
    /// An error was reported.
    Failed,
    /// webxsl refused to write a broken header (its header guard; the engine has none).
    Refused,
}

fn oracle() -> (PathBuf, PathBuf) {
    let exe = support::root().join("target/xdt-oracle/XdtOracle.exe");
    assert!(
        exe.is_file(),
        "the XDT oracle {} is missing: run `bash scripts/setup` (it installs Mono and Debian's \
         build of Microsoft's XDT engine, and builds the driver)",
        exe.display()
    );
    let mono = std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("mono"))
                .find(|p| p.is_file())
        })
        .expect("mono is required by the XDT differential test: run `bash scripts/setup`");
    (mono, exe)
}

/// Canonical content; the engine's writer turns `" />"` into `"/>"` even inside comments.
fn canonical(bytes: &[u8]) -> String {
    support::canonical_content(bytes)
        .expect("a result that parses")
        .replace(" />", "/>")
}

/// Runs every case through the oracle, in one Mono process.
fn run_oracle(cases: &[Case], dir: &Path) -> Vec<Outcome> {
    let (mono, exe) = oracle();
    let mut child = Command::new(mono)
        .arg(&exe)
        .arg("--batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the XDT oracle");
    let mut jobs = String::new();
    for (i, c) in cases.iter().enumerate() {
        writeln!(
            jobs,
            "{}\t{}\t{}\t{}",
            dir.join(format!("oracle-{i}.out")).display(),
            dir.join(format!("oracle-{i}.log")).display(),
            c.source.display(),
            c.transform.display()
        )
        .unwrap();
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(jobs.as_bytes()));
    let statuses: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .collect();
    writer.join().unwrap().unwrap();
    assert!(child.wait().unwrap().success(), "the oracle failed");
    assert_eq!(
        statuses.len(),
        cases.len(),
        "one status a case: {statuses:?}"
    );
    statuses
        .iter()
        .enumerate()
        .map(|(i, status)| match status.as_str() {
            "ok" => {
                let out = std::fs::read(dir.join(format!("oracle-{i}.out"))).unwrap();
                let log = std::fs::read_to_string(dir.join(format!("oracle-{i}.log"))).unwrap();
                Outcome::Ok(
                    canonical(&out),
                    support::xdt_log_positions(&log).into_iter().collect(),
                )
            }
            "failed" => Outcome::Failed,
            other => panic!(
                "the oracle could not run {} on {}: {other}",
                cases[i].transform.display(),
                cases[i].source.display()
            ),
        })
        .collect()
}

fn positions(messages: &[XdtError]) -> BTreeSet<(u32, u32, Severity)> {
    messages
        .iter()
        .filter_map(|m| m.pos.map(|p| (p.line, p.col, m.severity)))
        .collect()
}

fn run_ours(c: &Case) -> Outcome {
    let t = match XdtTransform::parse(
        &std::fs::read(&c.transform).unwrap(),
        "t",
        &Limits::default(),
    ) {
        Ok(t) => t,
        Err(_) => return Outcome::Failed,
    };
    match apply_transforms(
        &[&t],
        &std::fs::read(&c.source).unwrap(),
        &ApplyOptions {
            // Engine semantics here; the 500.19 guard is tests/guard.rs's.
            allow_broken: true,
            ..ApplyOptions::default()
        },
    ) {
        Ok(a) => {
            let mut messages = t.warnings().to_vec();
            messages.extend(a.warnings);
            Outcome::Ok(canonical(&a.bytes), positions(&messages))
        }
        Err(ApplyError::Xdt(_)) => Outcome::Failed,
        Err(ApplyError::UnsafeHeader { .. }) => Outcome::Refused,
        Err(e) => panic!("{} on {}: {e}", c.transform.display(), c.source.display()),
    }
}

/// The positions of the elements whose transform is `RemoveAll`: webxsl does not warn when
/// such an element (under an existing parent) matches nothing, the engine does.
fn remove_all_elements(transform: &Path) -> BTreeSet<(u32, u32)> {
    let doc = Document::parse(&std::fs::read(transform).unwrap(), &Limits::default()).unwrap();
    let t = doc.tree();
    t.descendants(NodeId::ROOT)
        .filter(|&n| {
            t.kind(n) == NodeKind::Element
                && t.attribute_value(n, NS, "Transform").map(str::trim) == Some("RemoveAll")
        })
        .map(|n| {
            let p = doc.pos(t.span(n).start + 1);
            (p.line, p.col)
        })
        .collect()
}

/// Compares both engines on every case; returns the mismatches.
fn compare(cases: &[Case], dir: &Path) -> (usize, Vec<String>) {
    let theirs = run_oracle(cases, dir);
    let mut failures = Vec::new();
    let mut succeeded = 0;
    for (c, theirs) in cases.iter().zip(theirs) {
        let ours = run_ours(c);
        let what = format!("{} on {}", c.transform.display(), c.source.display());
        match (ours, theirs) {
            (Outcome::Ok(a, am), Outcome::Ok(b, bm)) => {
                succeeded += 1;
                if a != b {
                    failures.push(format!(
                        "{what}: results differ\n  ours:   {a}\n  engine: {b}"
                    ));
                }
                let quiet = remove_all_elements(&c.transform);
                let bm: BTreeSet<_> = bm
                    .into_iter()
                    .filter(|(l, col, s)| !(*s == Severity::Warning && quiet.contains(&(*l, *col))))
                    .collect();
                if am != bm {
                    failures.push(format!(
                        "{what}: messages differ\n  ours:   {am:?}\n  engine: {bm:?}"
                    ));
                }
            }
            (Outcome::Failed, Outcome::Failed) | (Outcome::Refused, Outcome::Ok(..)) => {}
            (a, b) => failures.push(format!(
                "{what}: ours {}, the engine's {}",
                kind(&a),
                kind(&b)
            )),
        }
    }
    (succeeded, failures)
}

fn kind(o: &Outcome) -> &'static str {
    match o {
        Outcome::Ok(..) => "succeeded",
        Outcome::Failed => "failed",
        Outcome::Refused => "refused a broken header",
    }
}

fn write_transform(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

/// Transforms of the kinds users write, each exercising transforms and locators.
const TRANSFORMS: &[&str] = &[
    // SetAttributes with Match, RemoveAttributes, Replace with content, Insert.
    r#"<system.web>
    <compilation xdt:Transform="RemoveAttributes(debug)"/>
    <customErrors mode="On" xdt:Transform="Replace"><error statusCode="404" redirect="/404"/></customErrors>
    <httpCookies requireSSL="true" xdt:Transform="SetAttributes(requireSSL)"/>
  </system.web>
  <appSettings>
    <add key="webpages:Enabled" value="true" xdt:Transform="SetAttributes" xdt:Locator="Match(key)"/>
    <add key="Environment" value="Production" xdt:Transform="Insert"/>
  </appSettings>"#,
    // InsertIfMissing chains, RemoveAll + Insert with Match(name), the generator's idiom.
    r#"<system.webServer xdt:Transform="InsertIfMissing">
    <httpProtocol xdt:Transform="InsertIfMissing">
      <customHeaders xdt:Transform="InsertIfMissing">
        <add name="X-Frame-Options" xdt:Transform="RemoveAll" xdt:Locator="Match(name)"/>
        <add name="X-Frame-Options" value="DENY" xdt:Transform="Insert"/>
        <add name="X-Powered-By" xdt:Transform="Remove" xdt:Locator="Match(name)"/>
      </customHeaders>
    </httpProtocol>
  </system.webServer>"#,
    // Condition and XPath locators, InsertBefore/InsertAfter, SetTokenizedAttributes.
    r#"<system.webServer>
    <httpProtocol>
      <customHeaders>
        <add value="changed" xdt:Transform="SetAttributes(value)" xdt:Locator="Condition(starts-with(@name, 'X-') or @name='Strict-Transport-Security')"/>
        <add name="A-First" value="1" xdt:Transform="InsertBefore(/configuration/system.webServer/httpProtocol/customHeaders/*[1])"/>
        <add name="Z-Last" value="2" xdt:Transform="InsertAfter(*[last()])"/>
      </customHeaders>
    </httpProtocol>
  </system.webServer>
  <connectionStrings>
    <add connectionString="$(name);$(providerName);$(missing)" xdt:Transform="SetTokenizedAttributes(connectionString)" xdt:Locator="Condition(@name)"/>
  </connectionStrings>
  <nowhere>
    <handlers xdt:Locator="XPath(/configuration/system.webServer/handlers)" xdt:Transform="RemoveAll"/>
  </nowhere>"#,
    // Locations: a Match on the location, a relative XPath, warnings for multiple targets.
    r#"<location path="." xdt:Locator="Match(path)">
    <system.webServer>
      <httpProtocol xdt:Transform="InsertIfMissing"/>
      <httpProtocol xdt:Locator="XPath(./customHeaders)">
        <add name="X-Location" value="1" xdt:Transform="Insert"/>
      </httpProtocol>
    </system.webServer>
  </location>
  <location xdt:Transform="Remove"/>
  <system.webServer><httpProtocol><customHeaders><add xdt:Transform="Replace" name="Only" value="1"/></customHeaders></httpProtocol></system.webServer>"#,
    // Mistakes: unknown transform, missing Insert parent, bad arguments.
    r#"<system.web xdt:Transform="Replce"/>"#,
    r#"<nothing><here><add xdt:Transform="Insert"/></here></nothing>"#,
    r#"<appSettings><add xdt:Transform="InsertAfter(add[@key='none'])"/></appSettings>"#,
    r#"<system.web><compilation xdt:Transform="Replace(foo)" debug="false"/><nothing xdt:Transform="Remove"/></system.web>"#,
];

fn cases_of(dir: &Path, name: &str, root_open: &str, bodies: &[&str]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let t = write_transform(
            dir,
            &format!("{name}-{i}.config"),
            &format!("<?xml version=\"1.0\"?>\n{root_open}\n  {body}\n</configuration>\n"),
        );
        for s in support::samples() {
            cases.push(Case {
                source: s,
                transform: t.clone(),
            });
        }
    }
    cases
}

#[test]
fn hand_written_and_generated_transforms_on_every_sample() {
    let dir = support::temp_dir("xdt-diff");
    let mut cases = cases_of(
        &dir,
        "hand",
        &format!("<configuration xmlns:xdt=\"{NS}\">"),
        TRANSFORMS,
    );
    // The same in the .NetConfiguration namespace (only the default-namespace sample matches).
    cases.extend(cases_of(
        &dir,
        "hand-ns",
        &format!(
            "<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\" xmlns:xdt=\"{NS}\">"
        ),
        &TRANSFORMS[..2],
    ));
    for name in webxsl::profile::presets::NAMES {
        let p = webxsl::profile::presets::get(name).unwrap();
        let t = write_transform(&dir, &format!("{name}.xdt"), &webxsl::generate::xdt(&p));
        for s in support::samples() {
            cases.push(Case {
                source: s,
                transform: t.clone(),
            });
        }
    }
    let (succeeded, failures) = compare(&cases, &dir);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        succeeded >= 80,
        "only {succeeded} of {} cases succeeded on both sides",
        cases.len()
    );
}

/// The elements of a tree in document order, with their depth.
fn elements(t: &Tree) -> Vec<NodeId> {
    t.descendants(NodeId::ROOT)
        .filter(|&n| t.kind(n) == NodeKind::Element)
        .collect()
}

fn esc(s: &str) -> String {
    support::attr_escape(s).replace('>', "&gt;")
}

/// An attribute value that may need escaping, or break a Match (an apostrophe).
fn value(rng: &mut Rng) -> String {
    let pieces = [
        "a", "b", "1", " ", "x-y", "&", "<", "\"", "'", "é", "$(name)", "$(key)",
    ];
    (0..1 + rng.below(3))
        .map(|_| rng.pick(&pieces).to_string())
        .collect()
}

/// A random transform for a document: a few operations, each a path of transform elements
/// from the root down to an element of the document, with locators here and there.
fn random_transform(rng: &mut Rng, t: &Tree) -> String {
    let els = elements(t);
    let root = els[0];
    let mut body = String::new();
    for _ in 0..1 + rng.below(3) {
        let target = *rng.pick(&els);
        let mut chain: Vec<NodeId> = t
            .ancestors(target)
            .filter(|&a| t.kind(a) == NodeKind::Element)
            .collect();
        chain.reverse();
        chain.push(target);
        // chain[0] is the root: the transform's own root stands for it.
        let mut open = String::new();
        let mut close = String::new();
        let inner = &chain[1..];
        for (depth, &el) in inner.iter().enumerate() {
            let last = depth + 1 == inner.len();
            let name = t.qualified_name(el).into_owned();
            let attrs: Vec<(String, String)> = t
                .attributes(el)
                .filter(|&a| t.namespace_uri(a).is_empty())
                .map(|a| (t.local_name(a).to_owned(), t.value(a).to_owned()))
                .collect();
            let mut tag = format!("<{name}");
            let mut locator = String::new();
            // The attribute a Match copies onto the element (not to be written twice).
            let mut matched: Option<String> = None;
            match rng.below(10) {
                0 | 1 if !attrs.is_empty() => {
                    let (k, v) = rng.pick(&attrs).clone();
                    write!(tag, " {k}=\"{}\"", esc(&v)).unwrap();
                    locator = format!("Match({k})");
                    matched = Some(k);
                }
                2 if !attrs.is_empty() => {
                    let (k, v) = rng.pick(&attrs).clone();
                    if !v.contains('\'') {
                        locator = format!("Condition(@{k}='{}')", esc(&v));
                    }
                }
                3 => locator = format!("Condition({})", 1 + rng.below(2)),
                4 if last => {
                    let path: Vec<String> =
                        chain.iter().map(|&e| t.local_name(e).to_owned()).collect();
                    if t.namespace_uri(root).is_empty() {
                        locator = format!("XPath(/{})", path.join("/"));
                    }
                }
                _ => {}
            }
            if !locator.is_empty() {
                write!(tag, " xdt:Locator=\"{locator}\"").unwrap();
            }
            if last {
                let names: Vec<String> = attrs.iter().map(|(k, _)| k.clone()).collect();
                let some_names = |rng: &mut Rng| -> String {
                    let mut v: Vec<String> = (0..1 + rng.below(2))
                        .map(|_| {
                            if names.is_empty() || rng.chance(20) {
                                "nosuch".to_owned()
                            } else {
                                rng.pick(&names).clone()
                            }
                        })
                        .collect();
                    v.sort();
                    v.dedup();
                    v.join(",")
                };
                // Attribute names to set, and those attributes with new values (not the one a
                // Match already wrote).
                let setting = |rng: &mut Rng| {
                    let n = some_names(rng);
                    let sets: String = n
                        .split(',')
                        .filter(|k| matched.as_deref() != Some(*k))
                        .map(|k| format!(" {k}=\"{}\"", esc(&value(rng))))
                        .collect();
                    (n, sets)
                };
                let (verb, extra, child) = match rng.below(11) {
                    0 => {
                        let (n, sets) = setting(rng);
                        (format!("SetAttributes({n})"), sets, None)
                    }
                    1 => (
                        "SetAttributes".to_owned(),
                        format!(" v=\"{}\"", esc(&value(rng))),
                        None,
                    ),
                    2 => (
                        format!("RemoveAttributes({})", some_names(rng)),
                        String::new(),
                        None,
                    ),
                    3 => (
                        "Replace".to_owned(),
                        format!(" r=\"{}\"", esc(&value(rng))),
                        Some("<kid k=\"1\"/>"),
                    ),
                    4 => ("Remove".to_owned(), String::new(), None),
                    5 => ("RemoveAll".to_owned(), String::new(), None),
                    6 => {
                        let (n, sets) = setting(rng);
                        (format!("SetTokenizedAttributes({n})"), sets, None)
                    }
                    // Inserting transforms write a new child under the target instead.
                    7 => ("Insert".to_owned(), String::new(), None),
                    8 => ("InsertIfMissing".to_owned(), String::new(), None),
                    9 => ("InsertBefore".to_owned(), String::new(), None),
                    _ => ("InsertAfter".to_owned(), String::new(), None),
                };
                if verb.starts_with("Insert") {
                    tag.push('>');
                    let kid = if rng.chance(50) {
                        "add".to_owned()
                    } else {
                        format!("new{}", rng.below(3))
                    };
                    let sibling = match verb.as_str() {
                        "InsertBefore" | "InsertAfter" => {
                            let kids: Vec<String> = t
                                .element_children(el)
                                .map(|c| t.qualified_name(c).into_owned())
                                .collect();
                            let s = if kids.is_empty() || rng.chance(15) {
                                "nosuch".to_owned()
                            } else {
                                rng.pick(&kids).clone()
                            };
                            format!("({s}[{}])", 1 + rng.below(2))
                        }
                        _ => String::new(),
                    };
                    write!(
                        tag,
                        "<{kid} key=\"{}\" xdt:Transform=\"{verb}{sibling}\"/>",
                        esc(&value(rng))
                    )
                    .unwrap();
                    open.push_str(&tag);
                    close = format!("</{name}>{close}");
                } else {
                    write!(tag, "{extra} xdt:Transform=\"{verb}\"").unwrap();
                    match child {
                        Some(c) => {
                            write!(tag, ">{c}</{name}>").unwrap();
                        }
                        None => tag.push_str("/>"),
                    }
                    open.push_str(&tag);
                }
            } else {
                tag.push('>');
                open.push_str(&tag);
                close = format!("</{name}>{close}");
            }
        }
        body.push_str(&open);
        body.push_str(&close);
        body.push('\n');
    }
    let ns = t.namespace_uri(root);
    let default_ns = if ns.is_empty() {
        String::new()
    } else {
        format!(" xmlns=\"{ns}\"")
    };
    format!(
        "<{}{default_ns} xmlns:xdt=\"{NS}\">\n{body}</{}>\n",
        t.qualified_name(root),
        t.qualified_name(root)
    )
}

#[test]
fn generated_transforms_agree_with_the_engine() {
    let seed: u64 = std::env::var("WEBXSL_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261201);
    let dir = support::temp_dir("xdt-random");
    let mut rng = Rng::new(seed);
    let mut cases = Vec::new();
    for s in support::samples() {
        let doc = Document::parse(&std::fs::read(&s).unwrap(), &Limits::default()).unwrap();
        let per_sample: usize = std::env::var("WEBXSL_XDT_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(24);
        for i in 0..per_sample {
            let name = s
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let p = write_transform(
                &dir,
                &format!("{name}-{i}.config"),
                &random_transform(&mut rng, doc.tree()),
            );
            cases.push(Case {
                source: s.clone(),
                transform: p,
            });
        }
    }
    let (succeeded, failures) = compare(&cases, &dir);
    eprintln!(
        "seed {seed}: {succeeded} of {} cases succeeded on both sides",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "seed {seed}: {} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        succeeded * 2 >= cases.len(),
        "seed {seed}: only {succeeded} of {} succeeded",
        cases.len()
    );
}

/// What IIS sends for a config: the application's headers, sorted.
fn sent(bytes: &[u8]) -> Vec<(String, String)> {
    let mut h = webxsl::validate::validate("web.config", bytes, &Default::default()).headers;
    h.sort();
    h
}

/// Canonical content where the order of header entries does not count: the XDT template
/// removes and inserts every entry it manages (so they move to the end), the XSL template
/// edits them in place.
fn canonical_any_header_order(bytes: &[u8]) -> String {
    fn canon(t: &Tree, n: NodeId) -> String {
        let mut parts: Vec<String> = Vec::new();
        for c in t.children(n) {
            match t.kind(c) {
                NodeKind::Element => {
                    let mut attrs: Vec<String> = t
                        .attributes(c)
                        .map(|a| {
                            format!(
                                "{{{}}}{}={:?}",
                                t.namespace_uri(a),
                                t.local_name(a),
                                t.value(a)
                            )
                        })
                        .collect();
                    attrs.sort();
                    parts.push(format!(
                        "<{{{}}}{} {}>{}</>",
                        t.namespace_uri(c),
                        t.local_name(c),
                        attrs.join(" "),
                        canon(t, c)
                    ));
                }
                NodeKind::Text if !t.value(c).trim().is_empty() => {
                    parts.push(format!("{:?}", t.value(c).trim()))
                }
                NodeKind::Comment => parts.push(format!("<!--{}-->", t.value(c))),
                _ => {}
            }
        }
        if t.kind(n) == NodeKind::Element && t.local_name(n) == "customHeaders" {
            parts.sort();
        }
        parts.concat()
    }
    let doc = Document::parse(bytes, &Limits::default()).expect("a result that parses");
    canon(doc.tree(), NodeId::ROOT)
}

/// Where the README says the XDT template cannot do what the XSL one does: a namespaced
/// `<configuration>`, a system.webServer that lives in `<location path=".">`, headers in other
/// `<location>`s (the XSL template gives them a `<remove>` first), and a `<clear/>` (after
/// which the XSL template writes no `<remove>`).
fn beyond_xdt(t: &Tree) -> Option<&'static str> {
    let root = t.root_element().unwrap();
    let named = |n: NodeId, name: &str| t.kind(n) == NodeKind::Element && t.local_name(n) == name;
    if !t.namespace_uri(root).is_empty() {
        return Some("namespaced <configuration>");
    }
    for n in t.descendants(root).filter(|&n| named(n, "location")) {
        let dot = t
            .attribute_value(n, "", "path")
            .is_none_or(|p| p.trim() == "." || p.trim().is_empty());
        if dot && t.element_children(n).any(|c| named(c, "system.webServer")) {
            return Some("system.webServer in <location path=\".\">");
        }
        if !dot && t.descendants(n).any(|c| named(c, "customHeaders")) {
            return Some("headers in another <location>");
        }
    }
    if t.descendants(root).any(|n| named(n, "clear")) {
        return Some("a <clear/>");
    }
    None
}

#[test]
fn the_generated_xdt_gives_what_the_profile_gives() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for name in webxsl::profile::presets::NAMES {
        let p = webxsl::profile::presets::get(name).unwrap();
        let t = XdtTransform::from_str(&webxsl::generate::xdt(&p), "generated.xdt").unwrap();
        for s in support::samples() {
            let input = std::fs::read(&s).unwrap();
            let doc = Document::parse(&input, &Limits::default()).unwrap();
            let why = beyond_xdt(doc.tree());
            if matches!(
                why,
                Some("namespaced <configuration>" | "system.webServer in <location path=\".\">")
            ) {
                continue;
            }
            let xdt = apply_transforms(&[&t], &input, &ApplyOptions::default())
                .unwrap_or_else(|e| panic!("{name} on {}: {e}", s.display()));
            let xsl = apply_profile(&p, &input, &ApplyOptions::default()).unwrap();
            // Wherever the template can work: the same headers reach the browser.
            if sent(&xdt.bytes) != sent(&xsl.bytes) {
                failures.push(format!(
                    "{name} on {}: headers\n  xdt: {:?}\n  xsl: {:?}",
                    s.display(),
                    sent(&xdt.bytes),
                    sent(&xsl.bytes)
                ));
            }
            // Where XDT can express the change: the same document.
            if why.is_none() {
                compared += 1;
                let (a, b) = (
                    canonical_any_header_order(&xdt.bytes),
                    canonical_any_header_order(&xsl.bytes),
                );
                if a != b {
                    failures.push(format!(
                        "{name} on {}: content\n  xdt: {a}\n  xsl: {b}",
                        s.display()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared >= 30, "only {compared} compared");
}
