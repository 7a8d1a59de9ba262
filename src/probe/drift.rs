//! `served-drift`: what a web.config (`--config`) or a profile (`--profile`) means to send,
//! against what the server sent. Each header it sets that is missing or has another value, and
//! each header it removes that is still served, is a finding naming where the intent is written
//! (the config's line, or the profile).

use super::rules::finding;
use super::{Finding, http::Response};
use crate::profile::Profile;
use crate::validate::intent::Intent;
use crate::validate::served::Place;

/// The intent to compare with: each header set (name, value, where), each removed (name,
/// where and how).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Headers set: name, value, where it is written (`web.config:12`, `profile recommended`).
    pub sets: Vec<(String, String, String)>,
    /// Headers removed: name, where and how (`web.config:8 (<remove>)`).
    pub removes: Vec<(String, String)>,
}

impl Expected {
    /// The intent of a web.config, shown as `path`.
    pub fn from_config(path: &str, i: &Intent) -> Expected {
        Expected {
            sets: i
                .sets
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.value.clone().unwrap_or_default(),
                        format!("{path}:{}", s.pos.line),
                    )
                })
                .collect(),
            removes: i
                .removes
                .iter()
                .map(|r| (r.name.clone(), format!("{path}:{} ({})", r.pos.line, r.how)))
                .collect(),
        }
    }

    /// The intent of a profile: the headers it sets on every response (logout-only ones
    /// aside), the headers it removes and its server switches.
    pub fn from_profile(p: &Profile) -> Expected {
        let at = format!("profile {}", p.name);
        let eff = p.effective();
        let mut removes: Vec<(String, String)> = p
            .remove
            .iter()
            .map(|r| (r.clone(), format!("{at} (remove)")))
            .collect();
        let mut add = |name: &str, how: &str| {
            if !removes.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                removes.push((name.to_owned(), format!("{at} ({how})")));
            }
        };
        if p.server.remove_server_header == Some(true) {
            add("Server", "remove-server-header");
        }
        if p.server.enable_version_header == Some(false) {
            add("X-AspNet-Version", "enable-version-header = false");
        }
        Expected {
            sets: eff
                .profile
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.render(), at.clone()))
                .collect(),
            removes,
        }
    }
}

/// Compares the intent with the final response's headers.
pub fn check(want: &Expected, r: &Response, out: &mut Vec<Finding>) {
    for (name, value, at) in &want.sets {
        let served: Vec<(usize, &str)> = r
            .headers
            .iter()
            .enumerate()
            .filter(|(_, (n, _))| n.eq_ignore_ascii_case(name))
            .map(|(i, (_, v))| (i, v.as_str()))
            .collect();
        if served.is_empty() {
            out.push(finding(
                "served-drift",
                Place::Response,
                format!("{name} is not served; {at} sets it to \"{value}\""),
            ));
        } else if !served.iter().any(|(_, v)| v.trim() == value.trim()) {
            let (i, v) = served[0];
            out.push(finding(
                "served-drift",
                Place::Header(i),
                format!("{name} is served as \"{v}\"; {at} sets \"{value}\""),
            ));
        }
    }
    for (name, at) in &want.removes {
        if let Some(i) = r
            .headers
            .iter()
            .position(|(n, v)| n.eq_ignore_ascii_case(name) && !v.trim().is_empty())
        {
            out.push(finding(
                "served-drift",
                Place::Header(i),
                format!("{name}: {} is served; {at} removes it", r.headers[i].1),
            ));
        }
    }
}
