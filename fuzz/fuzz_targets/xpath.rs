//! Any expression: compiling never panics, and evaluation on a small document either gives a
//! value or a positioned error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webxsl::xml::{Document, Limits};
use webxsl::xpath::{SimpleEnv, XPath};

const DOC: &str = r#"<configuration xmlns:x="urn:x"><system.webServer><httpProtocol><customHeaders><clear/><add name="X-Frame-Options" value="DENY"/><remove name="X-Powered-By"/></customHeaders></httpProtocol></system.webServer><location path="api"><x:y a="1">text<!--c--><?pi data?></x:y></location></configuration>"#;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(xpath) = XPath::compile(src) else {
        return;
    };
    let doc = Document::parse(DOC.as_bytes(), &Limits::default()).expect("the fixed document");
    let mut env = SimpleEnv::new(doc.tree());
    env.budget = 1_000_000;
    if let Err(e) = xpath.evaluate(&mut env) {
        assert!(e.span.end <= src.len(), "error spans stay inside the expression");
    }
});
