//! Request bodies: JSON and multipart (`data_json` plus file parts), with errors
//! that say what was wrong instead of axum's plain-text rejections. The
//! extractors work with any state that names a [`Spool`] (the unit state
//! spools to the system's temporary directory), so they can be driven on
//! their own (the multipart fuzz target does).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use custody_core::limits;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::evidence::ATTACHMENT_PART;
use crate::spool::{Spool, Spooled};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

fn too_large() -> ApiError {
    too_large_than(MAX_BODY_BYTES as u64)
}

/// The refusal of a body longer than `limit` bytes.
pub fn too_large_than(limit: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "the request body is larger than the server's limit of {} MiB",
        limit.div_ceil(1024 * 1024)
    ))
}

/// Parses JSON with a message that points at the problem; strings holding NUL
/// characters are refused (see [`custody_core::limits`]).
pub fn parse_json<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, ApiError> {
    limits::json_without_nul(&format!("the {what}"), bytes).map_err(ApiError::bad)?;
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad(format!("invalid {what}: {e}")))
}

/// A JSON request body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad(format!("failed to read the request body: {e}"))
            }
        })?;
        parse_json("JSON body", &bytes).map(JsonBody)
    }
}

/// A multipart form: every part's bytes by field name, except an
/// attachment, which is spooled to disk as it arrives (see [`crate::spool`]).
pub struct Form {
    parts: BTreeMap<String, Vec<u8>>,
    attachment: Option<Attachment>,
}

/// The form's `attachment_file` part, on disk.
pub struct Attachment {
    /// The part's `filename`, empty when none was given.
    pub file_name: String,
    pub file: Spooled,
}

impl Form {
    /// The JSON part `name` (`data_json`, or `payload` for policies).
    pub fn json<T: DeserializeOwned>(&self, name: &str) -> Result<T, ApiError> {
        let bytes = self
            .parts
            .get(name)
            .ok_or_else(|| ApiError::bad(format!("the multipart form has no '{name}' part")))?;
        parse_json(&format!("'{name}' part"), bytes)
    }

    /// The attachment, if one was sent.
    pub fn attachment(&self) -> Option<&Attachment> {
        self.attachment.as_ref()
    }

    /// A text file part, if sent: UTF-8 without NUL characters.
    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.parts
            .get(name)
            .map(|b| {
                let text = String::from_utf8(b.clone())
                    .map_err(|_| ApiError::bad(format!("the '{name}' part is not UTF-8 text")))?;
                limits::no_nul(&format!("the '{name}' part"), &text).map_err(ApiError::bad)?;
                Ok(text)
            })
            .transpose()
    }
}

impl<S: Send + Sync> FromRequest<S> for Form
where
    Spool: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let spool = Spool::from_ref(state);
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let boundary = multer::parse_boundary(content_type)
            .map_err(|e| ApiError::bad(format!("expected a multipart/form-data body: {e}")))?;
        let limits = multer::SizeLimit::new().whole_stream(spool.max_request_bytes());
        let mut multipart = multer::Multipart::with_constraints(
            req.into_body().into_data_stream(),
            boundary,
            multer::Constraints::new().size_limit(limits),
        );
        let mut parts = BTreeMap::new();
        let mut attachment = None;
        let mut in_memory = 0usize;
        while let Some(mut field) = multipart.next_field().await.map_err(form_error)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == ATTACHMENT_PART {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let file = spool_part(&spool, &file_name, &mut field).await?;
                attachment = Some(Attachment { file_name, file });
                continue;
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(form_error)? {
                in_memory += chunk.len();
                if in_memory > MAX_BODY_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            parts.insert(name, bytes);
        }
        Ok(Form { parts, attachment })
    }
}

/// Writes an attachment part to a spool file, refusing it (and removing the
/// file) as soon as it passes the evidence limit.
async fn spool_part(
    spool: &Spool,
    file_name: &str,
    field: &mut multer::Field<'_>,
) -> Result<Spooled, ApiError> {
    let unspooled = |e: std::io::Error| ApiError::Internal(format!("cannot spool an upload: {e}"));
    let mut file = spool.file().await.map_err(unspooled)?;
    while let Some(chunk) = field.chunk().await.map_err(form_error)? {
        if file.size() + chunk.len() as u64 > spool.max_attachment_bytes {
            return Err(ApiError::TooLarge(format!(
                "the attachment '{file_name}' is more than this server's evidence limit of {} bytes (custody server --max-evidence-bytes); nothing was stored",
                spool.max_attachment_bytes
            )));
        }
        file.write(&chunk).await.map_err(unspooled)?;
    }
    file.finish().await.map_err(unspooled)
}

fn form_error(e: multer::Error) -> ApiError {
    match e {
        multer::Error::StreamSizeExceeded { limit } => too_large_than(limit),
        other => ApiError::bad(format!("malformed multipart body: {other}")),
    }
}

/// Query parameters, with a JSON error when they do not parse.
pub struct Params<T>(pub T);

/// Query parameters as given, for those that may repeat (`?flow=a&flow=b`).
pub type Pairs = Params<Vec<(String, String)>>;

impl Pairs {
    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value of `key`, if it is given and not empty.
    pub fn last(&self, key: &str) -> Option<String> {
        self.all(key).pop().filter(|v| !v.is_empty())
    }

    /// `tag` filters, each `key`, `key:value` or `key=value` (as tags are shown).
    pub fn tags(&self) -> Vec<(String, Option<String>)> {
        self.all("tag")
            .into_iter()
            .map(|tag| match tag.split_once([':', '=']) {
                Some((key, value)) => (key.to_string(), Some(value.to_string())),
                None => (tag, None),
            })
            .collect()
    }

    /// A `true`/`false` parameter; absent is false.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.last(key).as_deref() {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::bad(format!(
                "{key} '{other}' is not true or false"
            ))),
        }
    }

    /// `sort_direction`: `asc` (the default) or `desc`.
    pub fn descending(&self) -> Result<bool, ApiError> {
        match self.last("sort_direction").as_deref() {
            None | Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            Some(other) => Err(ApiError::bad(format!(
                "sort_direction '{other}' is not valid: use asc or desc"
            ))),
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(t)| Params(t))
            .map_err(|e| ApiError::bad(format!("invalid query parameters: {}", e.body_text())))
    }
}

/// `page` and `per_page` query parameters. They are read from text because
/// flattened query structs hand every value over as a string.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
pub struct Paging {
    #[serde(default, deserialize_with = "number")]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "number")]
    pub per_page: Option<u32>,
}

/// A `true`/`false` query parameter inside a struct with flattened paging.
pub fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    text.map(|t| match t.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "'{other}' is not true or false"
        ))),
    })
    .transpose()
}

/// A text query parameter where an empty value means "not given" (the Kosli CLI
/// always sends `interval=`, empty when the user gave none).
pub fn non_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(text.filter(|t| !t.trim().is_empty()))
}

fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    text.map(|t| {
        t.parse()
            .map_err(|_| serde::de::Error::custom(format!("'{t}' is not a positive whole number")))
    })
    .transpose()
}

impl Paging {
    /// The page asked for, or `None` when neither parameter was sent.
    pub fn requested(self, default_size: u32) -> Result<Option<custody_store::Page>, ApiError> {
        if self.page.is_none() && self.per_page.is_none() {
            return Ok(None);
        }
        self.or_default(default_size).map(Some)
    }

    /// The page asked for, with defaults.
    pub fn or_default(self, default_size: u32) -> Result<custody_store::Page, ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(default_size);
        if page == 0 {
            return Err(ApiError::bad("page numbers start at 1"));
        }
        if !(1..=100).contains(&per_page) {
            return Err(ApiError::bad("per_page must be between 1 and 100"));
        }
        Ok(custody_store::Page { page, per_page })
    }
}
