//! The HTTP side of the cloud fakes: a server on a free 127.0.0.1 port that
//! records each request (`METHOD path?query`) and answers it with a function
//! of the fake's base URL and the request.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

/// A running fake: its base URL and the requests it saw.
pub struct Recorded {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

pub fn serve(
    answer: impl Fn(&str, &Method, &Uri, &HeaderMap, &[u8]) -> Response + Clone + Send + Sync + 'static,
) -> Recorded {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<String>>> = Arc::default();
    let (seen, base) = (requests.clone(), url.clone());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    seen.lock().unwrap().push(format!("{method} {uri}"));
                    let response = answer(&base, &method, &uri, &headers, &body);
                    async move { response }
                },
            );
            axum::serve(listener, app).await.expect("serve");
        });
    });
    Recorded { url, requests }
}
