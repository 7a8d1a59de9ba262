//! The repository manifest, `webxsl.toml`: named profiles (inline, or in files, extending a
//! preset or each other) and `[[apply]]` entries that say which web.config files get what, in
//! which order, and what they must pass. `webxsl check` computes in memory what the manifest
//! makes of every file and reports the drift; `webxsl sync` writes it; `webxsl init` writes a
//! starter manifest.
//!
//! ```toml
//! [profiles.site]
//! extends = "recommended"                 # a preset, another profile here, or a profile file
//! drop = ["X-XSS-Protection"]             # headers of the base not to set
//! [profiles.site.headers]                 # headers added or changed (profile syntax)
//! X-Frame-Options = "SAMEORIGIN"
//! [profiles.site.csp.add]                 # CSP sources added per directive
//! img-src = ["https://images.example"]
//! [profiles.site.csp.remove]              # and removed
//! img-src = ["data:"]
//! [profiles.site.permissions]             # Permissions-Policy features set
//! geolocation = ["self"]
//! [profiles.site.cookies]                 # cookie and server settings, as in a profile
//! same-site = "Strict"
//!
//! [[apply]]
//! files = ["apps/*/web.config", "!apps/legacy/web.config"]
//! profile = "site"                        # then, in this order, if given:
//! xsl = "templates/extra.xsl"             # a stylesheet, with its parameters (XPath)
//! params = { env = "'prod'" }
//! xdt = ["Web.Release.config"]            # XDT transforms, chained
//! min-grade = "A"                         # validate's grade the result must reach
//! ignore = ["csp-report-to-only"]         # rules not to count
//! locations = true                        # the profile also patches <location> sections
//! ```
//!
//! The pipeline: [`Manifest::load`] (TOML with positions; every mistake is a
//! `webxsl.toml:line:col` diagnostic, unknown keys with a did-you-mean) → [`Manifest::profile`]
//! resolves a profile (`resolve.rs`: `extends` chains, cycles refused) → [`Manifest::plan`]
//! expands the globs into files and the entries each gets, in manifest order → [`check`]
//! (`run.rs`) applies them in memory and validates the result. `init.rs` writes a starter.

mod init;
mod resolve;
mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Pos, Severity, line_col, line_text};

pub use init::{find_configs, starter};
pub use run::{FileCheck, check};

/// The manifest's file name.
pub const FILE_NAME: &str = "webxsl.toml";

/// A problem of the manifest: where (`webxsl.toml:line:col`, or another file it names) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.message)]
pub struct ManifestError(pub Box<Diagnostic>);

impl ManifestError {
    /// The diagnostic to print.
    pub fn diagnostic(&self) -> &Diagnostic {
        &self.0
    }
}

/// A loaded manifest.
#[derive(Debug)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    /// Its directory: globs, stylesheets, transforms and profile files are relative to it.
    pub root: PathBuf,
    text: String,
    raw: RawManifest,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    profiles: BTreeMap<String, Spanned<toml::Table>>,
    #[serde(default)]
    apply: Vec<Spanned<RawApply>>,
}

/// One `[[apply]]` entry as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawApply {
    files: Vec<Spanned<String>>,
    profile: Option<Spanned<String>>,
    xsl: Option<Spanned<String>>,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    xdt: Option<Spanned<OneOrMany>>,
    min_grade: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    locations: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// What an `[[apply]]` entry does to a file, resolved.
#[derive(Clone, Debug)]
pub struct Entry {
    /// 1-based number of the entry in the manifest.
    pub number: usize,
    /// Where it starts in the manifest.
    pub pos: Pos,
    /// The profile, resolved.
    pub profile: Option<crate::profile::Profile>,
    /// The stylesheet and its parameters (XPath expressions).
    pub xsl: Option<(PathBuf, Vec<(String, String)>)>,
    /// XDT transforms, in order.
    pub xdt: Vec<PathBuf>,
    /// The grade the result must reach.
    pub min_grade: Option<String>,
    /// Rules not to count.
    pub ignore: Vec<String>,
}

/// The files the manifest covers and the entries each gets, in manifest order.
#[derive(Debug)]
pub struct Plan {
    /// The entries.
    pub entries: Vec<Entry>,
    /// Each file (relative to the root, `/`-separated) with the indices of its entries.
    pub files: Vec<(String, Vec<usize>)>,
    /// Globs that matched nothing.
    pub warnings: Vec<Diagnostic>,
}

impl Manifest {
    /// Finds `webxsl.toml` in `start` or the nearest directory above it.
    pub fn find(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// Reads and checks a manifest.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ManifestError(Box::new(
                Diagnostic::error(format!("cannot read the manifest: {e}")).in_file(&shown),
            ))
        })?;
        let raw: RawManifest = toml::from_str(&text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let message = did_you_mean(e.message());
            at(&shown, &text, offset, message)
        })?;
        let root = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let m = Manifest {
            path: path.to_path_buf(),
            root,
            text,
            raw,
        };
        // Every profile resolves (unknown bases and cycles are found here, not per file).
        for name in m.raw.profiles.keys() {
            m.profile(name)?;
        }
        Ok(m)
    }

    /// The manifest's name as the user sees it.
    pub fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// The names of the manifest's profiles.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.raw.profiles.keys().map(String::as_str)
    }

    /// An error at a byte offset of the manifest.
    fn error_at(&self, offset: usize, message: impl Into<String>) -> ManifestError {
        at(&self.shown(), &self.text, offset, message.into())
    }

    /// Expands every entry: the profile resolved, paths made relative to the root, the globs
    /// matched. A file that a non-glob pattern names and that does not exist is an error; a glob
    /// that matches nothing is a warning.
    pub fn plan(&self) -> Result<Plan, ManifestError> {
        let mut entries = Vec::new();
        let mut files: Vec<(String, Vec<usize>)> = Vec::new();
        let mut warnings = Vec::new();
        for (i, e) in self.raw.apply.iter().enumerate() {
            let start = e.span().start;
            let a = e.get_ref();
            let profile = match &a.profile {
                Some(p) => {
                    let mut prof = self.profile_at(p.get_ref(), p.span().start)?;
                    if let Some(l) = a.locations {
                        prof.locations = l;
                    }
                    Some(prof)
                }
                None => None,
            };
            let xsl = match &a.xsl {
                Some(x) => {
                    let path = self.existing(x.get_ref(), x.span().start)?;
                    Some((path, a.params.clone().into_iter().collect()))
                }
                None => None,
            };
            let xdt = match &a.xdt {
                None => Vec::new(),
                Some(x) => {
                    let at = x.span().start;
                    match x.get_ref() {
                        OneOrMany::One(p) => vec![self.existing(p, at)?],
                        OneOrMany::Many(v) => v
                            .iter()
                            .map(|p| self.existing(p, at))
                            .collect::<Result<_, _>>()?,
                    }
                }
            };
            if profile.is_none() && xsl.is_none() && xdt.is_empty() {
                return Err(self.error_at(
                    start,
                    format!(
                        "[[apply]] entry {} applies nothing: give it a profile, an xsl or an xdt",
                        i + 1
                    ),
                ));
            }
            if let Some(g) = &a.min_grade
                && crate::validate::grade::rank(g.get_ref()).is_none()
            {
                return Err(self.error_at(
                    g.span().start,
                    format!("\"{}\" is not a grade (A+, A, A-, B+ ... F)", g.get_ref()),
                ));
            }
            for r in &a.ignore {
                if !crate::validate::RULES.iter().any(|x| x.id == r.get_ref()) {
                    return Err(self.error_at(
                        r.span().start,
                        format!(
                            "unknown rule \"{}\"{}",
                            r.get_ref(),
                            suggest(r.get_ref(), crate::validate::RULES.iter().map(|x| x.id))
                        ),
                    ));
                }
            }
            let matched = self.expand(i, &a.files, &mut warnings)?;
            for f in matched {
                match files.iter_mut().find(|(p, _)| *p == f) {
                    Some((_, v)) => v.push(i),
                    None => files.push((f, vec![i])),
                }
            }
            entries.push(Entry {
                number: i + 1,
                pos: line_col(&self.text, start),
                profile,
                xsl,
                xdt,
                min_grade: a.min_grade.as_ref().map(|g| g.get_ref().clone()),
                ignore: a.ignore.iter().map(|r| r.get_ref().clone()).collect(),
            });
        }
        files.sort();
        Ok(Plan {
            entries,
            files,
            warnings,
        })
    }

    /// A path the manifest names, relative to the root; it must exist.
    fn existing(&self, p: &str, offset: usize) -> Result<PathBuf, ManifestError> {
        let path = self.root.join(p);
        if !path.is_file() {
            return Err(self.error_at(
                offset,
                format!("no file {p} (paths are relative to the manifest's directory)"),
            ));
        }
        Ok(path)
    }

    /// The files of one entry's patterns: globs added in order, `!` patterns taken out.
    fn expand(
        &self,
        entry: usize,
        patterns: &[Spanned<String>],
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Vec<String>, ManifestError> {
        if patterns.is_empty() {
            return Err(self.error_at(
                self.raw.apply[entry].span().start,
                format!("[[apply]] entry {} has no files", entry + 1),
            ));
        }
        let mut out: Vec<String> = Vec::new();
        for p in patterns {
            let (exclude, pattern) = match p.get_ref().strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, p.get_ref().as_str()),
            };
            let full = self.root.join(pattern);
            let full = full.to_string_lossy();
            let paths = glob::glob(&full).map_err(|e| {
                self.error_at(
                    p.span().start,
                    format!("\"{pattern}\" is not a valid glob: {e}"),
                )
            })?;
            let mut found: Vec<String> = paths
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .filter_map(|f| {
                    f.strip_prefix(&self.root)
                        .ok()
                        .map(|r| r.to_string_lossy().replace('\\', "/"))
                })
                .collect();
            found.sort();
            if found.is_empty() && !exclude {
                let is_glob = pattern.contains(['*', '?', '[']);
                if !is_glob {
                    return Err(self.error_at(p.span().start, format!("no file {pattern}")));
                }
                let pos = line_col(&self.text, p.span().start);
                warnings.push(Diagnostic {
                    severity: Severity::Warning,
                    file: Some(self.shown()),
                    pos: Some(pos),
                    message: format!("\"{pattern}\" matches no file"),
                    source_line: line_text(&self.text, pos.line).map(str::to_owned),
                    hint: None,
                    code: None,
                });
            }
            if exclude {
                out.retain(|f| !found.contains(f));
            } else {
                for f in found {
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A diagnostic at a byte offset of a file's text.
fn at(file: &str, text: &str, offset: usize, message: String) -> ManifestError {
    ManifestError(Box::new(
        Diagnostic::error(message)
            .in_file(file)
            .at(line_col(text, offset.min(text.len())))
            .with_source(text),
    ))
}

/// serde's "unknown field `x`, expected one of `a`, `b`" with a did-you-mean.
fn did_you_mean(message: &str) -> String {
    let msg = message.trim().to_owned();
    let Some(rest) = msg.strip_prefix("unknown field `") else {
        return msg;
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return msg;
    };
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    format!("{msg}{}", suggest(field, names.into_iter()))
}

/// " (did you mean X?)" when a name is close to one of `names`.
fn suggest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| (strsim::levenshtein(n, name), n))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map_or(String::new(), |(_, n)| format!(" (did you mean {n}?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_get_a_did_you_mean() {
        assert_eq!(
            did_you_mean("unknown field `fles`, expected one of `files`, `profile`"),
            "unknown field `fles`, expected one of `files`, `profile` (did you mean files?)"
        );
        assert_eq!(
            did_you_mean("missing field `files`"),
            "missing field `files`"
        );
    }
}
