//! Any bytes: parsing never panics; what parses is lossless (spans verified, the text rebuilt
//! from the tree is the text, and re-encoding gives back the original bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webxsl::xml::{Document, Limits};

fuzz_target!(|data: &[u8]| {
    for limits in [Limits::default(), Limits::with_dtd()] {
        // Documents with DTD entities have no spans (documented): nothing to check there.
        if let Some(doc) = Document::parse(data, &limits).ok().filter(|d| d.tree().has_spans()) {
            doc.verify_spans().expect("spans point at what they describe");
            assert_eq!(doc.rebuild_text(), doc.text(), "the tree rebuilds the text");
            assert_eq!(doc.to_bytes().expect("re-encodes"), data, "round trip");
        }
    }
});
