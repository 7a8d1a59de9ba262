//! What an execution shows XPath ([`Env`]: documents, variables, the work budget, host
//! function calls) and the host functions ([`Host`]).

use super::{Exec, TUNNEL};
use crate::xml::Tree;
use crate::xpath::ast::{Expr, Span};
use crate::xpath::eval::{Context, Env, evaluate};
use crate::xpath::value::{DocId, NodeRef, Value};
use crate::xpath::{ExpandedName, XPathError};
use crate::xslt::ast::DecimalFormat;
use crate::xslt::error::XsltError;
use crate::xslt::ext::{self, Host};

impl Env for Exec<'_> {
    fn tree(&self, doc: DocId) -> &Tree {
        self.docs[doc as usize].tree()
    }

    fn charge(&mut self, units: u64, span: &Span) -> Result<(), XPathError> {
        self.work += units;
        if self.work > self.opts.max_work {
            return Err(XPathError::new(
                "WXSL0004",
                self.work_message(),
                span.clone(),
            ));
        }
        Ok(())
    }

    fn variable(&mut self, name: &ExpandedName, span: &Span) -> Result<Option<Value>, XPathError> {
        if let Some((_, v)) = self.locals[self.frame_base..]
            .iter()
            .rev()
            .find(|(n, _)| n == name)
        {
            return Ok(Some(v.clone()));
        }
        if let Some(&i) = self.global_index.get(name) {
            return match self.global_value(i) {
                Ok(v) => Ok(Some(v)),
                Err(e) => Err(self.tunnel(e, span)),
            };
        }
        Ok(None)
    }

    fn call_host(
        &mut self,
        index: usize,
        _name: &ExpandedName,
        args: Vec<Value>,
        ctx: &Context,
        span: &Span,
    ) -> Result<Value, XPathError> {
        ext::call(index, self, args, ctx).map_err(|e| self.tunnel(e, span))
    }

    fn has_extension(&self, name: &ExpandedName) -> bool {
        self.user_function(name).is_some()
    }

    fn call_extension(
        &mut self,
        name: &ExpandedName,
        args: Vec<Value>,
        ctx: &Context,
        span: &Span,
    ) -> Result<Value, XPathError> {
        self.call_function(name, args, ctx)
            .map_err(|e| self.tunnel(e, span))
    }
}

impl Host for Exec<'_> {
    fn env(&self) -> &dyn Env {
        self
    }

    fn error(&self, code: &'static str, message: String) -> XsltError {
        self.err(self.cur_loc, code, message)
    }

    fn warn(&mut self, code: &'static str, message: String) {
        let w = self.err(self.cur_loc, code, message);
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn current(&self) -> NodeRef {
        self.current
    }

    fn add_tree(&mut self, tree: Tree) -> DocId {
        Exec::add_tree(self, tree)
    }

    fn key(
        &mut self,
        name: &ExpandedName,
        doc: DocId,
        values: &[String],
    ) -> Result<Vec<NodeRef>, XsltError> {
        let ix = self.key_index(name, doc)?;
        let mut out = Vec::new();
        for s in values {
            if let Some(v) = ix.get(s) {
                out.extend_from_slice(v);
            }
        }
        Ok(out)
    }

    fn document(&mut self, args: Vec<Value>) -> Result<Value, XsltError> {
        self.document_fn(args)
    }

    fn decimal_format(&self, name: Option<&ExpandedName>) -> Option<&DecimalFormat> {
        self.sheet.decimal_formats.get(&name.cloned())
    }

    fn generate_id(&mut self, node: NodeRef) -> String {
        Exec::generate_id(self, node)
    }

    fn evaluate(
        &mut self,
        expr: &Expr,
        ctx: &Context,
    ) -> Result<Result<Value, XPathError>, XsltError> {
        match evaluate(expr, ctx, self) {
            Ok(v) => Ok(Ok(v)),
            Err(e) if e.code == TUNNEL => Err(self
                .pending
                .take()
                .unwrap_or_else(|| self.error(e.code, e.message))),
            Err(e) => Ok(Err(e)),
        }
    }

    fn has_function(&self, name: &ExpandedName) -> bool {
        self.user_function(name).is_some()
    }

    fn now(&mut self) -> i64 {
        *self.now.get_or_insert_with(|| {
            let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            match since {
                Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
            }
        })
    }

    fn charge(&mut self, units: u64) -> Result<(), XsltError> {
        self.work = self.work.saturating_add(units);
        if self.work > self.opts.max_work {
            return Err(Host::error(self, "WXSL0004", self.work_message()));
        }
        Ok(())
    }

    fn random(&mut self) -> f64 {
        if self.rng == 0 {
            // Seeded from the clock's nanoseconds and an address, as unpredictable as
            // xsltproc's time-seeded rand() and no more: math:random() is not for secrets.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            let here = &self.rng as *const u64 as u64;
            self.rng = (nanos ^ here.rotate_left(32)) | 1;
        }
        // xorshift64*: 53 random bits make a double in [0, 1).
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}
