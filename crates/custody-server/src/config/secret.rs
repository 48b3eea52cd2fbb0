//! [`DatabaseUrl`]: a database URL that may hold a password, printed and
//! logged only with the password replaced.

use std::fmt;

/// A database URL. `Debug` and `Display` show it with any password as `***`;
/// only [`DatabaseUrl::expose`] gives the real one, to open the connection.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }

    /// The URL itself, password included.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let credentials = &url[scheme + 3..at];
                match credentials.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                    None => url.clone(),
                }
            }
            _ => url.clone(),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl::new("postgres://u:s3cret@db/x");
        assert_eq!(url.to_string(), "postgres://u:***@db/x");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://u:s3cret@db/x");
        let at_in_password = DatabaseUrl::new("postgres://u:p@ss@db/x");
        assert_eq!(at_in_password.to_string(), "postgres://u:***@db/x");
        assert_eq!(
            DatabaseUrl::new("postgres://u@db/x").to_string(),
            "postgres://u@db/x"
        );
        assert_eq!(
            DatabaseUrl::new("sqlite:///tmp/a.db").to_string(),
            "sqlite:///tmp/a.db"
        );
    }
}
