//! The pieces every page shares, on one shape of data ([`Subject`]: a file or a URL): the
//! grade (badge, score and the tests that moved it), the table of security headers, the
//! findings grouped by severity, and the summary across subjects.

use maud::{Markup, html};

use super::{Text, grade_class};
use crate::diag::{Pos, Severity, clip_line, line_text};
use crate::validate::grade::Grade;
use crate::validate::values::{RECOMMENDED, missing_header_of};

/// A file or a URL as a page shows it.
pub(crate) struct Subject<'a> {
    /// Its anchor (`s1`, `s2`...: never from the input).
    pub(crate) id: String,
    /// The path or URL.
    pub(crate) name: &'a str,
    /// Its grade.
    pub(crate) grade: Option<&'a Grade>,
    /// Why there is no grade (shown in its place).
    pub(crate) no_grade: String,
    /// The rows of the headers table.
    pub(crate) headers: Vec<HeaderRow<'a>>,
    /// The findings, in report order.
    pub(crate) findings: Vec<FindingView<'a>>,
}

/// Whether a security header is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// A recommended header, sent.
    Set,
    /// Another header, sent.
    Sent,
    /// Not sent, and a `missing-header` finding says it should be.
    Missing,
    /// Not sent, and nothing asks for it (X-Frame-Options under CSP frame-ancestors, HSTS over
    /// plain HTTP).
    NotSet,
}

/// A row of the headers table.
pub(crate) struct HeaderRow<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: Option<&'a str>,
    pub(crate) status: Status,
    /// Indexes into the subject's findings.
    pub(crate) findings: Vec<usize>,
}

/// A source line with the column a finding points at.
pub(crate) struct Snippet {
    line: u32,
    /// The line (clipped around the column when long).
    text: String,
    /// The 0-based character the finding points at in `text`.
    at: usize,
}

/// A finding as a page shows it.
pub(crate) struct FindingView<'a> {
    pub(crate) rule: &'a str,
    pub(crate) severity: Severity,
    /// `file:line:col` (or the URL).
    pub(crate) place: String,
    pub(crate) snippet: Option<Snippet>,
    pub(crate) message: &'a str,
    pub(crate) hint: &'a str,
}

impl<'a> FindingView<'a> {
    /// A finding in `name`, at `pos` of `text` when it has a place there.
    pub(crate) fn new(
        rule: &'a str,
        severity: Severity,
        message: &'a str,
        hint: &'a str,
        name: &str,
        at: Option<(Pos, &str)>,
    ) -> FindingView<'a> {
        let (place, snippet) = match at {
            Some((pos, text)) => (
                format!("{name}:{}:{}", pos.line, pos.col),
                snippet(text, pos),
            ),
            None => (name.to_owned(), None),
        };
        FindingView {
            rule,
            severity,
            place,
            snippet,
            message,
            hint,
        }
    }
}

/// The line of `pos` in `text`, clipped around the column as the terminal report does.
fn snippet(text: &str, pos: Pos) -> Option<Snippet> {
    let line = line_text(text, pos.line)?;
    let (text, skipped) = clip_line(line, pos.col as usize);
    let at = (pos.col as usize).saturating_sub(1).saturating_sub(skipped);
    Some(Snippet {
        line: pos.line,
        text: text.into_owned(),
        at,
    })
}

/// The rows of the headers table: the recommended security headers first (each as sent, or a
/// row saying it is not), then every other header sent, in order. `of_header(i)` gives the
/// findings about sent header `i`; each `missing-header` finding goes to its header's row.
pub(crate) fn header_rows<'a>(
    sent: &'a [(String, String)],
    findings: &[FindingView<'_>],
    of_header: impl Fn(usize) -> Vec<usize>,
) -> Vec<HeaderRow<'a>> {
    let row = |i: usize, status: Status| {
        let (n, v) = &sent[i];
        HeaderRow {
            name: n,
            value: Some(v),
            status,
            findings: of_header(i),
        }
    };
    let mut rows = Vec::new();
    let mut shown = vec![false; sent.len()];
    for &(name, _) in RECOMMENDED {
        let mut found = false;
        for (i, (n, _)) in sent.iter().enumerate() {
            if n.eq_ignore_ascii_case(name) {
                rows.push(row(i, Status::Set));
                shown[i] = true;
                found = true;
            }
        }
        if !found {
            let missing: Vec<usize> = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    f.rule == "missing-header" && missing_header_of(f.message) == Some(name)
                })
                .map(|(i, _)| i)
                .collect();
            rows.push(HeaderRow {
                name,
                value: None,
                status: if missing.is_empty() {
                    Status::NotSet
                } else {
                    Status::Missing
                },
                findings: missing,
            });
        }
    }
    rows.extend(
        (0..sent.len())
            .filter(|&i| !shown[i])
            .map(|i| row(i, Status::Sent)),
    );
    rows
}

/// The column widths of a table, in percent (each one a `.wNN` rule of the stylesheet): tables
/// have a fixed layout, so that long values wrap inside their column instead of squeezing the
/// others.
pub(crate) fn cols(widths: &[u32]) -> Markup {
    debug_assert!(
        widths
            .iter()
            .all(|w| super::STYLE.contains(&format!(".w{w}{{width:{w}%}}"))),
        "a width without its rule in style.css: {widths:?}"
    );
    html! {
        colgroup {
            @for w in widths { col class=(format!("w{w}")); }
        }
    }
}

/// The number of errors, warnings and infos.
pub(crate) fn tally(severities: impl Iterator<Item = Severity>) -> [usize; 3] {
    let mut t = [0; 3];
    for s in severities {
        t[s as usize] += 1;
    }
    t
}

/// `1 file`, `3 files`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `2 errors, 1 warning, 0 infos`.
pub(crate) fn tally_text(t: [usize; 3]) -> String {
    format!(
        "{}, {}, {}",
        plural(t[0], "error"),
        plural(t[1], "warning"),
        plural(t[2], "info")
    )
}

/// The grade as a coloured badge (a dash without one).
pub(crate) fn badge(grade: Option<&Grade>, small: bool) -> Markup {
    let letter = grade.map(|g| g.letter);
    let class = format!(
        "badge {}{}",
        grade_class(letter),
        if small { " small" } else { "" }
    );
    html! {
        span class=(class) role="img" aria-label=(format!("grade {}", letter.unwrap_or("none"))) {
            (letter.unwrap_or("–"))
        }
    }
}

/// The badge, the score and the tally, then the Observatory tests with their modifiers.
pub(crate) fn grade_block(grade: Option<&Grade>, no_grade: &str, t: [usize; 3]) -> Markup {
    html! {
        (grade_head(grade, no_grade, t))
        @if let Some(g) = grade {
            (grade_tests(g))
        }
    }
}

/// The badge, the score and the tally.
pub(crate) fn grade_head(grade: Option<&Grade>, no_grade: &str, t: [usize; 3]) -> Markup {
    html! {
        div class="head" {
            (badge(grade, false))
            div {
                @match grade {
                    Some(g) => div class="score" { "Score " b { (g.score) } " (starts at 100)" },
                    None => div class="score" { "No grade: " (Text(no_grade)) },
                }
                div class="tally" {
                    span class=(if t[0] > 0 { "minus" } else { "" }) { (plural(t[0], "error")) }
                    span { (plural(t[1], "warning")) }
                    span { (plural(t[2], "info")) }
                }
            }
        }
    }
}

/// The tests of a grade that moved the score, then, folded, those that did not.
pub(crate) fn grade_tests(g: &Grade) -> Markup {
    let bonuses = g.bonuses_count();
    let mut moved: Vec<_> = g.tests.iter().filter(|t| t.modifier != 0).collect();
    moved.sort_by_key(|t| t.modifier);
    let other: Vec<_> = g.tests.iter().filter(|t| t.modifier == 0).collect();
    html! {
        @if moved.is_empty() {
            p class="muted" { "No test moved the score." }
        } @else {
            table class="tests" {
                (cols(&[30, 55, 15]))
                thead { tr { th { "Test that moved the score" } th { "Result" } th class="num" { "Points" } } }
                tbody {
                    @for t in moved {
                        @let counted = t.modifier < 0 || bonuses;
                        tr {
                            td { (t.test) }
                            td { code { (t.result) } }
                            td class="num" {
                                @if counted {
                                    span class=(if t.modifier < 0 { "minus" } else { "plus" }) {
                                        (format!("{:+}", t.modifier))
                                    }
                                } @else {
                                    span class="muted" title="bonuses count only when the score without them is 90 or more" {
                                        (format!("{:+}", t.modifier)) " not counted"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !other.is_empty() {
            details {
                summary { (other.len()) " other tests (0 points)" }
                table class="tests" {
                    (cols(&[30, 70]))
                    tbody {
                        @for t in other { tr { td { (t.test) } td { code { (t.result) } } } }
                    }
                }
            }
        }
    }
}

/// The table of security headers: name, whether it is set, its value, the findings about it.
pub(crate) fn headers_table(s: &Subject<'_>) -> Markup {
    html! {
        table class="headers" {
            (cols(&[22, 12, 41, 25]))
            thead { tr { th { "Header" } th { "Status" } th { "Value" } th { "Findings" } } }
            tbody {
                @for h in &s.headers {
                    @let worst = h.findings.iter().map(|&i| s.findings[i].severity).min();
                    @let class = match (h.status, worst) {
                        (Status::Missing, _) => "missing",
                        (_, Some(Severity::Error | Severity::Warning)) => "bad",
                        _ => "",
                    };
                    tr class=(class) {
                        td { code { (Text(h.name)) } }
                        td {
                            @match h.status {
                                Status::Set => span class="st-set" { "✓ set" },
                                Status::Sent => span class="st-unset" { "sent" },
                                Status::Missing => span class="st-missing" { "✗ missing" },
                                Status::NotSet => span class="st-unset" { "not set" },
                            }
                        }
                        td { @if let Some(v) = h.value { code { (Text(v)) } } }
                        td {
                            @for (k, &i) in h.findings.iter().enumerate() {
                                @if k > 0 { ", " }
                                a href=(format!("#{}-f{}", s.id, i)) { (s.findings[i].rule) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The findings grouped by severity, each with its place, source line and hint.
pub(crate) fn findings_block(s: &Subject<'_>) -> Markup {
    let groups = [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Infos"),
    ];
    html! {
        @if s.findings.is_empty() {
            p class="muted" { "No findings." }
        }
        @for (severity, title) in groups {
            @let these: Vec<_> = s.findings.iter().enumerate().filter(|(_, f)| f.severity == severity).collect();
            @if !these.is_empty() {
                h3 { (title) " (" (these.len()) ")" }
                @for (i, f) in these {
                    div class=(format!("finding {}", severity.as_str())) id=(format!("{}-f{i}", s.id)) {
                        p {
                            span class=(format!("sev {}", severity.as_str())) { (severity.as_str()) }
                            span class="rule" { (f.rule) } " "
                            span class="where" { (Text(&f.place)) }
                        }
                        p { (Text(f.message)) }
                        @if let Some(sn) = &f.snippet {
                            (snippet_pre(sn))
                        }
                        p class="hint" { b { "Hint: " } (Text(f.hint)) }
                    }
                }
            }
        }
    }
}

fn snippet_pre(sn: &Snippet) -> Markup {
    let mut chars = sn.text.char_indices().skip(sn.at);
    let (before, marked, after) = match chars.next() {
        Some((i, c)) => (
            &sn.text[..i],
            &sn.text[i..i + c.len_utf8()],
            &sn.text[i + c.len_utf8()..],
        ),
        None => (sn.text.as_str(), " ", ""),
    };
    html! {
        pre class="snippet" {
            span class="ln" { (sn.line) " | " }
            (Text(before)) mark { (Text(marked)) } (Text(after))
        }
    }
}

/// A subject's section: its name, `before` (the redirect chain, the manifest's verdict), the
/// grade, the headers, the findings, then `after` (a diff).
pub(crate) fn section(s: &Subject<'_>, before: Markup, after: Markup) -> Markup {
    let t = tally(s.findings.iter().map(|f| f.severity));
    html! {
        section id=(s.id) {
            h2 { (Text(s.name)) }
            (before)
            (grade_block(s.grade, &s.no_grade, t))
            h3 { "Security headers" }
            (headers_table(s))
            h3 { "Findings" }
            (findings_block(s))
            (after)
        }
    }
}

/// The summary across subjects: one row each, linked to its section; `state`, when given, is
/// one more column (its heading, then a cell per subject).
pub(crate) fn summary(
    what: &str,
    subjects: &[&Subject<'_>],
    state: Option<(&str, Vec<Markup>)>,
) -> Markup {
    let (state_head, cells) = match state {
        Some((h, c)) => (Some(h), c),
        None => (None, Vec::new()),
    };
    html! {
        table class="summary" {
            @if state_head.is_some() {
                (cols(&[40, 12, 12, 8, 10, 10, 8]))
            } @else {
                (cols(&[50, 12, 8, 10, 12, 8]))
            }
            thead {
                tr {
                    th { (what) }
                    @if let Some(h) = state_head { th { (h) } }
                    th { "Grade" } th class="num" { "Score" }
                    th class="num" { "Errors" } th class="num" { "Warnings" } th class="num" { "Infos" }
                }
            }
            tbody {
                @for (k, s) in subjects.iter().enumerate() {
                    @let t = tally(s.findings.iter().map(|f| f.severity));
                    tr {
                        td { a href=(format!("#{}", s.id)) title=(Text(s.name)) { (Text(s.name)) } }
                        @if state_head.is_some() { td { @if let Some(c) = cells.get(k) { (c) } } }
                        td { (badge(s.grade, true)) }
                        td class="num" { @if let Some(g) = s.grade { (g.score) } }
                        td class="num" { (t[0]) }
                        td class="num" { (t[1]) }
                        td class="num" { (t[2]) }
                    }
                }
            }
        }
    }
}

/// The lowest grade of several (none when none has one).
pub(crate) fn lowest<'a>(grades: impl Iterator<Item = Option<&'a Grade>>) -> Option<&'a Grade> {
    grades
        .flatten()
        .max_by_key(|g| crate::validate::grade::rank(g.letter))
}

/// A unified diff, its lines coloured.
pub(crate) fn unified_diff(text: &str) -> Markup {
    html! {
        pre class="diff" {
            @for line in text.split_inclusive('\n') {
                @let class = if line.starts_with("+++") || line.starts_with("---") {
                    ""
                } else if line.starts_with('+') {
                    "add"
                } else if line.starts_with('-') {
                    "del"
                } else if line.starts_with("@@") {
                    "hunk"
                } else {
                    ""
                };
                @if class.is_empty() { (Text(line)) } @else { span class=(class) { (Text(line)) } }
            }
        }
    }
}
