//! `webxsl check --format html`: per file of the manifest whether it is what `webxsl.toml`
//! makes of it (and the diff `webxsl sync` would write when not), the `min-grade`s it misses,
//! then its grade, headers and findings as in the validate page; a summary across files.
//!
//! The findings are the file's report with the manifest's own failures first
//! (`manifest-drift`, `grade-below-minimum`), as the JSON and SARIF reports give them: the
//! command line builds that report and hands it here with the check.

use maud::{Markup, html};

use super::Text;
use super::parts::{self, Subject};
use crate::manifest::FileCheck;
use crate::validate::FileReport;

/// One file of a check.
#[derive(Clone, Copy, Debug)]
pub struct Checked<'a> {
    /// What the manifest made of the file.
    pub check: &'a FileCheck,
    /// Its report, with the manifest's own findings first.
    pub report: &'a FileReport,
    /// The unified diff from the file to what the manifest makes of it, when they differ.
    pub diff: Option<&'a str>,
}

/// The page of a check: `manifest` is the manifest as shown to the user.
pub fn page(manifest: &str, files: &[Checked<'_>]) -> String {
    let subjects: Vec<Subject<'_>> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut s = super::validate::subject(i, f.report);
            s.name = &f.check.path;
            s
        })
        .collect();
    let failing = files.iter().filter(|f| f.check.failed()).count();
    let drifted = files.iter().filter(|f| f.check.drifted()).count();
    let title = format!("webxsl check: {manifest}");
    let states: Vec<Markup> = files.iter().map(|f| state(f.check)).collect();
    let body = html! {
        h1 { "Security headers report: " code { (Text(manifest)) } }
        p class="muted" {
            (parts::plural(files.len(), "file")) " checked by "
            code { "webxsl check" } ": " (drifted) " not up to date, " (failing) " failing."
        }
        (parts::summary("File", &subjects.iter().collect::<Vec<_>>(), Some(("Check", states))))
        @for (s, f) in subjects.iter().zip(files) {
            (parts::section(s, verdict(f.check), changes(f.diff)))
        }
    };
    super::page(&title, body)
}

/// A short verdict for the summary.
fn state(c: &FileCheck) -> Markup {
    html! {
        @if c.error.is_some() {
            span class="st-missing" { "✗ error" }
        } @else if c.failed() {
            span class="st-missing" { "✗ failing" }
        } @else {
            span class="st-set" { "✓ passes" }
        }
    }
}

/// The manifest's verdict on a file: entries, up to date or not, error, grades missed.
fn verdict(c: &FileCheck) -> Markup {
    let entries: Vec<String> = c.entries.iter().map(ToString::to_string).collect();
    html! {
        p {
            "[[apply]] entr" (if entries.len() == 1 { "y " } else { "ies " }) (entries.join(", ")) ". "
            @if let Some(e) = &c.error {
                span class="st-missing" { "Could not be computed: " } (Text(e))
            } @else if c.drifted() {
                span class="st-missing" { "✗ Not what the manifest makes of it" }
                " (" code { "webxsl sync" } " writes it: the diff is below)."
            } @else {
                span class="st-set" { "✓ Up to date." }
            }
        }
        @for (entry, want) in &c.below {
            p class="minus" {
                "Grade " (c.report.grade.as_ref().map_or("F", |g| g.letter))
                " is below min-grade " (Text(want)) " of [[apply]] entry " (entry) "."
            }
        }
    }
}

/// The diff sync would write.
fn changes(diff: Option<&str>) -> Markup {
    html! {
        @if let Some(d) = diff {
            details open {
                summary { "What " code { "webxsl sync" } " would change" }
                (parts::unified_diff(d))
            }
        }
    }
}
