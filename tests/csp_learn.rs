//! `webxsl csp learn` through the real binary, on the recorded reports of tests/reports/ (one
//! line per file in its README): grouping, the proposal as a diff, `--write` keeping every byte
//! it does not change, and the updated profile applied and validated.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use support::{root, run, stderr, stdout, temp_dir, webxsl};

fn corpus(name: &str) -> String {
    root()
        .join("tests/reports")
        .join(name)
        .display()
        .to_string()
}

/// Every report file of the corpus (a glob, expanded by webxsl) and the log.
fn inputs() -> Vec<String> {
    vec![
        root().join("tests/reports/*.json*").display().to_string(),
        corpus("collector.log"),
    ]
}

fn learn(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["csp", "learn"];
    let inputs = inputs();
    args.extend(inputs.iter().map(String::as_str));
    args.extend(extra);
    run(&args)
}

fn learn_json(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    let o = learn(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

/// The group of `directive` and `blocked` in the JSON output.
fn group<'a>(out: &'a Value, disposition: &str, directive: &str, blocked: &str) -> &'a Value {
    out["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["disposition"] == disposition
                && g["directive"] == directive
                && g["blocked"] == blocked
        })
        .unwrap_or_else(|| panic!("no group {disposition} {directive} {blocked} in {out:#}"))
}

/// The lines the site's profile gets, in the order the diff shows them.
const ADDED: [&str; 6] = [
    "Content-Security-Policy-Report-Only = \"default-src 'self'; style-src 'self' https://fonts.googleapis.example; report-uri /csp-reports\"",
    "    \"https://cdn.jsdelivr.example:8443\",",
    "img-src = [\"'self'\", \"data:\", \"https://images.cdn-shop.example\"]",
    "connect-src = [\"'self'\", \"wss://live.shop-chat.example\"]",
    "font-src = [\"'self'\", \"https://fonts.gstatic.example\"]",
    "style-src = [\"'self'\", \"https://fonts.googleapis.example\"]",
];

/// The lines of the profile that change.
const REMOVED: [&str; 2] = [
    "Content-Security-Policy-Report-Only = \"default-src 'self'; style-src 'self'; report-uri /csp-reports\"",
    "img-src = [\"'self'\", \"data:\"]",
];

#[test]
fn human_output_groups_reports_and_shows_the_profile_diff() {
    let profile = corpus("profile.toml");
    let o = learn(&[
        "--profile",
        &profile,
        "--site",
        "https://shop.example.com",
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("19 reports from 5 inputs, 2 bad lines (on stderr), 1 outside https://shop.example.com, 1 report of other types skipped\n"),
        "{out}"
    );
    for line in [
        "enforced (Content-Security-Policy):",
        "  img-src  https://images.cdn-shop.example  (3 reports, 2026-11-30T09:58:01.120Z .. 2026-11-30T10:01:12.000Z)",
        "      pages: https://shop.example.com/product/42, https://shop.example.com/product/7, https://shop.example.com/cart",
        "      -> add https://images.cdn-shop.example to img-src",
        "      -> add https://cdn.jsdelivr.example:8443 to script-src",
        "      -> add font-src with https://fonts.gstatic.example, starting from the sources it inherited from default-src",
        "      -> already allowed by img-src (the reports come from an older policy)",
        "report-only (Content-Security-Policy-Report-Only):",
        "      -> add https://fonts.googleapis.example to style-src",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    // Inline code: the hash of the whole sample, and why the cut one has none.
    assert!(
        out.contains("add 'sha256-ESNWqS1dLHiT0Xek+sLOsA2twao9BRoOWlscdShmjJo=' to script-src"),
        "{out}"
    );
    assert!(
        out.contains("is cut at 40 characters, so no hash can be computed from it"),
        "{out}"
    );
    // Extensions and mixed content apart; default-src-only reports not guessed at.
    assert!(out.contains("  script-src-elem  safari-web-extension:  (1 report)\n      pages: https://shop.example.com/\n      -> not proposed: a browser extension"), "{out}");
    assert!(out.contains("  img-src  http://tracker.example  (1 report)\n      pages: https://shop.example.com/about\n      -> not proposed: http://tracker.example over plain HTTP"), "{out}");
    assert!(out.contains("  default-src  https://fonts.googleapis.example  (1 report)\n      pages: https://shop.example.com/\n      -> not proposed: the browser names only default-src"), "{out}");
    // The diff of the profile: exactly the lines the change needs.
    let diff = &out[out.find("--- a/").expect("a diff")..];
    let removed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .map(|l| &l[1..])
        .collect();
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| &l[1..])
        .collect();
    assert_eq!(removed, REMOVED, "{diff}");
    assert_eq!(added, ADDED, "{diff}");
    assert!(!diff.contains("unsafe-"), "{diff}");
    // Bad lines: on stderr, with file and line; not fatal.
    let err = stderr(&o);
    let log = corpus("collector.log");
    assert!(
        err.contains(&format!("{log}:3:1: warning: no JSON on this line")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{log}:4:1: warning: malformed JSON at column 217")),
        "{err}"
    );
}

#[test]
fn json_output_has_groups_statuses_and_proposals() {
    let out = learn_json(&["--profile", &corpus("profile.toml")]);
    assert_eq!(out["reports"], 19);
    assert_eq!(out["outside-site"], 0);
    assert_eq!(out["other-types"], 1);
    assert_eq!(out["written"], false);
    let bad: Vec<(String, u64)> = out["bad-lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["file"].as_str().unwrap().to_owned(),
                b["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bad,
        vec![(corpus("collector.log"), 3), (corpus("collector.log"), 4)]
    );

    let g = group(
        &out,
        "enforce",
        "script-src-elem",
        "https://cdn.jsdelivr.example:8443",
    );
    assert_eq!(g["kind"], "origin");
    assert_eq!(g["count"], 1);
    assert_eq!(
        g["pages"][0], "https://shop.example.com/product/42",
        "no query in pages"
    );
    assert_eq!(g["status"]["action"], "add");
    assert_eq!(g["status"]["directive"], "script-src");
    let g = group(
        &out,
        "enforce",
        "connect-src",
        "wss://live.shop-chat.example",
    );
    assert_eq!(g["status"]["created-from"], "default-src");
    let g = group(&out, "enforce", "script-src-elem", "inline");
    assert_eq!(g["kind"], "inline");
    assert_eq!(g["status"]["action"], "way-out");
    assert_eq!(g["samples"].as_array().unwrap().len(), 2);
    assert_eq!(
        group(&out, "enforce", "script-src", "eval")["status"]["action"],
        "way-out"
    );
    assert_eq!(
        group(&out, "enforce", "script-src", "wasm-eval")["kind"],
        "wasm-eval"
    );
    assert_eq!(
        group(&out, "enforce", "style-src-elem", "moz-extension:")["kind"],
        "noise"
    );
    assert_eq!(
        group(&out, "enforce", "img-src", "data:")["status"]["action"],
        "allowed"
    );
    // Another site's report is there without --site.
    let g = group(&out, "enforce", "img-src", "https://ads.example");
    assert_eq!(g["pages"][0], "https://blog.example.com/post/1");
    // The Reporting API batch: time is the collector's minus the report's age; none here.
    assert_eq!(
        group(&out, "report", "style-src-attr", "inline")["first-seen"],
        Value::Null
    );

    let proposals = out["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 2);
    assert_eq!(proposals[0]["header"], "Content-Security-Policy");
    assert_eq!(proposals[0]["from"], "profile");
    assert_eq!(
        proposals[0]["after"],
        "default-src 'self'; script-src 'self' https://js.payments.example https://cdn.jsdelivr.example:8443; img-src 'self' data: https://images.cdn-shop.example https://ads.example; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; report-uri /csp-reports; connect-src 'self' wss://live.shop-chat.example; font-src 'self' https://fonts.gstatic.example; style-src 'self' https://fonts.googleapis.example"
    );
    assert_eq!(
        proposals[1]["header"],
        "Content-Security-Policy-Report-Only"
    );
    assert!(out["diff"].as_str().unwrap().contains("+img-src = "));
}

#[test]
fn site_keeps_only_that_origins_pages() {
    let out = learn_json(&["--site", "https://shop.example.com/"]);
    assert_eq!(out["outside-site"], 1);
    assert!(
        !out["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["blocked"] == "https://ads.example"),
        "{out:#}"
    );
    let o = learn(&["--site", "shop.example.com"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--site shop.example.com: not an origin"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn without_a_profile_the_reports_policy_is_changed() {
    let o = run(&["csp", "learn", &corpus("firefox-csp-report.jsonl")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("proposed Content-Security-Policy (the reports' original-policy, changed):\n  default-src 'self'; script-src 'self' https://js.payments.example; img-src 'self' data: https://images.cdn-shop.example; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; report-uri https://shop.example.com/csp-reports; connect-src 'self' wss://live.shop-chat.example; font-src 'self' https://fonts.gstatic.example; style-src 'self' https://fonts.googleapis.example\n"),
        "{out}"
    );
}

#[test]
fn standard_input_is_read_when_no_file_is_given() {
    let mut child = webxsl()
        .args(["csp", "learn", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = std::fs::read(corpus("chrome-reporting-api.json")).unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&body).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["inputs"][0], "<stdin>");
    assert_eq!(out["reports"], 5);
    assert_eq!(out["other-types"], 1);
}

fn copy_profile(dir: &Path) -> PathBuf {
    let p = dir.join("profile.toml");
    std::fs::copy(corpus("profile.toml"), &p).unwrap();
    p
}

#[test]
fn write_edits_the_profile_and_keeps_every_other_byte() {
    let dir = temp_dir("csp-learn-write");
    let p = copy_profile(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let before = std::fs::read_to_string(&p).unwrap();
    let o = learn(&[
        "--profile",
        p.to_str().unwrap(),
        "--write",
        "--site",
        "https://shop.example.com",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("--- a/"), "no diff with --write");
    assert!(
        stderr(&o).contains("Content-Security-Policy updated"),
        "{}",
        stderr(&o)
    );
    let after = std::fs::read_to_string(&p).unwrap();
    // Every line of the old profile but the two that change is still there, in order, and the
    // new lines are exactly the proposal's.
    let diff = similar::TextDiff::from_lines(&before, &after);
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for c in diff.iter_all_changes() {
        let line = c.value().strip_suffix('\n').unwrap_or(c.value()).to_owned();
        match c.tag() {
            similar::ChangeTag::Delete => removed.push(line),
            similar::ChangeTag::Insert => added.push(line),
            similar::ChangeTag::Equal => {}
        }
    }
    assert_eq!(removed, REMOVED);
    assert_eq!(added, ADDED);
    assert!(after.contains("    \"https://js.payments.example\", # checkout\n    \"https://cdn.jsdelivr.example:8443\",\n]"), "{after}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "permissions kept");
    }
    // Learning again from the same reports changes nothing: they are all allowed now.
    let o = learn(&[
        "--profile",
        p.to_str().unwrap(),
        "--write",
        "--site",
        "https://shop.example.com",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("\nno change to propose\n"),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), after);
}

/// `(rule, severity, message)` of every finding of `validate --format json` on a config.
fn findings(config: &str) -> (Vec<(String, String, String)>, Value) {
    let o = run(&["validate", "--format", "json", config]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let file = &v["files"][0];
    let mut f: Vec<(String, String, String)> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    f.sort();
    (f, file["grade"].clone())
}

fn applied(profile: &Path, dir: &Path, name: &str) -> String {
    let sample = root().join("samples/aspnet-mvc/web.config");
    let out = dir.join(name);
    let o = run(&[
        "apply",
        "--profile",
        profile.to_str().unwrap(),
        sample.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out.display().to_string()
}

#[test]
fn the_updated_profile_applies_and_validates_with_no_new_finding() {
    let dir = temp_dir("csp-learn-validate");
    let p = copy_profile(&dir);
    let (before, grade_before) = findings(&applied(&p, &dir, "before.config"));
    let o = learn(&["--profile", p.to_str().unwrap(), "--write"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let updated = applied(&p, &dir, "after.config");
    let text = std::fs::read_to_string(&updated).unwrap();
    assert!(text.contains("https://images.cdn-shop.example"), "{text}");
    let (after, grade_after) = findings(&updated);
    assert_eq!(grade_after, grade_before);
    let new_sources = [
        "https://cdn.jsdelivr.example:8443",
        "https://images.cdn-shop.example",
        "https://ads.example",
        "wss://live.shop-chat.example",
        "https://fonts.gstatic.example",
        "https://fonts.googleapis.example",
    ];
    for f in &after {
        if !before.contains(f) {
            assert!(
                new_sources.iter().any(|s| f.2.contains(s)),
                "a finding that is not about a new source: {f:?}"
            );
        }
    }
    for f in &before {
        assert!(after.contains(f), "a finding went away: {f:?}");
    }
}

#[test]
fn json_profiles_get_the_policy_not_an_edit() {
    let dir = temp_dir("csp-learn-json-profile");
    let p = dir.join("p.json");
    std::fs::write(
        &p,
        r#"{"name": "j", "headers": {"Content-Security-Policy": "default-src 'self'"}}"#,
    )
    .unwrap();
    let reports = corpus("chrome-csp-report.json");
    let o = run(&["csp", "learn", &reports, "--profile", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("proposed Content-Security-Policy (the profile's, changed):\n  default-src 'self'; script-src 'self' https://cdn.jsdelivr.example:8443\n"),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "csp",
        "learn",
        &reports,
        "--profile",
        p.to_str().unwrap(),
        "--write",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("only TOML profiles can be edited in place"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_and_input_errors_exit_2() {
    let o = run(&["csp", "learn", "--write"]);
    assert_eq!(o.status.code(), Some(2), "--write needs --profile");
    let o = run(&["csp", "learn", "tests/reports/no-such-file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-such-file.json: error: cannot read"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "csp",
        "learn",
        &root().join("tests/reports/*.nothing").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let dir = temp_dir("csp-learn-bad-profile");
    let p = dir.join("p.toml");
    std::fs::write(
        &p,
        "[headers.Content-Security-Policy]\nscirpt-src = [\"'self'\"]\n",
    )
    .unwrap();
    let o = run(&[
        "csp",
        "learn",
        &corpus("chrome-csp-report.json"),
        "--profile",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("p.toml:2:1: error: unknown Content-Security-Policy directive"),
        "{}",
        stderr(&o)
    );
}
