//! Microsoft's own XDT fixtures (dotnet/xdt's tests, in ../shared/conformance/xdt): each
//! `X_source.xml` + `X_transform.xml` must give `X_destination.bsl` (compared canonically: the
//! minimal edit keeps more of the source's formatting than the engine), and the warnings and
//! errors of `X.log` at the same lines, columns and severities. Then the two Web.*.config
//! transforms of the engine's own tests.

mod support;

use webxsl::apply::{ApplyError, ApplyOptions, apply_transforms};
use webxsl::diag::Severity;
use webxsl::xdt::{XdtError, XdtTransform};
use webxsl::xml::{Document, Limits};

fn fixture(name: &str) -> Vec<u8> {
    let p = support::shared().join("conformance/xdt").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn ours(messages: &[XdtError]) -> Vec<(u32, u32, Severity)> {
    messages
        .iter()
        .map(|m| {
            let p = m.pos.expect("every message of the fixtures has a position");
            (p.line, p.col, m.severity)
        })
        .collect()
}

/// Runs fixture `name`: Ok(new text) or Err(messages), with the transform's load warnings first.
fn run(name: &str) -> (Result<String, ()>, Vec<XdtError>) {
    let t = XdtTransform::parse(
        &fixture(&format!("{name}_transform.xml")),
        "transform.config",
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut messages = t.warnings().to_vec();
    let r = apply_transforms(
        &[&t],
        &fixture(&format!("{name}_source.xml")),
        &ApplyOptions {
            // Engine semantics here; the 500.19 guard is tests/guard.rs's.
            allow_broken: true,
            ..ApplyOptions::default()
        },
    );
    match r {
        Ok(a) => {
            messages.extend(a.warnings);
            (Ok(a.new_text), messages)
        }
        Err(ApplyError::Xdt(e)) => {
            messages.extend(e.0);
            (Err(()), messages)
        }
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn every_fixture_gives_the_expected_destination_and_messages() {
    let dir = support::shared().join("conformance/xdt");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix("_transform.xml").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "AttributeFormatting",
            "EdgeCase",
            "TagFormatting",
            "WarningsAndErrors"
        ],
        "the fixtures in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for name in &names {
        let (result, messages) = run(name);
        // Microsoft spells one log file `.Log`.
        let log = ["log", "Log"]
            .iter()
            .find_map(|ext| std::fs::read(dir.join(format!("{name}.{ext}"))).ok())
            .unwrap_or_else(|| panic!("{name}: no log"));
        let expected_messages = support::xdt_log_positions(&String::from_utf8_lossy(&log));
        if ours(&messages) != expected_messages {
            failures.push(format!(
                "{name}: messages\n  ours:     {:?}\n  expected: {expected_messages:?}\n{}",
                ours(&messages),
                messages
                    .iter()
                    .map(|m| format!("  {m}\n"))
                    .collect::<String>()
            ));
        }
        let bsl = dir.join(format!("{name}_destination.bsl"));
        match (result, std::fs::read(&bsl)) {
            (Ok(text), Ok(expected)) => {
                let a = support::canonical_content(text.as_bytes());
                let b = support::canonical_content(&expected);
                if a.is_none() || a != b {
                    failures.push(format!(
                        "{name}: destination differs\n  ours:     {a:?}\n  expected: {b:?}"
                    ));
                }
            }
            (Err(()), Err(_)) => {}
            (Ok(_), Err(_)) => failures.push(format!("{name}: succeeded, the engine fails")),
            (Err(()), Ok(_)) => failures.push(format!("{name}: failed, the engine succeeds")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn web_config(transform: &str) -> (String, String) {
    let t = XdtTransform::parse(&fixture(transform), transform, &Limits::default()).unwrap();
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    let input = fixture("Web.config");
    let out = apply_transforms(&[&t], &input, &ApplyOptions::default()).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    (out.old_text, out.new_text)
}

#[test]
fn web_release_config_removes_debug_and_nothing_else() {
    let (old, new) = web_config("Web.Release.config");
    assert_eq!(
        new,
        old.replace("<compilation debug=\"true\">", "<compilation>")
    );
}

#[test]
fn web_test_config_comments_the_setting_out() {
    let (old, new) = web_config("Web.Test.config");
    let entry = "<add key=\"keyAppSettings1\" value=\"This key will be commented out.\" />";
    assert!(old.contains(entry));
    assert_eq!(new, old.replace(entry, &format!("<!-- {entry} -->")));
    let doc = Document::parse_str(&new, &Limits::default()).unwrap();
    let t = doc.tree();
    assert!(
        !t.descendants(t.root())
            .any(|n| t.attribute_value(n, "", "key") == Some("keyAppSettings1"))
    );
}
