//! The command line, through the real binary: exit codes, positioned errors, pipes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod support;

use support::{run, stderr, stdout, webxsl};

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
        .join("web.config")
        .display()
        .to_string()
}

use support::temp_dir;

#[test]
fn help_lists_every_planned_subcommand() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for cmd in [
        "apply", "xslt", "diff", "generate", "profiles", "validate", "inspect", "check", "sync",
        "init", "csp", "probe",
    ] {
        assert!(
            out.contains(&format!("  {cmd} ")),
            "{cmd} missing from:\n{out}"
        );
    }
}

/// A subcommand's arguments are declared only when it runs; its help still starts with its
/// own description (not its argument struct's), lists its options and takes the version.
#[test]
fn subcommand_help_describes_the_subcommand_and_its_options() {
    for (cmd, about, option) in [
        (
            &["apply"][..],
            "Apply an XSLT stylesheet or a header profile",
            "--in-place",
        ),
        (
            &["validate"],
            "Check web.config files: IIS rules",
            "--min-grade",
        ),
        (&["csp", "learn"], "", "--write"),
        (
            &["probe"],
            "Fetch live URLs and check what they really send",
            "--timeout",
        ),
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{cmd:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.starts_with(about), "{cmd:?}:\n{out}");
        assert!(out.contains(option), "{cmd:?}:\n{out}");
        args.pop();
        args.push("--version");
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{cmd:?}: {}", stderr(&o));
        assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")), "{cmd:?}");
    }
    // An unknown option of a subcommand is still refused as a usage error.
    let o = run(&["apply", "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--bogus"), "{}", stderr(&o));
}

#[test]
fn version_is_answered_early_and_as_clap_would() {
    let want = format!("webxsl {}\n", env!("CARGO_PKG_VERSION"));
    // The early answer (one argument) and clap's (two arguments) print the same line.
    for args in [&["--version"][..], &["-V"], &["--version", "-V"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), want, "{args:?}");
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
    let (status, err) = close_early(&["inspect", "--tree", big.to_str().unwrap()]);
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "{err}");
}

/// Runs webxsl with `args`, reads 16 bytes of its output and closes the pipe: its exit status
/// and standard error.
fn close_early<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (std::process::ExitStatus, String) {
    let mut child = webxsl()
        .args(args)
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
    (status, err)
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

#[test]
fn a_broken_format_number_pattern_is_a_positioned_warning_in_xslt_and_apply() {
    let dir = temp_dir("xslt-warning");
    let xsl = dir.join("f.xsl");
    std::fs::write(&xsl, "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n<xsl:template match=\"@*|node()\"><xsl:copy><xsl:apply-templates select=\"@*|node()\"/></xsl:copy></xsl:template>\n<xsl:template match=\"customHeaders\"><xsl:copy><xsl:apply-templates select=\"@*|node()\"/><add name=\"X-N\" value=\"{format-number(12.5, '#.#.#')}\"/></xsl:copy></xsl:template>\n</xsl:stylesheet>").unwrap();
    let xsl = xsl.to_str().unwrap();
    for args in [
        vec!["xslt", xsl, &sample("aspnet-mvc")],
        vec!["apply", "--xsl", xsl, &sample("aspnet-mvc")],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("f.xsl:3:") && err.contains("warning: XTDE1310") && err.contains("#.#.#"),
            "{err}"
        );
        // The number is still written, with the default pattern, as xsltproc does.
        assert!(stdout(&o).contains("value=\"12.5\""), "{}", stdout(&o));
    }
}

// ----- webxsl apply / diff -----

/// Copies every sample into a fresh directory: sites/NAME/web.config.
fn sample_tree(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for e in std::fs::read_dir(&samples).unwrap() {
        let p = e.unwrap().path();
        if p.join("web.config").exists() {
            let d = dir.join("sites").join(p.file_name().unwrap());
            std::fs::create_dir_all(&d).unwrap();
            std::fs::copy(p.join("web.config"), d.join("web.config")).unwrap();
        }
    }
    dir
}

const ENSURE_XFO: &str = r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="/configuration/system.webServer/httpProtocol/customHeaders">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()[not(self::add[@name='X-Frame-Options'])]"/>
      <add name="X-Frame-Options" value="SAMEORIGIN"/>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>"#;

#[test]
fn apply_writes_the_minimal_edit_to_stdout() {
    let o = run(&["apply", "--xsl", &template(), &sample("crlf-bom")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let original = std::fs::read(sample("crlf-bom")).unwrap();
    assert!(
        o.stdout
            .starts_with(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n")
    );
    let added = o.stdout.len() - original.len();
    assert!(added > 500, "the four headers were added");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("        <remove name=\"X-Powered-By\" />\r\n        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\r\n"), "{text}");
}

#[test]
fn apply_check_exit_codes_and_globs() {
    let dir = sample_tree("apply-check");
    let pattern = format!("{}/sites/**/web.config", dir.display());
    let o = run(&[
        "apply",
        "--xsl",
        &template(),
        "--check",
        "--color",
        "never",
        &pattern,
    ]);
    // Two samples already send one of the template's headers: the result would be a 500.19,
    // which fails those files (exit 2); --allow-broken lets --check show them too.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("+++ b/")
            && out.contains("+        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />"),
        "{out}"
    );
    assert!(
        stderr(&o).contains("6 of 13 files would change, 2 failed"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("error[duplicate-header]"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "apply",
        "--xsl",
        &template(),
        "--check",
        "--allow-broken",
        &pattern,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("8 of 13 files would change"),
        "{}",
        stderr(&o)
    );
    // Nothing was written.
    let again = run(&["apply", "--xsl", &template(), "--check", &pattern]);
    assert_eq!(again.status.code(), Some(2));
    // A stylesheet that changes nothing: exit 0, no output.
    let dir2 = temp_dir("apply-check-noop");
    let noop = dir2.join("noop.xsl");
    std::fs::write(&noop, r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template></xsl:stylesheet>"#).unwrap();
    let o = run(&[
        "apply",
        "--xsl",
        noop.to_str().unwrap(),
        "--check",
        &pattern,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let o = run(&[
        "apply",
        "--xsl",
        noop.to_str().unwrap(),
        "--check",
        &format!("{}/nothing/*.config", dir.display()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no file matches"), "{}", stderr(&o));
}

#[test]
fn apply_in_place_is_idempotent_keeps_permissions_and_backs_up() {
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    let dir = sample_tree("apply-in-place");
    let xsl = dir.join("xfo.xsl");
    std::fs::write(&xsl, ENSURE_XFO).unwrap();
    let cfg = dir.join("sites/aspnet-mvc/web.config");
    // The mode bits are a unix matter; the rest of the test holds everywhere.
    #[cfg(unix)]
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o640)).unwrap();
    let original = std::fs::read(&cfg).unwrap();
    let pattern = format!("{}/sites/*/web.config", dir.display());
    let o = run(&[
        "apply",
        "--xsl",
        xsl.to_str().unwrap(),
        "--in-place",
        "--backup",
        &pattern,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = std::fs::read_to_string(&cfg).unwrap();
    assert!(after.contains("<add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />"));
    #[cfg(unix)]
    assert_eq!(
        std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        std::fs::read(dir.join("sites/aspnet-mvc/web.config.bak")).unwrap(),
        original
    );
    // The existing DENY is replaced, not duplicated.
    let xfo = std::fs::read_to_string(dir.join("sites/existing-xfo/web.config")).unwrap();
    assert_eq!(xfo.matches("X-Frame-Options").count(), 1, "{xfo}");
    // Applying again changes nothing.
    let o = run(&["apply", "--xsl", xsl.to_str().unwrap(), "--check", &pattern]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // No temporary files are left behind.
    for e in std::fs::read_dir(dir.join("sites/aspnet-mvc")).unwrap() {
        let n = e.unwrap().file_name().into_string().unwrap();
        assert!(!n.contains(".tmp"), "{n}");
    }
}

#[test]
fn a_failing_file_does_not_stop_the_batch_and_is_left_untouched() {
    let dir = sample_tree("apply-failures");
    let xsl = dir.join("picky.xsl");
    // The transform fails on one file (its appSettings mention a tenant), mid-batch.
    std::fs::write(&xsl, ENSURE_XFO.replace(
        "<xsl:template match=\"@*|node()\">",
        "<xsl:template match=\"add[@key='Tenant']\"><xsl:message terminate=\"yes\">refusing this tenant</xsl:message></xsl:template>\n  <xsl:template match=\"@*|node()\">",
    )).unwrap();
    let broken = dir.join("sites/aspnetcore-iis/web.config");
    std::fs::write(&broken, "<configuration>\n  <location>\n</configuration>\n").unwrap();
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir.join("sites"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path().join("web.config");
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    let pattern = format!("{}/sites/*/web.config", dir.display());
    let o = run(&[
        "apply",
        "--xsl",
        xsl.to_str().unwrap(),
        "--in-place",
        &pattern,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("aspnetcore-iis/web.config:3:1: error: expected end tag </location>"),
        "{err}"
    );
    assert!(
        err.contains("crlf-bom/web.config: while transforming")
            && err.contains("refusing this tenant"),
        "{err}"
    );
    assert!(err.contains("2 failed"), "{err}");
    // --check hands the bytes to the job without keeping a copy: a failure reads the file
    // again for its snippet.
    let checked = run(&["apply", "--xsl", xsl.to_str().unwrap(), "--check", &pattern]);
    assert_eq!(checked.status.code(), Some(2), "{}", stderr(&checked));
    let check_err = stderr(&checked);
    assert!(
        check_err.contains("aspnetcore-iis/web.config:3:1: error: expected end tag </location>")
            && check_err.contains("3 | </configuration>"),
        "{check_err}"
    );
    for (p, b) in before {
        let now = std::fs::read(&p).unwrap();
        let s = p.display().to_string();
        if s.contains("crlf-bom") || s.contains("aspnetcore-iis") {
            assert_eq!(now, b, "{s} must be untouched");
        } else if String::from_utf8_lossy(&b).contains("<customHeaders")
            && !s.contains("location")
            && !s.contains("default-namespace")
            && !s.contains("utf16")
        {
            assert!(
                String::from_utf8_lossy(&now).contains("SAMEORIGIN"),
                "{s} was processed"
            );
        }
        // Whatever happened, every file parses: nothing was half-written.
        webxsl::xml::Document::parse(&now, &webxsl::xml::Limits::default())
            .map(|_| ())
            .or_else(|e| {
                if s.contains("aspnetcore-iis") {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .unwrap();
    }
}

#[test]
fn apply_usage_stdin_and_fallback_notes() {
    let o = run(&[
        "apply",
        "--xsl",
        &template(),
        &sample("aspnet-mvc"),
        &sample("crlf-bom"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("several files need --in-place, --check or --diff"));
    let mut child = webxsl()
        .args(["apply", "--xsl", &template()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"<configuration><system.webServer><httpProtocol><customHeaders/></httpProtocol></system.webServer></configuration>").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("<configuration><system.webServer><httpProtocol><customHeaders>\n  <add name=\"X-Frame-Options\""), "{}", stdout(&o));
    let dir = temp_dir("apply-text");
    let xsl = dir.join("t.xsl");
    std::fs::write(&xsl, r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output method="text"/><xsl:template match="/">report</xsl:template></xsl:stylesheet>"#).unwrap();
    let o = run(&[
        "apply",
        "--xsl",
        xsl.to_str().unwrap(),
        &sample("aspnet-mvc"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "report");
    assert!(
        stderr(&o).contains("note:") && stderr(&o).contains("method is text"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn apply_diff_is_coloured_on_request() {
    let o = run(&[
        "apply",
        "--xsl",
        &template(),
        "--diff",
        "--color",
        "always",
        &sample("aspnet-mvc"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("\x1b[32m+        <add name=\"X-Frame-Options\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn diff_shows_text_and_header_changes() {
    let dir = temp_dir("diff");
    let new = dir.join("web.config");
    let o = run(&[
        "apply",
        "--xsl",
        &template(),
        &sample("aspnet-mvc"),
        "-o",
        new.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = run(&[
        "diff",
        &sample("aspnet-mvc"),
        new.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("customHeaders (top level):\n  + X-Frame-Options: SAMEORIGIN\n  + X-XSS-Protection: 1; mode=block\n"), "{out}");
    let o = run(&[
        "diff",
        &sample("aspnet-mvc"),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["changed"], true);
    assert_eq!(j["headers"][0]["collection"], "customHeaders");
    assert_eq!(j["headers"][0]["location"], serde_json::Value::Null);
    assert_eq!(j["headers"][0]["added"][0]["name"], "X-Frame-Options");
    assert_eq!(j["headers"][0]["added"].as_array().unwrap().len(), 4);
    assert!(
        j["unified"]
            .as_str()
            .unwrap()
            .contains("+        <add name=\"Referrer-Policy\"")
    );
    let o = run(&["diff", &sample("aspnet-mvc"), &sample("aspnet-mvc")]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
}

// ----- webxsl profiles / generate / apply --profile -----

#[test]
fn profiles_are_listed_and_shown() {
    let o = run(&["profiles"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for n in ["recommended", "owasp", "outsystems-guide", "scout"] {
        assert!(out.lines().any(|l| l.starts_with(n)), "{n} in {out}");
    }
    let o = run(&["profiles", "show", "scout"]);
    assert_eq!(o.status.code(), Some(0));
    let shown = stdout(&o);
    let parsed = webxsl::profile::parse(&shown, false, None).unwrap();
    assert_eq!(parsed, webxsl::profile::presets::get("scout").unwrap());
    let o = run(&["profiles", "show", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn generate_writes_templates_and_reports_profile_errors() {
    let dir = temp_dir("generate");
    let out = dir.join("factory.xsl");
    let o = run(&[
        "generate",
        "--profile",
        "recommended",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let xsl = std::fs::read_to_string(&out).unwrap();
    assert!(
        xsl.contains("kind\n  web.config_XSL") || xsl.contains("web.config_XSL"),
        "{xsl}"
    );
    // The generated template works with xsltproc and with webxsl apply --xsl alike.
    let a = run(&[
        "apply",
        "--xsl",
        out.to_str().unwrap(),
        &sample("no-webserver"),
    ]);
    let b = run(&["apply", "--profile", "recommended", &sample("no-webserver")]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    let o = run(&["generate", "--profile", "owasp", "--format", "xdt"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("xdt:Transform=\"InsertIfMissing\""));
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"bad\"\n\n[headers.Content-Security-Policy]\ndefault-src = [\"'self'\"]\nscirpt-src = [\"'self'\"]\n").unwrap();
    let o = run(&["generate", "--profile", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("{}:5:1: error: unknown Content-Security-Policy directive \"scirpt-src\" (did you mean script-src?)", bad.display())),
        "{err}"
    );
    let o = run(&["generate", "--profile", "does-not-exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no preset or file named \"does-not-exist\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn apply_profile_in_place_then_check_is_clean() {
    let dir = sample_tree("apply-profile");
    let pattern = format!("{}/sites/*/web.config", dir.display());
    let o = run(&["apply", "--profile", "recommended", "--in-place", &pattern]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("13 of 13 files changed"),
        "{}",
        stderr(&o)
    );
    let o = run(&["apply", "--profile", "recommended", "--check", &pattern]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_closed_pipe_ends_a_batch_report_quietly() {
    // validate writes its human report file by file: a reader that goes away early stops the
    // batch without an error, whichever file was being written.
    let dir = temp_dir("pipe-batch");
    let sample = &support::samples()[0];
    let mut args = vec!["validate".to_owned()];
    for i in 0..300 {
        let p = dir.join(format!("{i}.config"));
        std::fs::copy(sample, &p).unwrap();
        args.push(p.display().to_string());
    }
    let (status, err) = close_early(&args);
    assert_ne!(status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("pipe"), "{err}");
}
