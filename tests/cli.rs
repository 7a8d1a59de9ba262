//! The command line, through the real binary: exit codes, positioned errors, pipes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn webxsl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_webxsl"))
}

fn run(args: &[&str]) -> Output {
    webxsl().args(args).output().expect("run webxsl")
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
        .join("web.config")
        .display()
        .to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webxsl-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn help_lists_every_planned_subcommand() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for cmd in [
        "apply", "xslt", "diff", "generate", "profiles", "validate", "inspect",
    ] {
        assert!(
            out.contains(&format!("  {cmd} ")),
            "{cmd} missing from:\n{out}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["apply", "--xsl", "a.xsl", "--profile", "owasp"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn inspect_reports_encoding_and_losslessness() {
    let o = run(&["inspect", &sample("utf16-vs"), &sample("crlf-bom")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("UTF-16 LE with BOM"), "{out}");
    assert!(out.contains("utf-8 with BOM"), "{out}");
    assert!(out.contains("line endings:  CRLF"), "{out}");
    assert_eq!(out.matches("lossless:      yes").count(), 2, "{out}");
}

#[test]
fn inspect_tree_shows_positions() {
    let o = run(&["inspect", "--tree", &sample("location-sections")]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("<location path=\".\""))
        .unwrap();
    assert!(line.trim_start().starts_with("7:3 "), "{line}");
    assert!(
        line.contains("<location path=\".\" inheritInChildApplications=\"false\">  [172..484]"),
        "{line}"
    );
}

#[test]
fn parse_errors_are_positioned_with_a_snippet_and_exit_2() {
    let dir = temp_dir("parse-error");
    let bad = dir.join("web.config");
    std::fs::write(&bad, "<configuration>\n  <system.web>\n    <compilation debug=\"true\">\n  </system.web>\n</configuration>\n").unwrap();
    let o = run(&["inspect", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let first = err.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "{}:4:3: error: expected end tag </compilation>, found </system.web>",
            bad.display()
        )
    );
    assert!(err.contains(" 4 |   </system.web>\n   |   ^\n"), "{err}");
}

#[test]
fn dtd_and_encoding_errors_are_positioned() {
    let dir = temp_dir("hostile");
    let dtd = dir.join("dtd.config");
    std::fs::write(
        &dtd,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE c [<!ENTITY x \"y\">]>\n<c>&x;</c>",
    )
    .unwrap();
    let o = run(&["inspect", dtd.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(&format!(
            "{}:2:1: error: DTDs are not allowed",
            dtd.display()
        )),
        "{}",
        stderr(&o)
    );
    let utf = dir.join("latin.config");
    std::fs::write(&utf, b"<c>\n  <a v='Z\xFCrich'/></c>").unwrap();
    let o = run(&["inspect", utf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(":2:10: error: invalid UTF-8"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_file_is_an_io_error_with_its_name() {
    let o = run(&["inspect", "does/not/exist.config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("does/not/exist.config: error: cannot read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn one_bad_file_does_not_hide_the_others() {
    let dir = temp_dir("batch");
    let bad = dir.join("bad.config");
    std::fs::write(&bad, "<a>").unwrap();
    let o = run(&["inspect", bad.to_str().unwrap(), &sample("aspnet-mvc")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("aspnet-mvc"), "{}", stdout(&o));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // Enough output to fill a pipe buffer, then close the reading end early.
    let dir = temp_dir("pipe");
    let big = dir.join("web.config");
    let mut s = String::from("<configuration>\n");
    for i in 0..20_000 {
        s.push_str(&format!(
            "  <location path=\"p{i}\"><system.webServer/></location>\n"
        ));
    }
    s.push_str("</configuration>\n");
    std::fs::write(&big, s).unwrap();
    let mut child = webxsl()
        .args(["inspect", "--tree", big.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "{err}");
}

// ----- webxsl xslt -----

fn xsltproc(args: &[&str]) -> Vec<u8> {
    let o = Command::new("xsltproc")
        .args(args)
        .output()
        .expect("xsltproc is required (apt-get install xsltproc)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

fn template() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/factory-configuration.xsl")
        .display()
        .to_string()
}

#[test]
fn xslt_output_is_byte_identical_to_xsltproc() {
    for s in ["aspnet-mvc", "crlf-bom", "utf16-vs", "quirky-formatting"] {
        let o = run(&["xslt", &template(), &sample(s)]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(o.stdout, xsltproc(&[&template(), &sample(s)]), "{s}");
    }
}

#[test]
fn xslt_params_output_file_and_stdin() {
    let dir = temp_dir("xslt-params");
    let xsl = dir.join("p.xsl");
    std::fs::write(&xsl, r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output method="text"/><xsl:param name="a"/><xsl:param name="b"/><xsl:template match="/"><xsl:value-of select="concat($a, '|', $b, '|', name(*))"/></xsl:template></xsl:stylesheet>"#).unwrap();
    let xsl = xsl.display().to_string();
    let out = dir.join("out.txt");
    let o = run(&[
        "xslt",
        &xsl,
        &sample("no-webserver"),
        "--stringparam",
        "a",
        "1 + 1",
        "--param",
        "b",
        "1 + 1",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "1 + 1|2|configuration"
    );
    let mut child = webxsl()
        .args(["xslt", &xsl, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"<fromstdin/>")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "||fromstdin");
}

#[test]
fn xslt_compile_errors_are_positioned() {
    let dir = temp_dir("xslt-compile-error");
    let xsl = dir.join("bad.xsl");
    std::fs::write(&xsl, "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n  <xsl:template match=\"/configuration/system.webServer[\">\n  </xsl:template>\n</xsl:stylesheet>\n").unwrap();
    let o = run(&["xslt", xsl.to_str().unwrap(), &sample("aspnet-mvc")]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("{}:2:56: error: XPST0003: ", xsl.display())),
        "{err}"
    );
    assert!(err.contains(" 2 |   <xsl:template match="), "{err}");
}

#[test]
fn xslt_runtime_failures_exit_2() {
    let dir = temp_dir("xslt-runtime");
    let xsl = dir.join("m.xsl");
    std::fs::write(&xsl, r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><xsl:message>note</xsl:message><xsl:message terminate="yes">no customHeaders</xsl:message></xsl:template></xsl:stylesheet>"#).unwrap();
    let o = run(&["xslt", xsl.to_str().unwrap(), &sample("aspnet-mvc")]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("XTMM9000") && err.contains("no customHeaders"),
        "{err}"
    );
    let rec = dir.join("r.xsl");
    std::fs::write(&rec, r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><xsl:apply-templates select="."/></xsl:template></xsl:stylesheet>"#).unwrap();
    let o = run(&["xslt", rec.to_str().unwrap(), &sample("aspnet-mvc")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("WXSL0001"), "{}", stderr(&o));
    let o = run(&["xslt", rec.to_str().unwrap(), "no/such/file.config"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("no/such/file.config: error: cannot read"),
        "{}",
        stderr(&o)
    );
}
