//! Module loading: read stylesheet modules (local files only), flatten `xsl:include`, follow
//! `xsl:import` depth-first, refuse cycles, and give each top-level element its import
//! precedence (a module's imports come before it, so they lose conflicts).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Compiler, Decl, Module, XSLT_NS};
use crate::diag::LineIndex;
use crate::xml::{Document, Limits, NodeId};
use crate::xslt::error::XsltError;

/// Where a module comes from.
pub(super) enum ModuleSource {
    /// A file.
    File(PathBuf),
    /// Text, and the file it stands for (imports resolve against its directory).
    Text(String, Option<PathBuf>),
}

/// An element of a module: (module index, node).
type ElementRef = (usize, NodeId);

impl Compiler {
    /// Loads a module from a file or text.
    pub(super) fn load(
        &mut self,
        src: ModuleSource,
        from: Option<(usize, NodeId)>,
    ) -> Result<(usize, NodeId), XsltError> {
        let (bytes, path) = match src {
            ModuleSource::File(p) => {
                let bytes = std::fs::read(&p).map_err(|e| {
                    let mut err = XsltError::new(
                        "XTSE0165",
                        format!("cannot read stylesheet {}: {e}", p.display()),
                    );
                    if let Some((m, el)) = from {
                        err = self.err_el(
                            m,
                            el,
                            "XTSE0165",
                            format!("cannot read stylesheet {}: {e}", p.display()),
                        );
                    }
                    err
                })?;
                (bytes, Some(p))
            }
            ModuleSource::Text(t, p) => (t.into_bytes(), p),
        };
        let doc = Document::parse(&bytes, &Limits::with_dtd()).map_err(|e| {
            let text = crate::xml::encoding::decode(&bytes)
                .map(|(t, _)| t)
                .unwrap_or_default();
            XsltError {
                code: "XTSE0010",
                message: format!("the stylesheet is not well-formed XML: {e}"),
                file: path.clone(),
                pos: Some(e.pos()),
                source_line: crate::diag::line_text(&text, e.pos().line).map(str::to_owned),
            }
        })?;
        let tree = doc.into_tree();
        let lines = LineIndex::new(tree.source());
        let root = tree
            .root_element()
            .expect("parsed documents have a root element");
        self.modules.push(Module {
            path,
            tree: Arc::new(tree),
            lines,
        });
        Ok((self.modules.len() - 1, root))
    }

    /// `href` resolved against module `m`'s directory.
    fn resolve_href(&self, m: usize, href: &str) -> PathBuf {
        let href = href.strip_prefix("file://").unwrap_or(href);
        let base = self.modules[m]
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        base.join(href)
    }

    /// Refuses an `href` that is not a local file.
    fn check_href(&self, m: usize, el: NodeId, href: &str) -> Result<(), XsltError> {
        if href.contains("://") && !href.starts_with("file://") {
            return Err(self.err_attr(
                m,
                el,
                "href",
                "WXSL0003",
                format!("only local files can be imported or included, not {href}"),
            ));
        }
        Ok(())
    }

    /// Top-level elements of a module with its includes flattened: (imports, other declarations).
    fn flatten(&mut self, m: usize) -> Result<(Vec<ElementRef>, Vec<ElementRef>), XsltError> {
        let tree = self.modules[m].tree.clone();
        let root = tree.root_element().expect("root");
        let mut imports = Vec::new();
        let mut decls = Vec::new();
        let mut seen_other = false;
        for c in tree.element_children(root) {
            if tree.has_name(c, XSLT_NS, "import") {
                if seen_other {
                    return Err(self.err_el(
                        m,
                        c,
                        "XTSE0200",
                        "xsl:import must come before every other top-level element",
                    ));
                }
                imports.push((m, c));
            } else if tree.has_name(c, XSLT_NS, "include") {
                seen_other = true;
                let href = self.required(m, c, "href")?.to_owned();
                self.check_href(m, c, &href)?;
                let path = self.resolve_href(m, &href);
                let canon = path.canonicalize().unwrap_or(path.clone());
                if self.chain.contains(&canon) {
                    return Err(self.err_attr(
                        m,
                        c,
                        "href",
                        "XTSE0180",
                        format!("{href} includes itself (directly or indirectly)"),
                    ));
                }
                let (im, iroot) = self.load(ModuleSource::File(path), Some((m, c)))?;
                self.check_stylesheet_root(im, iroot)?;
                self.chain.push(canon);
                let (i2, d2) = self.flatten(im)?;
                self.chain.pop();
                imports.extend(i2);
                decls.extend(d2);
            } else {
                seen_other = true;
                decls.push((m, c));
            }
        }
        Ok((imports, decls))
    }

    /// An imported or included module must be an `xsl:stylesheet` with a version.
    fn check_stylesheet_root(&self, m: usize, root: NodeId) -> Result<(), XsltError> {
        let t = &self.modules[m].tree;
        if !(t.has_name(root, XSLT_NS, "stylesheet") || t.has_name(root, XSLT_NS, "transform")) {
            return Err(self.err_el(
                m,
                root,
                "XTSE0165",
                "an imported or included module must be an xsl:stylesheet",
            ));
        }
        if t.attribute_value(root, "", "version").is_none() {
            return Err(self.err_el(
                m,
                root,
                "XTSE0010",
                "xsl:stylesheet needs a version attribute",
            ));
        }
        Ok(())
    }

    /// Loads module `m`'s imports (depth-first, so they get lower precedence), then gives its
    /// declarations (includes flattened) the next precedence.
    pub(super) fn process_module(&mut self, m: usize) -> Result<(), XsltError> {
        let root = self.modules[m].tree.root_element().expect("root");
        self.check_stylesheet_root(m, root)?;
        if let Some(p) = &self.modules[m].path {
            self.chain.push(p.canonicalize().unwrap_or(p.clone()));
        }
        let (imports, decls) = self.flatten(m)?;
        let imports_from = self.next_precedence;
        for (im, el) in imports {
            let href = self.required(im, el, "href")?.to_owned();
            self.check_href(im, el, &href)?;
            let path = self.resolve_href(im, &href);
            let canon = path.canonicalize().unwrap_or(path.clone());
            if self.chain.contains(&canon) {
                return Err(self.err_attr(
                    im,
                    el,
                    "href",
                    "XTSE0210",
                    format!("{href} imports itself (directly or indirectly)"),
                ));
            }
            let (nm, _) = self.load(ModuleSource::File(path), Some((im, el)))?;
            self.process_module(nm)?;
        }
        let precedence = self.next_precedence;
        self.next_precedence += 1;
        for (dm, node) in decls {
            self.decls.push(Decl {
                module: dm,
                node,
                precedence,
                imports_from,
            });
        }
        if self.modules[m].path.is_some() {
            self.chain.pop();
        }
        Ok(())
    }
}
