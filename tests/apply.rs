//! `apply`: minimal edits that have the content of the stylesheet's output.

mod support;

use webxsl::apply::{ApplyOptions, apply_stylesheet, apply_stylesheet_owned};
use webxsl::xslt::Stylesheet;

const IDENTITY: &str = r#"<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>"#;

fn sheet(templates: &str) -> Stylesheet {
    let xsl = format!(
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">{IDENTITY}{templates}</xsl:stylesheet>"#
    );
    Stylesheet::from_str(&xsl, None).unwrap()
}

fn apply(templates: &str, input: &str) -> String {
    let out = apply_stylesheet(
        &sheet(templates),
        input.as_bytes(),
        &ApplyOptions::default(),
    )
    .unwrap();
    assert!(out.fallback.is_none(), "fell back: {:?}", out.fallback);
    out.new_text
}

/// The `-`/`+` lines of a unified diff (what code review sees).
fn changed_lines(old: &str, new: &str) -> Vec<String> {
    webxsl::diff::unified(old, new, "a", "b", false)
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn factory_template_on_every_sample_matches_xsltproc_and_only_adds_lines() {
    let xsl_path = support::root().join("templates/factory-configuration.xsl");
    let sheet = Stylesheet::from_file(&xsl_path).unwrap();
    let allow = ApplyOptions {
        allow_broken: true,
        ..ApplyOptions::default()
    };
    for sample in support::samples() {
        let input = std::fs::read(&sample).unwrap();
        // The classic template appends its headers whatever is there: on configs that already
        // send one of them, IIS would answer 500.19, and apply refuses (tests/guard.rs).
        let guarded = apply_stylesheet(&sheet, &input, &ApplyOptions::default());
        let name = sample
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let expect_refusal = ["clear-and-remove", "existing-xfo"].contains(&name.as_ref());
        assert_eq!(
            matches!(guarded, Err(webxsl::apply::ApplyError::BreaksIis(_))),
            expect_refusal,
            "{name}"
        );
        let out = apply_stylesheet(&sheet, &input, &allow).unwrap();
        assert!(
            out.fallback.is_none(),
            "{}: {:?}",
            sample.display(),
            out.fallback
        );
        // Same content as xsltproc's output, formatting aside.
        let theirs = support::run_xsltproc(&xsl_path, &sample, &[]);
        let ours = support::canonical_content(&out.bytes);
        assert!(
            ours.is_some(),
            "{}: the output does not parse",
            sample.display()
        );
        assert_eq!(
            ours,
            support::canonical_content(&theirs),
            "{}",
            sample.display()
        );
        // The diff only adds lines, except for expanding <customHeaders />.
        for l in changed_lines(&out.old_text, &out.new_text) {
            let allowed =
                l.starts_with('+') || l.trim_start_matches('-').trim() == "<customHeaders />";
            assert!(allowed, "{}: unexpected diff line {l:?}", sample.display());
        }
        let has_target = out.old_text.contains("<customHeaders")
            && !out.old_text.contains("<location")
            && !out.old_text.contains(".NetConfiguration");
        assert_eq!(out.changed, has_target, "{}", sample.display());
    }
}

#[test]
fn a_no_op_stylesheet_changes_no_byte_of_any_sample() {
    let s = sheet("");
    for sample in support::samples() {
        let input = std::fs::read(&sample).unwrap();
        let out = apply_stylesheet(&s, &input, &ApplyOptions::default()).unwrap();
        assert!(!out.changed, "{}", sample.display());
        assert!(out.bytes == input, "{}", sample.display());
    }
}

#[test]
fn the_faithful_option_writes_the_stylesheet_serialization() {
    let input = "<configuration>\n  <a x='1'/>\n</configuration>";
    let opts = ApplyOptions {
        faithful: true,
        ..ApplyOptions::default()
    };
    let out = apply_stylesheet(&sheet(""), input.as_bytes(), &opts).unwrap();
    assert_eq!(
        out.new_text,
        "<?xml version=\"1.0\"?>\n<configuration>\n  <a x=\"1\"/>\n</configuration>\n"
    );
}

#[test]
fn attribute_changes_additions_and_removals() {
    let input = "<configuration>\n  <system.web>\n    <compilation debug=\"true\" targetFramework='4.8' batch=\"false\" />\n  </system.web>\n</configuration>\n";
    let out = apply(
        r#"<xsl:template match="compilation"><xsl:copy><xsl:attribute name="debug">false</xsl:attribute><xsl:copy-of select="@targetFramework"/><xsl:attribute name="tempDirectory">C:\tmp</xsl:attribute></xsl:copy></xsl:template>"#,
        input,
    );
    assert_eq!(
        out,
        "<configuration>\n  <system.web>\n    <compilation debug=\"false\" targetFramework='4.8' tempDirectory=\"C:\\tmp\" />\n  </system.web>\n</configuration>\n"
    );
}

#[test]
fn new_attributes_follow_a_one_per_line_layout() {
    let input = "<c>\n  <add name=\"a\"\n       value=\"1\" />\n</c>";
    let out = apply(
        r#"<xsl:template match="add"><xsl:copy><xsl:copy-of select="@*"/><xsl:attribute name="lockItem">true</xsl:attribute></xsl:copy></xsl:template>"#,
        input,
    );
    assert_eq!(
        out,
        "<c>\n  <add name=\"a\"\n       value=\"1\"\n       lockItem=\"true\" />\n</c>"
    );
}

#[test]
fn deleting_an_element_removes_its_line() {
    let input = "<c>\r\n  <customHeaders>\r\n    <add name=\"X-Powered-By\" value=\"ASP.NET\" />\r\n    <add name=\"X-A\" value=\"1\" />\r\n  </customHeaders>\r\n</c>\r\n";
    let out = apply(
        r#"<xsl:template match="add[@name='X-Powered-By']"/>"#,
        input,
    );
    assert_eq!(
        out,
        "<c>\r\n  <customHeaders>\r\n    <add name=\"X-A\" value=\"1\" />\r\n  </customHeaders>\r\n</c>\r\n"
    );
    assert_eq!(
        changed_lines(input, &out),
        vec!["-    <add name=\"X-Powered-By\" value=\"ASP.NET\" />"]
    );
}

#[test]
fn a_changed_value_is_an_attribute_edit_not_a_new_element() {
    let input = "<c>\n  <customHeaders>\n    <add name=\"X-Frame-Options\" value=\"DENY\" />\n  </customHeaders>\n</c>";
    let out = apply(
        r#"<xsl:template match="add[@name='X-Frame-Options']/@value"><xsl:attribute name="value">SAMEORIGIN</xsl:attribute></xsl:template>"#,
        input,
    );
    assert_eq!(out, input.replace("DENY", "SAMEORIGIN"));
}

#[test]
fn missing_parents_are_created_with_their_children_on_their_own_lines() {
    let input = "<configuration>\n\t<system.webServer>\n\t\t<handlers />\n\t</system.webServer>\n</configuration>\n";
    let out = apply(
        r#"<xsl:template match="system.webServer[not(httpProtocol)]"><xsl:copy><xsl:apply-templates select="@*|node()"/><httpProtocol><customHeaders><add name="X-Frame-Options" value="DENY"/></customHeaders></httpProtocol></xsl:copy></xsl:template>"#,
        input,
    );
    assert_eq!(
        out,
        "<configuration>\n\t<system.webServer>\n\t\t<handlers />\n\t\t<httpProtocol>\n\t\t\t<customHeaders>\n\t\t\t\t<add name=\"X-Frame-Options\" value=\"DENY\" />\n\t\t\t</customHeaders>\n\t\t</httpProtocol>\n\t</system.webServer>\n</configuration>\n"
    );
}

#[test]
fn inserting_into_an_empty_parent_and_an_inline_parent() {
    let out = apply(
        r#"<xsl:template match="h"><xsl:copy><x/></xsl:copy></xsl:template>"#,
        "<c>\n  <h></h>\n</c>",
    );
    assert_eq!(out, "<c>\n  <h>\n    <x />\n  </h>\n</c>");
    let out = apply(
        r#"<xsl:template match="h"><xsl:copy><xsl:apply-templates/><x/></xsl:copy></xsl:template>"#,
        "<c><h><y/></h></c>",
    );
    assert_eq!(out, "<c><h><y/><x/></h></c>");
}

#[test]
fn new_elements_in_a_default_namespace_need_no_declaration() {
    let input = "<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\">\n  <customHeaders>\n    <clear />\n  </customHeaders>\n</configuration>";
    let xsl = format!(
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:c="http://schemas.microsoft.com/.NetConfiguration/v2.0">{IDENTITY}
        <xsl:template match="c:customHeaders"><xsl:copy><xsl:apply-templates select="@*|node()"/><xsl:element name="add" namespace="{{namespace-uri(..)}}"><xsl:attribute name="name">A</xsl:attribute></xsl:element><add name="B"/></xsl:copy></xsl:template></xsl:stylesheet>"#
    );
    let s = Stylesheet::from_str(&xsl, None).unwrap();
    let out = apply_stylesheet(&s, input.as_bytes(), &ApplyOptions::default()).unwrap();
    // The literal <add name="B"/> is in no namespace: it must say so.
    assert_eq!(
        out.new_text,
        "<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\">\n  <customHeaders>\n    <clear />\n    <add name=\"A\" />\n    <add xmlns=\"\" name=\"B\" />\n  </customHeaders>\n</configuration>"
    );
}

#[test]
fn text_changes_keep_the_surrounding_white_space() {
    let out = apply(
        r#"<xsl:template match="v/text()">new &amp; improved</xsl:template>"#,
        "<c>\n  <v>\n    old\n  </v>\n</c>",
    );
    assert_eq!(out, "<c>\n  <v>\n    new &amp; improved\n  </v>\n</c>");
}

#[test]
fn non_ascii_in_new_content_is_escaped_when_the_encoding_cannot_hold_it() {
    let input = "<?xml version=\"1.0\" encoding=\"us-ascii\"?>\n<c>\n  <h />\n</c>";
    let out = apply_stylesheet(
        &sheet(r#"<xsl:template match="h"><h v="Zürich €"/></xsl:template>"#),
        input.as_bytes(),
        &ApplyOptions::default(),
    )
    .unwrap();
    assert_eq!(out.bytes, b"<?xml version=\"1.0\" encoding=\"us-ascii\"?>\n<c>\n  <h v=\"Z&#xFC;rich &#x20AC;\" />\n</c>");
}

#[test]
fn results_that_are_not_edits_fall_back_to_the_faithful_output() {
    let input = "<configuration><a/></configuration>";
    let other_root = apply_stylesheet(
        &sheet(r#"<xsl:template match="/"><other/></xsl:template>"#),
        input.as_bytes(),
        &ApplyOptions::default(),
    )
    .unwrap();
    assert!(
        other_root
            .fallback
            .as_deref()
            .unwrap()
            .contains("root element <other>"),
        "{:?}",
        other_root.fallback
    );
    assert_eq!(other_root.new_text, "<?xml version=\"1.0\"?>\n<other/>\n");
    let text = Stylesheet::from_str(
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output method="text"/><xsl:template match="/">hi</xsl:template></xsl:stylesheet>"#,
        None,
    )
    .unwrap();
    let out = apply_stylesheet(&text, input.as_bytes(), &ApplyOptions::default()).unwrap();
    assert_eq!(out.new_text, "hi");
    assert!(out.fallback.unwrap().contains("method is text"));
}

#[test]
fn utf16_and_bom_are_kept() {
    let mut input = vec![0xFF, 0xFE];
    for u in "<c>\r\n  <h>\r\n  </h>\r\n</c>".encode_utf16() {
        input.extend_from_slice(&u.to_le_bytes());
    }
    let out = apply_stylesheet(
        &sheet(r#"<xsl:template match="h"><xsl:copy><x/></xsl:copy></xsl:template>"#),
        &input,
        &ApplyOptions::default(),
    )
    .unwrap();
    let mut expected = vec![0xFF, 0xFE];
    for u in "<c>\r\n  <h>\r\n    <x />\r\n  </h>\r\n</c>".encode_utf16() {
        expected.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(out.bytes, expected);
}

#[test]
fn a_removed_attribute_takes_its_own_white_space_and_the_rest_keeps_its_layout() {
    let strip = |attr: &str| format!(r#"<xsl:template match="add/@{attr}"/>"#);
    // The first attribute: what follows moves up next to the element name.
    let out = apply(
        &strip("name"),
        "<c>\n  <add  name=\"a\"   value=\"1\" />\n</c>",
    );
    assert_eq!(out, "<c>\n  <add  value=\"1\" />\n</c>");
    let out = apply(
        &strip("name"),
        "<c>\n  <add  name=\"a\"\n       value=\"1\" />\n</c>",
    );
    assert_eq!(out, "<c>\n  <add  value=\"1\" />\n</c>");
    // A middle one: its neighbours keep their spacing.
    let out = apply(
        &strip("value"),
        "<c>\n  <add name=\"a\"   value=\"1\"    lock=\"x\" />\n</c>",
    );
    assert_eq!(out, "<c>\n  <add name=\"a\"    lock=\"x\" />\n</c>");
    // One that starts a line: what followed it on that line takes its place.
    let out = apply(
        &strip("value"),
        "<c>\n  <add name=\"a\"\n       value=\"1\"  lock=\"x\" />\n</c>",
    );
    assert_eq!(out, "<c>\n  <add name=\"a\"\n       lock=\"x\" />\n</c>");
}

#[test]
fn new_attributes_join_a_line_shared_by_several_attributes() {
    let out = apply(
        r#"<xsl:template match="add"><xsl:copy><xsl:copy-of select="@*"/><xsl:attribute name="lock">x</xsl:attribute></xsl:copy></xsl:template>"#,
        "<c>\r\n  <add name=\"a\" type=\"t\"\r\n       value=\"1\" />\r\n</c>",
    );
    assert_eq!(
        out,
        "<c>\r\n  <add name=\"a\" type=\"t\"\r\n       value=\"1\" lock=\"x\" />\r\n</c>"
    );
    // One attribute per line, with CRLF line ends: the new one gets a CRLF line of its own.
    let out = apply(
        r#"<xsl:template match="add"><xsl:copy><xsl:copy-of select="@*"/><xsl:attribute name="lock">x</xsl:attribute></xsl:copy></xsl:template>"#,
        "<c>\r\n  <add name=\"a\"\r\n       value=\"1\" />\r\n</c>",
    );
    assert_eq!(
        out,
        "<c>\r\n  <add name=\"a\"\r\n       value=\"1\"\r\n       lock=\"x\" />\r\n</c>"
    );
}

#[test]
fn a_deleted_element_sharing_its_line_leaves_the_neighbour_in_its_place() {
    let out = apply(
        r#"<xsl:template match="add[@key='a']"/>"#,
        "<c>\n    <add key=\"a\"/>    <add key=\"b\"/>\n</c>",
    );
    assert_eq!(out, "<c>\n    <add key=\"b\"/>\n</c>");
    let out = apply(
        r#"<xsl:template match="add[@key='b']"/>"#,
        "<c>\n    <add key=\"a\"/>    <add key=\"b\"/>\n</c>",
    );
    assert_eq!(out, "<c>\n    <add key=\"a\"/>\n</c>");
}

#[test]
fn a_new_first_child_does_not_share_the_line_of_the_old_one() {
    let out = apply(
        r#"<xsl:template match="h"><xsl:copy><x/><xsl:apply-templates/></xsl:copy></xsl:template>"#,
        "<c>\n  <h><y/>\n    <z/>\n  </h>\n</c>",
    );
    assert_eq!(
        out,
        "<c>\n  <h>\n    <x/>\n    <y/>\n    <z/>\n  </h>\n</c>"
    );
}

#[test]
fn new_children_of_an_empty_element_take_the_local_indentation_step() {
    // Three spaces a level here, whatever the rest of the file does.
    let out = apply(
        r#"<xsl:template match="h"><xsl:copy><x><y/></x></xsl:copy></xsl:template>"#,
        "<c>\n  <a>\n    <b/>\n  </a>\n  <g>\n     <h/>\n  </g>\n</c>",
    );
    assert_eq!(
        out,
        "<c>\n  <a>\n    <b/>\n  </a>\n  <g>\n     <h>\n        <x>\n           <y/>\n        </x>\n     </h>\n  </g>\n</c>"
    );
}

#[test]
fn deleting_neighbours_on_one_line_removes_the_line() {
    let out = apply(
        r#"<xsl:template match="add"/>"#,
        "<c>\n  <k/>\n    <add key=\"a\"/> <add key=\"b\"/>\n</c>",
    );
    assert_eq!(out, "<c>\n  <k/>\n</c>");
}

#[test]
fn skipping_the_texts_writes_the_same_bytes() {
    let xfo = r#"<xsl:template match="customHeaders"><xsl:copy><xsl:apply-templates select="@*|node()"/><add name="X-Frame-Options" value="DENY"/></xsl:copy></xsl:template>"#;
    let s = sheet(xfo);
    let inputs = [
        // UTF-8 (the buffer is reused), with a BOM (copied), UTF-16, and one the stylesheet
        // breaks (a second X-Frame-Options, located in the result's text).
        "<configuration>\r\n  <customHeaders>\r\n    <add name='A' value='1' />\r\n  </customHeaders>\r\n</configuration>".as_bytes().to_vec(),
        "\u{feff}<configuration>\n  <customHeaders />\n</configuration>\n".as_bytes().to_vec(),
        {
            let mut b = vec![0xFF, 0xFE];
            for u in "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<configuration>\n  <customHeaders>\n  </customHeaders>\n</configuration>\n".encode_utf16() {
                b.extend_from_slice(&u.to_le_bytes());
            }
            b
        },
        "<configuration>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name='X-Frame-Options' value='SAMEORIGIN' />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n</configuration>\n".as_bytes().to_vec(),
    ];
    for (k, input) in inputs.iter().enumerate() {
        let run = |skip_texts: bool| {
            apply_stylesheet(
                &s,
                input,
                &ApplyOptions {
                    skip_texts,
                    allow_broken: true,
                    ..ApplyOptions::default()
                },
            )
            .unwrap()
        };
        let (full, lean) = (run(false), run(true));
        assert_eq!(lean.bytes, full.bytes);
        assert_eq!(lean.changed, full.changed);
        assert_eq!(lean.broken_allowed, full.broken_allowed);
        assert_eq!(lean.broken_allowed.is_empty(), k != 3, "input {k}");
        assert!(full.changed && !full.new_text.is_empty() && !full.old_text.is_empty());
        assert!(lean.old_text.is_empty() && lean.new_text.is_empty());
    }
}

/// A stylesheet as given, and the same with its identity templates spelled out as two
/// `xsl:apply-templates`: the same transformation, but not the exact form whose subtrees the
/// engine copies whole without running the template on each node.
fn with_and_without_whole_copies(xsl: &str) -> (Stylesheet, Stylesheet) {
    let plain = r#"<xsl:apply-templates select="@*|node()"/>"#;
    assert!(xsl.contains(plain), "no identity template to spell out");
    let spelled = xsl.replace(
        plain,
        r#"<xsl:apply-templates select="@*"/><xsl:apply-templates select="node()"/>"#,
    );
    (
        Stylesheet::from_str(xsl, None).unwrap(),
        Stylesheet::from_str(&spelled, None).unwrap(),
    )
}

#[test]
fn copying_untouched_subtrees_whole_gives_the_same_results() {
    let mut sheets = vec![(
        "factory-configuration.xsl".to_owned(),
        std::fs::read_to_string(support::root().join("templates/factory-configuration.xsl"))
            .unwrap(),
    )];
    for name in webxsl::profile::presets::NAMES {
        let profile = webxsl::profile::load(name).unwrap();
        sheets.push((format!("preset {name}"), webxsl::generate::xsl(&profile)));
    }
    let mut copied = 0;
    for (what, xsl) in &sheets {
        let (whole, each) = with_and_without_whole_copies(xsl);
        for path in support::samples() {
            let input = std::fs::read(&path).unwrap();
            let ctx = format!("{what} on {}", path.display());
            let doc = webxsl::xml::Document::parse(&input, &Default::default()).unwrap();
            let opts = Default::default();
            let (a, b) = (
                whole.transform(doc.tree(), &opts).unwrap(),
                each.transform(doc.tree(), &opts).unwrap(),
            );
            assert!(b.copies.is_empty(), "{ctx}: copies without the plain form");
            copied += a.copies.len();
            assert_eq!(
                webxsl::xslt::serialize(&a.tree, &a.output).unwrap(),
                webxsl::xslt::serialize(&b.tree, &b.output).unwrap(),
                "{ctx}: results differ"
            );
            // Every copy is one of its source element, name for name.
            for &(r, s) in &a.copies {
                assert_eq!(a.tree.local_name(r), doc.tree().local_name(s), "{ctx}");
                assert_eq!(
                    a.tree.descendants(r).count(),
                    doc.tree().descendants(s).count(),
                    "{ctx}"
                );
            }
            let run = |sheet: &Stylesheet| {
                let out = apply_stylesheet(sheet, &input, &ApplyOptions::default());
                out.map(|o| (o.bytes, o.fallback))
                    .map_err(|e| e.to_string())
            };
            assert_eq!(run(&whole), run(&each), "{ctx}: apply differs");
        }
    }
    // The shortcut was really taken (a test that cannot fail is a defect).
    assert!(copied > 50, "only {copied} subtrees copied whole");
}

/// Giving up the input (UTF-8 parsed without a copy, compared with the output as text) changes
/// nothing: the same bytes and the same `changed`, in every encoding, with and without a BOM.
#[test]
fn owned_input_gives_what_borrowed_input_gives() {
    let adds = sheet(
        r#"<xsl:template match="customHeaders"><xsl:copy><xsl:apply-templates select="@*|node()"/><add name="X-Frame-Options" value="DENY"/></xsl:copy></xsl:template>"#,
    );
    let no_op = sheet("");
    let text = "<configuration>\r\n  <customHeaders>\r\n    <add name='A' value='é' />\r\n  </customHeaders>\r\n</configuration>\r\n";
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let latin1: Vec<u8> = format!("<?xml version='1.0' encoding='iso-8859-1'?>\n{text}")
        .chars()
        .map(|c| c as u8)
        .collect();
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("utf-8", text.as_bytes().to_vec()),
        (
            "utf-8 with a BOM",
            [&[0xEF, 0xBB, 0xBF], text.as_bytes()].concat(),
        ),
        ("utf-16le", utf16le),
        ("latin-1", latin1),
    ];
    let opts = ApplyOptions {
        skip_texts: true,
        ..ApplyOptions::default()
    };
    for (what, input) in inputs {
        for (sheet, changes) in [(&adds, true), (&no_op, false)] {
            let borrowed = apply_stylesheet(sheet, &input, &opts).unwrap();
            let owned = apply_stylesheet_owned(sheet, input.clone(), &opts).unwrap();
            assert_eq!(owned.bytes, borrowed.bytes, "{what}");
            assert_eq!(owned.changed, changes, "{what}");
            assert_eq!(borrowed.changed, changes, "{what}");
            if !changes {
                assert_eq!(owned.bytes, input, "{what}: a no-op keeps every byte");
            }
        }
    }
    // Bad input is refused the same way.
    let bad = b"<configuration><a></configuration>".to_vec();
    assert_eq!(
        apply_stylesheet_owned(&no_op, bad.clone(), &opts).unwrap_err(),
        apply_stylesheet(&no_op, &bad, &opts).unwrap_err()
    );
}
