//! EXSLT dates-and-times (<http://exslt.org/dates-and-times>).

use super::HostFn;

/// EXSLT dates-and-times.
pub const EXSLT_DATES: &str = "http://exslt.org/dates-and-times";

/// The functions of EXSLT dates-and-times.
pub(super) const FUNCTIONS: &[HostFn] = &[];
