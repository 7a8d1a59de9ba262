//! What the templates write beyond the header collection: URL Rewrite outbound rules that blank
//! the `strip` headers, the logout `<location>`s that get `Clear-Site-Data`, and the comments
//! that say where each header of the `remove` list went.

use super::*;

/// The name of the outbound rule that blanks header `name`.
pub fn strip_rule_name(name: &str) -> String {
    format!("webxsl strip {name}")
}

/// The URL Rewrite server variable of response header `name`: `RESPONSE_X_Powered_By`.
pub fn response_variable(name: &str) -> String {
    format!("RESPONSE_{}", name.replace('-', "_"))
}

/// An outbound rule that blanks response header `name` (in the namespace `$ns`).
pub(super) fn strip_rule(name: &str, indent: &str) -> String {
    let inner = format!(
        "{}{}",
        element(
            "match",
            &[
                ("serverVariable", &response_variable(name)),
                ("pattern", ".+")
            ],
            "",
            &format!("{indent}  ")
        ),
        element(
            "action",
            &[("type", "Rewrite"), ("value", "")],
            "",
            &format!("{indent}  ")
        )
    );
    element("rule", &[("name", &strip_rule_name(name))], &inner, indent)
}

/// The template comment on the `remove` list: where each name went.
pub(super) fn removals_comment(p: &Profile) -> String {
    use crate::profile::removals::Removal;
    let mut s = String::new();
    let of = |r: Removal| -> Vec<&str> {
        p.remove
            .iter()
            .filter(|n| p.removal(n) == r)
            .map(String::as_str)
            .collect()
    };
    for r in [
        Removal::ServerSwitch,
        Removal::VersionSwitch,
        Removal::CodeChange,
    ] {
        for n in of(r) {
            s.push_str(&format!("  - {n}: {}\n", r.describe()));
        }
    }
    let none = of(Removal::NoEffect);
    if !none.is_empty() {
        s.push_str(&format!(
            "  - not written: {} other listed headers are sent by other products (proxies,\n    CMSs, agents), which no IIS setting removes ({}{}); list one in strip if the\n    application sends it\n",
            none.len(),
            none.iter().take(6).copied().collect::<Vec<_>>().join(", "),
            if none.len() > 6 { ", ..." } else { "" }
        ));
    }
    s
}

/// The template comment on logout-only headers.
pub(super) fn logout_comment(p: &Profile, eff: &crate::profile::removals::Effective) -> String {
    let logout: Vec<&str> = p
        .headers
        .iter()
        .filter(|h| !eff.profile.headers.iter().any(|x| x.name == h.name))
        .map(|h| h.name.as_str())
        .collect();
    if logout.is_empty() {
        return String::new();
    }
    if eff.logout_headers.is_empty() {
        format!(
            "  - {} is for logout responses only (sent on every response it logs everyone out):\n    not written; set logout-paths to send it there\n",
            logout.join(", ")
        )
    } else {
        format!(
            "  - {} is sent only on the logout paths: {} (<location> sections)\n",
            logout.join(", "),
            eff.profile.logout_paths.join(", ")
        )
    }
}

/// The predicate of the logout `<location>`s.
fn logout_predicate(p: &Profile) -> String {
    let alts: Vec<String> = p
        .logout_paths
        .iter()
        .map(|l| format!("normalize-space(@path)={}", literal(l)))
        .collect();
    format!("[{}]", alts.join(" or "))
}

/// The `add` elements of the logout headers (in `$ns`).
fn logout_adds(headers: &[crate::profile::Header], indent: &str) -> String {
    headers
        .iter()
        .map(|h| {
            element(
                "add",
                &[("name", &h.name), ("value", &h.value.render())],
                "",
                indent,
            )
        })
        .collect()
}

/// In the `<configuration>` template: the logout `<location>`s that do not exist yet.
pub(super) fn new_logout_locations(p: &Profile, headers: &[crate::profile::Header]) -> String {
    let mut s = String::new();
    for path in &p.logout_paths {
        let coll = element(
            p.collection.element_name(),
            &[],
            &logout_adds(headers, "              "),
            "            ",
        );
        let hp = element("httpProtocol", &[], &coll, "          ");
        let ws = element("system.webServer", &[], &hp, "        ");
        s.push_str(&format!(
            "      <xsl:if test=\"{}\">\n{}      </xsl:if>\n",
            esc_attr(&format!(
                "not(*[local-name()='location'][normalize-space(@path)={}])",
                literal(path)
            )),
            element("location", &[("path", path)], &ws, "        ")
        ));
    }
    s
}

/// The templates that put the logout headers into existing logout `<location>`s.
pub(super) fn logout_templates(p: &Profile, headers: &[crate::profile::Header]) -> String {
    let coll = p.collection.element_name();
    let loc = format!("location{}", logout_predicate(p));
    let at = |names: &[&str]| -> String {
        let mut alts = Vec::new();
        for prefix in ["", "cfg:"] {
            let mut parts = vec![format!("{prefix}configuration"), format!("{prefix}{loc}")];
            parts.extend(names.iter().map(|n| format!("{prefix}{n}")));
            alts.push(format!("/{}", parts.join("/")));
        }
        alts.join(" | ")
    };
    let mut s = String::from(
        "  <!-- The logout locations: their responses alone get the logout headers. -->\n",
    );
    // Each level creates what is missing below it.
    let levels: [(&[&str], &str); 3] = [
        (&[], "system.webServer"),
        (&["system.webServer"], "httpProtocol"),
        (&["system.webServer", "httpProtocol"], coll),
    ];
    for (names, next) in levels {
        let depth = names.len();
        let mut inner = element(coll, &[], &logout_adds(headers, "  "), "");
        if depth < 2 {
            inner = element("httpProtocol", &[], &indent_lines(&inner, "  "), "");
        }
        if depth < 1 {
            inner = element("system.webServer", &[], &indent_lines(&inner, "  "), "");
        }
        s.push_str(&format!(
            "  <xsl:template match=\"{}\" priority=\"2\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*|node()\"/>\n      <xsl:variable name=\"ns\" select=\"namespace-uri()\"/>\n      <xsl:if test=\"not(*[local-name()='{next}'])\">\n{}      </xsl:if>\n    </xsl:copy>\n  </xsl:template>\n",
            esc_pattern(&at(names)),
            indent_lines(&inner, "        ")
        ));
    }
    // The collection: add what it lacks; the application's headers it cancels come back too.
    s.push_str(&format!(
        "  <xsl:template match=\"{}\" priority=\"2\">\n    <xsl:copy>\n      <xsl:apply-templates select=\"@*|node()\"/>\n      <xsl:variable name=\"ns\" select=\"namespace-uri()\"/>\n      <xsl:call-template name=\"webxsl-missing-entries\"/>\n",
        esc_pattern(&at(&["system.webServer", "httpProtocol", coll]))
    ));
    for h in headers {
        let n = name_is(&h.name);
        s.push_str(&format!(
            "      <xsl:if test=\"{}\">\n{}      </xsl:if>\n",
            esc_attr(&format!(
                "not(*[local-name()='add'][{n}][not(following-sibling::*[local-name()='clear' or (local-name()='remove' and {n})])])"
            )),
            logout_adds(std::slice::from_ref(h), "        ")
        ));
    }
    s.push_str("    </xsl:copy>\n  </xsl:template>\n\n");
    s
}

/// Every line of `s` indented by `indent`.
fn indent_lines(s: &str, indent: &str) -> String {
    s.lines().map(|l| format!("{indent}{l}\n")).collect()
}
