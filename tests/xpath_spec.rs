//! XPath 1.0 against the spec: every axis, every core function's edge cases, the comparison and
//! conversion rules, error codes and positions.

use webxsl::xml::{Document, Limits};
use webxsl::xpath::{Context, NodeRef, SimpleEnv, StaticContext, Value, XPath};

const DOC: &str = r#"<doc xmlns:p="urn:p" xml:lang="en-US">
  <a id="1" n="3">alpha<b>beta</b><!--c1--><?pi data?></a>
  <p:a p:x="y" z=" 2 ">gamma</p:a>
  <list><i>1</i><i>2</i><i>3</i><i>x</i></list>
  <e xml:lang="de"><f/><g xmlns="urn:d"><h/></g></e>
</doc>"#;

fn doc() -> Document {
    Document::parse_str(DOC, &Limits::default()).unwrap()
}

fn ns(p: &str) -> Option<String> {
    match p {
        "p" => Some("urn:p".into()),
        "d" => Some("urn:d".into()),
        "xml" => Some(webxsl::xml::XML_NS.into()),
        _ => None,
    }
}

fn compile(expr: &str) -> XPath {
    let ctx = StaticContext {
        namespaces: &ns,
        functions: &[],
    };
    XPath::compile_with(expr, &ctx).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

/// `string(expr)` evaluated at the root.
fn s(expr: &str) -> String {
    let d = doc();
    let mut env = SimpleEnv::new(d.tree());
    compile(expr)
        .eval_string(&mut env)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
}

/// The names (or `#text` etc.) of the nodes an expression selects, from a context given by
/// another expression (default: the root).
fn names_from(ctx_expr: &str, expr: &str) -> String {
    let d = doc();
    let t = d.tree();
    let mut env = SimpleEnv::new(t);
    let ctx_node = match compile(ctx_expr).evaluate(&mut env).unwrap() {
        Value::Nodes(n) => n[0],
        v => panic!("{ctx_expr} gave {v:?}"),
    };
    let v = compile(expr)
        .evaluate_at(&Context::node(ctx_node), &mut env)
        .unwrap();
    let Value::Nodes(nodes) = v else {
        panic!("{expr} is not a node-set: {v:?}")
    };
    nodes
        .iter()
        .map(|&n: &NodeRef| {
            if n.ns != 0 {
                return format!("ns:{}", webxsl::xpath::value::namespace_node(t, n).0);
            }
            match t.kind(n.node) {
                webxsl::xml::NodeKind::Element => t.qualified_name(n.node).into_owned(),
                webxsl::xml::NodeKind::Attribute => format!("@{}", t.qualified_name(n.node)),
                webxsl::xml::NodeKind::Text => format!("'{}'", t.value(n.node).trim()),
                webxsl::xml::NodeKind::Comment => "#comment".into(),
                webxsl::xml::NodeKind::ProcessingInstruction => {
                    format!("?{}", t.local_name(n.node))
                }
                webxsl::xml::NodeKind::Root => "/".into(),
            }
        })
        .filter(|s| s != "''")
        .collect::<Vec<_>>()
        .join(" ")
}

fn names(expr: &str) -> String {
    names_from("/", expr)
}

#[test]
fn child_descendant_and_abbreviations() {
    assert_eq!(names("/doc/*"), "a p:a list e");
    assert_eq!(names("doc/a/node()"), "'alpha' b #comment ?pi");
    assert_eq!(names("//i[2]"), "i");
    assert_eq!(s("//i[2]"), "2");
    assert_eq!(names("//*[not(*)]"), "b p:a i i i i f h");
    assert_eq!(names("/descendant::i[position() > 2]"), "i i");
    assert_eq!(names("(//i)[last()]"), "i");
    assert_eq!(s("(//i)[last()]"), "x");
    assert_eq!(names("//a/."), "a");
    assert_eq!(names("//b/.."), "a");
    assert_eq!(names("//@*"), "@xml:lang @id @n @p:x @z @xml:lang");
    assert_eq!(
        names("//text()[normalize-space()]"),
        "'alpha' 'beta' 'gamma' '1' '2' '3' 'x'"
    );
    assert_eq!(
        names("//comment() | //processing-instruction()"),
        "#comment ?pi"
    );
    assert_eq!(names("//processing-instruction('pi')"), "?pi");
    assert_eq!(names("//processing-instruction('other')"), "");
}

#[test]
fn names_and_namespaces() {
    assert_eq!(names("//p:a"), "p:a");
    assert_eq!(names("//p:*"), "p:a");
    assert_eq!(names("//a"), "a", "unprefixed names are in no namespace");
    assert_eq!(
        names("//g"),
        "",
        "a default namespace does not apply to name tests"
    );
    assert_eq!(names("//d:g/d:h"), "h");
    assert_eq!(names("//@p:x"), "@p:x");
    assert_eq!(s("name(//p:a)"), "p:a");
    assert_eq!(s("local-name(//p:a)"), "a");
    assert_eq!(s("namespace-uri(//p:a)"), "urn:p");
    assert_eq!(s("namespace-uri(//p:a/@z)"), "");
    assert_eq!(s("name(//@p:x)"), "p:x");
    assert_eq!(s("name(/)"), "");
    assert_eq!(s("local-name(//comment())"), "");
    assert_eq!(s("name(//processing-instruction())"), "pi");
    assert_eq!(s("name(//nothing)"), "");
    assert_eq!(s("local-name()"), "");
}

#[test]
fn namespace_axis() {
    assert_eq!(names_from("//f", "namespace::*"), "ns:xml ns:p");
    assert_eq!(names_from("//d:h", "namespace::*"), "ns:xml ns:p ns:");
    assert_eq!(s("count(//d:h/namespace::node())"), "3");
    assert_eq!(s("string(//d:h/namespace::p)"), "urn:p");
    assert_eq!(s("name(//d:h/namespace::*[.='urn:d'])"), "");
    assert_eq!(s("namespace-uri(//d:h/namespace::p)"), "");
    assert_eq!(names_from("//d:h", "namespace::p/.."), "h");
    assert_eq!(s("count(//f/namespace::*/self::node())"), "2");
    assert_eq!(s("count(//f/namespace::*/self::*)"), "0");
}

#[test]
fn reverse_axes_count_backwards() {
    assert_eq!(names_from("//i[3]", "preceding-sibling::*[1]"), "i");
    assert_eq!(s("string(//i[3]/preceding-sibling::*[1])"), "2");
    assert_eq!(s("string(//i[3]/preceding-sibling::*[last()])"), "1");
    assert_eq!(names_from("//d:h", "ancestor::*"), "doc e g");
    assert_eq!(names_from("//d:h", "ancestor::*[1]"), "g");
    assert_eq!(names_from("//d:h", "ancestor-or-self::*[2]"), "g");
    assert_eq!(
        names_from("//d:h", "ancestor-or-self::node()"),
        "/ doc e g h"
    );
    assert_eq!(names_from("//list", "preceding::*"), "a b p:a");
    assert_eq!(names_from("//list", "preceding::*[1]"), "p:a");
    assert_eq!(names_from("//list", "preceding::node()[2]"), "'gamma'");
    assert_eq!(
        names_from("//b", "following::*"),
        "p:a list i i i i e f g h"
    );
    assert_eq!(names_from("//b", "following::*[3]"), "i");
    assert_eq!(
        names_from("//b", "following-sibling::node()"),
        "#comment ?pi"
    );
    assert_eq!(names_from("//i[2]", "following-sibling::i[1]"), "i");
    assert_eq!(s("//i[2]/following-sibling::i[1]"), "3");
}

#[test]
fn attribute_nodes_on_axes() {
    assert_eq!(names_from("//a/@n", ".."), "a");
    assert_eq!(names_from("//a/@n", "following::*[1]"), "b");
    assert_eq!(names_from("//a/@n", "following-sibling::node()"), "");
    assert_eq!(names_from("//a/@n", "preceding::*"), "");
    assert_eq!(names_from("//a/@n", "ancestor::*"), "doc a");
    assert_eq!(names_from("//a/@n", "child::node()"), "");
    assert_eq!(names_from("//a/@n", "self::node()"), "@n");
    assert_eq!(names_from("//a/@n", "self::*"), "");
    assert_eq!(names_from("//a/@n", "descendant-or-self::node()"), "@n");
    assert_eq!(names_from("//a", "attribute::*"), "@id @n");
    assert_eq!(names_from("//a", "@*[2]"), "@n");
}

#[test]
fn unions_and_filters() {
    assert_eq!(names("//i[1] | //b | //i[1]"), "b i");
    assert_eq!(names("(//b | //a)[1]"), "a");
    assert_eq!(names("(//i)[position() mod 2 = 0]"), "i i");
    assert_eq!(names("//list/i[. > 1][2]"), "i");
    assert_eq!(s("//list/i[. > 1][2]"), "3");
    assert_eq!(names("//list/i[last()][1]"), "i");
    assert_eq!(names("//i[position() = last() - 1]"), "i");
}

#[test]
fn string_functions() {
    assert_eq!(s("string(1 div 0)"), "Infinity");
    assert_eq!(s("string(-1 div 0)"), "-Infinity");
    assert_eq!(s("string(0 div 0)"), "NaN");
    assert_eq!(s("string(-0)"), "0");
    assert_eq!(s("string(true())"), "true");
    assert_eq!(s("string(/doc/list)"), "123x");
    assert_eq!(s("string(//nothing)"), "");
    assert_eq!(s("concat('a', 1, true(), //b)"), "a1truebeta");
    assert_eq!(s("starts-with('abc', '')"), "true");
    assert_eq!(s("starts-with('abc', 'abd')"), "false");
    assert_eq!(s("contains('abc', 'bc')"), "true");
    assert_eq!(s("contains('', '')"), "true");
    assert_eq!(s("substring-before('1999/04/01', '/')"), "1999");
    assert_eq!(s("substring-before('abc', 'x')"), "");
    assert_eq!(s("substring-before('abc', '')"), "");
    assert_eq!(s("substring-after('1999/04/01', '/')"), "04/01");
    assert_eq!(s("substring-after('1999/04/01', '19')"), "99/04/01");
    assert_eq!(s("substring-after('abc', '')"), "abc");
    assert_eq!(s("substring('12345', 2, 3)"), "234");
    assert_eq!(s("substring('12345', 2)"), "2345");
    assert_eq!(s("substring('12345', 1.5, 2.6)"), "234");
    assert_eq!(s("substring('12345', 0, 3)"), "12");
    assert_eq!(s("substring('12345', 0 div 0, 3)"), "");
    assert_eq!(s("substring('12345', 1, 0 div 0)"), "");
    assert_eq!(s("substring('12345', -42, 1 div 0)"), "12345");
    assert_eq!(s("substring('12345', -1 div 0, 1 div 0)"), "");
    assert_eq!(s("string-length('')"), "0");
    assert_eq!(s("string-length('Grüße')"), "5");
    assert_eq!(s("string-length(//b)"), "4");
    assert_eq!(s("normalize-space('  a   b ')"), "a b");
    assert_eq!(s("normalize-space(//p:a/@z)"), "2");
    assert_eq!(s("translate('bar','abc','ABC')"), "BAr");
    assert_eq!(s("translate('--aaa--','abc-','ABC')"), "AAA");
}

#[test]
fn context_defaults_of_string_functions() {
    let d = doc();
    let t = d.tree();
    let mut env = SimpleEnv::new(t);
    let b = match compile("//b").evaluate(&mut env).unwrap() {
        Value::Nodes(n) => n[0],
        _ => unreachable!(),
    };
    let at_b = |e: &str, env: &mut SimpleEnv<'_>| {
        let v = compile(e).evaluate_at(&Context::node(b), env).unwrap();
        webxsl::xpath::eval::to_string(&v, env).to_string()
    };
    assert_eq!(at_b("string()", &mut env), "beta");
    assert_eq!(at_b("string-length()", &mut env), "4");
    assert_eq!(at_b("normalize-space()", &mut env), "beta");
    assert_eq!(at_b("number()", &mut env), "NaN");
    assert_eq!(at_b("name()", &mut env), "b");
    assert_eq!(at_b("local-name()", &mut env), "b");
    assert_eq!(at_b("namespace-uri()", &mut env), "");
    assert_eq!(at_b("position()", &mut env), "1");
    assert_eq!(at_b("last()", &mut env), "1");
}

#[test]
fn boolean_functions_and_lang() {
    assert_eq!(s("boolean(0)"), "false");
    assert_eq!(s("boolean(-0)"), "false");
    assert_eq!(s("boolean(0 div 0)"), "false");
    assert_eq!(s("boolean(0.1)"), "true");
    assert_eq!(s("boolean('')"), "false");
    assert_eq!(s("boolean('false')"), "true");
    assert_eq!(s("boolean(//nothing)"), "false");
    assert_eq!(s("boolean(//b)"), "true");
    assert_eq!(s("not(true())"), "false");
    assert_eq!(s("true() and false() or true()"), "true");
    assert_eq!(s("count(//*[lang('en')])"), "9");
    assert_eq!(s("count(//*[lang('EN-us')])"), "9");
    assert_eq!(s("count(//*[lang('de')])"), "4");
    assert_eq!(s("count(//*[lang('d')])"), "0");
    assert_eq!(s("count(//a/@n[lang('en')])"), "1");
    assert_eq!(s("lang('en')"), "false", "the root node has no xml:lang");
}

#[test]
fn number_functions() {
    assert_eq!(s("number('  12.50  ')"), "12.5");
    assert_eq!(s("number('+1')"), "NaN");
    assert_eq!(s("number('1e3')"), "NaN");
    assert_eq!(s("number('')"), "NaN");
    assert_eq!(s("number(true())"), "1");
    assert_eq!(s("number(//a/@n)"), "3");
    assert_eq!(s("number(//nothing)"), "NaN");
    assert_eq!(s("sum(//i[position() < 4])"), "6");
    assert_eq!(s("sum(//i)"), "NaN");
    assert_eq!(s("sum(//nothing)"), "0");
    assert_eq!(
        s("1 div sum(//nothing)"),
        "Infinity",
        "the empty sum is +0, not -0"
    );
    assert_eq!(s("count(//i)"), "4");
    assert_eq!(s("count(/)"), "1");
    assert_eq!(s("floor(-1.5)"), "-2");
    assert_eq!(s("floor(2.9)"), "2");
    assert_eq!(s("ceiling(-1.5)"), "-1");
    assert_eq!(s("ceiling(1.1)"), "2");
    assert_eq!(s("round(2.5)"), "3");
    assert_eq!(s("round(-2.5)"), "-2");
    assert_eq!(s("round(-0.4)"), "0");
    assert_eq!(s("1 div round(-0.4)"), "-Infinity");
    assert_eq!(s("round(0 div 0)"), "NaN");
    assert_eq!(s("5 mod 2"), "1");
    assert_eq!(s("5 mod -2"), "1");
    assert_eq!(s("-5 mod 2"), "-1");
    assert_eq!(s("-5 mod -2"), "-1");
    assert_eq!(s("1 - -1"), "2");
    assert_eq!(s("2 * 3 div 4"), "1.5");
    assert_eq!(s("0.1 + 0.2"), "0.30000000000000004");
    assert_eq!(s("1 div 3"), "0.3333333333333333");
    assert_eq!(s("1000000 * 1000000 * 1000000"), "1000000000000000000");
    assert_eq!(s("0.000001 div 10"), "0.0000001");
}

#[test]
fn id_without_a_dtd_uses_xml_id_only() {
    assert_eq!(s("count(id('1'))"), "0", "@id is not an ID without a DTD");
    let d = Document::parse_str(
        "<r><x xml:id='k'/><y xml:id='m'>t</y></r>",
        &Limits::default(),
    )
    .unwrap();
    let mut env = SimpleEnv::new(d.tree());
    assert_eq!(
        compile("count(id('k m k'))").eval_string(&mut env).unwrap(),
        "2"
    );
    assert_eq!(
        compile("string(id(' m '))").eval_string(&mut env).unwrap(),
        "t"
    );
}

#[test]
fn comparisons() {
    // node-set vs node-set: some pair compares true.
    assert_eq!(s("//i = //a/@n"), "true");
    assert_eq!(s("//i != //i"), "true");
    assert_eq!(s("//b != //b"), "false");
    assert_eq!(s("//i < //a/@n"), "true");
    assert_eq!(s("//i > //a/@n"), "false");
    assert_eq!(s("//nothing = //nothing"), "false");
    assert_eq!(s("//nothing != //nothing"), "false");
    // node-set vs number / string / boolean.
    assert_eq!(s("//i = 2"), "true");
    assert_eq!(s("//i != 2"), "true");
    assert_eq!(s("//i > 2.5"), "true");
    assert_eq!(s("2.5 < //i"), "true");
    assert_eq!(s("3 > //i"), "true");
    assert_eq!(s("//i = 'x'"), "true");
    assert_eq!(s("//i = 'y'"), "false");
    assert_eq!(s("//nothing = false()"), "true");
    assert_eq!(s("//i = true()"), "true");
    assert_eq!(s("//nothing != 'a'"), "false");
    // neither is a node-set.
    assert_eq!(s("'1' = 1"), "true");
    assert_eq!(s("'1.0' = '1'"), "false");
    assert_eq!(s("'abc' = true()"), "true");
    assert_eq!(s("0 = false()"), "true");
    assert_eq!(s("'2' > '10'"), "false");
    assert_eq!(s("'a' < 'b'"), "false");
    assert_eq!(s("0 div 0 = 0 div 0"), "false");
    assert_eq!(s("0 div 0 != 0 div 0"), "true");
    assert_eq!(s("true() > false()"), "true");
}

#[test]
fn errors_are_positioned_and_coded() {
    let ctx = StaticContext {
        namespaces: &ns,
        functions: &[],
    };
    let err = |e: &str| XPath::compile_with(e, &ctx).unwrap_err();
    let e = err("//add[@name = 'x'");
    assert_eq!((e.code, e.column("//add[@name = 'x'")), ("XPST0003", 18));
    let e = err("count()");
    assert_eq!(e.code, "XPST0017");
    let e = err("q:a");
    assert_eq!(e.code, "XPST0081");
    let e = err("/a/b c");
    assert_eq!(e.column("/a/b c"), 6);
    let e = err("following-or-self::a");
    assert_eq!(e.code, "XPST0003");
    // Runtime errors.
    let d = doc();
    let mut env = SimpleEnv::new(d.tree());
    let e = compile("$undefined").evaluate(&mut env).unwrap_err();
    assert_eq!(e.code, "XPST0008");
    let e = compile("count('a')").evaluate(&mut env).unwrap_err();
    assert_eq!((e.code, e.span.clone()), ("XPTY0004", 6..9));
    let e = compile("('a')/b").evaluate(&mut env).unwrap_err();
    assert_eq!(e.code, "XPTY0004");
    let e = compile("//b | 1").evaluate(&mut env).unwrap_err();
    assert_eq!(e.code, "XPTY0004");
}

#[test]
fn variables() {
    let d = doc();
    let mut env = SimpleEnv::new(d.tree());
    env.variables
        .push((webxsl::xpath::ExpandedName::local("n"), Value::Num(2.0)));
    env.variables.push((
        webxsl::xpath::ExpandedName::new("urn:p", "v"),
        Value::str("q"),
    ));
    assert_eq!(
        compile("string(//i[$n])").eval_string(&mut env).unwrap(),
        "2"
    );
    assert_eq!(
        compile("concat($p:v, $n + 1)")
            .eval_string(&mut env)
            .unwrap(),
        "q3"
    );
}

#[test]
fn deep_expressions_are_refused_not_overflowing() {
    let e = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let err = XPath::compile(&e).unwrap_err();
    assert_eq!(err.code, "XPST0003");
    assert!(err.message.contains("nest"), "{err}");
    let e = format!("{}1", "-".repeat(100_000));
    assert!(XPath::compile(&e).is_err());
}
