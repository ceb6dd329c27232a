//! A small, strict, owned XML tree over `quick-xml`, and the input guards every parser here uses.
//!
//! Why not samael's own parsing: libxml2 (which samael and xmlsec use) runs in *recovery* mode,
//! silently repairing malformed documents. Everything this crate reads goes through [`guard`]
//! (size, UTF-8, no DOCTYPE/entities, checked on the raw bytes *before* any parser sees them) and
//! then [`parse`], which refuses anything that is not well-formed and namespace-correct. The
//! tree keeps namespace declarations, prefixes, comments and processing instructions, so
//! [`crate::c14n`] can canonicalise a signed element from it.
//!
//! Only used inside the crate.

use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

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
    let mut reader = NsReader::from_str(text);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_dangling_amp = false;
        config.allow_unmatched_ends = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut namespaces: Vec<Rc<str>> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let ns = resolved_ns(&resolved, &mut namespaces)?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::Malformed("elements nested too deeply".into()));
                }
                stack.push(element_from(&reader, &start, ns, &mut namespaces)?);
            }
            Event::Empty(start) => {
                let element = element_from(&reader, &start, ns, &mut namespaces)?;
                close(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("unexpected end tag".into()))?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                let content = text
                    .xml10_content()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                push_text(&mut stack, &content)?;
            }
            Event::CData(data) => {
                let content = data
                    .xml10_content()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                push_text(&mut stack, &content)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?
                        .ok_or_else(|| XmlError::Malformed("bad character reference".into()))?
                        .to_string()
                } else {
                    let name = reference
                        .decode()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?;
                    match &*name {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => {
                            return Err(XmlError::Malformed(format!("undefined entity &{other};")));
                        }
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Comment(comment) => {
                if let Some(parent) = stack.last_mut() {
                    let content = comment
                        .decode()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?;
                    parent.children.push(Node::Comment(content.into_owned()));
                }
            }
            Event::PI(pi) => {
                if let Some(parent) = stack.last_mut() {
                    let content = String::from_utf8_lossy(&pi).into_owned();
                    parent.children.push(Node::Pi(content));
                }
            }
            // Only before the root: libxml2 refuses it anywhere else, and so does this parser.
            Event::Decl(_) if root.is_some() || !stack.is_empty() => {
                return Err(XmlError::Malformed(
                    "an XML declaration after the start of the document".into(),
                ));
            }
            Event::Decl(decl) => {
                if decl.version().ok().as_deref() != Some(b"1.0".as_slice()) {
                    return Err(XmlError::Malformed("the XML version is not 1.0".into()));
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    root.ok_or_else(|| XmlError::Malformed("no root element".into()))
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            if let Some(Node::Text(previous)) = parent.children.last_mut() {
                previous.push_str(text);
            } else {
                parent.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError::Malformed("text outside the root element".into())),
    }
}

/// Names are slices of the (already UTF-8 checked) input.
fn owned(bytes: &[u8]) -> Result<String, XmlError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| XmlError::Malformed("a name is not UTF-8".into()))
}

/// The namespace URI, shared with every other element and attribute of the document in the
/// same namespace (a document uses a handful).
fn resolved_ns(
    resolved: &ResolveResult<'_>,
    namespaces: &mut Vec<Rc<str>>,
) -> Result<Option<Rc<str>>, XmlError> {
    match resolved {
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Bound(ns) => {
            let bytes = ns.as_ref();
            if let Some(known) = namespaces.iter().find(|n| n.as_bytes() == bytes) {
                return Ok(Some(known.clone()));
            }
            let uri: Rc<str> = Rc::from(owned(bytes)?);
            namespaces.push(uri.clone());
            Ok(Some(uri))
        }
        ResolveResult::Unknown(prefix) => Err(XmlError::Malformed(format!(
            "undeclared namespace prefix {:?}",
            String::from_utf8_lossy(prefix)
        ))),
    }
}

fn element_from(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    ns: Option<Rc<str>>,
    namespaces: &mut Vec<Rc<str>>,
) -> Result<Element, XmlError> {
    let name = start.name();
    let (local, prefix) = name.decompose();
    let mut element = Element {
        ns,
        prefix: prefix.map(|p| owned(p.as_ref())).transpose()?,
        local: owned(local.as_ref())?,
        attrs: Vec::new(),
        ns_decls: Vec::new(),
        children: Vec::new(),
    };
    for attribute in start.attributes().with_checks(true) {
        let attribute = attribute.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?
            .into_owned();
        let key = attribute.key;
        if let Some(binding) = key.as_namespace_binding() {
            let prefix = match binding {
                quick_xml::name::PrefixDeclaration::Default => String::new(),
                quick_xml::name::PrefixDeclaration::Named(p) => owned(p)?,
            };
            element.ns_decls.push((prefix, value));
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(key);
        let (_, prefix) = key.decompose();
        element.attrs.push(Attribute {
            ns: resolved_ns(&resolved, namespaces)?,
            prefix: prefix.map(|p| owned(p.as_ref())).transpose()?,
            local: owned(local.as_ref())?,
            value,
        });
    }
    Ok(element)
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
