//! Multipart bodies: any bytes under a multipart content type are read into
//! parts, or refused with a message, by the server's own form extractor; the
//! parts then read as JSON and text the way the routes read them.
#![no_main]

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use custody_server::body::Form;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let request = Request::builder()
            .method("POST")
            .uri("/api/v2/attestations/acme/app/trail/t1/generic")
            .header("content-type", "multipart/form-data; boundary=X-BOUNDARY")
            .body(Body::from(data.to_vec()))
            .expect("a request");
        if let Ok(form) = Form::from_request(request, &()).await {
            let _ = form.json::<serde_json::Value>("data_json");
            let _ = form.text("template_file");
            let _ = form.attachment();
        }
    });
});
