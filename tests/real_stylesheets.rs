//! The stylesheets of `tests/stylesheets/`, the kind teams run over web.config with xsltproc
//! (package install and uninstall transforms, connection-string and header hardening, reports,
//! an XDT reader), through `webxsl xslt` and through xsltproc on every `samples/*/web.config`:
//! standard output must be byte-identical, and both must succeed. They use the EXSLT modules
//! libxslt implements (common, strings, math, sets, dates-and-times, dyn:evaluate,
//! func:function), guarded by function-available() / element-available() as real stylesheets
//! are.
//!
//! * Each stylesheet runs on every sample (a few on extra inputs, [`EXTRA_INPUTS`]), once with
//!   its default parameters and once more per entry of [`VARIANTS`] (`--param` and
//!   `--stringparam`, which both tools take the same way).
//! * Both processes get `SOURCE_DATE_EPOCH=1767225600` and `TZ=UTC`: `date:date-time()` is then
//!   2026-01-01T00:00:00Z in libexslt, and must be in webxsl.
//! * Stylesheets xsltproc cannot run (`msxsl:node-set`, .NET's extension) are checked against
//!   an expected output written by hand ([`EXPECTED_ONLY`]).
//! * The corpus must keep using every EXSLT namespace, so that it cannot silently shrink.
//!
//! Every difference is collected and reported at once: stylesheet, input, parameters, and the
//! first line that differs.

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `date:date-time()` of both processes: 2026-01-01T00:00:00Z.
const SOURCE_DATE_EPOCH: &str = "1767225600";

/// Inputs a stylesheet runs on besides the samples' web.config files.
const EXTRA_INPUTS: &[(&str, &str)] = &[(
    "xdt-operations.xsl",
    "samples/aspnet-mvc/Web.Release.config",
)];

/// Further runs of a stylesheet with parameters (on all its inputs).
const VARIANTS: &[(&str, &[&str])] = &[
    (
        "connection-strings.xsl",
        &[
            "--stringparam",
            "server-from",
            "db",
            "--stringparam",
            "server-to",
            "db01.contoso.local",
            "--stringparam",
            "encrypt",
            "Strict",
        ],
    ),
    (
        "package-uninstall.xsl",
        &[
            "--stringparam",
            "keys",
            "webpages:Version webpages:Enabled",
            "--stringparam",
            "key-prefix",
            "",
            "--stringparam",
            "modules",
            "FormsAuthentication",
            "--stringparam",
            "assemblies",
            "System.Web.Mvc Newtonsoft.Json",
        ],
    ),
    (
        "csp-report.xsl",
        &[
            "--param",
            "width",
            "10",
            "--stringparam",
            "policy",
            "default-src 'none'; script-src 'self' 'nonce-r4nd0m' 'strict-dynamic' \
             http://legacy.contoso.example; object-src 'none'; base-uri 'none'; \
             report-uri /csp-reports",
        ],
    ),
    (
        "dyn-selector.xsl",
        &[
            "--stringparam",
            "select",
            "//*[local-name()='customHeaders']/*",
            "--stringparam",
            "label",
            "concat($prefix, local-name(), ':', @name)",
            "--stringparam",
            "prefix",
            "hdr.",
            "--stringparam",
            "where",
            "not(self::*[local-name()='clear'])",
            "--stringparam",
            "sort",
            "@value",
        ],
    ),
    (
        "release-stamp.xsl",
        &[
            "--stringparam",
            "build-date",
            "2024-02-29T08:05:09Z",
            "--stringparam",
            "version",
            "2024.02.1",
            "--stringparam",
            "support",
            "P1Y",
            "--stringparam",
            "review-every",
            "P3M",
        ],
    ),
    (
        "capacity.xsl",
        &[
            "--param",
            "users",
            "2500",
            "--param",
            "think-time",
            "12",
            "--param",
            "uplink-mbps",
            "2.5",
        ],
    ),
    (
        "settings-inventory.xsl",
        &["--param", "show-values", "false()"],
    ),
    (
        "hsts-upgrade.xsl",
        &[
            "--param",
            "min-age",
            "300",
            "--stringparam",
            "preload",
            "yes",
        ],
    ),
];

/// Stylesheets xsltproc cannot run: (stylesheet, input, expected output), all in
/// `tests/stylesheets/` but the input.
const EXPECTED_ONLY: &[(&str, &str, &str)] = &[(
    "msxsl-header-policy.xsl",
    "samples/clear-and-remove/web.config",
    "msxsl-header-policy.expected",
)];

/// The EXSLT modules libxslt implements, by namespace.
const EXSLT_NAMESPACES: &[(&str, &str)] = &[
    ("common", "http://exslt.org/common"),
    ("strings", "http://exslt.org/strings"),
    ("math", "http://exslt.org/math"),
    ("sets", "http://exslt.org/sets"),
    ("dates-and-times", "http://exslt.org/dates-and-times"),
    ("dynamic", "http://exslt.org/dynamic"),
    ("functions", "http://exslt.org/functions"),
];

fn corpus_dir() -> PathBuf {
    support::root().join("tests/stylesheets")
}

/// The stylesheets to run: `tests/stylesheets/*.xsl` (not `lib/`, which holds imported
/// modules), sorted.
fn stylesheets() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "xsl"))
        .collect();
    v.sort();
    v
}

/// Every `.xsl` file of the corpus, `lib/` included.
fn all_corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_corpus_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xsl") {
            out.push(p);
        }
    }
}

fn file_name(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

/// The same environment for both processes, so that the clock and the time zone agree.
fn pinned(mut c: Command) -> Command {
    c.env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env("TZ", "UTC")
        .current_dir(support::root());
    c
}

fn xsltproc(xsl: &Path, xml: &Path, args: &[&str]) -> Output {
    pinned(Command::new(support::xsltproc()))
        .args(args)
        .arg(xsl)
        .arg(xml)
        .output()
        .expect("run xsltproc")
}

fn webxsl(xsl: &Path, xml: &Path, args: &[&str]) -> Output {
    let mut c = pinned(support::webxsl());
    c.arg("xslt").args(args).arg(xsl).arg(xml);
    c.output().expect("run webxsl")
}

/// One run: a stylesheet on an input with parameters.
struct Job {
    xsl: PathBuf,
    xml: PathBuf,
    args: &'static [&'static str],
}

impl Job {
    fn title(&self) -> String {
        let mut t = format!("{} on {}", file_name(&self.xsl), input_name(&self.xml));
        if !self.args.is_empty() {
            let _ = write!(t, " with {}", shell_words(self.args));
        }
        t
    }
}

fn shell_words(args: &[&str]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.:/".contains(c);
    args.iter()
        .map(|a| {
            if !a.is_empty() && a.chars().all(plain) {
                (*a).to_owned()
            } else if a.contains('\'') && !a.contains(['"', '$', '`', '\\', '!']) {
                format!("\"{a}\"")
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An input as the report names it: the sample's directory, or the path.
fn input_name(xml: &Path) -> String {
    let rel = xml.strip_prefix(support::root()).unwrap_or(xml);
    match (rel.parent(), rel.file_name()) {
        (Some(dir), Some(f)) if f == "web.config" && dir.starts_with("samples") => {
            dir.file_name().unwrap().to_string_lossy().into_owned()
        }
        _ => rel.display().to_string(),
    }
}

/// A line for the report, cut to a readable length.
fn show(line: Option<&[u8]>) -> String {
    match line {
        None => "(end of output)".to_owned(),
        Some(l) => {
            let s = String::from_utf8_lossy(l);
            let s = s.strip_suffix('\r').unwrap_or(&s);
            if s.chars().count() > 160 {
                format!("{:?}...", s.chars().take(160).collect::<String>())
            } else {
                format!("{s:?}")
            }
        }
    }
}

/// Where two outputs first differ, or `None` when they are the same bytes.
fn first_difference(expected: &[u8], actual: &[u8], expected_name: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let a: Vec<&[u8]> = actual.split(|&b| b == b'\n').collect();
    let i = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    Some(format!(
        "line {} differs ({expected_name}: {} lines, {} bytes; webxsl: {} lines, {} bytes)\n    \
         {expected_name:<8} {}\n    {:<8} {}",
        i + 1,
        e.len(),
        expected.len(),
        a.len(),
        actual.len(),
        show(e.get(i).copied()),
        "webxsl",
        show(a.get(i).copied()),
    ))
}

fn stderr_head(o: &Output) -> String {
    let s = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = s.lines().take(4).collect();
    if lines.is_empty() {
        "(no message)".to_owned()
    } else {
        lines.join("\n      ")
    }
}

/// Compares one run; `None` when both agree.
fn compare(job: &Job) -> Option<String> {
    let theirs = xsltproc(&job.xsl, &job.xml, job.args);
    let ours = webxsl(&job.xsl, &job.xml, job.args);
    if !theirs.status.success() {
        // The corpus itself is broken: every stylesheet must run under xsltproc.
        return Some(format!(
            "xsltproc failed ({}), fix the stylesheet: {}",
            theirs.status,
            stderr_head(&theirs)
        ));
    }
    if !ours.status.success() {
        return Some(format!(
            "webxsl failed ({}), xsltproc succeeded: {}",
            ours.status,
            stderr_head(&ours)
        ));
    }
    first_difference(&meta_charset(&theirs.stdout), &ours.stdout, "xsltproc")
}

/// xsltproc's HTML output as a current libxml2 writes it. libxml2 2.9 (Debian 12's xsltproc)
/// announces the encoding with `<meta http-equiv="Content-Type" content="text/html;
/// charset=X">`; current libxml2, libxslt's own conformance outputs and webxsl write
/// `<meta charset="X">` (docs/xslt.md). Only that line is rewritten.
fn meta_charset(out: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(out) else {
        return out.to_vec();
    };
    let open = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=";
    match text.find(open) {
        Some(i) => match text[i + open.len()..].find("\">") {
            Some(j) => {
                let enc = &text[i + open.len()..i + open.len() + j];
                let end = i + open.len() + j + 2;
                format!("{}<meta charset=\"{enc}\">{}", &text[..i], &text[end..]).into_bytes()
            }
            None => out.to_vec(),
        },
        None => out.to_vec(),
    }
}

#[test]
fn corpus_output_is_byte_identical_to_xsltproc() {
    let sheets = stylesheets();
    let samples = support::samples();
    assert!(samples.len() >= 13, "{} samples", samples.len());
    let expected_only: Vec<&str> = EXPECTED_ONLY.iter().map(|e| e.0).collect();
    for (name, input) in EXTRA_INPUTS {
        assert!(
            corpus_dir().join(name).is_file(),
            "{name}: no such stylesheet"
        );
        assert!(
            support::root().join(input).is_file(),
            "{input}: no such input"
        );
    }
    for (name, _) in VARIANTS {
        assert!(
            corpus_dir().join(name).is_file(),
            "{name}: no such stylesheet"
        );
    }

    let mut jobs = Vec::new();
    for xsl in sheets
        .iter()
        .filter(|p| !expected_only.contains(&file_name(p)))
    {
        let name = file_name(xsl);
        let mut inputs = samples.clone();
        inputs.extend(
            EXTRA_INPUTS
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, x)| support::root().join(x)),
        );
        let mut arg_sets: Vec<&'static [&'static str]> = vec![&[]];
        arg_sets.extend(VARIANTS.iter().filter(|(n, _)| *n == name).map(|(_, a)| *a));
        for args in arg_sets {
            for xml in &inputs {
                jobs.push(Job {
                    xsl: xsl.clone(),
                    xml: xml.clone(),
                    args,
                });
            }
        }
    }
    let runnable = sheets.len() - expected_only.len();
    assert!(
        runnable >= 12,
        "only {runnable} stylesheets in tests/stylesheets"
    );

    // Both tools are separate processes: run the jobs on a few threads.
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if let Some(why) = compare(job) {
                        failures.lock().unwrap().push((i, why));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.0);

    // One entry per stylesheet, parameters and finding, with the inputs it was seen on.
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for (i, why) in &failures {
        let job = &jobs[*i];
        let mut head = file_name(&job.xsl).to_owned();
        if !job.args.is_empty() {
            let _ = write!(head, " with {}", shell_words(job.args));
        }
        let input = input_name(&job.xml);
        match groups.iter_mut().find(|g| g.0 == head && &g.1 == why) {
            Some(g) => g.2.push(input),
            None => groups.push((head, why.clone(), vec![input])),
        }
    }
    let mut report = String::new();
    for (head, why, inputs) in &groups {
        let _ = writeln!(
            report,
            "{head}\n  on {} input(s): {}\n  {why}\n",
            inputs.len(),
            inputs.join(", ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs differ from xsltproc:\n\n{report}",
        failures.len(),
        jobs.len()
    );
}

/// The stylesheets written for .NET (`msxsl:node-set`): xsltproc cannot run them, so
/// webxsl's output is compared with an expected file written by hand.
#[test]
fn msxsl_stylesheets_give_their_expected_output() {
    let mut report = String::new();
    for (sheet, input, expected) in EXPECTED_ONLY {
        let job = Job {
            xsl: corpus_dir().join(sheet),
            xml: support::root().join(input),
            args: &[],
        };
        let want = std::fs::read(corpus_dir().join(expected)).unwrap();
        let out = webxsl(&job.xsl, &job.xml, job.args);
        let why = if out.status.success() {
            first_difference(&want, &out.stdout, expected)
        } else {
            Some(format!(
                "webxsl failed ({}): {}",
                out.status,
                stderr_head(&out)
            ))
        };
        if let Some(why) = why {
            let _ = writeln!(report, "{}:\n  {why}\n", job.title());
        }
    }
    assert!(report.is_empty(), "{report}");
}

/// Every EXSLT namespace must be declared and used (a prefix bound to it appears outside its
/// declaration) somewhere in the corpus.
#[test]
fn corpus_uses_every_exslt_namespace() {
    let mut files = Vec::new();
    all_corpus_files(&corpus_dir(), &mut files);
    // Comments do not count: a header that lists functions is not a use of them.
    let texts: Vec<String> = files
        .iter()
        .map(|p| without_comments(&std::fs::read_to_string(p).unwrap()))
        .collect();
    let mut unused = Vec::new();
    for (module, uri) in EXSLT_NAMESPACES {
        let used = texts.iter().any(|text| {
            prefixes_of(text, uri).iter().any(|prefix| {
                let qname = format!("{prefix}:");
                let declaration = format!("xmlns:{prefix}=");
                text.matches(&qname).count() > text.matches(&declaration).count()
            })
        });
        if !used {
            unused.push(format!("{module} ({uri})"));
        }
    }
    assert!(
        unused.is_empty(),
        "no stylesheet in tests/stylesheets uses {}",
        unused.join(", ")
    );
    for guard in ["function-available(", "element-available("] {
        assert!(
            texts.iter().any(|t| t.contains(guard)),
            "no stylesheet guards an optional feature with {guard})"
        );
    }
}

/// An XML text without its comments.
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("-->")
            .map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

/// The prefixes a text binds to `uri` with `xmlns:PREFIX="uri"` (or single quotes).
fn prefixes_of(text: &str, uri: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("xmlns:") {
        let rest = &text[i + "xmlns:".len()..];
        let Some(eq) = rest.find('=') else { continue };
        let prefix = rest[..eq].trim();
        let value = rest[eq + 1..].trim_start();
        let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if value[1..].split(quote).next() == Some(uri) {
            out.push(prefix.to_owned());
        }
    }
    out
}

/// Every stylesheet opens with a comment that names it and says what it does.
#[test]
fn corpus_files_say_what_they_do() {
    let mut files = Vec::new();
    all_corpus_files(&corpus_dir(), &mut files);
    let mut undocumented = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let name = p.strip_prefix(corpus_dir()).unwrap().display().to_string();
        let header = text.split("<xsl:stylesheet").next().unwrap_or("");
        if !header.contains(&format!("<!--\n  {name} - ")) {
            undocumented.push(name);
        }
    }
    assert!(
        undocumented.is_empty(),
        "no header comment (\"<!--\\n  NAME - what it does\") in {}",
        undocumented.join(", ")
    );
}
