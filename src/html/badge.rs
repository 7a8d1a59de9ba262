//! The grade badge (`--badge FILE.svg`): a shields-style SVG for a README or a dashboard,
//! "security headers | A+", the grade's side coloured as in the HTML page. With several files or
//! URLs it shows the lowest grade; its `<title>` (the tooltip) names the file or URL that has it.
//!
//! It is standalone SVG (XML), written with the same maud templates as the pages, so every name
//! in it is escaped; it has no script, no link and no external reference.

use maud::html;

use super::parts::lowest;
use super::{Text, grade_class, grade_colour};
use crate::validate::grade::Grade;

const LABEL: &str = "security headers";
const HEIGHT: u32 = 20;
const PAD: u32 = 6;

/// The approximate width in pixels of `s` in 11px Verdana/DejaVu Sans (the text is then fitted
/// to it exactly with `textLength`, so the badge looks the same whatever the font).
fn text_width(s: &str) -> u32 {
    let tenths: u32 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 35,
            ' ' | 'f' | 't' | 'r' => 45,
            'm' | 'w' | 'M' | 'W' => 95,
            c if c.is_ascii_uppercase() || c == '+' || c == '-' => 75,
            _ => 68,
        })
        .sum();
    tenths.div_ceil(10)
}

/// The badge of the subjects (`what`: "file" or "URL"; each subject's name and grade).
pub fn svg(what: &str, subjects: &[(&str, Option<&Grade>)]) -> String {
    let worst = lowest(subjects.iter().map(|(_, g)| *g));
    let value = worst.map_or("none", |g| g.letter);
    let colour = grade_colour(grade_class(worst.map(|g| g.letter)));
    let title = match (subjects, worst) {
        ([(name, Some(g))], _) => format!("{name}: grade {} (score {})", g.letter, g.score),
        ([(name, None)], _) => format!("{name}: no grade"),
        (_, Some(g)) => {
            let name = subjects
                .iter()
                .find(|(_, x)| x.is_some_and(|x| x.letter == g.letter))
                .map_or("", |(n, _)| *n);
            format!(
                "{} {what}s, lowest grade {}: {name} (score {})",
                subjects.len(),
                g.letter,
                g.score
            )
        }
        (_, None) => format!("{} {what}s, none graded", subjects.len()),
    };
    let (lt, vt) = (text_width(LABEL), text_width(value));
    let (lw, vw) = (lt + 2 * PAD, vt + 2 * PAD);
    let w = lw + vw;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(w) height=(HEIGHT)
            viewBox=(format!("0 0 {w} {HEIGHT}")) role="img" aria-label=(Text(&format!("{LABEL}: {title}"))) {
            title { (Text(&title)) }
            rect width=(w) height=(HEIGHT) rx="3" fill=(colour) {}
            rect width=(lw) height=(HEIGHT) rx="3" fill="#555" {}
            rect x=(lw - 4) width="4" height=(HEIGHT) fill="#555" {}
            g fill="#fff" text-anchor="middle" font-family="Verdana,'DejaVu Sans',Geneva,sans-serif" font-size="11" {
                text x=(lw / 2) y="14" textLength=(lt) lengthAdjust="spacingAndGlyphs" { (LABEL) }
                text x=(lw + vw / 2) y="14" textLength=(vt) lengthAdjust="spacingAndGlyphs" font-weight="bold" { (value) }
            }
        }
    }
    .into_string()
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::grade::total;

    #[test]
    fn one_file_shows_its_grade_and_names_it() {
        let g = total(Vec::new());
        let s = svg("file", &[("a\"<b>&.config", Some(&g))]);
        assert!(
            s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{s}"
        );
        assert!(s.contains(">A+</text>"));
        assert!(s.contains("<title>a&quot;&lt;b&gt;&amp;.config: grade A+ (score 100)</title>"));
        assert!(s.contains("fill=\"#1a7f37\""));
    }

    #[test]
    fn several_show_the_lowest() {
        let a = total(Vec::new());
        let mut f = total(Vec::new());
        f.letter = "F";
        f.score = 0;
        let s = svg("URL", &[("x", Some(&a)), ("y", Some(&f)), ("z", None)]);
        assert!(s.contains(">F</text>"));
        assert!(s.contains("3 URLs, lowest grade F: y (score 0)"));
        let none = svg("file", &[("x", None)]);
        assert!(none.contains(">none</text>") && none.contains("#6e7781"));
    }
}
