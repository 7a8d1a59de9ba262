//! libxslt's own extension namespace (`http://xmlsoft.org/XSLT/namespace`): `node-set()` only.

use super::HostFn;
use super::common::node_set;

/// libxslt's own extension namespace (`node-set()` only).
pub const LIBXSLT_NS: &str = "http://xmlsoft.org/XSLT/namespace";

/// The functions of the libxslt namespace webxsl implements.
pub(super) const FUNCTIONS: &[HostFn] =
    &[HostFn::new(LIBXSLT_NS, "node-set", 1, Some(1), node_set)];
