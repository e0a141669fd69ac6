//! The time according to AWS: the `Date` header of an answer from the STS endpoint a
//! profile uses (or from its endpoint override, such as the local stand-in). Nothing is
//! signed or sent but a bare `GET /`.

use std::time::{Duration, SystemTime};

/// How long the endpoint may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Which URL to ask: the profile's endpoint override, else `AWS_ENDPOINT_URL`, else the
/// region's STS endpoint.
pub fn endpoint(
    profile_endpoint: Option<&str>,
    env_endpoint: Option<&str>,
    region: &str,
) -> String {
    [profile_endpoint, env_endpoint]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|e| !e.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com/"))
}

/// Read an HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_date(value: &str) -> Result<SystemTime, String> {
    httpdate::parse_http_date(value.trim()).map_err(|e| format!("unreadable Date {value:?}: {e}"))
}

/// `GET url` and the time in its `Date` header.
pub async fn server_time(url: &str) -> Result<SystemTime, String> {
    let user_agent = concat!("switchyard-doctor/", env!("CARGO_PKG_VERSION"));
    let (status, date) = crate::aws::https::date_header(url, user_agent, TIMEOUT)
        .await
        .map_err(|e| match e {
            crate::aws::https::GetError::BadUrl => format!("{url} is not a URL"),
            other => other.to_string(),
        })?;
    let date = date.ok_or_else(|| format!("no Date header (HTTP {status})"))?;
    parse_date(&date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_override_else_sts() {
        assert_eq!(
            endpoint(Some("http://127.0.0.1:5000"), Some("http://x"), "eu-west-1"),
            "http://127.0.0.1:5000"
        );
        assert_eq!(endpoint(None, Some("http://x"), "eu-west-1"), "http://x");
        assert_eq!(
            endpoint(None, None, "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint(Some(" "), None, "us-east-1"),
            "https://sts.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint(Some(""), Some("http://x"), "us-east-1"),
            "http://x"
        );
    }

    #[test]
    fn dates_are_read_or_refused() {
        let t = parse_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            784_111_777
        );
        assert!(parse_date("yesterday").is_err());
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_an_error_not_a_hang() {
        let err = server_time("http://127.0.0.1:9/").await.unwrap_err();
        assert!(err.contains("could not be reached"), "{err}");
        assert!(server_time("not a url").await.is_err());
    }
}
