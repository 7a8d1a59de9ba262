//! Every input a fuzzer once crashed on (`tests/fuzz-regressions/TARGET/*`), through the same
//! checks as its fuzz target in `fuzz/fuzz_targets/`.

use std::path::{Path, PathBuf};

use webxsl::apply::{
    ApplyError, ApplyOptions, apply_stylesheet, apply_transforms, profile_stylesheet,
};
use webxsl::profile;
use webxsl::xdt::{XdtError, XdtTransform};
use webxsl::xml::{Document, Limits};
use webxsl::xpath::{SimpleEnv, XPath};
use webxsl::xslt::{Stylesheet, TransformOptions, serialize};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn parse() {
    let all = inputs("parse");
    assert!(!all.is_empty());
    for (path, data) in all {
        for limits in [Limits::default(), Limits::with_dtd()] {
            // Documents with DTD entities have no spans (documented): nothing to check there.
            if let Some(doc) = Document::parse(&data, &limits)
                .ok()
                .filter(|d| d.tree().has_spans())
            {
                doc.verify_spans()
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(doc.rebuild_text(), doc.text(), "{}", path.display());
                assert_eq!(doc.to_bytes().unwrap(), data, "{}", path.display());
            }
        }
    }
}

const DOC: &str = r#"<configuration xmlns:x="urn:x"><system.webServer><httpProtocol><customHeaders><clear/><add name="X-Frame-Options" value="DENY"/></customHeaders></httpProtocol></system.webServer><location path="api"><x:y a="1">text<!--c--><?pi data?></x:y></location></configuration>"#;

#[test]
fn xpath() {
    let doc = Document::parse(DOC.as_bytes(), &Limits::default()).unwrap();
    for (path, data) in inputs("xpath") {
        let Ok(src) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok(x) = XPath::compile(src) {
            // The fuzz target's budget: small enough that a blowup ends in moments.
            let mut env = SimpleEnv::new(doc.tree());
            env.budget = 1_000_000;
            if let Err(e) = x.evaluate(&mut env) {
                assert!(e.span.end <= src.len(), "{}", path.display());
            }
        }
    }
}

#[test]
fn xslt() {
    let doc = Document::parse(DOC.as_bytes(), &Limits::default()).unwrap();
    let opts = TransformOptions {
        max_depth: 200,
        max_output_nodes: 100_000,
        max_output_bytes: 1 << 20,
        max_work: 1_000_000,
        ..TransformOptions::default()
    };
    for (_, data) in inputs("xslt") {
        let Ok(src) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok(sheet) = Stylesheet::from_str(src, None)
            && let Ok(r) = sheet.transform(doc.tree(), &opts)
        {
            let _ = serialize(&r.tree, &r.output);
        }
    }
}

#[test]
fn apply() {
    let sheet = profile_stylesheet(&profile::load("recommended").unwrap());
    let opts = ApplyOptions::default();
    for (path, data) in inputs("apply") {
        if let Ok(once) = apply_stylesheet(&sheet, &data, &opts) {
            Document::parse(&once.bytes, &Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let twice = apply_stylesheet(&sheet, &once.bytes, &opts).unwrap();
            assert!(!twice.changed, "{}", path.display());
        }
    }
}

/// The xdt target's config: locations, settings and headers.
const CONFIG: &str = "<configuration>\n  <appSettings>\n    <add key=\"a\" value=\"1\" />\n  </appSettings>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name=\"X-Frame-Options\" value=\"DENY\" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n  <location path=\"api\">\n    <system.webServer><handlers><add name=\"h\" path=\"*\" /></handlers></system.webServer>\n  </location>\n</configuration>\n";

#[test]
fn xdt() {
    let all = inputs("xdt");
    assert!(!all.is_empty());
    for (path, data) in all {
        let Ok(t) = XdtTransform::parse(&data, "t.config", &Limits::default()) else {
            continue;
        };
        let lines = |text: &str| text.lines().count().max(1) as u32;
        let check = |messages: &[XdtError]| {
            for m in messages {
                if let Some(p) = m.pos {
                    let max = if m.file.is_some() {
                        lines(t.document().text())
                    } else {
                        lines(CONFIG)
                    };
                    assert!(
                        p.line >= 1 && p.line <= max + 1 && p.col >= 1,
                        "{}: {m}",
                        path.display()
                    );
                }
            }
        };
        match apply_transforms(&[&t], CONFIG.as_bytes(), &ApplyOptions::default()) {
            Ok(a) => {
                check(&a.warnings);
                Document::parse(&a.bytes, &Limits::default())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            Err(ApplyError::Xdt(e)) => check(&e.0),
            Err(_) => {}
        }
    }
}
