//! Reports people look at: one self-contained HTML page per run of `validate`, `diff`, `probe`
//! or `check`, and an SVG grade badge.
//!
//! The pages are built from the data the text, JSON and SARIF reports print — validate's
//! [`FileReport`](crate::validate::FileReport)s, probe's [`Probed`](crate::probe::Probed)
//! targets, the manifest's [`FileCheck`](crate::manifest::FileCheck)s, diff's
//! [`CollectionChange`](crate::diff::CollectionChange)s — nothing is checked or graded again:
//!
//! | module | page |
//! | --- | --- |
//! | [`validate`] | per file: the grade badge, score and the tests that moved it, the security headers (set / missing / value / finding), the findings by severity with `file:line:col`, the source line and the hint; a summary across files |
//! | [`probe`] | the same per URL, with the redirect chain and the http:// check |
//! | [`check`] | the same per file of the manifest, with whether it is up to date and the diff `sync` would write |
//! | [`diff`] | before and after side by side: grade before → after, the headers the site sends, the header changes per collection, the grade tests, the unified diff |
//! | [`badge`] | a shields-style SVG badge with the (lowest) grade |
//!
//! **Self-contained and inert.** A page has one inline `<style>` and nothing else: no script, no
//! font, no image but markup, no external URL. It carries its own Content-Security-Policy in a
//! `<meta>` ([`csp`]): `default-src 'none'`, and the stylesheet allowed by its SHA-256 hash rather
//! than `'unsafe-inline'`, so that even a page edited by hand cannot run or load anything. It can
//! be attached to a change request or published as a CI artifact as it is.
//!
//! **Everything from the input is escaped.** The markup is written with [maud]: its `html!`
//! templates are checked at compile time and escape every interpolated value (`&`, `<`, `>`,
//! `"`; attribute values are always double-quoted), so a header value like
//! `"><script>alert(1)</script>` is text wherever it lands, in an element or an attribute, in the
//! page or in the SVG. Input text goes through [`Text`], which also shows the characters a
//! document may not hold (control characters, noncharacters) as visible escapes, so that the page
//! stays valid HTML (and the badge valid XML) whatever a file or a server sent. maud was chosen
//! over a runtime template engine (askama, tera) because the templates are Rust expressions —
//! loops and matches over the report types directly, no second language, no template files to
//! ship — and because escaping is the default, not an option to remember.
//!
//! ```
//! use webxsl::validate::{ValidateOptions, validate};
//!
//! let config = br#"<configuration><system.webServer><httpProtocol><customHeaders>
//!   <add name="X-Frame-Options" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"/>
//! </customHeaders></httpProtocol></system.webServer></configuration>"#;
//! let report = validate("web.config", config, &ValidateOptions::default());
//! let page = webxsl::html::validate::page(&[report]);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
//! assert!(!page.contains("<script"));
//! ```

pub mod badge;
pub mod check;
pub mod diff;
pub mod probe;
pub mod validate;

mod parts;

use std::sync::LazyLock;

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, Render, html};
use sha2::{Digest as _, Sha256};

/// The page's stylesheet, inlined as it is; its hash is in the page's CSP.
pub const STYLE: &str = include_str!("style.css");

/// The page's Content-Security-Policy: nothing may load or run but the inline stylesheet, by
/// hash. (`frame-ancestors` and reporting are ignored in a `<meta>` policy, so they are left out.)
pub fn csp() -> &'static str {
    static CSP: LazyLock<String> = LazyLock::new(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'"
        )
    });
    &CSP
}

/// Text from the input (a path, a URL, a header value, a source line, a message): escaped by
/// maud's rules, and with each character a document may not hold as it is — C0 and C1 control
/// characters but tab and line feed, noncharacters — shown as a visible escape: a control
/// picture for C0 and DEL (`␍` for a carriage return, `␀` for NUL), `\u{85}` for the others.
#[derive(Clone, Copy, Debug)]
pub struct Text<'a>(pub &'a str);

impl Render for Text<'_> {
    fn render_to(&self, buffer: &mut String) {
        use std::fmt::Write as _;
        let mut out = maud::Escaper::new(buffer);
        let mut rest = self.0;
        while let Some(i) = rest.find(|c: char| !allowed(c)) {
            let _ = out.write_str(&rest[..i]);
            let c = rest[i..].chars().next().expect("a character at i");
            let _ = match c {
                '\0'..='\u{1f}' => out.write_char(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
                '\u{7f}' => out.write_char('\u{2421}'),
                _ => write!(out, "\\u{{{:x}}}", c as u32),
            };
            rest = &rest[i + c.len_utf8()..];
        }
        let _ = out.write_str(rest);
    }
}

/// Whether a character may stand as it is in an HTML document and in XML 1.0 text: not a
/// control character (tab and line feed are; a carriage return is shown, so that a CR in a
/// header value is seen), not a noncharacter.
fn allowed(c: char) -> bool {
    let n = c as u32;
    !(matches!(n, 0..=0x08 | 0x0b..=0x1f | 0x7f..=0x9f | 0xfdd0..=0xfdef) || n & 0xfffe == 0xfffe)
}

/// The letter's colour class (`g-a` ... `g-f`, `g-none` without a grade), as the scanners
/// colour them: A green, B yellow-green, C amber, D orange, F red.
pub(crate) fn grade_class(letter: Option<&str>) -> &'static str {
    match letter.and_then(|l| l.chars().next()) {
        Some('A') => "g-a",
        Some('B') => "g-b",
        Some('C') => "g-c",
        Some('D') => "g-d",
        Some('F') => "g-f",
        _ => "g-none",
    }
}

/// The colour of a grade class, for the SVG badge (the stylesheet's `.g-*` rules hold the same;
/// a test checks that they agree).
pub(crate) fn grade_colour(class: &str) -> &'static str {
    match class {
        "g-a" => "#1a7f37",
        "g-b" => "#4b7f10",
        "g-c" => "#a85b00",
        "g-d" => "#c2410c",
        "g-f" => "#b42318",
        _ => "#6e7781",
    }
}

/// The whole page: head (charset, CSP, viewport, title, style), the heading, the body, a footer.
pub(crate) fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(csp());
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="generator" content=(concat!("webxsl ", env!("CARGO_PKG_VERSION")));
                title { (Text(title)) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (body)
                footer {
                    "Made by webxsl " (env!("CARGO_PKG_VERSION"))
                    ". Grades follow the MDN HTTP Observatory's scoring."
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        html! { (Text(s)) }.into_string()
    }

    #[test]
    fn text_escapes_markup_and_shows_control_characters() {
        assert_eq!(
            text("\"><script>alert('1')</script>&"),
            "&quot;&gt;&lt;script&gt;alert('1')&lt;/script&gt;&amp;"
        );
        assert_eq!(text("a\r\nb\tc\0"), "a\u{240d}\nb\tc\u{2400}");
        assert_eq!(
            text("\u{7f}\u{85}\u{fffe}é日本"),
            "\u{2421}\\u{85}\\u{fffe}é日本"
        );
    }

    #[test]
    fn the_csp_hashes_the_stylesheet() {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        assert!(csp().contains(&format!("style-src 'sha256-{hash}'")));
        assert!(csp().starts_with("default-src 'none';"));
        assert!(!STYLE.contains("</") && !STYLE.contains("url("));
    }

    #[test]
    fn grade_colours_agree_with_the_stylesheet() {
        for class in ["g-a", "g-b", "g-c", "g-d", "g-f", "g-none"] {
            let rule = format!(".{class}{{background:{}}}", grade_colour(class));
            assert!(STYLE.contains(&rule), "{rule}");
        }
        assert_eq!(grade_class(Some("A+")), "g-a");
        assert_eq!(grade_class(Some("F")), "g-f");
        assert_eq!(grade_class(None), "g-none");
    }

    #[test]
    fn a_page_is_one_document_with_its_policy_first() {
        let p = page("t <x>", html! { p { "body" } });
        assert!(p.starts_with("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"));
        assert!(p.find("Content-Security-Policy").unwrap() < p.find("<style>").unwrap());
        assert!(p.contains("<title>t &lt;x&gt;</title>"));
    }
}
