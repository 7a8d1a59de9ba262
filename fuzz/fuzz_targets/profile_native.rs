//! Any document: each preset applied natively (`ProfileTransform`) gives what its generated
//! stylesheet gives — the same bytes, or the same error — whenever the native path takes the
//! document.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use webxsl::apply::{ApplyOptions, ProfileTransform, apply_stylesheet};
use webxsl::profile::presets;

static PRESETS: LazyLock<Vec<ProfileTransform>> = LazyLock::new(|| {
    presets::NAMES
        .iter()
        .map(|n| ProfileTransform::new(&presets::get(n).expect("a preset")))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let t = &PRESETS[pick as usize % PRESETS.len()];
    let opts = ApplyOptions {
        allow_broken: pick & 0x80 != 0,
        ..ApplyOptions::default()
    };
    let Some(native) = t.apply_natively(data, &opts) else {
        return;
    };
    let sheet = apply_stylesheet(t.stylesheet(), data, &opts);
    match (native, sheet) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.bytes, b.bytes, "the same bytes");
            assert_eq!(a.changed, b.changed);
            assert_eq!(a.fallback, b.fallback);
            assert_eq!(a.broken_before, b.broken_before);
            assert_eq!(a.broken_allowed, b.broken_allowed);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "the same error"),
        (a, b) => panic!("native {:?} but stylesheet {:?}", a.map(|x| x.bytes), b.map(|x| x.bytes)),
    }
});
