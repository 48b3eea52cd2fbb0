//! The rules every command applies to its arguments and flags, in cobra's
//! and Kosli's words: positional-argument counts, `key=value` values, and
//! flags that exclude each other.

use anyhow::bail;

/// Cobra's `ExactArgs(1)`.
pub fn exactly_one(mut args: Vec<String>) -> anyhow::Result<String> {
    if args.len() != 1 {
        bail!("accepts 1 arg(s), received {}", args.len());
    }
    Ok(args.remove(0))
}

/// The attest commands' own at-most-one check.
pub fn at_most_one(args: &[String]) -> anyhow::Result<Option<String>> {
    if args.len() > 1 {
        bail!("{}", too_many(args));
    }
    Ok(args.first().cloned())
}

/// The attest commands' complaint about more than one argument, naming them.
pub fn too_many(args: &[impl AsRef<str>]) -> String {
    let words: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    format!(
        "accepts at most 1 arg(s), received {} [{}]{}",
        words.len(),
        words.join(" "),
        bool_hint(&words)
    )
}

/// A pointer to the boolean-flag FAQ when a stray `true`/`false` argument
/// shows a boolean flag was given its value after a space.
pub fn bool_hint(args: &[impl AsRef<str>]) -> &'static str {
    if args.iter().any(|a| matches!(a.as_ref(), "true" | "false")) {
        "\nSee https://docs.kosli.com/faq/#boolean-flags"
    } else {
        ""
    }
}

/// Parses a `key=value` flag value.
pub fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(format!("{text} must be formatted as key=value")),
    }
}

/// Kosli's `only one of --a, --b is allowed` for each group with two flags set.
pub fn only_one(groups: &[&[(&str, bool)]]) -> anyhow::Result<()> {
    for group in groups {
        if group.iter().filter(|(_, set)| *set).count() > 1 {
            let names: Vec<String> = group.iter().map(|(n, _)| format!("--{n}")).collect();
            bail!("only one of {} is allowed", names.join(", "));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn positional_counts_use_cobra_wording() {
        assert_eq!(exactly_one(strings(&["a"])).unwrap(), "a");
        assert_eq!(
            exactly_one(vec![]).unwrap_err().to_string(),
            "accepts 1 arg(s), received 0"
        );
        assert_eq!(at_most_one(&[]).unwrap(), None);
        let err = at_most_one(&strings(&["foo", "bar"]))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "accepts at most 1 arg(s), received 2 [foo bar]");
        let err = at_most_one(&strings(&["foo", "false"]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "accepts at most 1 arg(s), received 2 [foo false]\nSee https://docs.kosli.com/faq/#boolean-flags"
        );
    }

    #[test]
    fn flags_that_exclude_each_other_are_named() {
        assert!(only_one(&[&[("a", true), ("b", false)]]).is_ok());
        assert_eq!(
            only_one(&[&[("a", true), ("b", true)]])
                .unwrap_err()
                .to_string(),
            "only one of --a, --b is allowed"
        );
        assert_eq!(key_value("k=v=w").unwrap(), ("k".into(), "v=w".into()));
        assert_eq!(
            key_value("novalue").unwrap_err(),
            "novalue must be formatted as key=value"
        );
    }
}
