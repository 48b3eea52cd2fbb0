//! Evaluating condition expressions against the facts of one artifact in one
//! flow. Missing contexts (an absent tag) are `null`: equal only to `null`,
//! false for `exists`, and an error where a string or number is needed.

use std::collections::BTreeMap;

use super::expr::{CmpOp, Context, Expr};

/// What an expression can refer to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub flow_name: Option<String>,
    pub flow_tags: BTreeMap<String, String>,
    pub artifact_name: String,
    pub artifact_fingerprint: String,
}

/// An evaluation failure (a type mismatch).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("expression error: {0}")]
pub struct EvalError(pub String);

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Str(String),
    Num(f64),
    Bool(bool),
}

impl Value {
    fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Str(_) => "string",
            Value::Num(_) => "number",
            Value::Bool(_) => "boolean",
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

impl Facts {
    fn lookup(&self, c: &Context) -> Value {
        let s = match c {
            Context::FlowName => self.flow_name.clone(),
            Context::FlowTag(k) => self.flow_tags.get(k).cloned(),
            Context::ArtifactName => Some(self.artifact_name.clone()),
            Context::ArtifactFingerprint => Some(self.artifact_fingerprint.clone()),
        };
        s.map_or(Value::Null, Value::Str)
    }

    /// Evaluates a condition, which must be boolean.
    pub fn test(&self, e: &Expr) -> Result<bool, EvalError> {
        match self.value(e)? {
            Value::Bool(b) => Ok(b),
            v => Err(EvalError(format!(
                "'{e}' is a {}, not a boolean",
                v.describe()
            ))),
        }
    }

    /// Evaluates any expression.
    pub fn value(&self, e: &Expr) -> Result<Value, EvalError> {
        Ok(match e {
            Expr::Str(s) => Value::Str(s.clone()),
            Expr::Num(n) => Value::Num(*n),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Ctx(c) => self.lookup(c),
            Expr::Not(a) => Value::Bool(!self.test(a)?),
            Expr::And(terms) => {
                for term in terms {
                    if !self.test(term)? {
                        return Ok(Value::Bool(false));
                    }
                }
                Value::Bool(true)
            }
            Expr::Or(terms) => {
                for term in terms {
                    if self.test(term)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Value::Bool(false)
            }
            Expr::Cmp(op, a, b) => Value::Bool(compare(*op, &self.value(a)?, &self.value(b)?)?),
            Expr::In(a, items) => {
                let v = self.value(a)?;
                let mut found = false;
                for item in items {
                    found |= equal(&v, &self.value(item)?);
                }
                Value::Bool(found)
            }
            Expr::Exists(a) => Value::Bool(self.value(a)? != Value::Null),
            Expr::Matches(a, re) => match self.value(a)? {
                Value::Str(s) => Value::Bool(re.0.is_match(&s)),
                Value::Null => Value::Bool(false),
                v => {
                    return Err(EvalError(format!(
                        "matches() needs a string, got a {}",
                        v.describe()
                    )));
                }
            },
        })
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(_), Value::Str(_)) | (Value::Str(_), Value::Num(_)) => {
            a.number().is_some() && a.number() == b.number()
        }
        _ => a == b,
    }
}

fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool, EvalError> {
    match op {
        CmpOp::Eq => return Ok(equal(a, b)),
        CmpOp::Ne => return Ok(!equal(a, b)),
        _ => {}
    }
    let ordering = match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => match (a.number(), b.number()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => {
                return Err(EvalError(format!(
                    "cannot order a {} and a {}",
                    a.describe(),
                    b.describe()
                )));
            }
        },
    };
    Ok(match op {
        CmpOp::Lt => ordering.is_lt(),
        CmpOp::Gt => ordering.is_gt(),
        CmpOp::Le => ordering.is_le(),
        _ => ordering.is_ge(),
    })
}
