//! Unit tests of the tree: building, copies, interning.

use super::*;

/// Two trees of a thread share the string of a name; past the thread's room, and for long
/// strings, a tree makes its own; either way every atom reads back as interned.
#[test]
fn trees_of_a_thread_share_their_atoms_and_still_read_them_back() {
    std::thread::spawn(|| {
        let (mut a, mut b) = (Tree::new(), Tree::new());
        let (x, y) = (a.intern("system.webServer"), b.intern("system.webServer"));
        assert!(Arc::ptr_eq(&a.atoms[x.0 as usize], &b.atoms[y.0 as usize]));
        let long = "u".repeat(200);
        let (x, y) = (a.intern(&long), b.intern(&long));
        assert!(!Arc::ptr_eq(&a.atoms[x.0 as usize], &b.atoms[y.0 as usize]));
        let many: Vec<String> = (0..5000).map(|i| format!("name{i}")).collect();
        let ids: Vec<Atom> = many.iter().map(|s| a.intern(s)).collect();
        for (s, id) in many.iter().zip(&ids) {
            assert_eq!(a.atom(*id), s);
            let c = b.intern(s);
            assert_eq!(b.atom(c), s);
        }
        let (x, y) = (a.intern("name4999"), b.intern("name4999"));
        assert!(!Arc::ptr_eq(&a.atoms[x.0 as usize], &b.atoms[y.0 as usize]));
    })
    .join()
    .unwrap();
}

#[test]
fn a_tree_built_from_copies_shares_its_source_text_and_outlives_it() {
    let source = crate::xml::parse::parse_text(
        "<a x='value' y='a&amp;b'>text</a>".to_owned(),
        &crate::xml::Limits::default(),
    )
    .unwrap();
    let a = source.first_child(NodeId::ROOT).unwrap();
    let mut result = Tree::with_names_of(&source);
    let ra = result.append_element(NodeId::ROOT, source.name_id(a).unwrap());
    for at in source.attributes(a) {
        result.set_attribute(ra, source.name_id(at).unwrap(), source.value(at));
    }
    let text = source.first_child(a).unwrap();
    result.append_text(ra, source.value(text));
    // Copied values refer to the source's text instead of growing the result's buffer;
    // "a&b" is not in the text as it is (an entity), so it is stored.
    assert_eq!(result.buf, "a&b");
    assert_eq!(result.source(), "", "a built tree shows no source");
    drop(source);
    let values: Vec<&str> = result.attributes(ra).map(|n| result.value(n)).collect();
    assert_eq!(values, ["value", "a&b"]);
    assert_eq!(result.string_value(ra), "text");
}

fn sample() -> (Tree, NodeId, NodeId, NodeId) {
    let mut t = Tree::new();
    let a = t.intern_name("", "a", "");
    let b = t.intern_name("p", "b", "urn:x");
    let x = t.intern_name("", "x", "");
    let ra = t.append_element(NodeId::ROOT, a);
    t.set_attribute(ra, x, "1");
    let rb = t.append_element(ra, b);
    t.append_text(rb, "hello ");
    t.append_text(rb, "world");
    t.append_comment(ra, "c");
    let rb2 = t.append_element(ra, b);
    t.append_text(rb2, "!");
    (t, ra, rb, rb2)
}

#[test]
fn build_and_navigate() {
    let (t, a, b, b2) = sample();
    assert_eq!(t.root_element(), Some(a));
    assert_eq!(t.children(a).count(), 3);
    assert_eq!(t.element_children(a).collect::<Vec<_>>(), vec![b, b2]);
    assert_eq!(t.string_value(a), "hello world!");
    assert_eq!(t.children(b).count(), 1, "adjacent text merges");
    assert_eq!(t.qualified_name(b), "p:b");
    assert!(t.has_name(b, "urn:x", "b"));
    assert_eq!(t.attribute_value(a, "", "x"), Some("1"));
    assert_eq!(t.parent(b), Some(a));
    assert_eq!(
        t.prev_sibling(b2).map(|c| t.kind(c)),
        Some(NodeKind::Comment)
    );
    assert_eq!(t.ancestors(b).collect::<Vec<_>>(), vec![a, NodeId::ROOT]);
}

#[test]
fn index_order_is_document_order() {
    let (t, ..) = sample();
    let order: Vec<NodeId> = std::iter::once(NodeId::ROOT)
        .chain(t.descendants(NodeId::ROOT))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn set_attribute_replaces_same_expanded_name() {
    let (mut t, a, ..) = sample();
    let x2 = t.intern_name("", "x", "");
    let attr = t.set_attribute(a, x2, "2");
    assert_eq!(t.attributes(a).count(), 1);
    assert_eq!(t.value(attr), "2");
}

#[test]
fn namespaces_share_and_rebind() {
    let (mut t, a, b, _) = sample();
    let p = t.intern("p");
    let u = t.intern("urn:x");
    t.set_namespaces(a, &[NsBinding { prefix: p, uri: u }]);
    t.set_namespaces(b, &[NsBinding { prefix: p, uri: u }]);
    assert_eq!(t.lookup_namespace(b, "p"), Some("urn:x"));
    assert_eq!(t.lookup_namespace(b, "xml"), Some(XML_NS));
    let u2 = t.intern("urn:y");
    t.add_namespace(b, p, u2);
    assert_eq!(t.lookup_namespace(b, "p"), Some("urn:y"));
    assert_eq!(t.lookup_namespace(a, "p"), Some("urn:x"));
}

#[test]
fn detach_unlinks() {
    let (mut t, a, b, b2) = sample();
    let c = t.next_sibling(b).unwrap();
    t.detach(c);
    assert_eq!(t.children(a).collect::<Vec<_>>(), vec![b, b2]);
    t.detach(b);
    t.detach(b2);
    assert_eq!(t.children(a).count(), 0);
    assert_eq!(t.first_child(a), None);
    assert_eq!(t.last_child(a), None);
}

#[test]
fn descendants_of_a_leaf_and_of_a_subtree() {
    let (t, a, b, _) = sample();
    let text = t.first_child(b).unwrap();
    assert_eq!(t.descendants(text).count(), 0);
    assert_eq!(t.descendants(b).collect::<Vec<_>>(), vec![text]);
    assert_eq!(t.descendants(a).count(), 5);
}

/// Elements and the other nodes keep different things in the same two words of a node: neither
/// reads as the other's (a text has no attributes or namespaces, an element no value), whatever
/// the values and namespace scopes hold.
#[test]
fn what_elements_and_leaves_share_a_node_for_reads_only_as_their_own() {
    let (mut t, a, b, _) = sample();
    let p = t.intern("p");
    let u = t.intern("urn:x");
    t.set_namespaces(b, &[NsBinding { prefix: p, uri: u }]);
    let text = t.first_child(b).unwrap();
    let attr = t.attributes(a).next().unwrap();
    let comment = t.next_sibling(b).unwrap();
    for leaf in [text, attr, comment] {
        assert_eq!(t.attributes(leaf).count(), 0);
        assert!(t.namespaces(leaf).is_empty());
        assert_eq!(t.first_child(leaf), None);
        assert_eq!(t.last_child(leaf), None);
    }
    assert_eq!(
        [t.value(text), t.value(attr), t.value(comment)],
        ["hello world", "1", "c"]
    );
    for el in [NodeId::ROOT, a, b] {
        assert_eq!(t.value(el), "");
    }
    assert_eq!(t.lookup_namespace(b, "p"), Some("urn:x"));
    assert!(t.namespaces(NodeId::ROOT).is_empty());
    // A child element starts with its parent's namespaces, not with anything else of it.
    let c = t.intern_name("", "c", "");
    let child = t.append_element(b, c);
    assert_eq!(t.lookup_namespace(child, "p"), Some("urn:x"));
    let top = t.append_element(NodeId::ROOT, c);
    assert!(t.namespaces(top).is_empty());
}

/// Elements keep no link to their last attribute: a new one still goes last, after a replaced
/// one, and after the last has been detached.
#[test]
fn attributes_append_in_order_around_replacements_and_detaching() {
    let (mut t, a, ..) = sample();
    let names: Vec<NameId> = ["y", "z", "w"]
        .iter()
        .map(|n| t.intern_name("", n, ""))
        .collect();
    let x = t.intern_name("", "x", "");
    let values = |t: &Tree| -> Vec<String> {
        t.attributes(a)
            .map(|n| format!("{}={}", t.local_name(n), t.value(n)))
            .collect()
    };
    t.set_attribute(a, names[0], "2");
    t.set_attribute(a, x, "1b");
    t.set_attribute(a, names[1], "3");
    assert_eq!(values(&t), ["x=1b", "y=2", "z=3"]);
    let last = t.attributes(a).last().unwrap();
    t.detach(last);
    let w = t.set_attribute(a, names[2], "4");
    assert_eq!(values(&t), ["x=1b", "y=2", "w=4"]);
    assert_eq!(t.prev_sibling(w).map(|n| t.local_name(n)), Some("y"));
    let first = t.attributes(a).next().unwrap();
    t.detach(first);
    assert_eq!(values(&t), ["y=2", "w=4"]);
    t.set_attribute(a, x, "5");
    assert_eq!(values(&t), ["y=2", "w=4", "x=5"]);
}
