//! `webxsl init`: a commented starter manifest for the web.config files of a repository, one
//! `[[apply]]` entry per family of directories (`apps/*/web.config` when several applications
//! sit side by side), all with the `recommended` preset.

use std::path::{Path, PathBuf};

/// Directories never searched.
const SKIP: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "bin",
    "obj",
    ".vs",
    "packages",
];

/// The web.config files below `root` (relative, `/`-separated, sorted), at most 20 levels deep.
pub fn find_configs(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir()
                && depth < 20
                && !SKIP.contains(&name.as_str())
                && !name.starts_with('.')
            {
                walk(root, &p, depth + 1, out);
            } else if kind.is_file()
                && name.eq_ignore_ascii_case("web.config")
                && let Ok(r) = p.strip_prefix(root)
            {
                out.push(r.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, 0, &mut out);
    out.sort();
    out
}

/// The patterns for a list of files: files whose directories share a parent become
/// `parent/*/web.config`; the others stay as they are.
pub fn families(files: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in files {
        let p = PathBuf::from(f);
        let family = p
            .parent()
            .and_then(Path::parent)
            .filter(|_| p.parent().is_some_and(|d| !d.as_os_str().is_empty()))
            .map(|grand| {
                let name = p
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned());
                let g = grand.to_string_lossy().replace('\\', "/");
                if g.is_empty() {
                    format!("*/{name}")
                } else {
                    format!("{g}/*/{name}")
                }
            });
        let siblings = family.as_ref().is_some_and(|fam| {
            let prefix = fam.trim_end_matches(|c| c != '*').trim_end_matches('*');
            files
                .iter()
                .filter(|o| o.starts_with(prefix) && o[prefix.len()..].matches('/').count() == 1)
                .count()
                > 1
        });
        let pattern = if siblings {
            family.expect("checked")
        } else {
            f.clone()
        };
        if !out.contains(&pattern) {
            out.push(pattern);
        }
    }
    out
}

/// The starter manifest for the files found.
pub fn starter(files: &[String]) -> String {
    let mut s = String::from(
        "# webxsl.toml: which web.config files get which security headers. Code review reads it;\n\
         # `webxsl check` (in CI) fails when a file is not what it says, `webxsl sync` fixes that.\n\
         #\n\
         # Profiles: a preset (recommended, owasp, outsystems-guide, scout), or your own, e.g.\n\
         #\n\
         # [profiles.site]\n\
         # extends = \"recommended\"\n\
         # [profiles.site.csp.add]\n\
         # img-src = [\"https://images.example\"]\n\
         #\n\
         # Each [[apply]] entry: files (globs; \"!pattern\" excludes), then what to apply in order\n\
         # (profile, xsl with params, xdt), and what the result must pass (min-grade, ignore).\n",
    );
    let patterns = families(files);
    if patterns.is_empty() {
        s.push_str("\n# No web.config was found; add an entry when there is one:\n#\n# [[apply]]\n# files = [\"web.config\"]\n# profile = \"recommended\"\n");
    }
    for p in patterns {
        s.push_str(&format!(
            "\n[[apply]]\nfiles = [{}]\nprofile = \"recommended\"\n# min-grade = \"A\"\n",
            toml_string(&p)
        ));
    }
    s
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_applications_become_one_family() {
        let files: Vec<String> = [
            "apps/a/web.config",
            "apps/b/web.config",
            "web.config",
            "legacy/x/web.config",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            families(&files),
            ["apps/*/web.config", "web.config", "legacy/x/web.config"]
        );
        let m = starter(&files);
        assert!(m.contains("files = [\"apps/*/web.config\"]"), "{m}");
        assert!(toml::from_str::<toml::Table>(&m).is_ok(), "{m}");
    }
}
