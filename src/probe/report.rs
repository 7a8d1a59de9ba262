//! Probe reports, shaped like `validate`'s and built from its pieces
//! ([`crate::validate::report`]):
//!
//! - **human**: per URL the chain (and the http:// check), every finding as
//!   `URL:line:col: warning[rule]: message` where the line is that of the header in the
//!   response head (line 1 is the status line) and the column points into its value, the
//!   header with a caret and the hint; then the grade and a summary;
//! - **json**: `{"targets":[{"url","final_url","redirects":[{"url","status"}],"status","grade",
//!   "score","headers":[["Name","value"],...],"findings":[{"rule","severity","message",
//!   "hint"}]}]}`; a URL that could not be probed has null `final_url`, `status`, `grade` and
//!   `score`, and an `"error": {"kind","message"}`;
//! - **sarif**: one run with `validate`'s rules and the probe's, a result per finding located
//!   at the final URL (and the header's line and column), the grades and errors in the run's
//!   property bag.

use serde_json::{Value, json};

use super::rules::RULES as PROBE_RULES;
use super::{Probed, Target};
use crate::diag::{Diagnostic, Pos};
use crate::validate::RULES;
use crate::validate::report::{grade_summary, sarif_level, sarif_log, sarif_rule, totals};
use crate::validate::served::Place;

/// The response head as text: the status line, then one line per header.
pub(crate) fn head_text(t: &Target) -> String {
    let mut s = format!("HTTP/1.1 {}\n", t.status());
    for (n, v) in t.headers() {
        s.push_str(&format!("{n}: {v}\n"));
    }
    s
}

/// The position of a place in [`head_text`].
pub(crate) fn pos(t: &Target, place: Place) -> Option<Pos> {
    let line = |i: usize| (i + 2) as u32;
    match place {
        Place::Response => None,
        Place::Header(i) => Some(Pos::new(line(i), 1)),
        Place::Value(i, b) => {
            let (n, v) = &t.headers()[i];
            let before = v.get(..b).map_or(0, |s| s.chars().count());
            Some(Pos::new(
                line(i),
                (n.chars().count() + 2 + before + 1) as u32,
            ))
        }
    }
}

fn chain_line(label: &str, chain: &[super::Response]) -> String {
    let mut s = String::new();
    for (i, r) in chain.iter().enumerate() {
        if i > 0 {
            s.push_str(" -> ");
        }
        s.push_str(&format!("{} {}", r.url, r.status));
    }
    format!("{label}{s}\n")
}

/// Renders the targets for people; URLs that failed are listed with their cause.
pub fn human(results: &[Probed]) -> String {
    let mut out = String::new();
    for p in results {
        let t = match &p.result {
            Ok(t) => t,
            Err(e) => {
                out.push_str(&format!("{}\n  error: {e}\n\n", p.url));
                continue;
            }
        };
        out.push_str(&chain_line("", &t.observed.chain));
        if t.observed.chain[0].url.is_https() {
            match (&t.observed.http, &t.observed.http_error) {
                (Some(c), _) => out.push_str(&chain_line("  http: ", c)),
                (None, Some(e)) => out.push_str(&format!("  http: no answer ({e})\n")),
                (None, None) => {}
            }
        }
        let text = head_text(t);
        let shown = t.final_url();
        for f in &t.findings {
            let mut d = Diagnostic::error(f.message.clone())
                .severity(f.severity)
                .code(f.rule)
                .in_file(shown.clone())
                .with_hint(f.hint.clone());
            if let Some(p) = pos(t, f.place) {
                d = d.at(p).with_source(&text);
            }
            out.push_str(&d.render());
        }
        match &t.grade {
            Some(g) => out.push_str(&format!("{shown}: {}\n", grade_summary(g))),
            None => out.push_str(&format!(
                "{shown}: no grade (status {}: the Observatory grades 2xx, 3xx, 401 and 403)\n",
                t.status()
            )),
        }
        out.push('\n');
    }
    out.push_str(&totals(
        "URL",
        results.len(),
        results
            .iter()
            .filter_map(|p| p.result.as_ref().ok())
            .flat_map(|t| t.findings.iter().map(|f| f.severity)),
    ));
    let failed = results.iter().filter(|p| p.result.is_err()).count();
    if failed > 0 {
        out.push_str(&format!(
            "{failed} URL{} could not be probed\n",
            if failed == 1 { "" } else { "s" }
        ));
    }
    out
}

/// One target in the JSON report.
pub fn target_json(p: &Probed) -> Value {
    match &p.result {
        Ok(t) => json!({
            "url": t.url,
            "final_url": t.final_url(),
            "redirects": t.redirects().iter().map(|(u, s)| json!({"url": u, "status": s})).collect::<Vec<_>>(),
            "status": t.status(),
            "grade": t.grade.as_ref().map(|g| g.letter),
            "score": t.grade.as_ref().map(|g| g.score),
            "headers": t.headers().iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "findings": t.findings.iter().map(|f| json!({
                "rule": f.rule,
                "severity": f.severity.as_str(),
                "message": f.message,
                "hint": f.hint,
            })).collect::<Vec<_>>(),
        }),
        Err(e) => json!({
            "url": p.url,
            "final_url": null,
            "redirects": [],
            "status": null,
            "grade": null,
            "score": null,
            "headers": [],
            "findings": [],
            "error": { "kind": e.kind(), "message": e.to_string() },
        }),
    }
}

/// The JSON report.
pub fn json(results: &[Probed]) -> Value {
    json!({ "targets": results.iter().map(target_json).collect::<Vec<_>>() })
}

/// The SARIF 2.1.0 log.
pub fn sarif(results: &[Probed]) -> Value {
    let all: Vec<_> = RULES.iter().chain(PROBE_RULES).collect();
    let rules: Vec<Value> = all.iter().map(|r| sarif_rule(r)).collect();
    let mut out = Vec::new();
    let ok = || results.iter().filter_map(|p| p.result.as_ref().ok());
    for t in ok() {
        let text = head_text(t);
        let uri = t.final_url();
        for f in &t.findings {
            let index = all.iter().position(|r| r.id == f.rule).unwrap_or(0);
            let mut location =
                json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } });
            if let Some(p) = pos(t, f.place) {
                let mut region = json!({ "startLine": p.line, "startColumn": p.col });
                if let Some(line) = crate::diag::line_text(&text, p.line) {
                    region["snippet"] = json!({ "text": line });
                }
                location["physicalLocation"]["region"] = region;
            }
            out.push(json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{} ({})", f.message, f.hint) },
                "locations": [location],
            }));
        }
    }
    let grades: Vec<Value> = ok()
        .map(|t| {
            json!({
                "url": t.url,
                "final_url": t.final_url(),
                "grade": t.grade.as_ref().map(|g| g.letter),
                "score": t.grade.as_ref().map(|g| g.score),
            })
        })
        .collect();
    let errors: Vec<Value> = results
        .iter()
        .filter_map(|p| p.result.as_ref().err().map(|e| (&p.url, e)))
        .map(|(url, e)| json!({ "url": url, "kind": e.kind(), "message": e.to_string() }))
        .collect();
    sarif_log(rules, out, json!({ "grades": grades, "errors": errors }))
}
