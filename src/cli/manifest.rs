//! `webxsl check`, `webxsl sync` and `webxsl init`: the repository manifest (`webxsl.toml`).

use std::path::{Path, PathBuf};

use serde_json::json;
use webxsl::diag::{Diagnostic, Pos, Severity};
use webxsl::html::check::Checked;
use webxsl::manifest::{FILE_NAME, FileCheck, Manifest, ManifestError, Plan};
use webxsl::validate::{FileReport, Finding, report, rule_by_id};

use super::output::{Failure, write_file_atomic, write_stdout};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Where the manifest is.
#[derive(clap::Args, Debug)]
pub struct ManifestArg {
    /// The manifest (default: webxsl.toml in this directory or the nearest one above)
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

/// `webxsl check`
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    manifest: ManifestArg,
    /// Output format (html: one self-contained page)
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,
    /// Also write an SVG badge with the lowest grade of the files to this file
    #[arg(long, value_name = "FILE.svg")]
    badge: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CheckFormat {
    Human,
    Json,
    Sarif,
    Html,
}

/// `webxsl sync`
#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    #[command(flatten)]
    manifest: ManifestArg,
}

/// `webxsl init`
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The repository's root (default: this directory)
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

fn failure(e: &ManifestError) -> Failure {
    Failure::diagnostic(e.diagnostic())
}

/// Finds and loads the manifest, and plans it (glob warnings printed).
fn load(arg: &ManifestArg) -> Result<(Manifest, Plan), Failure> {
    let path = match &arg.manifest {
        Some(p) => p.clone(),
        None => {
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            Manifest::find(&here).ok_or_else(|| Failure {
                code: EXIT_ERROR,
                rendered: format!(
                    "webxsl: error: no {FILE_NAME} in {} or above it (webxsl init writes one; --manifest names another)\n",
                    here.display()
                ),
            })?
        }
    };
    let m = Manifest::load(&path).map_err(|e| failure(&e))?;
    let plan = m.plan().map_err(|e| failure(&e))?;
    for w in &plan.warnings {
        eprint!("{}", w.render());
    }
    Ok((m, plan))
}

/// The manifest-level failures of a file as findings (for JSON and SARIF).
fn own_findings(c: &FileCheck) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = |rule: &'static str, message: String| {
        let r = rule_by_id(rule);
        Finding {
            rule,
            severity: r.severity,
            pos: Pos::new(1, 1),
            message,
            hint: r.hint.to_owned(),
        }
    };
    if c.drifted() {
        out.push(at(
            "manifest-drift",
            format!("{} is not what {FILE_NAME} makes of it", c.path),
        ));
    }
    for (entry, want) in &c.below {
        let got = c.report.grade.as_ref().map_or("F", |g| g.letter);
        out.push(at(
            "grade-below-minimum",
            format!("grade {got} is below min-grade {want} of [[apply]] entry {entry}"),
        ));
    }
    out
}

/// The file's report with the manifest's own failures first.
fn full_report(c: &FileCheck) -> FileReport {
    let mut r = c.report.clone();
    let mut own = own_findings(c);
    own.append(&mut r.findings);
    r.findings = own;
    r
}

fn human(m: &Manifest, checks: &[FileCheck]) -> String {
    let mut out = String::new();
    for c in checks {
        if c.entries.len() > 1 {
            out.push_str(&format!(
                "{}: matched by [[apply]] entries {}: applied in that order\n",
                c.path,
                c.entries
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(e) = &c.error {
            out.push_str(
                &Diagnostic::error(e.clone())
                    .in_file(c.path.clone())
                    .render(),
            );
            continue;
        }
        if let Some(d) = sync_diff(c) {
            out.push_str(&format!(
                "{}: not what {FILE_NAME} makes of it (webxsl sync writes it):\n",
                c.path
            ));
            out.push_str(&d);
        }
        for f in c
            .report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
        {
            out.push_str(
                &Diagnostic::error(f.message.clone())
                    .code(f.rule)
                    .in_file(c.path.clone())
                    .at(f.pos)
                    .with_source(&c.report.text)
                    .with_hint(f.hint.clone())
                    .render(),
            );
        }
        for (entry, want) in &c.below {
            let (got, score) = c
                .report
                .grade
                .as_ref()
                .map_or(("F", 0), |g| (g.letter, g.score));
            out.push_str(&format!(
                "{}: grade {got} (score {score}) is below min-grade {want} ([[apply]] entry {entry})\n",
                c.path
            ));
        }
    }
    let failed = checks.iter().filter(|c| c.failed()).count();
    let drifted = checks.iter().filter(|c| c.drifted()).count();
    out.push_str(&format!(
        "{}: {} file{} checked, {} not up to date, {} failing\n",
        m.shown(),
        checks.len(),
        if checks.len() == 1 { "" } else { "s" },
        drifted,
        failed
    ));
    out
}

/// The unified diff from a file to what the manifest makes of it, when they differ.
fn sync_diff(c: &FileCheck) -> Option<String> {
    c.new.as_ref().and_then(|new| {
        webxsl::diff::unified(
            &String::from_utf8_lossy(&c.old),
            &String::from_utf8_lossy(new),
            &format!("a/{}", c.path),
            &format!("b/{}", c.path),
            false,
        )
    })
}

/// `webxsl check`
pub fn run_check(args: CheckArgs) -> anyhow::Result<i32> {
    let (m, plan) = load(&args.manifest)?;
    let checks = webxsl::manifest::check(&m, &plan).map_err(|e| failure(&e))?;
    let text = match args.format {
        CheckFormat::Human => human(&m, &checks),
        CheckFormat::Json => {
            let files: Vec<_> = checks
                .iter()
                .map(|c| {
                    let diff = sync_diff(c);
                    let r = full_report(c);
                    json!({
                        "path": c.path,
                        "entries": c.entries,
                        "up_to_date": !c.drifted() && c.error.is_none(),
                        "failed": c.failed(),
                        "error": c.error,
                        "diff": diff,
                        "grade": r.grade.as_ref().map(|g| g.letter),
                        "score": r.grade.as_ref().map(|g| g.score),
                        "findings": report::json(std::slice::from_ref(&r))["files"][0]["findings"].clone(),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({
                "manifest": m.shown(),
                "files": files,
            }))?;
            s.push('\n');
            s
        }
        CheckFormat::Sarif => {
            let reports: Vec<FileReport> = checks.iter().map(full_report).collect();
            let mut s = serde_json::to_string_pretty(&report::sarif(&reports))?;
            s.push('\n');
            s
        }
        CheckFormat::Html => {
            let reports: Vec<FileReport> = checks.iter().map(full_report).collect();
            let diffs: Vec<Option<String>> = checks.iter().map(sync_diff).collect();
            let files: Vec<Checked<'_>> = checks
                .iter()
                .zip(&reports)
                .zip(&diffs)
                .map(|((check, report), diff)| Checked {
                    check,
                    report,
                    diff: diff.as_deref(),
                })
                .collect();
            webxsl::html::check::page(&m.shown(), &files)
        }
    };
    write_stdout(text.as_bytes())?;
    if let Some(path) = &args.badge {
        let graded: Vec<_> = checks
            .iter()
            .map(|c| (c.path.as_str(), c.report.grade.as_ref()))
            .collect();
        write_file_atomic(path, webxsl::html::badge::svg("file", &graded).as_bytes())?;
    }
    Ok(if checks.iter().any(FileCheck::failed) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `webxsl sync`
pub fn run_sync(args: SyncArgs) -> anyhow::Result<i32> {
    let (m, plan) = load(&args.manifest)?;
    let checks = webxsl::manifest::check(&m, &plan).map_err(|e| failure(&e))?;
    let mut out = String::new();
    let mut code = EXIT_OK;
    let mut todo: Vec<(&FileCheck, &Vec<u8>)> = Vec::new();
    for c in &checks {
        if let Some(e) = &c.error {
            eprint!(
                "{}",
                Diagnostic::error(e.clone())
                    .in_file(c.path.clone())
                    .render()
            );
            code = EXIT_ERROR;
            continue;
        }
        if let Some(new) = c.new.as_ref().filter(|n| **n != c.old) {
            todo.push((c, new));
        }
    }
    // Each write waits for its fsync: several threads overlap those waits.
    let results: Vec<anyhow::Result<()>> = std::thread::scope(|s| {
        let chunk = todo.len().div_ceil(8).max(1);
        let handles: Vec<_> = todo
            .chunks(chunk)
            .map(|part| {
                let root = &m.root;
                s.spawn(move || {
                    part.iter()
                        .map(|(c, new)| write_file_atomic(&root.join(Path::new(&c.path)), new))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a writer thread panicked"))
            .collect()
    });
    let mut written = 0;
    for ((c, new), r) in todo.iter().zip(results) {
        match r {
            Ok(()) => {
                written += 1;
                out.push_str(&format!("{}: updated{}\n", c.path, summary(&c.old, new)));
            }
            Err(e) => {
                eprintln!("{}: error: cannot write: {e:#}", c.path);
                code = EXIT_ERROR;
            }
        }
    }
    out.push_str(&format!(
        "{}: {} file{} written, {} already up to date\n",
        m.shown(),
        written,
        if written == 1 { "" } else { "s" },
        checks.len() - written
    ));
    write_stdout(out.as_bytes())?;
    Ok(code)
}

/// What changed in a file's headers, in words (`: +X-Frame-Options, ~Content-Security-Policy`).
fn summary(old: &[u8], new: &[u8]) -> String {
    let limits = webxsl::xml::Limits::default();
    let (Ok(a), Ok(b)) = (
        webxsl::xml::Document::parse(old, &limits),
        webxsl::xml::Document::parse(new, &limits),
    ) else {
        return String::new();
    };
    let mut words = Vec::new();
    for c in webxsl::diff::header_changes(a.tree(), b.tree()) {
        for h in &c.added {
            words.push(format!("+{}", h.name));
        }
        for h in &c.changed {
            words.push(format!("~{}", h.name));
        }
        for h in &c.removed {
            words.push(format!("-{}", h.name));
        }
    }
    if words.is_empty() {
        String::new()
    } else {
        format!(": {}", words.join(", "))
    }
}

/// `webxsl init`
pub fn run_init(args: InitArgs) -> anyhow::Result<i32> {
    let path = args.dir.join(FILE_NAME);
    if path.exists() {
        eprintln!(
            "webxsl: error: {} exists; init never overwrites a manifest",
            path.display()
        );
        return Ok(EXIT_ERROR);
    }
    let files = webxsl::manifest::find_configs(&args.dir);
    let text = webxsl::manifest::starter(&files);
    write_file_atomic(&path, text.as_bytes())?;
    println!(
        "{}: written, {} web.config file{} found; webxsl check shows what it would change",
        path.display(),
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    Ok(EXIT_OK)
}
