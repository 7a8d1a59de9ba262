//! `webxsl validate --format html`: a summary across files, then per file the grade, the
//! security headers the application sends and the findings, from validate's [`FileReport`]s.
//!
//! A header row's findings are the report's own: the value rules validate ran on that `<add>`
//! ([`values::check_header`], a pure function of name and value) name the rule and message,
//! and the row links to the report's finding with that rule and message; a `missing-header`
//! finding goes to the row of the header it names.

use maud::html;

use super::parts::{self, FindingView, Subject};
use crate::validate::FileReport;
use crate::validate::values;

/// The page of a validation run.
pub fn page(reports: &[FileReport]) -> String {
    let subjects: Vec<Subject<'_>> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| subject(i, r))
        .collect();
    let t = parts::tally(
        reports
            .iter()
            .flat_map(|r| r.findings.iter().map(|f| f.severity)),
    );
    let title = match reports {
        [one] => format!("webxsl validate: {}", one.path),
        _ => format!("webxsl validate: {} files", reports.len()),
    };
    let body = html! {
        h1 { "Security headers report" }
        p class="muted" {
            (parts::plural(reports.len(), "file")) " checked by "
            code { "webxsl validate" } ": " (parts::tally_text(t)) "."
        }
        (parts::summary("File", &subjects.iter().collect::<Vec<_>>(), None))
        @for s in &subjects {
            (parts::section(s, html! {}, html! {}))
        }
    };
    super::page(&title, body)
}

/// One file as a [`Subject`].
pub(crate) fn subject(i: usize, r: &FileReport) -> Subject<'_> {
    let findings: Vec<FindingView<'_>> = r
        .findings
        .iter()
        .map(|f| {
            FindingView::new(
                f.rule,
                f.severity,
                &f.message,
                &f.hint,
                &r.path,
                Some((f.pos, &r.text)),
            )
        })
        .collect();
    // Each finding belongs to one row at most.
    let claimed = std::cell::RefCell::new(vec![false; findings.len()]);
    let of_header = |h: usize| {
        let (name, value) = &r.headers[h];
        let mut mine = Vec::new();
        values::check_header(name, value, &mut |rule, _, message| {
            let mut claimed = claimed.borrow_mut();
            if let Some(i) = r
                .findings
                .iter()
                .enumerate()
                .position(|(i, f)| !claimed[i] && f.rule == rule && f.message == message)
            {
                claimed[i] = true;
                mine.push(i);
            }
        });
        mine
    };
    Subject {
        id: format!("s{}", i + 1),
        name: &r.path,
        grade: r.grade.as_ref(),
        no_grade: "the file is not well-formed XML".into(),
        headers: parts::header_rows(&r.headers, &findings, of_header),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{ValidateOptions, validate};

    const CONFIG: &str = r#"<configuration><system.webServer><httpProtocol><customHeaders>
  <add name="X-Frame-Options" value="ALLOWALL"/>
  <add name="X-Generator" value="é 日本 &lt;b&gt;"/>
</customHeaders></httpProtocol></system.webServer></configuration>"#;

    #[test]
    fn rows_link_the_findings_of_their_header() {
        let r = validate("web.config", CONFIG.as_bytes(), &ValidateOptions::default());
        let s = subject(0, &r);
        let names: Vec<&str> = s.headers.iter().map(|h| h.name).collect();
        assert_eq!(
            names,
            [
                "Strict-Transport-Security",
                "Content-Security-Policy",
                "X-Content-Type-Options",
                "X-Frame-Options",
                "Referrer-Policy",
                "Permissions-Policy",
                "X-Generator"
            ]
        );
        let xfo = &s.headers[3];
        assert_eq!(xfo.status, parts::Status::Set);
        assert_eq!(
            xfo.findings
                .iter()
                .map(|&i| s.findings[i].rule)
                .collect::<Vec<_>>(),
            ["xfo-invalid"]
        );
        assert_eq!(s.headers[0].status, parts::Status::Missing);
        assert_eq!(s.findings[s.headers[0].findings[0]].rule, "missing-header");
        assert_eq!(s.headers[6].status, parts::Status::Sent);
        assert!(s.headers[6].findings.is_empty());
    }

    #[test]
    fn the_page_escapes_and_keeps_non_ascii() {
        let r = validate(
            "a<b>.config",
            CONFIG.as_bytes(),
            &ValidateOptions::default(),
        );
        let p = page(&[r]);
        assert!(p.contains("é 日本 &lt;b&gt;"), "{p}");
        assert!(p.contains("a&lt;b&gt;.config:2:"), "{p}");
        assert!(!p.contains("日本 <b>"));
        assert!(p.contains("href=\"#s1-f"));
    }
}
