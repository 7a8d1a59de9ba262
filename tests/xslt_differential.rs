//! webxsl's XSLT engine against xsltproc on every sample: the Factory Configuration template
//! from `templates/` and a few stylesheets of the kinds users write for web.config. The outputs
//! must be canonically equal, and byte-identical where libxslt's serialization is followed.

mod support;

use std::path::Path;

use webxsl::xml::{Document, Limits};
use webxsl::xslt::{Stylesheet, TransformOptions, serialize};

fn webxsl_output(xsl: &Path, xml: &Path) -> Vec<u8> {
    let sheet = Stylesheet::from_file(xsl).unwrap_or_else(|e| panic!("{}: {e}", xsl.display()));
    let bytes = std::fs::read(xml).unwrap();
    let doc = Document::parse(&bytes, &Limits::default()).unwrap();
    let r = sheet
        .transform(doc.tree(), &TransformOptions::default())
        .unwrap_or_else(|e| panic!("{} on {}: {e}", xsl.display(), xml.display()));
    serialize(&r.tree, &r.output).unwrap()
}

const STYLESHEETS: &[(&str, &str)] = &[
    (
        "identity.xsl",
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
</xsl:stylesheet>"#,
    ),
    (
        "headers-report.xsl",
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:template match="/">
    <xsl:for-each select="//*[local-name()='customHeaders']/*">
      <xsl:sort select="@name"/>
      <xsl:value-of select="concat(local-name(), ' ', @name, '=', @value, ' (', count(ancestor::*), ')&#10;')"/>
    </xsl:for-each>
    <xsl:value-of select="concat('elements: ', count(//*), '&#10;')"/>
  </xsl:template>
</xsl:stylesheet>"#,
    ),
    (
        "namespace-aware.xsl",
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:c="http://schemas.microsoft.com/.NetConfiguration/v2.0" exclude-result-prefixes="c">
  <xsl:output indent="yes"/>
  <xsl:strip-space elements="*"/>
  <xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>
  <xsl:template match="customHeaders | c:customHeaders">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()[not(self::*[local-name()='add'][@name='X-Frame-Options'])]"/>
      <xsl:element name="add" namespace="{namespace-uri(..)}">
        <xsl:attribute name="name">X-Frame-Options</xsl:attribute>
        <xsl:attribute name="value">DENY</xsl:attribute>
      </xsl:element>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="comment()"/>
</xsl:stylesheet>"#,
    ),
];

#[test]
fn samples_through_the_factory_template_and_other_stylesheets() {
    let dir = support::temp_dir("xslt-diff");
    let mut sheets = vec![support::root().join("templates/factory-configuration.xsl")];
    for (name, text) in STYLESHEETS {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        sheets.push(p);
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for xsl in &sheets {
        for xml in support::samples() {
            let ours = webxsl_output(xsl, &xml);
            let theirs = support::run_xsltproc(xsl, &xml, &[]);
            compared += 1;
            let (o, t) = (
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
            );
            let same = match (support::canonical(&o), support::canonical(&t)) {
                (Some(a), Some(b)) => a == b,
                _ => o == t,
            };
            if !same {
                failures.push(format!(
                    "{} on {}: outputs differ canonically",
                    xsl.display(),
                    xml.display()
                ));
            } else if ours != theirs {
                failures.push(format!(
                    "{} on {}: canonically equal but not byte-identical\n--- xsltproc\n{t}\n--- webxsl\n{o}",
                    xsl.display(),
                    xml.display()
                ));
            }
        }
    }
    assert!(compared >= 4 * 13, "{compared}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// XML 1.0 §2.11 reads CRLF and CR as LF everywhere, comments and processing instructions
/// included: copied through the identity template, a Windows-edited config comes out as
/// xsltproc writes it.
#[test]
fn line_ends_in_comments_and_pis_as_xsltproc_reads_them() {
    let dir = support::temp_dir("xslt-diff-eol");
    let xsl = dir.join("identity.xsl");
    std::fs::write(&xsl, STYLESHEETS[0].1).unwrap();
    let xml = dir.join("web.config");
    std::fs::write(
        &xml,
        "<?xml version=\"1.0\"?>\r\n<configuration>\r\n  <!-- one\r\n  two\rthree -->\r\n  \
         <?note a\r\nb?>\r\n  <system.webServer a=\"x\r\ny\">t\r\nu</system.webServer>\r\n</configuration>\r\n",
    )
    .unwrap();
    let ours = webxsl_output(&xsl, &xml);
    let theirs = support::run_xsltproc(&xsl, &xml, &[]);
    assert!(String::from_utf8_lossy(&theirs).contains("<!-- one\n  two\nthree -->"));
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&theirs)
    );
}

/// `format-number()` over a grid of numbers (zeros of both signs, halves, large and tiny,
/// infinities, NaN) and patterns (every special character, both subpatterns, broken patterns
/// that fall back to the default one) gives xsltproc's text. Numbers beyond 2^53 are left out:
/// there libxslt writes noise digits (docs/xslt.md).
#[test]
fn format_number_as_xsltproc() {
    let numbers = [
        "-1.0",
        "1",
        "0",
        "-0",
        "0.5",
        "-0.5",
        "1.5",
        "2.5",
        "-2.5",
        "0.125",
        "1234.5",
        "1234567.891",
        "0.0001",
        "-0.0001",
        "12",
        "100",
        "0 div 0",
        "1 div 0",
        "-1 div 0",
        "0.999",
        "9.995",
        "-1234.567",
        "0.05",
        "1 div 3",
        "2 div 3",
        "-0.4",
        "0.005",
        "1.005",
        "-0.999",
        "99.5",
        "1000000",
        "123456789.125",
    ];
    let patterns = [
        ".",
        "#",
        "0",
        "#.#",
        "0.0",
        ".0",
        ".00",
        "#.",
        "0.",
        "#,##0.00",
        "#,##0.0#",
        "00.00",
        "#%",
        "0.0%",
        "#\u{2030}",
        "0;(0)",
        "#;#-",
        "#,#,##0",
        "##,##,##0",
        "0.###",
        "#.##0",
        "-0",
        "#0.0#",
        "0000",
        "#E0",
        "X#Y",
        "#,###",
        "0.00;-0.00",
        "$#,##0.00;($#,##0.00)",
        "#.#;-#.#",
        "##0.##%",
        ".#",
        ".##",
        "0,000.0",
        "#.0",
        "0.0#;(0.0#)",
        "#%;(#%)",
        "%#",
        "#%#",
        "0;0",
        "0;0;0",
        "",
        "abc",
        "0 0",
        "#,##0.###,#",
        "0.0,0",
        "#.#%",
        "%0.0",
        "\u{20ac} #,##0.00",
        "#,##0.00 \u{20ac};-#,##0.00 \u{20ac}",
        "000.000",
        "#,",
        "0.;(0.)",
        "0%;0%",
    ];
    let mut body = String::new();
    for n in numbers {
        for p in patterns {
            body.push_str(&format!(
                "<xsl:text>{n} | {p} | </xsl:text><xsl:value-of select=\"format-number({n}, &quot;{p}&quot;)\"/><xsl:text>&#10;</xsl:text>\n"
            ));
        }
    }
    let dir = support::temp_dir("xslt-diff-format-number");
    let xsl = dir.join("format-number.xsl");
    std::fs::write(
        &xsl,
        format!(
            "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\
             <xsl:output method=\"text\"/><xsl:template match=\"/\">\n{body}</xsl:template></xsl:stylesheet>\n"
        ),
    )
    .unwrap();
    let xml = dir.join("in.xml");
    std::fs::write(&xml, "<a/>").unwrap();
    let ours = String::from_utf8(webxsl_output(&xsl, &xml)).unwrap();
    let theirs = String::from_utf8(support::run_xsltproc(&xsl, &xml, &[])).unwrap();
    let lines = theirs.lines().count();
    assert_eq!(lines, numbers.len() * patterns.len());
    let differ: Vec<String> = theirs
        .lines()
        .zip(ours.lines())
        .filter(|(t, o)| t != o)
        .map(|(t, o)| format!("xsltproc: {t}\nwebxsl:   {o}"))
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
