//! Tokens of the policy condition language: string and number literals,
//! identifiers (dotted context paths and keywords), comparison operators and
//! punctuation, each with its byte offset for error messages.

/// A parse error with the byte offset (within the bare expression) it concerns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("at position {at}: {message}")]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(at: usize, message: impl Into<String>) -> Self {
        ParseError {
            at,
            message: message.into(),
        }
    }
}

/// One token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Str(String),
    Num(f64),
    /// A word or a dotted path such as `flow.tags.kind`.
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

const OPS: [&str; 6] = ["==", "!=", "<=", ">=", "<", ">"];

/// Splits an expression into tokens.
pub fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let at = i;
        let simple = match c {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b',' => Some(Tok::Comma),
            _ => None,
        };
        if c.is_ascii_whitespace() {
            i += 1;
        } else if let Some(kind) = simple {
            tokens.push(Token { kind, at });
            i += 1;
        } else if let Some(op) = OPS.iter().find(|op| text[i..].starts_with(**op)) {
            tokens.push(Token {
                kind: Tok::Op(op),
                at,
            });
            i += op.len();
        } else if c == b'"' || c == b'\'' {
            let (s, next) = string(text, i)?;
            tokens.push(Token {
                kind: Tok::Str(s),
                at,
            });
            i = next;
        } else if c.is_ascii_digit()
            || (c == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let n = text[at..i]
                .parse()
                .map_err(|_| ParseError::new(at, format!("invalid number '{}'", &text[at..i])))?;
            tokens.push(Token {
                kind: Tok::Num(n),
                at,
            });
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b'.'))
            {
                i += 1;
            }
            tokens.push(Token {
                kind: Tok::Ident(text[at..i].to_string()),
                at,
            });
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return Err(ParseError::new(at, format!("unexpected character '{ch}'")));
        }
    }
    Ok(tokens)
}

/// A quoted string starting at `start`; backslash escapes the next character.
fn string(text: &str, start: usize) -> Result<(String, usize), ParseError> {
    let quote = text.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((off, ch)) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, esc)) => out.push(esc),
                None => break,
            },
            c if c == quote => return Ok((out, start + 1 + off + 1)),
            c => out.push(c),
        }
    }
    Err(ParseError::new(start, "unterminated string"))
}
