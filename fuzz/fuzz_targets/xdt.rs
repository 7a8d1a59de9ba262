//! Any XDT transform, on a config with locations, settings and headers: never a panic; every
//! message is positioned inside its file; a result re-parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webxsl::apply::{ApplyError, ApplyOptions, apply_transforms};
use webxsl::xdt::XdtTransform;
use webxsl::xml::{Document, Limits};

const CONFIG: &str = "<configuration>\n  <appSettings>\n    <add key=\"a\" value=\"1\" />\n  </appSettings>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name=\"X-Frame-Options\" value=\"DENY\" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n  <location path=\"api\">\n    <system.webServer><handlers><add name=\"h\" path=\"*\" /></handlers></system.webServer>\n  </location>\n</configuration>\n";

fuzz_target!(|data: &[u8]| {
    let Ok(t) = XdtTransform::parse(data, "t.config", &Limits::default()) else {
        return;
    };
    let lines = |text: &str| text.lines().count().max(1) as u32;
    let transform_lines = lines(t.document().text());
    let check = |messages: &[webxsl::xdt::XdtError]| {
        for m in messages {
            if let Some(p) = m.pos {
                let max = if m.file.is_some() { transform_lines } else { lines(CONFIG) };
                assert!(p.line >= 1 && p.line <= max + 1 && p.col >= 1, "{m}");
            }
        }
    };
    match apply_transforms(&[&t], CONFIG.as_bytes(), &ApplyOptions::default()) {
        Ok(a) => {
            check(&a.warnings);
            Document::parse(&a.bytes, &Limits::default()).expect("the output re-parses");
        }
        Err(ApplyError::Xdt(e)) => check(&e.0),
        Err(_) => {}
    }
});
