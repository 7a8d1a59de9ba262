//! `webxsl csp`: learn a Content-Security-Policy change from violation reports (`learn`), and
//! collect reports for sites that have no collector (`collect`).

use std::io::Read as _;
use std::net::ToSocketAddrs as _;
use std::path::PathBuf;

use serde_json::{Value, json};
use webxsl::diag::{Diagnostic, Severity};
use webxsl::profile::csp;
use webxsl::reports::collect::{self, CollectOptions, Stop};
use webxsl::reports::edit::{self, EditError, HeaderPolicy};
use webxsl::reports::learn::{self, Blocked, Disposition, Group, Learned, Proposal, Status};
use webxsl::reports::parse::{self, Parsed};
use webxsl::reports::time::format_rfc3339;

use super::apply::{expand_files, read_failure, use_color_choice};
use super::output::{Failure, write_file_atomic, write_stdout};
use super::{ColorChoice, EXIT_ERROR, EXIT_OK};

/// `webxsl csp`
#[derive(clap::Args, Debug)]
pub struct CspArgs {
    #[command(subcommand)]
    command: CspCommand,
}

#[derive(clap::Subcommand, Debug)]
enum CspCommand {
    /// Group CSP violation reports and propose the smallest change to a profile's policy
    Learn(LearnArgs),
    /// Run a small HTTP server that appends the reports browsers POST to a JSON-lines file
    Collect(CollectArgs),
}

/// `webxsl csp learn`
#[derive(clap::Args, Debug)]
pub struct LearnArgs {
    /// Report files or glob patterns: csp-report bodies, Reporting API batches, JSON lines or
    /// arrays, log lines (none or `-`: standard input)
    #[arg(value_name = "REPORTS")]
    reports: Vec<String>,
    /// The profile (TOML or JSON file) whose Content-Security-Policy to change; without it the
    /// change is made to the policy the reports name (original-policy)
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Edit the profile in place (atomically; comments, order and formatting kept) instead of
    /// printing the diff
    #[arg(long, requires = "profile")]
    write: bool,
    /// Keep only the reports of pages of this origin (https://www.example.com)
    #[arg(long, value_name = "ORIGIN")]
    site: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = LearnFormat::Human)]
    format: LearnFormat,
    /// Colour the diff
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LearnFormat {
    Human,
    Json,
}

/// `webxsl csp collect`
#[derive(clap::Args, Debug)]
pub struct CollectArgs {
    /// Address to listen on (127.0.0.1:8080; port 0 picks a free one)
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// JSON-lines file the reports are appended to (created if missing)
    #[arg(long, value_name = "FILE.jsonl")]
    out: PathBuf,
    /// Stop after writing this many reports
    #[arg(long, value_name = "N")]
    max_reports: Option<u64>,
    /// Seconds a client may take to send a request's headers, and its body
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    read_timeout: f64,
    /// Connections served at once (more wait in the listen queue)
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_connections: usize,
}

pub fn run(args: CspArgs) -> anyhow::Result<i32> {
    match args.command {
        CspCommand::Learn(a) => run_learn(a),
        CspCommand::Collect(a) => run_collect(a),
    }
}

fn usage(message: String) -> anyhow::Error {
    Failure {
        code: EXIT_ERROR,
        rendered: format!("webxsl: error: {message}\n"),
    }
    .into()
}

/// The policy a disposition's proposal changes, and where it comes from.
struct Base {
    disposition: Disposition,
    /// The header, as the profile names it.
    header: String,
    /// `profile` or `reports` (their original-policy).
    from: &'static str,
    policy: Vec<(String, Vec<String>)>,
}

fn run_learn(args: LearnArgs) -> anyhow::Result<i32> {
    let site = match &args.site {
        None => None,
        Some(s) => Some(webxsl::reports::origin_of(s).ok_or_else(|| {
            usage(format!(
                "--site {s}: not an origin (scheme://host[:port], e.g. https://www.example.com)"
            ))
        })?),
    };
    // The profile first: a broken one fails before any report is read.
    let profile = match &args.profile {
        None => None,
        Some(p) => {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| read_failure(&name, &e))?;
            let json = p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                || text.trim_start().starts_with('{');
            let loaded = webxsl::profile::parse(&text, json, Some(&name))
                .map_err(|e| Failure::diagnostic(&e.to_diagnostic()))?;
            Some((name, text, loaded))
        }
    };
    let (inputs, parsed) = read_inputs(&args.reports)?;
    let learned = learn::learn(&parsed.reports, &learn::LearnOptions { site: site.clone() });

    let mut bases = Vec::new();
    for d in learn::dispositions(&learned) {
        let base = match &profile {
            Some((_, _, p)) => edit::target(p, d).map(|HeaderPolicy { header, policy }| Base {
                disposition: d,
                header,
                from: "profile",
                policy,
            }),
            None => learn::reported_policy(&parsed.reports, d).map(|p| Base {
                disposition: d,
                header: d.header().to_owned(),
                from: "reports",
                policy: csp::parse(&p)
                    .into_iter()
                    .map(|x| (x.name, x.values))
                    .collect(),
            }),
        };
        bases.extend(base);
    }
    let proposals: Vec<(&Base, Proposal)> = bases
        .iter()
        .map(|b| (b, learn::propose(&b.policy, &learned, b.disposition)))
        .collect();

    // The profile's edit: one diff (or write) for every header that changes.
    let mut diff = None;
    let mut written = false;
    if let Some((name, text, _)) = &profile {
        let mut edits: Vec<(String, Vec<learn::Change>)> = Vec::new();
        for (b, p) in &proposals {
            if p.is_empty() {
                continue;
            }
            match edits.iter_mut().find(|(h, _)| *h == b.header) {
                // Enforced and report-only reports may both change one header.
                Some((_, changes)) => merge(changes, &p.changes),
                None => edits.push((b.header.clone(), p.changes.clone())),
            }
        }
        if !edits.is_empty() {
            match edit::edit(text, name, &edits) {
                Ok(new) => {
                    if args.write {
                        write_file_atomic(std::path::Path::new(name), new.as_bytes())?;
                        written = true;
                    } else {
                        let color =
                            args.format == LearnFormat::Human && use_color_choice(args.color);
                        diff = webxsl::diff::unified(
                            text,
                            &new,
                            &format!("a/{name}"),
                            &format!("b/{name}"),
                            color,
                        );
                    }
                }
                // A JSON profile is not edited: the proposal is shown as policies.
                Err(EditError::Json) if !args.write => {}
                Err(e) => return Err(Failure::diagnostic(&e.to_diagnostic(name, text)).into()),
            }
        }
    }

    let out = match args.format {
        LearnFormat::Human => {
            for b in &parsed.bad {
                let d = Diagnostic::error(b.error.to_string())
                    .severity(Severity::Warning)
                    .in_file(b.file.clone())
                    .at(webxsl::diag::Pos::new(b.line, 1));
                eprint!("{}", d.render());
            }
            human(
                &inputs,
                &parsed,
                &learned,
                &args,
                &proposals,
                diff.as_deref(),
                written,
            )
        }
        LearnFormat::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(
                &inputs,
                &parsed,
                &learned,
                &proposals,
                diff.as_deref(),
                written,
            ))?;
            s.push('\n');
            s
        }
    };
    write_stdout(out.as_bytes())?;
    if written && let Some((name, _, _)) = &profile {
        eprintln!("webxsl: {name}: Content-Security-Policy updated");
    }
    Ok(EXIT_OK)
}

/// Merges another disposition's changes to the same header.
fn merge(into: &mut Vec<learn::Change>, more: &[learn::Change]) {
    for c in more {
        match into.iter_mut().find(|x| x.directive == c.directive) {
            Some(x) => {
                for s in &c.add {
                    if !x.add.contains(s) && !x.base.contains(s) {
                        x.add.push(s.clone());
                    }
                }
            }
            None => into.push(c.clone()),
        }
    }
}

/// Reads every input (stdin when none); unreadable files and unmatched patterns fail the run.
fn read_inputs(args: &[String]) -> anyhow::Result<(Vec<String>, Parsed)> {
    let mut parsed = Parsed::default();
    if args.is_empty() || args == ["-"] {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        parsed.extend(parse::parse_bytes("<stdin>", &bytes));
        return Ok((vec!["<stdin>".into()], parsed));
    }
    let files = expand_files(args)?;
    let mut names = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f).map_err(|e| read_failure(&name, &e))?;
        parsed.extend(parse::parse_bytes(&name, &bytes));
        names.push(name);
    }
    Ok((names, parsed))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn status_for<'a>(proposals: &'a [(&Base, Proposal)], g: &Group) -> Option<(&'a Base, Status)> {
    proposals
        .iter()
        .find(|(b, _)| b.disposition == g.disposition)
        .map(|(b, _)| (*b, learn::status(&b.policy, g)))
}

fn status_text(status: Option<(&Base, Status)>, g: &Group) -> String {
    match status {
        Some((
            _,
            Status::Add {
                directive,
                source,
                created_from: None,
            },
        )) => {
            format!("add {source} to {directive}")
        }
        Some((
            _,
            Status::Add {
                directive,
                source,
                created_from: Some(f),
            },
        )) => {
            format!(
                "add {directive} with {source}, starting from the sources it inherited from {f}"
            )
        }
        Some((_, Status::Allowed { directive })) => {
            format!("already allowed by {directive} (the reports come from an older policy)")
        }
        Some((_, Status::Unrestricted)) => "the policy does not restrict it".into(),
        Some((_, Status::WayOut(w))) => format!("not proposed: {w}"),
        None => match &g.blocked {
            Blocked::Origin(_) | Blocked::Scheme(_) => format!(
                "allow {} in {} (no policy to change: give --profile, or send reports with original-policy)",
                g.blocked.label(),
                g.directive
            ),
            _ => format!("not proposed: {}", learn::way_out(g)),
        },
    }
}

fn seen(g: &Group) -> String {
    match (g.first_seen, g.last_seen) {
        (Some(f), Some(l)) if f == l => format!(", seen {}", format_rfc3339(f)),
        (Some(f), Some(l)) => format!(", {} .. {}", format_rfc3339(f), format_rfc3339(l)),
        _ => String::new(),
    }
}

fn human(
    inputs: &[String],
    parsed: &Parsed,
    learned: &Learned,
    args: &LearnArgs,
    proposals: &[(&Base, Proposal)],
    diff: Option<&str>,
    written: bool,
) -> String {
    let mut out = format!(
        "{} from {}",
        plural(learned.total, "report"),
        plural(inputs.len(), "input")
    );
    if !parsed.bad.is_empty() {
        out.push_str(&format!(
            ", {} (on stderr)",
            plural(parsed.bad.len(), "bad line")
        ));
    }
    if let Some(site) = &args.site {
        out.push_str(&format!(", {} outside {site}", learned.outside_site));
    }
    if parsed.other_types > 0 {
        out.push_str(&format!(
            ", {} of other types skipped",
            plural(parsed.other_types, "report")
        ));
    }
    out.push('\n');
    let mut current = None;
    for g in &learned.groups {
        if current != Some(g.disposition) {
            current = Some(g.disposition);
            let what = match g.disposition {
                Disposition::Enforce => "enforced",
                Disposition::Report => "report-only",
            };
            out.push_str(&format!("\n{what} ({}):\n", g.disposition.header()));
        }
        out.push_str(&format!(
            "  {}  {}  ({}{})\n",
            g.directive,
            g.blocked.label(),
            plural(g.count, "report"),
            seen(g)
        ));
        if !g.pages.is_empty() {
            out.push_str(&format!("      pages: {}\n", g.pages.join(", ")));
        }
        out.push_str(&format!(
            "      -> {}\n",
            status_text(status_for(proposals, g), g)
        ));
    }
    for (b, p) in proposals {
        if p.is_empty() {
            continue;
        }
        let show_policy = b.from == "reports" || (diff.is_none() && !written);
        if show_policy {
            let from = if b.from == "reports" {
                "the reports' original-policy, changed"
            } else {
                "the profile's, changed"
            };
            out.push_str(&format!(
                "\nproposed {} ({from}):\n  {}\n",
                b.header,
                csp::render(&p.after)
            ));
        }
    }
    if let Some(d) = diff {
        out.push('\n');
        out.push_str(d);
    }
    if written && let Some(p) = &args.profile {
        out.push_str(&format!("\n{}: updated\n", p.display()));
    }
    if proposals.iter().all(|(_, p)| p.is_empty()) {
        out.push_str("\nno change to propose\n");
    }
    out
}

fn to_json(
    inputs: &[String],
    parsed: &Parsed,
    learned: &Learned,
    proposals: &[(&Base, Proposal)],
    diff: Option<&str>,
    written: bool,
) -> Value {
    let time = |t: Option<i64>| t.map(format_rfc3339);
    let groups: Vec<Value> = learned
        .groups
        .iter()
        .map(|g| {
            let status = match status_for(proposals, g) {
                Some((_, Status::Add { directive, source, created_from })) => json!({
                    "action": "add", "directive": directive, "source": source, "created-from": created_from,
                }),
                Some((_, Status::Allowed { directive })) => json!({"action": "allowed", "directive": directive}),
                Some((_, Status::Unrestricted)) => json!({"action": "unrestricted"}),
                Some((_, Status::WayOut(w))) => json!({"action": "way-out", "advice": w}),
                None => match &g.blocked {
                    Blocked::Origin(_) | Blocked::Scheme(_) => json!({"action": "no-policy"}),
                    _ => json!({"action": "way-out", "advice": learn::way_out(g)}),
                },
            };
            json!({
                "disposition": g.disposition.as_str(),
                "directive": g.directive,
                "blocked": g.blocked.label(),
                "kind": g.blocked.kind(),
                "count": g.count,
                "first-seen": time(g.first_seen),
                "last-seen": time(g.last_seen),
                "pages": g.pages,
                "samples": g.samples,
                "status": status,
            })
        })
        .collect();
    let proposals: Vec<Value> = proposals
        .iter()
        .map(|(b, p)| {
            json!({
                "disposition": b.disposition.as_str(),
                "header": b.header,
                "from": b.from,
                "before": csp::render(&p.before),
                "after": csp::render(&p.after),
                "changes": p.changes.iter().map(|c| json!({
                    "directive": c.directive,
                    "add": c.add,
                    "created-from": c.created_from,
                    "base": c.base,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "inputs": inputs,
        "reports": learned.total,
        "outside-site": learned.outside_site,
        "other-types": parsed.other_types,
        "bad-lines": parsed.bad.iter().map(|b| json!({
            "file": b.file, "line": b.line, "message": b.error.to_string(),
        })).collect::<Vec<_>>(),
        "groups": groups,
        "proposals": proposals,
        "diff": diff,
        "written": written,
    })
}

fn run_collect(args: CollectArgs) -> anyhow::Result<i32> {
    let listen = args
        .listen
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            usage(format!(
                "--listen {}: not an address (HOST:PORT, e.g. 127.0.0.1:8080)",
                args.listen
            ))
        })?;
    if !(args.read_timeout.is_finite() && args.read_timeout > 0.0 && args.read_timeout <= 3600.0) {
        return Err(usage(format!(
            "--read-timeout {}: a number of seconds between 0 and 3600",
            args.read_timeout
        )));
    }
    let mut opts = CollectOptions::new(listen, args.out.clone());
    opts.max_reports = args.max_reports;
    opts.max_connections = args.max_connections.max(1);
    opts.read_timeout = std::time::Duration::from_secs_f64(args.read_timeout);
    let summary = collect::run(&opts, |addr| {
        eprintln!("listening on {addr}");
    })
    .map_err(|e| usage(e.to_string()))?;
    let why = match summary.stopped_by {
        Stop::Signal => "stopped by a signal",
        Stop::MaxReports => "--max-reports reached",
    };
    eprintln!(
        "webxsl: {} written to {} ({why})",
        plural(summary.written as usize, "report"),
        args.out.display()
    );
    Ok(EXIT_OK)
}
