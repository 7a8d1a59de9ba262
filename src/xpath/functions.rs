//! The XPath 1.0 core function library (§4).

use std::rc::Rc;

use crate::xml::{NodeKind, XML_NS};
use crate::xpath::ast::{CoreFn, Expr, Span};
use crate::xpath::error::XPathError;
use crate::xpath::eval::{Context, Env, evaluate, node_set, to_bool, to_num, to_string};
use crate::xpath::value::*;

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// `normalize-space()` on a string.
pub fn normalize_space(s: &str) -> String {
    s.split(is_xml_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `substring(s, start, len?)` with the spec's rounding rules.
pub fn substring(s: &str, start: f64, len: Option<f64>) -> String {
    let start = round(start);
    let end = match len {
        Some(l) => start + round(l),
        None => f64::INFINITY,
    };
    s.chars()
        .enumerate()
        .filter(|(i, _)| {
            let p = (*i + 1) as f64;
            p >= start && p < end
        })
        .map(|(_, c)| c)
        .collect()
}

/// `translate(s, from, to)`.
pub fn translate(s: &str, from: &str, to: &str) -> String {
    if from.is_ascii() && to.is_ascii() {
        // The common case (case folding of header names in generated templates): one lookup
        // table, no allocation but the result. The first occurrence in `from` wins.
        const KEEP: u8 = 0xFF;
        const DROP: u8 = 0xFE;
        let mut map = [KEEP; 128];
        for (i, f) in from.bytes().enumerate() {
            if map[f as usize] == KEEP {
                map[f as usize] = to.as_bytes().get(i).copied().unwrap_or(DROP);
            }
        }
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match map.get(c as usize).copied() {
                Some(DROP) => {}
                Some(KEEP) | None => out.push(c),
                Some(b) => out.push(b as char),
            }
        }
        return out;
    }
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    s.chars()
        .filter_map(|c| match from.iter().position(|&f| f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

/// The first node of an optional node-set argument, or the context node.
fn node_arg(
    vals: &[Value],
    ctx: &Context,
    span: &Span,
    f: CoreFn,
) -> Result<Option<NodeRef>, XPathError> {
    match vals.first() {
        None => Ok(Some(ctx.node)),
        Some(Value::Nodes(n)) => Ok(n.first().copied()),
        Some(Value::Rtf(r)) => Ok(Some(*r)),
        Some(other) => Err(XPathError::type_error(
            format!(
                "{}() needs a node-set, not a {}",
                f.name(),
                other.type_name()
            ),
            span.clone(),
        )),
    }
}

/// Calls a core function.
pub(crate) fn call_core(
    f: CoreFn,
    args: &[Expr],
    ctx: &Context,
    env: &mut dyn Env,
    span: &Span,
) -> Result<Value, XPathError> {
    let mut vals = Vec::with_capacity(args.len());
    for a in args {
        vals.push(evaluate(a, ctx, env)?);
    }
    let str_arg = |i: usize, env: &dyn Env| -> std::sync::Arc<str> {
        match vals.get(i) {
            Some(v) => to_string(v, env),
            None => string_value(env.tree(ctx.node.doc), ctx.node).into(),
        }
    };
    let num_arg = |i: usize, env: &dyn Env| to_num(&vals[i], env);
    Ok(match f {
        CoreFn::Last => Value::Num(ctx.size as f64),
        CoreFn::Position => Value::Num(ctx.position as f64),
        CoreFn::Count => {
            let n = match &vals[0] {
                Value::Rtf(_) => 1,
                v => node_set(v.clone(), &args[0].span, "count()")?.len(),
            };
            Value::Num(n as f64)
        }
        CoreFn::Sum => {
            let nodes = match &vals[0] {
                Value::Rtf(r) => Rc::new(vec![*r]),
                v => node_set(v.clone(), &args[0].span, "sum()")?,
            };
            // Not Iterator::sum: for f64 it starts at -0.0, and sum(/nothing) must be +0.
            Value::Num(
                nodes
                    .iter()
                    .map(|&n| str_to_num(&string_value(env.tree(n.doc), n)))
                    .fold(0.0, |a, b| a + b),
            )
        }
        CoreFn::Id => {
            let ids: Vec<String> = match &vals[0] {
                Value::Nodes(ns) => ns
                    .iter()
                    .flat_map(|&n| {
                        string_value(env.tree(n.doc), n)
                            .split(is_xml_space)
                            .filter(|w| !w.is_empty())
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .collect(),
                v => to_string(v, env)
                    .split(is_xml_space)
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            };
            let doc = ctx.node.doc;
            let tree = env.tree(doc);
            let mut out: Vec<NodeRef> = ids
                .iter()
                .filter_map(|id| tree.element_by_id(id))
                .map(|n| NodeRef::new(doc, n))
                .collect();
            sort_dedup(&mut out);
            Value::Nodes(Rc::new(out))
        }
        CoreFn::LocalName | CoreFn::NamespaceUri | CoreFn::Name => {
            let Some(n) = node_arg(&vals, ctx, span, f)? else {
                return Ok(Value::str(""));
            };
            let tree = env.tree(n.doc);
            let s: String = if n.ns != 0 {
                match f {
                    CoreFn::NamespaceUri => String::new(),
                    _ => namespace_node(tree, n).0.to_owned(),
                }
            } else {
                match (f, tree.kind(n.node)) {
                    (_, NodeKind::Root | NodeKind::Text | NodeKind::Comment) => String::new(),
                    (CoreFn::NamespaceUri, _) => tree.namespace_uri(n.node).to_owned(),
                    (CoreFn::LocalName, _) => tree.local_name(n.node).to_owned(),
                    _ => tree.qualified_name(n.node).into_owned(),
                }
            };
            Value::str(s)
        }
        CoreFn::String => Value::Str(str_arg(0, env)),
        CoreFn::Concat => {
            let mut s = String::new();
            for v in &vals {
                s.push_str(&to_string(v, env));
            }
            // Building strings is work too: doubling a string in a loop is bounded this way.
            env.charge(s.len() as u64, span)?;
            Value::str(s)
        }
        CoreFn::StartsWith => Value::Bool(str_arg(0, env).starts_with(&*str_arg(1, env))),
        CoreFn::Contains => Value::Bool(str_arg(0, env).contains(&*str_arg(1, env))),
        CoreFn::SubstringBefore => {
            let (s, t) = (str_arg(0, env), str_arg(1, env));
            Value::str(s.find(&*t).map_or("", |i| &s[..i]))
        }
        CoreFn::SubstringAfter => {
            let (s, t) = (str_arg(0, env), str_arg(1, env));
            Value::str(s.find(&*t).map_or("", |i| &s[i + t.len()..]))
        }
        CoreFn::Substring => {
            let s = str_arg(0, env);
            let len = (vals.len() > 2).then(|| num_arg(2, env));
            Value::str(substring(&s, num_arg(1, env), len))
        }
        CoreFn::StringLength => Value::Num(str_arg(0, env).chars().count() as f64),
        CoreFn::NormalizeSpace => Value::str(normalize_space(&str_arg(0, env))),
        CoreFn::Translate => Value::str(translate(
            &str_arg(0, env),
            &str_arg(1, env),
            &str_arg(2, env),
        )),
        CoreFn::Boolean => Value::Bool(to_bool(&vals[0])),
        CoreFn::Not => Value::Bool(!to_bool(&vals[0])),
        CoreFn::True => Value::Bool(true),
        CoreFn::False => Value::Bool(false),
        CoreFn::Lang => {
            let want = str_arg(0, env).to_lowercase();
            let tree = env.tree(ctx.node.doc);
            let owned_by_element =
                ctx.node.ns != 0 || tree.kind(ctx.node.node) == NodeKind::Attribute;
            let mut cur = if owned_by_element {
                crate::xpath::axes::parent(tree, ctx.node)
            } else {
                Some(ctx.node.node)
            };
            let mut found = None;
            while let Some(n) = cur {
                if tree.kind(n) == NodeKind::Element
                    && let Some(l) = tree.attribute_value(n, XML_NS, "lang")
                {
                    found = Some(l.to_lowercase());
                    break;
                }
                cur = tree.parent(n);
            }
            Value::Bool(found.is_some_and(|l| {
                l == want || (l.starts_with(&want) && l[want.len()..].starts_with('-'))
            }))
        }
        CoreFn::Number => Value::Num(match vals.first() {
            Some(v) => to_num(v, env),
            None => str_to_num(&string_value(env.tree(ctx.node.doc), ctx.node)),
        }),
        CoreFn::Floor => Value::Num(num_arg(0, env).floor()),
        CoreFn::Ceiling => Value::Num(num_arg(0, env).ceil()),
        CoreFn::Round => Value::Num(round(num_arg(0, env))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_edge_cases_from_the_spec() {
        assert_eq!(substring("12345", 2.0, Some(3.0)), "234");
        assert_eq!(substring("12345", 2.0, None), "2345");
        assert_eq!(substring("12345", 1.5, Some(2.6)), "234");
        assert_eq!(substring("12345", 0.0, Some(3.0)), "12");
        assert_eq!(substring("12345", f64::NAN, Some(3.0)), "");
        assert_eq!(substring("12345", 1.0, Some(f64::NAN)), "");
        assert_eq!(substring("12345", -42.0, Some(f64::INFINITY)), "12345");
        assert_eq!(
            substring("12345", f64::NEG_INFINITY, Some(f64::INFINITY)),
            ""
        );
        assert_eq!(substring("ä€𝄞x", 2.0, Some(2.0)), "€𝄞");
    }

    #[test]
    fn translate_and_normalize() {
        assert_eq!(translate("bar", "abc", "ABC"), "BAr");
        assert_eq!(translate("--aaa--", "abc-", "ABC"), "AAA");
        assert_eq!(translate("aba", "aa", "xy"), "xbx");
        // The ASCII table and the general path agree on non-ASCII input and mappings.
        assert_eq!(translate("Été-X", "ABCX-", "abcx"), "Étéx");
        assert_eq!(translate("Été", "É", "e"), "eté");
        assert_eq!(translate("a\u{7f}b", "\u{7f}b", "_"), "a_");
        assert_eq!(normalize_space("  a \t\r\n b  "), "a b");
        assert_eq!(normalize_space("\u{a0}x"), "\u{a0}x");
    }
}
