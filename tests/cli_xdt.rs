//! `webxsl apply --xdt` through the real binary: a real Web.Release.config through --check and
//! --in-place, messages at TRANSFORM:line:col, exit codes, --strict, chains, stdin, batches.

mod support;

use std::path::{Path, PathBuf};

use support::{root, run, stderr, stdout, temp_dir, webxsl, write};

fn release() -> String {
    root()
        .join("samples/aspnet-mvc/Web.Release.config")
        .display()
        .to_string()
}

/// A copy of the ASP.NET MVC sample in a scratch directory.
fn copy_of_sample(dir: &Path) -> PathBuf {
    let p = dir.join("web.config");
    std::fs::copy(root().join("samples/aspnet-mvc/web.config"), &p).unwrap();
    p
}

const NS: &str = "http://schemas.microsoft.com/XML-Document-Transform";

#[test]
fn a_release_transform_through_check_then_in_place_then_check() {
    let dir = temp_dir("xdt-release");
    let config = copy_of_sample(&dir);
    let c = config.display().to_string();
    let before = std::fs::read_to_string(&config).unwrap();

    // --check: the diff of the real change only, exit 1, nothing written.
    let o = run(&["apply", "--xdt", &release(), "--check", &c]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let diff = stdout(&o);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        [
            "-    <add name=\"DefaultConnection\" connectionString=\"Data Source=(LocalDb)\\MSSQLLocalDB;Initial Catalog=Contoso.Shop;Integrated Security=True;MultipleActiveResultSets=True\" providerName=\"System.Data.SqlClient\" />",
            "+    <add name=\"DefaultConnection\" connectionString=\"Data Source=sql-prod.contoso.local;Initial Catalog=Contoso.Shop;Integrated Security=True;MultipleActiveResultSets=True\" providerName=\"System.Data.SqlClient\" />",
            "-    <compilation debug=\"true\" targetFramework=\"4.8\" />",
            "+    <compilation targetFramework=\"4.8\" />",
            "-    <customErrors mode=\"RemoteOnly\" defaultRedirect=\"~/Error\" />",
            "+    <customErrors mode=\"On\" defaultRedirect=\"~/Error\">",
            "+      <error statusCode=\"404\" redirect=\"~/NotFound\" />",
            "+    </customErrors>",
            "+        <add name=\"Strict-Transport-Security\" value=\"max-age=31536000; includeSubDomains\" />",
            "+        <add name=\"X-Frame-Options\" value=\"DENY\" />",
        ],
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    // --in-place with --backup.
    let o = run(&["apply", "--xdt", &release(), "--in-place", "--backup", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("web.config.bak")).unwrap(),
        before
    );
    let after = std::fs::read_to_string(&config).unwrap();
    assert!(after.contains("<compilation targetFramework=\"4.8\" />"));

    // Again: no change (the headers are removed and inserted again), so --check exits 0; the
    // transform says there is no debug attribute left to remove.
    let o = run(&["apply", "--xdt", &release(), "--check", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("Web.Release.config:13:18: warning: XDT0011: Argument 'debug' did not match any attributes"),
        "{err}"
    );
    assert!(
        err.contains("web.config:20:6: warning: XDT0011: No attributes found to remove"),
        "{err}"
    );
    // ... which --strict turns into a failure.
    let o = run(&["apply", "--xdt", &release(), "--check", "--strict", &c]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("error: XDT0011"), "{}", stderr(&o));
}

#[test]
fn an_error_writes_nothing_and_exits_2() {
    let dir = temp_dir("xdt-error");
    let config = copy_of_sample(&dir);
    let before = std::fs::read(&config).unwrap();
    let t = write(
        &dir,
        "bad.config",
        &format!(
            "<configuration xmlns:xdt=\"{NS}\">\n  <system.web xdt:Transform=\"Replce\"/>\n</configuration>"
        ),
    );
    let c = config.display().to_string();
    let o = run(&["apply", "--xdt", &t, "--in-place", &c]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(
            "bad.config:2:15: error: XDT0003: Could not resolve 'Replce' as a type of Transform"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean Replace?"), "{err}");
    assert_eq!(std::fs::read(&config).unwrap(), before);
    let out = dir.join("out.config");
    let o = run(&["apply", "--xdt", &t, &c, "-o", &out.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // A transform that is not XML: positioned too.
    let t = write(
        &dir,
        "broken.config",
        "<configuration>\n  <a>\n</configuration>",
    );
    let o = run(&["apply", "--xdt", &t, &c]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("broken.config:3:1: error: XDT0001"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_warning_is_positioned_in_the_transform_and_strict_makes_it_fail() {
    let dir = temp_dir("xdt-warn");
    let config = copy_of_sample(&dir);
    let c = config.display().to_string();
    let t = write(
        &dir,
        "t.config",
        &format!(
            "<configuration xmlns:xdt=\"{NS}\">\n  <system.web>\n    <trace enabled=\"false\" xdt:Transform=\"Replace\"/>\n  </system.web>\n</configuration>"
        ),
    );
    let o = run(&["apply", "--xdt", &t, &c]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, std::fs::read(&config).unwrap());
    assert!(
        stderr(&o).contains("t.config:3:6: warning: XDT0006: No element in the source document matches '/configuration/system.web/trace'"),
        "{}",
        stderr(&o)
    );
    let out = dir.join("out.config");
    let o = run(&[
        "apply",
        "--xdt",
        &t,
        "--strict",
        &c,
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("t.config:3:6: error: XDT0006"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // A transform that never declares the XDT namespace changes nothing: said once, at load.
    let plain = write(
        &dir,
        "plain.config",
        "<configuration><appSettings/></configuration>",
    );
    let o = run(&["apply", "--xdt", &plain, &c]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("plain.config: warning: XDT0010"),
        "{}",
        stderr(&o)
    );
    let o = run(&["apply", "--xdt", &plain, "--strict", &c]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("plain.config: error: XDT0010"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn chained_transforms_from_stdin_and_batches() {
    let dir = temp_dir("xdt-chain");
    let build = write(
        &dir,
        "build.config",
        &format!(
            "<configuration xmlns:xdt=\"{NS}\"><appSettings><add key=\"env\" value=\"build\" xdt:Transform=\"Insert\"/></appSettings></configuration>"
        ),
    );
    let env = write(
        &dir,
        "env.config",
        &format!(
            "<configuration xmlns:xdt=\"{NS}\"><appSettings><add key=\"env\" value=\"prod\" xdt:Transform=\"SetAttributes(value)\" xdt:Locator=\"Match(key)\"/></appSettings></configuration>"
        ),
    );
    let input = "<configuration>\n  <appSettings>\n  </appSettings>\n</configuration>\n";
    let mut child = webxsl()
        .args(["apply", "--xdt", &build, "--xdt", &env])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "<configuration>\n  <appSettings>\n    <add key=\"env\" value=\"prod\" />\n  </appSettings>\n</configuration>\n"
    );
    // A batch, in place, by glob.
    for site in ["a", "b"] {
        std::fs::create_dir_all(dir.join(site)).unwrap();
        std::fs::write(dir.join(site).join("web.config"), input).unwrap();
    }
    let pattern = dir.join("*").join("web.config").display().to_string();
    let o = run(&[
        "apply",
        "--xdt",
        &build,
        "--xdt",
        &env,
        "--in-place",
        &pattern,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 of 2 files changed"),
        "{}",
        stderr(&o)
    );
    for site in ["a", "b"] {
        let text = std::fs::read_to_string(dir.join(site).join("web.config")).unwrap();
        assert!(text.contains("value=\"prod\""), "{text}");
    }
}

#[test]
fn xdt_usage_errors() {
    for args in [
        &["apply", "--xdt", "t.config", "--xsl", "a.xsl"][..],
        &["apply", "--strict", "--xsl", "a.xsl"],
        &["apply", "--xdt", "t.config", "--faithful"],
        &["apply", "--xdt", "t.config", "--stringparam", "a", "b"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}
