//! Showing a change: a unified diff of the text (line endings shown sanely) and a semantic
//! summary of the HTTP headers each collection sends, per `<location>`.

use rustc_hash::FxHashSet;
use similar::{ChangeTag, DiffTag, TextDiff};

use crate::model::{CollectionKind, HeaderOp, Scope, header_collections};
use crate::xml::Tree;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A unified diff (3 lines of context) of two texts, `None` when they are equal.
///
/// Carriage returns are not printed raw: lines are shown without them, and a line whose only
/// change is its line ending is followed by `\ line ending: CRLF` (or `LF`), as git notes a
/// missing final newline.
pub fn unified(
    old: &str,
    new: &str,
    old_label: &str,
    new_label: &str,
    color: bool,
) -> Option<String> {
    if old == new {
        return None;
    }
    let (head, tail, skipped) = unchanged_ends(old, new);
    let middle = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let labels = (old_label, new_label);
    match unified_lines(middle, skipped, labels, color) {
        // A hunk that reaches a cut end might have shown more of it (a line can slide along
        // lines equal to it): the whole texts then.
        (d, Reach { start, end }) if !(start && head > 0 || end && tail > 0) => Some(d),
        _ => Some(unified_lines((old, new), 0, labels, color).0),
    }
}

/// Lines of context a hunk shows around a change.
const CONTEXT: usize = 3;

/// Unchanged lines kept around a change when cutting texts: the context, and room for the
/// diff to place a change one or two lines later or earlier among lines equal to it.
const KEPT: usize = CONTEXT + 2;

/// Whether the diff's first hunk starts at the first line, and whether its last ends at the
/// last line.
struct Reach {
    start: bool,
    end: bool,
}

/// The ends of the lines of `t[from..to]` as the diff splits lines: after a LF, after a CR
/// that no LF follows. `to` is the end of `t` or not just after a CR (whose line would end past
/// `to`).
fn line_ends(t: &[u8], from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
    let mut at = from;
    std::iter::from_fn(move || {
        let k = memchr::memchr2(b'\n', b'\r', &t[at..to])?;
        let i = at + k;
        let end = if t[i] == b'\r' && t.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
        at = end.min(to);
        Some(end)
    })
}

/// Where two different texts stop being the same: `(head, tail, lines)`, the byte lengths of
/// a common start and of a common end, each a run of whole lines of both texts that leaves
/// [`KEPT`] unchanged lines next to the change, and the number of lines in the head. The diff
/// of what is between, its line numbers moved by `lines`, is the diff of the texts when no
/// hunk reaches a cut end: the lines cut off are common lines the diff trims first anyway.
/// Most of a config stays as it was: its lines are then neither split nor compared.
fn unchanged_ends(old: &str, new: &str) -> (usize, usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut p = common_prefix(a, b);
    // A CR just before the first difference may end its line in one text only (a LF follows
    // it in the other).
    if p > 0 && a[p - 1] == b'\r' {
        p -= 1;
    }
    // The complete lines before the first difference, less the KEPT last ones.
    let mut last = [0usize; KEPT + 1];
    let mut count = 0;
    for end in line_ends(a, 0, p) {
        last[count % last.len()] = end;
        count += 1;
    }
    let (head, skipped) = if count > KEPT {
        (last[(count - 1 - KEPT) % last.len()], count - KEPT)
    } else {
        (0, 0)
    };
    // The common end after the common lines of the start (the diff trims those first: a line
    // both could count belongs to the start); its lines from the first that starts inside it
    // (after a line ending inside it, so that a CR before a LF is the same in both), less
    // KEPT.
    let common = if count > 0 {
        last[(count - 1) % last.len()]
    } else {
        0
    };
    let s = common_suffix(&a[common..], &b[common..]);
    let from = a.len() - s;
    let mut starts = line_ends(a, from, a.len()).filter(|&e| e < a.len());
    let tail = starts.nth(KEPT).map_or(0, |start| a.len() - start);
    (head, tail, skipped)
}

/// The length of the common start of two byte strings (compared sixteen bytes at a time).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let words = a
        .chunks_exact(16)
        .zip(b.chunks_exact(16))
        .take_while(|(x, y)| x == y)
        .count();
    let k = words * 16;
    k + a[k..]
        .iter()
        .zip(&b[k..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the common end of two byte strings (compared sixteen bytes at a time).
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let words = a
        .rchunks_exact(16)
        .zip(b.rchunks_exact(16))
        .take_while(|(x, y)| x == y)
        .count();
    let k = words * 16;
    let (a, b) = (&a[..a.len() - k], &b[..b.len() - k]);
    k + a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// [`unified`] of the middles of two texts, whose first line is line `skipped + 1` of both.
fn unified_lines(
    (old, new): (&str, &str),
    skipped: usize,
    (old_label, new_label): (&str, &str),
    color: bool,
) -> (String, Reach) {
    // Line diffs are O(N·D): past a second (a reordered 100,000-line file) `similar` settles
    // for a coarser but still correct diff rather than taking minutes.
    let (old_lines, new_lines) = (lines(old), lines(new));
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_secs(1))
        .diff_slices(&old_lines, &new_lines);
    // Each piece is written straight into `out` (a batch diffs every file it changes).
    let open = |out: &mut String, c: &str| {
        if color {
            out.push_str(c);
        }
    };
    let close = |out: &mut String| {
        if color {
            out.push_str(RESET);
        }
    };
    let (deleted, inserted) = changed_bodies(&diff);
    let mut out = String::with_capacity(256);
    for (sign, label) in [("---", old_label), ("+++", new_label)] {
        open(&mut out, BOLD);
        out.push_str(sign);
        out.push(' ');
        out.push_str(label);
        close(&mut out);
        out.push('\n');
    }
    let groups = diff.grouped_ops(CONTEXT);
    let reach = Reach {
        start: groups
            .first()
            .and_then(|g| g.first())
            .is_some_and(|op| op.old_range().start == 0 || op.new_range().start == 0),
        end: groups.last().and_then(|g| g.last()).is_some_and(|op| {
            op.old_range().end == old_lines.len() || op.new_range().end == new_lines.len()
        }),
    };
    for group in groups {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old_range = skipped + first.old_range().start..skipped + last.old_range().end;
        let new_range = skipped + first.new_range().start..skipped + last.new_range().end;
        let range = |out: &mut String, r: &std::ops::Range<usize>| {
            use std::fmt::Write as _;
            let len = r.end - r.start;
            let start = if len == 0 { r.start } else { r.start + 1 };
            // Writing into a String cannot fail.
            let _ = if len == 1 {
                write!(out, "{start}")
            } else {
                write!(out, "{start},{len}")
            };
        };
        open(&mut out, CYAN);
        out.push_str("@@ -");
        range(&mut out, &old_range);
        out.push_str(" +");
        range(&mut out, &new_range);
        out.push_str(" @@");
        close(&mut out);
        out.push('\n');
        for op in &group {
            for change in diff.iter_changes(op) {
                let raw = change.value();
                let (sign, c) = match change.tag() {
                    ChangeTag::Delete => ('-', RED),
                    ChangeTag::Insert => ('+', GREEN),
                    ChangeTag::Equal => (' ', ""),
                };
                let body = raw.strip_suffix('\n').unwrap_or(raw);
                let (body, crlf) = match body.strip_suffix('\r') {
                    Some(b) => (b, true),
                    None => (body, false),
                };
                if !c.is_empty() {
                    open(&mut out, c);
                }
                out.push(sign);
                out.push_str(body);
                if !c.is_empty() {
                    close(&mut out);
                }
                out.push('\n');
                if !raw.ends_with('\n') {
                    out.push_str("\\ No newline at end of file\n");
                } else if match change.tag() {
                    ChangeTag::Delete => inserted.contains(body),
                    ChangeTag::Insert => deleted.contains(body),
                    ChangeTag::Equal => false,
                } {
                    out.push_str(if crlf {
                        "\\ line ending: CRLF\n"
                    } else {
                        "\\ line ending: LF\n"
                    });
                }
            }
        }
    }
    (out, reach)
}

/// The lines of a text, each with its terminator (`\n`, `\r\n` or a lone `\r`), as `similar`
/// splits them for a line diff; found with `memchr` (a batch diffs every file it changes).
fn lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', b).count() + 1);
    let mut start = 0;
    for end in line_ends(b, 0, b.len()) {
        out.push(&text[start..end]);
        start = end;
    }
    if start < b.len() {
        out.push(&text[start..]);
    }
    out
}

/// The bodies (without line ending) of the deleted and of the inserted lines: a changed line
/// whose body is on the other side too changed only its line ending. Built once, so that the
/// check is O(1) a line (a full scan a line made reordered files quadratic).
fn changed_bodies<'a>(diff: &'a TextDiff<'a, 'a, str>) -> (FxHashSet<&'a str>, FxHashSet<&'a str>) {
    let mut deleted = FxHashSet::default();
    let mut inserted = FxHashSet::default();
    let changed = diff.ops().iter().filter(|op| op.tag() != DiffTag::Equal);
    for c in changed.flat_map(|op| diff.iter_changes(op)) {
        let v = c.value();
        let v = v.strip_suffix('\n').unwrap_or(v);
        let v = v.strip_suffix('\r').unwrap_or(v);
        match c.tag() {
            ChangeTag::Delete => deleted.insert(v),
            ChangeTag::Insert => inserted.insert(v),
            ChangeTag::Equal => false,
        };
    }
    (deleted, inserted)
}

/// A header sent before and after.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    /// Name as written.
    pub name: String,
    /// Value.
    pub value: String,
}

/// A header whose value changed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChangedHeader {
    /// Name as written in the new file.
    pub name: String,
    /// Old value.
    pub old: String,
    /// New value.
    pub new: String,
}

/// The changes of one header collection.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionChange {
    /// `<location path>` (null at the top level).
    pub location: Option<String>,
    /// `customHeaders` or `redirectHeaders`.
    pub collection: CollectionKind,
    /// Headers now added.
    pub added: Vec<Header>,
    /// Headers no longer added.
    pub removed: Vec<Header>,
    /// Headers whose value changed.
    pub changed: Vec<ChangedHeader>,
    /// Names newly listed in `<remove>` (inherited headers now suppressed).
    pub now_removed: Vec<String>,
    /// Names no longer listed in `<remove>`.
    pub no_longer_removed: Vec<String>,
}

impl CollectionChange {
    fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.now_removed.is_empty()
            && self.no_longer_removed.is_empty()
    }
}

/// The header changes between two parsed web.configs, per collection (top level and each
/// `<location>`), comparing the headers each collection adds (after its own `clear`/`remove`)
/// and the names it removes. Header names compare case-insensitively, as IIS does.
pub fn header_changes(old: &Tree, new: &Tree) -> Vec<CollectionChange> {
    type Key = (Scope, CollectionKind);
    /// Per collection: the headers it adds and the names it removes.
    type Summary = Vec<(Key, Vec<(String, String)>, Vec<String>)>;
    let summarize = |t: &Tree| {
        let mut m: Summary = Vec::new();
        for c in header_collections(t) {
            let key = (c.scope.clone(), c.kind);
            let removes: Vec<String> = c
                .entries
                .iter()
                .filter_map(|e| match &e.op {
                    HeaderOp::Remove { name } => Some(name.clone()),
                    _ => None,
                })
                .collect();
            match m.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, eff, rem)) => {
                    eff.extend(c.effective());
                    rem.extend(removes);
                }
                None => m.push((key, c.effective(), removes)),
            }
        }
        m
    };
    let (a, b) = (summarize(old), summarize(new));
    let mut keys: Vec<Key> = a.iter().chain(&b).map(|(k, _, _)| k.clone()).collect();
    keys.sort();
    keys.dedup();
    let empty = (Vec::new(), Vec::new());
    let find = |m: &Summary, k: &Key| {
        m.iter()
            .find(|(x, _, _)| x == k)
            .map(|(_, e, r)| (e.clone(), r.clone()))
    };
    let mut out = Vec::new();
    for k in keys {
        let (oe, or) = find(&a, &k).unwrap_or_else(|| empty.clone());
        let (ne, nr) = find(&b, &k).unwrap_or_else(|| empty.clone());
        let get = |v: &[(String, String)], name: &str| {
            v.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .cloned()
        };
        let mut ch = CollectionChange {
            location: k.0.path().map(str::to_owned),
            collection: k.1,
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
            now_removed: Vec::new(),
            no_longer_removed: Vec::new(),
        };
        for (n, v) in &ne {
            match get(&oe, n) {
                None => ch.added.push(Header {
                    name: n.clone(),
                    value: v.clone(),
                }),
                Some((_, ov)) if ov != *v => ch.changed.push(ChangedHeader {
                    name: n.clone(),
                    old: ov,
                    new: v.clone(),
                }),
                Some(_) => {}
            }
        }
        for (n, v) in &oe {
            if get(&ne, n).is_none() {
                ch.removed.push(Header {
                    name: n.clone(),
                    value: v.clone(),
                });
            }
        }
        let has = |v: &[String], n: &str| v.iter().any(|x| x.eq_ignore_ascii_case(n));
        ch.now_removed = nr.iter().filter(|n| !has(&or, n)).cloned().collect();
        ch.no_longer_removed = or.iter().filter(|n| !has(&nr, n)).cloned().collect();
        if !ch.is_empty() {
            out.push(ch);
        }
    }
    out
}

/// The header changes as text, one collection per paragraph.
pub fn render_header_changes(changes: &[CollectionChange], color: bool) -> String {
    let paint = |c: &str, s: String| if color { format!("{c}{s}{RESET}") } else { s };
    let mut out = String::new();
    for c in changes {
        let scope = match &c.location {
            None => "top level".to_owned(),
            Some(p) => format!("<location path=\"{p}\">"),
        };
        out.push_str(&format!("{} ({scope}):\n", c.collection.element_name()));
        for h in &c.added {
            out.push_str(&paint(GREEN, format!("  + {}: {}", h.name, h.value)));
            out.push('\n');
        }
        for h in &c.changed {
            out.push_str(&paint(
                CYAN,
                format!("  ~ {}: {} -> {}", h.name, h.old, h.new),
            ));
            out.push('\n');
        }
        for h in &c.removed {
            out.push_str(&paint(RED, format!("  - {}: {}", h.name, h.value)));
            out.push('\n');
        }
        for n in &c.now_removed {
            out.push_str(&paint(
                GREEN,
                format!("  + <remove name=\"{n}\"> (an inherited {n}, if a parent config sets one, is no longer sent)"),
            ));
            out.push('\n');
        }
        for n in &c.no_longer_removed {
            out.push_str(&paint(
                RED,
                format!("  - <remove name=\"{n}\"> (an inherited {n}, if a parent config sets one, is sent again)"),
            ));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits};

    #[test]
    fn lines_split_as_similar_splits_them() {
        use similar::DiffableStr;
        let pieces = ["a", "bc", "\n", "\r", "\r\n", " ", "\u{e9}", ""];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..5_000 {
            let mut t = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                t.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            assert_eq!(lines(&t), t.tokenize_lines(), "{t:?}");
        }
    }

    /// Cutting the common lines off both ends changes no diff: seeded texts of a few kinds of
    /// lines (CRLF, LF, a lone CR, no final newline) against edits of them, diffed whole and
    /// cut. Fails when a cut keeps too little context, splits a CRLF or moves line numbers.
    #[test]
    fn a_diff_of_the_changed_middle_is_the_diff_of_the_texts() {
        let pieces = ["a", "b", "\n", "\r\n", "\r", "x\n", "x\r\n", "yy\n"];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut cut = 0;
        for _ in 0..20_000 {
            let old: Vec<&str> = (0..next(40)).map(|_| pieces[next(pieces.len())]).collect();
            let mut new = old.clone();
            for _ in 0..1 + next(3) {
                let at = next(new.len() + 1);
                match next(3) {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 if at < new.len() => new[at] = pieces[next(pieces.len())],
                    _ => new.insert(at, pieces[next(pieces.len())]),
                }
            }
            let (old, new) = (old.concat(), new.concat());
            let whole = (old != new).then(|| unified_lines((&old, &new), 0, ("o", "n"), false).0);
            assert_eq!(
                unified(&old, &new, "o", "n", false),
                whole,
                "{old:?} → {new:?}"
            );
            if old != new {
                let (head, tail, _) = unchanged_ends(&old, &new);
                cut += usize::from(head > 0 && tail > 0);
            }
        }
        // The cases cut at both ends, not only the short ones.
        assert!(cut > 1000, "{cut}");
    }

    #[test]
    fn unified_shows_line_endings_sanely() {
        let d = unified("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\nd", "old", "new", false).unwrap();
        assert_eq!(
            d,
            "--- old\n+++ new\n@@ -1,3 +1,4 @@\n a\n-b\n\\ line ending: CRLF\n+b\n\\ line ending: LF\n c\n+d\n\\ No newline at end of file\n"
        );
        assert!(unified("x", "x", "a", "b", false).is_none());
        let colored = unified("a\n", "b\n", "o", "n", true).unwrap();
        assert!(colored.contains("\x1b[31m-a\x1b[0m") && colored.contains("\x1b[32m+b\x1b[0m"));
    }

    #[test]
    fn header_changes_per_collection() {
        let old = Document::parse_str(
            r#"<configuration><system.webServer><httpProtocol><customHeaders>
               <add name="X-Frame-Options" value="DENY"/><add name="X-Old" value="1"/></customHeaders></httpProtocol></system.webServer>
               <location path="api"><system.webServer><httpProtocol><customHeaders><remove name="Server"/></customHeaders></httpProtocol></system.webServer></location></configuration>"#,
            &Limits::default(),
        )
        .unwrap();
        let new = Document::parse_str(
            r#"<configuration><system.webServer><httpProtocol><customHeaders>
               <add name="x-frame-options" value="SAMEORIGIN"/><add name="Referrer-Policy" value="no-referrer"/><remove name="X-Powered-By"/></customHeaders></httpProtocol></system.webServer></configuration>"#,
            &Limits::default(),
        )
        .unwrap();
        let ch = header_changes(old.tree(), new.tree());
        assert_eq!(ch.len(), 2);
        let top = &ch[0];
        assert_eq!(top.location, None);
        assert_eq!(
            top.added,
            vec![Header {
                name: "Referrer-Policy".into(),
                value: "no-referrer".into()
            }]
        );
        assert_eq!(
            top.changed,
            vec![ChangedHeader {
                name: "x-frame-options".into(),
                old: "DENY".into(),
                new: "SAMEORIGIN".into()
            }]
        );
        assert_eq!(
            top.removed,
            vec![Header {
                name: "X-Old".into(),
                value: "1".into()
            }]
        );
        assert_eq!(top.now_removed, vec!["X-Powered-By".to_string()]);
        assert_eq!(ch[1].location.as_deref(), Some("api"));
        assert_eq!(ch[1].no_longer_removed, vec!["Server".to_string()]);
        let text = render_header_changes(&ch, false);
        assert!(text.contains("customHeaders (top level):\n  + Referrer-Policy: no-referrer\n  ~ x-frame-options: DENY -> SAMEORIGIN\n"), "{text}");
    }
}
