//! `webxsl probe`: fetch live URLs and check what they serve (rules, drift, grade).

use std::path::PathBuf;
use std::time::Duration;

use webxsl::probe::drift::Expected;
use webxsl::probe::{self, ProbeOptions, Url, report, rules};
use webxsl::validate::{RULES, intent};
use webxsl::xml::Limits;

use super::output::{
    below_min_grade, check_ignore, list_rules, load_document, min_grade, usage, write_file_atomic,
    write_stdout,
};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// `webxsl probe`
#[derive(clap::Args, Debug)]
pub struct ProbeArgs {
    /// URLs to fetch (http:// or https://)
    #[arg(required_unless_present = "list_rules")]
    urls: Vec<String>,
    /// Report drift from this web.config: headers it sets that are missing or differ, headers
    /// it removes that are still served
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report drift from this profile (preset name or TOML/JSON file)
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Output format (html: one self-contained page)
    #[arg(long, value_enum, default_value_t = ProbeFormat::Human)]
    format: ProbeFormat,
    /// Also write an SVG badge with the grade (the lowest, with several URLs) to this file
    #[arg(long, value_name = "FILE.svg")]
    badge: Option<PathBuf>,
    /// Exit 1 when a URL grades lower than this (A+, A, A-, B+, B, B-, C+, C, C-, D+, D, D-, F)
    #[arg(long, value_name = "GRADE")]
    min_grade: Option<String>,
    /// Add a request header (repeat): 'Name: value'
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Also trust the certificates of this PEM file (a private CA)
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<PathBuf>,
    /// Accept any TLS certificate (the grade still counts an invalid one)
    #[arg(long)]
    insecure: bool,
    /// Seconds to wait to connect, and for each whole response
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Redirects followed at most
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_redirects: usize,
    /// Where to check that plain HTTP redirects to HTTPS (default: http:// on port 80 of the
    /// URL's host; an http:// URL is its own check)
    #[arg(long, value_name = "URL")]
    http_url: Option<String>,
    /// Drop the findings of a rule (repeat, or separate ids with commas)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// URLs probed at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    jobs: usize,
    /// List the rules and exit
    #[arg(long)]
    list_rules: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeFormat {
    Human,
    Json,
    Sarif,
    Html,
}

/// A `--header` argument: `Name: value`, a token name and no line breaks.
fn header(arg: &str) -> anyhow::Result<(String, String)> {
    let (n, v) = arg
        .split_once(':')
        .ok_or_else(|| usage(format!("--header {arg:?}: write 'Name: value'")))?;
    let (n, v) = (n.trim(), v.trim());
    if !webxsl::profile::is_token(n) {
        return Err(usage(format!(
            "--header {arg:?}: {n:?} is not a header name"
        )));
    }
    if webxsl::profile::bad_value_char(v).is_some() {
        return Err(usage(format!(
            "--header {arg:?}: the value has a control character"
        )));
    }
    Ok((n.to_owned(), v.to_owned()))
}

/// The certificates of a PEM file.
fn certificates(
    path: &std::path::Path,
) -> anyhow::Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| usage(format!("--ca-cert {shown}: cannot read: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| usage(format!("--ca-cert {shown}: not PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(usage(format!(
            "--ca-cert {shown}: no certificate (-----BEGIN CERTIFICATE-----) in the file"
        )));
    }
    Ok(certs)
}

pub fn run(args: ProbeArgs) -> anyhow::Result<i32> {
    let all: Vec<_> = RULES.iter().chain(rules::RULES).collect();
    if args.list_rules {
        write_stdout(list_rules(&all).as_bytes())?;
        return Ok(EXIT_OK);
    }
    let min_rank = min_grade(args.min_grade.as_deref())?;
    check_ignore(&args.ignore, &all, "probe")?;
    if !(args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(usage(format!(
            "--timeout {}: seconds, more than 0 and at most 3600",
            args.timeout
        )));
    }
    let mut roots = Vec::new();
    for p in &args.ca_cert {
        roots.extend(certificates(p)?);
    }
    let mut opts = ProbeOptions::new(roots).map_err(|e| usage(format!("--ca-cert: {e}")))?;
    opts.client.timeout = Duration::from_secs_f64(args.timeout);
    opts.client.insecure = args.insecure;
    opts.max_redirects = args.max_redirects;
    opts.jobs = args.jobs.max(1);
    opts.headers = args
        .headers
        .iter()
        .map(|h| header(h))
        .collect::<anyhow::Result<_>>()?;
    if let Some(u) = &args.http_url {
        opts.http_url = Some(Url::parse(u).map_err(|e| usage(format!("--http-url {u}: {e}")))?);
    }
    for u in &args.urls {
        Url::parse(u).map_err(|e| usage(format!("{u}: {e}")))?;
    }
    let mut expected = Expected::default();
    if let Some(path) = &args.config {
        let doc = load_document(path, &Limits::default())?;
        let e = Expected::from_config(&path.display().to_string(), &intent::intent(&doc));
        expected.sets.extend(e.sets);
        expected.removes.extend(e.removes);
    }
    if let Some(p) = &args.profile {
        let e = Expected::from_profile(&super::profiles::load(p)?);
        expected.sets.extend(e.sets);
        expected.removes.extend(e.removes);
    }
    if args.config.is_some() || args.profile.is_some() {
        opts.expected = Some(expected);
    }

    let mut results = probe::probe_all(&args.urls, &opts);
    for t in results.iter_mut().filter_map(|p| p.result.as_mut().ok()) {
        t.findings
            .retain(|f| !args.ignore.iter().any(|i| i == f.rule));
    }
    let mut out = match args.format {
        ProbeFormat::Human => report::human(&results),
        ProbeFormat::Json => serde_json::to_string_pretty(&report::json(&results))?,
        ProbeFormat::Sarif => serde_json::to_string_pretty(&report::sarif(&results))?,
        ProbeFormat::Html => webxsl::html::probe::page(&results),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let mut stderr = Vec::new();
    let mut below = false;
    for p in &results {
        match &p.result {
            Err(e) => stderr.push(format!("webxsl: error: {e}\n")),
            Ok(t) => {
                if let Some(min) = min_rank {
                    match &t.grade {
                        Some(g) => {
                            if let Some(line) = below_min_grade(&t.url, g.letter, min) {
                                stderr.push(line);
                                below = true;
                            }
                        }
                        None => {
                            stderr.push(format!(
                                "webxsl: {}: no grade (status {}), so not --min-grade {}\n",
                                t.url,
                                t.status(),
                                webxsl::validate::grade::LETTERS[min]
                            ));
                            below = true;
                        }
                    }
                }
            }
        }
    }
    write_stdout(out.as_bytes())?;
    if let Some(path) = &args.badge {
        let graded: Vec<_> = results
            .iter()
            .map(|p| {
                let grade = p.result.as_ref().ok().and_then(|t| t.grade.as_ref());
                (p.url.as_str(), grade)
            })
            .collect();
        write_file_atomic(path, webxsl::html::badge::svg("URL", &graded).as_bytes())?;
    }
    for line in &stderr {
        eprint!("{line}");
    }
    Ok(if results.iter().any(|p| p.result.is_err()) {
        EXIT_ERROR
    } else if below
        || results
            .iter()
            .filter_map(|p| p.result.as_ref().ok())
            .any(|t| t.has_errors())
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
