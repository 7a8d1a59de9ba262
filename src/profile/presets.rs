//! The built-in profiles. Each is a TOML file in `src/profile/presets/`, compiled in; `webxsl
//! profiles show NAME` prints it as written.

use crate::profile::{Profile, parse};

/// The preset names, in the order `webxsl profiles` lists them.
pub static NAMES: &[&str] = &["recommended", "owasp", "outsystems-guide", "scout"];

/// The TOML text of a preset.
pub fn text(name: &str) -> Option<&'static str> {
    Some(match name {
        "recommended" => include_str!("presets/recommended.toml"),
        "owasp" => include_str!("presets/owasp.toml"),
        "outsystems-guide" => include_str!("presets/outsystems-guide.toml"),
        "scout" => include_str!("presets/scout.toml"),
        _ => return None,
    })
}

/// A preset, parsed.
pub fn get(name: &str) -> Option<Profile> {
    let text = text(name)?;
    Some(parse(text, false, Some(name)).unwrap_or_else(|e| panic!("preset {name} is invalid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_is_named_after_itself() {
        for n in NAMES {
            let p = get(n).unwrap();
            assert_eq!(p.name, *n);
            assert!(!p.description.is_empty());
            assert!(!p.headers.is_empty());
        }
        assert!(get("nope").is_none());
    }
}
