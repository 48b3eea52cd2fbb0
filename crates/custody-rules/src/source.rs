//! Checks on a jq expression's text before any parser sees it: its size and
//! how deeply its brackets, string interpolations and `if … end` blocks nest.
//! They turn what would exhaust a parser's stack into a clear refusal, at the
//! moment a type is created.

/// The longest jq expression accepted, in bytes.
pub const MAX_RULE_BYTES: usize = 4096;

/// The deepest nesting of brackets, interpolations and `if` blocks accepted.
pub const MAX_RULE_NESTING: usize = 32;

/// What opened the innermost unclosed construct.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    Paren,
    Bracket,
    Brace,
    /// `\(` inside a string: its `)` goes back into the string.
    Interpolation,
    If,
}

/// Checks size and nesting; the error says which limit was passed and where.
pub fn check(code: &str) -> Result<(), String> {
    if code.len() > MAX_RULE_BYTES {
        return Err(format!(
            "it is {} bytes long; the limit is {MAX_RULE_BYTES}",
            code.len()
        ));
    }
    let mut open: Vec<Open> = Vec::new();
    let mut in_string = false;
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' if bytes.get(i + 1) == Some(&b'(') => {
                    push(&mut open, Open::Interpolation, i)?;
                    in_string = false;
                    i += 1;
                }
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => push(&mut open, Open::Paren, i)?,
            b'[' => push(&mut open, Open::Bracket, i)?,
            b'{' => push(&mut open, Open::Brace, i)?,
            b')' | b']' | b'}' if open.pop() == Some(Open::Interpolation) => in_string = true,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let preceded_by_sigil = start > 0 && matches!(bytes[start - 1], b'$' | b'.' | b'@');
                match &code[start..i] {
                    "if" if !preceded_by_sigil => push(&mut open, Open::If, start)?,
                    "end" if !preceded_by_sigil && open.last() == Some(&Open::If) => {
                        open.pop();
                    }
                    _ => {}
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn push(open: &mut Vec<Open>, what: Open, at: usize) -> Result<(), String> {
    open.push(what);
    if open.len() > MAX_RULE_NESTING {
        return Err(format!(
            "it nests more than {MAX_RULE_NESTING} levels deep (at byte {at})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_rules_pass() {
        for rule in [
            ".coverage >= 80",
            "[.tests[] | select(.failed)] | length == 0",
            r#""\(.a) and \("x\(.b)")" | length > 0"#,
            "if .a then (if .b then 1 else 2 end) else 3 end == 1",
            "# a comment ((((\n.x",
            "{a: [1, {b: 2}]} | .a[1].b == 2",
        ] {
            assert_eq!(check(rule), Ok(()), "{rule}");
        }
    }

    #[test]
    fn deep_or_long_rules_are_refused_with_the_limit() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let err = check(&deep).unwrap_err();
        assert!(err.contains("4096"), "{err}");
        let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        assert!(check(&deep).unwrap_err().contains("nests more than 32"));
        let ifs = "if true then ".repeat(40) + "1" + &" else 0 end".repeat(40);
        assert!(check(&ifs).unwrap_err().contains("nests more than 32"));
        let interpolated = "\"\\(".repeat(40) + "1" + &")\"".repeat(40);
        assert!(check(&interpolated).unwrap_err().contains("nests"));
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let text = format!("\"{}\" | length > 0", "(".repeat(100));
        assert_eq!(check(&text), Ok(()));
        let comment = format!("# {}\ntrue", "[".repeat(100));
        assert_eq!(check(&comment), Ok(()));
        assert_eq!(check(".if_ok and .end_x and $__loc__.file == null"), Ok(()));
    }
}
