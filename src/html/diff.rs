//! `webxsl diff --format html`: before and after side by side — the grade before → after, the
//! headers the site sends on each side, the header changes of each collection and `<location>`
//! (diff's [`CollectionChange`]s), the grade tests on each side, the findings after (and
//! before), and the unified diff.
//!
//! Each side is validate's [`FileReport`] of that file (its grade, the headers the application
//! sends, its findings): the command line validates both files and hands the reports here.

use maud::{Markup, html};

use super::Text;
use super::parts::{self, Subject};
use crate::diff::CollectionChange;
use crate::validate::FileReport;

/// One side of the comparison.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The file as named.
    pub label: &'a str,
    /// Its validation.
    pub report: &'a FileReport,
    /// Its encoding, in words (`UTF-8 with BOM`).
    pub encoding: &'a str,
}

/// The page of a diff.
pub fn page(
    old: &Side<'_>,
    new: &Side<'_>,
    changes: &[CollectionChange],
    unified: Option<&str>,
) -> String {
    let mut before = super::validate::subject(0, old.report);
    let mut after = super::validate::subject(1, new.report);
    before.name = old.label;
    after.name = new.label;
    let (go, gn) = (old.report.grade.as_ref(), new.report.grade.as_ref());
    let letter = |g: Option<&crate::validate::grade::Grade>| g.map_or("none", |g| g.letter);
    let score =
        |g: Option<&crate::validate::grade::Grade>| g.map_or("–".into(), |g| g.score.to_string());
    let title = format!("webxsl diff: {} → {}", old.label, new.label);
    let body = html! {
        h1 { "Header changes" }
        div class="sides" {
            (side("Before", old, &before))
            div class="arrow" aria-hidden="true" { "→" }
            (side("After", new, &after))
        }
        p class="score" {
            "Grade " b { (letter(go)) } " → " b { (letter(gn)) }
            " (score " (score(go)) " → " (score(gn)) ")"
            @if unified.is_none() { "; the files are identical" }
            "."
        }
        h2 { "Headers the site sends" }
        (sent(old.report, new.report))
        h2 { "Changes per collection" }
        (collections(changes))
        h2 { "Grade tests" }
        (tests(old.report, new.report))
        h2 { "Findings after" }
        (parts::findings_block(&after))
        details {
            summary { "Findings before (" (before.findings.len()) ")" }
            (parts::findings_block(&before))
        }
        @if let Some(u) = unified {
            h2 { "Unified diff" }
            details open {
                summary { "Every changed line" }
                (parts::unified_diff(u))
            }
        }
    };
    super::page(&title, body)
}

/// One side's card: the file, the badge and score, the tally, the encoding.
fn side(heading: &str, s: &Side<'_>, subject: &Subject<'_>) -> Markup {
    let t = parts::tally(subject.findings.iter().map(|f| f.severity));
    html! {
        div class="side" {
            h3 { (heading) ": " code { (Text(s.label)) } }
            (parts::grade_head(s.report.grade.as_ref(), &subject.no_grade, t))
            p class="muted" { (Text(s.encoding)) }
        }
    }
}

/// The change of a header between the two sides.
fn change_class(old: &[&str], new: &[&str]) -> (&'static str, &'static str) {
    match (old.is_empty(), new.is_empty()) {
        (true, false) => ("ch-added", "added"),
        (false, true) => ("ch-removed", "removed"),
        _ if old != new => ("ch-changed", "changed"),
        _ => ("", "same"),
    }
}

/// The headers each side sends, by name (case-insensitive): before's order, then the new ones.
fn sent(old: &FileReport, new: &FileReport) -> Markup {
    let mut names: Vec<&str> = Vec::new();
    for (n, _) in old.headers.iter().chain(&new.headers) {
        if !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
            names.push(n);
        }
    }
    let values = |r: &'_ FileReport, name: &str| -> Vec<String> {
        r.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    html! {
        table class="side-by-side" {
            (parts::cols(&[22, 34, 34, 10]))
            thead { tr { th { "Header" } th { "Before" } th { "After" } th { "Change" } } }
            tbody {
                @for name in &names {
                    @let (b, a) = (values(old, name), values(new, name));
                    @let (br, ar): (Vec<&str>, Vec<&str>) = (b.iter().map(String::as_str).collect(), a.iter().map(String::as_str).collect());
                    @let (class, word) = change_class(&br, &ar);
                    tr class=(class) {
                        td { code { (Text(name)) } }
                        td { (values_cell(&br)) }
                        td { (values_cell(&ar)) }
                        td { (word) }
                    }
                }
            }
        }
        @if names.is_empty() { p class="muted" { "Neither side sends a header." } }
    }
}

fn values_cell(values: &[&str]) -> Markup {
    html! {
        @for (i, v) in values.iter().enumerate() {
            @if i > 0 { br; }
            code { (Text(v)) }
        }
        @if values.is_empty() { span class="muted" { "—" } }
    }
}

/// diff's changes, one table per collection and `<location>`.
fn collections(changes: &[CollectionChange]) -> Markup {
    html! {
        @if changes.is_empty() { p class="muted" { "No header changes." } }
        @for c in changes {
            h3 {
                code { (c.collection.element_name()) } " "
                @match &c.location {
                    None => "(top level)",
                    Some(p) => { "in " code { "<location path=\"" (Text(p)) "\">" } },
                }
            }
            table {
                (parts::cols(&[14, 22, 30, 34]))
                thead { tr { th { "Change" } th { "Header" } th { "Before" } th { "After" } } }
                tbody {
                    @for h in &c.added {
                        tr class="ch-added" { td { "added" } td { code { (Text(&h.name)) } } td {} td { code { (Text(&h.value)) } } }
                    }
                    @for h in &c.changed {
                        tr class="ch-changed" { td { "changed" } td { code { (Text(&h.name)) } } td { code { (Text(&h.old)) } } td { code { (Text(&h.new)) } } }
                    }
                    @for h in &c.removed {
                        tr class="ch-removed" { td { "removed" } td { code { (Text(&h.name)) } } td { code { (Text(&h.value)) } } td {} }
                    }
                    @for n in &c.now_removed {
                        tr class="ch-added" {
                            td { code { "<remove>" } " added" } td { code { (Text(n)) } }
                            td colspan="2" { "an inherited " (Text(n)) ", if a parent config sets one, is no longer sent" }
                        }
                    }
                    @for n in &c.no_longer_removed {
                        tr class="ch-removed" {
                            td { code { "<remove>" } " dropped" } td { code { (Text(n)) } }
                            td colspan="2" { "an inherited " (Text(n)) ", if a parent config sets one, is sent again" }
                        }
                    }
                }
            }
        }
    }
}

/// The grade tests side by side: result and points before and after.
fn tests(old: &FileReport, new: &FileReport) -> Markup {
    let (Some(go), Some(gn)) = (old.grade.as_ref(), new.grade.as_ref()) else {
        return html! { p class="muted" { "One side has no grade (it is not well-formed XML)." } };
    };
    let mut names: Vec<&str> = go.tests.iter().map(|t| t.test).collect();
    for t in &gn.tests {
        if !names.contains(&t.test) {
            names.push(t.test);
        }
    }
    let cell = |g: &crate::validate::grade::Grade, name: &str| {
        g.tests.iter().find(|t| t.test == name).map(|t| {
            html! {
                code { (t.result) } " "
                @if t.modifier != 0 {
                    span class=(if t.modifier < 0 { "minus" } else { "plus" }) { (format!("{:+}", t.modifier)) }
                }
            }
        })
    };
    html! {
        table class="side-by-side" {
            (parts::cols(&[30, 35, 35]))
            thead { tr { th { "Test" } th { "Before" } th { "After" } } }
            tbody {
                @for name in names {
                    @let (b, a) = (go.tests.iter().find(|t| t.test == name), gn.tests.iter().find(|t| t.test == name));
                    @let moved = b.map(|t| (t.result, t.modifier)) != a.map(|t| (t.result, t.modifier));
                    tr class=(if moved { "ch-changed" } else { "" }) {
                        td { (name) }
                        td { @if let Some(m) = cell(go, name) { (m) } }
                        td { @if let Some(m) = cell(gn, name) { (m) } }
                    }
                }
            }
        }
    }
}
