//! EXSLT strings (<http://exslt.org/strings>).

use super::HostFn;

/// EXSLT strings.
pub const EXSLT_STRINGS: &str = "http://exslt.org/strings";

/// The functions of EXSLT strings.
pub(super) const FUNCTIONS: &[HostFn] = &[];
