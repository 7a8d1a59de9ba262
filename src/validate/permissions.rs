//! Permissions-Policy rules (`pp-*`): the structured-field syntax, each feature's status in
//! browsers, duplicates, and the Feature-Policy header it replaced.

use super::checker::{Checker, Entry};
use crate::profile::permissions::{self, FeatureStatus};

/// Checks a Permissions-Policy entry.
pub(super) fn check(c: &mut Checker<'_>, e: &Entry) {
    match permissions::parse(&e.value) {
        Err(err) => {
            let off = c.value_offset(e, err.offset);
            c.add(
                "pp-syntax",
                off,
                format!("Permissions-Policy: {}", err.message),
            );
        }
        Ok(members) => {
            let mut seen: Vec<&str> = Vec::new();
            for m in &members {
                let off = c.value_offset(e, m.offset);
                match permissions::feature_status(&m.feature) {
                    None => {
                        let note = if m.feature == "interest-cohort" {
                            " (FLoC, never shipped)"
                        } else {
                            ""
                        };
                        c.add(
                            "pp-unknown-feature",
                            off,
                            format!(
                                "Permissions-Policy feature {} is unknown to browsers{note}",
                                m.feature
                            ),
                        );
                    }
                    Some(FeatureStatus::Retired) => {
                        c.add(
                            "pp-retired-feature",
                            off,
                            format!("Permissions-Policy feature {} is retired", m.feature),
                        );
                    }
                    Some(s @ (FeatureStatus::Proposed | FeatureStatus::Experimental)) => {
                        let s = if s == FeatureStatus::Proposed {
                            "proposed"
                        } else {
                            "experimental"
                        };
                        c.add(
                            "pp-experimental-feature",
                            off,
                            format!("Permissions-Policy feature {} is only {s}", m.feature),
                        );
                    }
                    Some(FeatureStatus::Standardized) => {}
                }
                if seen.contains(&m.feature.as_str()) {
                    c.add(
                        "pp-duplicate-feature",
                        off,
                        format!("Permissions-Policy feature {} is given twice", m.feature),
                    );
                }
                seen.push(&m.feature);
            }
        }
    }
}

/// `pp-feature-policy`: a Feature-Policy entry (its element at `at`).
pub(super) fn feature_policy(c: &mut Checker<'_>, at: usize) {
    c.add(
        "pp-feature-policy",
        at,
        "Feature-Policy was replaced by Permissions-Policy".into(),
    );
}
