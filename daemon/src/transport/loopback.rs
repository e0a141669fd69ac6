//! The loopback redirect of an IAM Identity Center sign-in (RFC 8252 §7.3): a one-shot
//! HTTP server on `127.0.0.1` that waits for the browser to come back from the authorize
//! page with `code` and `state`.
//!
//! Only an answer carrying this sign-in's state counts: any other request to the port
//! (another page's redirect, a guess) gets a 400 page and the server goes on waiting, so
//! it can neither end nor hijack the sign-in. The wait ends at the deadline.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use switchyard_shared::protocol::sso::{SsoLoginData, SsoLoginParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::sso::{read_callback, SsoError, CALLBACK_PATH};
use tokio::sync::mpsc;

use crate::services::sso::{timed_out, Sso};

/// Answer `sso.login`: start (or join) the sign-in, and for a browser sign-in wait for
/// its redirect in the background; the reply is the page to open.
pub async fn login(sso: &Arc<Sso>, params: SsoLoginParams) -> Result<SsoLoginData, ErrorBody> {
    let loopback = if params.device {
        None
    } else {
        Some(Loopback::bind().await.map_err(|e| {
            ErrorBody::new(
                ErrorCode::Internal,
                format!("no loopback port for the sign-in's redirect: {e}"),
            )
        })?)
    };
    let redirect_uri = loopback.as_ref().map(|l| l.redirect_uri.clone());
    let (data, browser, device) = sso.begin_login(params, redirect_uri).await?;
    if let (Some(wait), Some(loopback)) = (browser, loopback) {
        let sso = Arc::clone(sso);
        tokio::spawn(async move {
            let result = match loopback.wait(wait.state.clone(), wait.deadline).await {
                Callback::Code(code) => Ok(code),
                Callback::Refused(why) => Err(why),
                Callback::TimedOut => Err(timed_out(wait.deadline)),
            };
            sso.finish_browser(wait, result).await;
        });
    }
    if let Some(wait) = device {
        let sso = Arc::clone(sso);
        tokio::spawn(async move { sso.finish_device(wait).await });
    }
    Ok(data)
}

/// What the browser brought back.
#[derive(Debug)]
pub enum Callback {
    /// The authorization code (a secret until redeemed: never logged).
    Code(String),
    /// The user (or Identity Center) refused; the reason, without secrets.
    Refused(String),
    /// Nothing came back before the deadline.
    TimedOut,
}

/// A bound loopback port, ready for the browser.
pub struct Loopback {
    listener: tokio::net::TcpListener,
    pub redirect_uri: String,
}

impl Loopback {
    /// Bind a free port on 127.0.0.1.
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// Wait up to `deadline` for the redirect carrying `state`.
    pub async fn wait(self, state: String, deadline: Duration) -> Callback {
        let (tx, mut rx) = mpsc::channel::<Callback>(1);
        let app = Router::new()
            .route(CALLBACK_PATH, get(callback))
            .with_state((state, tx));
        let server = axum::serve(self.listener, app);
        let answer = tokio::select! {
            answer = rx.recv() => answer.unwrap_or(Callback::TimedOut),
            _ = tokio::time::sleep(deadline) => Callback::TimedOut,
            result = server => {
                tracing::warn!("the sign-in's loopback server stopped: {result:?}");
                Callback::TimedOut
            }
        };
        answer
    }
}

type Shared = (String, mpsc::Sender<Callback>);

async fn callback(
    State((state, tx)): State<Shared>,
    RawQuery(query): RawQuery,
) -> impl IntoResponse {
    match read_callback(query.as_deref().unwrap_or(""), &state) {
        Ok(code) => {
            let _ = tx.try_send(Callback::Code(code));
            (
                StatusCode::OK,
                page(
                    "Signed in",
                    "Switchyard is signed in to IAM Identity Center. You can close this tab.",
                ),
            )
        }
        Err(SsoError::StateMismatch) => {
            tracing::warn!(
                "a request to the sign-in's loopback port without its state was refused"
            );
            (
                StatusCode::BAD_REQUEST,
                page(
                    "Not this sign-in",
                    "This answer does not belong to the sign-in Switchyard is waiting for, and \
                     was ignored.",
                ),
            )
        }
        Err(refused) => {
            let why = refused.to_string();
            let _ = tx.try_send(Callback::Refused(why.clone()));
            (StatusCode::OK, page("Sign-in refused", &why))
        }
    }
}

fn page(title: &str, text: &str) -> Html<String> {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Switchyard: {}</title></head>\
         <body><h1>{}</h1><p>{}</p></body></html>",
        escape(title),
        escape(title),
        escape(text)
    ))
}
