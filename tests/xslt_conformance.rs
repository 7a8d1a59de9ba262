//! libxslt's own XSLT 1.0 test suite (`../shared/conformance/libxslt/{REC,general}`), run
//! through webxsl.
//!
//! A case is `NAME.xsl` applied to `NAME.xml` with libxslt's parameters `test='passed_value'`
//! and `test2='passed_value2'`. The expected output is `NAME.out` (empty when absent); `NAME.err`
//! holds libxslt's messages, and a case whose `.err` says "no result" or "compilation error"
//! expects a failure. Outputs are compared as canonical XML (expanded names, attributes sorted,
//! namespace declarations ignored), text output exactly, HTML output as text.
//!
//! `tests/conformance/known-failures.txt` lists, one per line, the cases webxsl does not pass
//! and why. The test fails when an unlisted case fails *or a listed case passes*, so the list
//! only shrinks. Set `WEBXSL_CONFORMANCE_REPORT=1` to print every case's outcome.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use webxsl::xml::{Document, Limits};
use webxsl::xpath::ExpandedName;
use webxsl::xslt::{Method, ParamValue, Stylesheet, TransformOptions, serialize};

struct Case {
    name: String,
    xsl: PathBuf,
    xml: PathBuf,
    expected: Vec<u8>,
    messages: String,
    expect_error: bool,
}

fn cases() -> Vec<Case> {
    let base = support::shared().join("conformance/libxslt");
    let mut out = Vec::new();
    for dir in ["REC", "general"] {
        let d = base.join(dir);
        let mut names: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                let n = p.file_name()?.to_str()?.to_owned();
                n.strip_suffix(".xsl").map(str::to_owned)
            })
            .collect();
        names.sort();
        for n in names {
            let xml = d.join(format!("{n}.xml"));
            let out_file = d.join(format!("{n}.out"));
            let err_file = d.join(format!("{n}.err"));
            if !xml.exists() || !(out_file.exists() || err_file.exists()) {
                continue; // a module imported or included by another case
            }
            let expected = std::fs::read(&out_file).unwrap_or_default();
            let messages = std::fs::read_to_string(&err_file).unwrap_or_default();
            // libxslt failed when it says so, or when it wrote nothing but a diagnostic for a
            // stylesheet that has no xsl:message to explain the stderr output.
            let xsl_text = std::fs::read_to_string(d.join(format!("{n}.xsl"))).unwrap_or_default();
            let expect_error = messages.contains("no result for")
                || messages.contains("compilation error")
                || (!out_file.exists()
                    && !messages.trim().is_empty()
                    && !xsl_text.contains("xsl:message"));
            out.push(Case {
                name: format!("{dir}/{n}"),
                xsl: d.join(format!("{n}.xsl")),
                xml,
                expected,
                messages,
                expect_error,
            });
        }
    }
    out
}

/// What webxsl did with a case.
enum Outcome {
    Output {
        bytes: Vec<u8>,
        method: Method,
        messages: Vec<String>,
    },
    Error(String),
}

fn run_case(c: &Case) -> Outcome {
    let sheet = match Stylesheet::from_file(&c.xsl) {
        Ok(s) => s,
        Err(e) => return Outcome::Error(e.to_diagnostic().render()),
    };
    let bytes = std::fs::read(&c.xml).unwrap();
    let doc = match Document::parse(&bytes, &Limits::with_dtd()) {
        Ok(d) => d,
        Err(e) => return Outcome::Error(format!("input: {e} at {}", e.pos())),
    };
    let opts = TransformOptions {
        params: vec![
            (
                ExpandedName::local("test"),
                ParamValue::String("passed_value".into()),
            ),
            (
                ExpandedName::local("test2"),
                ParamValue::String("passed_value2".into()),
            ),
        ],
        allow_document: true,
        document_limits: Limits::with_dtd(),
        ..TransformOptions::default()
    };
    let r = match sheet.transform(doc.tree(), &opts) {
        Ok(r) => r,
        Err(e) => return Outcome::Error(e.to_diagnostic().render()),
    };
    let method = r.output.effective_method(&r.tree);
    match serialize(&r.tree, &r.output) {
        Ok(bytes) => Outcome::Output {
            bytes,
            method,
            messages: r.messages,
        },
        Err(e) => Outcome::Error(e.to_string()),
    }
}

fn compare(c: &Case, outcome: &Outcome) -> Result<(), String> {
    match outcome {
        Outcome::Error(e) if c.expect_error => {
            let _ = e;
            Ok(())
        }
        Outcome::Error(e) => Err(format!("failed: {}", e.lines().next().unwrap_or(""))),
        Outcome::Output { .. } if c.expect_error => Err("succeeded where libxslt fails".into()),
        Outcome::Output {
            bytes,
            method,
            messages,
        } => {
            let expected = String::from_utf8_lossy(&c.expected).replace("\r\n", "\n");
            let actual = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
            let same = match method {
                Method::Text | Method::Html => actual == expected,
                Method::Xml => match (support::canonical(&actual), support::canonical(&expected)) {
                    (Some(a), Some(e)) => a == e,
                    _ => actual == expected,
                },
            };
            if !same {
                return Err(format!(
                    "output differs ({method:?})\n--- expected\n{}\n--- webxsl\n{}",
                    truncate(&expected),
                    truncate(&actual)
                ));
            }
            // Messages: libxslt's .err holds exactly the xsl:message lines when nothing failed.
            if !c.messages.is_empty()
                && !c.messages.contains("error")
                && !c.messages.contains("warning")
            {
                let want: Vec<&str> = c.messages.lines().collect();
                let got: Vec<&str> = messages.iter().flat_map(|m| m.lines()).collect();
                if want != got {
                    return Err(format!("messages differ: expected {want:?}, got {got:?}"));
                }
            }
            Ok(())
        }
    }
}

fn truncate(s: &str) -> String {
    if s.len() > 1500 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(1500).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s.to_owned()
    }
}

fn known_failures() -> BTreeMap<String, String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/known-failures.txt");
    let text = std::fs::read_to_string(p).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (case, reason) = l
                .split_once(char::is_whitespace)
                .expect("a case and a reason");
            let reason = reason.trim();
            assert!(
                !reason.is_empty(),
                "{case}: every known failure needs a reason"
            );
            (case.to_owned(), reason.to_owned())
        })
        .collect()
}

#[test]
fn libxslt_conformance_suite() {
    let cases = cases();
    assert!(cases.len() > 250, "only {} cases found", cases.len());
    let known = known_failures();
    let report = std::env::var_os("WEBXSL_CONFORMANCE_REPORT").is_some();
    // Deeply recursive cases need a large stack, as the command line has.
    let results: Vec<(String, Result<(), String>)> = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            cases
                .iter()
                .map(|c| {
                    let outcome = run_case(c);
                    (c.name.clone(), compare(c, &outcome))
                })
                .collect()
        })
        .unwrap()
        .join()
        .unwrap();
    let mut problems = Vec::new();
    let mut passed = 0;
    let in_scope = results.len()
        - known
            .values()
            .filter(|r| r.starts_with("out of scope"))
            .count();
    for (name, r) in &results {
        match (r, known.get(name)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => problems.push(format!(
                "{name}: passes now; remove it from known-failures.txt"
            )),
            (Err(e), None) => problems.push(format!("{name}: {e}")),
            (Err(_), Some(_)) => {}
        }
        if report {
            eprintln!(
                "{name}: {}",
                match r {
                    Ok(()) => "pass".to_owned(),
                    Err(e) => e.lines().next().unwrap_or("").to_owned(),
                }
            );
        }
    }
    for k in known.keys() {
        if !results.iter().any(|(n, _)| n == k) {
            problems.push(format!("{k}: listed in known-failures.txt but not a case"));
        }
    }
    eprintln!(
        "conformance: {passed} of {} cases pass ({} in scope: {:.1}%)",
        results.len(),
        in_scope,
        100.0 * passed as f64 / in_scope as f64
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
