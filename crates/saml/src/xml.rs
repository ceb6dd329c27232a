//! A small, strict, owned XML tree over `quick-xml` (read by [`reader`]), and the input guards
//! every parser here uses.
//!
//! Why not samael's own parsing: libxml2 (which samael and xmlsec use) runs in *recovery* mode,
//! silently repairing malformed documents. Everything this crate reads goes through [`guard`]
//! (size, UTF-8, no DOCTYPE/entities, checked on the raw bytes *before* any parser sees them) and
//! then [`parse`], which refuses anything that is not well-formed and namespace-correct. The
//! tree keeps namespace declarations, prefixes, comments and processing instructions, so
//! [`crate::c14n`] can canonicalise a signed element from it.
//!
//! Only used inside the crate.

use std::borrow::Cow;
use std::rc::Rc;

use quick_xml::events::Event;

mod reader;
pub(crate) use reader::{Sink, read};

pub(crate) const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub(crate) const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub(crate) const NS_MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub(crate) const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Deepest element nesting accepted (real SAML messages stay below 15).
const MAX_DEPTH: usize = 64;

/// Why bytes were refused before or during parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// Over the size limit.
    TooLarge { size: usize, limit: usize },
    /// A DOCTYPE, DTD, entity declaration or other `<!` construct.
    Doctype,
    /// Not UTF-8, or declares another encoding.
    Encoding(String),
    /// Not well-formed, or namespace errors.
    Malformed(String),
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { size, limit } => {
                write!(
                    f,
                    "the message is {size} bytes, over the {limit}-byte limit"
                )
            }
            Self::Doctype => f.write_str(
                "the XML contains a DOCTYPE or entity declaration, which is never accepted",
            ),
            Self::Encoding(why) => write!(f, "the XML is not UTF-8: {why}"),
            Self::Malformed(why) => write!(f, "the XML is not well-formed: {why}"),
        }
    }
}

/// Checks on raw bytes, before any XML parser: size, encoding, and no `<!DOCTYPE`/`<!ENTITY`
/// or any other `<!` markup except comments and CDATA. Returns the text.
pub(crate) fn guard(bytes: &[u8], limit: usize) -> Result<&str, XmlError> {
    if bytes.len() > limit {
        return Err(XmlError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(XmlError::Encoding("UTF-16 byte-order mark".into()));
    }
    // Scan the bytes before decoding: a DOCTYPE is refused even if the rest is garbage.
    let mut rest = bytes;
    while let Some(pos) = rest.iter().position(|&b| b == b'<') {
        let after = &rest[pos + 1..];
        if after.first() == Some(&b'!')
            && !after.starts_with(b"!--")
            && !after.starts_with(b"![CDATA[")
        {
            return Err(XmlError::Doctype);
        }
        rest = after;
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| XmlError::Encoding("invalid UTF-8 byte sequence".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(decl) = text.strip_prefix("<?xml") {
        let end = decl.find("?>").unwrap_or(decl.len());
        let decl = &decl[..end];
        if let Some(idx) = decl.find("encoding") {
            let value = decl[idx + "encoding".len()..]
                .trim_start()
                .trim_start_matches('=')
                .trim_start();
            let value = value
                .trim_start_matches(['"', '\''])
                .split(['"', '\''])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if value != "utf-8" && value != "us-ascii" && value != "utf8" {
                return Err(XmlError::Encoding(format!("declares encoding {value:?}")));
            }
        }
    }
    Ok(text)
}

/// One element with its resolved namespace, its own namespace declarations and its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub ns: Option<Rc<str>>,
    pub prefix: Option<String>,
    pub local: String,
    /// Attributes other than namespace declarations, in document order.
    pub attrs: Vec<Attribute>,
    /// Namespace declarations made on this element: prefix (`""` for the default) → URI.
    pub ns_decls: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub ns: Option<Rc<str>>,
    pub prefix: Option<String>,
    pub local: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
    Comment(String),
    Pi(String),
}

impl Element {
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.local == local && self.ns.as_deref() == Some(ns)
    }

    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    pub(crate) fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(ns, local))
    }

    pub(crate) fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, local))
    }

    /// An attribute without a namespace (all SAML attributes are unqualified).
    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// Concatenated character data of the direct children. Comments and processing
    /// instructions split text nodes but never end the value (CVE-2017-11427 family).
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            if let Node::Text(t) = child {
                out.push_str(t);
            }
        }
        out
    }

    /// All character data below this element, depth first.
    pub(crate) fn deep_text(&self) -> String {
        let mut out = String::new();
        fn walk(e: &Element, out: &mut String) {
            for child in &e.children {
                match child {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(c) => walk(c, out),
                    Node::Comment(_) | Node::Pi(_) => {}
                }
            }
        }
        walk(self, &mut out);
        out
    }

    /// Every element in this subtree (this one included), depth first, with its depth.
    pub(crate) fn descendants(&self) -> Vec<(&Element, usize)> {
        let mut out = Vec::new();
        let mut stack = vec![(self, 0usize)];
        while let Some((e, depth)) = stack.pop() {
            out.push((e, depth));
            for child in e.elements().collect::<Vec<_>>().into_iter().rev() {
                stack.push((child, depth + 1));
            }
        }
        out
    }
}

/// Parse a guarded document into its root element.
pub(crate) fn parse(text: &str) -> Result<Element, XmlError> {
    let mut tree = Tree::default();
    reader::read(text, &mut tree)?;
    tree.root
        .ok_or_else(|| XmlError::Malformed("no root element".into()))
}

/// Builds the owned tree from what [`reader::read`] reports.
#[derive(Default)]
struct Tree {
    /// The open elements, innermost last.
    stack: Vec<Element>,
    root: Option<Element>,
}

impl Tree {
    fn innermost(&mut self) -> Option<&mut Element> {
        self.stack.last_mut()
    }
}

impl reader::Sink for Tree {
    fn open(&mut self, ns: Option<&Rc<str>>, prefix: Option<&str>, local: &str) {
        self.stack.push(Element {
            ns: ns.cloned(),
            prefix: prefix.map(str::to_owned),
            local: local.to_owned(),
            attrs: Vec::new(),
            ns_decls: Vec::new(),
            children: Vec::new(),
        });
    }

    fn ns_decl(&mut self, prefix: &str, uri: Cow<'_, str>) {
        if let Some(e) = self.innermost() {
            e.ns_decls.push((prefix.to_owned(), uri.into_owned()));
        }
    }

    fn attribute(
        &mut self,
        ns: Option<&Rc<str>>,
        prefix: Option<&str>,
        local: &str,
        value: Cow<'_, str>,
    ) {
        if let Some(e) = self.innermost() {
            e.attrs.push(Attribute {
                ns: ns.cloned(),
                prefix: prefix.map(str::to_owned),
                local: local.to_owned(),
                value: value.into_owned(),
            });
        }
    }

    fn close(&mut self) {
        let Some(element) = self.stack.pop() else {
            return;
        };
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => self.root = Some(element),
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(parent) = self.innermost() {
            if let Some(Node::Text(previous)) = parent.children.last_mut() {
                previous.push_str(text);
            } else {
                parent.children.push(Node::Text(text.to_owned()));
            }
        }
    }

    fn comment(&mut self, text: &str) {
        if let Some(parent) = self.innermost() {
            parent.children.push(Node::Comment(text.to_owned()));
        }
    }

    fn pi(&mut self, text: &str) {
        if let Some(parent) = self.innermost() {
            parent.children.push(Node::Pi(text.to_owned()));
        }
    }
}

/// The byte ranges of the root's child elements in `text`, in document order (the same order
/// as [`Element::elements`] of the root [`parse`] returns). Call only on text that [`parse`]
/// accepted; used to replace one child (a decrypted `EncryptedAssertion`) in place, so it keeps
/// exactly the namespace context it was encrypted in.
pub(crate) fn root_child_spans(text: &str) -> Result<Vec<std::ops::Range<usize>>, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut spans = Vec::new();
    let mut open_at = 0usize;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(_) => {
                if depth == 1 {
                    open_at = before;
                }
                depth += 1;
            }
            Event::Empty(_) if depth == 1 => spans.push(before..after),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    spans.push(open_at..after);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Text events end where the next markup starts; a span begins at its '<'.
    for span in &mut spans {
        while text.as_bytes().get(span.start).is_some_and(|b| *b != b'<') {
            span.start += 1;
        }
    }
    Ok(spans)
}

/// Escape text for XML this crate writes (element content and attribute values alike).
pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_is_refused_before_parsing() {
        let xml = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>";
        assert_eq!(guard(xml, 1000), Err(XmlError::Doctype));
        assert_eq!(guard(b"<r><!ENTITY", 1000), Err(XmlError::Doctype));
        assert!(guard(b"<r><!-- c --><![CDATA[x]]></r>", 1000).is_ok());
    }

    #[test]
    fn encodings_other_than_utf8_are_refused() {
        assert!(matches!(
            guard(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><r/>", 1000),
            Err(XmlError::Encoding(_))
        ));
        assert!(matches!(
            guard(b"\xff\xfe<\0r\0/\0>\0", 1000),
            Err(XmlError::Encoding(_))
        ));
        assert!(guard(b"<?xml version=\"1.0\" encoding='utf-8'?><r/>", 1000).is_ok());
    }

    #[test]
    fn size_limit() {
        assert_eq!(
            guard(b"<r/>", 3),
            Err(XmlError::TooLarge { size: 4, limit: 3 })
        );
    }

    #[test]
    fn comments_split_but_do_not_truncate_text() {
        let root = parse("<a>user@example.com<!---->.evil.test</a>").unwrap_or_else(|e| {
            panic!("{e}");
        });
        assert_eq!(root.text(), "user@example.com.evil.test");
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            "<a><b></a>",
            "<a>",
            "<a/><b/>",
            "<p:a/>",
            "<a x='1' x='2'/>",
            "<a>&unknown;</a>",
            "text<a/>",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn namespaces_are_resolved() {
        let root = parse(r#"<p:a xmlns:p="urn:p" xmlns="urn:d"><b q="1"/></p:a>"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(root.is("urn:p", "a"));
        let b = root.elements().next().unwrap_or_else(|| panic!("child"));
        assert!(b.is("urn:d", "b"));
        assert_eq!(b.attr("q"), Some("1"));
    }

    #[test]
    fn xml_declaration_only_at_the_start() {
        assert!(parse("<?xml version=\"1.0\"?><a/>").is_ok());
        assert!(parse("<a><?xml version=\"1.0\"?></a>").is_err());
        assert!(parse("<?xml version=\"x.0\"?><a/>").is_err());
    }

    #[test]
    fn line_ends_are_normalised_in_cdata_too() {
        let root = parse("<a><![CDATA[x\r\ny]]>\r\n</a>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(root.text(), "x\ny\n");
    }
}
