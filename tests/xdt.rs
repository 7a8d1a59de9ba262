//! XDT transforms through `apply_transforms`: one behaviour per test, input and output as whole
//! text. Where webxsl's output differs from Microsoft's engine it is formatting only (the engine's
//! own output for these cases is checked by tests/xdt_differential.rs).

use webxsl::apply::{ApplyOptions, apply_transforms};
use webxsl::diag::{Pos, Severity};
use webxsl::xdt::{XdtError, XdtTransform};

const NS: &str = "http://schemas.microsoft.com/XML-Document-Transform";

/// A transform whose root is `<configuration xmlns:xdt="...">BODY</configuration>`.
fn transform(body: &str) -> XdtTransform {
    XdtTransform::from_str(
        &format!("<configuration xmlns:xdt=\"{NS}\">\n{body}\n</configuration>"),
        "t.config",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(body: &str, input: &str) -> Result<webxsl::apply::Applied, Vec<XdtError>> {
    let t = transform(body);
    apply_transforms(&[&t], input.as_bytes(), &ApplyOptions::default()).map_err(|e| match e {
        webxsl::apply::ApplyError::Xdt(x) => x.0,
        other => panic!("{other}"),
    })
}

/// The new text; the run must succeed without warnings.
fn xdt(body: &str, input: &str) -> String {
    let a = run(body, input).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    a.new_text
}

/// (code, severity, position) of every message of a run that succeeded.
fn warnings(body: &str, input: &str) -> Vec<(&'static str, Pos)> {
    let a = run(body, input).unwrap_or_else(|e| panic!("{e:?}"));
    a.warnings
        .iter()
        .map(|w| (w.code, w.pos.unwrap_or_default()))
        .collect()
}

/// (code, position) of the errors of a run that failed.
fn errors(body: &str, input: &str) -> Vec<(&'static str, Pos)> {
    let e = run(body, input).map(|a| a.new_text).unwrap_err();
    e.iter()
        .filter(|m| m.severity == Severity::Error)
        .map(|m| (m.code, m.pos.unwrap_or_default()))
        .collect()
}

const APP: &str = "<configuration>\n  <appSettings>\n    <add key=\"a\" value=\"1\" />\n    <add key=\"b\" value=\"2\" />\n  </appSettings>\n</configuration>\n";

#[test]
fn set_attributes_with_match_edits_only_that_value() {
    let out = xdt(
        r#"<appSettings><add key="b" value="20" xdt:Transform="SetAttributes" xdt:Locator="Match(key)"/></appSettings>"#,
        APP,
    );
    assert_eq!(out, APP.replace("\"2\"", "\"20\""));
}

#[test]
fn set_attributes_with_names_sets_only_those_and_appends_new_ones() {
    let out = xdt(
        r#"<appSettings><add key="a" value="x" lock="1" xdt:Transform="SetAttributes(lock)" xdt:Locator="Match(key)"/></appSettings>"#,
        APP,
    );
    assert_eq!(
        out,
        APP.replace(
            "key=\"a\" value=\"1\" />",
            "key=\"a\" value=\"1\" lock=\"1\" />"
        )
    );
}

#[test]
fn attribute_transforms_change_every_target() {
    let out = xdt(
        r#"<appSettings><add value="0" xdt:Transform="SetAttributes(value)" xdt:Locator="Condition(@key='a' or @key='b')"/></appSettings>"#,
        APP,
    );
    assert_eq!(out, APP.replace("\"1\"", "\"0\"").replace("\"2\"", "\"0\""));
}

#[test]
fn remove_attributes_removes_them_with_their_white_space() {
    let input = "<configuration>\r\n  <system.web>\r\n    <compilation debug=\"true\" targetFramework=\"4.8\" />\r\n  </system.web>\r\n</configuration>";
    let out = xdt(
        r#"<system.web><compilation xdt:Transform="RemoveAttributes(debug)"/></system.web>"#,
        input,
    );
    assert_eq!(out, input.replace("debug=\"true\" ", ""));
}

#[test]
fn replace_keeps_the_place_and_the_file_style() {
    let input = "<configuration>\n\t<system.web>\n\t\t<customErrors mode='Off' />\n\t\t<pages />\n\t</system.web>\n</configuration>";
    let out = xdt(
        r#"<system.web><customErrors mode="RemoteOnly" defaultRedirect="/error" xdt:Transform="Replace">
             <!-- the error page -->
             <error statusCode="500" redirect="/500.htm"/>
           </customErrors></system.web>"#,
        input,
    );
    assert_eq!(
        out,
        "<configuration>\n\t<system.web>\n\t\t<customErrors mode='RemoteOnly' defaultRedirect='/error'>\n\t\t\t<!-- the error page -->\n\t\t\t<error statusCode='500' redirect='/500.htm' />\n\t\t</customErrors>\n\t\t<pages />\n\t</system.web>\n</configuration>"
    );
}

#[test]
fn replace_and_remove_change_the_first_match_and_say_so() {
    let r = run(
        r#"<appSettings><add key="z" value="9" xdt:Transform="Replace"/></appSettings>"#,
        APP,
    )
    .unwrap();
    assert_eq!(
        r.new_text,
        APP.replace("key=\"a\" value=\"1\"", "key=\"z\" value=\"9\"")
    );
    assert_eq!(r.warnings[0].code, "XDT0012");
    assert_eq!(r.warnings[0].pos, Some(Pos::new(2, 37)));
    let r = run(
        r#"<appSettings><add xdt:Transform="Remove"/></appSettings>"#,
        APP,
    )
    .unwrap();
    assert_eq!(
        r.new_text,
        APP.replace("    <add key=\"a\" value=\"1\" />\n", "")
    );
    assert_eq!(r.warnings[0].code, "XDT0012");
}

#[test]
fn remove_all_removes_every_match_with_its_line() {
    let out = xdt(
        r#"<appSettings><add xdt:Transform="RemoveAll"/></appSettings>"#,
        APP,
    );
    assert_eq!(
        out,
        "<configuration>\n  <appSettings>\n  </appSettings>\n</configuration>\n"
    );
}

#[test]
fn insert_appends_to_the_parent_like_its_children() {
    let out = xdt(
        r#"<appSettings><add key="c" value="3" xdt:Transform="Insert"/></appSettings>"#,
        APP,
    );
    assert_eq!(
        out,
        APP.replace(
            "    <add key=\"b\" value=\"2\" />\n",
            "    <add key=\"b\" value=\"2\" />\n    <add key=\"c\" value=\"3\" />\n"
        )
    );
}

#[test]
fn insert_before_and_after_a_sibling() {
    let out = xdt(
        r#"<appSettings>
             <add key="first" xdt:Transform="InsertBefore(/configuration/appSettings/add[@key='a'])"/>
             <add key="middle" xdt:Transform="InsertAfter(add[@key='a'])"/>
           </appSettings>"#,
        APP,
    );
    assert_eq!(
        out,
        "<configuration>\n  <appSettings>\n    <add key=\"first\" />\n    <add key=\"a\" value=\"1\" />\n    <add key=\"middle\" />\n    <add key=\"b\" value=\"2\" />\n  </appSettings>\n</configuration>\n"
    );
}

#[test]
fn insert_if_missing_builds_a_missing_path_and_twice_equals_once() {
    let body = r#"<system.webServer xdt:Transform="InsertIfMissing">
        <httpProtocol xdt:Transform="InsertIfMissing">
          <customHeaders xdt:Transform="InsertIfMissing">
            <add name="X-Frame-Options" value="DENY" xdt:Transform="InsertIfMissing" xdt:Locator="Match(name)"/>
          </customHeaders>
        </httpProtocol>
      </system.webServer>"#;
    let once = xdt(body, APP);
    assert_eq!(
        once,
        APP.replace(
            "</configuration>",
            "  <system.webServer>\n    <httpProtocol>\n      <customHeaders>\n        <add name=\"X-Frame-Options\" value=\"DENY\" />\n      </customHeaders>\n    </httpProtocol>\n  </system.webServer>\n</configuration>"
        )
    );
    assert_eq!(xdt(body, &once), once);
}

#[test]
fn comment_out_keeps_the_element_as_a_comment() {
    let out = xdt(
        r#"<appSettings><add key="a" xdt:Transform="CommentOut" xdt:Locator="Match(key)"/></appSettings>"#,
        APP,
    );
    assert_eq!(
        out,
        APP.replace(
            "<add key=\"a\" value=\"1\" />",
            "<!-- <add key=\"a\" value=\"1\" /> -->"
        )
    );
    let whole = XdtTransform::from_str(
        &format!("<configuration xmlns:xdt=\"{NS}\" xdt:Transform=\"CommentOut\"/>"),
        "t",
    )
    .unwrap();
    let e = apply_transforms(&[&whole], APP.as_bytes(), &ApplyOptions::default()).unwrap_err();
    assert!(e.to_string().contains("XDT0014"), "{e}");
    assert_eq!(
        errors(
            r#"<appSettings><add xdt:Transform="InsertAfter(/configuration)"/></appSettings>"#,
            APP
        ),
        [("XDT0014", Pos::new(2, 19))]
    );
    // Nor can the document element be removed: the result would not be XML.
    for verb in ["Remove", "RemoveAll"] {
        let t = XdtTransform::from_str(
            &format!("<configuration xmlns:xdt=\"{NS}\" xdt:Transform=\"{verb}\"/>"),
            "t",
        )
        .unwrap();
        let e = apply_transforms(&[&t], APP.as_bytes(), &ApplyOptions::default()).unwrap_err();
        assert!(e.to_string().contains("XDT0014"), "{e}");
    }
}

#[test]
fn set_tokenized_attributes_fills_in_the_targets_attributes() {
    let out = xdt(
        r#"<connectionStrings><add name="db" connectionString="$(name)-$(providerName)-$(x" xdt:Transform="SetTokenizedAttributes(connectionString)" xdt:Locator="Match(name)"/></connectionStrings>"#,
        "<configuration><connectionStrings><add name=\"db\" providerName=\"sql\" connectionString=\"x\"/></connectionStrings></configuration>",
    );
    assert!(out.contains("connectionString=\"db-sql-$(x\""), "{out}");
    // A name found nowhere fails, as in the engine.
    assert_eq!(
        errors(
            r#"<connectionStrings><add connectionString="$(nope)" xdt:Transform="SetTokenizedAttributes(connectionString)"/></connectionStrings>"#,
            "<configuration><connectionStrings><add name=\"db\"/></connectionStrings></configuration>",
        )[0]
        .0,
        "XDT0016"
    );
}

#[test]
fn locators_compose_along_the_path() {
    let input = "<configuration>\n  <location path=\"a\">\n    <system.web><pages x=\"1\"/></system.web>\n  </location>\n  <location path=\"b\">\n    <system.web><pages x=\"1\"/></system.web>\n  </location>\n</configuration>";
    let out = xdt(
        r#"<location path="b" xdt:Locator="Match(path)"><system.web><pages x="2" xdt:Transform="SetAttributes"/></system.web></location>"#,
        input,
    );
    assert_eq!(
        out,
        input.replace(
            "<location path=\"b\">\n    <system.web><pages x=\"1\"/>",
            "<location path=\"b\">\n    <system.web><pages x=\"2\"/>"
        )
    );
    // An absolute XPath locator wins over the path it is written in.
    let out = xdt(
        r#"<nowhere><pages x="3" xdt:Transform="SetAttributes" xdt:Locator="XPath(/configuration/location[@path='a']/system.web/pages)"/></nowhere>"#,
        input,
    );
    assert_eq!(out, input.replacen("x=\"1\"", "x=\"3\"", 1));
    // A relative one continues the path.
    let out = xdt(
        r#"<location xdt:Locator="Condition(@path='b')"><system.web xdt:Locator="XPath(./pages)" x="4" xdt:Transform="SetAttributes"/></location>"#,
        input,
    );
    assert!(
        out.contains("<location path=\"b\">\n    <system.web><pages x=\"4\"/>"),
        "{out}"
    );
}

#[test]
fn a_default_namespace_needs_the_same_namespace_in_the_transform() {
    let input = "<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\">\n  <appSettings>\n    <add key=\"X\" value=\"1\" />\n  </appSettings>\n</configuration>";
    let ns_transform = |body: &str| {
        XdtTransform::from_str(
            &format!("<configuration xmlns=\"http://schemas.microsoft.com/.NetConfiguration/v2.0\" xmlns:xdt=\"{NS}\">{body}</configuration>"),
            "t",
        )
        .unwrap()
    };
    let t = ns_transform(
        r#"<appSettings><add key="X" value="2" xdt:Transform="SetAttributes(value)" xdt:Locator="Match(key)"/></appSettings>"#,
    );
    let out = apply_transforms(&[&t], input.as_bytes(), &ApplyOptions::default()).unwrap();
    assert_eq!(out.new_text, input.replace("\"1\"", "\"2\""));
    // NuGet style: a condition on children, through the _defaultNamespace prefix.
    let t = ns_transform(
        r#"<appSettings xdt:Locator="Condition(./_defaultNamespace:add/@key='X')"><add key="Y" value="3" xdt:Transform="Insert"/></appSettings>"#,
    );
    let out = apply_transforms(&[&t], input.as_bytes(), &ApplyOptions::default()).unwrap();
    assert!(
        out.new_text
            .contains("    <add key=\"Y\" value=\"3\" />\n  </appSettings>"),
        "{}",
        out.new_text
    );
    // Without it, nothing matches: a warning at the root, and nothing changes.
    assert_eq!(
        warnings(
            r#"<appSettings><add key="X" value="2" xdt:Transform="SetAttributes(value)" xdt:Locator="Match(key)"/></appSettings>"#,
            input
        ),
        [("XDT0006", Pos::new(1, 2))]
    );
}

#[test]
fn xdt_attributes_and_declarations_never_reach_the_output() {
    let out = xdt(
        r#"<appSettings><add key="c" xdt:Transform="Insert" xdt:Locator="Match(key)" xdt:SupressWarnings="false"><x xdt:Transform="Remove"/></add></appSettings>"#,
        APP,
    );
    assert!(!out.contains("xdt") && !out.contains(NS), "{out}");
}

#[test]
fn a_transform_without_verbs_changes_no_byte() {
    let input = "\u{feff}<?xml version=\"1.0\"?>\r\n<configuration>\r\n\t<appSettings>\r\n\t\t<add key='a' value=\"&amp;1\"/>\r\n\t</appSettings>\r\n</configuration>";
    let a = run(
        r#"<appSettings><add key="a" value="zzz" xdt:Locator="Match(key)"/></appSettings>"#,
        input,
    )
    .unwrap();
    assert!(!a.changed);
    assert_eq!(a.new_text, input.trim_start_matches('\u{feff}'));
}

#[test]
fn a_missing_target_is_a_warning_naming_the_path_and_an_error_for_insert() {
    assert_eq!(
        warnings(
            r#"<system.web><customErrors xdt:Transform="Replace"/></system.web>"#,
            APP
        ),
        [("XDT0006", Pos::new(2, 2))]
    );
    let e = run(
        r#"<system.web><pages><add xdt:Transform="Insert"/></pages></system.web>"#,
        APP,
    )
    .unwrap_err();
    assert_eq!((e[0].code, e[0].severity), ("XDT0006", Severity::Error));
    // It names the outermost element that matched nothing, as the engine does.
    assert!(
        e[0].message.contains("'/configuration/system.web/pages'"),
        "{}",
        e[0].message
    );
    // A match an earlier transform removed is named as such.
    let w = run(
        r#"<appSettings><add key="a" xdt:Transform="Remove" xdt:Locator="Match(key)"/><add key="a" value="5" xdt:Transform="SetAttributes" xdt:Locator="Match(key)"/></appSettings>"#,
        APP,
    )
    .unwrap()
    .warnings;
    assert!(
        w[0].message.contains("removed by a previous transform"),
        "{}",
        w[0].message
    );
}

#[test]
fn suppressed_warnings_are_not_reported() {
    assert!(
        warnings(
            r#"<system.web><customErrors xdt:Transform="Replace" xdt:SupressWarnings="true"/></system.web>"#,
            APP
        )
        .is_empty()
    );
}

#[test]
fn mistakes_are_errors_at_their_place() {
    // Unknown transform, with a did-you-mean.
    let e = run(r#"<appSettings xdt:Transform="SetAttribute"/>"#, APP).unwrap_err();
    assert_eq!((e[0].code, e[0].pos), ("XDT0003", Some(Pos::new(2, 14))));
    assert_eq!(e[0].hint.as_deref(), Some("did you mean SetAttributes?"));
    // An XPath syntax error points inside the attribute.
    assert_eq!(
        errors(
            r#"<appSettings><add xdt:Transform="Remove" xdt:Locator="Condition(@key=)"/></appSettings>"#,
            APP
        ),
        [("XPST0003", Pos::new(2, 70))]
    );
    // The engine only closes a Condition's bracket when the condition does not end with one.
    let e = run(
        r#"<appSettings xdt:Locator="Condition(add[@key='a'])" xdt:Transform="Remove"/>"#,
        APP,
    )
    .unwrap_err();
    assert!(e[0].hint.as_deref().unwrap().contains("parentheses"));
    // Match needs the attribute it names.
    assert_eq!(
        errors(
            r#"<appSettings><add xdt:Transform="Remove" xdt:Locator="Match(key)"/></appSettings>"#,
            APP
        )[0]
        .0,
        "XDT0005"
    );
    // Wrong argument counts.
    assert_eq!(
        errors(
            r#"<appSettings><add xdt:Transform="InsertAfter"/></appSettings>"#,
            APP
        )[0]
        .0,
        "XDT0004"
    );
}

#[test]
fn import_is_refused() {
    let e = XdtTransform::from_str(
        &format!("<configuration xmlns:xdt=\"{NS}\">\n  <xdt:Import assembly=\"Evil\" namespace=\"Evil\"/>\n</configuration>"),
        "t.config",
    )
    .unwrap_err();
    assert_eq!(
        (e.first_error().code, e.first_error().pos),
        ("XDT0008", Some(Pos::new(2, 4)))
    );
}

#[test]
fn transforms_chain_in_order() {
    let build =
        transform(r#"<appSettings><add key="c" value="3" xdt:Transform="Insert"/></appSettings>"#);
    let env = transform(
        r#"<appSettings><add key="c" value="30" xdt:Transform="SetAttributes" xdt:Locator="Match(key)"/></appSettings>"#,
    );
    let out = apply_transforms(&[&build, &env], APP.as_bytes(), &ApplyOptions::default()).unwrap();
    assert!(
        out.new_text.contains("<add key=\"c\" value=\"30\" />"),
        "{}",
        out.new_text
    );
}

#[test]
fn every_code_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/xdt.md")).unwrap();
    let mut codes = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(root.join("src/xdt")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("\"XDT0") {
            codes.insert(rest[i + 1..i + 8].to_owned());
            rest = &rest[i + 8..];
        }
    }
    assert!(codes.len() >= 16, "{codes:?}");
    for c in codes {
        assert!(
            doc.contains(&format!("| {c} |")),
            "{c} is not in docs/xdt.md"
        );
    }
}
