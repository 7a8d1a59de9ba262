//! EXSLT common (<http://exslt.org/common>): `exsl:node-set()` and `exsl:object-type()`.

use std::rc::Rc;

use super::{Host, HostFn};
use crate::xml::{NodeId, Tree};
use crate::xpath::Context;
use crate::xpath::eval::to_string;
use crate::xpath::value::Value;
use crate::xslt::error::XsltError;

/// EXSLT common (`exsl:node-set`, `exsl:object-type`).
pub const EXSLT_COMMON: &str = "http://exslt.org/common";

/// The functions of EXSLT common.
pub(super) const FUNCTIONS: &[HostFn] = &[
    HostFn::new(EXSLT_COMMON, "node-set", 1, Some(1), node_set),
    HostFn::new(EXSLT_COMMON, "object-type", 1, Some(1), object_type),
];

/// `node-set(object)`: a result tree fragment as a node-set (its root); a node-set unchanged;
/// anything else as a text node in a new document. `msxsl:node-set()` and libxslt's
/// `node-set()` are the same function.
pub(super) fn node_set(
    h: &mut dyn Host,
    args: Vec<Value>,
    _: &Context,
) -> Result<Value, XsltError> {
    Ok(match &args[0] {
        Value::Rtf(r) => Value::Nodes(Rc::new(vec![*r])),
        Value::Nodes(n) => Value::Nodes(n.clone()),
        v => {
            let s = to_string(v, h.env()).to_string();
            let mut t = Tree::new();
            // A text node even for "": count(exsl:node-set('')) is 1 in libexslt.
            t.append_text_node(NodeId::ROOT, &s);
            Value::Nodes(Rc::new(super::new_document(h, t)))
        }
    })
}

/// `object-type(object)`: `node-set`, `RTF`, `string`, `number` or `boolean`.
fn object_type(_: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(Value::str(match &args[0] {
        Value::Nodes(_) => "node-set",
        Value::Rtf(_) => "RTF",
        Value::Str(_) => "string",
        Value::Num(_) => "number",
        Value::Bool(_) => "boolean",
    }))
}
