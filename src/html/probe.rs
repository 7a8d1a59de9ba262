//! `webxsl probe --format html`: per URL the redirect chain and the http:// check, the grade,
//! the headers the final response sent and the findings, from probe's [`Probed`] results;
//! URLs that could not be probed are listed with the cause.
//!
//! A finding's place is the header it points at in the response head, as the terminal report
//! numbers it (line 1 is the status line), with that line as the snippet; a header row lists
//! the findings placed on it.

use maud::{Markup, html};

use super::Text;
use super::parts::{self, FindingView, Subject};
use crate::probe::report::{head_text, pos};
use crate::probe::{Probed, Response, Target};

/// The page of a probe run.
pub fn page(results: &[Probed]) -> String {
    let heads: Vec<Option<String>> = results
        .iter()
        .map(|p| p.result.as_ref().ok().map(head_text))
        .collect();
    let subjects: Vec<(Subject<'_>, &Target)> = results
        .iter()
        .zip(&heads)
        .enumerate()
        .filter_map(|(i, (p, head))| {
            let t = p.result.as_ref().ok()?;
            Some((subject(i, t, head.as_deref().unwrap_or_default()), t))
        })
        .collect();
    let failed: Vec<(&str, String, &str)> = results
        .iter()
        .filter_map(|p| {
            p.result
                .as_ref()
                .err()
                .map(|e| (p.url.as_str(), e.to_string(), e.kind()))
        })
        .collect();
    let t = parts::tally(
        subjects
            .iter()
            .flat_map(|(s, _)| s.findings.iter().map(|f| f.severity)),
    );
    let title = match results {
        [one] => format!("webxsl probe: {}", one.url),
        _ => format!("webxsl probe: {} URLs", results.len()),
    };
    let body = html! {
        h1 { "Security headers report: live sites" }
        p class="muted" {
            (parts::plural(results.len(), "URL")) " fetched by "
            code { "webxsl probe" } ": " (parts::tally_text(t))
            @if !failed.is_empty() { "; " (failed.len()) " could not be probed" }
            "."
        }
        (summary(&subjects))
        @if !failed.is_empty() {
            h2 { "Not probed" }
            table {
                (parts::cols(&[40, 60]))
                thead { tr { th { "URL" } th { "Why" } } }
                tbody {
                    @for (url, message, kind) in &failed {
                        tr { td { code { (Text(url)) } } td { code { (kind) } ": " (Text(message)) } }
                    }
                }
            }
        }
        @for (s, t) in &subjects {
            (parts::section(s, chain(t), html! {}))
        }
    };
    super::page(&title, body)
}

fn summary(subjects: &[(Subject<'_>, &Target)]) -> Markup {
    let refs: Vec<&Subject<'_>> = subjects.iter().map(|(s, _)| s).collect();
    parts::summary("URL", &refs, None)
}

/// One target as a [`Subject`].
fn subject<'a>(i: usize, t: &'a Target, head: &str) -> Subject<'a> {
    let shown = t.final_url();
    let findings: Vec<FindingView<'a>> = t
        .findings
        .iter()
        .map(|f| {
            FindingView::new(
                f.rule,
                f.severity,
                &f.message,
                &f.hint,
                &shown,
                pos(t, f.place).map(|p| (p, head)),
            )
        })
        .collect();
    let of_header = |h: usize| {
        t.findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.place.header() == Some(h))
            .map(|(i, _)| i)
            .collect()
    };
    Subject {
        id: format!("s{}", i + 1),
        name: &t.url,
        grade: t.grade.as_ref(),
        no_grade: format!(
            "status {} (the Observatory grades 2xx, 3xx, 401 and 403)",
            t.status()
        ),
        headers: parts::header_rows(t.headers(), &findings, of_header),
        findings,
    }
}

/// The redirect chain and the http:// check.
fn chain(t: &Target) -> Markup {
    let steps = |c: &[Response]| {
        html! {
            @for (i, r) in c.iter().enumerate() {
                @if i > 0 { " → " }
                code { (Text(&r.url.to_string())) } " " b { (r.status) }
            }
        }
    };
    html! {
        p { "Fetched: " (steps(&t.observed.chain)) }
        @if t.observed.chain[0].url.is_https() {
            @match (&t.observed.http, &t.observed.http_error) {
                (Some(c), _) => p { "Over http://: " (steps(c)) },
                (None, Some(e)) => p { "Over http://: no answer (" (Text(&e.to_string())) ")" },
                (None, None) => {},
            }
        }
    }
}
