//! EXSLT sets (<http://exslt.org/sets>).

use super::HostFn;

/// EXSLT sets.
pub const EXSLT_SETS: &str = "http://exslt.org/sets";

/// The functions of EXSLT sets.
pub(super) const FUNCTIONS: &[HostFn] = &[];
