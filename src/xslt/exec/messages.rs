//! `xsl:message`, and the limits that stop a runaway transformation: result nodes and bytes
//! (`max_output_nodes`, `max_output_bytes`) and work (`max_work`).

use super::Exec;
use crate::xslt::ast::{Instr, Loc};
use crate::xslt::error::XsltError;

impl Exec<'_> {
    /// `xsl:message`: records the text; `terminate="yes"` ends the transformation with an error.
    pub(super) fn message(
        &mut self,
        body: &[Instr],
        terminate: bool,
        loc: Loc,
    ) -> Result<(), XsltError> {
        let text = self.body_text(body)?;
        self.messages.push(text.clone());
        if terminate {
            return Err(self.err(
                loc,
                "XTMM9000",
                format!("xsl:message terminated the transformation: {text}"),
            ));
        }
        Ok(())
    }

    /// Counts one more result node.
    pub(super) fn count_output(&mut self, loc: Loc) -> Result<(), XsltError> {
        self.output_nodes += 1;
        if self.output_nodes > self.opts.max_output_nodes {
            return Err(self.err(
                loc,
                "WXSL0002",
                format!(
                    "the result grew beyond {} nodes",
                    self.opts.max_output_nodes
                ),
            ));
        }
        Ok(())
    }

    /// Counts `bytes` more of result text.
    pub(super) fn count_output_bytes(&mut self, bytes: usize, loc: Loc) -> Result<(), XsltError> {
        self.output_bytes += bytes;
        if self.output_bytes > self.opts.max_output_bytes {
            return Err(self.err(
                loc,
                "WXSL0002",
                format!(
                    "the result grew beyond {} MB of text",
                    self.opts.max_output_bytes >> 20
                ),
            ));
        }
        Ok(())
    }

    /// The error message when `max_work` runs out.
    pub(super) fn work_message(&self) -> String {
        format!(
            "the transformation exceeded its budget of {} steps (an expression or recursion that grows exponentially?)",
            self.opts.max_work
        )
    }
}
