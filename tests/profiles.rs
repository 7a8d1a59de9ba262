//! Profiles, presets and generated templates: every preset on every sample, through xsltproc
//! and through webxsl, gives the same content, one entry per header, and applying twice is
//! applying once.

mod support;

use webxsl::apply::{ApplyOptions, apply_profile};
use webxsl::generate::{xdt, xsl};
use webxsl::model::{HeaderOp, Scope, effective_headers, header_collections};
use webxsl::profile::{self, Profile, presets};
use webxsl::xml::{Document, Limits};

/// The headers in effect, as IIS merges the collections: in the application (top level and
/// `<location path=".">`) and, when the profile patches them, in every other `<location>`, each
/// header of the profile is set once with its value, removed headers are not added, and no
/// collection adds a header twice (HTTP 500.19).
fn check_entries(original: &Profile, bytes: &[u8], what: &str) {
    // What the profile writes: headers for logout responses only and removals IIS cannot do
    // are not written (src/profile/removals.rs).
    let eff = original.effective();
    let p = &eff.profile;
    let doc = Document::parse(bytes, &Limits::default()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let colls = header_collections(doc.tree());
    let scopes = effective_headers(&colls, p.collection);
    let dups = webxsl::iis::duplicates(doc.tree(), webxsl::iis::IisVersion::Iis10);
    assert!(
        dups.is_empty(),
        "{what}: duplicate entries {dups:?}\n{}",
        String::from_utf8_lossy(bytes)
    );
    let mut lists = vec![("the application".to_string(), &scopes.application)];
    if p.locations {
        for (scope, list) in &scopes.locations {
            lists.push((scope.label(), list));
        }
    }
    for (label, list) in lists {
        for h in &p.headers {
            let set: Vec<_> = list
                .iter()
                .filter(|e| e.name.eq_ignore_ascii_case(&h.name))
                .collect();
            assert_eq!(set.len(), 1, "{what}: {} in {label}", h.name);
            assert_eq!(
                set[0].value,
                h.value.render(),
                "{what}: value of {} in {label}",
                h.name
            );
        }
        for r in &p.remove {
            assert!(
                !list.iter().any(|e| e.name.eq_ignore_ascii_case(r)),
                "{what}: {r} is added in {label}"
            );
        }
    }
    // What the server adds (X-Powered-By) is removed in the application, once per collection.
    for r in &p.remove {
        let app: Vec<_> = colls
            .iter()
            .filter(|c| {
                c.kind == p.collection && (c.scope == Scope::TopLevel || c.scope.is_application())
            })
            .collect();
        let removed = app.iter().any(|c| {
            c.entries.iter().any(|e| match &e.op {
                HeaderOp::Clear => true,
                HeaderOp::Remove { name } => name.eq_ignore_ascii_case(r),
                HeaderOp::Add { .. } => false,
            })
        });
        assert!(removed, "{what}: {r} is not removed");
        for c in app {
            let n = c
                .entries
                .iter()
                .filter(
                    |e| matches!(&e.op, HeaderOp::Remove { name } if name.eq_ignore_ascii_case(r)),
                )
                .count();
            assert!(
                n <= 1,
                "{what}: {n} <remove name=\"{r}\"/> in one collection"
            );
        }
    }
}

#[test]
fn every_preset_on_every_sample_agrees_with_xsltproc_and_is_idempotent() {
    let dir = support::temp_dir("profiles");
    for name in presets::NAMES {
        let p = presets::get(name).unwrap();
        let xsl_path = dir.join(format!("{name}.xsl"));
        std::fs::write(&xsl_path, xsl(&p)).unwrap();
        for sample in support::samples() {
            let what = format!("{name} on {}", sample.display());
            let input = std::fs::read(&sample).unwrap();
            // webxsl: a minimal edit.
            let once = apply_profile(&p, &input, &ApplyOptions::default()).unwrap();
            assert!(once.fallback.is_none(), "{what}: {:?}", once.fallback);
            check_entries(&p, &once.bytes, &what);
            // Free of no-op removals: no <remove> of a header IIS configuration cannot drop.
            let no_effect = |bytes: &[u8]| {
                let d = Document::parse(bytes, &Limits::default()).unwrap();
                let t = d.tree();
                t.descendants(t.root())
                    .filter(|&n| t.local_name(n) == "remove")
                    .filter_map(|n| t.attribute_value(n, "", "name"))
                    .filter(|name| {
                        p.remove.iter().any(|r| r.eq_ignore_ascii_case(name))
                            && p.removal(name) != webxsl::profile::removals::Removal::Inherited
                    })
                    .count()
            };
            assert_eq!(
                no_effect(&once.bytes),
                no_effect(&input),
                "{what}: no-op <remove>"
            );
            let twice = apply_profile(&p, &once.bytes, &ApplyOptions::default()).unwrap();
            assert!(
                twice.bytes == once.bytes,
                "{what}: applying twice changed the file again"
            );
            // xsltproc on the generated template: the same content, and idempotent too.
            let theirs = support::run_xsltproc(&xsl_path, &sample, &[]);
            assert_eq!(
                support::canonical_content(&once.bytes),
                support::canonical_content(&theirs),
                "{what}: webxsl and xsltproc disagree"
            );
            check_entries(&p, &theirs, &format!("{what} (xsltproc)"));
            let again_in = dir.join("again.config");
            std::fs::write(&again_in, &theirs).unwrap();
            let theirs_twice = support::run_xsltproc(&xsl_path, &again_in, &[]);
            assert_eq!(
                support::canonical_content(&theirs_twice),
                support::canonical_content(&theirs),
                "{what}: xsltproc twice"
            );
        }
    }
}

#[test]
fn the_default_namespace_gets_entries_in_its_namespace() {
    let input =
        std::fs::read(support::root().join("samples/default-namespace/web.config")).unwrap();
    let p = presets::get("recommended").unwrap();
    let out = apply_profile(&p, &input, &ApplyOptions::default()).unwrap();
    assert!(!out.new_text.contains("xmlns=\"\""), "{}", out.new_text);
    assert!(
        out.new_text
            .contains("        <add name=\"X-Frame-Options\" value=\"DENY\" />\n"),
        "{}",
        out.new_text
    );
}

#[test]
fn locations_are_patched_when_asked() {
    let p = profile::parse(
        "name = \"loc\"\nlocations = true\nremove-inherited = true\nremove = [\"X-Powered-By\"]\n[headers]\nX-Frame-Options = \"DENY\"\n",
        false,
        None,
    )
    .unwrap();
    let input =
        std::fs::read(support::root().join("samples/location-sections/web.config")).unwrap();
    let out = apply_profile(&p, &input, &ApplyOptions::default()).unwrap();
    check_entries(&p, &out.bytes, "locations");
    let doc = Document::parse(&out.bytes, &Limits::default()).unwrap();
    let located = header_collections(doc.tree())
        .into_iter()
        .filter(|c| c.scope != Scope::TopLevel)
        .count();
    assert_eq!(located, 2);
    // remove-inherited: a <remove> before each new <add>.
    assert!(
        out.new_text.contains("<remove name=\"X-Frame-Options\" />"),
        "{}",
        out.new_text
    );
    let twice = apply_profile(&p, &out.bytes, &ApplyOptions::default()).unwrap();
    assert!(!twice.changed);
}

#[test]
fn special_characters_are_escaped_in_every_output() {
    let p = profile::parse(
        "name = \"chars\"\n[headers]\nX-Test = \"a & b < c > d \\\" e ' f\"\n[headers.Content-Security-Policy]\ndefault-src = [\"'self'\", \"https://a.example/?x=1&y=2\"]\n",
        false,
        None,
    )
    .unwrap();
    let csp = "default-src 'self' https://a.example/?x=1&y=2";
    for (kind, text) in [("xsl", xsl(&p)), ("xdt", xdt(&p))] {
        let d = Document::parse_str(&text, &Limits::default())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let values: Vec<String> = d
            .tree()
            .descendants(webxsl::xml::NodeId::ROOT)
            .filter_map(|n| match d.tree().kind(n) {
                webxsl::xml::NodeKind::Text => Some(d.tree().value(n).to_owned()),
                webxsl::xml::NodeKind::Element => {
                    d.tree().attribute_value(n, "", "value").map(str::to_owned)
                }
                _ => None,
            })
            .collect();
        assert!(
            values.iter().any(|v| v == "a & b < c > d \" e ' f"),
            "{kind}: {values:?}"
        );
        assert!(values.iter().any(|v| v == csp), "{kind}");
    }
    let out = apply_profile(&p, b"<configuration/>", &ApplyOptions::default()).unwrap();
    let doc = Document::parse(&out.bytes, &Limits::default()).unwrap();
    let c = &header_collections(doc.tree())[0];
    let effective = c.effective();
    assert_eq!(
        effective[0],
        ("X-Test".to_string(), "a & b < c > d \" e ' f".to_string())
    );
    assert_eq!(effective[1].1, csp);
}

/// XDT verbs and locators Microsoft documents (Web.config transformation syntax).
const XDT_TRANSFORMS: &[&str] = &[
    "Replace",
    "Insert",
    "InsertIfMissing",
    "InsertBefore",
    "InsertAfter",
    "Remove",
    "RemoveAll",
    "RemoveAttributes",
    "SetAttributes",
    "XSLT",
];
const XDT_LOCATORS: &[&str] = &["Condition", "Match", "XPath"];

#[test]
fn xdt_output_follows_the_fixtures_conventions() {
    let xdt_dir = support::shared().join("conformance/xdt");
    // The verbs and locators the fixtures use, with their argument style.
    let mut fixture_verbs = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&xdt_dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with("_transform.xml") || name.starts_with("Web.")) {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for key in ["Transform=\"", "Locator=\""] {
            for part in text.split(key).skip(1) {
                let v = &part[..part.find('"').unwrap()];
                fixture_verbs.insert(v.split('(').next().unwrap().to_owned());
            }
        }
    }
    for verb in ["Remove", "Insert", "SetAttributes", "Match"] {
        assert!(fixture_verbs.contains(verb), "the fixtures use {verb}");
    }
    for name in presets::NAMES {
        let text = xdt(&presets::get(name).unwrap());
        let doc = Document::parse_str(&text, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = doc.tree();
        let root = t.root_element().unwrap();
        assert_eq!(
            t.lookup_namespace(root, "xdt"),
            Some(webxsl::generate::XDT_NS)
        );
        let mut used = 0;
        for n in t.descendants(webxsl::xml::NodeId::ROOT) {
            for a in t.attributes(n) {
                if t.namespace_uri(a) != webxsl::generate::XDT_NS {
                    continue;
                }
                used += 1;
                let v = t.value(a);
                let verb = v.split('(').next().unwrap();
                let allowed = match t.local_name(a) {
                    "Transform" => XDT_TRANSFORMS,
                    "Locator" => XDT_LOCATORS,
                    other => panic!("{name}: unknown xdt attribute {other}"),
                };
                assert!(
                    allowed.contains(&verb),
                    "{name}: {v} is not a documented XDT verb"
                );
                if v.contains('(') {
                    assert!(v.ends_with(')') && !v.contains("()"), "{name}: {v}");
                }
                if verb == "Match" {
                    assert_eq!(v, "Match(name)", "{name}");
                }
            }
        }
        assert!(used > 5, "{name}");
    }
}

#[test]
fn the_owasp_preset_follows_the_owasp_reference() {
    let dir = support::shared().join("reference/owasp");
    let add: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("headers_add.json")).unwrap())
            .unwrap();
    let remove: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("headers_remove.json")).unwrap())
            .unwrap();
    let p = presets::get("owasp").unwrap();
    let expected: Vec<(String, String)> = add["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ours: Vec<(String, String)> = p
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.render()))
        .collect();
    assert_eq!(ours, expected);
    let expected_remove: Vec<String> = remove["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(p.remove, expected_remove);
}

#[test]
fn the_permissions_policy_table_follows_the_reference() {
    let tsv = std::fs::read_to_string(
        support::shared().join("reference/permissions-policy-features.tsv"),
    )
    .unwrap();
    let expected: Vec<(String, String)> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (f, s) = l.split_once('\t').unwrap();
            (f.to_owned(), s.trim().to_owned())
        })
        .collect();
    let ours: Vec<(String, String)> = webxsl::profile::permissions::FEATURES
        .iter()
        .map(|(f, s)| {
            (
                f.to_string(),
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(ours, expected);
}

#[test]
fn the_recommended_preset_uses_only_standardized_features() {
    let p = presets::get("recommended").unwrap();
    let pp = p
        .headers
        .iter()
        .find(|h| h.name == "Permissions-Policy")
        .unwrap();
    let members = webxsl::profile::permissions::parse(&pp.value.render()).unwrap();
    for m in members {
        assert_eq!(
            webxsl::profile::permissions::feature_status(&m.feature),
            Some(webxsl::profile::permissions::FeatureStatus::Standardized),
            "{}",
            m.feature
        );
    }
}

/// Applies a profile with webxsl and with xsltproc (on the generated template), checks that
/// both agree, that the result passes [`check_entries`] and that a second run changes nothing;
/// returns webxsl's result.
fn apply_both(p: &Profile, input: &str, what: &str) -> String {
    let dir = support::temp_dir(&format!("scope-{}", what.replace(' ', "-")));
    let xsl_path = dir.join("p.xsl");
    std::fs::write(&xsl_path, xsl(p)).unwrap();
    let in_path = dir.join("web.config");
    std::fs::write(&in_path, input).unwrap();
    let once = apply_profile(p, input.as_bytes(), &ApplyOptions::default()).unwrap();
    check_entries(p, &once.bytes, what);
    let theirs = support::run_xsltproc(&xsl_path, &in_path, &[]);
    assert_eq!(
        support::canonical_content(&once.bytes),
        support::canonical_content(&theirs),
        "{what}: webxsl and xsltproc disagree"
    );
    let twice = apply_profile(p, &once.bytes, &ApplyOptions::default()).unwrap();
    assert!(
        !twice.changed,
        "{what}: not idempotent:\n{}",
        twice.new_text
    );
    once.new_text
}

fn small_profile(extra: &str) -> Profile {
    profile::parse(
        &format!(
            "name = \"small\"\n{extra}remove = [\"X-Powered-By\"]\n[headers]\nX-Frame-Options = \"DENY\"\nX-Content-Type-Options = \"nosniff\"\n"
        ),
        false,
        None,
    )
    .unwrap()
}

#[test]
fn the_application_location_is_used_when_the_top_level_has_no_system_webserver() {
    // ASP.NET Core's published web.config: everything inside <location path=".">.
    let input = "<configuration>\n  <location path=\".\" inheritInChildApplications=\"false\">\n    <system.webServer>\n      <aspNetCore processPath=\"dotnet\" />\n    </system.webServer>\n  </location>\n</configuration>\n";
    let out = apply_both(&small_profile(""), input, "app location");
    assert_eq!(
        out,
        "<configuration>\n  <location path=\".\" inheritInChildApplications=\"false\">\n    <system.webServer>\n      <aspNetCore processPath=\"dotnet\" />\n      <httpProtocol>\n        <customHeaders>\n          <remove name=\"X-Powered-By\" />\n          <add name=\"X-Frame-Options\" value=\"DENY\" />\n          <add name=\"X-Content-Type-Options\" value=\"nosniff\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n"
    );
}

#[test]
fn headers_set_in_either_application_collection_are_not_added_again() {
    // The top level sets X-Frame-Options, <location path="."> X-Content-Type-Options: IIS
    // merges both, so neither may be added to the other.
    let input = "<configuration>\n  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n  <location path=\".\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"x-content-type-options\" value=\"nosniff\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n";
    let out = apply_both(&small_profile(""), input, "both application collections");
    assert_eq!(out.matches("X-Frame-Options").count(), 1, "{out}");
    assert_eq!(
        out.to_ascii_lowercase()
            .matches("x-content-type-options")
            .count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("<add name=\"X-Frame-Options\" value=\"DENY\" />"),
        "{out}"
    );
}

#[test]
fn a_location_that_sets_a_profile_header_itself_gets_a_remove_first() {
    // Without the <remove>, /api would answer HTTP 500.19 once the application sets
    // X-Frame-Options too.
    let input = "<configuration>\n  <location path=\"api\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n";
    let out = apply_both(&small_profile(""), input, "own entry");
    assert!(
        out.contains("          <remove name=\"X-Frame-Options\" />\n          <add name=\"X-Frame-Options\" value=\"SAMEORIGIN\" />\n"),
        "{out}"
    );
    // With locations = true the location's entry also gets the profile's value.
    let out = apply_both(
        &small_profile("locations = true\n"),
        input,
        "own entry patched",
    );
    assert!(
        out.contains("          <remove name=\"X-Frame-Options\" />\n          <add name=\"X-Frame-Options\" value=\"DENY\" />\n"),
        "{out}"
    );
}

#[test]
fn a_location_that_clears_gets_the_headers_back_when_locations_is_on() {
    let input = "<configuration>\n  <location path=\"legacy\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <clear />\n          <add name=\"X-UA-Compatible\" value=\"IE=edge\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n";
    // Off: the location keeps its choice (the check only covers the application).
    let out = apply_both(&small_profile(""), input, "clear off");
    assert_eq!(out.matches("X-Frame-Options").count(), 1, "{out}");
    // On: the cleared headers are added back in the location.
    let out = apply_both(&small_profile("locations = true\n"), input, "clear on");
    assert!(
        out.contains("          <clear />\n          <add name=\"X-UA-Compatible\" value=\"IE=edge\" />\n          <add name=\"X-Frame-Options\" value=\"DENY\" />\n          <add name=\"X-Content-Type-Options\" value=\"nosniff\" />\n"),
        "{out}"
    );
}

const LOGOUT_AND_STRIP: &str = "name = \"ls\"\nremove = [\"X-Powered-By\", \"Server\", \"X-Kong-Request-Id\", \"X-Generator\"]\nstrip = [\"X-Generator\"]\nlogout-paths = [\"account/logout\"]\n[headers]\nX-Frame-Options = \"DENY\"\nClear-Site-Data = '\"cache\",\"cookies\",\"storage\"'\n";

#[test]
fn clear_site_data_goes_only_to_the_logout_paths() {
    let p = profile::parse(LOGOUT_AND_STRIP, false, None).unwrap();
    for (what, input) in [
        (
            "no location",
            "<configuration>\n  <system.webServer />\n</configuration>\n",
        ),
        (
            "an existing logout location without headers",
            "<configuration>\n  <location path=\"account/logout\">\n    <system.webServer>\n      <handlers />\n    </system.webServer>\n  </location>\n</configuration>\n",
        ),
        (
            "an existing logout location with headers",
            "<configuration>\n  <location path=\"account/logout\">\n    <system.webServer>\n      <httpProtocol>\n        <customHeaders>\n          <add name=\"Cache-Control\" value=\"no-store\" />\n        </customHeaders>\n      </httpProtocol>\n    </system.webServer>\n  </location>\n</configuration>\n",
        ),
    ] {
        let out = apply_both(&p, input, what);
        let doc = Document::parse_str(&out, &Limits::default()).unwrap();
        let colls = header_collections(doc.tree());
        let scopes = effective_headers(&colls, p.collection);
        let sends =
            |list: &[webxsl::model::Effective]| list.iter().any(|e| e.name == "Clear-Site-Data");
        assert!(!sends(&scopes.application), "{what}: site-wide\n{out}");
        let logout: Vec<_> = scopes
            .locations
            .iter()
            .filter(|(s, _)| s.path() == Some("account/logout"))
            .collect();
        assert_eq!(logout.len(), 1, "{what}: one logout location\n{out}");
        assert!(sends(&logout[0].1), "{what}: not on the logout path\n{out}");
        // validate: no site-wide warning, and the profile is satisfied.
        let opts = webxsl::validate::ValidateOptions {
            profile: Some(p.clone()),
            ..Default::default()
        };
        let r = webxsl::validate::validate("web.config", out.as_bytes(), &opts);
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule).collect();
        assert!(
            !rules.contains(&"clear-site-data-sitewide"),
            "{what}: {rules:?}"
        );
        assert!(
            !rules.contains(&"profile-mismatch"),
            "{what}: {:#?}",
            r.findings
        );
    }
}

#[test]
fn stripped_headers_get_one_outbound_rule_that_validate_understands() {
    let p = profile::parse(LOGOUT_AND_STRIP, false, None).unwrap();
    let input = "<configuration>\n  <system.webServer>\n    <rewrite>\n      <outboundRules>\n        <rule name=\"mine\">\n          <match serverVariable=\"RESPONSE_X_Other\" pattern=\".+\" />\n          <action type=\"Rewrite\" value=\"\" />\n        </rule>\n      </outboundRules>\n    </rewrite>\n  </system.webServer>\n</configuration>\n";
    let out = apply_both(&p, input, "strip");
    assert_eq!(
        out.matches("<rule name=\"webxsl strip X-Generator\">")
            .count(),
        1,
        "{out}"
    );
    assert_eq!(out.matches("RESPONSE_X_Generator").count(), 1, "{out}");
    assert!(out.contains("<rule name=\"mine\">"), "{out}");
    // Nothing for the header no IIS setting can drop; Server goes to its switch.
    assert!(!out.contains("X-Kong"), "{out}");
    assert!(out.contains("removeServerHeader=\"true\""), "{out}");
    // The generated XDT gives the same.
    let t = webxsl::xdt::XdtTransform::from_str(&xdt(&p), "p.xdt").unwrap();
    let x =
        webxsl::apply::apply_transforms(&[&t], input.as_bytes(), &ApplyOptions::default()).unwrap();
    assert_eq!(
        x.new_text.matches("RESPONSE_X_Generator").count(),
        1,
        "{}",
        x.new_text
    );
    let again = webxsl::apply::apply_transforms(&[&t], &x.bytes, &ApplyOptions::default()).unwrap();
    assert!(!again.changed, "{}", again.new_text);
    // validate sees an X-Powered-By blanked by a rule as removed.
    let leak = "<configuration>\n  <system.webServer>\n    <rewrite>\n      <outboundRules>\n        <rule name=\"no powered-by\">\n          <match serverVariable=\"RESPONSE_X-Powered-By\" pattern=\".+\" />\n          <action type=\"Rewrite\" value=\"\" />\n        </rule>\n      </outboundRules>\n    </rewrite>\n  </system.webServer>\n</configuration>\n";
    let r = webxsl::validate::validate("web.config", leak.as_bytes(), &Default::default());
    assert!(
        !r.findings
            .iter()
            .any(|f| f.message.contains("X-Powered-By")),
        "{:#?}",
        r.findings
    );
    let without = leak.replace("RESPONSE_X-Powered-By", "RESPONSE_X_Other");
    let r = webxsl::validate::validate("web.config", without.as_bytes(), &Default::default());
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains("X-Powered-By"))
    );
}
