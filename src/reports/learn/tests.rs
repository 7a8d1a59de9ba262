//! Grouping, classification and proposals, one behaviour per test.

use super::*;
use crate::profile::csp;

fn report(page: &str, directive: &str, blocked: &str) -> Report {
    Report {
        document_uri: page.into(),
        effective_directive: directive.into(),
        blocked_uri: blocked.into(),
        ..Report::default()
    }
}

fn policy(text: &str) -> Vec<(String, Vec<String>)> {
    csp::parse(text)
        .into_iter()
        .map(|d| (d.name, d.values))
        .collect()
}

/// The policy after learning from `(directive, blocked)` reports on https://shop.example.
fn proposed(base: &str, reports: &[(&str, &str)]) -> String {
    let reports: Vec<Report> = reports
        .iter()
        .map(|(d, b)| report("https://shop.example/cart?id=7", d, b))
        .collect();
    let learned = learn(&reports, &LearnOptions::default());
    csp::render(&propose(&policy(base), &learned, Disposition::Enforce).after)
}

fn kind_of(blocked: &str, directive: &str) -> Blocked {
    classify(
        &report("https://shop.example/", directive, blocked),
        Some("https://shop.example"),
    )
}

#[test]
fn blocked_uris_are_classified() {
    assert_eq!(
        kind_of("https://cdn.example.com:8443/x.js", "script-src-elem"),
        Blocked::Origin("https://cdn.example.com:8443".into())
    );
    assert_eq!(kind_of("inline", "script-src-elem"), Blocked::Inline);
    assert_eq!(kind_of("", "style-src"), Blocked::Inline, "Safari");
    assert_eq!(kind_of("eval", "script-src"), Blocked::Eval);
    assert_eq!(kind_of("wasm-eval", "script-src"), Blocked::WasmEval);
    assert_eq!(kind_of("data", "img-src"), Blocked::Scheme("data:".into()));
    assert_eq!(
        kind_of("data:image/png;base64,iVBO", "img-src"),
        Blocked::Scheme("data:".into())
    );
    assert_eq!(
        kind_of("blob", "worker-src"),
        Blocked::Scheme("blob:".into())
    );
    assert_eq!(
        kind_of("blob:https://shop.example/1f2e", "media-src"),
        Blocked::Scheme("blob:".into())
    );
    for ext in [
        "chrome-extension://abcdef/content.js",
        "moz-extension://0c5b-77/x.css",
        "safari-web-extension://E2A1/inject.js",
        "chrome-extension",
    ] {
        assert!(
            matches!(kind_of(ext, "script-src-elem"), Blocked::Noise(_)),
            "{ext}"
        );
    }
    assert_eq!(
        kind_of("http://old.example/a.png", "img-src"),
        Blocked::Insecure("http://old.example".into())
    );
    assert_eq!(
        kind_of("self", "connect-src"),
        Blocked::Origin("https://shop.example".into())
    );
    assert!(matches!(
        kind_of("about:blank", "frame-src"),
        Blocked::Noise(_)
    ));
    assert!(matches!(
        kind_of("https://*/", "img-src"),
        Blocked::Noise(_)
    ));
    let mut injected = report("https://shop.example/", "script-src-elem", "inline");
    injected.source_file = Some("chrome-extension://abc/inject.js".into());
    assert_eq!(
        classify(&injected, Some("https://shop.example")),
        Blocked::Noise("chrome-extension:".into())
    );
}

#[test]
fn groups_count_and_keep_times_and_pages_apart_by_disposition() {
    let mut a = report(
        "https://shop.example/a?token=1",
        "img-src",
        "https://i.example/1.png",
    );
    a.received = Some("2026-11-30T10:00:00Z".into());
    let mut b = report(
        "https://shop.example/b",
        "img-src",
        "https://i.example/2.png",
    );
    b.received = Some("2026-11-30T12:00:00Z".into());
    let mut c = b.clone();
    c.disposition = Some("report".into());
    let d = report(
        "https://other.example/",
        "img-src",
        "https://i.example/3.png",
    );
    let learned = learn(
        &[a, b.clone(), b, c, d],
        &LearnOptions {
            site: Some("https://shop.example/".into()),
        },
    );
    assert_eq!((learned.total, learned.outside_site), (5, 1));
    assert_eq!(learned.groups.len(), 2);
    let g = &learned.groups[0];
    assert_eq!(g.disposition, Disposition::Enforce);
    assert_eq!(g.blocked, Blocked::Origin("https://i.example".into()));
    assert_eq!(g.count, 3);
    assert_eq!(
        g.pages,
        ["https://shop.example/a", "https://shop.example/b"]
    );
    assert_eq!(
        (g.first_seen, g.last_seen),
        (
            crate::reports::time::parse_rfc3339("2026-11-30T10:00:00Z"),
            crate::reports::time::parse_rfc3339("2026-11-30T12:00:00Z")
        )
    );
    assert_eq!(learned.groups[1].disposition, Disposition::Report);
    assert_eq!(learned.groups[1].count, 1);
}

#[test]
fn an_existing_directive_gets_the_origin() {
    assert_eq!(
        proposed(
            "default-src 'self'; img-src 'self' data:",
            &[("img-src", "https://img.example:8443/a/b.png?x")]
        ),
        "default-src 'self'; img-src 'self' data: https://img.example:8443"
    );
}

#[test]
fn an_absent_directive_starts_from_what_it_inherited() {
    assert_eq!(
        proposed(
            "default-src 'self' https://static.example; object-src 'none'",
            &[("font-src", "https://fonts.example/a.woff2")]
        ),
        "default-src 'self' https://static.example; object-src 'none'; font-src 'self' https://static.example https://fonts.example"
    );
}

#[test]
fn elem_and_attr_variants_go_to_their_parent() {
    assert_eq!(
        proposed(
            "default-src 'self'; script-src 'self'",
            &[("script-src-elem", "https://cdn.example/lib.js")]
        ),
        "default-src 'self'; script-src 'self' https://cdn.example"
    );
    assert_eq!(
        proposed(
            "default-src 'none'",
            &[("style-src-elem", "https://css.example/a.css")]
        ),
        "default-src 'none'; style-src https://css.example",
        "'none' is not inherited"
    );
    assert_eq!(
        proposed(
            "script-src-elem 'self'; script-src 'self'",
            &[("script-src-elem", "https://cdn.example/lib.js")]
        ),
        "script-src-elem 'self' https://cdn.example; script-src 'self'"
    );
}

#[test]
fn worker_and_frame_directives_follow_the_fallback_chain() {
    assert_eq!(
        proposed(
            "default-src 'self'; child-src 'self' https://embed.example",
            &[("frame-src", "https://video.example/embed/1")]
        ),
        "default-src 'self'; child-src 'self' https://embed.example; frame-src 'self' https://embed.example https://video.example"
    );
    assert_eq!(
        proposed("default-src 'self'", &[("worker-src", "blob")]),
        "default-src 'self'; worker-src 'self' blob:"
    );
}

#[test]
fn none_gives_way_and_self_is_self() {
    assert_eq!(
        proposed(
            "default-src 'self'; connect-src 'none'",
            &[
                ("connect-src", "https://shop.example/api"),
                ("connect-src", "wss://live.example/s")
            ]
        ),
        "default-src 'self'; connect-src 'self' wss://live.example"
    );
}

#[test]
fn what_is_allowed_or_unrestricted_changes_nothing() {
    let base = "default-src 'self'; img-src https: data:; script-src 'self' *.cdn.example https://x.example/lib/; frame-ancestors 'none'";
    assert_eq!(
        proposed(base, &[("img-src", "https://any.example/a.png")]),
        base
    );
    assert_eq!(proposed(base, &[("img-src", "data")]), base);
    assert_eq!(
        proposed(base, &[("script-src-elem", "https://a.cdn.example/x.js")]),
        base
    );
    assert_eq!(
        proposed(base, &[("form-action", "https://pay.example/")]),
        base
    );
    // A source with a path allows only that path: the origin is proposed.
    assert_eq!(
        proposed(base, &[("script-src-elem", "https://x.example/other.js")]),
        "default-src 'self'; img-src https: data:; script-src 'self' *.cdn.example https://x.example/lib/ https://x.example; frame-ancestors 'none'"
    );
    assert!(allows(
        &["https://a.example:*".into()],
        &Blocked::Origin("https://a.example:8443".into()),
        false,
        false
    ));
    assert!(!allows(
        &["https://a.example".into()],
        &Blocked::Origin("https://a.example:8443".into()),
        false,
        false
    ));
    assert!(allows(
        &["http://a.example".into()],
        &Blocked::Origin("https://a.example".into()),
        false,
        false
    ));
    assert!(!allows(
        &["*".into()],
        &Blocked::Scheme("data:".into()),
        false,
        false
    ));
    assert!(allows(
        &["https:".into()],
        &Blocked::Origin("wss://a.example".into()),
        false,
        false
    ));
}

#[test]
fn inline_eval_and_noise_are_never_proposed() {
    let base = "default-src 'self'";
    let reports = [
        ("script-src-elem", "inline"),
        ("script-src-attr", "inline"),
        ("script-src", "eval"),
        ("script-src", "wasm-eval"),
        ("script-src-elem", "data"),
        ("object-src", "blob"),
        ("img-src", "chrome-extension://x/y.png"),
        ("img-src", "http://plain.example/a.png"),
    ];
    assert_eq!(proposed(base, &reports), base);
    let out = proposed("default-src 'self' 'unsafe-inline'", &reports);
    assert!(!out.contains("unsafe-eval"), "{out}");
}

#[test]
fn strict_dynamic_ignores_hosts() {
    let reports = [report(
        "https://shop.example/",
        "script-src-elem",
        "https://cdn.example/a.js",
    )];
    let learned = learn(&reports, &LearnOptions::default());
    let p = policy("script-src 'nonce-abc' 'strict-dynamic'; object-src 'none'");
    assert!(
        matches!(status(&p, &learned.groups[0]), Status::WayOut(w) if w.contains("'strict-dynamic'"))
    );
    assert!(propose(&p, &learned, Disposition::Enforce).is_empty());
}

#[test]
fn only_the_asked_disposition_is_proposed() {
    let mut r = report(
        "https://shop.example/",
        "img-src",
        "https://i.example/a.png",
    );
    r.disposition = Some("report".into());
    let learned = learn(&[r], &LearnOptions::default());
    let p = policy("default-src 'self'");
    assert!(propose(&p, &learned, Disposition::Enforce).is_empty());
    assert_eq!(propose(&p, &learned, Disposition::Report).changes.len(), 1);
}

#[test]
fn sample_hashes_only_for_whole_samples() {
    assert_eq!(
        sha256_source("alert('Hello, world.');"),
        "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    );
    assert_eq!(
        sample_hash("console.log('csp')").as_deref(),
        Some("'sha256-ESNWqS1dLHiT0Xek+sLOsA2twao9BRoOWlscdShmjJo='")
    );
    let cut = "window.dataLayer = window.dataLayer || [";
    assert_eq!(cut.len(), 40);
    assert_eq!(sample_hash(cut), None);
    let mut r = report("https://shop.example/", "script-src-elem", "inline");
    r.script_sample = Some(cut.into());
    let mut whole = r.clone();
    whole.script_sample = Some("console.log('csp')".into());
    let learned = learn(&[r, whole], &LearnOptions::default());
    let advice = way_out(&learned.groups[0]);
    assert!(advice.contains("cut at 40 characters"), "{advice}");
    assert!(
        advice.contains("'sha256-ESNWqS1dLHiT0Xek+sLOsA2twao9BRoOWlscdShmjJo='"),
        "{advice}"
    );
    assert!(advice.contains("nonce"), "{advice}");
}

#[test]
fn the_reported_policy_is_the_most_frequent() {
    let mut a = report("https://shop.example/", "img-src", "x");
    a.original_policy = Some("default-src 'self'".into());
    let mut b = a.clone();
    b.original_policy = Some("default-src 'none'".into());
    assert_eq!(
        reported_policy(&[a.clone(), b, a], Disposition::Enforce).as_deref(),
        Some("default-src 'self'")
    );
}
