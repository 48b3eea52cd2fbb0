//! The digest a write's retries must match: method, path and query, content
//! type and body, with any multipart boundary taken out (clients choose a new
//! boundary for every send, also for a retry). The first request's body is
//! digested as its handler reads it, and what the handler leaves unread is
//! read through afterwards, so the digest always covers the whole body.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use futures::{Stream, StreamExt};
use memchr::memmem::Finder;
use sha2::{Digest, Sha256};

use crate::body::too_large_than;
use crate::error::ApiError;

/// A digest of what the request asks for, taken as its body streams by:
/// method, path and query, and the body with any multipart boundary taken out
/// (clients choose a new boundary for every send, also for a retry).
pub(super) struct RequestHash {
    hash: Sha256,
    /// The boundary, when the body is multipart.
    boundary: Option<Finder<'static>>,
    /// The body's last bytes, which may begin a boundary the next chunk ends.
    tail: Vec<u8>,
}

impl RequestHash {
    pub(super) fn new(request: &Request) -> RequestHash {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let boundary = content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"'))
            .find(|b| !b.is_empty())
            .map(|b| Finder::new(b.as_bytes()).into_owned());
        let mut hash = Sha256::new();
        hash.update(request.method().as_str());
        hash.update(b"\n");
        hash.update(request.uri().to_string());
        hash.update(b"\n");
        hash.update(content_type.split(';').next().unwrap_or("").trim());
        hash.update(b"\n");
        RequestHash {
            hash,
            boundary,
            tail: Vec::new(),
        }
    }

    fn update(&mut self, chunk: &[u8]) {
        let Some(boundary) = &self.boundary else {
            self.hash.update(chunk);
            return;
        };
        self.tail.extend_from_slice(chunk);
        let mut rest = &self.tail[..];
        while let Some(at) = boundary.find(rest) {
            self.hash.update(&rest[..at]);
            rest = &rest[at + boundary.needle().len()..];
        }
        let keep = rest.len().min(boundary.needle().len() - 1);
        self.hash.update(&rest[..rest.len() - keep]);
        self.tail = rest[rest.len() - keep..].to_vec();
    }

    fn finish(mut self) -> String {
        self.hash.update(&self.tail);
        hex::encode(self.hash.finalize())
    }

    /// The digest of a whole body, read through and not kept, at most `limit` bytes.
    pub(super) async fn read_through(mut self, body: Body, limit: u64) -> Result<String, ApiError> {
        let mut body = body.into_data_stream();
        let mut total = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::bad(format!("failed to read the request body: {e}")))?;
            total += chunk.len() as u64;
            if total > limit {
                return Err(too_large_than(limit));
            }
            self.update(&chunk);
        }
        Ok(self.finish())
    }

    /// `body` passing through this digest as its reader takes it, and the
    /// digest to [`Passed::finish`] once the reader is done with it.
    pub(super) fn passing(self, body: Body) -> (Body, Passed) {
        let shared = Arc::new(Mutex::new(Shared {
            hash: Some(self),
            rest: None,
        }));
        let stream = Passing {
            inner: Some(body.into_data_stream()),
            shared: shared.clone(),
        };
        (Body::from_stream(stream), Passed(shared))
    }
}

/// What a passing body and its digest share.
struct Shared {
    hash: Option<RequestHash>,
    /// What the reader left unread when it dropped the body.
    rest: Option<BodyDataStream>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A body on its way to the handler, digested as it is read.
struct Passing {
    inner: Option<BodyDataStream>,
    shared: Arc<Mutex<Shared>>,
}

impl Stream for Passing {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let next = Pin::new(inner).poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(hash) = lock(&self.shared).hash.as_mut() {
                    hash.update(chunk);
                }
            }
            Poll::Ready(None) => self.inner = None,
            Poll::Ready(Some(Err(_))) => lock(&self.shared).hash = None,
            Poll::Pending => {}
        }
        next
    }
}

impl Drop for Passing {
    /// Hands what the reader left unread back to the digest.
    fn drop(&mut self) {
        if let Some(rest) = self.inner.take() {
            lock(&self.shared).rest = Some(rest);
        }
    }
}

/// The digest of a body that went to a handler.
pub(super) struct Passed(Arc<Mutex<Shared>>);

impl Passed {
    /// The digest of the whole body: what the handler read, then what it left
    /// (read through here, at most `limit` bytes). `None` when the body
    /// failed, is too long, or is still held (a task the handler started).
    pub(super) async fn finish(self, limit: u64) -> Option<String> {
        let (hash, rest) = {
            let mut shared = lock(&self.0);
            (shared.hash.take()?, shared.rest.take())
        };
        if Arc::strong_count(&self.0) > 1 {
            return None;
        }
        match rest {
            None => Some(hash.finish()),
            Some(rest) => hash.read_through(Body::from_stream(rest), limit).await.ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    use super::*;

    fn request(content_type: &str) -> Request {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v2/artifacts/acme/app")
            .header(CONTENT_TYPE, content_type)
            .body(Body::empty())
            .unwrap()
    }

    /// The hash of `body` streamed in chunks of `chunk` bytes.
    fn request_hash(request: &Request, body: &[u8], chunk: usize) -> String {
        let mut hash = RequestHash::new(request);
        for piece in body.chunks(chunk) {
            hash.update(piece);
        }
        hash.finish()
    }

    #[test]
    fn multipart_boundaries_do_not_change_the_hash() {
        let a = request("multipart/form-data; boundary=aaa111");
        let b = request("multipart/form-data; boundary=bbb222");
        let of_a = b"--aaa111\r\nx\r\n--aaa111--";
        let of_b = b"--bbb222\r\nx\r\n--bbb222--";
        let whole = request_hash(&a, of_a, of_a.len());
        assert_eq!(whole, request_hash(&b, of_b, of_b.len()));
        for chunk in 1..of_a.len() {
            assert_eq!(request_hash(&a, of_a, chunk), whole, "chunks of {chunk}");
        }
        assert_ne!(whole, request_hash(&b, b"--bbb222\r\ny\r\n--bbb222--", 4));
        let json = request("application/json");
        assert_ne!(request_hash(&json, b"{}", 1), request_hash(&json, b"[]", 1));
    }

    #[test]
    fn a_split_boundary_is_still_taken_out_but_lookalikes_stay() {
        let a = request("multipart/form-data; boundary=abcabd");
        let b = request("multipart/form-data; boundary=zzzzzz");
        let body_a = b"abcabcabdxabcab";
        let body_b = b"abczzzzzzxabcab";
        for chunk in 1..=body_a.len() {
            assert_eq!(
                request_hash(&a, body_a, chunk),
                request_hash(&b, body_b, chunk),
                "chunks of {chunk}"
            );
        }
    }

    /// A body of `bytes` in chunks of `chunk`.
    fn body_of(bytes: &[u8], chunk: usize) -> Body {
        let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
            .chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Body::from_stream(futures::stream::iter(chunks))
    }

    #[tokio::test]
    async fn a_passing_body_is_digested_whole_however_much_the_reader_takes() {
        let json = request("application/json");
        let bytes = vec![b'x'; 100_000];
        let whole = request_hash(&json, &bytes, 7);
        let read_through = RequestHash::new(&json).read_through(body_of(&bytes, 999), u64::MAX);
        assert_eq!(read_through.await.unwrap(), whole);

        let (body, passed) = RequestHash::new(&json).passing(body_of(&bytes, 4096));
        let read = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(read.len(), bytes.len(), "the reader gets every byte");
        assert_eq!(
            passed.finish(u64::MAX).await.as_deref(),
            Some(whole.as_str())
        );

        let (body, passed) = RequestHash::new(&json).passing(body_of(&bytes, 4096));
        let mut stream = body.into_data_stream();
        stream.next().await.unwrap().unwrap();
        drop(stream);
        assert_eq!(
            passed.finish(u64::MAX).await.as_deref(),
            Some(whole.as_str()),
            "what the reader left is read through"
        );

        let (body, passed) = RequestHash::new(&json).passing(body_of(&bytes, 4096));
        drop(body);
        assert_eq!(passed.finish(10).await, None, "past the limit: no digest");
        let (body, passed) = RequestHash::new(&json).passing(body_of(&bytes, 4096));
        assert_eq!(passed.finish(u64::MAX).await, None, "still held: no digest");
        drop(body);
    }

    #[tokio::test]
    async fn a_retry_past_the_limit_is_refused() {
        let json = request("application/json");
        let refused = RequestHash::new(&json)
            .read_through(body_of(&[1; 100], 10), 99)
            .await;
        assert!(matches!(refused, Err(ApiError::TooLarge(_))), "{refused:?}");
    }
}
