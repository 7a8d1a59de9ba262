//! Any web.config: applying the recommended profile never panics; a result re-parses, and
//! applying the profile again changes nothing.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use webxsl::apply::{ApplyOptions, apply_stylesheet, profile_stylesheet};
use webxsl::profile;
use webxsl::xml::{Document, Limits};
use webxsl::xslt::Stylesheet;

static SHEET: LazyLock<Stylesheet> = LazyLock::new(|| {
    profile_stylesheet(&profile::load("recommended").expect("a preset"))
});

fuzz_target!(|data: &[u8]| {
    let opts = ApplyOptions::default();
    let Ok(once) = apply_stylesheet(&SHEET, data, &opts) else {
        return;
    };
    Document::parse(&once.bytes, &Limits::default()).expect("the output re-parses");
    let twice = apply_stylesheet(&SHEET, &once.bytes, &opts).expect("the output applies again");
    assert!(!twice.changed, "applying a profile twice equals applying it once");
    assert_eq!(twice.bytes, once.bytes);
});
