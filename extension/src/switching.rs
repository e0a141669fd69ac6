//! The service worker's side of a switch: find the tab, read the console page, and make
//! the switch the shared crate plans (`switchyard_shared::switch::plan`): submit the
//! hidden classic form in the page, POST the multi-session JSON from the page and open
//! its destination, or ask the daemon for a federated login URL and open it.
//!
//! The target is checked before anything is sent; no visible form ever exists.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use switchyard_shared::multi_session;
use switchyard_shared::protocol::switch::{FederateData, FederateParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Request};
use switchyard_shared::settings::SwitchMethod as Preference;
use switchyard_shared::switch::{
    check_login_url, console_host, federated_entry, multi_session_destination, plan_preferring,
    PageFacts, Plan, Preferred, SessionData, SwitchTarget,
};
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::messages::{SwitchDone, SwitchMethod, SwitchRequest};
use crate::oneshot;

/// How long a new tab may take to load the console page before the classic form is sent.
const NEW_TAB_LOAD_MS: f64 = 30_000.0;

#[derive(Debug, Deserialize)]
pub(crate) struct Tab {
    id: i32,
    #[serde(default)]
    pub(crate) url: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Posted {
    status: u16,
    text: String,
}

fn internal(what: &str, error: &JsValue) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Internal,
        format!("{what}: {}", chrome::error_text(error)),
    )
}

fn read<T: DeserializeOwned>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&chrome::to_json_text(value)?).ok()
}

fn js(value: Value) -> JsValue {
    chrome::from_json_text(&value.to_string())
}

/// The tab the user is looking at: the active tab of the last focused normal window, else
/// of any normal window (the popup's own window is not one).
pub(crate) async fn active_tab() -> Result<Tab, ErrorBody> {
    for query in [
        json!({"active": true, "lastFocusedWindow": true, "windowType": "normal"}),
        json!({"active": true, "windowType": "normal"}),
    ] {
        let tabs = chrome::tabs_query(&js(query))
            .await
            .map_err(|e| internal("cannot list the tabs", &e))?;
        if let Some(tab) = read::<Vec<Tab>>(&tabs).and_then(|tabs| tabs.into_iter().next()) {
            return Ok(tab);
        }
    }
    Err(ErrorBody::new(
        ErrorCode::Internal,
        "There is no browser tab to switch. Open a tab and try again.",
    ))
}

/// What the console page says, or `None` when the tab is not a console page or cannot be
/// read (no permission, still loading, not a web page).
pub(crate) async fn read_page(tab: &Tab) -> Option<PageFacts> {
    let url = tab.url.as_deref()?;
    let host = url
        .strip_prefix("https://")?
        .split(['/', '?', '#'])
        .next()?;
    console_host(host)?;
    let value = chrome::run_in_tab(tab.id, "readPage", &js(json!([])))
        .await
        .ok()?;
    read(&value)
}

pub(crate) async fn sleep(ms: u32) {
    let (done, wait) = oneshot::channel();
    let wake = Closure::once_into_js(move || done.send(()));
    chrome::set_timeout(wake.unchecked_ref(), ms);
    let _ = wait.await;
}

/// Open `url` in the tab, or in a new tab.
async fn open(url: &str, tab: &Tab, new_tab: bool) -> Result<(), ErrorBody> {
    let result = if new_tab {
        chrome::tabs_create(&js(json!({"url": url, "active": true}))).await
    } else {
        chrome::tabs_update(tab.id, &js(json!({"url": url}))).await
    };
    result
        .map(|_| ())
        .map_err(|e| internal("cannot open the console", &e))
}

/// A new tab showing `url`, once it has loaded.
async fn loaded_copy(url: &str) -> Result<Tab, ErrorBody> {
    let created = chrome::tabs_create(&js(json!({"url": url, "active": true})))
        .await
        .map_err(|e| internal("cannot open a new tab", &e))?;
    let tab: Tab = read(&created)
        .ok_or_else(|| ErrorBody::new(ErrorCode::Internal, "the new tab could not be read"))?;
    loaded(tab.id, None).await
}

/// Tab `id` once it has finished loading (at most 30 seconds), and once it has left
/// `leaving` (the address it showed before it was sent elsewhere) when given.
async fn loaded(id: i32, leaving: Option<&str>) -> Result<Tab, ErrorBody> {
    let started = js_sys::Date::now();
    while js_sys::Date::now() - started < NEW_TAB_LOAD_MS {
        sleep(50).await;
        if let Some(now) = chrome::tabs_get(id)
            .await
            .ok()
            .and_then(|t| read::<Tab>(&t))
        {
            let left = leaving.is_none_or(|old| now.url.as_deref() != Some(old));
            if left && now.status.as_deref() == Some("complete") {
                return Ok(now);
            }
        }
    }
    Err(ErrorBody::new(
        ErrorCode::Timeout,
        "The tab did not finish loading the console within 30 seconds.",
    ))
}

/// Switch as the popup asked, the preferred way where the tab allows it. `ask` sends a
/// request to the daemon (the worker's port).
pub async fn switch<F, Fut>(
    request: SwitchRequest,
    preference: Preference,
    ask: F,
) -> Result<SwitchDone, ErrorBody>
where
    F: Fn(Request) -> Fut,
    Fut: std::future::Future<Output = Result<Value, ErrorBody>>,
{
    let target = SwitchTarget::from_arn(&request.role_arn, &request.display_name, &request.color)
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidTarget, e.to_string()))?
        .landing_in(request.region.as_deref());
    let mut tab = active_tab().await?;
    let mut new_tab = request.new_tab;
    let mut page = read_page(&tab).await;
    let mut url = tab.url.clone().unwrap_or_default();
    // A role Identity Center grants trusts only Identity Center's SAML provider: no
    // console session can switch to it, only a federated sign-in with its credentials.
    let preference = match request.identity_center {
        true => Preference::Federation,
        false => preference,
    };
    let mut chosen = plan_preferring(preference, &target, &url, page.as_ref());
    if let Preferred::OpenConsole(console) = &chosen {
        // "Console session only" from another page: open the console, then switch in it.
        tab = if new_tab {
            new_tab = false;
            loaded_copy(console).await?
        } else {
            open(console, &tab, false).await?;
            loaded(tab.id, Some(&url)).await?
        };
        url = tab.url.clone().unwrap_or_default();
        page = read_page(&tab).await;
        chosen = plan_preferring(preference, &target, &url, page.as_ref());
    }
    let mut chosen = match chosen {
        Preferred::Plan(plan) => plan,
        Preferred::OpenConsole(_) | Preferred::NoConsoleSession => {
            return Err(ErrorBody::new(
                ErrorCode::SigninFailed,
                "Switching through the console session needs a console signed in to this \
                 partition: sign in to the AWS console in this tab, then switch again, or \
                 choose \"Automatic\" or \"Federated sign-in\" as the switch method in \
                 Switchyard's options.",
            ))
        }
    };
    if new_tab && matches!(chosen, Plan::Classic(_)) {
        // The form must be submitted from a console page in the new tab: open the same
        // page there first, then plan again with what it says.
        tab = loaded_copy(&url).await?;
        new_tab = false;
        page = read_page(&tab).await;
        url = tab.url.clone().unwrap_or_default();
        if let Preferred::Plan(again) = plan_preferring(preference, &target, &url, page.as_ref()) {
            chosen = again;
        }
    }
    match chosen {
        Plan::Classic(form) => {
            let args = json!([form.action, form.fields]);
            chrome::run_in_tab(tab.id, "submitForm", &js(args))
                .await
                .map_err(|e| internal("cannot submit the switch in the console tab", &e))?;
            Ok(SwitchDone {
                method: SwitchMethod::Classic,
                destination: None,
            })
        }
        Plan::MultiSession(mut post) => {
            // Which identities are live: one already signed in is opened, never signed in
            // to again; at five a new one is refused; the switch goes from the target's
            // base session when one is live (else from the tab's own, chaining).
            let session = page
                .as_ref()
                .and_then(|p| p.session_meta.as_deref())
                .map(SessionData::parse)
                .unwrap_or_default();
            if let (Some(endpoint), Some(current)) =
                (&session.signin_endpoint, &session.session_differentiator)
            {
                if let Ok(live) = read_live(tab.id, endpoint).await {
                    match multi_session::choose(
                        &target,
                        &live,
                        current,
                        request.base.as_ref(),
                        &url,
                    ) {
                        multi_session::Choice::Open(live_url) => {
                            open(&live_url, &tab, new_tab).await?;
                            return Ok(SwitchDone {
                                method: SwitchMethod::MultiSession,
                                destination: Some(live_url),
                            });
                        }
                        multi_session::Choice::Full(message) => {
                            return Err(ErrorBody::new(ErrorCode::SigninFailed, message));
                        }
                        multi_session::Choice::SwitchFrom(from) => {
                            post.url = multi_session::switch_url(endpoint, &from);
                        }
                    }
                }
            }
            let answer = chrome::run_in_tab(tab.id, "postJson", &js(json!([post.url, post.body])))
                .await
                .map_err(|e| internal("cannot send the switch from the console tab", &e))?;
            let posted: Posted = read(&answer).ok_or_else(|| {
                ErrorBody::new(ErrorCode::Internal, "the console tab gave no answer")
            })?;
            let destination = multi_session_error(&posted)
                .map_or_else(
                    || multi_session_destination(&posted.text, target.partition).ok_or_else(|| {
                        ErrorBody::new(
                            ErrorCode::SigninFailed,
                            "AWS sign-in answered the switch without a console address. Reload the console and try again.",
                        )
                    }),
                    Err,
                )?;
            open(&destination, &tab, new_tab).await?;
            Ok(SwitchDone {
                method: SwitchMethod::MultiSession,
                destination: Some(destination),
            })
        }
        Plan::Federate { destination } => {
            let params = FederateParams {
                profile: None,
                role_arn: target.role_arn(),
                // A tab whose address the extension may not read gives none: the daemon
                // then lands on the console home in the profile's region.
                destination: Some(destination).filter(|d| !d.is_empty()),
                duration_secs: None,
                // Through Identity Center when the target is reached that way (its role,
                // or a chain from it); the profile's key otherwise.
                sso: request.sso.clone(),
            };
            let data: FederateData = serde_json::from_value(
                ask(Request::SwitchFederate(params)).await?,
            )
            .map_err(|e| {
                ErrorBody::new(
                    ErrorCode::Internal,
                    format!("the daemon's switch.federate reply has an unexpected shape: {e}"),
                )
            })?;
            // Only a sign-in address of the target's partition is opened, whoever answered.
            check_login_url(&data.login_url, target.partition)
                .map_err(|e| ErrorBody::new(ErrorCode::DaemonNotTrusted, e.to_string()))?;
            // Over a live console session the console refuses the login: sign out first.
            let entry = federated_entry(&data.login_url, target.partition, &url);
            open(&entry, &tab, new_tab).await?;
            Ok(SwitchDone {
                method: SwitchMethod::Federation,
                destination: Some(data.destination),
            })
        }
    }
}

/// The console's live sessions, read in the tab from the sign-in host its page names.
async fn read_live(tab: i32, endpoint: &str) -> Result<Vec<multi_session::LiveSession>, ErrorBody> {
    let answer = chrome::run_in_tab(
        tab,
        "getJson",
        &js(json!([multi_session::list_url(endpoint)])),
    )
    .await
    .map_err(|e| internal("cannot read the console's sessions in the tab", &e))?;
    let got: Posted = read(&answer)
        .ok_or_else(|| ErrorBody::new(ErrorCode::Internal, "the console tab gave no answer"))?;
    if !(200..=299).contains(&got.status) {
        return Err(ErrorBody::new(
            ErrorCode::SigninFailed,
            format!(
                "the console's list of signed-in sessions answered HTTP {} (signed out?)",
                got.status
            ),
        ));
    }
    multi_session::parse_list(&got.text)
        .map_err(|e| ErrorBody::new(ErrorCode::SigninFailed, e.to_string()))
}

/// Answer [`crate::messages::PageRequest::LiveSessions`]: the identities signed in to the
/// console now, read in the active tab when it is a console page in multi-session mode.
/// (The worker's; the popup's module leaves it out.)
#[cfg(feature = "pages")]
pub(crate) async fn live_sessions() -> Result<crate::messages::LiveSessions, ErrorBody> {
    let tab = active_tab().await?;
    let page = read_page(&tab).await.ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::InvalidParams,
            "the active tab is not an AWS console page Switchyard can read",
        )
    })?;
    let session = page
        .session_meta
        .as_deref()
        .map(SessionData::parse)
        .unwrap_or_default();
    let endpoint = session
        .signin_endpoint
        .filter(|_| session.multi_session)
        .ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::InvalidParams,
                "the console tab is not in multi-session mode",
            )
        })?;
    let live = read_live(tab.id, &endpoint).await?;
    Ok(crate::messages::LiveSessions {
        sessions: live
            .iter()
            .map(multi_session::LiveSession::describe)
            .collect(),
        summary: multi_session::summary(&live),
        full: live.len() >= multi_session::MAX_SESSIONS,
    })
}

/// The error a multi-session switch reply means, with what to do; `None` for a 2xx.
fn multi_session_error(posted: &Posted) -> Option<ErrorBody> {
    let (code, message) = match posted.status {
        200..=299 => return None,
        0 => (
            ErrorCode::SigninUnreachable,
            format!("AWS sign-in could not be reached from the console tab ({}). Check the network and try again.", posted.text),
        ),
        401 | 403 => (
            ErrorCode::SigninFailed,
            format!(
                "AWS sign-in refused the switch (HTTP {}): the console session has expired, or \
                 you may not assume this role. Sign in to the console again, then switch; if it \
                 persists, ask an administrator for sts:AssumeRole on the role.",
                posted.status
            ),
        ),
        status => (
            ErrorCode::SigninFailed,
            format!("AWS sign-in answered the switch with HTTP {status}. Reload the console and try again."),
        ),
    };
    Some(ErrorBody::new(code, message))
}
