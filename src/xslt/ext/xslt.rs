//! The functions XSLT 1.0 adds to XPath (§12, in no namespace). Those that need the
//! transformation's state (keys, documents, decimal formats, node ids) ask the [`Host`].

use std::rc::Rc;

use super::{Host, HostFn, parse_clark, signatures};
use crate::xpath::Context;
use crate::xpath::ast::CoreFn;
use crate::xpath::eval::{to_num, to_string};
use crate::xpath::value::{Value, sort_dedup, string_value};
use crate::xslt::XSLT_NS;
use crate::xslt::ast::DecimalFormat;
use crate::xslt::decimal;
use crate::xslt::error::XsltError;

/// XSLT's functions.
pub(super) const FUNCTIONS: &[HostFn] = &[
    HostFn::new("", "key", 2, Some(2), key).qname_arg(0, false),
    HostFn::new("", "document", 1, Some(2), document),
    HostFn::new("", "format-number", 2, Some(3), format_number).qname_arg(2, false),
    HostFn::new("", "current", 0, Some(0), current),
    HostFn::new("", "unparsed-entity-uri", 1, Some(1), unparsed_entity_uri),
    HostFn::new("", "generate-id", 0, Some(1), generate_id),
    HostFn::new("", "system-property", 1, Some(1), system_property).qname_arg(0, false),
    HostFn::new("", "element-available", 1, Some(1), element_available).qname_arg(0, true),
    HostFn::new("", "function-available", 1, Some(1), function_available).qname_arg(0, false),
];

/// The XSLT instructions (for `element-available()`); `compile/instructions.rs` compiles them.
const INSTRUCTIONS: &[&str] = &[
    "apply-imports",
    "apply-templates",
    "attribute",
    "call-template",
    "choose",
    "comment",
    "copy",
    "copy-of",
    "element",
    "fallback",
    "for-each",
    "if",
    "message",
    "number",
    "processing-instruction",
    "text",
    "value-of",
    "variable",
];

/// `key(name, value)`: the nodes of the context node's document whose key `name` has the value
/// (any string value of a node-set).
fn key(h: &mut dyn Host, args: Vec<Value>, ctx: &Context) -> Result<Value, XsltError> {
    let name = parse_clark(&to_string(&args[0], h.env()));
    let values: Vec<String> = match &args[1] {
        Value::Nodes(ns) => ns
            .iter()
            .map(|&n| string_value(h.env().tree(n.doc), n))
            .collect(),
        v => vec![to_string(v, h.env()).to_string()],
    };
    let mut out = h.key(&name, ctx.node.doc, &values)?;
    sort_dedup(&mut out);
    Ok(Value::Nodes(Rc::new(out)))
}

/// `document(object, node-set?)`: refused unless the caller allows it; local files only.
fn document(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    h.document(args)
}

/// `format-number(number, pattern, decimal-format-name?)`.
fn format_number(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let n = to_num(&args[0], h.env());
    let pattern = to_string(&args[1], h.env()).to_string();
    let fname = args.get(2).map(|a| parse_clark(&to_string(a, h.env())));
    let default = DecimalFormat::default();
    let df = match h.decimal_format(fname.as_ref()) {
        Some(d) => d,
        None if fname.is_none() => &default,
        None => {
            return Err(h.error(
                "XTDE1280",
                format!("no decimal format named {}", fname.expect("checked")),
            ));
        }
    };
    let f = decimal::format_number(n, &pattern, df);
    if let Some(w) = f.warning {
        h.warn("XTDE1310", format!("format-number(): {w}"));
    }
    Ok(Value::str(f.text))
}

/// `current()`.
fn current(h: &mut dyn Host, _: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(Value::Nodes(Rc::new(vec![h.current()])))
}

/// `unparsed-entity-uri(string)`, from the context node's document's DTD.
fn unparsed_entity_uri(
    h: &mut dyn Host,
    args: Vec<Value>,
    ctx: &Context,
) -> Result<Value, XsltError> {
    let name = to_string(&args[0], h.env()).to_string();
    Ok(Value::str(
        h.env()
            .tree(ctx.node.doc)
            .unparsed_entity_uri(name.trim())
            .unwrap_or(""),
    ))
}

/// `generate-id(node-set?)`: of the first node (the context node without an argument); empty
/// for an empty node-set.
fn generate_id(h: &mut dyn Host, args: Vec<Value>, ctx: &Context) -> Result<Value, XsltError> {
    let n = match args.first() {
        None => Some(ctx.node),
        Some(Value::Nodes(ns)) => ns.first().copied(),
        Some(Value::Rtf(r)) => Some(*r),
        Some(v) => {
            return Err(h.error(
                "XPTY0004",
                format!("generate-id() needs a node-set, not a {}", v.type_name()),
            ));
        }
    };
    Ok(Value::str(match n {
        None => String::new(),
        Some(n) => h.generate_id(n),
    }))
}

/// `system-property(qname)`: `xsl:version`, `xsl:vendor`, `xsl:vendor-url`.
fn system_property(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = parse_clark(&to_string(&args[0], h.env()));
    Ok(if &*name.uri != XSLT_NS {
        Value::str("")
    } else {
        match &*name.local {
            "version" => Value::Num(1.0),
            "vendor" => Value::str("webxsl"),
            "vendor-url" => Value::str("https://github.com/webxsl/webxsl"),
            _ => Value::str(""),
        }
    })
}

/// `element-available(qname)`: the XSLT instructions; no extension elements.
fn element_available(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = parse_clark(&to_string(&args[0], h.env()));
    let exslt = &*name.uri == super::EXSLT_FUNCTIONS && &*name.local == "result";
    Ok(Value::Bool(
        exslt || (&*name.uri == XSLT_NS && INSTRUCTIONS.contains(&&*name.local)),
    ))
}

/// `function-available(qname)`: XPath's core functions, every host function and the
/// stylesheet's own (`func:function`).
fn function_available(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = parse_clark(&to_string(&args[0], h.env()));
    let core = name.uri.is_empty() && CoreFn::from_name(&name.local).is_some();
    let hosted = signatures()
        .iter()
        .any(|h| h.uri == &*name.uri && h.local == &*name.local);
    Ok(Value::Bool(core || hosted || h.has_function(&name)))
}
