//! "Do not send this header", translated into what works in IIS.
//!
//! A `<remove name="X"/>` in `customHeaders` only drops a custom header *inherited from a parent
//! configuration level* (IIS adds `X-Powered-By` in applicationHost.config when ASP.NET is
//! installed). It cannot stop a header the application, a module or a proxy sets. So each name of
//! a profile's `remove` list goes where it has an effect ([`Removal`]), and the generated
//! configuration holds only those; [`Profile::effective`] is the profile the templates write.

use super::{Header, Profile};

/// Where a header the profile does not want sent goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// `<remove name="X"/>`: a custom header inherited from the server (`X-Powered-By`, or one
    /// listed in `server-headers`).
    Inherited,
    /// `Server`: `requestFiltering removeServerHeader="true"` (IIS 10).
    ServerSwitch,
    /// `X-AspNet-Version`: `httpRuntime enableVersionHeader="false"`.
    VersionSwitch,
    /// Listed in `strip`: a URL Rewrite outbound rule blanks it (needs the URL Rewrite module).
    Strip,
    /// `X-AspNetMvc-Version`: only code drops it (`MvcHandler.DisableMvcResponseHeader = true`
    /// in `Application_Start`).
    CodeChange,
    /// Sent by another product (a proxy, a CMS, an APM agent): no IIS setting can drop it, and
    /// nothing is written (list it in `strip` if the application sends it through IIS).
    NoEffect,
}

impl Removal {
    /// What the generated configuration does about it, for comments and `profiles show`.
    pub fn describe(self) -> &'static str {
        match self {
            Removal::Inherited => "<remove> (a custom header inherited from the server)",
            Removal::ServerSwitch => "requestFiltering removeServerHeader=\"true\" (IIS 10)",
            Removal::VersionSwitch => "httpRuntime enableVersionHeader=\"false\"",
            Removal::Strip => "a URL Rewrite outbound rule that blanks it (strip)",
            Removal::CodeChange => {
                "nothing: only code removes it (MvcHandler.DisableMvcResponseHeader = true)"
            }
            Removal::NoEffect => {
                "nothing: IIS cannot stop a header another product sends (list it in strip if the application sends it)"
            }
        }
    }
}

/// A header sent only on the logout responses, never site-wide.
pub static LOGOUT_ONLY: &[&str] = &["Clear-Site-Data"];

/// A profile as the templates write it.
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    /// The profile, with `remove` holding only the inherited headers, the `Server` and
    /// `X-AspNet-Version` switches set when they are listed, `strip` complete, and no
    /// logout-only header in `headers`.
    pub profile: Profile,
    /// The headers to send on each of `profile.logout_paths` (empty without logout paths).
    pub logout_headers: Vec<Header>,
}

impl Profile {
    /// Where header `name` of the `remove` list goes.
    pub fn removal(&self, name: &str) -> Removal {
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("X-Powered-By") || self.server_headers.iter().any(|h| is(h)) {
            Removal::Inherited
        } else if is("Server") {
            Removal::ServerSwitch
        } else if is("X-AspNet-Version") {
            Removal::VersionSwitch
        } else if self.strip.iter().any(|h| is(h)) {
            Removal::Strip
        } else if is("X-AspNetMvc-Version") {
            Removal::CodeChange
        } else {
            Removal::NoEffect
        }
    }

    /// The profile the templates write (see [`Effective`]).
    pub fn effective(&self) -> Effective {
        let mut p = self.clone();
        p.remove = self
            .remove
            .iter()
            .filter(|r| self.removal(r) == Removal::Inherited)
            .cloned()
            .collect();
        for r in &self.remove {
            match self.removal(r) {
                Removal::ServerSwitch if p.server.remove_server_header.is_none() => {
                    p.server.remove_server_header = Some(true)
                }
                Removal::VersionSwitch if p.server.enable_version_header.is_none() => {
                    p.server.enable_version_header = Some(false)
                }
                _ => {}
            }
        }
        let (logout, site): (Vec<Header>, Vec<Header>) = self
            .headers
            .iter()
            .cloned()
            .partition(|h| LOGOUT_ONLY.iter().any(|l| h.name.eq_ignore_ascii_case(l)));
        p.headers = site;
        Effective {
            logout_headers: if p.logout_paths.is_empty() {
                Vec::new()
            } else {
                logout
            },
            profile: p,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::profile::parse;

    #[test]
    fn each_removal_goes_where_iis_can_drop_it() {
        let p = parse(
            "name = \"t\"\nremove = [\"X-Powered-By\", \"Server\", \"X-AspNet-Version\", \"X-AspNetMvc-Version\", \"X-Kong-Request-Id\", \"X-Generator\", \"X-Corp\"]\nstrip = [\"X-Generator\"]\nserver-headers = [\"X-Corp\"]\nlogout-paths = [\"/account/logout/\"]\n[headers]\nClear-Site-Data = '\"cookies\"'\nX-Frame-Options = \"DENY\"\n",
            false,
            None,
        )
        .unwrap();
        let e = p.effective();
        assert_eq!(e.profile.remove, ["X-Powered-By", "X-Corp"]);
        assert_eq!(e.profile.strip, ["X-Generator"]);
        assert_eq!(e.profile.server.remove_server_header, Some(true));
        assert_eq!(e.profile.server.enable_version_header, Some(false));
        assert_eq!(e.profile.logout_paths, ["account/logout"]);
        assert_eq!(e.profile.headers.len(), 1);
        assert_eq!(e.logout_headers[0].name, "Clear-Site-Data");
        // Without logout paths, Clear-Site-Data is sent nowhere.
        let p = parse(
            "name = \"t\"\n[headers]\nClear-Site-Data = '\"cookies\"'\n",
            false,
            None,
        )
        .unwrap();
        let e = p.effective();
        assert!(e.profile.headers.is_empty() && e.logout_headers.is_empty());
    }

    #[test]
    fn mistakes_in_the_new_settings_are_positioned() {
        let e = parse(
            "name = \"t\"\nstrip = [\"X-A\"]\n[headers]\nX-A = \"1\"\n",
            false,
            Some("p.toml"),
        )
        .unwrap_err();
        assert!(e.message.contains("both set and stripped"), "{e}");
        let e = parse(
            "name = \"t\"\nlogout-paths = [\"/\"]\n",
            false,
            Some("p.toml"),
        )
        .unwrap_err();
        assert!(e.message.contains("not a logout path"), "{e}");
        assert_eq!(e.pos.unwrap().line, 2);
        let e = parse("name = \"t\"\nstrip = [\"X A\"]\n", false, None).unwrap_err();
        assert!(e.message.contains("not a valid header name"), "{e}");
    }
}
