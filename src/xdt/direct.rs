//! The paths XDT composes most, evaluated on the working [`Dom`] itself: absolute paths of
//! child steps that name elements, each step with predicates that compare attributes with
//! literals, joined by `and` and `or`
//! (`/configuration/system.webServer/httpProtocol/customHeaders/add[@name='X']`, what the
//! element hierarchy, `Locator="Match(name)"` and the usual `Condition(@key='a' or @key='b')`
//! make).
//!
//! Any other expression goes to the XPath engine, which needs the document as a [`Tree`]: a
//! copy of the whole document, made again after every change. On a large config a transform
//! of a few dozen elements made that copy a few dozen times (69% of a run on 2 MB, and more
//! than linear in the size). The answers are the engine's: debug builds (so every test run,
//! with the XDT conformance and differential corpora) compare each direct answer with the
//! engine's, and a unit test compares both on paths of each kind.
//!
//! [`Tree`]: crate::xml::Tree

use crate::xpath::ast::{Axis, CmpOp, ExprKind, NodeTest, PathStart, Step};
use crate::xpath::{ExpandedName, Expr, XPath};

use super::dom::{Attr, DId, Data, Dom};

/// One step: an element name and the conditions on its attributes.
struct Simple<'x> {
    name: &'x ExpandedName,
    conds: Vec<Cond<'x>>,
}

/// A predicate on an element's attributes: `@a = 'v'` (either way round), and `and` and `or`
/// of those (what `Match` and the usual `Condition`s make). Boolean, so never positional.
enum Cond<'x> {
    Eq(&'x ExpandedName, &'x str),
    And(Box<Cond<'x>>, Box<Cond<'x>>),
    Or(Box<Cond<'x>>, Box<Cond<'x>>),
}

/// The steps of `xp` when it is such a path; `None` for anything else.
fn simple_steps(xp: &XPath) -> Option<Vec<Simple<'_>>> {
    let ExprKind::Path(PathStart::Root, steps) = &xp.expr().kind else {
        return None;
    };
    if steps.is_empty() {
        return None;
    }
    steps.iter().map(simple_step).collect()
}

fn simple_step(step: &Step) -> Option<Simple<'_>> {
    let (Axis::Child, NodeTest::Name(name)) = (step.axis, &step.test) else {
        return None;
    };
    let conds = step.preds.iter().map(cond).collect::<Option<_>>()?;
    Some(Simple { name, conds })
}

fn cond(e: &Expr) -> Option<Cond<'_>> {
    match &e.kind {
        ExprKind::And(a, b) => Some(Cond::And(Box::new(cond(a)?), Box::new(cond(b)?))),
        ExprKind::Or(a, b) => Some(Cond::Or(Box::new(cond(a)?), Box::new(cond(b)?))),
        ExprKind::Compare(CmpOp::Eq, a, b) => match (a.attribute_step(), literal(b)) {
            (Some(n), Some(v)) => Some(Cond::Eq(n, v)),
            _ => Some(Cond::Eq(b.attribute_step()?, literal(a)?)),
        },
        _ => None,
    }
}

fn literal(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Literal(s) => Some(s),
        _ => None,
    }
}

/// The elements `xp` selects in `dom`, in document order, when it is a path of the kind above;
/// `None` otherwise, or when evaluating it would visit more nodes than `budget` allows (the
/// engine then reports the exhaustion as it does). `budget` is charged the nodes visited.
pub(super) fn select(dom: &Dom, xp: &XPath, budget: &mut u64) -> Option<Vec<DId>> {
    let steps = simple_steps(xp)?;
    let mut current = vec![DId::ROOT];
    let mut visited = 0u64;
    for step in &steps {
        let mut next = Vec::new();
        for &parent in &current {
            let children = dom.children(parent);
            visited += children.len() as u64;
            if visited > *budget {
                return None;
            }
            next.extend(children.iter().copied().filter(|&c| matches(dom, c, step)));
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    *budget -= visited;
    Some(current)
}

fn matches(dom: &Dom, n: DId, step: &Simple<'_>) -> bool {
    let Data::Element { name, attrs, .. } = dom.data(n) else {
        return false;
    };
    name.is(step.name) && step.conds.iter().all(|c| holds(attrs, c))
}

fn holds(attrs: &[Attr], c: &Cond<'_>) -> bool {
    match c {
        Cond::Eq(name, value) => attrs.iter().any(|a| a.name.is(name) && a.value == *value),
        Cond::And(a, b) => holds(attrs, a) && holds(attrs, b),
        Cond::Or(a, b) => holds(attrs, a) || holds(attrs, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Document, Limits, NodeId};
    use crate::xpath::{Context, NodeRef, SimpleEnv, StaticContext, Value};

    const DOC: &str = r#"<configuration xmlns:x="urn:x">
  <system.webServer>
    <httpProtocol>
      <customHeaders>
        <add name="A" value="1"/>
        <add name="B" value="2" x:name="A"/>
        <add name="A" value="3"/>
        <remove name="A"/>
      </customHeaders>
    </httpProtocol>
  </system.webServer>
  <system.webServer><httpProtocol><customHeaders><add name="A" value="4"/></customHeaders></httpProtocol></system.webServer>
  <x:system.webServer/>
</configuration>"#;

    fn compile(src: &str) -> XPath {
        let resolve = |p: &str| (p == "x").then(|| "urn:x".to_owned());
        let ctx = StaticContext {
            namespaces: &resolve,
            functions: &[],
        };
        XPath::compile_with(src, &ctx).unwrap()
    }

    /// What the XPath engine selects on the Dom's tree, as Dom nodes.
    fn by_engine(dom: &Dom, xp: &XPath) -> Vec<DId> {
        let (tree, map) = dom.to_tree();
        let mut env = SimpleEnv::new(&tree);
        let v = xp
            .evaluate_at(&Context::node(NodeRef::new(0, NodeId::ROOT)), &mut env)
            .unwrap();
        let Value::Nodes(nodes) = v else {
            panic!("not nodes")
        };
        nodes
            .iter()
            .map(|n| match map[n.node.index()] {
                crate::xdt::dom::DRef::Node(d) => d,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// The paths it takes give the engine's answer; the others are left to the engine.
    #[test]
    fn the_engines_answers_or_none() {
        let doc = Document::parse_str(DOC, &Limits::default()).unwrap();
        let dom = Dom::from_tree(doc.tree());
        for (path, taken, count) in [
            ("/configuration", true, 1),
            ("/configuration/system.webServer", true, 2),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add",
                true,
                4,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='A']",
                true,
                3,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add['A'=@name]",
                true,
                3,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@x:name='A']",
                true,
                1,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='A' and @value='3']",
                true,
                1,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='A'][@value='4']",
                true,
                1,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='a']",
                true,
                0,
            ),
            ("/configuration/x:system.webServer", true, 1),
            ("/configuration/nothing/add", true, 0),
            ("/nothing", true, 0),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[1]",
                false,
                2,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name!='A']",
                false,
                1,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='A' or @name='B']",
                true,
                4,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='B' or @value='3' and @name='A']",
                true,
                2,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[(@name='B' or @value='3') and @x:name='A']",
                true,
                1,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name='A' or 1]",
                false,
                4,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/*",
                false,
                5,
            ),
            ("/configuration//add", false, 4),
            ("configuration/system.webServer", false, 2),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name]",
                false,
                4,
            ),
            (
                "/configuration/system.webServer/httpProtocol/customHeaders/add[@name=@value]",
                false,
                0,
            ),
        ] {
            let xp = compile(path);
            let engine = by_engine(&dom, &xp);
            assert_eq!(engine.len(), count, "{path}");
            let mut budget = 1_000;
            match select(&dom, &xp, &mut budget) {
                Some(direct) => {
                    assert!(taken, "{path} should be left to the engine");
                    assert_eq!(direct, engine, "{path}");
                    assert!(budget < 1_000, "{path}: nothing charged");
                }
                None => assert!(!taken, "{path} should be taken"),
            }
        }
    }

    /// A path that would visit more nodes than the budget left is handed to the engine, with
    /// the budget untouched.
    #[test]
    fn over_budget_is_left_to_the_engine() {
        let doc = Document::parse_str(DOC, &Limits::default()).unwrap();
        let dom = Dom::from_tree(doc.tree());
        let xp = compile("/configuration/system.webServer/httpProtocol/customHeaders/add");
        let mut budget = 3;
        assert!(select(&dom, &xp, &mut budget).is_none());
        assert_eq!(budget, 3);
    }
}
