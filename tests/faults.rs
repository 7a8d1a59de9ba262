//! Faults and header safety, through the real binary: a batch goes on past bad files and says
//! what happened to each; no file is ever truncated or half-written (not when the disk fills,
//! not when the process is killed); no input makes webxsl write a header that would split or
//! break a response.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

mod support;

use support::{stderr, webxsl};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("webxsl-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name)
            .join("web.config"),
    )
    .unwrap()
}

const FACTORY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/factory-configuration.xsl"
);

/// Files in `d` that webxsl left behind as temporaries.
fn temporaries(d: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".tmp") {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

/// The result of the Factory Configuration stylesheet on `bytes`, computed on a copy.
fn expected_output(d: &Path, bytes: &[u8]) -> Vec<u8> {
    let p = d.join("reference.config");
    std::fs::write(&p, bytes).unwrap();
    let o = webxsl()
        .args(["apply", "--xsl", FACTORY])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_file(&p).unwrap();
    o.stdout
}

/// A web.config with `settings` appSettings entries and an empty customHeaders.
fn big_config(nl: &str, settings: usize) -> Vec<u8> {
    let mut s = format!("<configuration>{nl}  <appSettings>{nl}");
    for i in 0..settings {
        s.push_str(&format!(
            "    <add key=\"k{i}\" value=\"{}\" />{nl}",
            "v".repeat(40)
        ));
    }
    for line in [
        "  </appSettings>",
        "  <system.webServer>",
        "    <httpProtocol>",
        "      <customHeaders />",
        "    </httpProtocol>",
        "  </system.webServer>",
        "</configuration>",
    ] {
        s.push_str(line);
        s.push_str(nl);
    }
    s.into_bytes()
}

#[test]
fn a_batch_goes_on_past_read_only_malformed_and_vanished_files() {
    let d = dir("batch");
    let good = sample("aspnet-mvc");
    let mut files = Vec::new();
    for i in 0..6 {
        let p = d.join(format!("site{i}.config"));
        std::fs::write(&p, &good).unwrap();
        files.push(p);
    }
    let readonly = &files[1];
    let mut perm = std::fs::metadata(readonly).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(readonly, perm).unwrap();
    let malformed = &files[2];
    std::fs::write(
        malformed,
        b"<configuration>\n  <system.webServer>\n</configuration>\n",
    )
    .unwrap();
    // Listed, then gone before webxsl reaches it.
    let vanished = &files[3];
    std::fs::remove_file(vanished).unwrap();

    let o = webxsl()
        .args(["apply", "--in-place", "--xsl", FACTORY])
        .args(&files)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let new = expected_output(&d, &good);
    for (i, f) in files.iter().enumerate() {
        let name = f.display().to_string();
        match i {
            1 => {
                assert!(
                    err.contains(&format!("{name}: the file is read-only; left as it is")),
                    "{err}"
                );
                assert_eq!(std::fs::read(f).unwrap(), good);
            }
            2 => {
                assert!(
                    err.contains(&format!("{name}:3:1: error: expected end tag")),
                    "{err}"
                );
                assert!(
                    std::fs::read(f)
                        .unwrap()
                        .starts_with(b"<configuration>\n  <system")
                );
            }
            3 => {
                assert!(
                    err.contains(&format!("{name}: error: cannot read")),
                    "{err}"
                );
                assert!(!f.exists());
            }
            _ => assert_eq!(std::fs::read(f).unwrap(), new, "{name} is rewritten"),
        }
    }
    assert!(
        err.contains("webxsl: 3 of 6 files changed, 3 failed"),
        "{err}"
    );
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
}

#[test]
fn a_full_disk_fails_the_file_at_hand_and_loses_nothing() {
    let d = dir("full");
    // A file-size limit stands in for a full disk: writes past it fail with EFBIG.
    let small = sample("aspnet-mvc");
    let big = big_config("\n", 4000);
    assert!(big.len() > 256 * 1024);
    let files = [d.join("a.config"), d.join("big.config"), d.join("b.config")];
    std::fs::write(&files[0], &small).unwrap();
    std::fs::write(&files[1], &big).unwrap();
    std::fs::write(&files[2], &small).unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 200 && exec \"$@\"") // 200 blocks of 1 KB (bash) or 512 B (dash)
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_webxsl"))
        .args(["apply", "--in-place", "--xsl", FACTORY])
        .args(&files)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}: cannot write", files[1].display())),
        "{err}"
    );
    assert!(
        err.contains("webxsl: 2 of 3 files changed, 1 failed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&files[1]).unwrap(),
        big,
        "the big file is left whole"
    );
    let new = expected_output(&d, &small);
    assert_eq!(std::fs::read(&files[0]).unwrap(), new);
    assert_eq!(std::fs::read(&files[2]).unwrap(), new);
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
}

#[test]
fn sigkill_during_an_in_place_batch_leaves_every_file_old_or_new() {
    let d = dir("kill");
    // Files big enough that the batch takes a while, so that kills land mid-run.
    let old = big_config("\r\n", 6000);
    let new = expected_output(&d, &old);
    assert_ne!(old, new);
    let files: Vec<PathBuf> = (0..40).map(|i| d.join(format!("{i:02}.config"))).collect();
    let mut killed_mid_run = 0;
    for round in 0..12u64 {
        for f in &files {
            std::fs::write(f, &old).unwrap();
        }
        let mut child = webxsl()
            .args(["apply", "--in-place", "--xsl", FACTORY])
            .args(&files)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the run (deterministic, so a failure reproduces).
        std::thread::sleep(Duration::from_millis(20 + round * 37 % 400));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (mut n_old, mut n_new) = (0, 0);
        for f in &files {
            let now = std::fs::read(f).unwrap();
            if now == old {
                n_old += 1;
            } else if now == new {
                n_new += 1;
            } else {
                panic!(
                    "round {round}: {} is neither the old nor the new version",
                    f.display()
                );
            }
        }
        assert_eq!(n_old + n_new, files.len());
        // A kill can leave a temporary behind (nothing can remove it); it is never a config.
        for t in temporaries(&d) {
            assert!(t.contains(".webxsl-"), "{t}");
            std::fs::remove_file(t).unwrap();
        }
    }
    assert!(
        killed_mid_run > 0,
        "no kill landed while the batch was running"
    );
}

fn stylesheet(d: &Path, body: &str) -> PathBuf {
    let p = d.join("sheet.xsl");
    std::fs::write(
        &p,
        format!("<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n<xsl:param name=\"v\" select=\"'x'\"/>\n<xsl:template match=\"@*|node()\"><xsl:copy><xsl:apply-templates select=\"@*|node()\"/></xsl:copy></xsl:template>\n{body}\n</xsl:stylesheet>\n"),
    )
    .unwrap();
    p
}

#[test]
fn no_stylesheet_or_parameter_can_write_a_header_that_splits_the_response() {
    let d = dir("inject");
    let input = sample("aspnet-mvc");
    let config = d.join("web.config");
    std::fs::write(&config, &input).unwrap();
    let sheet = stylesheet(
        &d,
        "<xsl:template match=\"customHeaders\"><xsl:copy><xsl:apply-templates select=\"@*|node()\"/><add name=\"X-Test\" value=\"{$v}\"/></xsl:copy></xsl:template>",
    );
    for value in ["a\r\nSet-Cookie: stolen=1", "a\nb", "nul\u{1}here"] {
        let o = webxsl()
            .args(["apply", "--in-place", "--xsl"])
            .arg(&sheet)
            .args(["--stringparam", "v", value])
            .arg(&config)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{value:?}: {err}");
        assert!(
            err.contains("refusing to write the result: header X-Test has the control character"),
            "{err}"
        );
        assert_eq!(std::fs::read(&config).unwrap(), input, "left as it was");
    }
    // A header name that is not a token.
    let sheet = stylesheet(
        &d,
        "<xsl:template match=\"customHeaders\"><xsl:copy><xsl:apply-templates select=\"@*|node()\"/><add name=\"{$v}\" value=\"1\"/></xsl:copy></xsl:template>",
    );
    let o = webxsl()
        .args(["apply", "--xsl"])
        .arg(&sheet)
        .args(["--stringparam", "v", "X-Evil: 1\r\nX-More"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a token"), "{}", stderr(&o));
    // A bad entry already in the input is pointed at, not copied.
    let bad = String::from_utf8(input.clone()).unwrap().replacen(
        "<customHeaders>",
        "<customHeaders>\n        <add name=\"X-Bad\" value=\"a&#10;b\" />",
        1,
    );
    let bad_config = d.join("bad.config");
    std::fs::write(&bad_config, &bad).unwrap();
    let o = webxsl()
        .args(["apply", "--xsl", FACTORY])
        .arg(&bad_config)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let line = bad.lines().position(|l| l.contains("X-Bad")).unwrap() + 1;
    assert!(
        err.contains(&format!(
            "{}:{line}:9: error: refusing",
            bad_config.display()
        )),
        "{err}"
    );
}

#[test]
fn profiles_refuse_unsafe_headers_and_every_output_escapes_values() {
    let d = dir("escape");
    let bad = d.join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"bad\"\n[headers]\nX-Test = \"a\\r\\nSet-Cookie: x=1\"\n",
    )
    .unwrap();
    for cmd in [&["generate", "--profile"][..], &["apply", "--profile"][..]] {
        let o = webxsl().args(cmd).arg(&bad).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd:?}");
        assert!(stderr(&o).contains("X-Test"), "{}", stderr(&o));
    }
    let bad_name = d.join("bad-name.toml");
    std::fs::write(&bad_name, "name = \"bad\"\n[headers]\n\"X Test\" = \"1\"\n").unwrap();
    let o = webxsl()
        .args(["generate", "--profile"])
        .arg(&bad_name)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // Quotes, ampersands, angle brackets and braces (attribute value templates in XSLT) come
    // out as the same value from every output.
    let csp = "default-src 'self'; img-src https://cdn.example/?a=1&b=<2>";
    let custom = "{not-an-avt} \"quoted\" & 'single'";
    let good = d.join("good.toml");
    std::fs::write(
        &good,
        format!(
            "name = \"good\"\n[headers]\nContent-Security-Policy = {csp:?}\nX-Custom = {custom:?}\n"
        ),
    )
    .unwrap();
    let config = d.join("web.config");
    std::fs::write(&config, sample("aspnet-mvc")).unwrap();
    let value_of = |xml: &str, name: &str| -> String {
        let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        doc.descendants()
            .filter(|n| n.has_tag_name("add") && n.attribute("name") == Some(name))
            .map(|n| n.attribute("value").unwrap().to_owned())
            .next_back()
            .unwrap_or_else(|| panic!("no {name} in\n{xml}"))
    };
    // Both values, unchanged, in the output of a successful run.
    let check = |what: &str, mut cmd: Command| {
        let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        assert_eq!(value_of(&out, "Content-Security-Policy"), csp, "{what}");
        assert_eq!(value_of(&out, "X-Custom"), custom, "{what}");
    };
    let mut apply = webxsl();
    apply.args(["apply", "--profile"]).arg(&good).arg(&config);
    check("apply --profile", apply);
    // generate --format xsl, then run it with webxsl and with xsltproc.
    let xsl = d.join("good.xsl");
    let o = webxsl()
        .args(["generate", "--profile"])
        .arg(&good)
        .arg("-o")
        .arg(&xsl)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut ours = webxsl();
    ours.arg("xslt").arg(&xsl).arg(&config);
    check("webxsl xslt", ours);
    let mut theirs = Command::new("xsltproc");
    theirs.arg(&xsl).arg(&config);
    check("xsltproc", theirs);
    // generate --format xdt: the transform itself holds the values.
    let mut xdt = webxsl();
    xdt.args(["generate", "--format", "xdt", "--profile"])
        .arg(&good);
    check("generate --format xdt", xdt);
}
