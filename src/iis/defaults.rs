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
    pub(super) fn defaults(self) -> Vec<ServerEntry> {
        let (text, entries, _) = self.table();
        entries.iter().map(|e| e.unpack(text)).collect()
    }

    /// The entries of one collection (by id), in the file's order.
    pub(super) fn defaults_of(self, collection: &str) -> impl Iterator<Item = ServerEntry> {
        let (text, entries, runs) = self.table();
        of(text, entries, runs, collection)
    }

    fn table(self) -> (&'static str, &'static [Packed], &'static [Run]) {
        match self {
            IisVersion::Iis10 => (TEXT_10, &ENTRIES_10, &RUNS_10),
            IisVersion::Iis85 => (TEXT_85, &ENTRIES_85, &RUNS_85),
        }
    }
}

/// An entry the server level defines.
#[derive(Clone, Copy, Debug)]
pub(super) struct ServerEntry {
    /// The collection's id (the caller of [`IisVersion::defaults_of`] knows it already).
    #[cfg(test)]
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

/// Where a field is in its file: `start..end` in bytes.
///
/// The tables keep positions, not `&str`s: a table of string slices would hold a pointer per
/// field, which the dynamic loader relocates in every process at start-up (twelve pages of the
/// two tables written before `main`, also for `--version`). Positions are plain data, read
/// only when a collection is looked up.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u16,
    end: u16,
}

impl Span {
    const EMPTY: Span = Span { start: 0, end: 0 };

    /// `start..end`, checked to fit (the files are far below 64 KiB).
    const fn new(start: usize, end: usize) -> Span {
        if end > u16::MAX as usize {
            panic!("a defaults file is smaller than 64 KiB");
        }
        Span {
            start: start as u16,
            end: end as u16,
        }
    }

    /// The field in `text` (the file the span was taken from).
    fn of(self, text: &'static str) -> &'static str {
        &text[usize::from(self.start)..usize::from(self.end)]
    }
}

/// An entry as a table keeps it: its three fields' positions in the file.
#[derive(Clone, Copy, Debug)]
struct Packed {
    collection: Span,
    key: Span,
    condition: Span,
}

impl Packed {
    fn unpack(&self, text: &'static str) -> ServerEntry {
        ServerEntry {
            #[cfg(test)]
            collection: self.collection.of(text),
            key: self.key.of(text),
            condition: self.condition.of(text),
        }
    }
}

/// Consecutive entries of one collection (the files keep a collection's entries together, so
/// a collection is found without going through the hundreds of entries of the others).
#[derive(Clone, Copy, Debug)]
struct Run {
    collection: Span,
    start: u16,
    end: u16,
}

/// The entries of `collection`, through its runs.
fn of(
    text: &'static str,
    entries: &'static [Packed],
    runs: &'static [Run],
    collection: &str,
) -> impl Iterator<Item = ServerEntry> {
    runs.iter()
        .filter(move |r| r.collection.of(text) == collection)
        .flat_map(move |r| &entries[usize::from(r.start)..usize::from(r.end)])
        .map(move |e| e.unpack(text))
}

const TEXT_10: &str = include_str!("defaults-iis10.tsv");
const TEXT_85: &str = include_str!("defaults-iis85.tsv");
static ENTRIES_10: [Packed; count_entries(TEXT_10)] = parse_defaults(TEXT_10);
static ENTRIES_85: [Packed; count_entries(TEXT_85)] = parse_defaults(TEXT_85);
static RUNS_10: [Run; count_runs(TEXT_10, &ENTRIES_10)] = runs(TEXT_10, &ENTRIES_10);
static RUNS_85: [Run; count_runs(TEXT_85, &ENTRIES_85)] = runs(TEXT_85, &ENTRIES_85);

/// Whether `text`'s fields at `a` and `b` are the same string.
const fn same_field(text: &str, a: Span, b: Span) -> bool {
    let bytes = text.as_bytes();
    let (a0, a1, b0, b1) = (
        a.start as usize,
        a.end as usize,
        b.start as usize,
        b.end as usize,
    );
    if a1 - a0 != b1 - b0 {
        return false;
    }
    let mut i = 0;
    while a0 + i < a1 {
        if bytes[a0 + i] != bytes[b0 + i] {
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

/// The first line with an entry at or after byte `i`: where it starts, where its content ends
/// (before a final `\r`) and where the next line starts; `None` past the last one.
const fn next_entry_line(b: &[u8], mut i: usize) -> Option<(usize, usize, usize)> {
    while i < b.len() {
        let mut newline = i;
        while newline < b.len() && b[newline] != b'\n' {
            newline += 1;
        }
        let mut end = newline;
        if end > i && b[end - 1] == b'\r' {
            end -= 1;
        }
        if data_line(b, i, end) {
            return Some((i, end, newline + 1));
        }
        i = newline + 1;
    }
    None
}

/// How many entries a defaults file has.
const fn count_entries(text: &str) -> usize {
    let (mut i, mut n) = (0, 0);
    while let Some((_, _, next)) = next_entry_line(text.as_bytes(), i) {
        n += 1;
        i = next;
    }
    n
}

/// The entries of a defaults file: three tab-separated columns a line (collection, key,
/// condition; a fourth is ignored). Every field is checked to be whole UTF-8.
const fn parse_defaults<const N: usize>(text: &str) -> [Packed; N] {
    let b = text.as_bytes();
    let empty = Packed {
        collection: Span::EMPTY,
        key: Span::EMPTY,
        condition: Span::EMPTY,
    };
    let mut out = [empty; N];
    let (mut i, mut n) = (0, 0);
    while let Some((start, end, next)) = next_entry_line(b, i) {
        let mut fields = [Span::EMPTY; 3];
        let (mut f, mut field_start, mut j) = (0, start, start);
        while j <= end {
            if j == end || b[j] == b'\t' {
                if f < 3 {
                    if std::str::from_utf8(b.split_at(j).0.split_at(field_start).1).is_err() {
                        panic!("a defaults file splits at tabs and line ends only");
                    }
                    fields[f] = Span::new(field_start, j);
                }
                f += 1;
                field_start = j + 1;
            }
            j += 1;
        }
        if f < 3 {
            panic!("a defaults line has three columns");
        }
        out[n] = Packed {
            collection: fields[0],
            key: fields[1],
            condition: fields[2],
        };
        n += 1;
        i = next;
    }
    out
}

/// Whether entry `i` starts a run (its collection differs from the entry before).
const fn starts_run(text: &str, entries: &[Packed], i: usize) -> bool {
    i == 0 || !same_field(text, entries[i].collection, entries[i - 1].collection)
}

/// How many runs of one collection `entries` has.
const fn count_runs(text: &str, entries: &[Packed]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < entries.len() {
        if starts_run(text, entries, i) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The runs of one collection in `entries`.
const fn runs<const R: usize>(text: &str, entries: &[Packed]) -> [Run; R] {
    if entries.len() > u16::MAX as usize {
        panic!("a defaults file has fewer than 65,536 entries");
    }
    let mut out = [Run {
        collection: Span::EMPTY,
        start: 0,
        end: 0,
    }; R];
    let (mut i, mut n) = (0, 0);
    while i < entries.len() {
        if starts_run(text, entries, i) {
            out[n] = Run {
                collection: entries[i].collection,
                start: i as u16,
                end: i as u16,
            };
            n += 1;
        }
        out[n - 1].end = i as u16 + 1;
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
        let entries: [Packed; 3] = parse_defaults(TEXT);
        let got: Vec<(&str, Vec<&str>, &str)> = entries
            .iter()
            .map(|e| e.unpack(TEXT))
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
        static TEXT: &str =
            "a\t1\talways\nb\t2\talways\na\t3\talways\na\t4\talways\nc\t5\talways\n";
        static ENTRIES: [Packed; 5] = parse_defaults(TEXT);
        assert_eq!(count_runs(TEXT, &ENTRIES), 4);
        static RUNS: [Run; 4] = runs(TEXT, &ENTRIES);
        let keys = |c| {
            of(TEXT, &ENTRIES, &RUNS, c)
                .map(|d| d.key)
                .collect::<Vec<_>>()
        };
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
            for (l, d) in lines.zip(&all) {
                assert_eq!(l, format!("{}\t{}\t{}", d.collection, d.key, d.condition));
            }
            assert!(all.len() > 400, "{}", all.len());
            let mut seen = 0;
            let mut ids: Vec<&str> = all.iter().map(|d| d.collection).collect();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let found: Vec<ServerEntry> = v.defaults_of(id).collect();
                let filtered: Vec<&ServerEntry> =
                    all.iter().filter(|d| d.collection == id).collect();
                assert_eq!(found.len(), filtered.len(), "{id}");
                // The same lines of the file, not equal ones elsewhere.
                assert!(
                    found
                        .iter()
                        .zip(&filtered)
                        .all(|(a, b)| std::ptr::eq(a.key, b.key))
                );
                seen += found.len();
            }
            assert_eq!(seen, all.len());
        }
    }

    #[test]
    #[should_panic(expected = "three columns")]
    fn a_short_line_is_refused() {
        let _: [Packed; 1] = parse_defaults("mimeMap\t.json\n");
    }
}
