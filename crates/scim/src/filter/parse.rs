//! A hand-written recursive-descent parser for the RFC 7644 §3.4.2.2 filter grammar and the
//! §3.5.2 PATCH path grammar. Precedence, loosest first: `or`, `and`, `not`/parentheses.
//! Keywords, operators and literals `true`/`false`/`null` are case-insensitive; whitespace
//! between tokens may be any run of blanks. Errors carry the 0-based character position.
//!
//! The parser recurses once per `(`, `not (` and `[`, so nesting is bounded by
//! [`MAX_FILTER_DEPTH`] before each descent, and the input by [`MAX_FILTER_LEN`] /
//! [`MAX_PATH_LEN`] before parsing starts: no input can overflow the stack.

use super::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use crate::error::{Result, ScimError};
use crate::limits::{MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH, MAX_FILTER_LEN, MAX_PATH_LEN};

/// Parses a `filter` query parameter. Errors are 400 `invalidFilter`.
pub fn parse_filter(input: &str) -> Result<Filter> {
    if exceeds_chars(input, MAX_FILTER_LEN) {
        return Err(ScimError::invalid_filter(format!(
            "invalid filter: the filter is longer than {MAX_FILTER_LEN} characters"
        )));
    }
    let mut p = Parser::new(input, Mode::Filter);
    p.skip_ws();
    if p.at_end() {
        return Err(p.error_here("the filter is empty"));
    }
    let filter = p.parse_or()?;
    p.skip_ws();
    if !p.at_end() {
        return Err(p.error_here("expected 'and', 'or' or the end of the filter"));
    }
    Ok(filter)
}

/// Parses a PATCH operation `path`. Errors are 400 `invalidPath`.
pub fn parse_patch_path(input: &str) -> Result<PatchPath> {
    if exceeds_chars(input, MAX_PATH_LEN) {
        return Err(ScimError::invalid_path(format!(
            "invalid path: the path is longer than {MAX_PATH_LEN} characters"
        )));
    }
    let mut p = Parser::new(input, Mode::Path);
    p.skip_ws();
    let attr = p.parse_attr_path()?;
    let mut filter = None;
    let mut sub_after_filter = None;
    if p.peek() == Some('[') {
        if attr.sub.is_some() {
            return Err(
                p.error_here("a value filter must follow an attribute, not a sub-attribute")
            );
        }
        p.descend()?;
        p.bump();
        p.in_value_filter = true;
        let inner = p.parse_or()?;
        p.in_value_filter = false;
        p.skip_ws();
        p.expect(']')?;
        p.depth -= 1;
        filter = Some(inner);
        if p.peek() == Some('.') {
            p.bump();
            let start = p.pos;
            let name = p.take_while(is_name_char);
            check_attr_name(name).map_err(|m| p.error_at(start, m))?;
            sub_after_filter = Some(name.to_owned());
        }
    }
    p.skip_ws();
    if !p.at_end() {
        return Err(p.error_here("unexpected text after the path"));
    }
    Ok(PatchPath {
        attr,
        filter,
        sub_after_filter,
    })
}

#[derive(Clone, Copy)]
enum Mode {
    Filter,
    Path,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    mode: Mode,
    in_value_filter: bool,
    /// How many `(`, `not (` and `[` enclose the current position.
    depth: usize,
    /// Comparisons parsed so far.
    comparisons: usize,
}

/// Whether `input` has more than `max` characters (without counting past `max`).
fn exceeds_chars(input: &str, max: usize) -> bool {
    input.len() > max && input.chars().nth(max).is_some()
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$'
}

fn is_path_char(c: char) -> bool {
    is_name_char(c) || c == '.' || c == ':'
}

/// `ATTRNAME = ALPHA *(nameChar)`, plus `$ref`.
fn check_attr_name(name: &str) -> std::result::Result<(), String> {
    let mut chars = name.chars();
    match chars.next() {
        None => Err("expected an attribute name".to_owned()),
        Some(c) if c.is_ascii_alphabetic() || (c == '$' && name.len() > 1) => {
            if chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                Ok(())
            } else {
                Err(format!("'{name}' is not a valid attribute name"))
            }
        }
        Some(_) => Err(format!("'{name}' is not a valid attribute name")),
    }
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, mode: Mode) -> Self {
        Parser {
            src,
            pos: 0,
            mode,
            in_value_filter: false,
            depth: 0,
            comparisons: 0,
        }
    }

    fn what(&self) -> &'static str {
        match self.mode {
            Mode::Filter => "filter",
            Mode::Path => "path",
        }
    }

    /// Enters one more level of `(`, `not (` or `[`; refused beyond [`MAX_FILTER_DEPTH`].
    /// The caller leaves it with `self.depth -= 1` once the closing bracket is read.
    fn descend(&mut self) -> Result<()> {
        if self.depth >= MAX_FILTER_DEPTH {
            return Err(self.error_here(format!(
                "the {} nests deeper than {MAX_FILTER_DEPTH} levels",
                self.what()
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn skip_ws(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
        self.pos - start
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        &self.src[start..self.pos]
    }

    fn error_at(&self, byte_pos: usize, message: impl std::fmt::Display) -> ScimError {
        let position = self.src[..byte_pos.min(self.src.len())].chars().count();
        let found = match self.src[byte_pos.min(self.src.len())..]
            .chars()
            .take(12)
            .collect::<String>()
        {
            s if s.is_empty() => "end of input".to_owned(),
            s => format!("'{s}'"),
        };
        let detail = format!("{message} at position {position} (found {found})");
        match self.mode {
            Mode::Filter => ScimError::invalid_filter(format!("invalid filter: {detail}")),
            Mode::Path => {
                ScimError::invalid_path(format!("invalid path \"{}\": {detail}", self.src))
            }
        }
    }

    fn error_here(&self, message: impl std::fmt::Display) -> ScimError {
        self.error_at(self.pos, message)
    }

    fn expect(&mut self, c: char) -> Result<()> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.error_here(format!("expected '{c}'")))
        }
    }

    /// Whether a case-insensitive keyword starts here, followed by whitespace or `(`.
    fn at_keyword(&self, kw: &str) -> bool {
        let rest = self.rest();
        rest.len() >= kw.len()
            && rest.is_char_boundary(kw.len())
            && rest[..kw.len()].eq_ignore_ascii_case(kw)
            && (rest.len() == kw.len()
                || rest[kw.len()..].starts_with(|c: char| c.is_whitespace() || c == '('))
    }

    fn parse_or(&mut self) -> Result<Filter> {
        let mut left = self.parse_and()?;
        loop {
            let save = self.pos;
            if self.skip_ws() > 0 && self.at_keyword("or") {
                self.pos += 2;
                let right = self.parse_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                self.pos = save;
                return Ok(left);
            }
        }
    }

    fn parse_and(&mut self) -> Result<Filter> {
        let mut left = self.parse_unary()?;
        loop {
            let save = self.pos;
            if self.skip_ws() > 0 && self.at_keyword("and") {
                self.pos += 3;
                let right = self.parse_unary()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                self.pos = save;
                return Ok(left);
            }
        }
    }

    fn parse_unary(&mut self) -> Result<Filter> {
        self.skip_ws();
        if self.peek() == Some('(') {
            self.descend()?;
            self.bump();
            let inner = self.parse_or()?;
            self.skip_ws();
            self.expect(')')?;
            self.depth -= 1;
            return Ok(inner);
        }
        if self.at_keyword("not") {
            let save = self.pos;
            self.pos += 3;
            self.skip_ws();
            if self.peek() == Some('(') {
                self.descend()?;
                self.bump();
                let inner = self.parse_or()?;
                self.skip_ws();
                self.expect(')')?;
                self.depth -= 1;
                return Ok(Filter::Not(Box::new(inner)));
            }
            self.pos = save;
        }
        self.parse_attr_expr()
    }

    fn parse_attr_path(&mut self) -> Result<AttrPath> {
        let start = self.pos;
        let token = self.take_while(is_path_char);
        if token.is_empty() {
            return Err(self.error_here("expected an attribute path"));
        }
        let (uri, rest) = if token.len() > 4 && token[..4].eq_ignore_ascii_case("urn:") {
            match token.rfind(':') {
                Some(i) if i > 4 && i + 1 < token.len() => (Some(&token[..i]), &token[i + 1..]),
                _ => {
                    return Err(
                        self.error_at(start, "expected an attribute name after the schema URN")
                    );
                }
            }
        } else {
            (None, token)
        };
        let (name, sub) = match rest.split_once('.') {
            Some((name, sub)) => (name, Some(sub)),
            None => (rest, None),
        };
        check_attr_name(name).map_err(|m| self.error_at(start, m))?;
        if let Some(sub) = sub {
            check_attr_name(sub).map_err(|m| self.error_at(start, m))?;
        }
        Ok(AttrPath {
            uri: uri.map(str::to_owned),
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    fn parse_attr_expr(&mut self) -> Result<Filter> {
        let start = self.pos;
        let path = self.parse_attr_path()?;
        self.comparisons += 1;
        if self.comparisons > MAX_FILTER_COMPARISONS {
            return Err(self.error_at(
                start,
                format!(
                    "the {} has more than {MAX_FILTER_COMPARISONS} comparisons",
                    self.what()
                ),
            ));
        }
        if self.peek() == Some('[') {
            if self.in_value_filter {
                return Err(self.error_here("value filters cannot be nested"));
            }
            if path.sub.is_some() {
                return Err(
                    self.error_here("a value filter must follow an attribute, not a sub-attribute")
                );
            }
            self.descend()?;
            self.bump();
            self.in_value_filter = true;
            let inner = self.parse_or()?;
            self.in_value_filter = false;
            self.skip_ws();
            self.expect(']')?;
            self.depth -= 1;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(inner),
            });
        }
        if self.skip_ws() == 0 {
            return Err(
                self.error_here("expected a space and an operator after the attribute path")
            );
        }
        let op_start = self.pos;
        let op = self
            .take_while(|c| c.is_ascii_alphabetic())
            .to_ascii_lowercase();
        let op = match op.as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            "" => return Err(self.error_at(op_start, "expected an operator")),
            other => return Err(self.error_at(op_start, format!("unknown operator '{other}'"))),
        };
        if self.skip_ws() == 0 {
            return Err(self.error_here(format!("expected a space and a value after '{op}'")));
        }
        let value = self.parse_value()?;
        Ok(Filter::Compare { path, op, value })
    }

    fn parse_value(&mut self) -> Result<CompValue> {
        let start = self.pos;
        match self.peek() {
            Some('"') => {
                self.bump();
                loop {
                    match self.peek() {
                        None => return Err(self.error_at(start, "unterminated string")),
                        Some('\\') => {
                            self.bump();
                            self.bump();
                        }
                        Some('"') => {
                            self.bump();
                            break;
                        }
                        Some(_) => self.bump(),
                    }
                }
                serde_json::from_str::<String>(&self.src[start..self.pos])
                    .map(CompValue::Str)
                    .map_err(|_| self.error_at(start, "invalid escape in string"))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let text = self
                    .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
                serde_json::from_str::<serde_json::Number>(text)
                    .map(CompValue::Num)
                    .map_err(|_| self.error_at(start, format!("'{text}' is not a number")))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let word = self.take_while(|c| c.is_ascii_alphanumeric());
                match word.to_ascii_lowercase().as_str() {
                    "true" => Ok(CompValue::Bool(true)),
                    "false" => Ok(CompValue::Bool(false)),
                    "null" => Ok(CompValue::Null),
                    _ => Err(self.error_at(
                        start,
                        "expected a value: a quoted string, number, true, false or null",
                    )),
                }
            }
            _ => {
                Err(self
                    .error_here("expected a value: a quoted string, number, true, false or null"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> CompValue {
        CompValue::Str(v.to_owned())
    }

    #[test]
    fn simple_eq() {
        assert_eq!(
            parse_filter(r#"userName eq "bjensen""#).unwrap(),
            Filter::Compare {
                path: AttrPath::new("userName"),
                op: CompareOp::Eq,
                value: s("bjensen")
            }
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let f = parse_filter(r#"a eq "1" or b eq "2" and c eq "3""#).unwrap();
        let Filter::Or(left, right) = f else {
            panic!("expected or at the top: {f:?}")
        };
        assert!(matches!(*left, Filter::Compare { .. }));
        assert!(matches!(*right, Filter::And(..)));
    }

    #[test]
    fn error_position_points_at_operator() {
        let err = parse_filter(r#"userName eqq "x""#).unwrap_err();
        assert_eq!(
            err.detail,
            "invalid filter: unknown operator 'eqq' at position 9 (found 'eqq \"x\"')"
        );
    }

    #[test]
    fn urn_prefix_splits_at_last_colon() {
        let path = parse_patch_path(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        )
        .unwrap()
        .attr;
        assert_eq!(
            path.uri.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(path.name, "manager");
        assert_eq!(path.sub.as_deref(), Some("value"));
    }
}
