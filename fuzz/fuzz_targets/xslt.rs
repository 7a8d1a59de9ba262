//! Any stylesheet: compiling never panics; running it on a sample under small limits ends with
//! a result that serializes, or a coded error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webxsl::xml::{Document, Limits};
use webxsl::xslt::{Stylesheet, TransformOptions, serialize};

const DOC: &str = r#"<configuration><system.webServer><httpProtocol><customHeaders><add name="X-Frame-Options" value="DENY"/></customHeaders></httpProtocol></system.webServer><location path="api"><a b="1">t</a></location></configuration>"#;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sheet) = Stylesheet::from_str(src, None) else {
        return;
    };
    let doc = Document::parse(DOC.as_bytes(), &Limits::default()).expect("the fixed document");
    let opts = TransformOptions {
        max_depth: 200,
        max_output_nodes: 100_000,
        max_output_bytes: 1 << 20,
        max_work: 1_000_000,
        ..TransformOptions::default()
    };
    if let Ok(result) = sheet.transform(doc.tree(), &opts) {
        let _ = serialize(&result.tree, &result.output);
    }
});
