//! Calling the functions a stylesheet defines with EXSLT's `func:function`, and `func:result`.
//!
//! A call binds the arguments to the function's `xsl:param`s in order (missing ones take their
//! default, which may use the parameters before it), then runs the body with the caller's
//! context node, position and size, seeing the global variables and its parameters but not the
//! caller's locals. The value is what `func:result` gave, or "" if none ran. As in libexslt: a
//! second `func:result` in one call is an error, so is writing to the result tree, so is more
//! arguments than parameters, calls nest at most 1,000 deep, and a function whose body holds
//! only parameters fails when called.

use super::construct::Frame;
use super::{Exec, STACK_RED_ZONE, STACK_SEGMENT};
use crate::xml::{NodeId, Tree};
use crate::xpath::ExpandedName;
use crate::xpath::eval::Context;
use crate::xpath::value::Value;
use crate::xslt::ast::{Body, Loc, UserFunction, XExpr};
use crate::xslt::error::XsltError;

/// How deep function calls may nest (libexslt's limit).
const MAX_FUNCTION_DEPTH: usize = 1000;

impl Exec<'_> {
    /// The function `name` defines, if any.
    pub(super) fn user_function(&self, name: &ExpandedName) -> Option<&UserFunction> {
        self.sheet.functions.get(name)
    }

    /// Calls function `name` (defined: see [`Exec::user_function`]) on `args` in context `ctx`.
    pub(super) fn call_function(
        &mut self,
        name: &ExpandedName,
        args: Vec<Value>,
        ctx: &Context,
    ) -> Result<Value, XsltError> {
        let sheet = self.sheet;
        let f = &sheet.functions[name];
        let at = self.cur_loc;
        if args.len() > f.params.len() {
            return Err(self.err(
                at,
                "XPST0017",
                format!(
                    "{name}() takes at most {} argument{}, not {}",
                    f.params.len(),
                    if f.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        let Some(body) = &f.body else {
            return Err(self.err(
                f.loc,
                "WXSL0006",
                format!(
                    "{name}() has nothing but parameters, so it gives no value (libexslt fails on it too); add a func:result"
                ),
            ));
        };
        if self.func_results.len() >= MAX_FUNCTION_DEPTH {
            return Err(self.err(
                f.loc,
                "WXSL0001",
                format!("function calls nest deeper than {MAX_FUNCTION_DEPTH} levels (infinite recursion?)"),
            ));
        }
        self.work += 1;
        if self.work > self.opts.max_work {
            return Err(self.err(f.loc, "WXSL0004", self.work_message()));
        }
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.run_function(f, body, args, ctx)
        })
    }

    /// [`Exec::call_function`] once checked: binds, runs, restores.
    fn run_function(
        &mut self,
        f: &UserFunction,
        body: &Body,
        args: Vec<Value>,
        ctx: &Context,
    ) -> Result<Value, XsltError> {
        let saved = (
            self.ctx,
            self.current,
            self.frame_base,
            self.template,
            self.cur_loc,
        );
        let mark = self.locals.len();
        self.frame_base = mark;
        self.ctx = *ctx;
        self.current = ctx.node;
        self.template = None;
        self.func_results.push(None);
        self.out.push(Frame {
            tree: Tree::new(),
            parent: NodeId::ROOT,
        });
        let mut args = args.into_iter();
        let mut r = self.bind_params(&f.params, |_, _| args.next());
        if r.is_ok() {
            r = self.exec_body(body);
        }
        let written = self.out.pop().expect("pushed above");
        let result = self.func_results.pop().expect("pushed above");
        self.locals.truncate(mark);
        (
            self.ctx,
            self.current,
            self.frame_base,
            self.template,
            self.cur_loc,
        ) = saved;
        r?;
        if written.tree.first_child(NodeId::ROOT).is_some() {
            return Err(self.err(
                f.loc,
                "WXSL0007",
                format!(
                    "{}() writes to the result tree; a function may only give its value with func:result",
                    f.name
                ),
            ));
        }
        Ok(result.unwrap_or_else(|| Value::str("")))
    }

    /// `func:result`: sets the value of the function being run.
    pub(super) fn func_result(
        &mut self,
        select: Option<&XExpr>,
        body: &Body,
        loc: Loc,
    ) -> Result<(), XsltError> {
        let v = match select {
            Some(x) => self.eval(x)?,
            None if body.is_empty() => Value::str(""),
            None => self.rtf(body)?,
        };
        match self.func_results.last_mut() {
            Some(slot @ None) => {
                *slot = Some(v);
                Ok(())
            }
            Some(Some(_)) => Err(self.err(
                loc,
                "XTDE0640",
                "func:result is instantiated a second time in one call of the function",
            )),
            None => Err(self.err(loc, "XTDE0640", "func:result runs outside a function call")),
        }
    }
}
