//! `--format html` and `--badge` through the real binary (issue #20): the validate, diff, probe
//! and check pages of the bundled samples (probe against a server on 127.0.0.1 port 0) parse as
//! HTML5 without a single error, are self-contained and inert (one hashed inline stylesheet
//! under a strict CSP, only the elements and attributes the renderer writes, no script, no URL
//! but in-page anchors), and hold the grades, header rows and findings of the reports they show;
//! hostile header values, names and file names stay text in the page and in the SVG badge.
//!
//! Then headless Chromium loads each page from a file:// URL: its DOM holds the same grades and
//! rows, its log shows no console message or blocked resource (a page with a blocked image
//! shows that the check can fail), and a screenshot is produced. Without Chromium those parts
//! are skipped with a message, unless `CI` is set (tests/html_report/browser.rs).

#[path = "html_report/browser.rs"]
mod browser;
#[path = "html_report/dom.rs"]
mod dom;
#[allow(dead_code)]
#[path = "probe/server.rs"]
mod server;
mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use dom::El;
use sha2::{Digest as _, Sha256};
use support::{stderr, temp_dir, webxsl};
use webxsl::validate::values::RECOMMENDED;
use webxsl::validate::{FileReport, ValidateOptions, validate};

/// The elements the renderer writes: anything else in a page came from the input.
const ELEMENTS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "footer", "h1", "h2", "h3", "p", "table",
    "colgroup", "col", "thead", "tbody", "tr", "th", "td", "code", "span", "b", "a", "div",
    "section", "pre", "mark", "details", "summary", "br",
];

/// The attributes the renderer writes.
const ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "class",
    "id",
    "href",
    "title",
    "role",
    "aria-label",
    "aria-hidden",
    "colspan",
    "open",
];

/// Header values and names that try to leave their text or attribute context.
const HOSTILE: &[&str] = &[
    "\"><script>alert(1)</script>",
    "' onmouseover='alert(1)' x='",
    "\" autofocus onfocus=\"alert(1)\" x=\"",
    "<img src=x onerror=alert(1)>",
    "</code></td></tr></table><script>alert(2)</script>",
    "é 日本 « » ünïcödé",
];

fn run(args: &[&str]) -> Output {
    webxsl().args(args).output().expect("run webxsl")
}

fn text_of(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("the page is UTF-8")
}

/// Writes a page and returns its path.
fn save(dir: &Path, name: &str, page: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, page).unwrap();
    p
}

/// Everything a page must be whatever it shows: HTML5 without a parse error; `lang`, charset
/// first, the CSP before the one stylesheet, whose hash it names; a viewport and a title; only
/// the renderer's elements and attributes, no event handler, no URL but in-page anchors; no
/// control character. Returns the parsed page.
fn assert_page(page: &str) -> El {
    let root = dom::parse_clean(page);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(root.attr("lang"), Some("en"));
    let head = &root.named("head")[0];
    let metas = head.named("meta");
    assert_eq!(
        metas[0].attr("charset"),
        Some("utf-8"),
        "charset comes first"
    );
    let csp = metas
        .iter()
        .find(|m| m.attr("http-equiv") == Some("Content-Security-Policy"))
        .and_then(|m| m.attr("content"))
        .expect("a CSP meta");
    let styles = root.named("style");
    assert_eq!(styles.len(), 1, "one stylesheet");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(styles[0].text()));
    assert_eq!(
        csp,
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'"
        )
    );
    assert!(page.find("Content-Security-Policy") < page.find("<style>"));
    assert!(metas.iter().any(|m| {
        m.attr("name") == Some("viewport")
            && m.attr("content")
                .is_some_and(|c| c.contains("width=device-width"))
    }));
    assert!(!root.named("title")[0].text().is_empty());
    for e in root.all() {
        assert!(ELEMENTS.contains(&e.name.as_str()), "element <{}>", e.name);
        for (n, v) in &e.attrs {
            assert!(
                ATTRIBUTES.contains(&n.as_str()),
                "attribute {n}={v:?} on <{}>",
                e.name
            );
            if n == "href" {
                assert!(v.starts_with('#'), "a link out of the page: {v}");
            }
        }
    }
    let bad = page
        .chars()
        .find(|&c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{fffe}');
    assert_eq!(bad, None, "a control character in the page");
    root
}

/// The SVG badge: XML whose only elements are the badge's, no script, no link, no event
/// handler; returns its letter and its title.
fn assert_badge(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the badge is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    for n in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            ["svg", "title", "rect", "g", "text"].contains(&n.tag_name().name()),
            "element <{}> in the badge",
            n.tag_name().name()
        );
        for a in n.attributes() {
            assert!(!a.name().starts_with("on"), "event handler {}", a.name());
            assert!(!a.name().contains("href"), "link {}", a.name());
        }
    }
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(texts[0], "security headers");
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert_eq!(
        root.attribute("aria-label"),
        Some(&*format!("security headers: {title}"))
    );
    (texts[1].to_owned(), title.to_owned())
}

/// The section of a file or URL: its name, the letter of its big badge, its header rows and
/// the number of findings.
fn section(root: &El, id: &str) -> (String, String, Vec<String>, usize) {
    let s = root.by_id(id);
    let name = s.named("h2")[0].text();
    let badge = s.with_class("badge")[0].text();
    (
        name,
        badge,
        s.first_cells("headers"),
        s.with_class("finding").len(),
    )
}

/// The checks on a validate report's section: name, grade, a row for every recommended header
/// and every header sent, a box for every finding.
fn assert_section(root: &El, id: &str, r: &FileReport) {
    let (name, badge, rows, findings) = section(root, id);
    assert_eq!(name, r.path);
    assert_eq!(
        badge,
        r.grade.as_ref().map_or("–", |g| g.letter),
        "{}",
        r.path
    );
    for (n, _) in RECOMMENDED {
        assert!(
            rows.iter().any(|x| x == n),
            "{}: no row for {n}: {rows:?}",
            r.path
        );
    }
    for (n, _) in &r.headers {
        assert!(rows.contains(n), "{}: no row for {n}: {rows:?}", r.path);
    }
    assert_eq!(findings, r.findings.len(), "{}", r.path);
}

fn report_of(path: &str) -> FileReport {
    validate(
        path,
        &std::fs::read(path).unwrap(),
        &ValidateOptions::default(),
    )
}

/// Loads a page in the browser: the DOM it built (parsed again, for the same checks), no
/// console message or blocked resource, and a screenshot.
fn in_browser(dir: &Path, page: &Path) -> Option<El> {
    let chromium = browser::find()?;
    let run = browser::dump_dom(&chromium, dir, page);
    let problems = browser::console_problems(&run.stderr);
    assert!(problems.is_empty(), "{}: {problems:#?}", page.display());
    let (root, _) = dom::parse(&run.stdout);
    assert!(
        root.named("script").is_empty() && root.named("img").is_empty(),
        "{}",
        page.display()
    );
    let png = page.with_extension("png");
    let shot = browser::screenshot(&chromium, dir, page, &png, (1000, 1400));
    let problems = browser::console_problems(&shot.stderr);
    assert!(problems.is_empty(), "{}: {problems:#?}", page.display());
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "{}",
        png.display()
    );
    Some(root)
}

#[test]
fn validate_pages_of_every_sample() {
    let d = temp_dir("html-validate");
    let samples: Vec<String> = support::samples()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let badge = d.join("grade.svg");
    let mut args = vec!["validate", "--format", "html", "--badge"];
    let badge_arg = badge.display().to_string();
    args.push(&badge_arg);
    args.extend(samples.iter().map(String::as_str));
    let o = run(&args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let page = text_of(&o);
    let root = assert_page(&page);
    let reports: Vec<FileReport> = samples.iter().map(|p| report_of(p)).collect();
    for (i, r) in reports.iter().enumerate() {
        assert_section(&root, &format!("s{}", i + 1), r);
    }
    // The summary: one row per file, linked to its section.
    let summary = root.first_cells("summary");
    assert_eq!(summary, samples);
    // The badge: the lowest grade, and the file that has it.
    let grade = |r: &FileReport| r.grade.clone().unwrap();
    let rank = |r: &FileReport| webxsl::validate::grade::rank(grade(r).letter);
    let worst = reports.iter().map(rank).max().unwrap();
    let first_worst = reports.iter().find(|r| rank(r) == worst).unwrap();
    let (letter, title) = assert_badge(&badge);
    assert_eq!(letter, grade(first_worst).letter);
    let named = format!(
        ": {} (score {})",
        first_worst.path,
        grade(first_worst).score
    );
    assert!(title.ends_with(&named), "{title}");

    // One file alone, its exit code as with the other formats.
    let one = &samples[0];
    let o = run(&["validate", "--format", "html", one]);
    let json = run(&["validate", "--format", "json", one]);
    assert_eq!(o.status.code(), json.status.code());
    assert_section(&assert_page(&text_of(&o)), "s1", &reports[0]);

    let file = save(&d, "validate.html", &page);
    if let Some(dom) = in_browser(&d, &file) {
        for (i, r) in reports.iter().enumerate() {
            assert_section(&dom, &format!("s{}", i + 1), r);
        }
    }
}

#[test]
fn diff_page_puts_before_and_after_side_by_side() {
    let d = temp_dir("html-diff");
    let old = support::root().join("samples/aspnet-mvc/web.config");
    let o = run(&[
        "apply",
        "--profile",
        "recommended",
        &old.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let new = d.join("web.config");
    std::fs::write(&new, &o.stdout).unwrap();
    let (on, nn) = (old.display().to_string(), new.display().to_string());
    let o = run(&["diff", "--format", "html", &on, &nn]);
    assert_eq!(o.status.code(), Some(1), "the files differ: {}", stderr(&o));
    let root = assert_page(&text_of(&o));
    let (ro, rn) = (report_of(&on), report_of(&nn));
    let (go, gn) = (ro.grade.as_ref().unwrap(), rn.grade.as_ref().unwrap());
    let check = |root: &El| {
        let text = root.text();
        let line = format!(
            "Grade {} → {} (score {} → {})",
            go.letter, gn.letter, go.score, gn.score
        );
        assert!(text.contains(&line), "{line}");
        let badges: Vec<String> = root.with_class("badge").iter().map(|b| b.text()).collect();
        assert_eq!(badges, [go.letter, gn.letter]);
        // The headers the site sends: every one of either side, added ones marked.
        let rows = root.first_cells("side-by-side");
        for (n, _) in ro.headers.iter().chain(&rn.headers) {
            assert!(rows.contains(n), "no row for {n}");
        }
        let added: Vec<String> = root
            .with_class("ch-added")
            .iter()
            .map(|tr| tr.named("td")[1].text())
            .collect();
        assert!(
            added
                .iter()
                .any(|a| a.contains("Strict-Transport-Security")),
            "{added:?}"
        );
        assert_eq!(root.with_class("diff").len(), 1, "the unified diff");
    };
    check(&root);
    let file = save(&d, "diff.html", &text_of(&o));
    if let Some(dom) = in_browser(&d, &file) {
        check(&dom);
    }
}

#[test]
fn probe_page_of_a_local_server() {
    let d = temp_dir("html-probe");
    let mut headers: Vec<(&str, &str)> = support::CLEAN_HEADERS.to_vec();
    headers.push(("X-Note", HOSTILE[0]));
    headers.push(("X-Other", HOSTILE[1]));
    let s = server::http(move |_| server::response(200, &headers));
    let url = s.url("/");
    let badge = d.join("probe.svg");
    let o = run(&[
        "probe",
        &url,
        "--format",
        "html",
        "--badge",
        &badge.display().to_string(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let page = text_of(&o);
    let json = run(&["probe", &url, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let t = &v["targets"][0];
    let grade = t["grade"].as_str().unwrap();
    let check = |root: &El| {
        let (name, letter, rows, findings) = section(root, "s1");
        assert_eq!(name, url);
        assert_eq!(letter, grade);
        for h in t["headers"].as_array().unwrap() {
            assert!(rows.iter().any(|r| r == h[0].as_str().unwrap()), "{h}");
        }
        assert_eq!(findings, t["findings"].as_array().unwrap().len());
        // The hostile values are the text of their cells.
        let values: Vec<String> = root
            .with_class("headers")
            .iter()
            .flat_map(|t| t.named("tr"))
            .filter_map(|tr| tr.named("td").get(2).map(|td| td.text()))
            .collect();
        assert!(values.iter().any(|v| v == HOSTILE[0]), "{values:?}");
        assert!(values.iter().any(|v| v == HOSTILE[1]), "{values:?}");
        assert!(root.named("script").is_empty());
    };
    check(&assert_page(&page));
    assert_eq!(assert_badge(&badge).0, grade);
    let file = save(&d, "probe.html", &page);
    if let Some(dom) = in_browser(&d, &file) {
        check(&dom);
    }
}

#[test]
fn check_page_of_a_manifest() {
    let d = temp_dir("html-check");
    std::fs::create_dir_all(d.join("app")).unwrap();
    std::fs::copy(
        support::root().join("samples/aspnet-mvc/web.config"),
        d.join("app/web.config"),
    )
    .unwrap();
    std::fs::write(
        d.join("webxsl.toml"),
        "[[apply]]\nfiles = [\"app/web.config\"]\nprofile = \"recommended\"\nmin-grade = \"A\"\n",
    )
    .unwrap();
    let in_repo = |args: &[&str]| {
        webxsl()
            .args(args)
            .current_dir(&d)
            .output()
            .expect("run webxsl")
    };
    let o = in_repo(&["check", "--format", "html", "--badge", "check.svg"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the file is not synced: {}",
        stderr(&o)
    );
    let page = text_of(&o);
    let json = in_repo(&["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let f = &v["files"][0];
    let check = |root: &El| {
        let (name, letter, rows, findings) = section(root, "s1");
        assert_eq!(name, "app/web.config");
        assert_eq!(letter, f["grade"].as_str().unwrap());
        assert!(rows.iter().any(|r| r == "Content-Security-Policy"));
        assert_eq!(findings, f["findings"].as_array().unwrap().len());
        let s = root.by_id("s1");
        assert!(s.text().contains("Not what the manifest makes of it"));
        let diff = s.with_class("diff");
        assert_eq!(diff.len(), 1);
        let added = diff[0].with_class("add");
        assert!(
            added
                .iter()
                .any(|l| l.text().contains("<add name=\"Strict-Transport-Security\"")),
            "{}",
            diff[0].text()
        );
        let rules: Vec<String> = s.with_class("rule").iter().map(|r| r.text()).collect();
        assert_eq!(
            rules[0], "manifest-drift",
            "the manifest's own findings first"
        );
    };
    check(&assert_page(&page));
    assert_eq!(
        assert_badge(&d.join("check.svg")).0,
        f["grade"].as_str().unwrap()
    );
    let file = save(&d, "check.html", &page);
    if let Some(dom) = in_browser(&d, &file) {
        check(&dom);
    }
}

/// A web.config whose header values are the hostile strings, and one header whose name is one.
fn hostile_config() -> String {
    let esc = support::attr_escape;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n",
    );
    for (i, v) in HOSTILE.iter().enumerate() {
        s.push_str(&format!(
            "        <add name=\"X-Hostile-{i}\" value=\"{}\" />\n",
            esc(v)
        ));
    }
    s.push_str(&format!(
        "        <add name=\"{}\" value=\"x\" />\n",
        esc(HOSTILE[2])
    ));
    s.push_str(
        "      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n</configuration>\n",
    );
    s
}

/// Every hostile string is the whole text of some element of the page (it is shown, verbatim,
/// and made nothing else).
fn assert_verbatim(root: &El) {
    let texts: Vec<String> = root.all().iter().map(|e| e.text()).collect();
    for h in HOSTILE {
        assert!(texts.iter().any(|t| t == h), "{h:?} not shown as text");
    }
    assert!(root.named("script").is_empty() && root.named("img").is_empty());
}

#[test]
fn hostile_input_stays_text() {
    let d = temp_dir("html-hostile");
    // On Unix the file name itself is hostile too (quotes and angle brackets are allowed there).
    let name = if cfg!(unix) {
        "x\"'><img src=x onerror=alert(1)>.config"
    } else {
        "hostile.config"
    };
    let config = d.join(name);
    std::fs::write(&config, hostile_config()).unwrap();
    let shown = config.display().to_string();
    let badge = d.join("hostile.svg");
    let o = run(&[
        "validate",
        "--format",
        "html",
        "--badge",
        &badge.display().to_string(),
        &shown,
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let page = text_of(&o);
    let root = assert_page(&page);
    assert_verbatim(&root);
    assert_section(&root, "s1", &report_of(&shown));
    // The file name: heading, summary link (text and title), places, page title.
    assert_eq!(root.by_id("s1").named("h2")[0].text(), shown);
    let link = &root.with_class("summary")[0].named("a")[0];
    assert_eq!(
        (link.text(), link.attr("title")),
        (shown.clone(), Some(shown.as_str()))
    );
    assert!(root.named("title")[0].text().ends_with(&shown));
    assert!(
        root.with_class("where")
            .iter()
            .all(|w| w.text().starts_with(&format!("{shown}:")))
    );
    // The badge names the file in its title and label, as text.
    let (_, title) = assert_badge(&badge);
    assert!(title.starts_with(&format!("{shown}: grade ")), "{title}");

    // The diff to the hostile file: the values land in before/after cells.
    let old = support::root().join("samples/aspnet-mvc/web.config");
    let o = run(&[
        "diff",
        "--format",
        "html",
        &old.display().to_string(),
        &shown,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let diff_page = text_of(&o);
    assert_verbatim(&assert_page(&diff_page));

    let file = save(&d, "hostile.html", &page);
    if let Some(dom) = in_browser(&d, &file) {
        assert_verbatim(&dom);
    }
    let file = save(&d, "hostile-diff.html", &diff_page);
    if let Some(dom) = in_browser(&d, &file) {
        assert_verbatim(&dom);
    }
}

#[test]
fn control_characters_are_shown_not_written() {
    // A CR in a value is a finding (header-value-invalid): the page shows it as ␍ and stays
    // valid HTML; the diff of such a file too.
    let d = temp_dir("html-controls");
    let config = d.join("web.config");
    std::fs::write(
        &config,
        "<configuration><system.webServer><httpProtocol><customHeaders>\n<add name=\"X-A\" value=\"a&#13;&#10;Set-Cookie: x=1\"/>\n</customHeaders></httpProtocol></system.webServer></configuration>\n",
    )
    .unwrap();
    let o = run(&[
        "validate",
        "--format",
        "html",
        &config.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let root = assert_page(&text_of(&o));
    let texts: Vec<String> = root.named("code").iter().map(|c| c.text()).collect();
    assert!(
        texts.iter().any(|t| t == "a␍\nSet-Cookie: x=1"),
        "{texts:?}"
    );
}

#[test]
fn the_console_check_catches_a_blocked_resource() {
    // The detector, on lines Chromium writes.
    let log = "[1:1:1201/1.1:INFO:CONSOLE:0] \"Loading the image 'http://127.0.0.1:9/x.png' violates the following Content Security Policy directive: \"img-src data:\". The action has been blocked.\", source: file:///r.html (0)\n\
               [1:1:1201/1.1:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n\
               Refused to apply inline style because it violates ...\n";
    assert_eq!(browser::console_problems(log).len(), 2);
    assert!(
        browser::console_problems("[1:1:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n")
            .is_empty()
    );

    // And in a browser: a report with an image from elsewhere and an inline style attribute,
    // which its policy blocks (the image's address is this machine's discard port: nothing is
    // ever fetched from outside).
    let d = temp_dir("html-blocked");
    let sample = support::root().join("samples/aspnet-mvc/web.config");
    let o = run(&[
        "validate",
        "--format",
        "html",
        &sample.display().to_string(),
    ]);
    let page = text_of(&o).replacen(
        "<body>",
        "<body><img src=\"http://127.0.0.1:9/x.png\" alt=\"\"><p style=\"color:red\">x</p>",
        1,
    );
    let file = save(&d, "blocked.html", &page);
    let Some(chromium) = browser::find() else {
        return;
    };
    let run = browser::dump_dom(&chromium, &d, &file);
    let problems = browser::console_problems(&run.stderr);
    assert!(
        problems.iter().any(|l| l.contains("127.0.0.1:9/x.png")),
        "the blocked image is not reported: {}",
        run.stderr
    );
    assert!(
        problems.iter().any(|l| l.contains("inline style")),
        "the blocked style attribute is not reported: {}",
        run.stderr
    );
}

#[test]
fn a_badge_that_cannot_be_written_is_an_error() {
    let d = temp_dir("html-badge-error");
    let badge = d.join("missing-dir").join("grade.svg");
    let sample = support::root().join("samples/existing-xfo/web.config");
    let o = run(&[
        "validate",
        "--badge",
        &badge.display().to_string(),
        &sample.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("grade.svg"), "{}", stderr(&o));
    assert!(!badge.exists());
}
