//! The HTML reports as an HTML5 parser sees them: html5ever with exact errors, every parse error
//! collected, and the resulting DOM as a small tree to query (elements by name or class, text
//! content, attributes).

use html5ever::driver::ParseOpts;
use html5ever::tendril::TendrilSink as _;
use html5ever::tokenizer::TokenizerOpts;
use html5ever::tree_builder::TreeBuilderOpts;
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// An element: its name, attributes and children.
#[derive(Debug, Clone)]
pub struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A node of the tree (comments and the doctype are dropped).
#[derive(Debug, Clone)]
pub enum Node {
    El(El),
    Text(String),
}

/// Parses a page; returns the root `<html>` element and every parse error.
pub fn parse(html: &str) -> (El, Vec<String>) {
    let opts = ParseOpts {
        tokenizer: TokenizerOpts {
            exact_errors: true,
            ..Default::default()
        },
        tree_builder: TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
    };
    let dom = html5ever::parse_document(RcDom::default(), opts).one(html);
    let errors = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
    let root = convert(&dom.document)
        .into_iter()
        .find_map(|n| match n {
            Node::El(e) if e.name == "html" => Some(e),
            _ => None,
        })
        .expect("a document has <html>");
    (root, errors)
}

/// Parses a page that must be free of parse errors.
pub fn parse_clean(html: &str) -> El {
    let (root, errors) = parse(html);
    assert!(errors.is_empty(), "HTML5 parse errors: {errors:#?}");
    root
}

fn convert(h: &Handle) -> Vec<Node> {
    let children = || h.children.borrow().iter().flat_map(convert).collect();
    match &h.data {
        NodeData::Document => children(),
        NodeData::Element { name, attrs, .. } => vec![Node::El(El {
            name: name.local.to_string(),
            attrs: attrs
                .borrow()
                .iter()
                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                .collect(),
            children: children(),
        })],
        NodeData::Text { contents } => vec![Node::Text(contents.borrow().to_string())],
        _ => Vec::new(),
    }
}

impl El {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the element has a class.
    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// The text content.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => s.push_str(t),
                Node::El(e) => s.push_str(&e.text()),
            }
        }
        s
    }

    /// This element and every element under it, in document order.
    pub fn all(&self) -> Vec<&El> {
        let mut out = vec![self];
        for c in &self.children {
            if let Node::El(e) = c {
                out.extend(e.all());
            }
        }
        out
    }

    /// The elements matching `pred`, in document order.
    pub fn find(&self, pred: impl Fn(&El) -> bool) -> Vec<&El> {
        self.all().into_iter().filter(|e| pred(e)).collect()
    }

    /// The elements of a name.
    pub fn named(&self, name: &str) -> Vec<&El> {
        self.find(|e| e.name == name)
    }

    /// The element with an id.
    pub fn by_id(&self, id: &str) -> &El {
        self.find(|e| e.attr("id") == Some(id))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element #{id}"))
    }

    /// The elements with a class.
    pub fn with_class(&self, class: &str) -> Vec<&El> {
        self.find(|e| e.has_class(class))
    }

    /// The text of the first cell of each body row of the tables with a class.
    pub fn first_cells(&self, table_class: &str) -> Vec<String> {
        self.with_class(table_class)
            .into_iter()
            .flat_map(|t| t.named("tbody"))
            .flat_map(|b| b.named("tr"))
            .filter_map(|tr| tr.named("td").first().map(|td| td.text()))
            .collect()
    }
}
