//! AWS Signature Version 4: the canonical request, the string to sign, the
//! derived signing key and the `Authorization` header value, as the AWS
//! documentation defines them. Headers are signed as given (names lower-case).

use hmac::{Hmac, KeyInit, Mac};
use reqwest::Url;
use sha2::{Digest, Sha256};

/// The secret parts of AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub key_id: String,
    pub secret: String,
    pub session_token: Option<String>,
}

/// What one request signature covers.
pub struct Signing<'a> {
    pub region: &'a str,
    pub service: &'a str,
    /// `YYYYMMDDTHHMMSSZ`, also sent as `x-amz-date`.
    pub amz_date: &'a str,
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Lower-case hex SHA-256 of a payload.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// AWS URI encoding: unreserved characters stay, everything else is `%XX`.
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn canonical_query(url: &Url) -> String {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (uri_encode(&k, false), uri_encode(&v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `Authorization` header value for a request with these headers
/// (`(lower-case name, value)`, including `host` and `x-amz-date`).
pub fn authorization(
    creds: &Credentials,
    signing: &Signing,
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    payload_hash: &str,
) -> String {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        url.path(),
        canonical_query(url)
    );
    let date = &signing.amz_date[..8];
    let scope = format!("{date}/{}/{}/aws4_request", signing.region, signing.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        signing.amz_date,
        sha256_hex(canonical_request.as_bytes())
    );
    let key = [date, signing.region, signing.service, "aws4_request"]
        .iter()
        .fold(format!("AWS4{}", creds.secret).into_bytes(), |key, part| {
            hmac(&key, part)
        });
    let signature = hex::encode(hmac(&key, &string_to_sign));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.key_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `get-vanilla` case of the AWS SigV4 test suite.
    #[test]
    fn get_vanilla() {
        let creds = Credentials {
            key_id: "AKIDEXAMPLE".into(),
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let signing = Signing {
            region: "us-east-1",
            service: "service",
            amz_date: "20150830T123600Z",
        };
        let url = Url::parse("https://example.amazonaws.com/").unwrap();
        let headers = [
            ("Host".to_string(), "example.amazonaws.com".to_string()),
            ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
        ];
        let auth = authorization(&creds, &signing, "GET", &url, &headers, &sha256_hex(b""));
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn query_is_sorted_and_encoded() {
        let url = Url::parse("https://h/?b=2&a=x%20y&list-type=2").unwrap();
        assert_eq!(canonical_query(&url), "a=x%20y&b=2&list-type=2");
        assert_eq!(uri_encode("a b/c~", true), "a%20b/c~");
    }
}
