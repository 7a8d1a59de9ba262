//! Microsoft's XSLT extensions (`urn:schemas-microsoft-com:xslt`), common in stylesheets written
//! for .NET: `msxsl:node-set()` only.

use super::HostFn;
use super::common::node_set;

/// Microsoft's XSLT extensions (`msxsl:node-set`), common in stylesheets written for .NET.
pub const MSXSL_NS: &str = "urn:schemas-microsoft-com:xslt";

/// The functions of the msxsl namespace webxsl implements.
pub(super) const FUNCTIONS: &[HostFn] = &[HostFn::new(MSXSL_NS, "node-set", 1, Some(1), node_set)];
