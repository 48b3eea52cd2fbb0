//! The policy condition language written inside `${{ … }}`: literals, the
//! contexts `flow.name`, `flow.tags.<key>`, `artifact.name`,
//! `artifact.fingerprint`, comparisons, `and`/`or`/`not`, `in [..]`, and the
//! functions `exists(x)` and `matches(x, "regex")`. Parsing checks everything
//! that can be checked before evaluation, including the regexes, and refuses
//! expressions nested more than [`MAX_DEPTH`] levels deep; chains of `and` and
//! `or` are flat lists, so neither parsing nor evaluation nor dropping an
//! expression ever recurses deeper than that, whatever its length.

pub use super::lexer::ParseError;
use super::lexer::{Tok, Token, lex};

/// The deepest nesting of parentheses, `not`, `exists(…)` and `matches(…)`.
pub const MAX_DEPTH: usize = 32;

/// Where a context value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Context {
    FlowName,
    FlowTag(String),
    ArtifactName,
    ArtifactFingerprint,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Num(f64),
    Bool(bool),
    Ctx(Context),
    Not(Box<Expr>),
    /// Two or more terms, all of which must hold.
    And(Vec<Expr>),
    /// Two or more terms, one of which must hold.
    Or(Vec<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    Exists(Box<Expr>),
    Matches(Box<Expr>, Pattern),
}

/// A compiled regex, equal to another with the same source.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// Removes an optional `${{ … }}` wrapper.
pub fn unwrap(text: &str) -> &str {
    let t = text.trim();
    t.strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
        .map_or(t, str::trim)
}

impl Expr {
    /// Parses an expression, with or without its `${{ … }}` wrapper.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        let body = unwrap(text);
        let mut p = Parser {
            tokens: lex(body)?,
            pos: 0,
            end: body.len(),
            depth: 0,
        };
        let e = p.or()?;
        match p.tokens.get(p.pos) {
            None => Ok(e),
            Some(t) => Err(ParseError::new(
                t.at,
                "unexpected token after the expression",
            )),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end: usize,
    /// How many nested constructs enclose the current position.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.at)
    }

    fn word(&mut self, w: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Ident(i)) if i == w);
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(ParseError::new(self.at(), format!("expected {what}")))
        }
    }

    /// Parses `inner` one level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::new(
                self.at(),
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.and()?];
        while self.word("or") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.not()?];
        while self.word("and") {
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.word("not") {
            return self.nested(|p| Ok(Expr::Not(Box::new(p.not()?))));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let left = self.primary()?;
        if let Some(Tok::Op(op)) = self.peek() {
            let op = match *op {
                "==" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                ">" => CmpOp::Gt,
                "<=" => CmpOp::Le,
                _ => CmpOp::Ge,
            };
            self.pos += 1;
            return Ok(Expr::Cmp(op, Box::new(left), Box::new(self.primary()?)));
        }
        if self.word("in") {
            self.expect(Tok::LBracket, "'[' after 'in'")?;
            let mut items = Vec::new();
            while self.peek() != Some(&Tok::RBracket) {
                items.push(self.primary()?);
                if self.peek() != Some(&Tok::RBracket) {
                    self.expect(Tok::Comma, "',' or ']' in the list")?;
                }
            }
            self.pos += 1;
            return Ok(Expr::In(Box::new(left), items));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let at = self.at();
        let Some(tok) = self.peek().cloned() else {
            return Err(ParseError::new(at, "unexpected end of expression"));
        };
        self.pos += 1;
        match tok {
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::LParen => self.nested(|p| {
                let e = p.or()?;
                p.expect(Tok::RParen, "')'")?;
                Ok(e)
            }),
            Tok::Ident(w) if w == "true" || w == "false" => Ok(Expr::Bool(w == "true")),
            Tok::Ident(w) if w == "exists" => self.nested(|p| {
                p.expect(Tok::LParen, "'(' after exists")?;
                let arg = p.or()?;
                p.expect(Tok::RParen, "')'")?;
                Ok(Expr::Exists(Box::new(arg)))
            }),
            Tok::Ident(w) if w == "matches" => self.nested(Self::matches),
            Tok::Ident(w) => context(&w)
                .map(Expr::Ctx)
                .ok_or_else(|| ParseError::new(at, format!("unknown context '{w}'"))),
            _ => Err(ParseError::new(at, "expected a value")),
        }
    }

    /// `matches(input, "regex")`, after the word `matches`.
    fn matches(&mut self) -> Result<Expr, ParseError> {
        self.expect(Tok::LParen, "'(' after matches")?;
        let arg = self.or()?;
        self.expect(Tok::Comma, "',' in matches(input, regex)")?;
        let at = self.at();
        let Some(Tok::Str(pattern)) = self.peek().cloned() else {
            return Err(ParseError::new(at, "matches() needs a string regex"));
        };
        self.pos += 1;
        let re = regex::Regex::new(&pattern)
            .map_err(|e| ParseError::new(at, format!("invalid regex: {e}")))?;
        self.expect(Tok::RParen, "')'")?;
        Ok(Expr::Matches(Box::new(arg), Pattern(re)))
    }
}

fn context(path: &str) -> Option<Context> {
    match path {
        "flow.name" => Some(Context::FlowName),
        "artifact.name" => Some(Context::ArtifactName),
        "artifact.fingerprint" => Some(Context::ArtifactFingerprint),
        _ => path
            .strip_prefix("flow.tags.")
            .filter(|k| !k.is_empty())
            .map(|k| Context::FlowTag(k.to_string())),
    }
}
