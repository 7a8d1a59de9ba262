//! `check` (and `sync`, which writes what check computes): every file the manifest covers gets
//! its entries in manifest order — profile, then stylesheet, then XDT transforms — in memory, as
//! minimal edits; the result is compared with the file and validated (error-level findings and
//! the entries' `min-grade`). Stylesheets and transforms are compiled once per entry; files are
//! checked on every core.

use std::path::Path;

use super::{Manifest, ManifestError, Plan};
use crate::apply::{ApplyOptions, ProfileTransform, apply_stylesheet, apply_transforms};
use crate::validate::{FileReport, ValidateOptions, grade, validate};
use crate::xdt::XdtTransform;
use crate::xml::Limits;
use crate::xpath::ExpandedName;
use crate::xslt::{ParamValue, Stylesheet, TransformOptions};

/// What the manifest makes of one file.
#[derive(Debug)]
pub struct FileCheck {
    /// The file, relative to the manifest's directory, `/`-separated.
    pub path: String,
    /// The numbers of the entries it gets, in order.
    pub entries: Vec<usize>,
    /// Its bytes now.
    pub old: Vec<u8>,
    /// What the manifest makes of it (`None` if that failed: see `error`).
    pub new: Option<Vec<u8>>,
    /// Why it could not be computed.
    pub error: Option<String>,
    /// The validation of the result (of the file as it is when the result failed).
    pub report: FileReport,
    /// Each `min-grade` the result misses: (entry number, required letter).
    pub below: Vec<(usize, String)>,
}

impl FileCheck {
    /// Whether the file is not what the manifest makes of it.
    pub fn drifted(&self) -> bool {
        self.new.as_ref().is_some_and(|n| *n != self.old)
    }

    /// Whether the file fails the check: drift, an error, an error-level finding, a low grade.
    pub fn failed(&self) -> bool {
        self.drifted() || self.error.is_some() || self.report.has_errors() || !self.below.is_empty()
    }
}

/// What an entry runs, compiled.
struct Compiled {
    profile: Option<ProfileTransform>,
    xsl: Option<(Stylesheet, TransformOptions)>,
    xdt: Vec<XdtTransform>,
}

impl Manifest {
    /// Compiles what the entries run; a stylesheet or transform that does not compile is an
    /// error at its own position.
    fn compile(&self, plan: &Plan) -> Result<Vec<Compiled>, ManifestError> {
        plan.entries
            .iter()
            .map(|e| {
                let profile = e.profile.as_ref().map(ProfileTransform::new);
                let xsl = match &e.xsl {
                    Some((path, params)) => {
                        let sheet = Stylesheet::from_file(path)
                            .map_err(|x| super::ManifestError(Box::new(x.to_diagnostic())))?;
                        let opts = TransformOptions {
                            params: params
                                .iter()
                                .map(|(k, v)| {
                                    (ExpandedName::local(k), ParamValue::XPath(v.clone()))
                                })
                                .collect(),
                            ..TransformOptions::default()
                        };
                        Some((sheet, opts))
                    }
                    None => None,
                };
                let mut xdt = Vec::new();
                for path in &e.xdt {
                    let name = path.display().to_string();
                    let bytes = std::fs::read(path)
                        .map_err(|x| self.error_at(0, format!("cannot read {name}: {x}")))?;
                    let t =
                        XdtTransform::parse(&bytes, &name, &Limits::default()).map_err(|x| {
                            let first = x.0.first().map(|m| m.to_diagnostic(&name));
                            super::ManifestError(Box::new(first.unwrap_or_else(|| {
                                crate::diag::Diagnostic::error("the transform does not load")
                                    .in_file(&name)
                            })))
                        })?;
                    xdt.push(t);
                }
                Ok(Compiled { profile, xsl, xdt })
            })
            .collect()
    }
}

/// Checks every file of the plan.
pub fn check(m: &Manifest, plan: &Plan) -> Result<Vec<FileCheck>, ManifestError> {
    let compiled = m.compile(plan)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = plan.files.len().div_ceil(threads).max(1);
    let mut out: Vec<FileCheck> = Vec::with_capacity(plan.files.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = plan
            .files
            .chunks(chunk)
            .map(|files| {
                let compiled = &compiled;
                s.spawn(move || {
                    files
                        .iter()
                        .map(|(path, entries)| check_file(m, plan, compiled, path, entries))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            out.extend(h.join().expect("a check thread panicked"));
        }
    });
    Ok(out)
}

fn check_file(
    m: &Manifest,
    plan: &Plan,
    compiled: &[Compiled],
    path: &str,
    entries: &[usize],
) -> FileCheck {
    let full = m.root.join(Path::new(path));
    let numbers: Vec<usize> = entries.iter().map(|&i| plan.entries[i].number).collect();
    let old = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) => {
            return FileCheck {
                path: path.to_owned(),
                entries: numbers,
                old: Vec::new(),
                new: None,
                error: Some(format!("cannot read: {e}")),
                report: validate(path, b"", &ValidateOptions::default()),
                below: Vec::new(),
            };
        }
    };
    let mut cur = old.clone();
    let mut error = None;
    for &i in entries {
        let (e, c) = (&plan.entries[i], &compiled[i]);
        if let Err(msg) = run_entry(c, &mut cur) {
            error = Some(format!("[[apply]] entry {}: {msg}", e.number));
            break;
        }
    }
    let ignore: Vec<String> = entries
        .iter()
        .flat_map(|&i| plan.entries[i].ignore.iter().cloned())
        .collect();
    let opts = ValidateOptions {
        ignore,
        ..ValidateOptions::default()
    };
    let (new, report) = if error.is_none() {
        let r = validate(path, &cur, &opts);
        (Some(cur), r)
    } else {
        (None, validate(path, &old, &opts))
    };
    let below = entries
        .iter()
        .filter_map(|&i| {
            let e = &plan.entries[i];
            let want = e.min_grade.as_ref()?;
            let got = report.grade.as_ref().map_or("F", |g| g.letter);
            (grade::rank(got) > grade::rank(want)).then(|| (e.number, want.clone()))
        })
        .collect();
    FileCheck {
        path: path.to_owned(),
        entries: numbers,
        old,
        new,
        error,
        report,
        below,
    }
}

/// Runs one entry on the bytes, in place.
fn run_entry(c: &Compiled, cur: &mut Vec<u8>) -> Result<(), String> {
    if let Some(profile) = &c.profile {
        *cur = profile
            .apply(cur, &ApplyOptions::default())
            .map_err(|x| x.to_string())?
            .bytes;
    }
    if let Some((sheet, topts)) = &c.xsl {
        let opts = ApplyOptions {
            transform: topts.clone(),
            ..ApplyOptions::default()
        };
        *cur = apply_stylesheet(sheet, cur, &opts)
            .map_err(|x| x.to_string())?
            .bytes;
    }
    if !c.xdt.is_empty() {
        let chain: Vec<&XdtTransform> = c.xdt.iter().collect();
        *cur = apply_transforms(&chain, cur, &ApplyOptions::default())
            .map_err(|x| x.to_string())?
            .bytes;
    }
    Ok(())
}
