//! Profile edits: before and after as whole text.

use super::*;

fn add(directive: &str, sources: &[&str]) -> Change {
    Change {
        directive: directive.into(),
        add: sources.iter().map(|s| s.to_string()).collect(),
        created_from: None,
        base: Vec::new(),
    }
}

fn create(directive: &str, from: &str, base: &[&str], sources: &[&str]) -> Change {
    Change {
        created_from: Some(from.into()),
        base: base.iter().map(|s| s.to_string()).collect(),
        ..add(directive, sources)
    }
}

fn csp(text: &str, changes: Vec<Change>) -> String {
    edit(
        text,
        "p.toml",
        &[("Content-Security-Policy".to_owned(), changes)],
    )
    .unwrap()
}

#[test]
fn the_string_form_gets_sources_spliced_in() {
    let given = "# site policy\nname = \"site\"\n\n[headers]\nX-Frame-Options = \"DENY\"   # old browsers\nContent-Security-Policy = \"default-src 'self';  img-src 'self' data:; object-src 'none';\"  # keep\n";
    let out = csp(
        given,
        vec![
            add("img-src", &["https://img.example"]),
            create(
                "font-src",
                "default-src",
                &["'self'"],
                &["https://fonts.example"],
            ),
            add("object-src", &["https://plugins.example"]),
        ],
    );
    assert_eq!(
        out,
        "# site policy\nname = \"site\"\n\n[headers]\nX-Frame-Options = \"DENY\"   # old browsers\nContent-Security-Policy = \"default-src 'self';  img-src 'self' data: https://img.example; object-src https://plugins.example; font-src 'self' https://fonts.example;\"  # keep\n"
    );
}

#[test]
fn splicing_keeps_every_other_byte() {
    assert_eq!(
        splice_policy(
            " default-src 'self' ;script-src 'self'",
            &[
                add("script-src", &["https://a.example"]),
                create("img-src", "default-src", &["'self'"], &["data:"]),
                add("default-src", &["https://b.example"]),
            ]
        ),
        " default-src 'self' https://b.example ;script-src 'self' https://a.example; img-src 'self' data:"
    );
    assert_eq!(
        splice_policy("", &[create("img-src", "default-src", &[], &["data:"])]),
        "img-src data:"
    );
}

#[test]
fn the_table_form_gets_items_formatted_like_their_neighbours() {
    let given = r#"name = "site"

[headers.Content-Security-Policy]   # the policy
default-src = ["'self'"]
# scripts: keep this list short
script-src = [
    "'self'",
    "https://cdn.example", # our CDN
]
style-src = ['https://css.example' ]
object-src = ["'none'"]
upgrade-insecure-requests = []

[cookies]
# a comment before the next table
require-ssl = true
"#;
    let out = csp(
        given,
        vec![
            add("script-src", &["https://analytics.example"]),
            add("style-src", &["https://fonts.example", "'self'"]),
            add("object-src", &["https://plugins.example"]),
            create(
                "img-src",
                "default-src",
                &["'self'"],
                &["https://img.example"],
            ),
        ],
    );
    assert_eq!(
        out,
        r#"name = "site"

[headers.Content-Security-Policy]   # the policy
default-src = ["'self'"]
# scripts: keep this list short
script-src = [
    "'self'",
    "https://cdn.example", # our CDN
    "https://analytics.example",
]
style-src = ['https://css.example', 'https://fonts.example', "'self'" ]
object-src = ["https://plugins.example"]
upgrade-insecure-requests = []
img-src = ["'self'", "https://img.example"]

[cookies]
# a comment before the next table
require-ssl = true
"#
    );
}

#[test]
fn inline_tables_and_word_strings() {
    let given =
        "[headers]\nContent-Security-Policy = { default-src = \"'self'\", img-src = true }\n";
    let out = csp(
        given,
        vec![
            add("default-src", &["https://a.example"]),
            add("img-src", &["data:"]),
            create(
                "font-src",
                "default-src",
                &["'self'"],
                &["https://f.example"],
            ),
        ],
    );
    assert_eq!(
        out,
        "[headers]\nContent-Security-Policy = { default-src = \"'self' https://a.example\", img-src = [\"data:\"], font-src = [\"'self'\", \"https://f.example\"] }\n"
    );
}

#[test]
fn report_only_headers_and_errors() {
    let given = "[headers]\nContent-Security-Policy-Report-Only = \"default-src 'self'\"\n";
    let out = edit(
        given,
        "p.toml",
        &[(
            "content-security-policy-report-only".to_owned(),
            vec![create("img-src", "default-src", &["'self'"], &["data:"])],
        )],
    )
    .unwrap();
    assert_eq!(
        out,
        "[headers]\nContent-Security-Policy-Report-Only = \"default-src 'self'; img-src 'self' data:\"\n"
    );
    let e = edit(
        given,
        "p.toml",
        &[(
            "Content-Security-Policy".to_owned(),
            vec![add("img-src", &["data:"])],
        )],
    )
    .unwrap_err();
    assert_eq!(e, EditError::NoHeader("Content-Security-Policy".into()));
    let e = edit("{\"headers\": {}}", "p.json", &[]).unwrap_err();
    assert_eq!(e, EditError::Json);
    let e = edit("[headers]\nX = 1\n", "p.toml", &[]).unwrap_err();
    let d = e.to_diagnostic("p.toml", "[headers]\nX = 1\n");
    assert_eq!(d.pos.map(|p| p.line), Some(2), "{d:?}");
}

#[test]
fn the_target_of_report_only_reports() {
    let p = profile::parse(
        "[headers]\nContent-Security-Policy = \"default-src 'self'\"\n",
        false,
        None,
    )
    .unwrap();
    assert_eq!(
        target(&p, Disposition::Report).map(|t| t.header),
        Some("Content-Security-Policy".into())
    );
    let p = profile::parse(
        "[headers]\nContent-Security-Policy = \"default-src 'self'\"\n[headers.Content-Security-Policy-Report-Only]\ndefault-src = [\"'none'\"]\n",
        false,
        None,
    )
    .unwrap();
    let t = target(&p, Disposition::Report).unwrap();
    assert_eq!(t.header, "Content-Security-Policy-Report-Only");
    assert_eq!(
        t.policy,
        vec![("default-src".to_owned(), vec!["'none'".to_owned()])]
    );
}

/// From reports to the edited profile, for both forms of the same policy.
fn learned_edit(profile_text: &str) -> String {
    use crate::reports::{Report, learn};
    let report = |directive: &str, blocked: &str| Report {
        document_uri: "https://shop.example/".into(),
        effective_directive: directive.into(),
        blocked_uri: blocked.into(),
        ..Report::default()
    };
    let reports = [
        report("script-src-elem", "https://cdn.example:8443/lib.js"),
        report("img-src", "https://img.example/a.png"),
        report("script-src-elem", "inline"),
    ];
    let learned = learn::learn(&reports, &learn::LearnOptions::default());
    let profile = profile::parse(profile_text, false, None).unwrap();
    let t = target(&profile, Disposition::Enforce).unwrap();
    let p = learn::propose(&t.policy, &learned, Disposition::Enforce);
    edit(profile_text, "p.toml", &[(t.header, p.changes)]).unwrap()
}

#[test]
fn the_proposal_lands_in_either_form() {
    assert_eq!(
        learned_edit(
            "[headers]\nContent-Security-Policy = \"default-src 'self'; script-src 'self'\"\n"
        ),
        "[headers]\nContent-Security-Policy = \"default-src 'self'; script-src 'self' https://cdn.example:8443; img-src 'self' https://img.example\"\n"
    );
    assert_eq!(
        learned_edit(
            "[headers.Content-Security-Policy]\ndefault-src = [\"'self'\"]\nscript-src = [\"'self'\"]\n"
        ),
        "[headers.Content-Security-Policy]\ndefault-src = [\"'self'\"]\nscript-src = [\"'self'\", \"https://cdn.example:8443\"]\nimg-src = [\"'self'\", \"https://img.example\"]\n"
    );
}
