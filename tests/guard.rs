//! Never break IIS: `apply` (XSL, profile, XDT; one file, batches, --in-place, --check) writes
//! nothing that adds a duplicate collection entry (HTTP 500.19) the input did not have, names
//! both entries, and `--allow-broken` overrides; a duplicate already in the input is reported
//! and does not block. `generate` checks its own templates.

mod support;

use std::path::Path;

use support::{run, stderr, stdout, temp_dir, write};

const NS: &str = "http://schemas.microsoft.com/XML-Document-Transform";

/// system.webServer in `<location path=".">` already sending X-Content-Type-Options.
const IN_LOCATION: &str = "<configuration>\n  <location path=\".\" inheritInChildApplications=\"false\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"X-Content-Type-Options\" value=\"nosniff\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n";

const PLAIN: &str = "<configuration>\n  <system.webServer>\n    <staticContent>\n      <mimeMap fileExtension=\".webmanifest\" mimeType=\"application/manifest+json\" />\n    </staticContent>\n  </system.webServer>\n</configuration>\n";

/// An XDT transform that adds a mimeMap IIS 10 already has (the classic 500.19).
fn woff2(dir: &Path) -> String {
    write(
        dir,
        "fonts.config",
        &format!(
            "<configuration xmlns:xdt=\"{NS}\"><system.webServer><staticContent><mimeMap fileExtension=\".woff2\" mimeType=\"font/woff2\" xdt:Transform=\"Insert\"/></staticContent></system.webServer></configuration>"
        ),
    )
}

#[test]
fn a_transform_that_adds_a_duplicate_is_refused_with_both_entries_named() {
    let d = temp_dir("guard-xdt");
    let t = woff2(&d);
    let c = write(&d, "web.config", PLAIN);
    let o = run(&[
        "apply",
        "--xdt",
        &t,
        &c,
        "-o",
        &d.join("out").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("refusing to write the result: IIS would answer HTTP 500.19"),
        "{err}"
    );
    assert!(
        err.contains("web.config:5:7: error[duplicate-inherited]: mimeMap fileExtension='.woff2' is already defined at server level by IIS 10"),
        "{err}"
    );
    assert!(err.contains("<remove fileExtension=\".woff2\" />"), "{err}");
    assert!(!d.join("out").exists());
    // IIS 8.5 has no .woff2: fine there.
    let o = run(&["apply", "--xdt", &t, "--iis-version", "8.5", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // --allow-broken writes it, and says so.
    let o = run(&["apply", "--xdt", &t, "--allow-broken", &c]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains(".woff2"));
    assert!(
        stderr(&o).contains("warning[duplicate-inherited]"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--allow-broken"), "{}", stderr(&o));
}

#[test]
fn the_generated_xdt_on_a_location_config_is_stopped_and_the_profile_is_not() {
    let d = temp_dir("guard-location");
    let c = write(&d, "web.config", IN_LOCATION);
    let xdt = d.join("owasp.xdt").display().to_string();
    let o = run(&[
        "generate",
        "--profile",
        "owasp",
        "--format",
        "xdt",
        "-o",
        &xdt,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&xdt)
            .unwrap()
            .contains("<location path=\".\">")
    );
    let o = run(&["apply", "--xdt", &xdt, "--in-place", &c]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("error[duplicate-header]: X-Content-Type-Options is already added at line"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&c).unwrap(), IN_LOCATION);
    // The XSL template knows <location path=".">: no duplicate, written.
    let o = run(&["apply", "--profile", "owasp", "--in-place", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn stylesheets_batches_and_check_are_guarded_and_old_duplicates_only_reported() {
    let d = temp_dir("guard-batch");
    let xsl = write(
        &d,
        "dup.xsl",
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="staticContent"><xsl:copy><xsl:apply-templates select="@*|node()"/><mimeMap fileExtension=".json" mimeType="application/json"/></xsl:copy></xsl:template>
</xsl:stylesheet>"#,
    );
    for site in ["a", "b"] {
        std::fs::create_dir_all(d.join(site)).unwrap();
    }
    let a = write(&d.join("a"), "web.config", PLAIN);
    // b already re-adds .json after a <remove>: the stylesheet's second .json is a duplicate.
    let b_text = PLAIN.replace(
        "    </staticContent>",
        "      <remove fileExtension=\".json\" />\n      <mimeMap fileExtension=\".json\" mimeType=\"application/json\" />\n    </staticContent>",
    );
    let b = write(&d.join("b"), "web.config", &b_text);
    let o = run(&["apply", "--xsl", &xsl, "--check", &a, &b]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("0 of 2 files would change, 2 failed"), "{err}");
    assert!(err.contains("duplicate-inherited"), "{err}");
    assert!(
        err.contains("duplicate-entry]: mimeMap fileExtension='.json' is already added at line 6"),
        "{err}"
    );
    let o = run(&["apply", "--xsl", &xsl, "--in-place", &a, &b]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&a).unwrap(), PLAIN);
    assert_eq!(std::fs::read_to_string(&b).unwrap(), b_text);
    // A duplicate the input already has is reported and does not block another change.
    let old = PLAIN.replace(
        "    </staticContent>",
        "      <mimeMap fileExtension=\".svg\" mimeType=\"image/svg+xml\" />\n    </staticContent>",
    );
    let c = write(&d, "old.config", &old);
    let o = run(&["apply", "--profile", "recommended", &c]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("old.config:5:7: warning[duplicate-inherited]: mimeMap fileExtension='.svg'"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("(in the input already)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn generate_refuses_a_template_that_would_break_iis() {
    let d = temp_dir("guard-generate");
    let p = write(
        &d,
        "p.toml",
        "name = \"p\"\n[headers]\nX-Powered-By = \"us\"\n",
    );
    for format in ["xsl", "xdt"] {
        let o = run(&["generate", "--profile", &p, "--format", format]);
        assert_eq!(o.status.code(), Some(2), "{format}");
        assert!(
            stderr(&o).contains("X-Powered-By is already defined at server level"),
            "{}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
    let p = write(
        &d,
        "q.toml",
        "name = \"q\"\nremove-inherited = true\n[headers]\nX-Powered-By = \"us\"\n",
    );
    let o = run(&["generate", "--profile", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn every_collection_is_documented() {
    let doc = std::fs::read_to_string(support::root().join("docs/iis.md")).unwrap();
    for c in webxsl::iis::COLLECTIONS {
        assert!(
            doc.contains(&format!("| `{}` |", c.id)),
            "{} is not in docs/iis.md",
            c.id
        );
    }
}
