//! Hostile input, through the real binary: every case ends with a clear, positioned error and
//! exit code 2 (or, for a legitimately large value, success), within bounded time and memory.
//! Each run gets 4 GB of address space (`ulimit -v`; the worker thread alone reserves 256 MB of
//! stack) and is killed after 60 seconds, which fails the test: "bounded", not a benchmark.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webxsl-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs webxsl under a memory limit and a deadline.
fn bounded(args: &[&str]) -> Output {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 4000000 && exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_webxsl"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).unwrap();
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).unwrap();
        v
    });
    let status = support::wait_bounded(&mut child, LIMIT)
        .unwrap_or_else(|| panic!("webxsl {args:?} ran longer than {LIMIT:?}"));
    Output {
        status,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p.to_str().unwrap().to_owned()
}

/// Asserts exit code 2 and a `file:line:col: error: …` line mentioning `what`; `at` is
/// `line:col`, or `line:` when the column does not matter.
fn positioned_error(o: &Output, file: &str, at: &str, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "exit code; stderr:\n{err}");
    let head = format!("{file}:{at}");
    let found = err.lines().any(|l| {
        let Some(rest) = l.strip_prefix(&format!("{file}:")) else {
            return false;
        };
        let mut parts = rest.splitn(3, ':');
        let (Some(line), Some(col), Some(tail)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let place_ok = match at.split_once(':') {
            Some((want_line, "")) => line == want_line,
            _ => format!("{line}:{col}") == at,
        };
        place_ok
            && col.chars().all(|c| c.is_ascii_digit())
            && tail.starts_with(" error: ")
            && tail.contains(what)
    });
    assert!(found, "expected `{head}…: error: …{what}…` in:\n{err}");
}

const FACTORY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/factory-configuration.xsl"
);

fn billion_laughs() -> String {
    let mut s =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [\n <!ENTITY l0 \"lol\">\n");
    for i in 1..10 {
        let p = format!("&l{};", i - 1);
        s.push_str(&format!(" <!ENTITY l{i} \"{}\">\n", p.repeat(10)));
    }
    s.push_str("]>\n<configuration>&l9;</configuration>\n");
    s
}

#[test]
fn billion_laughs_is_refused_and_bounded_even_when_dtds_are_allowed() {
    let d = dir("laughs");
    let f = write(&d, "web.config", billion_laughs().as_bytes());
    positioned_error(
        &bounded(&["apply", "--xsl", FACTORY, &f]),
        &f,
        "2:1",
        "DTDs are not allowed",
    );
    // validate reports the file as a finding (exit 1), with the same position, on stdout.
    let o = bounded(&["validate", &f]);
    assert_eq!(o.status.code(), Some(1));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains(&format!(
            "{f}:2:1: error[xml-malformed]: DTDs are not allowed"
        )),
        "{report}"
    );
    // `xslt --allow-dtd` honours internal entities, with bounded expansion.
    positioned_error(
        &bounded(&["xslt", "--allow-dtd", FACTORY, &f]),
        &f,
        "4:",
        "entity references nest too deeply or loop",
    );
}

#[test]
fn external_entities_are_never_read() {
    let d = dir("xxe");
    let secret = write(&d, "secret.txt", b"TOP-SECRET");
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM \"file://{secret}\">]>\n<configuration>&x;</configuration>\n"
    );
    let f = write(&d, "web.config", doc.as_bytes());
    positioned_error(
        &bounded(&["apply", "--xsl", FACTORY, &f]),
        &f,
        "2:1",
        "DTDs are not allowed",
    );
    let o = bounded(&["xslt", "--allow-dtd", FACTORY, &f]);
    positioned_error(&o, &f, "3:16", "unknown entity reference");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("TOP-SECRET"));
}

#[test]
fn deep_nesting_is_refused_with_a_position() {
    let d = dir("deep");
    let n = 100_000;
    let doc = format!(
        "<configuration>{}{}</configuration>",
        "<a>".repeat(n),
        "</a>".repeat(n)
    );
    let f = write(&d, "web.config", doc.as_bytes());
    positioned_error(
        &bounded(&["apply", "--xsl", FACTORY, &f]),
        &f,
        "1:",
        "nest deeper than 256",
    );
    positioned_error(
        &bounded(&["xslt", FACTORY, &f]),
        &f,
        "1:",
        "nest deeper than 256",
    );
}

#[test]
fn a_megabyte_attribute_value_is_processed() {
    // A long value is legitimate (a CSP, a connection string): it is processed, not refused,
    // and the minimal edit leaves it byte for byte.
    let d = dir("bigattr");
    let v = "x".repeat(1 << 20);
    let doc = format!(
        "<configuration>\n  <appSettings>\n    <add key=\"k\" value=\"{v}\" />\n  </appSettings>\n</configuration>\n"
    );
    let f = write(&d, "web.config", doc.as_bytes());
    let o = bounded(&["apply", "--profile", "recommended", &f]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.windows(v.len()).any(|w| w == v.as_bytes()));
}

#[test]
fn many_attributes_are_refused_with_a_position() {
    let d = dir("attrs");
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let doc = format!("<configuration>\n<x{attrs}/></configuration>");
    let f = write(&d, "web.config", doc.as_bytes());
    positioned_error(
        &bounded(&["apply", "--xsl", FACTORY, &f]),
        &f,
        "2:",
        "more than 1024 attributes",
    );
}

#[test]
fn invalid_utf8_and_lone_surrogates_are_refused_with_a_position() {
    let d = dir("encoding");
    let f = write(
        &d,
        "utf8.config",
        b"<configuration>\n  <a v=\"\xC3\x28\"/>\n</configuration>",
    );
    positioned_error(
        &bounded(&["apply", "--xsl", FACTORY, &f]),
        &f,
        "2:9",
        "invalid UTF-8",
    );
    // UTF-16LE with a BOM and an unpaired high surrogate (U+D800) on line 2.
    let mut bytes = vec![0xFF, 0xFE];
    for u in "<configuration>\n<a>"
        .encode_utf16()
        .chain([0xD800])
        .chain("</a></configuration>".encode_utf16())
    {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let f = write(&d, "utf16.config", &bytes);
    positioned_error(
        &bounded(&["apply", "--xsl", FACTORY, &f]),
        &f,
        "2:",
        "surrogate",
    );
}

#[test]
fn a_truncated_file_is_refused_at_its_end() {
    let d = dir("truncated");
    let full = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/aspnet-mvc/web.config"
    ))
    .unwrap();
    let cut = &full[..full.len() / 2];
    let f = write(&d, "web.config", cut);
    let o = bounded(&["apply", "--in-place", "--xsl", FACTORY, &f]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{f}:")) && err.contains("error:"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&f).unwrap(),
        cut,
        "the file is left as it was"
    );
}

fn stylesheet(d: &Path, name: &str, body: &str) -> String {
    let text = format!(
        "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n{body}\n</xsl:stylesheet>\n"
    );
    write(d, name, text.as_bytes())
}

fn sample() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/samples/aspnet-mvc/web.config").to_owned()
}

#[test]
fn infinite_template_recursion_is_stopped() {
    let d = dir("recursion");
    let x = stylesheet(
        &d,
        "loop.xsl",
        "<xsl:template match=\"/\"><xsl:call-template name=\"again\"/></xsl:template>\n<xsl:template name=\"again\"><xsl:call-template name=\"again\"/></xsl:template>",
    );
    positioned_error(&bounded(&["xslt", &x, &sample()]), &x, "3:1", "WXSL0001");
    positioned_error(
        &bounded(&["apply", "--xsl", &x, &sample()]),
        &x,
        "3:1",
        "WXSL0001",
    );
}

#[test]
fn exponential_xpath_is_stopped_by_the_work_budget() {
    let d = dir("xpath");
    // 40,000 elements in chains 200 deep: each `//*` step visits millions of nodes.
    let chain = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
    let f = write(
        &d,
        "web.config",
        format!("<configuration>{}</configuration>", chain.repeat(200)).as_bytes(),
    );
    let select = "//*".repeat(40);
    let x = stylesheet(
        &d,
        "expo.xsl",
        &format!(
            "<xsl:template match=\"/\"><n><xsl:value-of select=\"count({select})\"/></n></xsl:template>"
        ),
    );
    positioned_error(&bounded(&["xslt", &x, &f]), &x, "2:", "WXSL0004");
}

#[test]
fn exponential_strings_and_results_are_stopped() {
    let d = dir("grow");
    // A string that doubles at every step of a recursion.
    let x = stylesheet(
        &d,
        "concat.xsl",
        "<xsl:template match=\"/\"><xsl:call-template name=\"grow\"><xsl:with-param name=\"s\" select=\"'0123456789abcdef'\"/></xsl:call-template></xsl:template>\n<xsl:template name=\"grow\"><xsl:param name=\"s\"/><xsl:call-template name=\"grow\"><xsl:with-param name=\"s\" select=\"concat($s, $s)\"/></xsl:call-template></xsl:template>",
    );
    positioned_error(&bounded(&["xslt", &x, &sample()]), &x, "3:", "WXSL0004");
    // A result whose text doubles at every step.
    let x = stylesheet(
        &d,
        "text.xsl",
        "<xsl:template match=\"/\"><xsl:call-template name=\"grow\"><xsl:with-param name=\"t\" select=\"'0123456789abcdef'\"/></xsl:call-template></xsl:template>\n<xsl:template name=\"grow\"><xsl:param name=\"t\"/><xsl:variable name=\"u\"><xsl:value-of select=\"$t\"/><xsl:value-of select=\"$t\"/></xsl:variable><xsl:call-template name=\"grow\"><xsl:with-param name=\"t\" select=\"$u\"/></xsl:call-template></xsl:template>",
    );
    positioned_error(&bounded(&["xslt", &x, &sample()]), &x, "3:", "WXSL0002");
    // str:replace with an empty search string is quadratic: 20,000 characters put between
    // each two of 20,000 would be 400 MB. It is charged before it is built.
    let x = write(
        &d,
        "replace.xsl",
        b"<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" xmlns:str=\"http://exslt.org/strings\">\n<xsl:variable name=\"s\" select=\"str:padding(20000, 'x')\"/>\n<xsl:template match=\"/\"><xsl:value-of select=\"str:replace($s, '', $s)\"/></xsl:template>\n</xsl:stylesheet>\n",
    );
    positioned_error(&bounded(&["xslt", &x, &sample()]), &x, "3:", "WXSL0004");
}

#[test]
fn document_needs_permission() {
    let d = dir("document");
    let secret = write(&d, "secret.xml", b"<s>TOP-SECRET</s>");
    let x = stylesheet(
        &d,
        "doc.xsl",
        &format!(
            "<xsl:template match=\"/\"><xsl:copy-of select=\"document('{secret}')\"/></xsl:template>"
        ),
    );
    let o = bounded(&["xslt", &x, &sample()]);
    positioned_error(&o, &x, "2:", "WXSL0003");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("TOP-SECRET"));
    let o = bounded(&["apply", "--xsl", &x, &sample()]);
    positioned_error(&o, &x, "2:", "document() is disabled");
}

#[test]
fn message_terminate_stops_with_the_message() {
    let d = dir("terminate");
    let x = stylesheet(
        &d,
        "stop.xsl",
        "<xsl:template match=\"/\"><xsl:message terminate=\"yes\">no customHeaders here</xsl:message></xsl:template>",
    );
    positioned_error(
        &bounded(&["xslt", &x, &sample()]),
        &x,
        "2:",
        "no customHeaders here",
    );
    let o = bounded(&["apply", "--in-place", "--xsl", &x, &sample()]);
    positioned_error(&o, &x, "2:", "no customHeaders here");
}

#[test]
fn an_import_cycle_is_refused_with_a_position() {
    let d = dir("cycle");
    stylesheet(&d, "b.xsl", "<xsl:import href=\"a.xsl\"/>");
    let a = stylesheet(&d, "a.xsl", "<xsl:import href=\"b.xsl\"/>");
    let o = bounded(&["xslt", &a, &sample()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b.xsl:2:") && err.contains("cycle"), "{err}");
}

#[test]
fn a_stylesheet_that_reorders_a_long_list_is_aligned_and_diffed_in_bounded_time() {
    // Reversing 100,000 entries: the worst case of the tree alignment and of the line diff
    // (both O(N·D)); it once took minutes in the diff's line-ending check.
    let d = dir("reorder");
    let mut doc = String::from("<configuration>\n  <appSettings>\n");
    for i in 0..100_000 {
        doc.push_str(&format!("    <add key=\"k{i}\" value=\"v\" />\n"));
    }
    doc.push_str("  </appSettings>\n</configuration>\n");
    let f = write(&d, "web.config", doc.as_bytes());
    let x = stylesheet(
        &d,
        "reverse.xsl",
        "<xsl:template match=\"@*|node()\"><xsl:copy><xsl:apply-templates select=\"@*|node()\"/></xsl:copy></xsl:template>\n<xsl:template match=\"appSettings\"><xsl:copy><xsl:for-each select=\"add\"><xsl:sort select=\"position()\" data-type=\"number\" order=\"descending\"/><xsl:copy-of select=\".\"/></xsl:for-each></xsl:copy></xsl:template>",
    );
    let start = Instant::now();
    let o = bounded(&["apply", "--xsl", &x, "--diff", &f]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(
        diff.contains("+    <add key=\"k99999\" value=\"v\" />"),
        "{}",
        &diff[..200.min(diff.len())]
    );
    assert!(start.elapsed() < LIMIT);
}

/// An XDT transform file: `<configuration xmlns:xdt="...">BODY</configuration>`.
fn xdt(d: &Path, name: &str, body: &str) -> String {
    let text = format!(
        "<configuration xmlns:xdt=\"http://schemas.microsoft.com/XML-Document-Transform\">\n{body}\n</configuration>\n"
    );
    write(d, name, text.as_bytes())
}

#[test]
fn hostile_xdt_transforms_are_refused_or_stopped() {
    let d = dir("xdt");
    // A DTD in the transform (entity expansion) is refused like one in a config.
    let t = write(&d, "laughs.config", billion_laughs().as_bytes());
    positioned_error(
        &bounded(&["apply", "--xdt", &t, &sample()]),
        &t,
        "2:1",
        "DTDs are not allowed",
    );
    // Loading code into the engine is refused.
    let t = xdt(
        &d,
        "import.config",
        "<xdt:Import path=\"evil.dll\" namespace=\"Evil\"/>",
    );
    positioned_error(
        &bounded(&["apply", "--xdt", &t, &sample()]),
        &t,
        "2:2",
        "XDT0008",
    );
    // An exponential Condition is stopped by the work budget, at the condition.
    let chain = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
    let f = write(
        &d,
        "web.config",
        format!("<configuration>{}</configuration>", chain.repeat(200)).as_bytes(),
    );
    let t = xdt(
        &d,
        "expo.config",
        &format!(
            "<a xdt:Locator=\"Condition(count({}) > 0)\" xdt:Transform=\"Remove\"/>",
            "//*".repeat(40)
        ),
    );
    positioned_error(&bounded(&["apply", "--xdt", &t, &f]), &t, "2:", "WXSL0004");
    // Deep nesting in the transform is refused with a position.
    let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
    let t = xdt(&d, "deep.config", &deep);
    positioned_error(
        &bounded(&["apply", "--xdt", &t, &sample()]),
        &t,
        "2:",
        "nest deeper",
    );
}
