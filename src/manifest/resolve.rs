//! Resolving a manifest profile: its base (`extends`: a preset, another profile of the manifest,
//! or a profile file; or `file`), then its own settings on top — headers set or dropped, CSP
//! sources added or removed per directive, Permissions-Policy features, cookie and server
//! settings — merged as TOML tables and then read by the profile parser, so that a resolved
//! profile is checked exactly as a profile file is.

use toml::{Table, Value};

use super::{Manifest, ManifestError, suggest};
use crate::profile::{self, Profile, csp, presets};

/// The keys a manifest profile may have.
const KEYS: &[&str] = &[
    "extends",
    "file",
    "name",
    "description",
    "collection",
    "locations",
    "remove-inherited",
    "headers",
    "drop",
    "csp",
    "permissions",
    "remove",
    "strip",
    "server-headers",
    "logout-paths",
    "cookies",
    "server",
];

/// Settings that replace the base's.
const REPLACED: &[&str] = &[
    "name",
    "description",
    "collection",
    "locations",
    "remove-inherited",
    "remove",
    "strip",
    "server-headers",
    "logout-paths",
];

impl Manifest {
    /// A profile by name: the manifest's own, else a preset or a profile file (relative to the
    /// manifest's directory).
    pub fn profile(&self, name: &str) -> Result<Profile, ManifestError> {
        self.profile_at(name, 0)
    }

    /// [`Manifest::profile`], an unknown name reported at `offset` of the manifest.
    pub(super) fn profile_at(&self, name: &str, offset: usize) -> Result<Profile, ManifestError> {
        let table = self.table(name, offset, &mut Vec::new())?;
        let text = toml::to_string(&table).expect("a TOML table serializes");
        let at = self
            .raw
            .profiles
            .get(name)
            .map_or(offset, |t| t.span().start);
        profile::parse(&text, false, Some(name))
            .map_err(|e| self.error_at(at, format!("profile {name}: {}", e.message)))
    }

    /// The resolved profile as TOML (what `webxsl profiles show NAME` prints for a manifest
    /// profile).
    pub fn profile_toml(&self, name: &str) -> Result<String, ManifestError> {
        self.profile(name)?;
        let table = self.table(name, 0, &mut Vec::new())?;
        Ok(toml::to_string(&table).expect("a TOML table serializes"))
    }

    /// The profile `name` as a merged TOML table; `chain` holds the names being resolved.
    fn table(
        &self,
        name: &str,
        offset: usize,
        chain: &mut Vec<String>,
    ) -> Result<Table, ManifestError> {
        let Some(own) = self.raw.profiles.get(name) else {
            return self.base(name, offset);
        };
        if chain.iter().any(|c| c == name) {
            chain.push(name.to_owned());
            return Err(self.error_at(
                own.span().start,
                format!(
                    "profiles extend each other in a cycle: {}",
                    chain.join(" -> ")
                ),
            ));
        }
        chain.push(name.to_owned());
        let start = own.span().start;
        let own = own.get_ref();
        for k in own.keys() {
            if !KEYS.contains(&k.as_str()) {
                return Err(self.error_at(
                    self.key_offset(start, k),
                    format!(
                        "unknown setting \"{k}\" in profile {name}{}",
                        suggest(k, KEYS.iter().copied())
                    ),
                ));
            }
        }
        let string = |k: &str| -> Result<Option<&str>, ManifestError> {
            match own.get(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => {
                    Err(self.error_at(self.key_offset(start, k), format!("{k} must be a string")))
                }
            }
        };
        let mut t = match (string("extends")?, string("file")?) {
            (Some(_), Some(_)) => {
                return Err(self.error_at(
                    self.key_offset(start, "file"),
                    format!("profile {name} has both extends and file: a profile has one base"),
                ));
            }
            (Some(base), None) => self.table(base, self.key_offset(start, "extends"), chain)?,
            (None, Some(file)) => self.file_table(file, self.key_offset(start, "file"))?,
            (None, None) => Table::new(),
        };
        chain.pop();
        t.insert("name".into(), Value::String(name.to_owned()));
        for k in REPLACED {
            if let Some(v) = own.get(*k) {
                t.insert((*k).into(), v.clone());
            }
        }
        for k in ["cookies", "server"] {
            if let Some(v) = own.get(k) {
                let Value::Table(o) = v else {
                    return Err(
                        self.error_at(self.key_offset(start, k), format!("{k} must be a table"))
                    );
                };
                let entry = t.entry(k).or_insert_with(|| Value::Table(Table::new()));
                if let Value::Table(base) = entry {
                    for (kk, vv) in o {
                        base.insert(kk.clone(), vv.clone());
                    }
                }
            }
        }
        let headers = match t
            .entry("headers")
            .or_insert_with(|| Value::Table(Table::new()))
        {
            Value::Table(h) => h,
            _ => {
                return Err(self.error_at(
                    start,
                    format!("the base of profile {name} has no [headers] table"),
                ));
            }
        };
        if let Some(v) = own.get("headers") {
            let Value::Table(o) = v else {
                return Err(
                    self.error_at(self.key_offset(start, "headers"), "headers must be a table")
                );
            };
            for (h, hv) in o {
                set_header(headers, h, hv.clone());
            }
        }
        if let Some(v) = own.get("drop") {
            let Value::Array(names) = v else {
                return Err(self.error_at(
                    self.key_offset(start, "drop"),
                    "drop must be a list of header names",
                ));
            };
            for n in names {
                let Value::String(n) = n else {
                    return Err(self.error_at(
                        self.key_offset(start, "drop"),
                        "drop must be a list of header names",
                    ));
                };
                let Some(k) = header_key(headers, n) else {
                    return Err(self.error_at(
                        self.key_offset(start, n),
                        format!("profile {name} drops {n}, which its base does not set"),
                    ));
                };
                headers.remove(&k);
            }
        }
        if let Some(v) = own.get("csp") {
            self.csp_changes(name, start, headers, v)?;
        }
        if let Some(v) = own.get("permissions") {
            let Value::Table(features) = v else {
                return Err(self.error_at(
                    self.key_offset(start, "permissions"),
                    "permissions must be a table of features",
                ));
            };
            let key = header_key(headers, "Permissions-Policy")
                .unwrap_or_else(|| "Permissions-Policy".to_owned());
            let pp = headers
                .entry(key)
                .or_insert_with(|| Value::Table(Table::new()));
            let Value::Table(pp) = pp else {
                return Err(self.error_at(
                    self.key_offset(start, "permissions"),
                    format!("the base of profile {name} sets Permissions-Policy as a string: set it whole in [headers]"),
                ));
            };
            for (f, allow) in features {
                pp.insert(f.clone(), allow.clone());
            }
        }
        Ok(t)
    }

    /// `[profiles.NAME.csp]`: `add` and `remove` tables of sources per directive.
    fn csp_changes(
        &self,
        name: &str,
        start: usize,
        headers: &mut Table,
        v: &Value,
    ) -> Result<(), ManifestError> {
        let bad = || {
            self.error_at(
                self.key_offset(start, "csp"),
                "csp must hold add and remove tables: directive = [sources]",
            )
        };
        let Value::Table(ops) = v else {
            return Err(bad());
        };
        let key = header_key(headers, "Content-Security-Policy")
            .unwrap_or_else(|| "Content-Security-Policy".to_owned());
        // The policy as a table of directives, whatever form the base wrote it in.
        let mut policy: Vec<(String, Vec<String>)> = match headers.get(&key) {
            None => Vec::new(),
            Some(Value::String(s)) => csp::parse(s)
                .into_iter()
                .map(|d| (d.name, d.values))
                .collect(),
            Some(Value::Table(t)) => t
                .iter()
                .map(|(d, vs)| {
                    let list = match vs {
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect(),
                        _ => Vec::new(),
                    };
                    (d.clone(), list)
                })
                .collect(),
            Some(_) => return Err(bad()),
        };
        for (op, directives) in ops {
            let Value::Table(directives) = directives else {
                return Err(bad());
            };
            if op != "add" && op != "remove" {
                return Err(self.error_at(
                    self.key_offset(start, op),
                    format!(
                        "unknown csp change \"{op}\"{} (add or remove)",
                        suggest(op, ["add", "remove"].into_iter())
                    ),
                ));
            }
            for (d, sources) in directives {
                if csp::directive_status(d).is_none() {
                    return Err(self.error_at(
                        self.key_offset(start, d),
                        format!(
                            "unknown CSP directive \"{d}\"{}",
                            suggest(d, csp::DIRECTIVES.iter().map(|(n, _)| *n))
                        ),
                    ));
                }
                let Value::Array(sources) = sources else {
                    return Err(bad());
                };
                let sources: Vec<String> = sources
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect();
                let d = d.to_ascii_lowercase();
                if op == "add" {
                    if !policy.iter().any(|(n, _)| *n == d) {
                        // A new fetch directive starts from what it inherited, so that adding a
                        // source never narrows the policy.
                        let inherited = (d.ends_with("-src") && d != "default-src")
                            .then(|| policy.iter().find(|(n, _)| n == "default-src"))
                            .flatten()
                            .map(|(_, v)| v.iter().filter(|s| *s != "'none'").cloned().collect())
                            .unwrap_or_default();
                        policy.push((d.clone(), inherited));
                    }
                    let list = &mut policy
                        .iter_mut()
                        .find(|(n, _)| *n == d)
                        .expect("added above")
                        .1;
                    list.retain(|s| s != "'none'");
                    for s in sources {
                        if !list.contains(&s) {
                            list.push(s);
                        }
                    }
                } else {
                    let Some((_, list)) = policy.iter_mut().find(|(n, _)| *n == d) else {
                        return Err(self.error_at(
                            self.key_offset(start, &d),
                            format!("profile {name} removes sources from {d}, which its base does not set"),
                        ));
                    };
                    for s in sources {
                        let before = list.len();
                        list.retain(|x| *x != s);
                        if list.len() == before {
                            return Err(self.error_at(
                                self.key_offset(start, &s),
                                format!(
                                    "profile {name} removes {s} from {d}, which does not have it"
                                ),
                            ));
                        }
                    }
                }
            }
        }
        let table: Table = policy
            .into_iter()
            .map(|(d, v)| (d, Value::Array(v.into_iter().map(Value::String).collect())))
            .collect();
        headers.insert(key, Value::Table(table));
        Ok(())
    }

    /// A preset or a profile file as a table.
    fn base(&self, name: &str, offset: usize) -> Result<Table, ManifestError> {
        if let Some(text) = presets::text(name) {
            return Ok(toml::from_str(text).expect("presets are valid TOML"));
        }
        if name.ends_with(".toml") || name.ends_with(".json") || name.contains(['/', '\\']) {
            return self.file_table(name, offset);
        }
        let known = self
            .raw
            .profiles
            .keys()
            .map(String::as_str)
            .chain(presets::NAMES.iter().copied());
        Err(self.error_at(
            offset,
            format!(
                "no profile, preset or file named \"{name}\"{}",
                suggest(name, known)
            ),
        ))
    }

    /// A profile file (relative to the manifest's directory) as a table, checked first.
    fn file_table(&self, file: &str, offset: usize) -> Result<Table, ManifestError> {
        let path = self.root.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| self.error_at(offset, format!("cannot read the profile {file}: {e}")))?;
        let json = file.ends_with(".json");
        // Its own mistakes are reported in its own file.
        profile::parse(&text, json, Some(&path.display().to_string()))
            .map_err(|e| super::ManifestError(Box::new(e.to_diagnostic())))?;
        if json {
            let v: serde_json::Value = serde_json::from_str(&text).expect("checked above");
            match Value::try_from(v) {
                Ok(Value::Table(t)) => Ok(t),
                _ => Err(self.error_at(offset, format!("{file} is not a table of settings"))),
            }
        } else {
            Ok(toml::from_str(&text).expect("checked above"))
        }
    }

    /// Where `key` is written in the profile that starts at `start` (its table), for messages.
    pub(super) fn key_offset(&self, start: usize, key: &str) -> usize {
        let rest = &self.text[start.min(self.text.len())..];
        [format!("\"{key}\""), format!("'{key}'"), key.to_owned()]
            .iter()
            .filter_map(|k| rest.find(k.as_str()))
            .min()
            .map_or(start, |i| start + i)
    }
}

/// The key under which `headers` sets header `name` (compared case-insensitively).
fn header_key(headers: &Table, name: &str) -> Option<String> {
    headers
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
}

/// Sets a header, replacing one of the same name (any case) in place.
fn set_header(headers: &mut Table, name: &str, v: Value) {
    match header_key(headers, name) {
        Some(k) if k != name => {
            let old = std::mem::take(headers);
            for (kk, vv) in old {
                if kk == k {
                    headers.insert(name.to_owned(), v.clone());
                } else {
                    headers.insert(kk, vv);
                }
            }
        }
        _ => {
            headers.insert(name.to_owned(), v);
        }
    }
}
