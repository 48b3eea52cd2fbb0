//! Printing a policy condition back as text that parses to the same
//! expression, with only the parentheses its structure needs: a condition
//! that was within the nesting limit when parsed stays within it when printed.

use std::fmt;

use super::expr::{Context, Expr};

/// How tightly an expression binds, loosest first: a term printed where a
/// tighter one is expected gets parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Or,
    And,
    Not,
    Comparison,
    Primary,
}

fn level(e: &Expr) -> Level {
    match e {
        Expr::Or(_) => Level::Or,
        Expr::And(_) => Level::And,
        Expr::Not(_) => Level::Not,
        Expr::Cmp(..) | Expr::In(..) => Level::Comparison,
        _ => Level::Primary,
    }
}

/// Prints `e` where the grammar expects at least `needed`.
fn term(f: &mut fmt::Formatter<'_>, e: &Expr, needed: Level) -> fmt::Result {
    if level(e) < needed {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

fn quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    write!(f, "\"{escaped}\"")
}

fn chain(f: &mut fmt::Formatter<'_>, terms: &[Expr], op: &str, needed: Level) -> fmt::Result {
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            f.write_str(op)?;
        }
        term(f, t, needed)?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Str(s) => quoted(f, s),
            Expr::Num(n) => write!(f, "{n}"),
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Ctx(Context::FlowName) => f.write_str("flow.name"),
            Expr::Ctx(Context::FlowTag(k)) => write!(f, "flow.tags.{k}"),
            Expr::Ctx(Context::ArtifactName) => f.write_str("artifact.name"),
            Expr::Ctx(Context::ArtifactFingerprint) => f.write_str("artifact.fingerprint"),
            Expr::Not(e) => {
                f.write_str("not ")?;
                term(f, e, Level::Not)
            }
            // A chain inside a chain of the same kind keeps its parentheses,
            // so `(a and b) and c` stays two chains.
            Expr::And(terms) => chain(f, terms, " and ", Level::Not),
            Expr::Or(terms) => chain(f, terms, " or ", Level::And),
            Expr::Cmp(op, a, b) => {
                let op = ["==", "!=", "<", ">", "<=", ">="][*op as usize];
                term(f, a, Level::Primary)?;
                write!(f, " {op} ")?;
                term(f, b, Level::Primary)
            }
            Expr::In(a, items) => {
                term(f, a, Level::Primary)?;
                f.write_str(" in [")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    term(f, item, Level::Primary)?;
                }
                f.write_str("]")
            }
            Expr::Exists(e) => write!(f, "exists({e})"),
            Expr::Matches(e, re) => {
                write!(f, "matches({e}, ")?;
                quoted(f, re.0.as_str())?;
                f.write_str(")")
            }
        }
    }
}
