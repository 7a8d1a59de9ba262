//! The lossless XML layer: every sample and every generated document is written back byte for
//! byte, spans are consistent, hostile inputs give positioned errors in bounded time.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use webxsl::diag::Pos;
use webxsl::xml::{Document, Encoding, Limits, XmlError};

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().join("web.config"))
        .filter(|p| p.exists())
        .collect();
    v.sort();
    v
}

#[test]
fn there_are_enough_samples() {
    assert!(samples().len() >= 12, "{:?}", samples());
}

#[test]
fn every_sample_round_trips_byte_for_byte() {
    for path in samples() {
        let bytes = std::fs::read(&path).unwrap();
        let doc = Document::parse(&bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        doc.verify_spans()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(doc.rebuild_text(), doc.text(), "{}", path.display());
        assert!(doc.to_bytes().unwrap() == bytes, "{}", path.display());
    }
}

#[test]
fn sample_encodings_are_detected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let enc = |name: &str| {
        let bytes = std::fs::read(dir.join(name).join("web.config")).unwrap();
        Document::parse(&bytes, &Limits::default())
            .unwrap()
            .encoding()
    };
    let e = enc("utf16-vs");
    assert_eq!((e.encoding, e.bom), (Encoding::Utf16Le, true));
    let e = enc("crlf-bom");
    assert_eq!((e.encoding, e.bom), (Encoding::Utf8, true));
    let e = enc("aspnet-mvc");
    assert_eq!((e.encoding, e.bom), (Encoding::Utf8, false));
}

// ----- generated documents -----

#[derive(Debug, Clone)]
enum Node {
    Element {
        name: String,
        attrs: Vec<(String, String, char, String, String)>,
        tag_space: String,
        self_closing: Option<String>,
        end_space: String,
        children: Vec<Node>,
    },
    Text(String),
    Comment(String),
    Cdata(String),
    Pi(String, String),
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("add".to_string()),
        Just("system.webServer".to_string()),
        Just("customHeaders".to_string()),
        "[a-zA-Z_][a-zA-Z0-9._-]{0,8}",
    ]
}

fn space() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\r\n    ".to_string()),
        Just("\n  ".to_string()),
    ]
}

fn attr_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ;=(),:/.*-]{0,20}",
        Just("a &amp; b".to_string()),
        Just("&lt;x&gt; &#x2014; &#169;".to_string()),
        Just("Zürich ☕ 𝄞".to_string()),
        Just("max-age=31536000; includeSubDomains".to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\n  ".to_string()),
        Just("\r\n\t\t".to_string()),
        "[a-zA-Z0-9 .,;]{1,12}",
        Just("x &amp; y &lt; z &#65;".to_string()),
        Just("é €".to_string()),
    ]
}

fn leaf() -> impl Strategy<Value = Node> {
    prop_oneof![
        3 => text().prop_map(Node::Text),
        1 => "[a-zA-Z <>&-]{0,12}".prop_map(|s| Node::Comment(s.replace('-', " - "))),
        1 => "[a-zA-Z <>&\\]]{0,12}".prop_map(|s| Node::Cdata(s.replace("]]>", "]] >"))),
        1 => ("[a-z]{1,6}", "[a-z =]{0,10}").prop_map(|(t, d)| Node::Pi(format!("p{t}"), d)),
    ]
}

fn element(children: BoxedStrategy<Vec<Node>>) -> impl Strategy<Value = Node> {
    (
        name(),
        prop::collection::vec(
            (
                space(),
                attr_value(),
                prop_oneof![Just('"'), Just('\'')],
                space(),
                space(),
            ),
            0..4,
        ),
        space(),
        prop::option::of(space()),
        space(),
        children,
    )
        .prop_map(
            |(name, attrs, tag_space, self_closing, end_space, children)| {
                let attrs = attrs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (sp, v, q, before_eq, after_eq))| {
                        let sp = if sp.is_empty() { " ".to_string() } else { sp };
                        let v = if q == '\'' {
                            v.replace('\'', "&apos;")
                        } else {
                            v.replace('"', "&quot;")
                        };
                        (format!("{sp}a{i}"), v, q, before_eq, after_eq)
                    })
                    .collect();
                let self_closing = if children.is_empty() {
                    self_closing
                } else {
                    None
                };
                Node::Element {
                    name,
                    attrs,
                    tag_space,
                    self_closing,
                    end_space,
                    children,
                }
            },
        )
}

fn tree() -> impl Strategy<Value = Node> {
    let leaf_el = element(Just(vec![]).boxed());
    let base = prop_oneof![leaf(), leaf_el].boxed();
    let nested = base.prop_recursive(4, 40, 6, |inner| {
        element(prop::collection::vec(inner, 0..6).boxed()).boxed()
    });
    element(prop::collection::vec(nested, 0..6).boxed())
}

fn render(n: &Node, out: &mut String) {
    match n {
        Node::Element {
            name,
            attrs,
            tag_space,
            self_closing,
            end_space,
            children,
        } => {
            out.push('<');
            out.push_str(name);
            for (a, v, q, b, c) in attrs {
                out.push_str(&format!("{a}{b}={c}{q}{v}{q}"));
            }
            out.push_str(tag_space);
            match self_closing {
                Some(_) if children.is_empty() => out.push_str("/>"),
                _ => {
                    out.push('>');
                    let mut prev_text = false;
                    for c in children {
                        // Two adjacent generated texts would be one text node: separate them.
                        let is_text = matches!(c, Node::Text(_));
                        if is_text && prev_text {
                            out.push_str("<!---->");
                        }
                        prev_text = is_text;
                        render(c, out);
                    }
                    out.push_str(&format!("</{name}{end_space}>"));
                }
            }
        }
        Node::Text(t) => out.push_str(t),
        Node::Comment(c) => out.push_str(&format!("<!--{c}-->")),
        Node::Cdata(c) => out.push_str(&format!("<![CDATA[{c}]]>")),
        Node::Pi(t, d) => out.push_str(&format!("<?{t} {d}?>")),
    }
}

fn document() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(String::new()),
            Just("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_string()),
            Just("<?xml version='1.0'?>\r\n<!-- header -->\r\n".to_string()),
        ],
        tree(),
        prop_oneof![
            Just(String::new()),
            Just("\n".to_string()),
            Just("\r\n<!--x-->\r\n".to_string())
        ],
        any::<bool>(),
    )
        .prop_map(|(prolog, root, epilog, crlf)| {
            let mut s = prolog;
            render(&root, &mut s);
            s.push_str(&epilog);
            if crlf {
                s = s.replace("\r\n", "\n").replace('\n', "\r\n");
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_round_trip(src in document()) {
        let doc = Document::parse(src.as_bytes(), &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e} at {}\n{src}", e.pos())))?;
        doc.verify_spans().map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        prop_assert_eq!(doc.rebuild_text(), src.as_str());
        prop_assert_eq!(doc.to_bytes().unwrap(), src.as_bytes());
    }

    #[test]
    fn generated_documents_round_trip_in_utf16_and_with_bom(src in document(), be in any::<bool>()) {
        // A UTF-16 document may only declare utf-16: drop a utf-8 declaration.
        let src = src.replace("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<?xml version=\"1.0\" encoding=\"utf-16\"?>");
        let mut bytes = if be { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for u in src.encode_utf16() {
            bytes.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        let doc = Document::parse(&bytes, &Limits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(doc.to_bytes().unwrap(), bytes);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(src.as_bytes());
        let doc = Document::parse(&bom, &Limits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(doc.to_bytes().unwrap(), bom);
    }
}

// ----- malformed and hostile input -----

fn err(src: &[u8]) -> XmlError {
    Document::parse(src, &Limits::default()).expect_err("must fail")
}

#[test]
fn malformed_input_has_positions() {
    let cases: &[(&[u8], Pos, &str)] = &[
        (
            b"<configuration>\n  <system.web>\n</configuration>",
            Pos::new(3, 1),
            "</system.web>",
        ),
        (
            b"<a>\n <b x='1' x='2'/></a>",
            Pos::new(2, 11),
            "appears twice",
        ),
        (
            b"<a>\n  <b>&nbsp;</b></a>",
            Pos::new(2, 6),
            "unknown entity",
        ),
        (b"<a>\n <b x=1/></a>", Pos::new(2, 7), ""),
        (
            b"<a><p:b/></a>",
            Pos::new(1, 5),
            "prefix 'p' is not declared",
        ),
        (b"<a>\n  <b>& </b></a>", Pos::new(2, 6), "&amp;"),
    ];
    for (src, pos, needle) in cases {
        let e = err(src);
        assert_eq!(e.pos(), *pos, "{e} for {}", String::from_utf8_lossy(src));
        assert!(
            e.to_string().contains(needle),
            "{e:?} should mention {needle}"
        );
    }
}

#[test]
fn truncated_file() {
    let e = err(b"<configuration>\n  <system.webServer>\n    <httpProt");
    assert_eq!(e.pos().line, 3, "{e}");
    let e = err(b"<configuration>\n  <system.webServer>\n");
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn billion_laughs_is_refused_before_expansion() {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        s.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    s.push_str("]>\n<lolz>&lol9;</lolz>");
    let e = err(s.as_bytes());
    assert_eq!(
        e,
        XmlError::Dtd {
            pos: Pos::new(2, 1)
        }
    );
}

#[test]
fn external_entities_are_refused() {
    let s = "<?xml version=\"1.0\"?>\n<!DOCTYPE c [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n<c>&xxe;</c>";
    assert!(matches!(err(s.as_bytes()), XmlError::Dtd { .. }));
}

#[test]
fn deep_nesting_is_refused_with_a_position() {
    let depth = 100_000;
    let s = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let e = err(s.as_bytes());
    assert!(matches!(e, XmlError::Limit { .. }), "{e}");
    assert_eq!(e.pos(), Pos::new(1, 1 + 3 * 256));
}

#[test]
fn many_attributes_are_refused_with_a_position() {
    let attrs: String = (0..100_000).map(|i| format!(" a{i}='x'")).collect();
    let s = format!("<root>\n<e{attrs}/></root>");
    let e = err(s.as_bytes());
    assert!(matches!(e, XmlError::Limit { .. }), "{e}");
    assert_eq!(e.pos().line, 2);
}

#[test]
fn a_large_attribute_value_is_fine() {
    let big = "x".repeat(1 << 20);
    let s = format!("<a v='{big}'/>");
    let doc = Document::parse(s.as_bytes(), &Limits::default()).unwrap();
    let a = doc.tree().root_element().unwrap();
    assert_eq!(
        doc.tree().attribute_value(a, "", "v").map(str::len),
        Some(1 << 20)
    );
}

#[test]
fn size_limit_is_enforced() {
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let s = format!("<a>{}</a>", "x".repeat(200));
    let e = Document::parse(s.as_bytes(), &limits).unwrap_err();
    assert!(matches!(e, XmlError::Limit { limit: 100, .. }), "{e}");
}
