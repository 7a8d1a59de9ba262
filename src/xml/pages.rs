//! Large tables on huge pages: on Linux, a table of several megabytes (a large document's nodes
//! and spans, its text) asks the kernel for transparent huge pages, so that filling it takes a
//! page fault every 2 MB instead of every 4 KB. A 20 MB config's tables are about 80 MB:
//! 20,000 faults, a third of `validate`'s time on it. Elsewhere, or for small tables, nothing
//! happens: the advice changes no byte of the table, only how the kernel backs it.

use std::io::Read as _;
use std::path::Path;

/// Tables below this are left as they are: a small file's tables fit in a few pages, and a
/// huge page could cost more memory than the table itself.
const LARGE: usize = 4 << 20;

/// Advises the kernel to back the pages of `v`'s allocation (its whole capacity) with huge
/// pages when it is large. Only where the kernel honours `MADV_HUGEPAGE` in its `madvise`
/// mode (the usual default); with transparent huge pages off, nothing changes.
pub(crate) fn advise_huge<T>(v: &Vec<T>) {
    advise_if_large(
        v.as_ptr() as usize,
        v.capacity().saturating_mul(std::mem::size_of::<T>()),
    );
}

/// [`advise_huge`] for a string's buffer (a large edited text).
pub(crate) fn advise_huge_text(s: &String) {
    advise_if_large(s.as_ptr() as usize, s.capacity());
}

/// [`advise`] for an allocation of `bytes` at `start`, when it is large.
fn advise_if_large(start: usize, bytes: usize) {
    if bytes >= LARGE {
        advise(start, bytes);
    }
}

/// Reads a whole file, as [`std::fs::read`] does (one allocation at the file's size), into a
/// buffer on huge pages when the file is large: the text of a large config is a quarter of the
/// memory its parse fills.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(usize::try_from(size).unwrap_or(0))?;
    advise_huge(&bytes);
    // Through `Take`: a `File`'s own `read_to_end` would ask for its size again (two more
    // system calls a file, which a batch of small files notices); the buffer already has room
    // for it, and a file that grew meanwhile is still read to its end.
    (&file).take(u64::MAX).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(target_os = "linux")]
fn advise(start: usize, bytes: usize) {
    // SAFETY: sysconf only reads a system value.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    if !page.is_power_of_two() {
        return;
    }
    // madvise takes whole pages: those the allocation touches, its first and last included.
    // Advising only the pages inside it would split the allocation's mapping in three, and
    // the allocator could no longer grow it in place (`mremap` moves one mapping): a table
    // that outgrows its room would be copied instead, with both copies alive at once. What
    // the first and last pages hold besides the table (the allocator's header, a neighbour)
    // is unaffected by the advice.
    let first = start & !(page - 1);
    let end = (start + bytes).next_multiple_of(page);
    // SAFETY: MADV_HUGEPAGE is advice about pages this process has mapped (they hold a live
    // allocation): it changes neither their contents nor their protection, and a refusal (an
    // old kernel, huge pages disabled) leaves everything as it was.
    unsafe {
        libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_start: usize, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flags (`VmFlags` of /proc/self/smaps) of the mapping that holds `addr`, with its
    /// range.
    #[cfg(target_os = "linux")]
    fn mapping_of(addr: usize) -> Option<(usize, usize, String)> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut current: Option<(usize, usize)> = None;
        for line in smaps.lines() {
            if let Some(flags) = line.strip_prefix("VmFlags:") {
                if let Some((lo, hi)) = current.take() {
                    return Some((lo, hi, flags.trim().to_owned()));
                }
                continue;
            }
            let Some(range) = line.split_whitespace().next() else {
                continue;
            };
            if let Some((lo, hi)) = range.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
                && line.contains(' ')
            {
                current = (lo <= addr && addr < hi).then_some((lo, hi));
            }
        }
        None
    }

    /// A large table's whole allocation is one mapping advised for huge pages (`hg`): its
    /// first and last bytes lie in it, so the allocator can still grow it in place; and it
    /// still grows and keeps its contents. Skipped where the kernel has no transparent huge
    /// pages.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_large_table_is_one_mapping_advised_for_huge_pages() {
        if !Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            eprintln!("skipped: this kernel has no transparent huge pages");
            return;
        }
        let mut v: Vec<u64> = Vec::with_capacity(LARGE / 8 * 3);
        advise_huge(&v);
        let start = v.as_ptr() as usize;
        let last = start + v.capacity() * 8 - 1;
        let (lo, hi, flags) = mapping_of(start).expect("the table's mapping");
        assert!(
            flags.split_whitespace().any(|f| f == "hg"),
            "not advised: {flags}"
        );
        assert!(lo <= start && last < hi, "the table spans several mappings");
        v.extend((0..v.capacity() as u64).map(|i| i * 3));
        v.reserve(v.capacity());
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64 * 3));
    }

    /// `read` gives what `std::fs::read` gives, small or large, and its errors.
    #[test]
    fn read_is_fs_read() {
        let dir = std::env::temp_dir().join(format!("webxsl-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, len) in [("empty", 0), ("small", 1000), ("large", LARGE + 12_345)] {
            let path = dir.join(name);
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read(&path).unwrap(), bytes, "{name}");
        }
        let missing = read(&dir.join("missing")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
