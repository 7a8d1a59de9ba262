//! `webxsl inspect`: what webxsl sees in a file (encoding, line endings, indentation, structure).

use std::fmt::Write as _;
use std::path::PathBuf;

use webxsl::xml::{Document, Encoding, Limits, LineEnding, NodeId, NodeKind};

use super::output::{Failure, load_document, write_stdout};
use super::{EXIT_ERROR, EXIT_OK};

/// `webxsl inspect`
#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// Files to inspect
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Also print the element outline with line:column and byte ranges
    #[arg(long)]
    tree: bool,
}

pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
    let mut code = EXIT_OK;
    for path in &args.files {
        match load_document(path, &Limits::default()) {
            Ok(doc) => {
                let mut out = summary(&path.display().to_string(), &doc);
                if args.tree {
                    outline(&doc, &mut out);
                }
                write_stdout(out.as_bytes())?;
            }
            Err(Failure { rendered, .. }) => {
                eprint!("{rendered}");
                code = EXIT_ERROR;
            }
        }
    }
    Ok(code)
}

fn summary(name: &str, doc: &Document) -> String {
    let t = doc.tree();
    let enc = doc.encoding();
    let encoding = match enc.encoding {
        Encoding::Utf16Le => "UTF-16 LE",
        Encoding::Utf16Be => "UTF-16 BE",
        e => e.name(),
    };
    let bom = if enc.bom { " with BOM" } else { "" };
    let crlf = doc.text().matches("\r\n").count();
    let lf = doc.text().matches('\n').count() - crlf;
    let endings = match (crlf, lf) {
        (0, 0) => "none (one line)".to_string(),
        (_, 0) => "CRLF".to_string(),
        (0, _) => "LF".to_string(),
        _ => format!(
            "mixed ({crlf} CRLF, {lf} LF; new lines use {})",
            if doc.line_ending() == LineEnding::CrLf {
                "CRLF"
            } else {
                "LF"
            }
        ),
    };
    let indent = match doc.indent_unit() {
        None => "none".to_string(),
        Some(u) if u.chars().all(|c| c == ' ') => format!("{} spaces", u.len()),
        Some(u) if u.chars().all(|c| c == '\t') => format!("{} tab(s)", u.len()),
        Some(u) => format!("{u:?}"),
    };
    let elements = t
        .descendants(NodeId::ROOT)
        .filter(|&n| t.kind(n) == NodeKind::Element)
        .count();
    let root = t
        .root_element()
        .expect("parsed documents have a root element");
    let ns = t.namespace_uri(root);
    let mut out = String::new();
    let _ = writeln!(out, "{name}");
    let _ = writeln!(out, "  encoding:      {encoding}{bom}");
    let _ = writeln!(out, "  line endings:  {endings}");
    let _ = writeln!(
        out,
        "  trailing newline: {}",
        if doc.text().ends_with('\n') {
            "yes"
        } else {
            "no"
        }
    );
    let _ = writeln!(out, "  indentation:   {indent}");
    let _ = writeln!(
        out,
        "  root element:  <{}>{}",
        t.qualified_name(root),
        if ns.is_empty() {
            String::new()
        } else {
            format!(" in namespace {ns}")
        }
    );
    let _ = writeln!(out, "  elements:      {elements}");
    let lossless = doc.verify_spans().is_ok() && doc.rebuild_text() == doc.text();
    let _ = writeln!(
        out,
        "  lossless:      {}",
        if lossless {
            "yes (spans verified)"
        } else {
            "NO"
        }
    );
    out
}

fn outline(doc: &Document, out: &mut String) {
    let t = doc.tree();
    let lines = webxsl::diag::LineIndex::new(doc.text());
    let mut stack = vec![(NodeId::ROOT, 0usize)];
    while let Some((n, depth)) = stack.pop() {
        if t.kind(n) == NodeKind::Element {
            let span = t.span(n);
            let pos = lines.pos(doc.text(), span.start);
            let attrs: Vec<String> = t
                .attributes(n)
                .map(|a| format!("{}={:?}", t.qualified_name(a), t.value(a)))
                .collect();
            let _ = writeln!(
                out,
                "  {:>5}:{:<3} {}<{}{}{}>  [{}..{}]",
                pos.line,
                pos.col,
                "  ".repeat(depth.saturating_sub(1)),
                t.qualified_name(n),
                if attrs.is_empty() { "" } else { " " },
                attrs.join(" "),
                span.start,
                span.end
            );
        }
        let kids: Vec<NodeId> = t.element_children(n).collect();
        stack.extend(kids.into_iter().rev().map(|c| (c, depth + 1)));
    }
}
