//! The strict reader behind every parse in the crate: one pass over a guarded document that
//! makes every well-formedness and namespace check, and reports what it reads to a [`Sink`].
//!
//! [`super::parse`] builds the owned tree with it; `peek_response` keeps only the few facts it
//! routes by, without building a tree. Both get exactly the same checks, because the checks are
//! here and not in the sinks: a document one of them refuses the other refuses too, with the
//! same error.

use std::borrow::Cow;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;

use super::{MAX_DEPTH, XmlError};

/// What [`read`] reports of a document, in document order. Names are checked UTF-8 slices of
/// the input; namespaces are resolved and shared ([`Rc`]) across the document.
pub(crate) trait Sink {
    /// An element starts. Its namespace declarations and attributes follow, then its content,
    /// then [`Sink::close`].
    fn open(&mut self, ns: Option<&Rc<str>>, prefix: Option<&str>, local: &str);
    /// A namespace declaration on the element just opened (`""` for the default namespace).
    fn ns_decl(&mut self, prefix: &str, uri: Cow<'_, str>);
    /// An attribute (not a namespace declaration) of the element just opened.
    fn attribute(
        &mut self,
        ns: Option<&Rc<str>>,
        prefix: Option<&str>,
        local: &str,
        value: Cow<'_, str>,
    );
    /// The innermost open element ends.
    fn close(&mut self);
    /// Character data of the innermost open element: text, CDATA or a resolved reference
    /// (one run of text may come in several pieces).
    fn text(&mut self, text: &str);
    /// A comment inside the root element.
    fn comment(&mut self, text: &str);
    /// A processing instruction inside the root element.
    fn pi(&mut self, text: &str);
}

/// Reads a guarded document (`super::guard`) to its end, reporting it to `sink`; the first
/// problem ends the reading with its error.
pub(crate) fn read<S: Sink>(text: &str, sink: &mut S) -> Result<(), XmlError> {
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
    let mut namespaces: Vec<Rc<str>> = Vec::new();
    let mut depth = 0usize;
    let mut root_done = false;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let ns = resolved_ns(&resolved, &mut namespaces)?;
        match event {
            Event::Start(_) | Event::Empty(_) if root_done => {
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                if depth >= MAX_DEPTH {
                    return Err(XmlError::Malformed("elements nested too deeply".into()));
                }
                open(&reader, &start, ns.as_ref(), &mut namespaces, sink)?;
                depth += 1;
            }
            Event::Empty(start) => {
                open(&reader, &start, ns.as_ref(), &mut namespaces, sink)?;
                sink.close();
                root_done = depth == 0;
            }
            Event::End(_) => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| XmlError::Malformed("unexpected end tag".into()))?;
                sink.close();
                root_done = depth == 0;
            }
            Event::Text(text) => {
                let content = text
                    .xml10_content()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                character_data(depth, &content, sink)?;
            }
            Event::CData(data) => {
                let content = data
                    .xml10_content()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                character_data(depth, &content, sink)?;
            }
            Event::GeneralRef(reference) => {
                let mut buf = [0u8; 4];
                let resolved: &str = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?
                        .ok_or_else(|| XmlError::Malformed("bad character reference".into()))?
                        .encode_utf8(&mut buf)
                } else {
                    let name = reference
                        .decode()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?;
                    match &*name {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        other => {
                            return Err(XmlError::Malformed(format!("undefined entity &{other};")));
                        }
                    }
                };
                character_data(depth, resolved, sink)?;
            }
            Event::Comment(comment) => {
                if depth > 0 {
                    let content = comment
                        .decode()
                        .map_err(|e| XmlError::Malformed(e.to_string()))?;
                    sink.comment(&content);
                }
            }
            Event::PI(pi) => {
                if depth > 0 {
                    sink.pi(&String::from_utf8_lossy(&pi));
                }
            }
            // Only before the root: libxml2 refuses it anywhere else, and so does this parser.
            Event::Decl(_) if root_done || depth > 0 => {
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
    if depth > 0 {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    if !root_done {
        return Err(XmlError::Malformed("no root element".into()));
    }
    Ok(())
}

/// Text inside an element goes to the sink; outside the root only whitespace is allowed.
fn character_data<S: Sink>(depth: usize, text: &str, sink: &mut S) -> Result<(), XmlError> {
    if depth > 0 {
        sink.text(text);
        Ok(())
    } else if text.trim().is_empty() {
        Ok(())
    } else {
        Err(XmlError::Malformed("text outside the root element".into()))
    }
}

/// Names are slices of the (already UTF-8 checked) input.
fn name(bytes: &[u8]) -> Result<&str, XmlError> {
    std::str::from_utf8(bytes).map_err(|_| XmlError::Malformed("a name is not UTF-8".into()))
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
            let uri: Rc<str> = Rc::from(name(bytes)?);
            namespaces.push(uri.clone());
            Ok(Some(uri))
        }
        ResolveResult::Unknown(prefix) => Err(XmlError::Malformed(format!(
            "undeclared namespace prefix {:?}",
            String::from_utf8_lossy(prefix)
        ))),
    }
}

/// Reports an element's start, its namespace declarations and its attributes, each checked.
fn open<S: Sink>(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    ns: Option<&Rc<str>>,
    namespaces: &mut Vec<Rc<str>>,
    sink: &mut S,
) -> Result<(), XmlError> {
    let qname = start.name();
    let (local, prefix) = qname.decompose();
    let prefix = prefix.map(|p| name(p.into_inner())).transpose()?;
    sink.open(ns, prefix, name(local.into_inner())?);
    for attribute in start.attributes().with_checks(true) {
        let attribute = attribute.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key = attribute.key;
        if let Some(binding) = key.as_namespace_binding() {
            let prefix = match binding {
                PrefixDeclaration::Default => "",
                PrefixDeclaration::Named(p) => name(p)?,
            };
            sink.ns_decl(prefix, value);
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(key);
        let attribute_ns = resolved_ns(&resolved, namespaces)?;
        let (_, prefix) = key.decompose();
        let prefix = prefix.map(|p| name(p.into_inner())).transpose()?;
        sink.attribute(
            attribute_ns.as_ref(),
            prefix,
            name(local.into_inner())?,
            value,
        );
    }
    Ok(())
}
