//! The security grade: the MDN HTTP Observatory's scoring (mdn/mdn-http-observatory, its
//! `src/analyzer/tests` and `src/grader`), applied to the headers a configuration sends.
//!
//! The site is taken as served over HTTPS only, with a clean redirect from HTTP, no cookies and
//! no scripts: the cookie, CORS, redirection and subresource-integrity tests then score 0, and
//! the grade depends on the headers alone. The test suite compares the letter with the
//! Observatory's own grader on generated header sets.
//!
//! `webxsl probe` knows more than a configuration: it runs [`header_tests`] on what a server
//! sent and adds the redirection, cookie and CORS tests of the responses it recorded, then
//! [`total`]s them the same way.
//!
//! Scoring: start at 100; add every test's modifier; bonuses (positive modifiers) count only when
//! the score without them is at least 90; the letter is that of the score rounded down to a
//! multiple of 5 (100 and above: A+).

use std::collections::BTreeMap;

/// One test's outcome.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TestResult {
    /// The Observatory test name.
    pub test: &'static str,
    /// The expectation it met (the Observatory's result id).
    pub result: &'static str,
    /// Its score modifier.
    pub modifier: i32,
}

/// A score and its letter.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Grade {
    /// The score (may exceed 100 with bonuses).
    pub score: i32,
    /// A+ to F.
    pub letter: &'static str,
    /// Every test that counted.
    pub tests: Vec<TestResult>,
}

/// The letters from best to worst, for `--min-grade`.
pub static LETTERS: &[&str] = &[
    "A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F",
];

/// The letter of a score.
pub fn letter(score: i32) -> &'static str {
    let s = score.max(0);
    let key = (s - s % 5).min(100);
    match key {
        100 => "A+",
        90 | 95 => "A",
        85 => "A-",
        80 => "B+",
        70 | 75 => "B",
        65 => "B-",
        60 => "C+",
        50 | 55 => "C",
        45 => "C-",
        40 => "D+",
        30 | 35 => "D",
        25 => "D-",
        _ => "F",
    }
}

/// How good a letter is (0 is A+), `None` for something that is not a letter.
pub fn rank(letter: &str) -> Option<usize> {
    LETTERS.iter().position(|l| l.eq_ignore_ascii_case(letter))
}

const DANGEROUSLY_BROAD: &[&str] = &[
    "ftp:",
    "http:",
    "https:",
    "*",
    "http://*",
    "http://*.*",
    "https://*",
    "https://*.*",
];
const UNSAFE_INLINE: &[&str] = &["'unsafe-inline'", "data:"];
const NONCES_HASHES: &[&str] = &["'sha256-", "'sha384-", "'sha512-", "'nonce-"];

fn broad(s: &str) -> bool {
    DANGEROUSLY_BROAD.contains(&s)
}

fn broad_or_inline(s: &str) -> bool {
    broad(s) || UNSAFE_INLINE.contains(&s)
}

/// The headers as the Observatory's HTTP client sees them: names lower-cased, repeated headers
/// joined with ", ", values without surrounding white space.
fn header_map(headers: &[(String, String)]) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = BTreeMap::new();
    for (n, v) in headers {
        let v = v.trim_matches([' ', '\t']).to_owned();
        m.entry(n.to_ascii_lowercase())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    m
}

/// JavaScript's `s.slice(0, n)` on a string (UTF-16 units; ASCII in practice).
fn js_slice(s: &str, n: usize) -> String {
    let mut units = 0;
    let mut out = String::new();
    for c in s.chars() {
        units += c.len_utf16();
        if units > n {
            break;
        }
        out.push(c);
    }
    out
}

/// JavaScript's white space for `trim()` and `/\s+/`.
fn js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// JavaScript's `parseInt(s, 10)`: `None` is NaN.
fn parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(js_space);
    let (neg, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let d: String = digits.chars().take_while(char::is_ascii_digit).collect();
    if d.is_empty() {
        return None;
    }
    let v: f64 = d.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// The Observatory's `parseCsp` for one policy: directive → sources, or `Err` when the policy
/// is invalid. Duplicate report-uri/report-to are allowed (the bool reports them).
fn parse_csp(policy: &str) -> Result<(BTreeMap<String, Vec<String>>, bool), ()> {
    let clean: String = policy.chars().filter(|&c| c != '\r' && c != '\n').collect();
    let clean = clean.trim_matches(js_space);
    if clean.is_empty() || clean.encode_utf16().count() < 6 {
        return Err(());
    }
    let mut csp: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut seen: Vec<String> = Vec::new();
    let mut duplicate_warning = false;
    for entry in clean.split(';') {
        let mut words = entry
            .trim_matches(js_space)
            .split(js_space)
            .filter(|w| !w.is_empty());
        let Some(first) = words.next() else { continue };
        let directive = first.to_lowercase();
        if seen.contains(&directive) {
            if directive == "report-uri" || directive == "report-to" {
                duplicate_warning = true;
            } else {
                return Err(());
            }
        } else {
            seen.push(directive.clone());
        }
        let mut values: Vec<String> = words.map(str::to_lowercase).collect();
        if values.is_empty() && directive.ends_with("-src") {
            values.push("'none'".into());
        }
        values.sort();
        values.dedup();
        if values.is_empty() {
            values.push("'none'".into());
        }
        csp.insert(directive, values);
    }
    Ok((csp, duplicate_warning))
}

/// The CSP test: (result, modifier, whether the policy has frame-ancestors).
fn csp_test(h: &BTreeMap<String, String>) -> (&'static str, i32, bool) {
    let Some(policy) = h.get("content-security-policy") else {
        return if h.contains_key("content-security-policy-report-only") {
            ("csp-not-implemented-but-reporting-enabled", -25, false)
        } else {
            ("csp-not-implemented", -25, false)
        };
    };
    let Ok((mut csp, duplicate_warning)) = parse_csp(policy) else {
        return ("csp-header-invalid", -25, false);
    };
    if csp.is_empty() {
        return if h.contains_key("content-security-policy-report-only") {
            ("csp-not-implemented-but-reporting-enabled", -25, false)
        } else {
            ("csp-not-implemented", -25, false)
        };
    }
    let star = vec!["*".to_owned()];
    // The source lists are shared with the policy (the Observatory mutates them in place).
    let key = |csp: &BTreeMap<String, Vec<String>>, a: &str, b: &str| -> Option<String> {
        if csp.contains_key(a) {
            Some(a.to_owned())
        } else if csp.contains_key(b) {
            Some(b.to_owned())
        } else {
            None
        }
    };
    let script_key = key(&csp, "script-src", "default-src");
    let style_key = key(&csp, "style-src", "default-src");
    let object_key = key(&csp, "object-src", "default-src");
    let mut script_own = star.clone();
    let mut style_own = star.clone();
    let has_nonce = |v: &[String]| {
        v.iter()
            .any(|s| NONCES_HASHES.iter().any(|n| s.starts_with(n)))
    };
    for which in [0, 1] {
        let k = if which == 0 { &script_key } else { &style_key };
        let list: &mut Vec<String> = match k {
            Some(k) => csp.get_mut(k).expect("key exists"),
            None if which == 0 => &mut script_own,
            None => &mut style_own,
        };
        if has_nonce(list) && list.iter().any(|s| s == "'unsafe-inline'") {
            list.retain(|s| s != "'unsafe-inline'");
        }
    }
    let mut result: Option<(&'static str, i32)> = None;
    {
        let script: &mut Vec<String> = match &script_key {
            Some(k) => csp.get_mut(k).expect("key exists"),
            None => &mut script_own,
        };
        if has_nonce(script) && script.iter().any(|s| s == "'strict-dynamic'") {
            script.retain(|s| {
                !(DANGEROUSLY_BROAD.iter().any(|b| s.starts_with(b))
                    || s == "'self'"
                    || s == "'unsafe-inline'")
            });
        } else if script.iter().any(|s| s == "'strict-dynamic'") {
            result = Some(("csp-header-invalid", -25));
        }
    }
    let get = |k: &Option<String>, own: &Vec<String>| -> Vec<String> {
        match k {
            Some(k) => csp[k].clone(),
            None => own.clone(),
        }
    };
    let script = get(&script_key, &script_own);
    let style = get(&style_key, &style_own);
    let object = get(&object_key, &star);
    let mut active: Vec<String> = csp
        .iter()
        .filter(|(d, _)| !matches!(d.as_str(), "img-src" | "media-src" | "script-src"))
        .flat_map(|(_, v)| v.clone())
        .collect();
    active.extend(script.iter().cloned());
    let passive: Vec<String> = ["img-src", "media-src"]
        .iter()
        .flat_map(|d| {
            csp.get(*d)
                .or_else(|| csp.get("default-src"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let insecure = |s: &String| s.starts_with("http:") || s.starts_with("ftp:");
    let mut set = |r: (&'static str, i32)| {
        if result.is_none() {
            result = Some(r);
        }
    };
    if script.iter().any(|s| broad_or_inline(s)) || object.iter().any(|s| broad(s)) {
        set(("csp-implemented-with-unsafe-inline", -20));
    }
    if active.iter().any(insecure) {
        set(("csp-implemented-with-insecure-scheme", -20));
    }
    if script.iter().chain(&style).any(|s| s == "'unsafe-eval'") {
        set(("csp-implemented-with-unsafe-eval", -10));
    }
    if passive.iter().any(insecure) {
        set((
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
            -10,
        ));
    }
    if style.iter().any(|s| broad_or_inline(s)) {
        set(("csp-implemented-with-unsafe-inline-in-style-src-only", 0));
    }
    if csp
        .get("default-src")
        .is_some_and(|d| d.len() == 1 && d[0] == "'none'")
    {
        set(("csp-implemented-with-no-unsafe-default-src-none", 10));
    } else {
        set(("csp-implemented-with-no-unsafe", 5));
    }
    let mut r = result.expect("set above");
    let passing = [
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    ];
    if passing.contains(&r.0) && duplicate_warning {
        r = ("csp-implemented-but-duplicate-directives", 0);
    }
    (r.0, r.1, csp.contains_key("frame-ancestors"))
}

/// Grades the headers a site sends, for the site model of this module (HTTPS only, a clean
/// redirect from HTTP, no cookies, no scripts).
pub fn grade(headers: &[(String, String)]) -> Grade {
    let mut tests = header_tests(headers);
    // The tests the headers cannot change, for this site model.
    for (test, result) in [
        ("cookies", "cookies-not-found"),
        (
            "cross-origin-resource-sharing",
            "cross-origin-resource-sharing-not-implemented",
        ),
        ("redirection", "redirection-to-https"),
        (
            "subresource-integrity",
            "sri-not-implemented-but-no-scripts-loaded",
        ),
    ] {
        tests.push(TestResult {
            test,
            result,
            modifier: 0,
        });
    }
    total(tests)
}

/// The tests that read the headers of the page alone: content-security-policy,
/// referrer-policy, strict-transport-security (for a response over HTTPS with a valid
/// certificate), x-content-type-options, x-frame-options, cross-origin-resource-policy, in
/// that order.
pub fn header_tests(headers: &[(String, String)]) -> Vec<TestResult> {
    let h = header_map(headers);
    let mut tests = Vec::new();
    let (csp_result, csp_mod, frame_ancestors) = csp_test(&h);
    tests.push(TestResult {
        test: "content-security-policy",
        result: csp_result,
        modifier: csp_mod,
    });

    // Referrer-Policy: the last valid token of the (joined) header.
    let good = [
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ];
    let bad = [
        "origin",
        "origin-when-cross-origin",
        "unsafe-url",
        "no-referrer-when-downgrade",
    ];
    let (r, m) = match h.get("referrer-policy") {
        None => ("referrer-policy-not-implemented", 0),
        Some(v) => {
            let policy = v
                .split(',')
                .map(|e| e.trim_matches(js_space).to_lowercase())
                .rfind(|e| good.contains(&e.as_str()) || bad.contains(&e.as_str()))
                .unwrap_or_default();
            if good.contains(&policy.as_str()) {
                ("referrer-policy-private", 5)
            } else if bad.contains(&policy.as_str()) {
                ("referrer-policy-unsafe", -5)
            } else {
                ("referrer-policy-header-invalid", -5)
            }
        }
    };
    tests.push(TestResult {
        test: "referrer-policy",
        result: r,
        modifier: m,
    });

    // Strict-Transport-Security.
    let (r, m) = match h.get("strict-transport-security") {
        None => ("hsts-not-implemented", -20),
        Some(v) => {
            let data = js_slice(v, 1024);
            let mut max_age: Option<Option<f64>> = None;
            if !data.contains(',') {
                for p in data
                    .split(';')
                    .map(|i| i.trim_matches(js_space).to_lowercase())
                {
                    if let Some(rest) = p.strip_prefix("max-age=") {
                        max_age = Some(parse_int(&js_slice(rest, 120)));
                    }
                }
            }
            match max_age {
                _ if data.contains(',') => ("hsts-header-invalid", -20),
                None => ("hsts-header-invalid", -20),
                // parseInt gave NaN: NaN < six months is false.
                Some(None) => ("hsts-implemented-max-age-at-least-six-months", 0),
                Some(Some(a)) if a < 15_552_000.0 => {
                    ("hsts-implemented-max-age-less-than-six-months", -10)
                }
                Some(Some(_)) => ("hsts-implemented-max-age-at-least-six-months", 0),
            }
        }
    };
    tests.push(TestResult {
        test: "strict-transport-security",
        result: r,
        modifier: m,
    });

    // X-Content-Type-Options.
    let (r, m) = match h.get("x-content-type-options") {
        None => ("x-content-type-options-not-implemented", -5),
        Some(v)
            if js_slice(v, 256)
                .trim_matches(js_space)
                .eq_ignore_ascii_case("nosniff") =>
        {
            ("x-content-type-options-nosniff", 0)
        }
        Some(_) => ("x-content-type-options-header-invalid", -5),
    };
    tests.push(TestResult {
        test: "x-content-type-options",
        result: r,
        modifier: m,
    });

    // X-Frame-Options, or CSP frame-ancestors.
    let (r, m) = if frame_ancestors {
        ("x-frame-options-implemented-via-csp", 5)
    } else {
        match h.get("x-frame-options") {
            None => ("x-frame-options-not-implemented", -20),
            Some(v) => {
                let x = js_slice(v, 1024).trim_matches(js_space).to_lowercase();
                if x == "deny" || x == "sameorigin" {
                    ("x-frame-options-sameorigin-or-deny", 0)
                } else if x.starts_with("allow-from") {
                    ("x-frame-options-allow-from-origin", 0)
                } else {
                    ("x-frame-options-header-invalid", -20)
                }
            }
        }
    };
    tests.push(TestResult {
        test: "x-frame-options",
        result: r,
        modifier: m,
    });

    // Cross-Origin-Resource-Policy.
    let (r, m) = match h
        .get("cross-origin-resource-policy")
        .map(|v| js_slice(v, 256).trim_matches(js_space).to_lowercase())
    {
        None => ("corp-not-implemented", 0),
        Some(v) if v.is_empty() => ("corp-not-implemented", 0),
        Some(v) if v == "same-site" => ("corp-implemented-with-same-site", 10),
        Some(v) if v == "same-origin" => ("corp-implemented-with-same-origin", 10),
        Some(v) if v == "cross-origin" => ("corp-implemented-with-cross-origin", 0),
        Some(_) => ("corp-header-invalid", -5),
    };
    tests.push(TestResult {
        test: "cross-origin-resource-policy",
        result: r,
        modifier: m,
    });

    tests
}

/// The score and letter of a set of test outcomes: 100 plus every modifier, bonuses only when
/// the score without them is 90 or more.
pub fn total(tests: Vec<TestResult>) -> Grade {
    let with_bonus: i32 = 100 + tests.iter().map(|t| t.modifier).sum::<i32>();
    let score = if bonuses_count(&tests) {
        with_bonus
    } else {
        without_bonuses(&tests)
    }
    .max(0);
    Grade {
        score,
        letter: letter(score),
        tests,
    }
}

/// 100 plus the penalties alone.
fn without_bonuses(tests: &[TestResult]) -> i32 {
    100 + tests
        .iter()
        .filter(|t| t.modifier < 0)
        .map(|t| t.modifier)
        .sum::<i32>()
}

/// Whether bonuses count: the score without them is 90 or more.
fn bonuses_count(tests: &[TestResult]) -> bool {
    without_bonuses(tests) >= 90
}

impl Grade {
    /// Whether the tests' bonuses (positive modifiers) counted in the score: only when the
    /// score without them is 90 or more.
    pub fn bonuses_count(&self) -> bool {
        bonuses_count(&self.tests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(h: &[(&str, &str)]) -> Grade {
        grade(
            &h.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn letters() {
        assert_eq!(letter(135), "A+");
        assert_eq!(letter(100), "A+");
        assert_eq!(letter(99), "A");
        assert_eq!(letter(85), "A-");
        assert_eq!(letter(24), "F");
        assert_eq!(letter(-40), "F");
        assert!(rank("A+") < rank("b"));
        assert_eq!(rank("Z"), None);
    }

    #[test]
    fn nothing_is_an_f() {
        let r = g(&[]);
        // CSP -25, HSTS -20, XCTO -5, XFO -20.
        assert_eq!((r.score, r.letter), (30, "D"));
    }

    #[test]
    fn a_modern_set_is_an_a_plus() {
        let r = g(&[
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
            (
                "Strict-Transport-Security",
                "max-age=63072000; includeSubDomains",
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
        ]);
        assert_eq!((r.score, r.letter), (130, "A+"));
    }

    #[test]
    fn bonuses_only_from_ninety() {
        // HSTS weak (-10) and XCTO missing (-5): 85 without bonuses, so none count.
        let r = g(&[
            ("Content-Security-Policy", "default-src 'none'"),
            ("Strict-Transport-Security", "max-age=600"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
        ]);
        assert_eq!((r.score, r.letter), (85, "A-"));
    }

    #[test]
    fn csp_details() {
        let t = |p: &str| csp_test(&header_map(&[("content-security-policy".into(), p.into())])).0;
        assert_eq!(
            t("default-src 'self'; script-src 'self' 'unsafe-inline'"),
            "csp-implemented-with-unsafe-inline"
        );
        assert_eq!(
            t("default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'"),
            "csp-implemented-with-no-unsafe"
        );
        assert_eq!(
            t("default-src 'self'; style-src 'unsafe-inline'"),
            "csp-implemented-with-unsafe-inline-in-style-src-only"
        );
        assert_eq!(
            t("default-src 'self' 'unsafe-eval'"),
            "csp-implemented-with-unsafe-eval"
        );
        assert_eq!(
            t("default-src 'self'; img-src http://x"),
            "csp-implemented-with-insecure-scheme-in-passive-content-only"
        );
        assert_eq!(
            t("default-src 'self'; default-src 'none'"),
            "csp-header-invalid"
        );
        assert_eq!(t("abc"), "csp-header-invalid");
        assert_eq!(
            t("default-src 'self'; report-uri /a; report-uri /b"),
            "csp-implemented-but-duplicate-directives"
        );
        assert_eq!(t("script-src 'strict-dynamic'"), "csp-header-invalid");
        assert_eq!(t("object-src 'none'"), "csp-implemented-with-unsafe-inline");
    }

    #[test]
    fn hsts_quirks() {
        let t = |v: &str| g(&[("Strict-Transport-Security", v)]).tests[2].result;
        assert_eq!(
            t("max-age=15552000"),
            "hsts-implemented-max-age-at-least-six-months"
        );
        assert_eq!(
            t("max-age=15551999"),
            "hsts-implemented-max-age-less-than-six-months"
        );
        assert_eq!(
            t("max-age=abc"),
            "hsts-implemented-max-age-at-least-six-months"
        );
        assert_eq!(t("max-age = 31536000"), "hsts-header-invalid");
        assert_eq!(t("max-age=31536000, max-age=1"), "hsts-header-invalid");
        assert_eq!(t("includeSubDomains"), "hsts-header-invalid");
    }
}
