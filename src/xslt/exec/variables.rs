//! Variables and parameters: global ones evaluated on first use (with cycle detection, and
//! `--param`/`--stringparam` from outside), local `xsl:variable`, and result tree fragments.

use super::construct::Frame;
use super::{Exec, ParamValue, TUNNEL};
use crate::xml::{NodeId, Tree, XML_NS};
use crate::xpath::ExpandedName;
use crate::xpath::eval::{Context, evaluate, to_string};
use crate::xpath::value::{NodeRef, Value};
use crate::xslt::ast::{Binding, BindingValue, Instr, InstrKind};
use crate::xslt::error::XsltError;
use crate::xslt::ext;

/// A global variable: not yet needed, being evaluated (a second request is a cycle), or known.
pub(super) enum GlobalState {
    Pending,
    Running,
    Done(Value),
}

impl Exec<'_> {
    /// The value of global variable `i`, evaluated on first use.
    pub(super) fn global_value(&mut self, i: usize) -> Result<Value, XsltError> {
        match &self.globals[i] {
            GlobalState::Done(v) => return Ok(v.clone()),
            GlobalState::Running => {
                let g = &self.sheet.globals[i];
                return Err(self.err(
                    g.loc,
                    "XTDE0640",
                    format!("global variable ${} depends on itself", g.binding.name),
                ));
            }
            GlobalState::Pending => {}
        }
        self.globals[i] = GlobalState::Running;
        let g = &self.sheet.globals[i];
        let external = if g.binding.is_param {
            self.opts
                .params
                .iter()
                .rev()
                .find(|(n, _)| *n == g.binding.name)
                .map(|(_, v)| v.clone())
        } else {
            None
        };
        // Globals are evaluated with the root as context and no local variables in sight.
        let saved = (
            self.ctx,
            self.current,
            self.frame_base,
            self.template,
            self.mode.take(),
        );
        let root = NodeRef::new(0, NodeId::ROOT);
        self.ctx = Context::node(root);
        self.current = root;
        self.frame_base = self.locals.len();
        self.template = None;
        let r = match external {
            Some(ParamValue::String(s)) => Ok(Value::str(s)),
            Some(ParamValue::XPath(src)) => self.external_xpath(&src, &g.binding.name),
            None => self.eval_binding(&g.binding.value),
        };
        (
            self.ctx,
            self.current,
            self.frame_base,
            self.template,
            self.mode,
        ) = saved;
        let v = r?;
        self.globals[i] = GlobalState::Done(v.clone());
        Ok(v)
    }

    /// A `--param` expression, evaluated with the source root as context.
    fn external_xpath(&mut self, src: &str, name: &ExpandedName) -> Result<Value, XsltError> {
        let expr = crate::xpath::parse(
            src,
            &crate::xpath::StaticContext {
                namespaces: &|p| (p == "xml").then(|| XML_NS.to_owned()),
                functions: ext::signatures(),
            },
        )
        .map_err(|e| XsltError::new(e.code, format!("--param {name}: {}", e.message)))?;
        let ctx = self.ctx;
        evaluate(&expr, &ctx, self).map_err(|e| {
            if e.code == TUNNEL
                && let Some(p) = self.pending.take()
            {
                return p;
            }
            XsltError::new(e.code, format!("--param {name}: {}", e.message))
        })
    }

    /// The value of a variable or parameter's `select` or content.
    pub(super) fn eval_binding(&mut self, v: &BindingValue) -> Result<Value, XsltError> {
        match v {
            BindingValue::Select(x) => self.eval(x),
            BindingValue::Body(b) => self.rtf(b),
            BindingValue::Empty => Ok(Value::str("")),
        }
    }

    /// Instantiates a body into a new tree: a result tree fragment.
    pub(super) fn rtf(&mut self, body: &[Instr]) -> Result<Value, XsltError> {
        self.out.push(Frame {
            tree: Tree::new(),
            parent: NodeId::ROOT,
        });
        let r = self.exec_body(body);
        let frame = self.out.pop().expect("pushed above");
        r?;
        let id = self.add_tree(frame.tree);
        Ok(Value::Rtf(NodeRef::new(id, NodeId::ROOT)))
    }

    /// The string value of a body's result (for xsl:attribute, xsl:comment, ...).
    pub(super) fn body_text(&mut self, body: &[Instr]) -> Result<String, XsltError> {
        // Common case: literal text and value-of only.
        if body
            .iter()
            .all(|i| matches!(i.kind, InstrKind::Text { .. }))
        {
            return Ok(body
                .iter()
                .map(|i| match &i.kind {
                    InstrKind::Text { text, .. } => text.as_ref(),
                    _ => "",
                })
                .collect());
        }
        let v = self.rtf(body)?;
        let s = to_string(&v, self).to_string();
        // The fragment was only needed for its text: drop it again.
        if let Value::Rtf(r) = v
            && r.doc as usize + 1 == self.docs.len()
        {
            self.docs.pop();
            self.doc_paths.pop();
        }
        Ok(s)
    }

    /// `xsl:variable` in a body: in scope until the end of the body.
    pub(super) fn local_variable(&mut self, b: &Binding) -> Result<(), XsltError> {
        let v = self.eval_binding(&b.value)?;
        self.locals.push((b.name.clone(), v));
        Ok(())
    }
}
