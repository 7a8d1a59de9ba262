//! The entries IIS's default applicationHost.config defines at server level, per version
//! (`defaults-iis10.tsv`, `defaults-iis85.tsv`, with their sources in their headers).

use std::sync::OnceLock;

/// Which IIS's defaults to assume at server level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IisVersion {
    /// IIS 8.5 (Windows Server 2012 R2).
    Iis85,
    /// IIS 10 (Windows Server 2016 and later).
    #[default]
    Iis10,
}

impl IisVersion {
    /// "IIS 10", "IIS 8.5".
    pub fn label(self) -> &'static str {
        match self {
            IisVersion::Iis85 => "IIS 8.5",
            IisVersion::Iis10 => "IIS 10",
        }
    }

    /// `"8.5"` or `"10"` (as `--iis-version` takes it).
    pub fn parse(s: &str) -> Option<IisVersion> {
        match s.trim() {
            "10" | "10.0" => Some(IisVersion::Iis10),
            "8.5" => Some(IisVersion::Iis85),
            _ => None,
        }
    }

    pub(super) fn defaults(self) -> &'static [ServerEntry] {
        static V10: OnceLock<Vec<ServerEntry>> = OnceLock::new();
        static V85: OnceLock<Vec<ServerEntry>> = OnceLock::new();
        match self {
            IisVersion::Iis10 => {
                V10.get_or_init(|| parse_defaults(include_str!("defaults-iis10.tsv")))
            }
            IisVersion::Iis85 => {
                V85.get_or_init(|| parse_defaults(include_str!("defaults-iis85.tsv")))
            }
        }
    }
}

/// An entry the server level defines.
#[derive(Debug)]
pub(super) struct ServerEntry {
    pub(super) collection: &'static str,
    pub(super) key: Vec<String>,
    /// "always", "with ASP.NET", "newer builds".
    pub(super) condition: &'static str,
}

fn parse_defaults(text: &'static str) -> Vec<ServerEntry> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let (c, k, cond) = (f.next(), f.next(), f.next());
            let (Some(c), Some(k), Some(cond)) = (c, k, cond) else {
                panic!("a defaults line has three columns: {l:?}")
            };
            ServerEntry {
                collection: c,
                key: k.split(',').map(str::to_owned).collect(),
                condition: cond,
            }
        })
        .collect()
}
