//! Any bytes, decoded: the one-pass parser and the roxmltree path agree, on the error (message
//! and position) or on the tree, node by node through the public API
//! (tests/xml_parser_differential.rs does the same on its corpus and generated documents).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webxsl::xml::parse::{parse_text_in_one_pass, parse_text_with_roxmltree};
use webxsl::xml::{Limits, NodeId, Tree};

/// What the public API says about a node (spans, names, atoms, values, links).
fn describe(t: &Tree, n: NodeId) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        t.kind(n),
        t.parent(n),
        t.first_child(n),
        t.last_child(n),
        t.prev_sibling(n),
        t.next_sibling(n),
        t.attributes(n).collect::<Vec<_>>(),
        t.name(n).map(|q| (q, t.atom(q.prefix), t.atom(q.local), t.atom(q.uri))),
        t.name_id(n),
        t.value(n),
        t.namespaces(n)
            .iter()
            .map(|b| (b.prefix, b.uri, t.atom(b.prefix), t.atom(b.uri)))
            .collect::<Vec<_>>(),
        t.span(n),
        t.start_tag_span(n),
        t.content_span(n),
        t.end_tag_span(n),
        t.attr_value_span(n),
        t.attr_quote(n),
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok((text, _)) = webxsl::xml::encoding::decode(data) else {
        return;
    };
    for limits in [Limits::default(), Limits::with_dtd()] {
        if limits.allow_dtd && text.contains("<!DOCTYPE") {
            continue;
        }
        let new = parse_text_in_one_pass(text.clone(), &limits);
        let old = parse_text_with_roxmltree(text.clone(), &limits);
        match (new, old) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.len(), b.len(), "node count");
                assert_eq!(a.has_spans(), b.has_spans());
                for i in 0..a.len() {
                    let n = NodeId::from_index(i);
                    assert_eq!(describe(&a, n), describe(&b, n), "node {i}");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "errors"),
            (a, b) => panic!("one pass {:?}, roxmltree {:?}", a.err(), b.err()),
        }
    }
});
