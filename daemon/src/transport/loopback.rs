//! The loopback redirect of an IAM Identity Center sign-in (RFC 8252 §7.3): a one-shot
//! HTTP server on `127.0.0.1` that waits for the browser to come back from the authorize
//! page with `code` and `state`.
//!
//! Only an answer carrying this sign-in's state counts: any other request to the port
//! (another page's redirect, a guess) gets a 400 page and the server goes on waiting, so
//! it can neither end nor hijack the sign-in. The code is redeemed before the page
//! answers, so the page says what happened (signed in, or why not: a code Identity
//! Center refuses, such as one issued for another PKCE challenge). The wait ends at the
//! deadline.

use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use switchyard_shared::protocol::sso::{SsoLoginData, SsoLoginParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::sso::{read_callback, SsoError, CALLBACK_PATH};
use tokio::sync::mpsc;

use crate::services::sso::{timed_out, BrowserWait, Sso};

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
        tokio::spawn(loopback.serve(sso, wait));
    }
    if let Some(wait) = device {
        let sso = Arc::clone(sso);
        tokio::spawn(async move { sso.finish_device(wait).await });
    }
    Ok(data)
}

/// A bound loopback port, ready for the browser.
pub struct Loopback {
    listener: tokio::net::TcpListener,
    pub redirect_uri: String,
}

/// How long a redirect answered at the deadline may still take to redeem its code.
const ANSWER_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// What the callback handler shares: the sign-in's state, the sign-in itself (taken by
/// the one answer that ends it) and the signal that it ended.
struct Waiting {
    state: String,
    sso: Arc<Sso>,
    wait: Mutex<Option<BrowserWait>>,
    ended: mpsc::Sender<()>,
}

impl Waiting {
    fn take(&self) -> Option<BrowserWait> {
        self.wait.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
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

    /// Serve the redirect of `wait` until the answer carrying its state has been handled
    /// (the page answered in full), or until its deadline, when the sign-in ends timed out.
    pub async fn serve(self, sso: Arc<Sso>, wait: BrowserWait) {
        let (ended, mut ended_rx) = mpsc::channel::<()>(1);
        let deadline = wait.deadline;
        let waiting = Arc::new(Waiting {
            state: wait.state.clone(),
            sso,
            wait: Mutex::new(Some(wait)),
            ended,
        });
        let app = Router::new()
            .route(CALLBACK_PATH, get(callback))
            .with_state(Arc::clone(&waiting));
        // Graceful: the answering request finishes before the server stops.
        let server = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            ended_rx.recv().await;
        });
        let server = std::future::IntoFuture::into_future(server);
        tokio::pin!(server);
        let stopped = tokio::select! {
            result = &mut server => {
                if let Err(e) = result {
                    tracing::warn!("the sign-in's loopback server stopped: {e}");
                }
                true
            }
            _ = tokio::time::sleep(deadline) => false,
        };
        if !stopped {
            // Nobody came back in time: the sign-in ends so, and the server stops. A
            // redirect being answered right now finishes first (its page says how it
            // went), within a bound.
            if let Some(wait) = waiting.take() {
                let _ = waiting
                    .sso
                    .finish_browser(wait, Err(timed_out(deadline)))
                    .await;
                let _ = waiting.ended.try_send(());
            }
            let _ = tokio::time::timeout(ANSWER_GRACE, server).await;
        }
        // The server failed before anything came back: the sign-in ends so.
        if let Some(wait) = waiting.take() {
            let _ = waiting
                .sso
                .finish_browser(wait, Err(timed_out(deadline)))
                .await;
        }
    }
}

async fn callback(
    State(waiting): State<Arc<Waiting>>,
    RawQuery(query): RawQuery,
) -> impl IntoResponse {
    let answer = match read_callback(query.as_deref().unwrap_or(""), &waiting.state) {
        Err(SsoError::StateMismatch) => {
            tracing::warn!(
                "a request to the sign-in's loopback port without its state was refused"
            );
            return (
                StatusCode::BAD_REQUEST,
                page(
                    "Not this sign-in",
                    "This answer does not belong to the sign-in Switchyard is waiting for, and \
                     was ignored.",
                ),
            );
        }
        Ok(code) => Ok(code),
        Err(refused) => Err(refused.to_string()),
    };
    let Some(wait) = waiting.take() else {
        return (
            StatusCode::OK,
            page(
                "Already answered",
                "This sign-in was already answered; see the Switchyard popup or `switchyard sso \
                 status`.",
            ),
        );
    };
    let refused = answer.is_err();
    let outcome = waiting.sso.finish_browser(wait, answer).await;
    let _ = waiting.ended.try_send(());
    match outcome {
        Ok(()) => (
            StatusCode::OK,
            page(
                "Signed in",
                "Switchyard is signed in to IAM Identity Center. You can close this tab.",
            ),
        ),
        Err(why) if refused => (StatusCode::OK, page("Sign-in refused", &why)),
        Err(why) => (StatusCode::OK, page("Not signed in", &why)),
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
