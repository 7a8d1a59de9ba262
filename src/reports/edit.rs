//! Editing a profile's Content-Security-Policy in place, keeping everything else as written.
//!
//! The profile is parsed twice: by [`crate::profile::parse`] (it must be a valid profile, and
//! that gives the policy as data) and by `toml_edit` into a `DocumentMut`, which keeps every
//! comment, blank line, key order and value format. Only the values that change are touched:
//!
//! - **string form** (`Content-Security-Policy = "default-src 'self'; ..."`): the new sources
//!   are spliced into the string after the directive's last value (`'none'` is replaced), new
//!   directives appended after the last one; the string keeps its quotes and its decor;
//! - **table form** (`[headers.Content-Security-Policy]`, one array per directive, or an inline
//!   table): sources are pushed onto the directive's array formatted like its last item (one
//!   per line stays one per line), new directives appended to the table.
//!
//! The edited text is parsed again as a profile and its policy compared with the expected one
//! ([`EditError::Verify`] otherwise): a change that does not say what was meant is never
//! written.

use toml_edit::{Array, DocumentMut, Item, Value};

use super::learn::{Change, Disposition, apply};
use crate::diag::{Diagnostic, Pos, line_col, line_text};
use crate::profile::{self, HeaderValue, Profile, ProfileError, csp};

/// A policy and the header that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderPolicy {
    /// The header's name as the profile writes it.
    pub header: String,
    /// Its directives.
    pub policy: Vec<(String, Vec<String>)>,
}

/// Why a profile cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// Not a valid profile.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A profile in JSON: only TOML profiles are edited in place.
    #[error("only TOML profiles can be edited in place (this one is JSON)")]
    Json,
    /// TOML that toml_edit refuses (the profile parser accepted it).
    #[error("cannot edit the TOML: {message}")]
    Toml {
        /// toml_edit's message.
        message: String,
        /// Where.
        pos: Option<Pos>,
    },
    /// The profile does not set the header.
    #[error("the profile sets no {0} header")]
    NoHeader(String),
    /// The header's value is not a string or a table of directives.
    #[error("{header} is not a string or a table of directives")]
    NotAPolicy {
        /// The header.
        header: String,
        /// Where.
        pos: Option<Pos>,
    },
    /// The edited profile does not give the expected policy (a bug: nothing is written).
    #[error(
        "the edited profile gives {found:?}, not the expected {expected:?}; nothing was written"
    )]
    Verify {
        /// The policy the changes should give.
        expected: String,
        /// The policy the edited profile gives.
        found: String,
    },
}

impl EditError {
    /// A printable diagnostic for the profile `file` whose text is `text`.
    pub fn to_diagnostic(&self, file: &str, text: &str) -> Diagnostic {
        if let EditError::Profile(p) = self {
            return p.to_diagnostic();
        }
        let mut d = Diagnostic::error(self.to_string()).in_file(file.to_owned());
        if let EditError::Toml { pos: Some(p), .. } | EditError::NotAPolicy { pos: Some(p), .. } =
            self
        {
            d = d.at(*p);
            d.source_line = line_text(text, p.line).map(str::to_owned);
        }
        d
    }
}

/// The policy of a header value, whichever form it has.
pub fn policy_of(value: &HeaderValue) -> Option<Vec<(String, Vec<String>)>> {
    match value {
        HeaderValue::Csp(d) => Some(d.clone()),
        HeaderValue::Text(t) => Some(
            csp::parse(t)
                .into_iter()
                .map(|d| (d.name, d.values))
                .collect(),
        ),
        _ => None,
    }
}

/// The policy that reports of a disposition are about: enforced reports change
/// `Content-Security-Policy`; report-only reports change `Content-Security-Policy-Report-Only`
/// when the profile has one, else `Content-Security-Policy` (the policy being tried out before
/// it is enforced).
pub fn target(profile: &Profile, disposition: Disposition) -> Option<HeaderPolicy> {
    let find = |name: &str| {
        profile
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| {
                Some(HeaderPolicy {
                    header: h.name.clone(),
                    policy: policy_of(&h.value)?,
                })
            })
    };
    match disposition {
        Disposition::Enforce => find(Disposition::Enforce.header()),
        Disposition::Report => {
            find(Disposition::Report.header()).or_else(|| find(Disposition::Enforce.header()))
        }
    }
}

/// Makes `changes` to the policy of `header` in the profile `text` (TOML), keeping the rest of
/// the text as it is; several headers may be changed at once.
pub fn edit(text: &str, file: &str, edits: &[(String, Vec<Change>)]) -> Result<String, EditError> {
    if text.trim_start().starts_with('{') {
        return Err(EditError::Json);
    }
    let before = profile::parse(text, false, Some(file))?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Toml {
            message: e.message().to_owned(),
            pos: e.span().map(|s| line_col(text, s.start)),
        })?;
    let mut expected = Vec::new();
    for (header, changes) in edits {
        let h = before
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(header))
            .ok_or_else(|| EditError::NoHeader(header.clone()))?;
        let policy = policy_of(&h.value).ok_or_else(|| not_a_policy(text, header))?;
        expected.push((h.name.clone(), apply(&policy, changes)));
        edit_header(&mut doc, text, &h.name, changes)?;
    }
    let out = doc.to_string();
    let after = profile::parse(&out, false, Some(file))?;
    for (header, want) in expected {
        let found = after
            .headers
            .iter()
            .find(|h| h.name == header)
            .and_then(|h| policy_of(&h.value))
            .unwrap_or_default();
        if found != want {
            return Err(EditError::Verify {
                expected: csp::render(&want),
                found: csp::render(&found),
            });
        }
    }
    Ok(out)
}

fn not_a_policy(text: &str, header: &str) -> EditError {
    EditError::NotAPolicy {
        header: header.to_owned(),
        pos: text.find(header).map(|o| line_col(text, o)),
    }
}

fn edit_header(
    doc: &mut DocumentMut,
    text: &str,
    header: &str,
    changes: &[Change],
) -> Result<(), EditError> {
    let headers = doc
        .get_mut("headers")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| EditError::NoHeader(header.to_owned()))?;
    let item = headers
        .get_mut(header)
        .ok_or_else(|| EditError::NoHeader(header.to_owned()))?;
    if let Some(Value::String(s)) = item.as_value() {
        let new = splice_policy(s.value(), changes);
        let decor = s.decor().clone();
        let mut v = string_like(&new, item.as_value());
        *v.decor_mut() = decor;
        *item = Item::Value(v);
        return Ok(());
    }
    let inline = item.is_inline_table();
    let table = item
        .as_table_like_mut()
        .ok_or_else(|| not_a_policy(text, header))?;
    for c in changes {
        let key = table
            .iter()
            .map(|(k, _)| k.to_owned())
            .find(|k| k.eq_ignore_ascii_case(&c.directive));
        match key {
            Some(k) => {
                let slot = table.get_mut(&k).expect("the key was just found");
                add_sources(slot, &c.add);
            }
            None => {
                let mut arr = Array::new();
                for s in c.base.iter().chain(&c.add) {
                    arr.push(s.as_str());
                }
                let mut value = Value::Array(arr);
                if inline {
                    // The spaces before `}` follow the new last entry.
                    if let Some((_, last)) = table.iter_mut().last()
                        && let Some(last) = last.as_value_mut()
                    {
                        let suffix = last
                            .decor()
                            .suffix()
                            .and_then(|r| r.as_str())
                            .unwrap_or("")
                            .to_owned();
                        last.decor_mut().set_suffix("");
                        value.decor_mut().set_suffix(suffix);
                    }
                }
                table.insert(&c.directive, Item::Value(value));
            }
        }
    }
    Ok(())
}

/// Adds sources to one directive of the table form: an array, a string of words or `true`.
fn add_sources(slot: &mut Item, add: &[String]) {
    match slot.as_value_mut() {
        Some(Value::Array(arr)) => {
            let none = arr
                .iter()
                .position(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("'none'")));
            let mut rest = add;
            if let Some(i) = none {
                // 'none' gives way: the first new source takes its place and its format.
                let old = arr.get(i).expect("index from position");
                let mut v = string_like(&add[0], Some(old));
                *v.decor_mut() = old.decor().clone();
                arr.replace_formatted(i, v);
                rest = &add[1..];
            }
            for s in rest {
                push_like_last(arr, string_like(s, arr.iter().last()));
            }
        }
        Some(Value::String(s)) => {
            let mut words: Vec<&str> = s
                .value()
                .split_ascii_whitespace()
                .filter(|w| !w.eq_ignore_ascii_case("'none'"))
                .collect();
            words.extend(add.iter().map(String::as_str));
            let decor = s.decor().clone();
            let mut v = string_like(&words.join(" "), slot.as_value());
            *v.decor_mut() = decor;
            *slot = Item::Value(v);
        }
        _ => {
            // `directive = true` (no values) or anything else the profile parser accepted:
            // the sources as a list.
            let decor = slot
                .as_value()
                .map(|v| v.decor().clone())
                .unwrap_or_default();
            let mut arr = Array::new();
            for s in add {
                arr.push(s.as_str());
            }
            let mut v = Value::Array(arr);
            *v.decor_mut() = decor;
            *slot = Item::Value(v);
        }
    }
}

/// Appends a value to an array formatted like its last item: the same line break and indent
/// before it; a comment that ended the last item's line stays on that line.
fn push_like_last(arr: &mut Array, mut v: Value) {
    let n = arr.len();
    let Some(last) = arr.get_mut(n.wrapping_sub(1)) else {
        v.decor_mut().set_prefix("");
        arr.push_formatted(v);
        return;
    };
    let raw =
        |r: Option<&toml_edit::RawString>| r.and_then(|r| r.as_str()).unwrap_or("").to_owned();
    let prefix = raw(last.decor().prefix());
    let prefix = if prefix.is_empty() {
        " ".to_owned()
    } else {
        prefix
    };
    // What follows the last item before its comma (or before `]`): up to the line break it
    // stays behind the comma; the rest (spaces before `]`) follows the new item.
    let suffix = raw(last.decor().suffix());
    let (head, tail) = match suffix.find('\n') {
        Some(i) => (suffix[..i].to_owned(), suffix[i..].to_owned()),
        None => (String::new(), suffix.clone()),
    };
    last.decor_mut().set_suffix("");
    let mut head = head;
    if arr.trailing_comma() {
        // After a trailing comma, the rest of the line (a comment) is the array's trailing.
        let trailing = raw(Some(arr.trailing()));
        if let Some(i) = trailing.find('\n') {
            head.push_str(&trailing[..i]);
            arr.set_trailing(trailing[i..].to_owned());
        }
    }
    v.decor_mut().set_prefix(format!("{head}{prefix}"));
    v.decor_mut().set_suffix(tail);
    arr.push_formatted(v);
}

/// A TOML string for `s`, quoted like `like` when it can be: a literal string stays literal,
/// a basic one basic; multi-line and other forms get toml_edit's default.
fn string_like(s: &str, like: Option<&Value>) -> Value {
    let raw = like
        .and_then(|v| match v {
            Value::String(f) => f.as_repr().and_then(|r| r.as_raw().as_str()),
            _ => None,
        })
        .unwrap_or("\"");
    let literal = raw.starts_with('\'') && !raw.starts_with("'''");
    let basic = raw.starts_with('"') && !raw.starts_with("\"\"\"");
    let plain = !s.chars().any(|c| c.is_control());
    let quoted = if literal && plain && !s.contains('\'') {
        Some(format!("'{s}'"))
    } else if (basic || literal) && plain {
        Some(format!(
            "\"{}\"",
            s.replace('\\', "\\\\").replace('"', "\\\"")
        ))
    } else {
        None
    };
    quoted
        .and_then(|q| q.parse::<Value>().ok())
        .map(|mut v| {
            v.decor_mut().clear();
            v
        })
        .unwrap_or_else(|| Value::from(s))
}

/// A policy string with `changes` spliced in: sources after a directive's last value (or in
/// place of `'none'`), new directives after the last one. Nothing else moves.
pub fn splice_policy(policy: &str, changes: &[Change]) -> String {
    // (name, its tokens' byte ranges) of each directive.
    let mut directives: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    let mut start = 0;
    for seg in policy.split(';') {
        let mut tokens = Vec::new();
        let mut at = 0;
        for w in seg.split_ascii_whitespace() {
            let off = seg[at..].find(w).expect("a word of the segment") + at;
            tokens.push((start + off, start + off + w.len()));
            at = off + w.len();
        }
        if let Some(&(s, e)) = tokens.first() {
            directives.push((policy[s..e].to_ascii_lowercase(), tokens));
        }
        start += seg.len() + 1;
    }
    let end_of_last = directives
        .last()
        .and_then(|(_, t)| t.last())
        .map_or(0, |&(_, e)| e);
    // (from, to, replacement), applied from the end.
    let mut splices: Vec<(usize, usize, String)> = Vec::new();
    let mut appended = String::new();
    for c in changes {
        match directives.iter().find(|(n, _)| *n == c.directive) {
            Some((_, tokens)) => {
                let none = tokens[1..]
                    .iter()
                    .find(|&&(s, e)| policy[s..e].eq_ignore_ascii_case("'none'"));
                match none {
                    Some(&(s, e)) => splices.push((s, e, c.add.join(" "))),
                    None => {
                        let e = tokens.last().expect("a directive has a name").1;
                        splices.push((e, e, format!(" {}", c.add.join(" "))));
                    }
                }
            }
            None => {
                let values: Vec<&str> = c.base.iter().chain(&c.add).map(String::as_str).collect();
                if directives.is_empty() && appended.is_empty() {
                    appended.push_str(&format!("{} {}", c.directive, values.join(" ")));
                } else {
                    appended.push_str(&format!("; {} {}", c.directive, values.join(" ")));
                }
            }
        }
    }
    if !appended.is_empty() {
        splices.push((end_of_last, end_of_last, appended));
    }
    // From the end; at one place the later splice first, so that the earlier comes first.
    let mut order: Vec<usize> = (0..splices.len()).collect();
    order.sort_by(|&a, &b| splices[b].0.cmp(&splices[a].0).then(b.cmp(&a)));
    let mut out = policy.to_owned();
    for (s, e, r) in order.into_iter().map(|i| splices[i].clone()) {
        out.replace_range(s..e, &r);
    }
    out
}

#[cfg(test)]
mod tests;
