//! EXSLT dynamic (<http://exslt.org/dynamic>): `dyn:evaluate()` and `dyn:map()`, the two
//! functions libexslt implements (`dyn:min`, `dyn:max`, `dyn:sum` and `dyn:closure` it does
//! not, and neither does webxsl: `function-available()` says so).
//!
//! The expression is parsed when the function runs, with the namespaces in scope where the call
//! is written (the compiler passes them as a hidden last argument: [`HostFn::with_namespaces`])
//! and every function a stylesheet can call; it is evaluated with the caller's context node,
//! position and size, and sees the variables in scope at the calling instruction. As in
//! libexslt, an expression that does not parse, names an unknown function or prefix, or is
//! empty gives an empty node-set (webxsl warns, with the parser's message); other errors in the
//! expression (an undefined variable, a wrong type) stop the transformation.
//!
//! `dyn:map(nodes, expr)` evaluates `expr` once per node (position and size those of the node in
//! `nodes`, in document order) and returns the union of the node-sets it gives; a string, number
//! or boolean becomes an `exsl:string`, `exsl:number` or `exsl:boolean` element (namespace
//! EXSLT common) holding its string value (a false boolean: an empty text node, as libexslt makes it), in one
//! new document.

use std::rc::Rc;

use super::{EXSLT_COMMON, Host, HostFn, decode_namespaces, resolve_host_arguments, signatures};
use crate::xml::{NodeId, Tree};
use crate::xpath::ast::Expr;
use crate::xpath::eval::to_string;
use crate::xpath::value::{NodeRef, Value, num_to_str, sort_dedup};
use crate::xpath::{Context, StaticContext, XPathError, parse};
use crate::xslt::error::XsltError;

/// EXSLT dynamic.
pub const EXSLT_DYNAMIC: &str = "http://exslt.org/dynamic";

/// The functions of EXSLT dynamic.
pub(super) const FUNCTIONS: &[HostFn] = &[
    HostFn::new(EXSLT_DYNAMIC, "evaluate", 1, Some(1), evaluate).with_namespaces(),
    HostFn::new(EXSLT_DYNAMIC, "map", 2, Some(2), map).with_namespaces(),
];

/// Parses `text` with the namespaces `namespaces` (as [`super::encode_namespaces`] wrote them).
fn parse_dynamic(text: &str, namespaces: &str) -> Result<Expr, XPathError> {
    let ns = decode_namespaces(namespaces);
    let resolve = |p: &str| {
        ns.iter()
            .find(|(q, _)| *q == p)
            .map(|(_, u)| (*u).to_owned())
    };
    let ctx = StaticContext {
        namespaces: &resolve,
        functions: signatures(),
    };
    let mut e = parse(text, &ctx)?;
    resolve_host_arguments(&mut e, &resolve, &|| namespaces.to_owned())?;
    Ok(e)
}

/// Errors of the expression itself that give an empty node-set rather than stop the
/// transformation: it does not parse, or names a function or prefix nobody defines.
fn gives_empty(e: &XPathError) -> bool {
    matches!(e.code, "XPST0003" | "XPST0017" | "XPST0081")
}

/// What the expression `text` (an argument of `function`) evaluates to in `ctx`: `Ok(None)` if
/// it gives an empty node-set by the rules above (with a warning).
fn run(
    h: &mut dyn Host,
    function: &str,
    expr: &Expr,
    text: &str,
    ctx: &Context,
) -> Result<Option<Value>, XsltError> {
    match h.evaluate(expr, ctx)? {
        Ok(v) => Ok(Some(v)),
        Err(e) if gives_empty(&e) => {
            h.warn(
                e.code,
                format!(
                    "{function}({text:?}): {}; the value is an empty node-set",
                    e.message
                ),
            );
            Ok(None)
        }
        Err(e) => Err(h.error(e.code, format!("{function}({text:?}): {}", e.message))),
    }
}

/// Parses an argument of `function`: `Ok(None)` for an empty or broken expression (warned).
fn parse_arg(h: &mut dyn Host, function: &str, text: &str, namespaces: &str) -> Option<Expr> {
    if text.trim().is_empty() {
        return None;
    }
    match parse_dynamic(text, namespaces) {
        Ok(e) => Some(e),
        Err(e) => {
            h.warn(
                e.code,
                format!(
                    "{function}({text:?}): {}; the value is an empty node-set",
                    e.message
                ),
            );
            None
        }
    }
}

/// `dyn:evaluate(string)`.
fn evaluate(h: &mut dyn Host, args: Vec<Value>, ctx: &Context) -> Result<Value, XsltError> {
    let text = to_string(&args[0], h.env());
    let namespaces = to_string(&args[1], h.env());
    let Some(expr) = parse_arg(h, "dyn:evaluate", &text, &namespaces) else {
        return Ok(Value::empty());
    };
    Ok(run(h, "dyn:evaluate", &expr, &text, ctx)?.unwrap_or_else(Value::empty))
}

/// `dyn:map(node-set, string)`.
fn map(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let mut nodes = match &args[0] {
        Value::Nodes(n) => n.as_ref().clone(),
        Value::Rtf(r) => vec![*r],
        v => {
            return Err(h.error(
                "XPTY0004",
                format!(
                    "dyn:map(): the first argument must be a node-set, not a {}",
                    v.type_name()
                ),
            ));
        }
    };
    let text = to_string(&args[1], h.env());
    let namespaces = to_string(&args[2], h.env());
    let Some(expr) = parse_arg(h, "dyn:map", &text, &namespaces) else {
        return Ok(Value::empty());
    };
    sort_dedup(&mut nodes);
    let size = nodes.len();
    let mut out: Vec<NodeRef> = Vec::new();
    // Strings, numbers and booleans become elements of one new document.
    let mut made = Tree::new();
    let mut made_any = false;
    for (i, &node) in nodes.iter().enumerate() {
        let ctx = Context {
            node,
            position: i + 1,
            size,
        };
        let (local, text) = match run(h, "dyn:map", &expr, &text, &ctx)? {
            None => continue,
            Some(Value::Nodes(n)) => {
                out.extend(n.iter().copied());
                continue;
            }
            Some(Value::Rtf(r)) => {
                out.push(r);
                continue;
            }
            Some(Value::Bool(b)) => ("boolean", if b { "true" } else { "" }.to_owned()),
            Some(Value::Num(n)) => ("number", num_to_str(n)),
            Some(Value::Str(s)) => ("string", s.to_string()),
        };
        let name = made.intern_name("exsl", local, EXSLT_COMMON);
        let el = made.append_element(NodeId::ROOT, name);
        let (p, u) = (made.intern("exsl"), made.intern(EXSLT_COMMON));
        made.add_namespace(el, p, u);
        // Always a text node, even an empty one: libxml2 writes <exsl:boolean ...></exsl:boolean>.
        made.append_text_node(el, &text);
        made_any = true;
    }
    if made_any {
        out.extend(super::new_document(h, made));
    }
    sort_dedup(&mut out);
    Ok(Value::Nodes(Rc::new(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xslt::ext::encode_namespaces;

    #[test]
    fn parses_with_the_namespaces_in_scope() {
        let ns = encode_namespaces(&[("xml", crate::xml::XML_NS), ("p", "urn:p")]);
        assert!(parse_dynamic("/p:a/p:b", &ns).is_ok());
        assert_eq!(parse_dynamic("/q:a", &ns).unwrap_err().code, "XPST0081");
        assert_eq!(parse_dynamic("1 +", &ns).unwrap_err().code, "XPST0003");
        assert_eq!(parse_dynamic("foo()", &ns).unwrap_err().code, "XPST0017");
        // Host functions are there too, with their QName arguments resolved.
        assert!(parse_dynamic("key('p:k', 'v')", &ns).is_ok());
    }

    #[test]
    fn namespaces_round_trip() {
        let pairs = [
            ("xml", crate::xml::XML_NS),
            ("a", "urn:a b"),
            ("", "urn:default"),
        ];
        let s = encode_namespaces(&pairs);
        assert_eq!(decode_namespaces(&s), pairs);
        assert!(decode_namespaces("").is_empty());
    }
}
