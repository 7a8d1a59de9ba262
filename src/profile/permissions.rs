//! Permissions-Policy: the features browsers know (and their status), and the structured-field
//! dictionary syntax of the header (RFC 8941): `camera=(), geolocation=(self "https://a.example")`.

/// How far a feature is from browsers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureStatus {
    /// In the Permissions Policy spec or a spec that defines it.
    Standardized,
    /// Proposed, not standardized.
    Proposed,
    /// Experimental in one browser.
    Experimental,
    /// No longer supported.
    Retired,
}

/// Every feature of w3c/webappsec-permissions-policy's features.md (commit c10c76d8), with its
/// status. Anything else (`interest-cohort`, say) is unknown to browsers. The test suite checks
/// this table against `../shared/reference/permissions-policy-features.tsv`.
pub static FEATURES: &[(&str, FeatureStatus)] = &[
    ("accelerometer", FeatureStatus::Standardized),
    ("ambient-light-sensor", FeatureStatus::Standardized),
    ("attribution-reporting", FeatureStatus::Standardized),
    ("autoplay", FeatureStatus::Standardized),
    ("battery", FeatureStatus::Standardized),
    ("bluetooth", FeatureStatus::Standardized),
    ("camera", FeatureStatus::Standardized),
    ("ch-ua", FeatureStatus::Standardized),
    ("ch-ua-arch", FeatureStatus::Standardized),
    ("ch-ua-bitness", FeatureStatus::Standardized),
    ("ch-ua-full-version", FeatureStatus::Standardized),
    ("ch-ua-full-version-list", FeatureStatus::Standardized),
    ("ch-ua-high-entropy-values", FeatureStatus::Standardized),
    ("ch-ua-mobile", FeatureStatus::Standardized),
    ("ch-ua-model", FeatureStatus::Standardized),
    ("ch-ua-platform", FeatureStatus::Standardized),
    ("ch-ua-platform-version", FeatureStatus::Standardized),
    ("ch-ua-wow64", FeatureStatus::Standardized),
    ("compute-pressure", FeatureStatus::Standardized),
    ("cross-origin-isolated", FeatureStatus::Standardized),
    ("direct-sockets", FeatureStatus::Standardized),
    ("display-capture", FeatureStatus::Standardized),
    ("encrypted-media", FeatureStatus::Standardized),
    ("execution-while-not-rendered", FeatureStatus::Standardized),
    (
        "execution-while-out-of-viewport",
        FeatureStatus::Standardized,
    ),
    ("fullscreen", FeatureStatus::Standardized),
    ("geolocation", FeatureStatus::Standardized),
    ("gyroscope", FeatureStatus::Standardized),
    ("hid", FeatureStatus::Standardized),
    ("identity-credentials-get", FeatureStatus::Standardized),
    ("idle-detection", FeatureStatus::Standardized),
    ("keyboard-map", FeatureStatus::Standardized),
    ("magnetometer", FeatureStatus::Standardized),
    ("mediasession", FeatureStatus::Standardized),
    ("microphone", FeatureStatus::Standardized),
    ("midi", FeatureStatus::Standardized),
    ("navigation-override", FeatureStatus::Standardized),
    ("otp-credentials", FeatureStatus::Standardized),
    ("payment", FeatureStatus::Standardized),
    ("picture-in-picture", FeatureStatus::Standardized),
    ("publickey-credentials-get", FeatureStatus::Standardized),
    ("screen-wake-lock", FeatureStatus::Standardized),
    ("serial", FeatureStatus::Standardized),
    ("sync-xhr", FeatureStatus::Standardized),
    ("storage-access", FeatureStatus::Standardized),
    ("tools", FeatureStatus::Standardized),
    ("usb", FeatureStatus::Standardized),
    ("web-share", FeatureStatus::Standardized),
    ("window-management", FeatureStatus::Standardized),
    ("xr-spatial-tracking", FeatureStatus::Standardized),
    ("autofill", FeatureStatus::Proposed),
    ("clipboard-read", FeatureStatus::Proposed),
    ("clipboard-write", FeatureStatus::Proposed),
    ("deferred-fetch", FeatureStatus::Proposed),
    ("gamepad", FeatureStatus::Proposed),
    ("language-detector", FeatureStatus::Proposed),
    ("language-model", FeatureStatus::Proposed),
    ("manual-text", FeatureStatus::Proposed),
    ("rewriter", FeatureStatus::Proposed),
    ("speaker-selection", FeatureStatus::Proposed),
    ("summarizer", FeatureStatus::Proposed),
    ("translator", FeatureStatus::Proposed),
    ("writer", FeatureStatus::Proposed),
    ("all-screens-capture", FeatureStatus::Experimental),
    ("browsing-topics", FeatureStatus::Experimental),
    ("captured-surface-control", FeatureStatus::Experimental),
    ("conversion-measurement", FeatureStatus::Experimental),
    ("digital-credentials-create", FeatureStatus::Experimental),
    ("digital-credentials-get", FeatureStatus::Experimental),
    ("focus-without-user-activation", FeatureStatus::Experimental),
    ("join-ad-interest-group", FeatureStatus::Experimental),
    ("local-fonts", FeatureStatus::Experimental),
    ("monetization", FeatureStatus::Experimental),
    ("run-ad-auction", FeatureStatus::Experimental),
    ("smart-card", FeatureStatus::Experimental),
    ("sync-script", FeatureStatus::Experimental),
    ("trust-token-redemption", FeatureStatus::Experimental),
    ("unload", FeatureStatus::Experimental),
    ("vertical-scroll", FeatureStatus::Experimental),
    ("document-domain", FeatureStatus::Retired),
    ("window-placement", FeatureStatus::Retired),
];

/// The status of a feature, `None` when browsers do not know it.
pub fn feature_status(name: &str) -> Option<FeatureStatus> {
    FEATURES.iter().find(|(f, _)| *f == name).map(|(_, s)| *s)
}

/// One entry of an allowlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allow {
    /// `*`
    All,
    /// `self`
    SelfOrigin,
    /// `src`
    Src,
    /// `"https://origin.example"`
    Origin(String),
}

/// A parsed member: feature name, allowlist (empty = `()`), byte offset in the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The feature.
    pub feature: String,
    /// The allowlist; empty means nobody (`()`).
    pub allow: Vec<Allow>,
    /// Byte offset of the feature name in the header value.
    pub offset: usize,
}

/// A syntax error with its byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub offset: usize,
}

fn is_key_start(c: u8) -> bool {
    c.is_ascii_lowercase() || c == b'*'
}

fn is_key_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*')
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c)
}

/// Parses a Permissions-Policy header value.
pub fn parse(value: &str) -> Result<Vec<Member>, SyntaxError> {
    let b = value.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |message: &str, offset: usize| SyntaxError {
        message: message.into(),
        offset,
    };
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t') {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i == b.len() {
        return Ok(out);
    }
    loop {
        let start = i;
        if i >= b.len() || !is_key_start(b[i]) {
            return Err(err(
                "expected a feature name (lower-case letters, digits, '-', '_', '.')",
                i,
            ));
        }
        while i < b.len() && is_key_char(b[i]) {
            i += 1;
        }
        let feature = value[start..i].to_owned();
        if i >= b.len() || b[i] != b'=' {
            return Err(err(
                &format!("expected '=' and an allowlist after \"{feature}\""),
                i,
            ));
        }
        i += 1;
        let mut allow = Vec::new();
        let item = |i: &mut usize, allow: &mut Vec<Allow>| -> Result<(), SyntaxError> {
            if *i < b.len() && b[*i] == b'"' {
                let s = *i + 1;
                let e = value[s..]
                    .find('"')
                    .map(|e| s + e)
                    .ok_or_else(|| err("unterminated string", *i))?;
                allow.push(Allow::Origin(value[s..e].to_owned()));
                *i = e + 1;
                return Ok(());
            }
            let s = *i;
            if *i < b.len() && (b[*i].is_ascii_alphabetic() || b[*i] == b'*') {
                *i += 1;
                while *i < b.len() && is_token_char(b[*i]) {
                    *i += 1;
                }
            }
            match &value[s..*i] {
                "*" => allow.push(Allow::All),
                "self" => allow.push(Allow::SelfOrigin),
                "src" => allow.push(Allow::Src),
                "" => {
                    return Err(err(
                        "expected *, self, src, a quoted origin or a list in parentheses",
                        s,
                    ));
                }
                t => {
                    return Err(err(
                        &format!("\"{t}\" is not an allowlist item: origins are quoted strings"),
                        s,
                    ));
                }
            }
            Ok(())
        };
        if i < b.len() && b[i] == b'(' {
            i += 1;
            loop {
                skip_ws(&mut i);
                if i < b.len() && b[i] == b')' {
                    i += 1;
                    break;
                }
                if i >= b.len() {
                    return Err(err("missing ')'", i));
                }
                item(&mut i, &mut allow)?;
                if i < b.len() && !matches!(b[i], b' ' | b')') {
                    return Err(err("expected a space or ')' between allowlist items", i));
                }
            }
        } else {
            item(&mut i, &mut allow)?;
        }
        // Parameters (;report-to=...) are allowed and ignored.
        while i < b.len() && b[i] == b';' {
            i += 1;
            while i < b.len() && b[i] != b',' && b[i] != b';' {
                i += 1;
            }
        }
        out.push(Member {
            feature,
            allow,
            offset: start,
        });
        skip_ws(&mut i);
        if i >= b.len() {
            return Ok(out);
        }
        if b[i] != b',' {
            return Err(err("expected ',' between features", i));
        }
        i += 1;
        skip_ws(&mut i);
        if i >= b.len() {
            return Err(err("a trailing ',' without a feature", i));
        }
    }
}

/// Renders one member.
pub fn render_member(feature: &str, allow: &[Allow]) -> String {
    let item = |a: &Allow| match a {
        Allow::All => "*".to_owned(),
        Allow::SelfOrigin => "self".to_owned(),
        Allow::Src => "src".to_owned(),
        Allow::Origin(o) => format!("\"{o}\""),
    };
    match allow {
        [Allow::All] => format!("{feature}=*"),
        _ => format!(
            "{feature}=({})",
            allow.iter().map(item).collect::<Vec<_>>().join(" ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_allowlists() {
        let m = parse("camera=(), geolocation=(self \"https://a.example\"), fullscreen=*, usb=self;report-to=x").unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].allow, vec![]);
        assert_eq!(
            m[1].allow,
            vec![Allow::SelfOrigin, Allow::Origin("https://a.example".into())]
        );
        assert_eq!(m[1].offset, 11);
        assert_eq!(m[2].allow, vec![Allow::All]);
        assert_eq!(m[3].allow, vec![Allow::SelfOrigin]);
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(parse("camera=()  geolocation=()").unwrap_err().offset, 11);
        assert!(parse("camera").unwrap_err().message.contains("'='"));
        assert!(parse("Camera=()").is_err());
        assert!(
            parse("camera=(https://a.example)")
                .unwrap_err()
                .message
                .contains("quoted")
        );
        assert!(parse("camera=(self").is_err());
        assert!(parse("camera=(),").is_err());
        assert!(parse("geolocation 'self'").is_err());
    }

    #[test]
    fn renders() {
        assert_eq!(render_member("camera", &[]), "camera=()");
        assert_eq!(render_member("a", &[Allow::All]), "a=*");
        assert_eq!(render_member("a", &[Allow::SelfOrigin]), "a=(self)");
        assert_eq!(
            render_member("a", &[Allow::SelfOrigin, Allow::Origin("https://x".into())]),
            "a=(self \"https://x\")"
        );
        assert_eq!(feature_status("interest-cohort"), None);
        assert_eq!(
            feature_status("document-domain"),
            Some(FeatureStatus::Retired)
        );
    }
}
