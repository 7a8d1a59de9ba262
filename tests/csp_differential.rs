//! webxsl's CSP findings against Google's csp-evaluator (npm `csp_evaluator` 1.1.8, installed by
//! `scripts/setup` into `target/csp-evaluator`, driven by `tests/csp-evaluator/evaluate.mjs`).
//!
//! Every policy of `tests/csp-evaluator/policies.txt` (one case per check and its edges, then
//! real policies) and 2,000 generated ones are judged by both; their findings are compared as
//! sets of (rule, directive, value) once the evaluator's are mapped to webxsl's rules
//! ([`evaluator_rule`]). Left out of the comparison: the evaluator's "maybe" hints (every host of
//! an allowlist, `'self'`, "restrict object-src to 'none'"), its strict-CSP suggestions but
//! `'strict-dynamic'` without a nonce, and webxsl's rules the evaluator has no counterpart for
//! (duplicate directives, `report-to` without `report-uri`, `'unsafe-hashes'` without a hash).
//!
//! Where webxsl differs on purpose, [`deliberate`] names the case (docs/rules.md lists
//! them); any other difference fails the test, with the policy and both sets of findings.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use webxsl::profile::csp;

/// A finding reduced to what both tools say: rule, directive, value.
type Key = (String, String, Option<String>);

fn evaluator() -> PathBuf {
    let p = std::env::var_os("WEBXSL_CSP_EVALUATOR").map_or_else(
        || support::root().join("target/csp-evaluator/node_modules/csp_evaluator"),
        PathBuf::from,
    );
    assert!(
        p.join("package.json").is_file(),
        "csp-evaluator is not installed at {}: run `bash scripts/setup` (or set \
         WEBXSL_CSP_EVALUATOR to an install of the csp_evaluator package)",
        p.display()
    );
    p
}

/// The evaluator's findings for each policy (`None` where it throws: no reference verdict).
fn evaluate(policies: &[String]) -> Vec<Option<Vec<serde_json::Value>>> {
    let mut child = Command::new("node")
        .arg(support::root().join("tests/csp-evaluator/evaluate.mjs"))
        .arg(evaluator())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node (Node.js) is needed: run `bash scripts/setup`");
    let mut input = String::new();
    for (i, p) in policies.iter().enumerate() {
        input.push_str(&serde_json::json!({"id": i, "policy": p, "strict": true}).to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("run the evaluator");
    writer.join().expect("writer").expect("write policies");
    assert!(out.status.success(), "evaluate.mjs failed");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), policies.len(), "one answer per policy");
    lines
        .into_iter()
        .map(|l| l["findings"].as_array().cloned())
        .collect()
}

/// The webxsl rule an evaluator finding corresponds to, `None` for those not compared.
fn evaluator_rule(f: &serde_json::Value) -> Option<&'static str> {
    let severity = f["severity"].as_u64()?;
    let directive = f["directive"].as_str()?;
    Some(match f["type"].as_u64()? {
        100 => "csp-missing-semicolon",
        101 => "csp-unknown-directive",
        102 => "csp-invalid-keyword",
        106 => "csp-nonce-charset",
        300 => match directive {
            "object-src" => "csp-missing-object-src",
            "script-src" => "csp-missing-script-src",
            "base-uri" => "csp-missing-base-uri",
            _ => return None,
        },
        301 => "csp-unsafe-inline",
        302 => "csp-unsafe-eval",
        303 | 304 => "csp-broad-source",
        // The HIGH ones only: a host or file known to be a bypass, not "maybe".
        305 | 306 if severity == 10 => "csp-allowlist-bypass",
        307 => "csp-nonce-length",
        308 => "csp-ip-source",
        309 => "csp-deprecated-directive",
        310 => "csp-insecure-source",
        401 => "csp-strict-dynamic-without-nonce",
        _ => return None,
    })
}

/// Rules reported for a directive as a whole (the value is not compared).
const DIRECTIVE_LEVEL: &[&str] = &[
    "csp-unknown-directive",
    "csp-deprecated-directive",
    "csp-missing-object-src",
    "csp-missing-script-src",
    "csp-missing-base-uri",
    "csp-strict-dynamic-without-nonce",
];

/// webxsl rules the evaluator has no counterpart for.
const WEBXSL_ONLY: &[&str] = &[
    "csp-duplicate-directive",
    "csp-report-to-only",
    "csp-unsafe-hashes-without-hash",
];

fn key(rule: &str, directive: &str, value: Option<&str>) -> Key {
    let value = if DIRECTIVE_LEVEL.contains(&rule) {
        None
    } else {
        value.map(str::to_owned)
    };
    (rule.to_owned(), directive.to_owned(), value)
}

fn theirs(findings: &[serde_json::Value]) -> BTreeSet<Key> {
    let mut out: BTreeSet<Key> = findings
        .iter()
        .filter_map(|f| {
            let rule = evaluator_rule(f)?;
            Some(key(rule, f["directive"].as_str()?, f["value"].as_str()))
        })
        .collect();
    // A nonce outside the base64 alphabet is also an invalid keyword there; webxsl says it once.
    let charset: Vec<Key> = out
        .iter()
        .filter(|k| k.0 == "csp-nonce-charset")
        .cloned()
        .collect();
    for (_, d, v) in charset {
        out.remove(&("csp-invalid-keyword".to_owned(), d, v));
    }
    out
}

fn ours(policy: &str) -> BTreeSet<Key> {
    csp::check(policy, true)
        .iter()
        .filter(|f| !WEBXSL_ONLY.contains(&f.rule))
        .map(|f| key(f.rule, &f.directive, f.value.as_deref()))
        .collect()
}

/// Why webxsl deliberately reports `k` where the evaluator does not (`only_ours`) or the other
/// way round, if it does on purpose.
fn deliberate(policy: &str, k: &Key, only_ours: bool) -> Option<&'static str> {
    let (rule, directive, value) = (k.0.as_str(), k.1.as_str(), k.2.as_deref());
    let directives = csp::parse(policy);
    let first = directives.iter().find(|d| d.name == directive);
    let dynamic = first.is_some_and(|d| d.values.iter().any(|v| v == "'strict-dynamic'"));
    match (only_ours, rule) {
        (false, "csp-unsafe-eval") if directive != "script-src" && directive != "default-src" => {
            Some(
                "'unsafe-eval' outside script-src/default-src governs nothing (eval() is script-src's)",
            )
        }
        (true, "csp-deprecated-directive")
            if matches!(
                directive,
                "plugin-types" | "block-all-mixed-content" | "navigate-to" | "require-sri-for"
            ) =>
        {
            Some(
                "directives browsers dropped (plugin-types, block-all-mixed-content, navigate-to, require-sri-for) are deprecated",
            )
        }
        (false, "csp-unknown-directive") if directive == "fenced-frame-src" => {
            Some("fenced-frame-src is a CSP directive browsers ship")
        }
        (false, "csp-invalid-keyword")
            if value.is_some_and(|v| {
                matches!(
                    v,
                    "'trusted-types-eval'"
                        | "'report-sha256'"
                        | "'report-sha384'"
                        | "'report-sha512'"
                )
            }) =>
        {
            Some("newer CSP3 keywords ('trusted-types-eval', 'report-sha256'...)")
        }
        (true, "csp-missing-semicolon" | "csp-invalid-keyword")
            if dynamic && value.is_some_and(|v| !v.starts_with('\'')) =>
        {
            Some(
                "syntax mistakes are reported even among the sources 'strict-dynamic' makes browsers ignore",
            )
        }
        _ if has_case_variant(policy) => Some(
            "keywords, hash algorithms, nonce-, schemes and directive names are case-insensitive",
        ),
        _ => None,
    }
}

/// Whether the policy writes a directive name, keyword, hash algorithm, `nonce-` or scheme in
/// upper case (where csp-evaluator, unlike browsers, is case-sensitive). Nonce and hash values
/// and hosts do not count.
fn has_case_variant(policy: &str) -> bool {
    let upper = |s: &str| s.bytes().any(|b| b.is_ascii_uppercase());
    policy.split(';').any(|seg| {
        let mut words = seg.split_ascii_whitespace();
        words.next().is_some_and(upper)
            || words.any(|w| {
                if let Some(q) = w.strip_prefix('\'') {
                    upper(q.split('-').next().unwrap_or(q))
                } else if let Some(i) = w.find(':') {
                    upper(&w[..i])
                } else {
                    false
                }
            })
    })
}

/// The cases of `policies.txt`.
fn corpus() -> Vec<String> {
    let text = std::fs::read_to_string(support::root().join("tests/csp-evaluator/policies.txt"))
        .expect("read policies.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// A small deterministic generator (xorshift), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

const DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "object-src",
    "object-src",
    "base-uri",
    "style-src",
    "img-src",
    "connect-src",
    "frame-ancestors",
    "report-uri",
    "report-to",
    "require-trusted-types-for",
    "trusted-types",
    "plugin-types",
    "reflected-xss",
    "referrer",
    "prefetch-src",
    "worker-src",
    "upgrade-insecure-requests",
    "sandbox",
    "scirpt-src",
    "img-src:",
];

const VALUES: &[&str] = &[
    "'self'",
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'unsafe-hashes'",
    "'strict-dynamic'",
    "'report-sample'",
    "'wasm-unsafe-eval'",
    "'trusted-types-eval'",
    "'report-sha256'",
    "'nonce-r4nd0mR4nd0mR4nd0m'",
    "'nonce-abc'",
    "'nonce-abc$defgh'",
    "'nonce-AbCdEf12=='",
    "'sha256-0tiLHFQ9Qw3W8Pm1nmIqW87EaN0L4Z6DZRKP2YSq4pQ='",
    "'sha1-abcdefgh'",
    "'sha384-abc_def-'",
    "https:",
    "http:",
    "data:",
    "blob:",
    "wss:",
    "*",
    "https://*",
    "*.example.org",
    "cdn.example.com",
    "https://cdn.example.com/js/",
    "http://insecure.example",
    "www.google.com",
    "https://www.google.com/recaptcha/",
    "*.google.com",
    "ajax.googleapis.com",
    "cdnjs.cloudflare.com",
    "www.google-analytics.com",
    "vk.com",
    "https://vk.com/swf/",
    "10.0.0.1",
    "127.0.0.1",
    "https://192.0.2.7:8443",
    "self",
    "nonce-abc",
    "'bogus'",
    "object-src",
    "script-src",
    "application/x-shockwave-flash",
    "'script'",
    "'allow-duplicates'",
    "allow-scripts",
    "/csp-report",
    "csp-endpoint",
];

/// A policy of 1 to 5 directives with 0 to 4 values each.
fn generated(rng: &mut Rng) -> String {
    let n = 1 + rng.next() % 5;
    (0..n)
        .map(|_| {
            let mut d = rng.pick(DIRECTIVES).to_owned();
            for _ in 0..rng.next() % 5 {
                d.push(' ');
                d.push_str(rng.pick(VALUES));
            }
            d
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn csp_findings_agree_with_csp_evaluator() {
    let mut policies = corpus();
    let fixed = policies.len();
    let mut rng = Rng(0x5eed_c5b0_2026_1201);
    policies.extend((0..2000).map(|_| generated(&mut rng)));
    let answers = evaluate(&policies);
    let mut failures = Vec::new();
    let mut named: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut compared = 0;
    let mut rules_seen: BTreeSet<String> = BTreeSet::new();
    for (p, answer) in policies.iter().zip(&answers) {
        let Some(findings) = answer else {
            continue;
        };
        compared += 1;
        let (a, b) = (ours(p), theirs(findings));
        rules_seen.extend(a.iter().map(|k| k.0.clone()));
        let mut unexplained = Vec::new();
        for (k, only_ours) in a
            .difference(&b)
            .map(|k| (k, true))
            .chain(b.difference(&a).map(|k| (k, false)))
        {
            match deliberate(p, k, only_ours) {
                Some(why) => *named.entry(why).or_default() += 1,
                None => unexplained.push(format!(
                    "{} {k:?}",
                    if only_ours {
                        "only webxsl:"
                    } else {
                        "only csp-evaluator:"
                    }
                )),
            }
        }
        if !unexplained.is_empty() {
            failures.push(format!("{p}\n    {}", unexplained.join("\n    ")));
        }
    }
    assert!(compared > fixed + 1500, "only {compared} policies compared");
    // The comparison covers every rule that has a counterpart.
    for rule in webxsl::validate::RULES.iter().map(|r| r.id) {
        if rule.starts_with("csp-") && !WEBXSL_ONLY.contains(&rule) {
            assert!(
                rules_seen.contains(rule),
                "no compared policy exercises {rule}"
            );
        }
    }
    eprintln!("{compared} policies compared; deliberate differences: {named:#?}");
    assert!(
        failures.is_empty(),
        "{} of {compared} policies differ from csp-evaluator:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_allowlist_bypass_hosts_are_csp_evaluators() {
    let tsv = std::fs::read_to_string(
        support::shared().join("reference/csp-evaluator/allowlist-bypasses.tsv"),
    )
    .expect("read ../shared/reference/csp-evaluator/allowlist-bypasses.tsv");
    let mut lists: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (kind, url) = line.split_once('\t').expect("kind<TAB>url");
        lists.entry(kind).or_default().push(url);
    }
    use csp::bypass::{ANGULAR, FLASH, JSONP, JSONP_NEEDS_EVAL};
    assert_eq!(lists["jsonp"], JSONP);
    assert_eq!(lists["jsonp-needs-eval"], JSONP_NEEDS_EVAL);
    assert_eq!(lists["angular"], ANGULAR);
    assert_eq!(lists["flash"], FLASH);
}
