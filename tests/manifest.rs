//! The repository manifest through the real binary: `init`, `check`, `sync` on temporary
//! repositories of several applications — overrides, hand-edited drift, a profile change,
//! files matched twice, every manifest mistake with its position, SARIF against its schema.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::{stderr, stdout, temp_dir};

/// A repository: apps/{shop,blog,admin}/web.config and legacy/web.config, from the samples.
fn repo(name: &str) -> PathBuf {
    let d = temp_dir(name);
    for (dir, sample) in [
        ("apps/shop", "aspnet-mvc"),
        ("apps/blog", "outsystems-module"),
        ("apps/admin", "location-sections"),
        ("legacy", "existing-xfo"),
    ] {
        std::fs::create_dir_all(d.join(dir)).unwrap();
        std::fs::copy(
            support::root()
                .join("samples")
                .join(sample)
                .join("web.config"),
            d.join(dir).join("web.config"),
        )
        .unwrap();
    }
    d
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    support::webxsl()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run webxsl")
}

const MANIFEST: &str = r#"# The shop and the blog share a profile; the shop loads images from a CDN.
[profiles.base]
extends = "recommended"
drop = ["X-XSS-Protection"]
[profiles.base.headers]
X-Frame-Options = "SAMEORIGIN"

[profiles.shop]
extends = "base"
[profiles.shop.csp.add]
img-src = ["https://images.shop.example"]
script-src = ["https://cdn.shop.example"]
[profiles.shop.permissions]
payment = ["self"]

[[apply]]
files = ["apps/*/web.config", "!apps/shop/web.config"]
profile = "base"
min-grade = "A"

[[apply]]
files = ["apps/shop/web.config"]
profile = "shop"

[[apply]]
files = ["legacy/web.config", "apps/admin/web.config"]
profile = "owasp"
"#;

#[test]
fn sync_then_check_is_clean_and_idempotent() {
    let d = repo("manifest-sync");
    std::fs::write(d.join("webxsl.toml"), MANIFEST).unwrap();
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("--- a/apps/shop/web.config"), "{out}");
    assert!(out.contains("4 files checked, 4 not up to date"), "{out}");
    // admin is matched by two entries: check says so.
    assert!(
        out.contains("apps/admin/web.config: matched by [[apply]] entries 1, 3"),
        "{out}"
    );
    let before = std::fs::read(d.join("apps/blog/web.config")).unwrap();
    let o = run_in(&d, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("4 files written"), "{}", stdout(&o));
    let after = std::fs::read(d.join("apps/blog/web.config")).unwrap();
    assert_ne!(before, after);
    // The shop got its own CSP sources, and script-src starts from default-src.
    let shop = std::fs::read_to_string(d.join("apps/shop/web.config")).unwrap();
    assert!(
        shop.contains("img-src 'self' data: https://images.shop.example"),
        "{shop}"
    );
    assert!(
        shop.contains("script-src 'self' https://cdn.shop.example"),
        "{shop}"
    );
    assert!(shop.contains("payment=(self)"), "{shop}");
    assert!(
        shop.contains("SAMEORIGIN") && !shop.contains("X-XSS-Protection"),
        "{shop}"
    );
    // Idempotent: nothing more to write, and check passes.
    let o = run_in(&d, &["sync"]);
    assert!(
        stdout(&o).contains("0 files written, 4 already up to date"),
        "{}",
        stdout(&o)
    );
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // A header edited by hand is drift, shown as a diff a reviewer can paste.
    let edited = shop.replace("SAMEORIGIN", "ALLOWALL");
    std::fs::write(d.join("apps/shop/web.config"), edited).unwrap();
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("-        <add name=\"X-Frame-Options\" value=\"ALLOWALL\" />"),
        "{out}"
    );
    assert!(
        out.contains("+        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />"),
        "{out}"
    );
    assert!(out.contains("1 not up to date"), "{out}");

    // A profile changed without a sync: every file of it drifts.
    std::fs::write(
        d.join("webxsl.toml"),
        MANIFEST.replace("\"SAMEORIGIN\"", "\"DENY\""),
    )
    .unwrap();
    let o = run_in(&d, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let stale: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["up_to_date"] == false)
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // admin gets owasp after base, and owasp sets X-Frame-Options itself: no drift there.
    assert_eq!(stale, ["apps/blog/web.config", "apps/shop/web.config"]);
    assert!(v["files"][1]["diff"].as_str().unwrap().contains("DENY"));

    // profiles show prints the resolved profile.
    let o = run_in(&d, &["profiles", "show", "shop"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(
        shown.contains("https://images.shop.example") && shown.contains("name = \"shop\""),
        "{shown}"
    );
    // And generate uses it.
    let o = run_in(&d, &["generate", "--profile", "shop"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("images.shop.example"));
}

#[test]
fn min_grade_and_errors_fail_the_check() {
    let d = repo("manifest-grade");
    std::fs::write(
        d.join("webxsl.toml"),
        "[[apply]]\nfiles = [\"legacy/web.config\"]\nprofile = \"outsystems-guide\"\nmin-grade = \"A+\"\n",
    )
    .unwrap();
    run_in(&d, &["sync"]);
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("is below min-grade A+ ([[apply]] entry 1)"),
        "{out}"
    );
    // With SARIF: one run for the repository, relative paths, valid against the schema.
    let o = run_in(&d, &["check", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let validator = support::sarif_validator();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let low = results
        .iter()
        .find(|r| r["ruleId"] == "grade-below-minimum")
        .expect("the grade result");
    assert_eq!(
        low["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "legacy/web.config"
    );
}

#[test]
fn every_manifest_mistake_is_positioned() {
    let d = repo("manifest-errors");
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[apply]]\nfles = [\"x\"]\n",
            "webxsl.toml:2:1",
            "did you mean files?",
        ),
        (
            "[profiles.a]\nextends = \"recomended\"\n",
            "webxsl.toml:2:1",
            "did you mean recommended?",
        ),
        (
            "[profiles.a]\nextends = \"b\"\n[profiles.b]\nextends = \"a\"\n",
            "webxsl.toml:1:1",
            "cycle: a -> b -> a",
        ),
        (
            "[profiles.a]\nextends = \"recommended\"\nheaderz = 1\n",
            "webxsl.toml:3:1",
            "did you mean headers?",
        ),
        (
            "[profiles.a]\nextends = \"recommended\"\ndrop = [\"X-Nope\"]\n",
            "webxsl.toml:3:",
            "does not set",
        ),
        (
            "[profiles.a]\nextends = \"recommended\"\n[profiles.a.csp.add]\nscirpt-src = [\"x.example\"]\n",
            "webxsl.toml:4:1",
            "did you mean script-src?",
        ),
        (
            "[[apply]]\nfiles = [\"apps/nope/web.config\"]\nprofile = \"recommended\"\n",
            "webxsl.toml:2:10",
            "no file apps/nope/web.config",
        ),
        (
            "[[apply]]\nfiles = [\"legacy/web.config\"]\nprofile = \"nope\"\n",
            "webxsl.toml:3:",
            "no profile, preset or file named \"nope\"",
        ),
        (
            "[[apply]]\nfiles = [\"legacy/web.config\"]\nxsl = \"missing.xsl\"\n",
            "webxsl.toml:3:",
            "no file missing.xsl",
        ),
        (
            "[[apply]]\nfiles = [\"legacy/web.config\"]\nprofile = \"recommended\"\nmin-grade = \"Z\"\n",
            "webxsl.toml:4:",
            "is not a grade",
        ),
        (
            "[[apply]]\nfiles = [\"legacy/web.config\"]\nprofile = \"recommended\"\nignore = [\"csp-unsafe-inlin\"]\n",
            "webxsl.toml:4:",
            "did you mean csp-unsafe-inline?",
        ),
        (
            "[[apply]]\nfiles = [\"legacy/web.config\"]\n",
            "webxsl.toml:1:1",
            "applies nothing",
        ),
        ("not toml = [\n", "webxsl.toml:1:", "webxsl.toml"),
    ];
    for (text, at, what) in cases {
        std::fs::write(d.join("webxsl.toml"), text).unwrap();
        let o = run_in(&d, &["check"]);
        assert_eq!(o.status.code(), Some(2), "{text}\n{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(at) && err.contains(what),
            "{text}\nexpected {at} … {what}:\n{err}"
        );
    }
    // A glob that matches nothing is a warning, not an error.
    std::fs::write(
        d.join("webxsl.toml"),
        "[[apply]]\nfiles = [\"sites/*/web.config\", \"legacy/web.config\"]\nprofile = \"recommended\"\n",
    )
    .unwrap();
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("webxsl.toml:2:10: warning: \"sites/*/web.config\" matches no file"),
        "{}",
        stderr(&o)
    );
    // No manifest at all.
    let empty = temp_dir("manifest-none");
    let o = run_in(&empty, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no webxsl.toml"), "{}", stderr(&o));
}

#[test]
fn init_writes_a_starter_and_never_overwrites() {
    let d = repo("manifest-init");
    let o = run_in(&d, &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.join("webxsl.toml")).unwrap();
    assert!(text.contains("files = [\"apps/*/web.config\"]"), "{text}");
    assert!(text.contains("files = [\"legacy/web.config\"]"), "{text}");
    // The starter works as it is.
    let o = run_in(&d, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Never overwritten.
    let o = run_in(&d, &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(d.join("webxsl.toml")).unwrap(),
        text
    );
}

#[test]
fn stylesheets_and_transforms_run_in_order_after_the_profile() {
    let d = repo("manifest-chain");
    std::fs::write(
        d.join("stamp.xsl"),
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:param name="env"/>
<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
<xsl:template match="customHeaders"><xsl:copy><xsl:apply-templates select="@*|node()[not(self::add[@name='X-Env'])]"/><add name="X-Env" value="{$env}"/></xsl:copy></xsl:template>
</xsl:stylesheet>"#,
    )
    .unwrap();
    std::fs::write(
        d.join("Web.Release.config"),
        r#"<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform"><system.webServer><httpProtocol><customHeaders><add name="X-Env" value="release" xdt:Transform="SetAttributes" xdt:Locator="Match(name)"/></customHeaders></httpProtocol></system.webServer></configuration>"#,
    )
    .unwrap();
    std::fs::write(
        d.join("webxsl.toml"),
        "[[apply]]\nfiles = [\"legacy/web.config\"]\nprofile = \"recommended\"\nxsl = \"stamp.xsl\"\nparams = { env = \"'prod'\" }\nxdt = \"Web.Release.config\"\n",
    )
    .unwrap();
    let o = run_in(&d, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.join("legacy/web.config")).unwrap();
    // The stylesheet (idempotent: it replaces its own header) added X-Env=prod after the
    // profile's headers; the transform then set it.
    assert!(
        text.contains("<add name=\"X-Env\" value=\"release\""),
        "{text}"
    );
    assert!(text.contains("Content-Security-Policy"), "{text}");
    let o = run_in(&d, &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}
