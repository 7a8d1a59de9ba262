//! Control flow: `xsl:for-each`, `xsl:if`, `xsl:choose`, and `xsl:fallback` for instructions
//! webxsl does not support.

use super::Exec;
use crate::xpath::eval::{Context, to_bool};
use crate::xslt::ast::{Body, Instr, Loc, Sort, XExpr};
use crate::xslt::error::XsltError;

impl Exec<'_> {
    /// `xsl:for-each`: the body once per selected node (sorted), with no current template rule.
    pub(super) fn for_each(
        &mut self,
        select: &XExpr,
        sorts: &[Sort],
        body: &[Instr],
    ) -> Result<(), XsltError> {
        let nodes = self.eval_nodes(select, "xsl:for-each select")?;
        let nodes = self.sort(nodes, sorts)?;
        let saved = (self.ctx, self.current, self.template);
        self.template = None;
        let size = nodes.len();
        let mut r = Ok(());
        for (k, n) in nodes.into_iter().enumerate() {
            self.ctx = Context {
                node: n,
                position: k + 1,
                size,
            };
            self.current = n;
            r = self.exec_body(body);
            if r.is_err() {
                break;
            }
        }
        (self.ctx, self.current, self.template) = saved;
        r
    }

    /// `xsl:if`.
    pub(super) fn if_(&mut self, test: &XExpr, body: &[Instr]) -> Result<(), XsltError> {
        let v = self.eval(test)?;
        if to_bool(&v) {
            self.exec_body(body)?;
        }
        Ok(())
    }

    /// `xsl:choose`: the first `xsl:when` whose test is true, else `xsl:otherwise`.
    pub(super) fn choose(
        &mut self,
        whens: &[(XExpr, Body)],
        otherwise: Option<&[Instr]>,
    ) -> Result<(), XsltError> {
        for (test, body) in whens {
            let v = self.eval(test)?;
            if to_bool(&v) {
                return self.exec_body(body);
            }
        }
        if let Some(b) = otherwise {
            self.exec_body(b)?;
        }
        Ok(())
    }

    /// An extension element or (forwards-compatible) unknown instruction: its `xsl:fallback`s,
    /// or an error without one.
    pub(super) fn unsupported(
        &mut self,
        name: &str,
        fallback: Option<&[Instr]>,
        loc: Loc,
    ) -> Result<(), XsltError> {
        match fallback {
            Some(b) => self.exec_body(b),
            None => Err(self.err(
                loc,
                "XTDE1450",
                format!("{name} is not supported by webxsl and has no xsl:fallback"),
            )),
        }
    }
}
