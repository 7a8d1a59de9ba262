//! Properties of the whole job on generated web.configs (line endings, indentation, quotes,
//! comments, missing sections, `<location>`s, headers already present): a no-op stylesheet
//! changes nothing; applying a profile twice equals applying it once; every output re-parses;
//! the diff reports exactly the edits made; an XDT transform without verbs changes nothing, and
//! `InsertIfMissing` transforms and the generated XDT template applied twice equal once.
//! (Parsing round trips are in `xml_lossless.rs`.)

use proptest::prelude::*;
use webxsl::apply::{ApplyOptions, apply_profile, apply_stylesheet, apply_transforms};
use webxsl::diff::header_changes;
use webxsl::model::CollectionKind;
use webxsl::profile;
use webxsl::xdt::XdtTransform;
use webxsl::xml::{Document, Limits};
use webxsl::xslt::Stylesheet;

const NAMES: &[&str] = &[
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
    "X-Powered-By",
    "Cache-Control",
];

const VALUES: &[&str] = &[
    "DENY",
    "nosniff",
    "no-referrer",
    "max-age=31536000",
    "ASP.NET",
    "a & b 'c' \"d\"",
];

#[derive(Clone, Debug)]
struct Config {
    crlf: bool,
    indent: &'static str,
    bom: bool,
    double_quotes: bool,
    comment: bool,
    /// 0: no system.webServer; 1: no httpProtocol; 2: no customHeaders; 3: empty
    /// `<customHeaders />`; 4: with headers.
    depth: u8,
    headers: Vec<(usize, usize)>,
    locations: Vec<(String, Vec<(usize, usize)>)>,
}

fn config() -> impl Strategy<Value = Config> {
    let headers = || prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 0..4);
    (
        any::<bool>(),
        prop::sample::select(vec!["  ", "    ", "\t"]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..5,
        headers(),
        prop::collection::vec(("[a-z]{1,8}", headers()), 0..3),
    )
        .prop_map(
            |(crlf, indent, bom, double_quotes, comment, depth, headers, locations)| {
                // One entry per name in a collection: duplicates are invalid input for IIS.
                let dedup = |mut h: Vec<(usize, usize)>| {
                    let mut seen = Vec::new();
                    h.retain(|(n, _)| {
                        let new = !seen.contains(n);
                        seen.push(*n);
                        new
                    });
                    h
                };
                Config {
                    crlf,
                    indent,
                    bom,
                    double_quotes,
                    comment,
                    depth,
                    headers: dedup(headers),
                    locations: {
                        let mut paths = Vec::new();
                        locations
                            .into_iter()
                            .filter(|(p, _)| {
                                let new = !paths.contains(p);
                                paths.push(p.clone());
                                new
                            })
                            .map(|(p, h)| (p, dedup(h)))
                            .collect()
                    },
                }
            },
        )
}

fn render(c: &Config) -> Vec<u8> {
    let nl = if c.crlf { "\r\n" } else { "\n" };
    let q = if c.double_quotes { '"' } else { '\'' };
    let i = |n: usize| c.indent.repeat(n);
    let esc = |v: &str| {
        v.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;")
    };
    let collection = |out: &mut String, level: usize, headers: &[(usize, usize)], depth: u8| {
        if depth == 0 {
            return;
        }
        out.push_str(&format!("{}<system.webServer>{nl}", i(level)));
        if depth >= 2 {
            out.push_str(&format!("{}<httpProtocol>{nl}", i(level + 1)));
            if depth == 3 {
                out.push_str(&format!("{}<customHeaders />{nl}", i(level + 2)));
            } else if depth == 4 {
                out.push_str(&format!("{}<customHeaders>{nl}", i(level + 2)));
                for &(n, v) in headers {
                    out.push_str(&format!(
                        "{}<add name={q}{}{q} value={q}{}{q} />{nl}",
                        i(level + 3),
                        NAMES[n],
                        esc(VALUES[v])
                    ));
                }
                out.push_str(&format!("{}</customHeaders>{nl}", i(level + 2)));
            }
            out.push_str(&format!("{}</httpProtocol>{nl}", i(level + 1)));
        }
        out.push_str(&format!("{}</system.webServer>{nl}", i(level)));
    };
    let mut s = String::new();
    s.push_str(&format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{nl}"));
    if c.comment {
        s.push_str(&format!("<!-- generated: keep -->{nl}"));
    }
    s.push_str(&format!("<configuration>{nl}"));
    s.push_str(&format!(
        "{}<appSettings>{nl}{}<add key={q}k{q} value={q}v{q} />{nl}{}</appSettings>{nl}",
        i(1),
        i(2),
        i(1)
    ));
    collection(&mut s, 1, &c.headers, c.depth);
    for (path, headers) in &c.locations {
        s.push_str(&format!("{}<location path={q}{path}{q}>{nl}", i(1)));
        collection(&mut s, 2, headers, 4);
        s.push_str(&format!("{}</location>{nl}", i(1)));
    }
    s.push_str(&format!("</configuration>{nl}"));
    let mut bytes = Vec::new();
    if c.bom {
        bytes.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
    }
    bytes.extend_from_slice(s.as_bytes());
    bytes
}

const IDENTITY: &str = r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="yes"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
</xsl:stylesheet>"#;

/// A profile setting `headers` (name index, value index) in the application only.
fn profile_text(headers: &[(usize, usize)]) -> String {
    let mut t =
        String::from("name = \"prop\"\nremove-inherited = false\nlocations = false\n[headers]\n");
    let mut seen = Vec::new();
    for &(n, v) in headers {
        // The first of a name wins: a profile names a header once.
        if !seen.contains(&n) {
            seen.push(n);
            t.push_str(&format!("{} = {:?}\n", NAMES[n], VALUES[v]));
        }
    }
    t
}

/// Apply options for these properties. The generated configs send headers from `<location>`s
/// and profiles may set X-Powered-By (a server default): results IIS would refuse, which apply's
/// guard stops (tests/guard.rs). The properties here are about edits, so they let them through.
fn opts() -> ApplyOptions {
    ApplyOptions {
        allow_broken: true,
        ..ApplyOptions::default()
    }
}

const XDT_NS: &str = "http://schemas.microsoft.com/XML-Document-Transform";

/// An XDT transform down to `customHeaders`, with `leaf` for each header.
fn xdt_text(headers: &[(usize, usize)], leaf: &str) -> String {
    let mut t = format!(
        "<configuration xmlns:xdt=\"{XDT_NS}\">\n <system.webServer xdt:Transform=\"InsertIfMissing\">\n  <httpProtocol xdt:Transform=\"InsertIfMissing\">\n   <customHeaders xdt:Transform=\"InsertIfMissing\">\n"
    );
    for &(n, v) in headers {
        t.push_str(&format!(
            "    <add name=\"{}\" value=\"{}\" {leaf}/>\n",
            NAMES[n],
            VALUES[v].replace('&', "&amp;").replace('"', "&quot;")
        ));
    }
    t.push_str("   </customHeaders>\n  </httpProtocol>\n </system.webServer>\n</configuration>\n");
    t
}

fn xdt_twice(t: &XdtTransform, input: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let once = apply_transforms(&[t], input, &opts()).unwrap();
    reparses(&once.bytes);
    let twice = apply_transforms(&[t], &once.bytes, &opts()).unwrap();
    (once.bytes, twice.bytes)
}

fn reparses(bytes: &[u8]) -> Document {
    Document::parse(bytes, &Limits::default()).unwrap_or_else(|e| {
        panic!(
            "the output does not re-parse: {e}\n{}",
            String::from_utf8_lossy(bytes)
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_no_op_stylesheet_is_a_no_op(c in config()) {
        let input = render(&c);
        let sheet = Stylesheet::from_str(IDENTITY, None).unwrap();
        let out = apply_stylesheet(&sheet, &input, &opts()).unwrap();
        prop_assert!(!out.changed);
        prop_assert_eq!(out.bytes, input);
    }

    #[test]
    fn a_profile_twice_is_the_profile_once_and_the_output_reparses(
        c in config(),
        set in prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 1..4),
        locations in any::<bool>(),
    ) {
        let input = render(&c);
        let mut text = profile_text(&set);
        if locations {
            text = text.replace("locations = false", "locations = true");
        }
        let p = profile::parse(&text, false, None).unwrap();
        let once = apply_profile(&p, &input, &opts()).unwrap();
        reparses(&once.bytes);
        let twice = apply_profile(&p, &once.bytes, &opts()).unwrap();
        prop_assert!(!twice.changed, "{}", String::from_utf8_lossy(&twice.bytes));
        prop_assert_eq!(twice.bytes, once.bytes);
    }

    #[test]
    fn the_diff_reports_exactly_the_edits_made(
        c in config(),
        set in prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 1..4),
    ) {
        let input = render(&c);
        let p = profile::parse(&profile_text(&set), false, None).unwrap();
        let out = apply_profile(&p, &input, &opts()).unwrap();
        let old = reparses(&input);
        let new = reparses(&out.bytes);
        let changes = header_changes(old.tree(), new.tree());
        // What the profile had to do in the application's top-level collection.
        let before: Vec<(&str, &str)> = if c.depth == 4 {
            c.headers.iter().map(|&(n, v)| (NAMES[n], VALUES[v])).collect()
        } else {
            Vec::new()
        };
        let mut want_added = Vec::new();
        let mut want_changed = Vec::new();
        for h in &p.headers {
            let value = h.value.render();
            match before.iter().find(|(n, _)| n.eq_ignore_ascii_case(&h.name)) {
                None => want_added.push((h.name.clone(), value)),
                Some((_, v)) if *v != value => want_changed.push((h.name.clone(), v.to_string(), value)),
                Some(_) => {}
            }
        }
        let top: Vec<_> = changes.iter().filter(|ch| ch.location.is_none()).collect();
        // A `<location>` that adds a header the profile now sets for the application gets a
        // `<remove>` first (otherwise IIS sees the name twice: HTTP 500.19); nothing else there.
        for (path, headers) in &c.locations {
            let mut want: Vec<String> = p
                .headers
                .iter()
                .filter(|h| headers.iter().any(|&(n, _)| NAMES[n].eq_ignore_ascii_case(&h.name)))
                .map(|h| h.name.clone())
                .collect();
            want.sort();
            let got = changes.iter().find(|ch| ch.location.as_deref() == Some(path.as_str()));
            match got {
                None => prop_assert!(want.is_empty(), "{path}: expected removes of {want:?}: {changes:?}"),
                Some(ch) => {
                    let mut names = ch.now_removed.clone();
                    names.sort();
                    prop_assert_eq!(&names, &want, "{}", path);
                    prop_assert!(ch.added.is_empty() && ch.removed.is_empty() && ch.changed.is_empty(), "{:?}", ch);
                }
            }
        }
        prop_assert!(
            changes.iter().all(|ch| ch.location.is_none() || c.locations.iter().any(|(p, _)| ch.location.as_deref() == Some(p.as_str()))),
            "{:?}", changes
        );
        if want_added.is_empty() && want_changed.is_empty() {
            prop_assert!(top.is_empty(), "{:?}", top);
            prop_assert_eq!(out.changed, changes.iter().any(|ch| ch.location.is_some()));
            return Ok(());
        }
        prop_assert_eq!(top.len(), 1, "{:?}", changes);
        let ch = top[0];
        prop_assert_eq!(ch.collection, CollectionKind::CustomHeaders);
        let mut added: Vec<_> = ch.added.iter().map(|h| (h.name.clone(), h.value.clone())).collect();
        let mut changed: Vec<_> = ch.changed.iter().map(|h| (h.name.clone(), h.old.clone(), h.new.clone())).collect();
        added.sort();
        changed.sort();
        want_added.sort();
        want_changed.sort();
        prop_assert_eq!(added, want_added);
        prop_assert_eq!(changed, want_changed);
        prop_assert!(ch.removed.is_empty() && ch.now_removed.is_empty() && ch.no_longer_removed.is_empty(), "{:?}", ch);
        // And textually: what was not edited is still there, line for line, in order.
        let old_text = String::from_utf8_lossy(&input).into_owned();
        let new_text = String::from_utf8_lossy(&out.bytes).into_owned();
        let diff = similar::TextDiff::from_lines(&old_text, &new_text);
        // (A changed value replaces its line; a created section replaces a self-closing or a
        // closing tag; nothing else is removed.)
        let removed_lines: Vec<_> = diff
            .iter_all_changes()
            .filter(|l| l.tag() == similar::ChangeTag::Delete)
            .map(|l| l.value().to_owned())
            .collect();
        for l in &removed_lines {
            prop_assert!(
                l.contains("<add name=") || l.contains("<customHeaders />") || l.trim_end().ends_with("</system.webServer>") || l.trim_end().ends_with("</httpProtocol>") || l.trim_end().ends_with("</configuration>"),
                "unexpected removed line {:?}", l
            );
        }
    }

    #[test]
    fn an_xdt_transform_without_verbs_is_a_no_op(
        c in config(),
        set in prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 0..4),
    ) {
        let input = render(&c);
        // Locators everywhere, no xdt:Transform: nothing to do.
        let text = xdt_text(&set, "xdt:Locator=\"Match(name)\"")
            .replace(" xdt:Transform=\"InsertIfMissing\"", "");
        let t = XdtTransform::from_str(&text, "t").unwrap();
        let out = apply_transforms(&[&t], &input, &opts()).unwrap();
        prop_assert!(!out.changed);
        prop_assert_eq!(out.bytes, input);
    }

    #[test]
    fn insert_if_missing_twice_is_once(
        c in config(),
        set in prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 1..4),
    ) {
        let input = render(&c);
        let text = xdt_text(&set, "xdt:Transform=\"InsertIfMissing\" xdt:Locator=\"Match(name)\"");
        let t = XdtTransform::from_str(&text, "t").unwrap();
        let (once, twice) = xdt_twice(&t, &input);
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn the_generated_xdt_template_twice_is_once(
        c in config(),
        set in prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 1..4),
    ) {
        let input = render(&c);
        let p = profile::parse(&profile_text(&set), false, None).unwrap();
        let t = XdtTransform::from_str(&webxsl::generate::xdt(&p), "generated.xdt").unwrap();
        let (once, twice) = xdt_twice(&t, &input);
        prop_assert_eq!(twice, once);
    }
}
