//! The XSLT engine: positioned compile errors, runtime errors and limits, and the features a
//! Factory Configuration user reaches for.

mod support;

use std::path::Path;

use webxsl::diag::Pos;
use webxsl::xml::{Document, Limits};
use webxsl::xpath::ExpandedName;
use webxsl::xslt::{ParamValue, Stylesheet, TransformOptions, XsltError, serialize};

const XSL_NS: &str = r#"xmlns:xsl="http://www.w3.org/1999/XSL/Transform""#;

fn sheet(body: &str) -> String {
    format!("<xsl:stylesheet version=\"1.0\" {XSL_NS}>\n{body}\n</xsl:stylesheet>")
}

fn compile_err(body: &str) -> XsltError {
    Stylesheet::from_str(&sheet(body), None).expect_err("must not compile")
}

fn run_with(xsl: &str, xml: &str, opts: &TransformOptions) -> Result<String, XsltError> {
    let s = Stylesheet::from_str(xsl, None)?;
    let doc = Document::parse_str(xml, &Limits::default()).unwrap();
    let r = s.transform(doc.tree(), opts)?;
    Ok(String::from_utf8(serialize(&r.tree, &r.output)?).unwrap())
}

fn run(body: &str, xml: &str) -> Result<String, XsltError> {
    run_with(&sheet(body), xml, &TransformOptions::default())
}

fn text(body: &str, xml: &str) -> String {
    run(&format!("<xsl:output method=\"text\"/>\n{body}"), xml).unwrap_or_else(|e| panic!("{e}"))
}

// ----- compile errors point at the place -----

#[test]
fn xpath_syntax_error_points_inside_the_attribute() {
    let e = compile_err(
        "<xsl:template match=\"/\">\n  <xsl:value-of select=\"concat('a', )\"/>\n</xsl:template>",
    );
    assert_eq!(e.code, "XPST0003");
    // Line 3 of the stylesheet; column of ')' inside the select attribute.
    assert_eq!(e.pos, Some(Pos::new(3, 37)), "{e:?}");
    assert!(e.source_line.as_deref().unwrap().contains("concat('a', )"));
}

#[test]
fn positions_account_for_entity_references_in_attributes() {
    let e =
        compile_err("<xsl:template match=\"/\"><xsl:if test=\"1 &lt; 2 and )\"/></xsl:template>");
    assert_eq!(e.code, "XPST0003");
    // ')' is at offset 10 of the value "1 < 2 and )", offset 13 of the raw "1 &lt; 2 and )".
    let line = e.source_line.clone().unwrap();
    let value_col = line.find("test=\"").unwrap() + "test=\"".len() + 1;
    assert_eq!(e.pos, Some(Pos::new(2, (value_col + 13) as u32)), "{e:?}");
}

#[test]
fn pattern_errors_unknown_elements_and_missing_attributes() {
    let e = compile_err("<xsl:template match=\"a/..\"/>");
    assert_eq!((e.code, e.pos.map(|p| p.line)), ("XTSE0340", Some(2)));
    let e = compile_err("<xsl:template match=\"/\"><xsl:frobnicate/></xsl:template>");
    assert_eq!((e.code, e.pos), ("XTSE0010", Some(Pos::new(2, 25))));
    let e = compile_err("<xsl:template match=\"/\"><xsl:value-of/></xsl:template>");
    assert_eq!(e.code, "XTSE0010");
    assert!(e.message.contains("select"), "{e}");
    let e = compile_err("<xsl:template/>");
    assert_eq!(e.code, "XTSE0500");
    let e = compile_err("<xsl:template match=\"/\"><a href=\"{@x\"/></xsl:template>");
    assert_eq!(e.code, "XTSE0350");
    let e =
        compile_err("<xsl:template match=\"/\"><xsl:value-of select=\"nope()\"/></xsl:template>");
    assert_eq!(e.code, "XPST0017");
    let e = compile_err("<xsl:template name=\"a\"/><xsl:template name=\"a\"/>");
    assert_eq!(e.code, "XTSE0660");
    let e = compile_err(
        "<xsl:template match=\"/\"><xsl:variable name=\"v\"/><xsl:variable name=\"v\"/></xsl:template>",
    );
    assert_eq!(e.code, "XTSE0630");
}

#[test]
fn unknown_attributes_are_warnings_as_in_libxslt() {
    let s = Stylesheet::from_str(&sheet("<xsl:template match=\"/\" nmae=\"x\"/>"), None).unwrap();
    assert_eq!(s.warnings().len(), 1);
    assert_eq!(s.warnings()[0].code, "XTSE0090");
}

#[test]
fn not_a_stylesheet_and_not_xml() {
    let e = Stylesheet::from_str("<html/>", None).unwrap_err();
    assert_eq!(e.code, "XTSE0150");
    let e = Stylesheet::from_str("<xsl:stylesheet", None).unwrap_err();
    assert!(e.message.contains("not well-formed"), "{e}");
    assert!(e.pos.is_some());
}

#[test]
fn import_and_include_cycles() {
    let dir = support::temp_dir("xslt-cycles");
    let a = dir.join("a.xsl");
    std::fs::write(&a, sheet("<xsl:import href=\"b.xsl\"/>")).unwrap();
    std::fs::write(dir.join("b.xsl"), sheet("<xsl:import href=\"a.xsl\"/>")).unwrap();
    assert_eq!(Stylesheet::from_file(&a).unwrap_err().code, "XTSE0210");
    let c = dir.join("c.xsl");
    std::fs::write(&c, sheet("<xsl:include href=\"c.xsl\"/>")).unwrap();
    assert_eq!(Stylesheet::from_file(&c).unwrap_err().code, "XTSE0180");
    let d = dir.join("d.xsl");
    std::fs::write(&d, sheet("<xsl:import href=\"missing.xsl\"/>")).unwrap();
    let e = Stylesheet::from_file(&d).unwrap_err();
    assert_eq!((e.code, e.file.as_deref()), ("XTSE0165", Some(d.as_path())));
    let f = dir.join("f.xsl");
    std::fs::write(
        &f,
        sheet("<xsl:import href=\"https://example.com/x.xsl\"/>"),
    )
    .unwrap();
    assert_eq!(Stylesheet::from_file(&f).unwrap_err().code, "WXSL0003");
}

// ----- runtime errors and limits -----

#[test]
fn infinite_recursion_is_an_error_even_on_a_small_stack() {
    let xsl = sheet(
        "<xsl:template match=\"/\"><xsl:call-template name=\"f\"/></xsl:template>\n<xsl:template name=\"f\"><r><xsl:call-template name=\"f\"/></r></xsl:template>",
    );
    let e = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || run_with(&xsl, "<a/>", &TransformOptions::default()).unwrap_err())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(e.code, "WXSL0001");
    assert_eq!(e.pos.map(|p| p.line), Some(3));
}

/// The identity template copies a subtree whole only when its height fits the depth limit;
/// heights are kept in two bytes, and a subtree higher than 65,535 levels must count as too
/// high (processed template by template), not as a low one: with the limit between the
/// document's depth and its depth mod 65,536, the transform fails as the recursion would,
/// and with room it succeeds, copying the lower subtrees whole.
#[test]
fn a_subtree_too_high_for_two_bytes_is_not_taken_for_a_low_one() {
    const DEPTH: usize = 65_540;
    let identity = sheet(
        r#"<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>"#,
    );
    let xml = format!("{}{}", "<a>".repeat(DEPTH), "</a>".repeat(DEPTH));
    let limits = Limits {
        max_depth: DEPTH as u32 + 10,
        ..Limits::default()
    };
    let run = move |max_depth: usize| {
        let s = Stylesheet::from_str(&identity, None).unwrap();
        let doc = Document::parse_str(&xml, &limits).unwrap();
        let opts = TransformOptions {
            max_depth,
            ..TransformOptions::default()
        };
        s.transform(doc.tree(), &opts).map(|r| {
            let depth = r.tree.descendants(r.tree.root()).count();
            (depth, r.copies.len())
        })
    };
    // The recursion, several thousand templates deep, runs on a thread of its own.
    let (room, short) = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || (run(DEPTH + 100), run(DEPTH - 2)))
        .unwrap()
        .join()
        .unwrap();
    let (nodes, copies) = room.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nodes, DEPTH);
    assert!(copies > 0, "no subtree was copied whole");
    assert_eq!(short.unwrap_err().code, "WXSL0001");
}

#[test]
fn terminate_message_and_messages() {
    let e = run("<xsl:template match=\"/\"><xsl:message terminate=\"yes\">stop <xsl:value-of select=\"name(*)\"/></xsl:message></xsl:template>", "<cfg/>").unwrap_err();
    assert_eq!(e.code, "XTMM9000");
    assert!(e.message.contains("stop cfg"), "{e}");
    let s = Stylesheet::from_str(&sheet("<xsl:template match=\"/\"><xsl:message>one</xsl:message><xsl:message>two</xsl:message></xsl:template>"), None).unwrap();
    let doc = Document::parse_str("<a/>", &Limits::default()).unwrap();
    let r = s
        .transform(doc.tree(), &TransformOptions::default())
        .unwrap();
    assert_eq!(r.messages, vec!["one", "two"]);
}

#[test]
fn document_is_refused_unless_allowed() {
    let dir = support::temp_dir("xslt-document");
    let other = dir.join("other.xml");
    std::fs::write(&other, "<o>from other</o>").unwrap();
    let xsl_path = dir.join("d.xsl");
    std::fs::write(&xsl_path, sheet("<xsl:output method=\"text\"/><xsl:template match=\"/\"><xsl:value-of select=\"document('other.xml')/o\"/></xsl:template>")).unwrap();
    let s = Stylesheet::from_file(&xsl_path).unwrap();
    let doc = Document::parse_str("<a/>", &Limits::default()).unwrap();
    let e = s
        .transform(doc.tree(), &TransformOptions::default())
        .unwrap_err();
    assert_eq!(e.code, "WXSL0003");
    assert!(e.message.contains("--allow-document"), "{e}");
    let opts = TransformOptions {
        allow_document: true,
        ..TransformOptions::default()
    };
    let r = s.transform(doc.tree(), &opts).unwrap();
    assert_eq!(serialize(&r.tree, &r.output).unwrap(), b"from other");
    std::fs::write(&xsl_path, sheet("<xsl:template match=\"/\"><xsl:copy-of select=\"document('http://example.com/x.xml')\"/></xsl:template>")).unwrap();
    let s = Stylesheet::from_file(&xsl_path).unwrap();
    assert_eq!(s.transform(doc.tree(), &opts).unwrap_err().code, "WXSL0003");
}

#[test]
fn runtime_errors_have_codes_and_positions() {
    let e = run(
        "<xsl:template match=\"/\">\n<xsl:value-of select=\"$nope\"/></xsl:template>",
        "<a/>",
    )
    .unwrap_err();
    assert_eq!((e.code, e.pos), ("XPST0008", Some(Pos::new(3, 23))));
    let e = run(
        "<xsl:template match=\"/\"><xsl:call-template name=\"missing\"/></xsl:template>",
        "<a/>",
    )
    .unwrap_err();
    assert_eq!(e.code, "XTSE0650");
    let e = run("<xsl:variable name=\"a\" select=\"$b\"/><xsl:variable name=\"b\" select=\"$a\"/><xsl:template match=\"/\"/>", "<a/>").unwrap_err();
    assert_eq!(e.code, "XTDE0640");
    let e = run(
        "<xsl:template match=\"/\"><xsl:for-each select=\"'x'\"/></xsl:template>",
        "<a/>",
    )
    .unwrap_err();
    assert_eq!(e.code, "XPTY0004");
    let e = run("<xsl:template match=\"/\"><xsl:variable name=\"r\"><x/></xsl:variable><xsl:copy-of select=\"$r/x\"/></xsl:template>", "<a/>").unwrap_err();
    assert_eq!(
        e.code, "XPTY0004",
        "result tree fragments are not node-sets in XSLT 1.0"
    );
    let e = run(
        "<xsl:template match=\"/\"><xsl:element name=\"1bad\"/></xsl:template>",
        "<a/>",
    )
    .unwrap_err();
    assert_eq!(e.code, "XTDE0820");
}

#[test]
fn output_size_limit() {
    let xsl = sheet(
        "<xsl:template match=\"/\"><xsl:call-template name=\"f\"><xsl:with-param name=\"n\" select=\"0\"/></xsl:call-template></xsl:template>\n<xsl:template name=\"f\"><xsl:param name=\"n\"/><x/><x/><xsl:if test=\"$n &lt; 20\"><xsl:call-template name=\"f\"><xsl:with-param name=\"n\" select=\"$n + 1\"/></xsl:call-template><xsl:call-template name=\"f\"><xsl:with-param name=\"n\" select=\"$n + 1\"/></xsl:call-template></xsl:if></xsl:template>",
    );
    let opts = TransformOptions {
        max_output_nodes: 10_000,
        ..TransformOptions::default()
    };
    let e = run_with(&xsl, "<a/>", &opts).unwrap_err();
    assert_eq!(e.code, "WXSL0002");
}

// ----- features -----

#[test]
fn parameters_from_outside() {
    let body = "<xsl:param name=\"p\" select=\"'default'\"/><xsl:param name=\"q\"/><xsl:template match=\"/\"><xsl:value-of select=\"concat($p, '/', $q)\"/></xsl:template>";
    assert_eq!(text(body, "<a/>"), "default/");
    let opts = TransformOptions {
        params: vec![
            (ExpandedName::local("p"), ParamValue::String("s'tr".into())),
            (
                ExpandedName::local("q"),
                ParamValue::XPath("count(//b) + 1".into()),
            ),
        ],
        ..TransformOptions::default()
    };
    let out = run_with(
        &sheet(&format!("<xsl:output method=\"text\"/>{body}")),
        "<a><b/><b/></a>",
        &opts,
    )
    .unwrap();
    assert_eq!(out, "s'tr/3");
}

#[test]
fn template_selection_modes_priorities_and_imports() {
    let dir = support::temp_dir("xslt-imports");
    std::fs::write(
        dir.join("base.xsl"),
        sheet("<xsl:template match=\"add\">base(<xsl:value-of select=\"@name\"/>)</xsl:template><xsl:template match=\"*\" mode=\"m\">m</xsl:template>"),
    )
    .unwrap();
    let main = dir.join("main.xsl");
    std::fs::write(
        &main,
        sheet("<xsl:import href=\"base.xsl\"/><xsl:output method=\"text\"/>\
               <xsl:template match=\"add[@name='X-Frame-Options']\">[<xsl:apply-imports/>]</xsl:template>\
               <xsl:template match=\"add\" priority=\"-1\">low</xsl:template>\
               <xsl:template match=\"/\"><xsl:apply-templates select=\"//add\"/>|<xsl:apply-templates select=\"//add\" mode=\"m\"/></xsl:template>"),
    )
    .unwrap();
    let s = Stylesheet::from_file(&main).unwrap();
    let doc = Document::parse_str(
        "<h><add name='X-Frame-Options'/><add name='Other'/></h>",
        &Limits::default(),
    )
    .unwrap();
    let r = s
        .transform(doc.tree(), &TransformOptions::default())
        .unwrap();
    // Higher import precedence wins over priority; apply-imports reaches the imported rule.
    assert_eq!(
        serialize(&r.tree, &r.output).unwrap(),
        b"[base(X-Frame-Options)]low|mm"
    );
}

#[test]
fn keys_sorting_numbering_and_formatting() {
    let xml = "<c><add name='b' v='2'/><add name='a' v='10'/><add name='c' v='1'/></c>";
    assert_eq!(
        text(
            "<xsl:key name='k' match='add' use='@name'/><xsl:template match='/'><xsl:value-of select=\"key('k','a')/@v\"/></xsl:template>",
            xml
        ),
        "10"
    );
    assert_eq!(
        text(
            "<xsl:template match='/'><xsl:for-each select='//add'><xsl:sort select='@v' data-type='number' order='descending'/><xsl:value-of select='@name'/></xsl:for-each></xsl:template>",
            xml
        ),
        "abc"
    );
    assert_eq!(
        text(
            "<xsl:template match='add'><xsl:number format='(a) '/></xsl:template>",
            xml
        ),
        "(a) (b) (c) "
    );
    assert_eq!(
        text(
            "<xsl:decimal-format name='eu' decimal-separator=',' grouping-separator='.'/><xsl:template match='/'><xsl:value-of select=\"format-number(1234567.891, '#.##0,00', 'eu')\"/></xsl:template>",
            xml
        ),
        "1.234.567,89"
    );
}

#[test]
fn node_set_extensions_and_function_available() {
    let body = "<xsl:variable name='r'><x n='1'/><x n='2'/></xsl:variable>\
                <xsl:template match='/'><xsl:value-of select=\"count(exsl:node-set($r)/x)\"/>,<xsl:value-of select=\"msxsl:node-set($r)/x[2]/@n\"/>,<xsl:value-of select=\"function-available('exsl:node-set')\"/>,<xsl:value-of select=\"function-available('exsl:nope')\"/>,<xsl:value-of select=\"element-available('xsl:copy-of')\"/></xsl:template>";
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} xmlns:exsl=\"http://exslt.org/common\" xmlns:msxsl=\"urn:schemas-microsoft-com:xslt\"><xsl:output method=\"text\"/>{body}</xsl:stylesheet>"
    );
    assert_eq!(
        run_with(&xsl, "<a/>", &TransformOptions::default()).unwrap(),
        "2,2,true,false,true"
    );
}

#[test]
fn guarded_extension_calls_do_not_fail() {
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} xmlns:ext=\"urn:ext\"><xsl:output method=\"text\"/>\
         <xsl:template match=\"/\"><xsl:choose><xsl:when test=\"function-available('ext:f')\"><xsl:value-of select=\"ext:f()\"/></xsl:when><xsl:otherwise>fallback</xsl:otherwise></xsl:choose></xsl:template></xsl:stylesheet>"
    );
    assert_eq!(
        run_with(&xsl, "<a/>", &TransformOptions::default()).unwrap(),
        "fallback"
    );
}

#[test]
fn literal_result_elements_namespaces_and_aliases() {
    let xsl = r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
        xmlns:axsl="urn:alias" xmlns:keep="urn:keep" xmlns:drop="urn:drop" exclude-result-prefixes="drop">
      <xsl:namespace-alias stylesheet-prefix="axsl" result-prefix="xsl"/>
      <xsl:output omit-xml-declaration="yes"/>
      <xsl:template match="/"><axsl:stylesheet version="1.0"><keep:x drop:a="1" b="{name(*)}"/></axsl:stylesheet></xsl:template>
    </xsl:stylesheet>"#;
    let out = run_with(xsl, "<cfg/>", &TransformOptions::default()).unwrap();
    let canon = support::canonical(&out).unwrap();
    assert_eq!(
        canon,
        "<{http://www.w3.org/1999/XSL/Transform}stylesheet {}version=\"1.0\"><{urn:keep}x {urn:drop}a=\"1\" {}b=\"cfg\"></{urn:keep}x></{http://www.w3.org/1999/XSL/Transform}stylesheet>"
    );
    assert!(!out.contains("xmlns:axsl"), "{out}");
}

#[test]
fn strip_space_and_output_methods() {
    let body = "<xsl:strip-space elements='*'/><xsl:output method='xml' indent='yes' omit-xml-declaration='yes'/>\
                <xsl:template match='@*|node()'><xsl:copy><xsl:apply-templates select='@*|node()'/></xsl:copy></xsl:template>";
    let out = run(body, "<a>\n   <b> x </b>\n\n  <c/></a>").unwrap();
    assert_eq!(out, "<a>\n  <b> x </b>\n  <c/>\n</a>\n");
    let html = run(
        "<xsl:template match='/'><html><body><p>x &amp; y<br/></p></body></html></xsl:template>",
        "<a/>",
    )
    .unwrap();
    assert_eq!(html, "<html><body><p>x &amp; y<br></p></body></html>\n");
}

#[test]
fn the_factory_template_runs_on_every_sample() {
    let xsl = support::root().join("templates/factory-configuration.xsl");
    let s = Stylesheet::from_file(&xsl).unwrap();
    for sample in support::samples() {
        let bytes = std::fs::read(&sample).unwrap();
        let doc = Document::parse(&bytes, &Limits::default()).unwrap();
        let r = s
            .transform(doc.tree(), &TransformOptions::default())
            .unwrap();
        let out = String::from_utf8(serialize(&r.tree, &r.output).unwrap()).unwrap();
        let has_custom_headers = doc.text().contains("<customHeaders")
            && !doc.text().contains("<location")
            && !doc
                .text()
                .contains("xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\"");
        assert_eq!(
            out.contains("X-Frame-Options\" value=\"SAMEORIGIN\""),
            has_custom_headers,
            "{}: the classic template only acts on a top-level, un-namespaced customHeaders",
            sample.display()
        );
        assert!(Path::new(&sample).exists());
    }
}

// ----- EXSLT functions: positions and warnings (results are in tests/exslt_differential.rs) -----

#[test]
fn exslt_function_mistakes_are_positioned() {
    let ns = r#"xmlns:func="http://exslt.org/functions" xmlns:my="urn:my""#;
    // Without extension-element-prefixes, func:result is a literal result element: the
    // stylesheet compiles with a warning at the function, and calling it fails there.
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} {ns}>\n<func:function name=\"my:f\"><func:result select=\"1\"/></func:function>\n<xsl:template match=\"/\"><xsl:value-of select=\"my:f()\"/></xsl:template>\n</xsl:stylesheet>"
    );
    let s = Stylesheet::from_str(&xsl, None).unwrap();
    let w = &s.warnings()[0];
    assert_eq!(
        (w.code, w.pos),
        ("WXSL0005", Some(Pos { line: 2, col: 1 })),
        "{w}"
    );
    assert!(w.message.contains("extension-element-prefixes"), "{w}");
    let e = run_with(&xsl, "<a/>", &TransformOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.pos.map(|p| p.line)),
        ("WXSL0007", Some(2)),
        "{e}"
    );

    // With it, a misplaced func:result is a compile error at its place.
    let ext = format!("{ns} extension-element-prefixes=\"func\"");
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} {ext}>\n<func:function name=\"my:f\">\n  <func:result select=\"1\"/>\n  <xsl:variable name=\"x\"/>\n</func:function>\n</xsl:stylesheet>"
    );
    let e = Stylesheet::from_str(&xsl, None).unwrap_err();
    assert_eq!(
        (e.code, e.pos),
        ("XTSE0010", Some(Pos { line: 4, col: 3 })),
        "{e}"
    );
    assert!(e.message.contains("only xsl:fallback"), "{e}");
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} {ext}>\n<xsl:template match=\"/\"><func:result select=\"1\"/></xsl:template>\n</xsl:stylesheet>"
    );
    let e = Stylesheet::from_str(&xsl, None).unwrap_err();
    assert_eq!(
        (e.code, e.pos),
        ("XTSE0010", Some(Pos { line: 2, col: 25 })),
        "{e}"
    );

    // A second func:result in one call is a runtime error at the second one.
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} {ext}>\n<func:function name=\"my:f\"><xsl:for-each select=\"//b\">\n<func:result select=\".\"/></xsl:for-each></func:function>\n<xsl:template match=\"/\"><xsl:value-of select=\"my:f()\"/></xsl:template>\n</xsl:stylesheet>"
    );
    assert!(run_with(&xsl, "<a><b/></a>", &TransformOptions::default()).is_ok());
    let e = run_with(&xsl, "<a><b/><b/></a>", &TransformOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.pos),
        ("XTDE0640", Some(Pos { line: 3, col: 1 })),
        "{e}"
    );
}

#[test]
fn dyn_evaluate_sees_namespaces_and_variables_and_warns_on_broken_expressions() {
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} xmlns:dyn=\"http://exslt.org/dynamic\" xmlns:p=\"urn:p\">\n<xsl:output method=\"text\"/>\n<xsl:template match=\"/\"><xsl:variable name=\"v\" select=\"'p:b'\"/><xsl:value-of select=\"dyn:evaluate(concat('count(//', $v, ')'))\"/>,<xsl:value-of select=\"count(dyn:evaluate('1 +'))\"/></xsl:template>\n</xsl:stylesheet>"
    );
    let s = Stylesheet::from_str(&xsl, None).unwrap();
    let doc = Document::parse_str(r#"<a xmlns="urn:p"><b/><b/></a>"#, &Limits::default()).unwrap();
    let r = s
        .transform(doc.tree(), &TransformOptions::default())
        .unwrap();
    assert_eq!(
        String::from_utf8(serialize(&r.tree, &r.output).unwrap()).unwrap(),
        "2,0"
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(r.warnings[0].code, "XPST0003");
    assert_eq!(r.warnings[0].pos.map(|p| p.line), Some(3));
}

#[test]
fn the_clock_of_the_date_functions_is_injectable() {
    let xsl = format!(
        "<xsl:stylesheet version=\"1.0\" {XSL_NS} xmlns:date=\"http://exslt.org/dates-and-times\">\n<xsl:output method=\"text\"/>\n<xsl:template match=\"/\"><xsl:value-of select=\"concat(date:date-time(), ' ', date:day-name(), ' ', date:add(date:date(), 'P1M'))\"/></xsl:template>\n</xsl:stylesheet>"
    );
    let at = |now| {
        let opts = TransformOptions {
            now: Some(now),
            ..TransformOptions::default()
        };
        run_with(&xsl, "<a/>", &opts).unwrap()
    };
    assert_eq!(at(0), "1970-01-01T00:00:00Z Thursday 1970-02-01");
    // 2024-01-31T23:59:59Z: a leap year's February clamps the day.
    assert_eq!(
        at(1_706_745_599),
        "2024-01-31T23:59:59Z Wednesday 2024-02-29"
    );
}
