//! The `html` output method: libxml2's HTML serializer (`htmlNodeDumpFormatOutput`) - its
//! element table (empty, inline, end tags kept), boolean and URI attributes, and layout.

use super::{Scope, Writer};
use crate::xml::{NodeId, NodeKind};

impl<'a> Writer<'a> {
    /// HTML output, laid out as libxml2's `htmlNodeDumpFormatOutput` does: formatting
    /// newlines around block-level (non-inline) known elements, no end tag for empty elements,
    /// a `<meta charset>` as the first child of `<head>`, one newline at the end.
    pub(super) fn html_document(&mut self, encoding: &str) {
        let t = self.tree;
        let root_name = t
            .root_element()
            .map_or("html".into(), |r| t.qualified_name(r).into_owned());
        let html5 = self
            .spec
            .version
            .as_deref()
            .is_some_and(|v| v.starts_with('5'));
        if self.spec.doctype_public.is_some() || self.spec.doctype_system.is_some() {
            self.out.push_str(&format!("<!DOCTYPE {root_name}"));
            if let Some(p) = &self.spec.doctype_public {
                self.out.push_str(&format!(" PUBLIC \"{p}\""));
                if let Some(s) = &self.spec.doctype_system {
                    self.out.push_str(&format!(" \"{s}\""));
                }
            } else if let Some(s) = &self.spec.doctype_system {
                self.out.push_str(&format!(" SYSTEM \"{s}\""));
            }
            self.out.push_str(">\n");
        } else if html5 {
            self.out.push_str(&format!("<!DOCTYPE {root_name}>\n"));
        }
        let format = self.spec.indent != Some(false);
        let mut scope = Scope {
            bindings: Vec::new(),
        };
        for c in t.children(NodeId::ROOT) {
            self.html_node(c, format, &mut scope, encoding);
        }
        self.out.push('\n');
    }

    fn html_node(&mut self, n: NodeId, format: bool, scope: &mut Scope<'a>, encoding: &str) {
        let t = self.tree;
        match t.kind(n) {
            NodeKind::Element => self.html_element(n, format, scope, encoding),
            NodeKind::Text => {
                let raw = t.is_raw_text(n)
                    || t.parent(n).is_some_and(|p| {
                        t.kind(p) == NodeKind::Element
                            && matches!(
                                t.local_name(p).to_ascii_lowercase().as_str(),
                                "script" | "style"
                            )
                    });
                if raw {
                    self.out.push_str(t.value(n));
                } else {
                    for c in t.value(n).chars() {
                        match c {
                            '&' => self.out.push_str("&amp;"),
                            '<' => self.out.push_str("&lt;"),
                            '>' => self.out.push_str("&gt;"),
                            c => self.char_ref_if_needed(c),
                        }
                    }
                }
            }
            NodeKind::Comment => self.comment(n),
            NodeKind::ProcessingInstruction => self.processing_instruction(n, ">"),
            NodeKind::Root | NodeKind::Attribute => {}
        }
    }

    pub(super) fn html_attr_value(&mut self, el: NodeId, a: NodeId, v: &str) {
        let t = self.tree;
        let name = t.local_name(a).to_ascii_lowercase();
        if t.namespace_uri(a).is_empty() && HTML_BOOLEAN_ATTRS.contains(&name.as_str()) {
            return;
        }
        self.out.push_str("=\"");
        let el_name = t.local_name(el).to_ascii_lowercase();
        let is_uri = t.namespace_uri(a).is_empty()
            && t.prefix(el).is_empty()
            && (matches!(name.as_str(), "href" | "action" | "src")
                || (name == "name" && el_name == "a"));
        if is_uri {
            let v = v.trim_start_matches([' ', '\t', '\n', '\r']);
            for b in v.bytes() {
                let c = b as char;
                let keep = b.is_ascii_alphanumeric() || "-_.!~*'()@/:=?;#%&,+<>".contains(c);
                if keep {
                    // Kept characters are then escaped as in any attribute, as libxml2 does.
                    match c {
                        '&' => self.out.push_str("&amp;"),
                        '"' => self.out.push_str("&quot;"),
                        '<' => self.out.push_str("&lt;"),
                        '>' => self.out.push_str("&gt;"),
                        c => self.out.push(c),
                    }
                } else {
                    self.out.push_str(&format!("%{b:02X}"));
                }
            }
        } else {
            let mut chars = v.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    // libxml2 leaves "&{" alone in HTML attributes (script macros).
                    '&' if chars.peek() == Some(&'{') => self.out.push('&'),
                    '&' => self.out.push_str("&amp;"),
                    '"' => self.out.push_str("&quot;"),
                    '<' => self.out.push_str("&lt;"),
                    '>' => self.out.push_str("&gt;"),
                    c => self.char_ref_if_needed(c),
                }
            }
        }
        self.out.push('"');
    }

    /// The HTML element table entry of an element: looked up for unprefixed names only.
    fn html_info_of(&self, n: NodeId) -> Option<&'static HtmlInfo> {
        let t = self.tree;
        if !t.prefix(n).is_empty() {
            return None;
        }
        html_info(&t.local_name(n).to_ascii_lowercase())
    }

    fn html_element(&mut self, n: NodeId, format: bool, scope: &mut Scope<'a>, encoding: &str) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.html_element_inner(n, format, scope, encoding)
        })
    }

    fn html_element_inner(
        &mut self,
        n: NodeId,
        format: bool,
        scope: &mut Scope<'a>,
        encoding: &str,
    ) {
        let t = self.tree;
        let mark = scope.bindings.len();
        let info = self.html_info_of(n);
        let name = t.qualified_name(n);
        // <meta charset> goes into the <head> of a top-level <html> that lacks one.
        let add_meta = t.local_name(n).eq_ignore_ascii_case("head")
            && t.prefix(n).is_empty()
            && t.parent(n).is_some_and(|p| {
                t.kind(p) == NodeKind::Element
                    && t.local_name(p).eq_ignore_ascii_case("html")
                    && t.parent(p) == Some(NodeId::ROOT)
            })
            && !t.element_children(n).any(|c| {
                t.local_name(c).eq_ignore_ascii_case("meta")
                    && t.attributes(c).any(|a| {
                        let an = t.local_name(a);
                        an.eq_ignore_ascii_case("charset")
                            || (an.eq_ignore_ascii_case("http-equiv")
                                && t.value(a).eq_ignore_ascii_case("content-type"))
                    })
            });
        self.start_tag(n, scope, true);
        let first = t.first_child(n);
        let is_text = |c: Option<NodeId>| c.is_some_and(|c| t.kind(c) == NodeKind::Text);
        let name_starts_p = t.local_name(n).starts_with('p');
        if info.is_some_and(|i| i.empty) {
            self.out.push('>');
        } else if first.is_none() {
            let lname = t.local_name(n).to_ascii_lowercase();
            if info.is_some_and(|i| i.save_end_tag) && lname != "html" && lname != "body" {
                self.out.push('>');
            } else if add_meta {
                self.out
                    .push_str(&format!("><meta charset=\"{encoding}\"></{name}>"));
            } else {
                self.out.push_str(&format!("></{name}>"));
            }
        } else {
            let last = t.last_child(n);
            let block = info.is_some_and(|i| !i.inline) && !name_starts_p;
            self.out.push('>');
            if format && (add_meta || (block && !is_text(first) && first != last)) {
                self.out.push('\n');
            }
            if add_meta {
                self.out.push_str(&format!("<meta charset=\"{encoding}\">"));
                if format && !is_text(first) {
                    self.out.push('\n');
                }
            }
            for c in t.children(n) {
                self.html_node(c, format, scope, encoding);
                // A newline after a block-level child followed by a non-text sibling.
                if format && t.kind(c) == NodeKind::Element {
                    let ci = self.html_info_of(c);
                    let next = t.next_sibling(c);
                    if ci.is_some_and(|i| !i.inline)
                        && next.is_some()
                        && !is_text(next)
                        && !name_starts_p
                    {
                        self.out.push('\n');
                    }
                }
            }
            if format && block && !is_text(last) && (first != last || add_meta) {
                self.out.push('\n');
            }
            self.out.push_str(&format!("</{name}>"));
        }
        scope.bindings.truncate(mark);
    }
}

struct HtmlInfo {
    name: &'static str,
    empty: bool,
    save_end_tag: bool,
    inline: bool,
}

const fn e(name: &'static str, empty: bool, save_end_tag: bool, inline: bool) -> HtmlInfo {
    HtmlInfo {
        name,
        empty,
        save_end_tag,
        inline,
    }
}

/// The HTML 4 elements with the flags libxml2's serializer uses.
static HTML_ELEMENTS: &[HtmlInfo] = &[
    e("a", false, false, true),
    e("abbr", false, false, true),
    e("acronym", false, false, true),
    e("address", false, false, false),
    e("applet", false, false, true),
    e("area", true, true, false),
    e("b", false, false, true),
    e("base", true, true, false),
    e("basefont", true, true, true),
    e("bdo", false, false, true),
    e("big", false, false, true),
    e("blockquote", false, false, false),
    e("body", false, false, false),
    e("br", true, true, true),
    e("button", false, false, true),
    e("caption", false, false, false),
    e("center", false, false, false),
    e("cite", false, false, true),
    e("code", false, false, true),
    e("col", true, true, false),
    e("colgroup", false, false, false),
    e("dd", false, false, false),
    e("del", false, false, true),
    e("dfn", false, false, true),
    e("dir", false, false, false),
    e("div", false, false, false),
    e("dl", false, false, false),
    e("dt", false, false, false),
    e("em", false, false, true),
    e("embed", true, true, true),
    e("fieldset", false, false, false),
    e("font", false, false, true),
    e("form", false, false, false),
    e("frame", true, true, false),
    e("frameset", false, false, false),
    e("h1", false, false, false),
    e("h2", false, false, false),
    e("h3", false, false, false),
    e("h4", false, false, false),
    e("h5", false, false, false),
    e("h6", false, false, false),
    e("head", false, false, false),
    e("hr", true, true, false),
    e("html", false, false, false),
    e("i", false, false, true),
    e("iframe", false, false, true),
    e("img", true, true, true),
    e("input", true, true, true),
    e("ins", false, false, true),
    e("isindex", true, true, false),
    e("kbd", false, false, true),
    e("label", false, false, true),
    e("legend", false, false, false),
    e("li", false, true, false),
    e("link", true, true, false),
    e("map", false, false, true),
    e("menu", false, false, false),
    e("meta", true, true, false),
    e("noframes", false, false, false),
    e("noscript", false, false, false),
    e("object", false, false, true),
    e("ol", false, false, false),
    e("optgroup", false, false, false),
    e("option", false, false, false),
    e("p", false, false, false),
    e("param", true, true, false),
    e("pre", false, false, false),
    e("q", false, false, true),
    e("s", false, false, true),
    e("samp", false, false, true),
    e("script", false, false, true),
    e("select", false, false, true),
    e("small", false, false, true),
    e("span", false, false, true),
    e("strike", false, false, true),
    e("strong", false, false, true),
    e("style", false, false, false),
    e("sub", false, false, true),
    e("sup", false, false, true),
    e("table", false, false, false),
    e("tbody", false, false, false),
    e("td", false, false, false),
    e("textarea", false, false, true),
    e("tfoot", false, false, false),
    e("th", false, false, false),
    e("thead", false, false, false),
    e("title", false, false, false),
    e("tr", false, false, false),
    e("tt", false, false, true),
    e("u", false, false, true),
    e("ul", false, false, false),
    e("var", false, false, true),
];

fn html_info(name: &str) -> Option<&'static HtmlInfo> {
    HTML_ELEMENTS.iter().find(|i| i.name == name)
}

const HTML_BOOLEAN_ATTRS: &[&str] = &[
    "checked", "compact", "declare", "defer", "disabled", "ismap", "multiple", "nohref",
    "noresize", "noshade", "nowrap", "readonly", "selected",
];
