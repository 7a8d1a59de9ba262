//! EXSLT math (<http://exslt.org/math>).

use super::HostFn;

/// EXSLT math.
pub const EXSLT_MATH: &str = "http://exslt.org/math";

/// The functions of EXSLT math.
pub(super) const FUNCTIONS: &[HostFn] = &[];
