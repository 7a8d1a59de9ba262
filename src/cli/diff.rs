//! `webxsl diff`: a unified diff plus the header changes of each collection.

use std::path::PathBuf;

use webxsl::diff::{CollectionChange, header_changes, render_header_changes, unified};
use webxsl::html;
use webxsl::validate::{ValidateOptions, validate_document};
use webxsl::xml::{Document, Limits};

use super::output::{load_document, write_stdout};
use super::{ColorChoice, EXIT_FINDINGS, EXIT_OK};

/// `webxsl diff`
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The original file
    old: PathBuf,
    /// The changed file
    new: PathBuf,
    /// Output format (html: one self-contained page, before and after side by side)
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Json,
    Html,
}

#[derive(serde::Serialize)]
struct JsonDiff<'a> {
    old: String,
    new: String,
    changed: bool,
    unified: Option<String>,
    headers: &'a [CollectionChange],
}

/// Exit code: 0 when the files are equal, 1 when they differ (as diff(1)), 2 on errors.
pub fn run(args: DiffArgs) -> anyhow::Result<i32> {
    let old = load_document(&args.old, &Limits::default())?;
    let new = load_document(&args.new, &Limits::default())?;
    let (on, nn) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let same_bytes = old.text() == new.text() && old.encoding() == new.encoding();
    let changes = header_changes(old.tree(), new.tree());
    match args.format {
        DiffFormat::Json => {
            let j = JsonDiff {
                old: on.clone(),
                new: nn.clone(),
                changed: !same_bytes,
                unified: unified(old.text(), new.text(), &on, &nn, false),
                headers: &changes,
            };
            let mut s = serde_json::to_string_pretty(&j)?;
            s.push('\n');
            write_stdout(s.as_bytes())?;
        }
        DiffFormat::Html => {
            // Both sides graded and checked as validate would, for the grade before → after.
            let opts = ValidateOptions::default();
            let (ro, rn) = (
                validate_document(&on, &old, &opts),
                validate_document(&nn, &new, &opts),
            );
            let (eo, en) = (describe(&old), describe(&new));
            let side = |label, report, encoding| html::diff::Side {
                label,
                report,
                encoding,
            };
            let page = html::diff::page(
                &side(&on, &ro, &eo),
                &side(&nn, &rn, &en),
                &changes,
                unified(old.text(), new.text(), &on, &nn, false).as_deref(),
            );
            write_stdout(page.as_bytes())?;
        }
        DiffFormat::Human => {
            let color = super::apply::use_color_choice(args.color);
            let mut out = String::new();
            if old.encoding() != new.encoding() {
                out.push_str(&format!(
                    "encoding: {} -> {}\n",
                    describe(&old),
                    describe(&new)
                ));
            }
            if let Some(u) = unified(old.text(), new.text(), &on, &nn, color) {
                out.push_str(&u);
            }
            if !changes.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&render_header_changes(&changes, color));
            } else if !same_bytes {
                out.push_str("\nno header changes\n");
            }
            write_stdout(out.as_bytes())?;
        }
    }
    Ok(if same_bytes { EXIT_OK } else { EXIT_FINDINGS })
}

fn describe(d: &Document) -> String {
    let e = d.encoding();
    format!(
        "{}{}",
        e.encoding.name(),
        if e.bom { " with BOM" } else { "" }
    )
}
