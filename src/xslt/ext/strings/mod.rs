//! EXSLT strings (<http://exslt.org/strings>): `str:tokenize`, `str:split`, `str:replace`,
//! `str:concat`, `str:padding`, `str:align`, `str:encode-uri` and `str:decode-uri`, as
//! libexslt 0.8.20 implements them. This file converts the XPath arguments and builds the
//! results; `text.rs` and `uri.rs` do the string work.
//!
//! libexslt behaviour reproduced:
//! - `tokenize` and `split` return `token` elements (no namespace) as children of the root of
//!   a new document, and drop empty tokens (`split('a;;b;', ';')` is `a`, `b`); `tokenize`'s
//!   delimiters default to tab, CR, LF and space, `split`'s to a space; an empty delimiter
//!   gives every character as a token;
//! - `split` compares ASCII letters case-insensitively (`split('aXbxc', 'x')` is `a`, `b`, `c`);
//!   `tokenize` and `replace` compare exactly;
//! - `replace` returns a node-set of one text node in a new document (even an empty one), not
//!   a string; its search and replacement arguments are node-sets or strings, longest search
//!   string first; an empty search string inserts its replacement between characters
//!   (`replace('abc', '', 'x')` is `axbxc`); missing replacements remove (see `text.rs`);
//! - `concat` needs a node-set and stops the transformation on anything else;
//! - `padding` truncates its length, gives nothing for NaN or negative lengths, caps it at
//!   100,000 characters, and pads with spaces when the padding string is empty;
//! - `align` compares its alignment exactly (`RIGHT` aligns left);
//! - `encode-uri` never escapes `@`, and escapes `#` even when `escape-reserved` is false;
//! - `decode-uri` keeps malformed escapes, stops at a decoded NUL, and gives an empty string
//!   for a result that is not UTF-8;
//! - an encoding argument other than exactly `UTF-8` stops the transformation (in libexslt, a
//!   stack error: the function returns early and leaves its other arguments on the stack).
//!
//! A result tree fragment is accepted where a node-set is (as its root), as in libxslt.
//!
//! libexslt bugs not reproduced:
//! - `split(s, '')` splits UTF-8 bytes, not characters, so it writes invalid UTF-8 for
//!   non-ASCII text: here it splits characters;
//! - `decode-uri` lets through byte sequences shaped like UTF-8 that are no characters
//!   (overlong forms, surrogates, code points past U+10FFFF): here, as any other invalid UTF-8,
//!   they make the result empty.

mod text;
mod uri;

use std::rc::Rc;

use super::sets::node_set_arg;
use super::{Host, HostFn};
use crate::xml::{NodeId, Tree};
use crate::xpath::Context;
use crate::xpath::eval::{to_bool, to_num, to_string};
use crate::xpath::value::{NodeRef, Value, string_value};
use crate::xslt::error::XsltError;

/// EXSLT strings.
pub const EXSLT_STRINGS: &str = "http://exslt.org/strings";

/// The functions of EXSLT strings.
pub(super) const FUNCTIONS: &[HostFn] = &[
    HostFn::new(EXSLT_STRINGS, "tokenize", 1, Some(2), tokenize),
    HostFn::new(EXSLT_STRINGS, "split", 1, Some(2), split),
    HostFn::new(EXSLT_STRINGS, "replace", 3, Some(3), replace),
    HostFn::new(EXSLT_STRINGS, "concat", 1, Some(1), concat),
    HostFn::new(EXSLT_STRINGS, "padding", 1, Some(2), padding),
    HostFn::new(EXSLT_STRINGS, "align", 2, Some(3), align),
    HostFn::new(EXSLT_STRINGS, "encode-uri", 2, Some(3), encode_uri),
    HostFn::new(EXSLT_STRINGS, "decode-uri", 1, Some(2), decode_uri),
];

/// Argument `i` as a string (`string()`), if given.
fn string_arg(h: &dyn Host, args: &[Value], i: usize) -> Option<String> {
    args.get(i).map(|v| to_string(v, h.env()).to_string())
}

/// The string values of nodes.
fn strings_of(h: &dyn Host, nodes: &[NodeRef]) -> Vec<String> {
    let env = h.env();
    nodes
        .iter()
        .map(|&n| string_value(env.tree(n.doc), n))
        .collect()
}

/// A new document holding one `token` element per token; its elements as a node-set.
fn tokens(h: &mut dyn Host, tokens: &[&str]) -> Value {
    if tokens.is_empty() {
        return Value::empty();
    }
    let mut t = Tree::new();
    let name = t.intern_name("", "token", "");
    for tok in tokens {
        let el = t.append_element(NodeId::ROOT, name);
        t.append_text(el, tok);
    }
    Value::Nodes(Rc::new(super::new_document(h, t)))
}

/// `node-set str:tokenize(string, string?)`: the non-empty runs of the string between any of
/// the delimiter characters (default: tab, CR, LF, space), as `token` elements; every
/// character if the delimiters are empty.
fn tokenize(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let s = string_arg(h, &args, 0).unwrap_or_default();
    let delims = string_arg(h, &args, 1).unwrap_or_else(|| "\t\r\n ".to_owned());
    Ok(tokens(h, &text::tokenize(&s, &delims)))
}

/// `node-set str:split(string, string?)`: the non-empty pieces of the string between
/// occurrences of the delimiter (default: a space; ASCII case ignored), as `token` elements;
/// every character if the delimiter is empty.
fn split(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let s = string_arg(h, &args, 0).unwrap_or_default();
    let delim = string_arg(h, &args, 1).unwrap_or_else(|| " ".to_owned());
    Ok(tokens(h, &text::split(&s, &delim)))
}

/// `node-set str:replace(string, object, object)`: the string with each search string (the
/// second argument: a string, or the string values of a node-set in document order) replaced
/// by the replacement at the same position (the third: a string, which goes with the first
/// search string only, or a node-set's string values); search strings without a replacement
/// are removed. The result is one text node in a new document.
fn replace(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let s = string_arg(h, &args, 0).unwrap_or_default();
    let searches = match &args[1] {
        Value::Nodes(_) | Value::Rtf(_) => {
            strings_of(h, &node_set_arg(h, &args, 1, "str:replace")?)
        }
        v => vec![to_string(v, h.env()).to_string()],
    };
    let replacements: Vec<Option<String>> = match &args[2] {
        Value::Nodes(_) | Value::Rtf(_) => {
            strings_of(h, &node_set_arg(h, &args, 2, "str:replace")?)
                .into_iter()
                .map(Some)
                .collect()
        }
        v => vec![Some(to_string(v, h.env()).to_string())],
    };
    // What the result may grow to, charged before it is built: an empty search string puts its
    // replacement between every two characters (`str:replace($s, '', $s)` is quadratic).
    let longest = replacements
        .iter()
        .flatten()
        .map(String::len)
        .max()
        .unwrap_or(0);
    let shortest = searches
        .iter()
        .map(String::len)
        .filter(|&l| l > 0)
        .min()
        .unwrap_or(1);
    let chars = s.chars().count() as u64;
    let mut bound = (s.len() + s.len() / shortest * longest) as u64;
    if searches.iter().any(String::is_empty) {
        bound = bound.saturating_add(chars.saturating_mul(longest as u64));
    }
    h.charge(bound)?;
    let out = text::replace(&s, &searches, &replacements);
    let mut t = Tree::new();
    // A text node even when empty, as libexslt makes one: count() of the result is 1.
    let node = t.append_text_node(NodeId::ROOT, &out);
    let id = h.add_tree(t);
    Ok(Value::Nodes(Rc::new(vec![NodeRef::new(id, node)])))
}

/// `string str:concat(node-set)`: the string values of the nodes, in document order, joined.
fn concat(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let nodes = node_set_arg(h, &args, 0, "str:concat")?;
    Ok(Value::str(strings_of(h, &nodes).concat()))
}

/// `string str:padding(number, string?)`: the string (default, or if empty: a space) repeated
/// to the number of characters (truncated; at most 100,000; nothing if NaN or negative).
fn padding(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let n = to_num(&args[0], h.env());
    let pad = string_arg(h, &args, 1).unwrap_or_default();
    Ok(Value::str(text::padding(n, &pad)))
}

/// `string str:align(string, string, string?)`: the first string written over the second
/// (the padding), at its `left` (default), `right` or `center`; cut to the padding's length if
/// longer.
fn align(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let s = string_arg(h, &args, 0).unwrap_or_default();
    let pad = string_arg(h, &args, 1).unwrap_or_default();
    let alignment = string_arg(h, &args, 2).unwrap_or_default();
    Ok(Value::str(text::align(&s, &pad, &alignment)))
}

/// Checks the optional encoding argument `i` of `function`: only `UTF-8`, exactly, is known.
fn check_encoding(h: &dyn Host, args: &[Value], i: usize, function: &str) -> Result<(), XsltError> {
    match string_arg(h, args, i) {
        Some(e) if e != "UTF-8" => Err(h.error(
            "XTDE1190",
            format!("{function}(): unsupported encoding '{e}' (only 'UTF-8' is)"),
        )),
        _ => Ok(()),
    }
}

/// `string str:encode-uri(string, boolean, string?)`: the string's UTF-8 bytes URI-escaped
/// (`%XX`), reserved characters (`;/?:&=+$,[]`, not `#`) too if the boolean is true; the
/// encoding, if given, must be `UTF-8`.
fn encode_uri(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    check_encoding(h, &args, 2, "str:encode-uri")?;
    let s = string_arg(h, &args, 0).unwrap_or_default();
    Ok(Value::str(uri::encode_uri(&s, to_bool(&args[1]))))
}

/// `string str:decode-uri(string, string?)`: `%XX` escapes decoded as UTF-8 (empty if the
/// result is not UTF-8); the encoding, if given, must be `UTF-8`.
fn decode_uri(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    check_encoding(h, &args, 1, "str:decode-uri")?;
    let s = string_arg(h, &args, 0).unwrap_or_default();
    Ok(Value::str(uri::decode_uri(&s)))
}
