//! Canonical XML (c14n 1.0, exclusive or inclusive, with or without comments) of an element of
//! the strict tree from [`crate::xml`], leaving out one descendant (the enveloped signature).
//!
//! The exclusive form without comments is what [`crate::dsig`] hashes and verifies; the others
//! serve [`crate::signature::diagnose`] only. The differential tests (`crate::differential`) hold
//! the output byte-for-byte to libxmlsec1's on the whole corpus and its mutations.
//!
//! Only used inside the crate.

use crate::xml::{Attribute, Element, Node};

/// How to canonicalise. `inclusive_prefixes` is exclusive c14n's `InclusiveNamespaces
/// PrefixList` (`#default` for the default namespace).
pub(crate) struct C14n<'a> {
    pub exclusive: bool,
    pub with_comments: bool,
    pub inclusive_prefixes: &'a [String],
    pub skip: Option<&'a Element>,
}

/// Namespace bindings as a stack of `(prefix, uri)`; the last binding of a prefix wins.
type Bindings<'a> = Vec<(&'a str, &'a str)>;

fn lookup<'a>(bindings: &[(&'a str, &'a str)], prefix: &str) -> Option<&'a str> {
    bindings
        .iter()
        .rev()
        .find(|(p, _)| *p == prefix)
        .map(|(_, uri)| *uri)
}

impl<'a> C14n<'a> {
    /// `in_scope` holds the namespace declarations of the ancestors of `element`, outermost
    /// first (a later binding of a prefix overrides an earlier one).
    pub(crate) fn canonicalize(
        &self,
        element: &'a Element,
        in_scope: &[(&'a str, &'a str)],
    ) -> String {
        let mut out = String::with_capacity(4096);
        let mut scope: Bindings<'a> = in_scope.to_vec();
        let mut rendered: Bindings<'a> = Vec::new();
        self.write(element, &mut scope, &mut rendered, &mut out);
        out
    }

    fn write(
        &self,
        element: &'a Element,
        scope: &mut Bindings<'a>,
        rendered: &mut Bindings<'a>,
        out: &mut String,
    ) {
        let scope_len = scope.len();
        let rendered_len = rendered.len();
        for (prefix, uri) in &element.ns_decls {
            scope.push((prefix.as_str(), uri.as_str()));
        }
        let mut candidates: Vec<&str> = Vec::with_capacity(4);
        if self.exclusive {
            candidates.push(element.prefix.as_deref().unwrap_or(""));
            for attribute in &element.attrs {
                if let Some(prefix) = &attribute.prefix {
                    candidates.push(prefix);
                }
            }
            for prefix in self.inclusive_prefixes {
                let prefix = if prefix == "#default" { "" } else { prefix };
                if lookup(scope, prefix).is_some() {
                    candidates.push(prefix);
                }
            }
        } else {
            candidates.extend(scope.iter().map(|(p, _)| *p));
            candidates.push("");
        }
        candidates.sort_unstable();
        candidates.dedup();
        for prefix in candidates {
            // The xml namespace is bound by definition and never declared.
            if prefix == "xml" {
                continue;
            }
            let uri = lookup(scope, prefix).unwrap_or("");
            let already = lookup(&rendered[..rendered_len], prefix);
            let render = if prefix.is_empty() {
                uri != already.unwrap_or("")
            } else {
                !uri.is_empty() && already != Some(uri)
            };
            if render {
                rendered.push((prefix, uri));
            }
        }

        out.push('<');
        push_qname(out, element.prefix.as_deref(), &element.local);
        for (prefix, uri) in &rendered[rendered_len..] {
            if prefix.is_empty() {
                out.push_str(" xmlns=\"");
            } else {
                out.push_str(" xmlns:");
                out.push_str(prefix);
                out.push_str("=\"");
            }
            escape_attr(uri, out);
            out.push('"');
        }
        let mut attrs: Vec<&Attribute> = element.attrs.iter().collect();
        if attrs.len() > 1 {
            attrs.sort_unstable_by(|a, b| {
                (a.ns.as_deref().unwrap_or(""), a.local.as_str())
                    .cmp(&(b.ns.as_deref().unwrap_or(""), b.local.as_str()))
            });
        }
        for attribute in attrs {
            out.push(' ');
            push_qname(out, attribute.prefix.as_deref(), &attribute.local);
            out.push_str("=\"");
            escape_attr(&attribute.value, out);
            out.push('"');
        }
        out.push('>');
        for child in &element.children {
            match child {
                Node::Element(c) => {
                    if self.skip.is_some_and(|s| std::ptr::eq(s, c)) {
                        continue;
                    }
                    self.write(c, scope, rendered, out);
                }
                Node::Text(t) => escape_text(t, out),
                Node::Comment(c) if self.with_comments => {
                    out.push_str("<!--");
                    out.push_str(c);
                    out.push_str("-->");
                }
                Node::Comment(_) => {}
                Node::Pi(p) => push_pi(p, out),
            }
        }
        out.push_str("</");
        push_qname(out, element.prefix.as_deref(), &element.local);
        out.push('>');
        scope.truncate(scope_len);
        rendered.truncate(rendered_len);
    }
}

/// Whether a processing instruction sits anywhere below `element` (outside the profile the
/// in-crate verifier handles).
pub(crate) fn has_processing_instruction(element: &Element) -> bool {
    element.children.iter().any(|child| match child {
        Node::Pi(_) => true,
        Node::Element(e) => has_processing_instruction(e),
        Node::Text(_) | Node::Comment(_) => false,
    })
}

fn push_qname(out: &mut String, prefix: Option<&str>, local: &str) {
    if let Some(prefix) = prefix {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(local);
}

/// `<?target data?>`: one space between target and data, none when there is no data.
fn push_pi(raw: &str, out: &mut String) {
    let (target, data) = raw
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((raw, ""));
    let data = data.trim_start_matches(|c: char| c.is_ascii_whitespace());
    out.push_str("<?");
    out.push_str(target);
    if !data.is_empty() {
        out.push(' ');
        out.push_str(data);
    }
    out.push_str("?>");
}

/// Copy `value`, replacing the bytes `replace` maps (all ASCII, so slicing stays on character
/// boundaries).
fn escape_with(value: &str, out: &mut String, replace: impl Fn(u8) -> Option<&'static str>) {
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(escaped) = replace(b) {
            out.push_str(&value[start..i]);
            out.push_str(escaped);
            start = i + 1;
        }
    }
    out.push_str(&value[start..]);
}

fn escape_attr(value: &str, out: &mut String) {
    escape_with(value, out, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'"' => Some("&quot;"),
        b'\t' => Some("&#x9;"),
        b'\n' => Some("&#xA;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    });
}

fn escape_text(value: &str, out: &mut String) {
    escape_with(value, out, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    #[test]
    fn exclusive_c14n_renders_visibly_used_namespaces() {
        let root = parse(
            r#"<r:R xmlns:r="urn:r" xmlns:x="urn:x"><a:A xmlns:a="urn:a" z="2" a="1">t&amp;<!--c--></a:A></r:R>"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let a = root.elements().next().unwrap_or_else(|| panic!("child"));
        let scope = [("r", "urn:r"), ("x", "urn:x")];
        let c14n = C14n {
            exclusive: true,
            with_comments: false,
            inclusive_prefixes: &[],
            skip: None,
        };
        assert_eq!(
            c14n.canonicalize(a, &scope),
            r#"<a:A xmlns:a="urn:a" a="1" z="2">t&amp;</a:A>"#
        );
    }

    #[test]
    fn inclusive_prefixes_default_namespace_and_escapes() {
        let root = parse(
            "<R xmlns=\"urn:d\" xmlns:xs=\"urn:xs\" xmlns:q=\"urn:q\"><b q:v=\"&#9;x&quot;\">&#13;&gt;<?pi   data ?><c xmlns=\"\"/></b></R>",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let prefixes = ["xs".to_owned()];
        let c14n = C14n {
            exclusive: true,
            with_comments: false,
            inclusive_prefixes: &prefixes,
            skip: None,
        };
        assert_eq!(
            c14n.canonicalize(&root, &[]),
            "<R xmlns=\"urn:d\" xmlns:xs=\"urn:xs\"><b xmlns:q=\"urn:q\" q:v=\"&#x9;x&quot;\">&#xD;&gt;<?pi data ?><c xmlns=\"\"></c></b></R>"
        );
        assert!(has_processing_instruction(&root));
    }
}
