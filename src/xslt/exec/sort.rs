//! `xsl:sort`: sort keys evaluated once per node, compared as text (by code point, case
//! grouped with `case-order`, accents folded first with `lang`) or as numbers (NaN first).

use super::Exec;
use crate::xpath::eval::{Context, to_num, to_string};
use crate::xpath::value::NodeRef;
use crate::xslt::ast::Sort;
use crate::xslt::error::XsltError;

impl Exec<'_> {
    /// Sorts `nodes` by `sorts` (stable: equal keys keep document order).
    pub(super) fn sort(
        &mut self,
        nodes: Vec<NodeRef>,
        sorts: &[Sort],
    ) -> Result<Vec<NodeRef>, XsltError> {
        if sorts.is_empty() || nodes.len() < 2 {
            return Ok(nodes);
        }
        enum Key {
            Text(String),
            Num(f64),
        }
        struct Spec {
            number: bool,
            descending: bool,
            upper_first: Option<bool>,
            /// `lang` given: compare letters without their accents first.
            collate: bool,
        }
        let mut specs = Vec::new();
        for s in sorts {
            let dt = self.opt_avt(&s.data_type)?;
            let order = self.opt_avt(&s.order)?;
            let case = self.opt_avt(&s.case_order)?;
            let lang = self.opt_avt(&s.lang)?;
            specs.push(Spec {
                number: dt.as_deref() == Some("number"),
                descending: order.as_deref() == Some("descending"),
                upper_first: case.as_deref().map(|c| c == "upper-first"),
                collate: lang.is_some(),
            });
        }
        let saved = (self.ctx, self.current);
        let size = nodes.len();
        let mut keys: Vec<Vec<Key>> = Vec::with_capacity(size);
        for (i, &n) in nodes.iter().enumerate() {
            let ctx = Context {
                node: n,
                position: i + 1,
                size,
            };
            self.current = n;
            let mut row = Vec::with_capacity(sorts.len());
            for (s, spec) in sorts.iter().zip(&specs) {
                let v = match self.eval_at(&s.select, ctx) {
                    Ok(v) => v,
                    Err(e) => {
                        (self.ctx, self.current) = saved;
                        return Err(e);
                    }
                };
                row.push(if spec.number {
                    Key::Num(to_num(&v, self))
                } else {
                    Key::Text(to_string(&v, self).to_string())
                });
            }
            keys.push(row);
        }
        (self.ctx, self.current) = saved;
        let mut idx: Vec<usize> = (0..size).collect();
        idx.sort_by(|&a, &b| {
            for (k, spec) in specs.iter().enumerate() {
                let o = match (&keys[a][k], &keys[b][k]) {
                    (Key::Num(x), Key::Num(y)) => match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Less,
                        (false, true) => std::cmp::Ordering::Greater,
                        _ => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
                    },
                    (Key::Text(x), Key::Text(y)) if spec.collate => fold_accents(x)
                        .cmp(&fold_accents(y))
                        .then_with(|| compare_text(x, y, spec.upper_first)),
                    (Key::Text(x), Key::Text(y)) => compare_text(x, y, spec.upper_first),
                    _ => std::cmp::Ordering::Equal,
                };
                let o = if spec.descending { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        Ok(idx.into_iter().map(|i| nodes[i]).collect())
    }
}

/// A primary collation key for Latin text: accents removed (ä → a, ß → ss), so that with
/// `xsl:sort lang="..."` "Märtens" sorts with "Martens", as a locale collation does.
fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let base = match c {
            'À'..='Å' => "A",
            'Ç' => "C",
            'È'..='Ë' => "E",
            'Ì'..='Ï' => "I",
            'Ñ' => "N",
            'Ò'..='Ö' | 'Ø' => "O",
            'Ù'..='Ü' => "U",
            'Ý' => "Y",
            'à'..='å' => "a",
            'ç' => "c",
            'è'..='ë' => "e",
            'ì'..='ï' => "i",
            'ñ' => "n",
            'ò'..='ö' | 'ø' => "o",
            'ù'..='ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(base);
    }
    out
}

/// Text sort order: by code point, optionally grouping case variants (upper or lower first).
fn compare_text(a: &str, b: &str, upper_first: Option<bool>) -> std::cmp::Ordering {
    match upper_first {
        None => a.cmp(b),
        Some(upper) => {
            let la = a.to_lowercase();
            let lb = b.to_lowercase();
            la.cmp(&lb).then_with(|| {
                let o = a.cmp(b);
                // Uppercase code points sort before lowercase ones.
                if upper { o } else { o.reverse() }
            })
        }
    }
}
