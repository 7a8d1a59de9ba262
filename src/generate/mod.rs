//! Generating shared-configuration templates from a profile: an XSLT 1.0 stylesheet for
//! OutSystems Factory Configuration (kind `web.config_XSL`, run by .NET's
//! XslCompiledTransform, libxslt or `webxsl apply --xsl`), or a Web.Release.config-style XDT
//! transform.
//!
//! The stylesheet uses plain XSLT 1.0 only (no extension functions, no `document()`, no
//! variables in patterns) and is idempotent: applying it twice gives the same result as once.

mod sections;
mod xdt;

pub use sections::{response_variable, strip_rule_name};
pub use xdt::xdt;

use crate::profile::Profile;
use sections::{
    logout_comment, logout_templates, new_logout_locations, removals_comment, strip_rule,
};

/// The `.NetConfiguration` namespace some web.config files put on `<configuration>`.
pub const NET_CONFIG_NS: &str = "http://schemas.microsoft.com/.NetConfiguration/v2.0";
/// The XDT namespace.
pub const XDT_NS: &str = "http://schemas.microsoft.com/XML-Document-Transform";

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";

fn esc_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn esc_attr(s: &str) -> String {
    esc_text(s)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// An XPath string literal for a header name (names are tokens: they may hold `'`, never `"`).
fn literal(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

/// Stylesheet text for a string: white space only (which a stylesheet would strip) goes in
/// `xsl:text`.
fn text_content(s: &str) -> String {
    if s.trim().is_empty() {
        format!("<xsl:text>{}</xsl:text>", esc_text(s))
    } else {
        esc_text(s)
    }
}

/// `translate(@name, ...) = 'lower-case name'`: header names compare case-insensitively.
fn name_is(name: &str) -> String {
    format!(
        "translate(@name, '{UPPER}', '{LOWER}') = {}",
        literal(&name.to_ascii_lowercase())
    )
}

/// Which `<location>` sections a pattern reaches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The top level only.
    Top,
    /// The top level and `<location path=".">` (the application itself).
    App,
    /// The top level and every `<location>`.
    All,
    /// The `<location>` sections other than the application's (not the top level).
    Others,
}

/// The predicate of a `<location>` that is the application itself: no path, `.` or empty.
const APP_LOCATION: &str =
    "[not(@path) or normalize-space(@path)='.' or normalize-space(@path)='']";

/// The predicate of any other `<location>`.
const OTHER_LOCATION: &str = "[normalize-space(@path)!='.' and normalize-space(@path)!='']";

/// A pattern matching `path` (element names from `configuration` down) with and without the
/// `.NetConfiguration` default namespace, and with `<location>` in between as `reach` says.
fn pattern(path: &[&str], reach: Reach, tail: &str) -> String {
    let mut alts = Vec::new();
    let mut variants: Vec<Vec<String>> = Vec::new();
    if reach != Reach::Others {
        variants.push(path.iter().map(|s| s.to_string()).collect());
    }
    if reach != Reach::Top && path.len() > 1 {
        let loc = match reach {
            Reach::App => format!("location{APP_LOCATION}"),
            Reach::Others => format!("location{OTHER_LOCATION}"),
            _ => "location".to_string(),
        };
        let mut v = vec![path[0].to_string(), loc];
        v.extend(path[1..].iter().map(|s| s.to_string()));
        variants.push(v);
    }
    for v in &variants {
        alts.push(format!("/{}{tail}", v.join("/")));
        alts.push(format!(
            "/{}{tail}",
            v.iter()
                .map(|s| format!("cfg:{s}"))
                .collect::<Vec<_>>()
                .join("/")
        ));
    }
    alts.join("\n             | ")
}

/// A namespace-blind step: `*[local-name()='name']`.
fn step(name: &str) -> String {
    format!("*[local-name()='{name}']")
}

/// Escapes a pattern for an attribute value, keeping its line breaks readable (an XML parser
/// turns them into spaces, which XPath ignores).
fn esc_pattern(s: &str) -> String {
    esc_text(s).replace('"', "&quot;")
}

/// An element in the namespace of its (new) parent: `$ns`.
fn element(name: &str, attrs: &[(&str, &str)], content: &str, indent: &str) -> String {
    let mut s = format!("{indent}<xsl:element name=\"{name}\" namespace=\"{{$ns}}\">");
    if attrs.is_empty() && content.is_empty() {
        s.push_str("</xsl:element>\n");
        return s;
    }
    s.push('\n');
    for (k, v) in attrs {
        s.push_str(&format!(
            "{indent}  <xsl:attribute name=\"{k}\">{}</xsl:attribute>\n",
            esc_text(v)
        ));
    }
    s.push_str(content);
    s.push_str(&format!("{indent}</xsl:element>\n"));
    s
}

/// A part of the configuration the profile needs: a chain of elements below `<configuration>`
/// that is found at the top level or in `<location path=".">`, or created.
struct Chain {
    /// The variable holding where the chain's missing part goes.
    home: String,
    /// Element names from below `<configuration>` to the leaf.
    names: Vec<&'static str>,
    /// The leaf element, created (`$ns` is its parent's namespace).
    leaf: String,
}

/// The variable holding the `scope` (`top` or `app`) elements at the end of `names`.
fn var(scope: &str, names: &[&str]) -> String {
    match names.last() {
        None => format!("$webxsl-{scope}"),
        Some(n) => format!("$webxsl-{scope}-{n}"),
    }
}

impl Chain {
    /// The XPath of the chain's home: the deepest element of the chain that exists, at the top
    /// level first, then in `<location path=".">`; `<configuration>` when none does.
    fn home_expr(&self) -> String {
        let mut terms = Vec::new();
        let mut prior: Vec<String> = Vec::new();
        for k in (1..=self.names.len()).rev() {
            for scope in ["top", "app"] {
                let e = var(scope, &self.names[..k]);
                let guard = if prior.is_empty() {
                    String::new()
                } else {
                    format!("[not({})]", prior.join(" | "))
                };
                terms.push(format!("{e}[1]{guard}"));
                prior.push(e);
            }
        }
        terms.push(format!("$webxsl-top[not({})]", prior.join(" | ")));
        terms.join("\n      | ")
    }
}

/// Creates what is missing below an element at `depth` of the chains (those whose home it is
/// share the first missing element), nested.
fn build(chains: &[(&[&'static str], &str)], indent: &str) -> String {
    let mut out = String::new();
    let mut done: Vec<&str> = Vec::new();
    for (names, leaf) in chains {
        let first = names[0];
        if done.contains(&first) {
            continue;
        }
        done.push(first);
        if names.len() == 1 {
            for line in leaf.lines() {
                out.push_str(indent);
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        let inner: Vec<(&[&'static str], &str)> = chains
            .iter()
            .filter(|(n, _)| n[0] == first)
            .map(|(n, l)| (&n[1..], *l))
            .collect();
        out.push_str(&element(
            first,
            &[],
            &build(&inner, &format!("{indent}  ")),
            indent,
        ));
    }
    out
}

/// Generates the XSLT 1.0 template for a profile.
pub fn xsl(original: &Profile) -> String {
    let eff = original.effective();
    let p = &eff.profile;
    let coll = p.collection.element_name();
    let collection_path = ["configuration", "system.webServer", "httpProtocol", coll];
    let reach = if p.locations { Reach::All } else { Reach::App };
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!--\n");
    o.push_str(&format!(
        "  Generated by webxsl {} from the header profile \"{}\".\n",
        env!("CARGO_PKG_VERSION"),
        p.name.replace("--", "- -")
    ));
    if !p.description.is_empty() {
        o.push_str(&format!("  {}\n", p.description.replace("--", "- -")));
    }
    o.push_str(&format!(
        "\n  Use it as an OutSystems Factory Configuration shared configuration of kind\n  web.config_XSL, or with any XSLT 1.0 processor (XslCompiledTransform, xsltproc,\n  webxsl apply). Applying it twice gives the same result as applying it once:\n  - each header below replaces the value of existing <add> entries of that name in {coll}\n    (names compare case-insensitively; later duplicates in one collection are dropped), or\n    is appended;\n"
    ));
    if !p.remove.is_empty() {
        o.push_str(
            "  - custom headers inherited from the server level get a <remove> entry, and their\n    <add> entries are dropped;\n",
        );
    }
    o.push_str(&removals_comment(original));
    if !p.strip.is_empty() {
        o.push_str(&format!(
            "  - URL Rewrite outbound rules blank {} in every response (this needs the URL\n    Rewrite module: without it IIS refuses the <rewrite> section);\n",
            p.strip.join(", ")
        ));
    }
    o.push_str(&logout_comment(original, &eff));
    o.push_str(&format!(
        "  - the application's {coll} is the top-level one, or the one in <location path=\".\">\n    (inheritInChildApplications=\"false\" configs) when the top level has none; a header\n    either already sets is not added again (IIS merges them: a second entry is HTTP 500.19);\n  - system.webServer, httpProtocol and {coll} are created when missing (inside\n    <location path=\".\"> when that is where system.webServer is);\n  - a <configuration> with the .NetConfiguration default namespace works too;\n"
    ));
    if p.locations {
        o.push_str(&format!(
            "  - {coll} inside other <location> sections are updated as well, and headers they\n    <clear/> or <remove> are added back.\n"
        ));
    } else {
        o.push_str(
            "  - other <location> sections are left alone (they inherit the application's headers).\n",
        );
    }
    o.push_str("-->\n");
    o.push_str(&format!(
        "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"\n    xmlns:cfg=\"{NET_CONFIG_NS}\" exclude-result-prefixes=\"cfg\">\n  <xsl:output method=\"xml\" indent=\"yes\" encoding=\"utf-8\"/>\n\n"
    ));
    o.push_str("  <!-- Identity: everything not changed below is copied as it is. -->\n  <xsl:template match=\"@*|node()\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*|node()\"/>\n    </xsl:copy>\n  </xsl:template>\n\n");

    // What the profile needs, and where each part lives or goes.
    let needs_filtering = p.server.remove_server_header.is_some();
    let cookies = p.cookies.attributes();
    let cookie_attrs: Vec<(&str, &str)> = cookies.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut chains = vec![Chain {
        home: "webxsl-home-headers".into(),
        names: vec!["system.webServer", "httpProtocol", coll],
        leaf: "<xsl:call-template name=\"webxsl-new-collection\"><xsl:with-param name=\"ns\" select=\"$ns\"/></xsl:call-template>\n".into(),
    }];
    if needs_filtering {
        chains.push(Chain {
            home: "webxsl-home-filtering".into(),
            names: vec!["system.webServer", "security", "requestFiltering"],
            leaf: filtering_element(p, ""),
        });
    }
    if let Some(v) = p.server.enable_version_header {
        chains.push(Chain {
            home: "webxsl-home-runtime".into(),
            names: vec!["system.web", "httpRuntime"],
            leaf: element(
                "httpRuntime",
                &[("enableVersionHeader", if v { "true" } else { "false" })],
                "",
                "",
            ),
        });
    }
    if !p.strip.is_empty() {
        let rules: String = p.strip.iter().map(|n| strip_rule(n, "  ")).collect();
        chains.push(Chain {
            home: "webxsl-home-outbound".into(),
            names: vec!["system.webServer", "rewrite", "outboundRules"],
            leaf: element("outboundRules", &[], &rules, ""),
        });
    }
    if !cookie_attrs.is_empty() {
        chains.push(Chain {
            home: "webxsl-home-cookies".into(),
            names: vec!["system.web", "httpCookies"],
            leaf: element("httpCookies", &cookie_attrs, "", ""),
        });
    }
    o.push_str("  <!-- The application: the top level and <location path=\".\">, and the elements the\n       profile needs in each. -->\n");
    o.push_str(
        "  <xsl:variable name=\"webxsl-top\" select=\"/*[local-name()='configuration']\"/>\n",
    );
    o.push_str(&format!(
        "  <xsl:variable name=\"webxsl-app\" select=\"$webxsl-top/{}{}\"/>\n",
        step("location"),
        esc_attr(APP_LOCATION)
    ));
    let mut defined: Vec<&[&str]> = Vec::new();
    for c in &chains {
        for k in 1..=c.names.len() {
            let pre = &c.names[..k];
            if defined.contains(&pre) {
                continue;
            }
            defined.push(pre);
            for scope in ["top", "app"] {
                o.push_str(&format!(
                    "  <xsl:variable name=\"{}\" select=\"{}/{}\"/>\n",
                    &var(scope, pre)[1..],
                    var(scope, &pre[..k - 1]),
                    step(pre[k - 1])
                ));
            }
        }
    }
    o.push_str(&format!(
        "  <xsl:variable name=\"webxsl-collections\" select=\"{} | {}\"/>\n",
        var("top", &chains[0].names),
        var("app", &chains[0].names)
    ));
    o.push_str(
        "  <!-- Where each missing part goes: the deepest element of its path that exists. -->\n",
    );
    for c in &chains {
        o.push_str(&format!(
            "  <xsl:variable name=\"{}\" select=\"{}\"/>\n",
            c.home,
            esc_pattern(&c.home_expr())
        ));
    }
    o.push('\n');

    // Existing entries of the headers the profile sets or removes.
    let in_one = "[not(following-sibling::*[local-name()='clear'])]";
    for h in &p.headers {
        let value = h.value.render();
        let n = name_is(&h.name);
        let first = format!("not(preceding-sibling::*[local-name()='add'][{n}]{in_one})");
        let set_value = format!(
            "<xsl:copy>\n        <xsl:apply-templates select=\"@*\"/>\n        <xsl:attribute name=\"value\">{}</xsl:attribute>\n      </xsl:copy>\n",
            esc_text(&value)
        );
        o.push_str(&format!(
            "  <!-- {}: the first existing entry gets the profile's value, duplicates are dropped. -->\n",
            h.name
        ));
        o.push_str(&format!(
            "  <xsl:template match=\"{}\">\n",
            esc_pattern(&pattern(
                &collection_path,
                Reach::App,
                &format!("/*[local-name()='add'][{n}]{in_one}")
            ))
        ));
        o.push_str(&format!(
            "    <xsl:if test=\"{}\">\n      {set_value}    </xsl:if>\n  </xsl:template>\n\n",
            esc_attr(&first)
        ));
        // In other locations the application's entry is inherited: a location's own <add>
        // needs a <remove> before it.
        o.push_str(&format!(
            "  <!-- {}: another location's own entry first removes the inherited one{}. -->\n",
            h.name,
            if p.locations {
                " and gets the profile's value"
            } else {
                ""
            }
        ));
        o.push_str(&format!(
            "  <xsl:template match=\"{}\">\n",
            esc_pattern(&pattern(
                &collection_path,
                Reach::Others,
                &format!("/*[local-name()='add'][{n}]")
            ))
        ));
        o.push_str(&format!(
            "    <xsl:if test=\"{}\">\n      <xsl:element name=\"remove\" namespace=\"{{namespace-uri()}}\">\n        <xsl:attribute name=\"name\">{}</xsl:attribute>\n      </xsl:element>\n    </xsl:if>\n",
            esc_attr(&format!(
                "not(preceding-sibling::*[local-name()='clear' or ((local-name()='remove' or local-name()='add') and {n})])"
            )),
            esc_text(&h.name)
        ));
        if p.locations {
            o.push_str(&format!(
                "    <xsl:choose>\n      <xsl:when test=\"{}\">\n        <xsl:if test=\"{}\">\n          {}        </xsl:if>\n      </xsl:when>\n      <xsl:otherwise>\n        <xsl:copy-of select=\".\"/>\n      </xsl:otherwise>\n    </xsl:choose>\n",
                esc_attr("not(following-sibling::*[local-name()='clear'])"),
                esc_attr(&first),
                set_value.replace("\n  ", "\n      ")
            ));
        } else {
            o.push_str("    <xsl:copy-of select=\".\"/>\n");
        }
        o.push_str("  </xsl:template>\n\n");
    }
    for r in &p.remove {
        o.push_str(&format!(
            "  <!-- {r}: removed, so an <add> of it goes and one <remove> stays. -->\n"
        ));
        o.push_str(&format!(
            "  <xsl:template match=\"{}\"/>\n",
            esc_pattern(&pattern(
                &collection_path,
                reach,
                &format!("/*[local-name()='add'][{}]{in_one}", name_is(r))
            ))
        ));
        o.push_str(&format!(
            "  <xsl:template match=\"{}\">\n",
            esc_pattern(&pattern(
                &collection_path,
                reach,
                &format!("/*[local-name()='remove'][{}]{in_one}", name_is(r))
            ))
        ));
        o.push_str(&format!(
            "    <xsl:if test=\"{}\">\n      <xsl:copy-of select=\".\"/>\n    </xsl:if>\n  </xsl:template>\n\n",
            esc_attr(&format!("not(preceding-sibling::*[local-name()='remove'][{}]{in_one})", name_is(r)))
        ));
    }

    // The collections: copy them, then add what is missing.
    o.push_str(&format!(
        "  <!-- {coll}: keep what is there, add what the profile needs and the application lacks. -->\n"
    ));
    o.push_str(&format!(
        "  <xsl:template match=\"{}\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*|node()\"/>\n      <xsl:call-template name=\"webxsl-missing-entries\"/>\n    </xsl:copy>\n  </xsl:template>\n\n",
        esc_pattern(&pattern(&collection_path, reach, ""))
    ));
    o.push_str(
        "  <!-- The entries a collection (the context node) lacks. The home collection gets every\n       header the application does not set yet; another one only the headers it cancels\n       with <clear/> or <remove>. -->\n  <xsl:template name=\"webxsl-missing-entries\">\n    <xsl:variable name=\"home\" select=\"generate-id(.) = generate-id($webxsl-home-headers)\"/>\n",
    );
    for r in &p.remove {
        o.push_str(&format!(
            "    <xsl:call-template name=\"webxsl-remove\">\n      <xsl:with-param name=\"home\" select=\"$home\"/>\n      <xsl:with-param name=\"name\">{}</xsl:with-param>\n    </xsl:call-template>\n",
            esc_text(r)
        ));
    }
    for h in &p.headers {
        o.push_str(&format!(
            "    <xsl:call-template name=\"webxsl-add\">\n      <xsl:with-param name=\"home\" select=\"$home\"/>\n      <xsl:with-param name=\"name\">{}</xsl:with-param>\n      <xsl:with-param name=\"value\">{}</xsl:with-param>\n    </xsl:call-template>\n",
            esc_text(&h.name),
            text_content(&h.value.render())
        ));
    }
    o.push_str("  </xsl:template>\n\n");
    let key = format!("translate(@name, '{UPPER}', '{LOWER}') = $key");
    let live = |kind: &str| {
        format!(
            "*[local-name()='{kind}'][{key}][not(following-sibling::*[local-name()='clear' or (local-name()='remove' and {key})])]"
        )
    };
    let new_entry = |kind: &str, value: bool, indent: &str| {
        let mut s = format!(
            "{indent}<xsl:element name=\"{kind}\" namespace=\"{{namespace-uri()}}\">\n{indent}  <xsl:attribute name=\"name\"><xsl:value-of select=\"$name\"/></xsl:attribute>\n"
        );
        if value {
            s.push_str(&format!(
                "{indent}  <xsl:attribute name=\"value\"><xsl:value-of select=\"$value\"/></xsl:attribute>\n"
            ));
        }
        s.push_str(&format!("{indent}</xsl:element>\n"));
        s
    };
    o.push_str(&format!(
        "  <!-- <add name=\"$name\" value=\"$value\"/> unless the header is set (entries in effect:\n       no later <clear/> or <remove> of the name cancels them). -->\n  <xsl:template name=\"webxsl-add\">\n    <xsl:param name=\"home\"/>\n    <xsl:param name=\"name\"/>\n    <xsl:param name=\"value\"/>\n    <xsl:variable name=\"key\" select=\"translate($name, '{UPPER}', '{LOWER}')\"/>\n    <xsl:variable name=\"set-here\" select=\"{}\"/>\n    <xsl:variable name=\"set-in-app\" select=\"$webxsl-collections/{}\"/>\n    <xsl:variable name=\"cancelled-here\" select=\"*[local-name()='clear' or (local-name()='remove' and {key})]\"/>\n    <xsl:if test=\"($home and not($set-in-app)) or (not($home) and $cancelled-here and not($set-here))\">\n",
        esc_attr(&live("add")),
        esc_attr(&live("add"))
    ));
    if p.remove_inherited {
        o.push_str(&format!(
            "      <xsl:if test=\"not({})\">\n{}      </xsl:if>\n",
            esc_attr(&live("remove")),
            new_entry("remove", false, "        ")
        ));
    }
    o.push_str(&new_entry("add", true, "      "));
    o.push_str("    </xsl:if>\n  </xsl:template>\n\n");
    if !p.remove.is_empty() {
        o.push_str(&format!(
            "  <!-- <remove name=\"$name\"/> in the home collection unless the application has one\n       (or a <clear/>). -->\n  <xsl:template name=\"webxsl-remove\">\n    <xsl:param name=\"home\"/>\n    <xsl:param name=\"name\"/>\n    <xsl:variable name=\"key\" select=\"translate($name, '{UPPER}', '{LOWER}')\"/>\n    <xsl:if test=\"{}\">\n{}    </xsl:if>\n  </xsl:template>\n\n",
            esc_attr(&format!(
                "$home and not($webxsl-collections/*[local-name()='clear' or (local-name()='remove' and {key})])"
            )),
            new_entry("remove", false, "      ")
        ));
    }

    // A new collection with every entry.
    o.push_str(&format!("  <!-- A new {coll} with every entry of the profile. -->\n  <xsl:template name=\"webxsl-new-collection\">\n    <xsl:param name=\"ns\"/>\n"));
    let mut entries = String::new();
    for r in &p.remove {
        entries.push_str(&element("remove", &[("name", r)], "", "      "));
    }
    for h in &p.headers {
        if p.remove_inherited {
            entries.push_str(&element("remove", &[("name", &h.name)], "", "      "));
        }
        entries.push_str(&element(
            "add",
            &[("name", &h.name), ("value", &h.value.render())],
            "",
            "      ",
        ));
    }
    o.push_str(&element(coll, &[], &entries, "    "));
    o.push_str("  </xsl:template>\n\n");

    // Missing parents: each element that may be a home creates what its chains lack.
    o.push_str(
        "  <!-- Missing parts are created at their home, in the namespace of its element. -->\n",
    );
    let mut prefixes: Vec<Vec<&str>> = Vec::new();
    for c in &chains {
        for k in 0..c.names.len() {
            let pre = c.names[..k].to_vec();
            if !prefixes.contains(&pre) {
                prefixes.push(pre);
            }
        }
    }
    for pre in &prefixes {
        let mut path = vec!["configuration"];
        path.extend(pre.iter());
        o.push_str(&format!(
            "  <xsl:template match=\"{}\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*|node()\"/>\n      <xsl:variable name=\"ns\" select=\"namespace-uri()\"/>\n",
            esc_pattern(&pattern(&path, Reach::App, ""))
        ));
        if pre.is_empty() {
            o.push_str(&new_logout_locations(p, &eff.logout_headers));
        }
        // The chains through this element, grouped by the element they need next.
        let through: Vec<&Chain> = chains
            .iter()
            .filter(|c| c.names.len() > pre.len() && c.names[..pre.len()] == pre[..])
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for c in &through {
            let next = c.names[pre.len()];
            if seen.contains(&next) {
                continue;
            }
            seen.push(next);
            let group: Vec<(&[&'static str], &str)> = through
                .iter()
                .filter(|x| x.names[pre.len()] == next)
                .map(|x| (&x.names[pre.len()..], x.leaf.as_str()))
                .collect();
            o.push_str(&format!(
                "      <xsl:if test=\"generate-id(.) = generate-id(${})\">\n{}      </xsl:if>\n",
                c.home,
                build(&group, "        ")
            ));
        }
        o.push_str("    </xsl:copy>\n  </xsl:template>\n\n");
    }

    // Settings on existing elements, wherever the application has them.
    if needs_filtering {
        o.push_str("  <!-- requestFiltering removeServerHeader (IIS 10): no Server header. -->\n");
        o.push_str(&set_attributes_template(
            &[
                "configuration",
                "system.webServer",
                "security",
                "requestFiltering",
            ],
            &[(
                "removeServerHeader",
                bool_str(p.server.remove_server_header),
            )],
        ));
    }
    if let Some(v) = p.server.enable_version_header {
        o.push_str("  <!-- httpRuntime: no X-AspNet-Version header. -->\n");
        o.push_str(&set_attributes_template(
            &["configuration", "system.web", "httpRuntime"],
            &[("enableVersionHeader", if v { "true" } else { "false" })],
        ));
    }
    if !p.strip.is_empty() {
        o.push_str(&format!(
            "  <!-- outboundRules: the rules that blank {}, unless there already. -->\n  <xsl:template match=\"{}\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*|node()\"/>\n      <xsl:variable name=\"ns\" select=\"namespace-uri()\"/>\n",
            p.strip.join(", "),
            esc_pattern(&pattern(
                &["configuration", "system.webServer", "rewrite", "outboundRules"],
                Reach::App,
                ""
            ))
        ));
        for n in &p.strip {
            o.push_str(&format!(
                "      <xsl:if test=\"{}\">\n{}      </xsl:if>\n",
                esc_attr(&format!(
                    "not(*[local-name()='rule'][@name={}])",
                    literal(&strip_rule_name(n))
                )),
                strip_rule(n, "        ")
            ));
        }
        o.push_str("    </xsl:copy>\n  </xsl:template>\n\n");
    }
    if !eff.logout_headers.is_empty() {
        o.push_str(&logout_templates(p, &eff.logout_headers));
    }
    if !cookie_attrs.is_empty() {
        o.push_str("  <!-- httpCookies: cookie flags. -->\n");
        o.push_str(&set_attributes_template(
            &["configuration", "system.web", "httpCookies"],
            &cookie_attrs,
        ));
    }
    o.push_str("</xsl:stylesheet>\n");
    o
}

fn bool_str(b: Option<bool>) -> &'static str {
    if b == Some(false) { "false" } else { "true" }
}

fn filtering_element(p: &Profile, indent: &str) -> String {
    element(
        "requestFiltering",
        &[(
            "removeServerHeader",
            bool_str(p.server.remove_server_header),
        )],
        "",
        indent,
    )
}

/// A template that copies an element and sets some attributes on it.
fn set_attributes_template(path: &[&str], attrs: &[(&str, &str)]) -> String {
    let mut s = format!(
        "  <xsl:template match=\"{}\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*\"/>\n",
        esc_pattern(&pattern(path, Reach::App, ""))
    );
    for (k, v) in attrs {
        s.push_str(&format!(
            "      <xsl:attribute name=\"{k}\">{}</xsl:attribute>\n",
            esc_text(v)
        ));
    }
    s.push_str(
        "      <xsl:apply-templates select=\"node()\"/>\n    </xsl:copy>\n  </xsl:template>\n\n",
    );
    s
}
