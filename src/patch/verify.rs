//! Proof that an edited text has the result's content, before anything is written.
//!
//! The plain proof parses the whole edited text again and compares it with the result tree. On a
//! 20 MB config with one header added that is a second full parse for a few bytes of change, so
//! the proof is local when it can be: XML content is context-free but for the namespaces in scope
//! and the DTD. When the document has no DTD and every edit lies inside an element (an *owner*:
//! the parent whose children change, the element whose attributes change), the edited text is the
//! original with each topmost owner's bytes replaced; so it parses to the original tree with each
//! owner's subtree replaced by what the owner's new bytes parse to — parsed alone inside a
//! wrapper that declares the namespaces in scope there, which must hold exactly one element.
//! The proof then walks the original tree against the result tree, and at each owner compares
//! the re-parsed owner instead. Everything the full re-parse compares is compared, against the
//! same trees; only the unchanged bytes are not parsed twice. When a condition does not hold (a
//! DTD, an edit at the document level, an edit outside its owner's bytes, or fragments that
//! together are most of the file), the whole text is parsed again as before.

use rustc_hash::FxHashSet;

use super::{Edit, NotAnEdit, XML_WS, same_attributes_in_order, same_element, significant};
use crate::xml::{Document, Limits, NodeId, NodeKind, Tree};

/// More owners than this: one full parse is cheaper than many small ones.
const MAX_FRAGMENTS: usize = 4096;

/// Checks that `text` — `source` with `edits` spliced in, each edit with the source element it
/// changes — parses to the same content as `result` (see the module documentation).
pub(crate) fn verify(
    source: &Document,
    result: &Tree,
    edits: &[(NodeId, Edit)],
    text: &str,
    copies: &[(NodeId, NodeId)],
) -> Result<(), NotAnEdit> {
    let Some(owners) = local_owners(source, edits) else {
        return verify_whole(result, text);
    };
    let t = source.tree();
    // Each owner's new bytes: its span with its edits (and its descendants'), in one sweep.
    let mut sorted: Vec<&Edit> = edits.iter().map(|(_, e)| e).collect();
    sorted.sort_by_key(|e| (e.start, e.end != e.start));
    let mut fragments: Vec<(NodeId, Document)> = Vec::with_capacity(owners.len());
    let mut k = 0;
    for &o in &owners {
        let span = t.span(o);
        while k < sorted.len() && sorted[k].start < span.start {
            k += 1;
        }
        let first = k;
        while k < sorted.len() && sorted[k].end <= span.end && sorted[k].start < span.end {
            k += 1;
        }
        let local: Vec<Edit> = sorted[first..k]
            .iter()
            .map(|e| Edit {
                start: e.start - span.start,
                end: e.end - span.start,
                text: e.text.clone(),
            })
            .collect();
        let own = super::splice(&source.text()[span], &local);
        fragments.push((o, parse_fragment(t, o, &own)?));
    }
    let fragment_of = |n: NodeId| owners.binary_search(&n).ok().map(|i| fragments[i].1.tree());
    // A copy of a source element whose bytes no edit touches parses back to that element,
    // which is the copy: nothing to compare.
    let copied = |p: NodeId, q: NodeId| {
        super::is_copy(copies, p, q) && {
            let span = t.span(p);
            // The first edit ending after the element starts must start at or after its end.
            let i = sorted.partition_point(|e| e.end <= span.start && e.start < span.start);
            sorted[i..]
                .iter()
                .take_while(|e| e.start < span.end)
                .all(|e| e.start == e.end && e.start == span.start)
        }
    };
    compare(
        t,
        NodeId::ROOT,
        result,
        NodeId::ROOT,
        &Known {
            replaced: &fragment_of,
            copied: &copied,
        },
        &mut String::new(),
    )
    .map_err(|e| {
        NotAnEdit(format!(
            "internal: the edited text differs from the result ({e})"
        ))
    })
}

/// The whole text parsed again and compared with the result.
fn verify_whole(result: &Tree, text: &str) -> Result<(), NotAnEdit> {
    let limits = Limits {
        max_bytes: usize::MAX,
        ..Limits::default()
    };
    let patched = Document::parse_str(text, &limits).map_err(|e| {
        NotAnEdit(format!(
            "internal: the edited text does not parse ({e} at {})",
            e.pos()
        ))
    })?;
    equivalent(patched.tree(), result).map_err(|e| {
        NotAnEdit(format!(
            "internal: the edited text differs from the result ({e})"
        ))
    })
}

/// The topmost owners, in document order, when the edits can be proved locally.
fn local_owners(source: &Document, edits: &[(NodeId, Edit)]) -> Option<Vec<NodeId>> {
    let t = source.tree();
    let root = t.root_element()?;
    // A DTD can default attributes and define entities, which a fragment alone would not see.
    if source.text()[..t.span(root).start].contains("<!DOCTYPE") {
        return None;
    }
    let mut owners: Vec<NodeId> = Vec::with_capacity(edits.len());
    for (o, e) in edits {
        if *o == NodeId::ROOT || t.kind(*o) != NodeKind::Element {
            return None;
        }
        let span = t.span(*o);
        // Inside the owner's bytes: after its '<', up to its last '>' (an insertion at its very
        // end is after it, in its parent).
        let inside =
            span.start < e.start && e.end <= span.end && !(e.start == e.end && e.start == span.end);
        if !inside {
            return None;
        }
        owners.push(*o);
    }
    owners.sort_unstable();
    owners.dedup();
    let all: FxHashSet<NodeId> = owners.iter().copied().collect();
    owners.retain(|&o| !t.ancestors(o).any(|a| all.contains(&a)));
    let bytes: usize = owners.iter().map(|&o| t.span(o).len()).sum();
    (owners.len() <= MAX_FRAGMENTS && bytes <= source.text().len() / 2).then_some(owners)
}

/// Parses an element's new bytes alone, inside a wrapper that declares the namespaces in scope
/// at its parent; the wrapper must hold exactly that one element.
fn parse_fragment(t: &Tree, owner: NodeId, own: &str) -> Result<Document, NotAnEdit> {
    const WRAPPER: &str = "webxsl-verify";
    // Room for the wrapper's tags and a few declarations: one allocation.
    let mut doc = String::with_capacity(own.len() + 2 * WRAPPER.len() + 128);
    doc.push('<');
    doc.push_str(WRAPPER);
    if let Some(parent) = t.parent(owner).filter(|&p| t.kind(p) == NodeKind::Element) {
        for b in t.namespaces(parent) {
            let (prefix, uri) = (t.atom(b.prefix), t.atom(b.uri));
            doc.push_str(" xmlns");
            if !prefix.is_empty() {
                doc.push(':');
                doc.push_str(prefix);
            }
            doc.push_str("=\"");
            for c in uri.chars() {
                match c {
                    '&' => doc.push_str("&amp;"),
                    '<' => doc.push_str("&lt;"),
                    '"' => doc.push_str("&quot;"),
                    c => doc.push(c),
                }
            }
            doc.push('"');
        }
    }
    doc.push('>');
    doc.push_str(own);
    doc.push_str("</");
    doc.push_str(WRAPPER);
    doc.push('>');
    let limits = Limits {
        max_bytes: usize::MAX,
        ..Limits::default()
    };
    let parsed = Document::parse_string(doc, &limits).map_err(|e| {
        NotAnEdit(format!(
            "internal: the edited <{}> does not parse ({e})",
            t.qualified_name(owner)
        ))
    })?;
    let f = parsed.tree();
    let one = |n: NodeId| {
        let mut c = f.children(n);
        match (c.next(), c.next()) {
            (Some(x), None) if f.kind(x) == NodeKind::Element => Some(x),
            _ => None,
        }
    };
    match one(NodeId::ROOT).and_then(one) {
        Some(_) => Ok(parsed),
        None => Err(NotAnEdit(format!(
            "internal: the edited <{}> is not one element any more",
            t.qualified_name(owner)
        ))),
    }
}

/// The element a fragment holds (checked by [`parse_fragment`]).
fn fragment_element(f: &Tree) -> NodeId {
    let wrapper = f.children(NodeId::ROOT).next().expect("checked");
    f.children(wrapper).next().expect("checked")
}

/// Whether two trees have the same content, ignoring white space between elements and around
/// text. Returns where they first differ.
pub fn equivalent(a: &Tree, b: &Tree) -> Result<(), String> {
    compare(
        a,
        NodeId::ROOT,
        b,
        NodeId::ROOT,
        &Known::nothing(),
        &mut String::new(),
    )
}

/// What [`compare`] knows about the nodes of its first tree.
struct Known<'k, 't> {
    /// An element compared as a fragment element instead (its re-parsed new bytes).
    replaced: &'k dyn Fn(NodeId) -> Option<&'t Tree>,
    /// Whether an element of the first tree is known equal to one of the second.
    copied: &'k dyn Fn(NodeId, NodeId) -> bool,
}

impl<'t> Known<'t, 't> {
    fn nothing() -> Self {
        Known {
            replaced: &|_| None,
            copied: &|_, _| false,
        }
    }
}

/// Compares the children of `x` (in `a`) and `y` (in `b`), using what is `known` of `a`'s
/// nodes.
fn compare<'t>(
    a: &'t Tree,
    x: NodeId,
    b: &Tree,
    y: NodeId,
    known: &Known<'_, 't>,
    path: &mut String,
) -> Result<(), String> {
    let (xs, ys) = (significant(a, x), significant(b, y));
    let (m, n) = (xs.clone().count(), ys.clone().count());
    if m != n {
        return Err(format!("{path}: {m} vs {n} children"));
    }
    let nothing = Known::nothing();
    for (p, q) in xs.zip(ys) {
        // Inside a fragment nothing is known: its nodes are not the source's.
        let (a, p, known): (&Tree, NodeId, &Known<'_, 't>) = match (known.replaced)(p) {
            Some(f) => (f, fragment_element(f), &nothing),
            None => (a, p, known),
        };
        if a.kind(p) != b.kind(q) {
            return Err(format!("{path}: {:?} vs {:?}", a.kind(p), b.kind(q)));
        }
        match a.kind(p) {
            NodeKind::Element if (known.copied)(p, q) => {}
            NodeKind::Element => {
                if !same_element(a, p, b, q) {
                    return Err(format!(
                        "{path}: <{}> vs <{}>",
                        a.qualified_name(p),
                        b.qualified_name(q)
                    ));
                }
                if !same_attributes_in_order(a, p, b, q) {
                    let mut aa: Vec<(&str, &str, &str)> = a
                        .attributes(p)
                        .map(|t| (a.namespace_uri(t), a.local_name(t), a.value(t)))
                        .collect();
                    let mut bb: Vec<(&str, &str, &str)> = b
                        .attributes(q)
                        .map(|t| (b.namespace_uri(t), b.local_name(t), b.value(t)))
                        .collect();
                    aa.sort_unstable();
                    bb.sort_unstable();
                    if aa != bb {
                        return Err(format!(
                            "{path}/{}: attributes {aa:?} vs {bb:?}",
                            a.qualified_name(p)
                        ));
                    }
                }
                let len = path.len();
                path.push('/');
                path.push_str(&a.qualified_name(p));
                compare(a, p, b, q, known, path)?;
                path.truncate(len);
            }
            NodeKind::Text
                if a.value(p).trim_matches(XML_WS) != b.value(q).trim_matches(XML_WS) =>
            {
                return Err(format!("{path}: text {:?} vs {:?}", a.value(p), b.value(q)));
            }
            NodeKind::Comment | NodeKind::ProcessingInstruction
                if a.value(p) != b.value(q) || a.local_name(p) != b.local_name(q) =>
            {
                return Err(format!("{path}: {:?} vs {:?}", a.value(p), b.value(q)));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::parse_str(s, &Limits::default()).unwrap()
    }

    /// The source element at a path of element-child indexes from the root element.
    fn at(d: &Document, path: &[usize]) -> NodeId {
        let t = d.tree();
        let mut n = t.root_element().unwrap();
        for &i in path {
            n = t.element_children(n).nth(i).unwrap();
        }
        n
    }

    /// `edit` inserts `text` just before `</customHeaders>` (owned by customHeaders).
    fn insertion(d: &Document, text: &str) -> (NodeId, Edit) {
        let owner = at(d, &[0, 0, 0]);
        let at = d.text().find("</customHeaders>").unwrap();
        (
            owner,
            Edit {
                start: at,
                end: at,
                text: text.into(),
            },
        )
    }

    const SOURCE: &str = "<configuration xmlns:x='urn:x'>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name='A' value='1' />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n  <appSettings>\n    <add key='k' value='v' />\n  </appSettings>\n</configuration>\n";

    fn check(source: &str, edits: &[(NodeId, Edit)], result: &str) -> Result<(), NotAnEdit> {
        let d = doc(source);
        let plain: Vec<Edit> = edits.iter().map(|(_, e)| e.clone()).collect();
        let text = super::super::splice(d.text(), &plain);
        verify(&d, doc(result).tree(), edits, &text, &[])
    }

    fn with(add: &str) -> String {
        SOURCE.replace(
            "      </customHeaders>",
            &format!("  {add}\n      </customHeaders>"),
        )
    }

    #[test]
    fn a_right_edit_is_proved_locally() {
        let d = doc(SOURCE);
        let edits = [insertion(&d, "  <add name='B' value='2' />\n")];
        assert_eq!(local_owners(&d, &edits), Some(vec![at(&d, &[0, 0, 0])]));
        let result = with("<add name='B' value='2' />");
        check(SOURCE, &edits, &result).unwrap();
        // A prefix declared on an ancestor is in scope in the fragment.
        let edits = [insertion(&d, "  <x:add name='B' />\n")];
        check(SOURCE, &edits, &with("<x:add name='B' />")).unwrap();
    }

    #[test]
    fn a_wrong_edit_is_caught() {
        let d = doc(SOURCE);
        let result = with("<add name='B' value='2' />");
        // Another value than the result's.
        let wrong = [insertion(&d, "  <add name='B' value='3' />\n")];
        let e = check(SOURCE, &wrong, &result).unwrap_err();
        assert!(e.0.contains("differs"), "{e}");
        // Bytes that no longer make one element: the owner closed early and opened again.
        let broken = [insertion(&d, "</customHeaders><customHeaders>")];
        let e = check(SOURCE, &broken, &result).unwrap_err();
        assert!(
            e.0.contains("not one element") || e.0.contains("differs"),
            "{e}"
        );
        // Unbalanced, and an undeclared prefix: the fragment does not parse.
        for bad in ["<add name='B' value='2'>", "<y:add name='B' value='2' />"] {
            let e = check(SOURCE, &[insertion(&d, bad)], &result).unwrap_err();
            assert!(e.0.contains("does not parse"), "{bad}: {e}");
        }
        // A difference where nothing was edited (the aligner missed it): the walk of the
        // untouched source against the result finds it.
        let elsewhere = result.replace("value='v'", "value='changed'");
        let right = [insertion(&d, "  <add name='B' value='2' />\n")];
        let e = check(SOURCE, &right, &elsewhere).unwrap_err();
        assert!(e.0.contains("attributes"), "{e}");
    }

    #[test]
    fn what_cannot_be_proved_locally_is_parsed_whole() {
        let d = doc(SOURCE);
        // An edit owned by the document, or outside its owner's bytes.
        let root = [(
            NodeId::ROOT,
            Edit {
                start: 0,
                end: 0,
                text: "<!-- c -->".into(),
            },
        )];
        assert_eq!(local_owners(&d, &root), None);
        let appsettings = at(&d, &[1]);
        let outside = [(
            appsettings,
            Edit {
                start: 1,
                end: 1,
                text: String::new(),
            },
        )];
        assert_eq!(local_owners(&d, &outside), None);
        // The root element itself is most of the file.
        let top = at(&d, &[]);
        let at_end = d.text().find("</configuration>").unwrap();
        let big = [(
            top,
            Edit {
                start: at_end,
                end: at_end,
                text: "<a/>".into(),
            },
        )];
        assert_eq!(local_owners(&d, &big), None);
        // A DTD (entities, defaulted attributes) is only seen by the whole document.
        let dtd = format!("<!DOCTYPE configuration>\n{SOURCE}");
        let d = Document::parse_str(
            &dtd,
            &Limits {
                allow_dtd: true,
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(local_owners(&d, &[insertion(&d, "<a/>")]), None);
        // ... and the whole parse catches a wrong edit just the same.
        let d = doc(SOURCE);
        let wrong = [(
            NodeId::ROOT,
            Edit {
                start: 0,
                end: 0,
                text: "<!-- c -->".into(),
            },
        )];
        let plain: Vec<Edit> = wrong.iter().map(|(_, e)| e.clone()).collect();
        let text = super::super::splice(d.text(), &plain);
        assert!(verify(&d, doc(SOURCE).tree(), &wrong, &text, &[]).is_err());
        let right = format!("<!-- c -->{SOURCE}");
        verify(&d, doc(&right).tree(), &wrong, &text, &[]).unwrap();
    }

    #[test]
    fn a_copy_is_trusted_only_where_no_edit_touches_its_bytes() {
        let d = doc(SOURCE);
        let edits = [insertion(&d, "  <add name='B' value='2' />\n")];
        let plain: Vec<Edit> = edits.iter().map(|(_, e)| e.clone()).collect();
        let text = super::super::splice(d.text(), &plain);
        // The result's <appSettings> differs, but it is declared a copy of the source's, whose
        // bytes no edit touches: it is not compared (the engine vouches for its copies).
        let other = with("<add name='B' value='2' />").replace("key='k'", "key='other'");
        let r = doc(&other);
        let (rt, settings) = (r.tree(), at(&d, &[1]));
        let r_settings = rt
            .element_children(rt.root_element().unwrap())
            .nth(1)
            .unwrap();
        assert!(verify(&d, rt, &edits, &text, &[]).is_err());
        verify(&d, rt, &edits, &text, &[(r_settings, settings)]).unwrap();
        // A copy whose bytes an edit touches is compared: the wrong edit is caught.
        let wrong = with("<add name='C' value='3' />");
        let w = doc(&wrong);
        let wt = w.tree();
        let web = |t: &Tree| {
            t.element_children(t.root_element().unwrap())
                .next()
                .unwrap()
        };
        let claim = [(web(wt), web(d.tree()))];
        assert!(verify(&d, wt, &edits, &text, &claim).is_err());
    }
}
