//! The entries IIS's default applicationHost.config defines at server level, per version
//! (`defaults-iis10.tsv`, `defaults-iis85.tsv`, with their sources in their headers).
//!
//! The files are read when webxsl is compiled (const functions below): a malformed line is a
//! build error, and a process that checks one file spends nothing on reading them.

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

    /// Every entry the server level defines, in the file's order.
    #[cfg(test)]
    pub(super) fn defaults(self) -> &'static [ServerEntry] {
        self.table().0
    }

    /// The entries of one collection (by id), in the file's order.
    pub(super) fn defaults_of(
        self,
        collection: &str,
    ) -> impl Iterator<Item = &'static ServerEntry> {
        let (entries, runs) = self.table();
        of(entries, runs, collection)
    }

    fn table(self) -> (&'static [ServerEntry], &'static [Run]) {
        match self {
            IisVersion::Iis10 => (&ENTRIES_10, &RUNS_10),
            IisVersion::Iis85 => (&ENTRIES_85, &RUNS_85),
        }
    }
}

/// An entry the server level defines.
#[derive(Clone, Copy, Debug)]
pub(super) struct ServerEntry {
    pub(super) collection: &'static str,
    /// The key as the file has it: a combined key's parts joined by ','.
    pub(super) key: &'static str,
    /// "always", "with ASP.NET", "newer builds".
    pub(super) condition: &'static str,
}

impl ServerEntry {
    /// The key's parts.
    #[cfg(test)]
    pub(super) fn key_parts(&self) -> impl Iterator<Item = &'static str> {
        self.key.split(',')
    }
}

/// Consecutive entries of one collection (the files keep a collection's entries together, so
/// a collection is found without going through the hundreds of entries of the others).
#[derive(Clone, Copy, Debug)]
pub(super) struct Run {
    collection: &'static str,
    start: usize,
    end: usize,
}

/// The entries of `collection`, through its runs.
fn of<'t>(
    entries: &'t [ServerEntry],
    runs: &'t [Run],
    collection: &str,
) -> impl Iterator<Item = &'t ServerEntry> {
    runs.iter()
        .filter(move |r| r.collection == collection)
        .flat_map(move |r| &entries[r.start..r.end])
}

const TEXT_10: &str = include_str!("defaults-iis10.tsv");
const TEXT_85: &str = include_str!("defaults-iis85.tsv");
const LEN_10: usize = count_entries(TEXT_10);
const LEN_85: usize = count_entries(TEXT_85);
static ENTRIES_10: [ServerEntry; LEN_10] = parse_defaults(TEXT_10);
static ENTRIES_85: [ServerEntry; LEN_85] = parse_defaults(TEXT_85);
static RUNS_10: [Run; count_runs(&ENTRIES_10)] = runs(&ENTRIES_10);
static RUNS_85: [Run; count_runs(&ENTRIES_85)] = runs(&ENTRIES_85);

/// `text[start..end]`, at compile time.
const fn slice(text: &'static str, start: usize, end: usize) -> &'static str {
    let bytes = text.as_bytes().split_at(end).0.split_at(start).1;
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("a defaults file splits at tabs and line ends only"),
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `b[start..end]` is a line with an entry (not blank, not a `#` comment); `end` has
/// its `\r` removed.
const fn data_line(b: &[u8], start: usize, end: usize) -> bool {
    if start < end && b[start] == b'#' {
        return false;
    }
    let mut i = start;
    while i < end {
        if !b[i].is_ascii_whitespace() {
            return true;
        }
        i += 1;
    }
    false
}

/// The end of a line starting at `start` (at its `\n` or the end of the text), and the end of
/// its content (without a final `\r`).
const fn line_ends(b: &[u8], start: usize) -> (usize, usize) {
    let mut newline = start;
    while newline < b.len() && b[newline] != b'\n' {
        newline += 1;
    }
    let mut end = newline;
    if end > start && b[end - 1] == b'\r' {
        end -= 1;
    }
    (newline, end)
}

/// How many entries a defaults file has.
const fn count_entries(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        let (newline, end) = line_ends(b, i);
        if data_line(b, i, end) {
            n += 1;
        }
        i = newline + 1;
    }
    n
}

/// The entries of a defaults file: three tab-separated columns a line (collection, key,
/// condition; a fourth is ignored).
const fn parse_defaults<const N: usize>(text: &'static str) -> [ServerEntry; N] {
    let b = text.as_bytes();
    let empty = ServerEntry {
        collection: "",
        key: "",
        condition: "",
    };
    let mut out = [empty; N];
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        let (newline, end) = line_ends(b, i);
        if data_line(b, i, end) {
            let mut fields = [(0, 0); 3];
            let (mut f, mut field_start, mut j) = (0, i, i);
            while j <= end {
                if j == end || b[j] == b'\t' {
                    if f < 3 {
                        fields[f] = (field_start, j);
                    }
                    f += 1;
                    field_start = j + 1;
                }
                j += 1;
            }
            if f < 3 {
                panic!("a defaults line has three columns");
            }
            out[n] = ServerEntry {
                collection: slice(text, fields[0].0, fields[0].1),
                key: slice(text, fields[1].0, fields[1].1),
                condition: slice(text, fields[2].0, fields[2].1),
            };
            n += 1;
        }
        i = newline + 1;
    }
    out
}

/// How many runs of one collection `entries` has.
const fn count_runs(entries: &[ServerEntry]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < entries.len() {
        if i == 0 || !str_eq(entries[i].collection, entries[i - 1].collection) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The runs of one collection in `entries`.
const fn runs<const R: usize>(entries: &[ServerEntry]) -> [Run; R] {
    let mut out = [Run {
        collection: "",
        start: 0,
        end: 0,
    }; R];
    let (mut i, mut n) = (0, 0);
    while i < entries.len() {
        if i == 0 || !str_eq(entries[i].collection, entries[i - 1].collection) {
            out[n] = Run {
                collection: entries[i].collection,
                start: i,
                end: i,
            };
            n += 1;
        }
        out[n - 1].end = i + 1;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Comments, blank lines and CRLF are skipped; a fourth column is ignored.
    #[test]
    fn lines_and_columns() {
        const TEXT: &str = "# comment\r\nmimeMap\t.json\talways\r\n\n  \r\n\t\nhttpErrors\t404,-1\twith ASP.NET\tmore\nhandlers\tx\tnewer builds";
        assert_eq!(count_entries(TEXT), 3);
        let entries: [ServerEntry; 3] = parse_defaults(TEXT);
        let got: Vec<(&str, Vec<&str>, &str)> = entries
            .iter()
            .map(|d| (d.collection, d.key_parts().collect(), d.condition))
            .collect();
        assert_eq!(
            got,
            [
                ("mimeMap", vec![".json"], "always"),
                ("httpErrors", vec!["404", "-1"], "with ASP.NET"),
                ("handlers", vec!["x"], "newer builds"),
            ]
        );
    }

    /// A collection's entries are found by its runs, also when they are not all together.
    #[test]
    fn a_collection_in_several_runs() {
        const TEXT: &str = "a\t1\talways\nb\t2\talways\na\t3\talways\na\t4\talways\nc\t5\talways\n";
        let entries: [ServerEntry; 5] = parse_defaults(TEXT);
        assert_eq!(count_runs(&entries), 4);
        let r: [Run; 4] = runs(&entries);
        let keys = |c| of(&entries, &r, c).map(|d| d.key).collect::<Vec<_>>();
        assert_eq!(keys("a"), ["1", "3", "4"]);
        assert_eq!(keys("b"), ["2"]);
        assert_eq!(keys("c"), ["5"]);
        assert!(keys("d").is_empty());
    }

    /// The bundled files: every line with content is an entry, and every entry is found
    /// through its collection's runs.
    #[test]
    fn the_bundled_files_by_collection() {
        for (v, text) in [(IisVersion::Iis10, TEXT_10), (IisVersion::Iis85, TEXT_85)] {
            let all = v.defaults();
            let lines = text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
            assert_eq!(lines.clone().count(), all.len());
            for (l, d) in lines.zip(all) {
                assert_eq!(l, format!("{}\t{}\t{}", d.collection, d.key, d.condition));
            }
            assert!(all.len() > 400, "{}", all.len());
            let mut seen = 0;
            let mut ids: Vec<&str> = all.iter().map(|d| d.collection).collect();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let found: Vec<&ServerEntry> = v.defaults_of(id).collect();
                let filtered: Vec<&ServerEntry> =
                    all.iter().filter(|d| d.collection == id).collect();
                assert_eq!(found.len(), filtered.len(), "{id}");
                assert!(
                    found
                        .iter()
                        .zip(&filtered)
                        .all(|(a, b)| std::ptr::eq(*a, *b))
                );
                seen += found.len();
            }
            assert_eq!(seen, all.len());
        }
    }

    #[test]
    #[should_panic(expected = "three columns")]
    fn a_short_line_is_refused() {
        let _: [ServerEntry; 1] = parse_defaults("mimeMap\t.json\n");
    }
}
