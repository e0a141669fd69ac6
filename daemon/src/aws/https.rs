//! One bare HTTPS (or loopback HTTP) GET outside the AWS SDK: the sign-in endpoint's
//! token exchange and doctor's clock check. The system's trusted roots, HTTP/1.1, a
//! deadline, and errors that never repeat the URL (it may carry credentials).

use std::time::Duration;

use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};

/// Why a GET got no answer.
#[derive(Debug, thiserror::Error)]
pub enum GetError {
    #[error("the URL could not be read")]
    BadUrl,
    #[error("no trusted certificates could be loaded: {0}")]
    NoRoots(String),
    #[error("did not answer in time")]
    Timeout,
    #[error("could not be reached ({0})")]
    Unreachable(String),
}

/// `GET url` and the response's status and `Date` header (doctor's clock check), `None`
/// when the header is missing or not text.
pub async fn date_header(
    url: &str,
    user_agent: &str,
    timeout: Duration,
) -> Result<(u16, Option<String>), GetError> {
    let response = get(url, user_agent, timeout).await?;
    let date = response
        .headers()
        .get(hyper::header::DATE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    Ok((response.status().as_u16(), date))
}

/// `GET url` with this user agent, waiting at most `timeout` for the response head.
pub async fn get(
    url: &str,
    user_agent: &str,
    timeout: Duration,
) -> Result<hyper::Response<Incoming>, GetError> {
    let uri: hyper::Uri = url.parse().map_err(|_| GetError::BadUrl)?;
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| GetError::NoRoots(e.to_string()))?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Empty<Bytes>>(connector);
    let request = hyper::Request::get(uri)
        .header(hyper::header::USER_AGENT, user_agent)
        .body(Empty::new())
        .map_err(|_| GetError::BadUrl)?;
    tokio::time::timeout(timeout, client.request(request))
        .await
        .map_err(|_| GetError::Timeout)?
        .map_err(|e| GetError::Unreachable(error_chain(&e)))
}

/// An error and its causes, one after the other.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
