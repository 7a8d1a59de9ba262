//! Validation reports: human text, JSON and SARIF 2.1.0.
//!
//! - **human**: per file, every finding as `file:line:col: warning[rule]: message`, the line with
//!   a caret and the hint; then the grade with the tests that cost or earned points; a summary.
//! - **json**: `{"files":[{"path","grade","score","findings":[{"rule","severity","line","column",
//!   "message","hint"}]}]}` (`grade` and `score` are null for a file that is not XML).
//! - **sarif**: one run of tool `webxsl` with every rule, one result per finding (columns count
//!   Unicode code points), and each file's grade in the run's property bag.

use serde_json::{Value, json};

use super::grade::Grade;
use super::{FileReport, RULES, Rule};
use crate::diag::{DiagnosticRef, Severity};

/// `grade B (score 70): csp-not-implemented -25, ...`: a grade with the tests that cost or
/// earned points.
pub fn grade_summary(g: &Grade) -> String {
    let mut out = format!("grade {} (score {})", g.letter, g.score);
    let counted: Vec<String> = g
        .tests
        .iter()
        .filter(|t| t.modifier != 0)
        .map(|t| format!("{} {:+}", t.result, t.modifier))
        .collect();
    if !counted.is_empty() {
        out.push_str(&format!(": {}", counted.join(", ")));
    }
    out
}

/// The closing line: `2 files: 1 error, 3 warnings, 0 infos` (`what` is the singular).
pub fn totals(what: &str, n: usize, severities: impl Iterator<Item = Severity>) -> String {
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for s in severities {
        match s {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Info => infos += 1,
        }
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {}, {}, {}\n",
        plural(n, what),
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(infos, "info")
    )
}

/// Renders findings, grade and a summary for people.
pub fn human(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        human_file(r, &mut out);
    }
    out.push_str(&human_totals(reports));
    out
}

/// One file's part of the human report: its findings with their lines, and its grade (a
/// batch renders each file's part where it validated it, on any thread).
pub fn human_file(r: &FileReport, out: &mut String) {
    let lines = crate::diag::LineIndex::new(if r.findings.is_empty() { "" } else { &r.text });
    for f in &r.findings {
        DiagnosticRef {
            severity: f.severity,
            file: Some(&r.path),
            pos: Some(f.pos),
            message: &f.message,
            source_line: lines.line(&r.text, f.pos.line),
            hint: Some(&f.hint),
            code: Some(f.rule),
        }
        .render_into(out);
    }
    match &r.grade {
        Some(g) => out.push_str(&format!("{}: {}\n", r.path, grade_summary(g))),
        None => out.push_str(&format!("{}: no grade (not XML)\n", r.path)),
    }
    out.push('\n');
}

/// The last line of the human report: how many files, errors and warnings.
pub fn human_totals(reports: &[FileReport]) -> String {
    totals(
        "file",
        reports.len(),
        reports
            .iter()
            .flat_map(|r| r.findings.iter().map(|f| f.severity)),
    )
}

/// The JSON report.
pub fn json(reports: &[FileReport]) -> Value {
    let files: Vec<Value> = reports
        .iter()
        .map(|r| {
            let findings: Vec<Value> = r
                .findings
                .iter()
                .map(|f| {
                    json!({
                        "rule": f.rule,
                        "severity": f.severity.as_str(),
                        "line": f.pos.line,
                        "column": f.pos.col,
                        "message": f.message,
                        "hint": f.hint,
                    })
                })
                .collect();
            json!({
                "path": r.path,
                "grade": r.grade.as_ref().map(|g| g.letter),
                "score": r.grade.as_ref().map(|g| g.score),
                "findings": findings,
            })
        })
        .collect();
    json!({ "files": files })
}

/// The SARIF level of a severity.
pub fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: forward slashes, reserved and non-ASCII bytes percent-encoded,
/// absolute paths as `file://` URIs.
pub fn path_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let (prefix, rest) = if p.starts_with('/') {
        ("file://", p.as_str())
    } else if p.len() > 2
        && p.as_bytes()[1] == b':'
        && p.as_bytes()[2] == b'/'
        && p.as_bytes()[0].is_ascii_alphabetic()
    {
        ("file:///", p.as_str())
    } else {
        ("", p.strip_prefix("./").unwrap_or(&p))
    };
    let mut out = String::from(prefix);
    for (i, b) in rest.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            || (b == b':' && i > 0 && !prefix.is_empty());
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A rule as a SARIF `reportingDescriptor`.
pub fn sarif_rule(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": r.summary },
        "help": { "text": r.hint },
        "defaultConfiguration": { "level": sarif_level(r.severity) },
    })
}

/// A SARIF 2.1.0 log of one run of webxsl: its rules, results and run properties.
pub fn sarif_log(rules: Vec<Value>, results: Vec<Value>, properties: Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "webxsl",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": properties,
        }]
    })
}

/// The SARIF 2.1.0 log.
pub fn sarif(reports: &[FileReport]) -> Value {
    let rules: Vec<Value> = RULES.iter().map(sarif_rule).collect();
    let mut results = Vec::new();
    for r in reports {
        let uri = path_uri(&r.path);
        for f in &r.findings {
            let index = RULES.iter().position(|x| x.id == f.rule).unwrap_or(0);
            let mut region = json!({
                "startLine": f.pos.line.max(1),
                "startColumn": f.pos.col.max(1),
            });
            if let Some(line) = crate::diag::line_text(&r.text, f.pos.line) {
                region["snippet"] = json!({ "text": line });
            }
            results.push(json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{} ({})", f.message, f.hint) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region,
                    }
                }],
            }));
        }
    }
    let grades: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "path": r.path,
                "grade": r.grade.as_ref().map(|g| g.letter),
                "score": r.grade.as_ref().map(|g| g.score),
            })
        })
        .collect();
    sarif_log(rules, results, json!({ "grades": grades }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            path_uri("samples/a b/web.config"),
            "samples/a%20b/web.config"
        );
        assert_eq!(path_uri("./web.config"), "web.config");
        assert_eq!(
            path_uri("/srv/site/web.config"),
            "file:///srv/site/web.config"
        );
        assert_eq!(
            path_uri("C:\\site\\web.config"),
            "file:///C:/site/web.config"
        );
        assert_eq!(path_uri("dir/é.config"), "dir/%C3%A9.config");
        assert_eq!(path_uri("a:b"), "a%3Ab");
    }
}
