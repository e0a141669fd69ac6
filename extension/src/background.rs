//! The service worker: owns the one native-messaging port to `switchyard-host`, numbers
//! requests and matches replies to them, and answers the popup's questions (the
//! connection state, or a relayed `identity`, `accounts.list`, `mfa.submit` or
//! `roles.list`), and makes the switches the popup asks for ([`crate::switching`]).
//!
//! The port is opened lazily by the first request and again by the first request after
//! it disconnected. Every request ends exactly once: with its reply, with the
//! disconnect error of its port, or with a timeout ([`messages::timeout_ms`]: 10 s, a
//! minute for `accounts.list`).

use std::cell::RefCell;

use crate::view::popup::ConnectionState;
use serde_json::Value;
use switchyard_shared::connection::classify_port_error;
use switchyard_shared::extension_ids::HOST_NAME;
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Request, RequestId};
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::messages::{self, Incoming, PageError, PageRequest};
use crate::oneshot;
use crate::pending::Pending;

/// What a request ends with: the reply's data or an error.
type Answer = Result<Value, ErrorBody>;

struct Connection {
    /// Counts ports opened by this worker, so events of an old port are told apart.
    generation: u64,
    port: chrome::Port,
}

#[derive(Default)]
struct Worker {
    connection: Option<Connection>,
    generations: u64,
    pending: Pending<oneshot::Sender<Answer>>,
}

thread_local! {
    static WORKER: RefCell<Worker> = RefCell::new(Worker::default());
}

impl Worker {
    /// The generation of the open port, opening one if there is none.
    fn ensure_connected(&mut self) -> Result<u64, ErrorBody> {
        if let Some(connection) = &self.connection {
            return Ok(connection.generation);
        }
        let port = chrome::connect_native(HOST_NAME)
            .map_err(|e| classify_port_error(Some(&chrome::error_text(&e))))?;
        self.generations += 1;
        let generation = self.generations;
        // The listeners are handed to JavaScript for good: a port lives long and a
        // reconnect is rare, and a dropped Rust closure must never be called by a late
        // event of an old port.
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
            on_host_message(generation, &message);
        })
        .into_js_value();
        let on_disconnect = Closure::<dyn FnMut(JsValue)>::new(move |port: JsValue| {
            on_port_disconnect(generation, &port);
        })
        .into_js_value();
        port.on_message().add_listener(on_message.unchecked_ref());
        port.on_disconnect()
            .add_listener(on_disconnect.unchecked_ref());
        self.connection = Some(Connection { generation, port });
        Ok(generation)
    }
}

/// Fail these waiters with `error` (called with the worker not borrowed).
fn fail_all(waiters: Vec<oneshot::Sender<Answer>>, error: &ErrorBody) {
    for waiter in waiters {
        waiter.send(Err(error.clone()));
    }
}

fn on_host_message(generation: u64, message: &JsValue) {
    let Some(text) = chrome::to_json_text(message) else {
        chrome::warn("switchyard: ignored a host message that is not JSON");
        return;
    };
    match messages::decode_host_message(&text) {
        Incoming::Reply { id, result } => {
            match WORKER.with(|worker| worker.borrow_mut().pending.take(id)) {
                Some(waiter) => waiter.send(result),
                None => chrome::warn(&format!(
                    "switchyard: reply to request {id}, which no longer waits"
                )),
            }
        }
        Incoming::Unaddressed(error) => {
            // The host could not tell which request failed; none of this port's will
            // get an answer now.
            let waiters =
                WORKER.with(|worker| worker.borrow_mut().pending.take_connection(generation));
            fail_all(waiters, &error);
        }
        Incoming::Ignored(why) => {
            chrome::warn(&format!("switchyard: ignored a host message: {why}"))
        }
    }
}

fn on_port_disconnect(generation: u64, port: &JsValue) {
    // The reason is only readable now, inside the callback.
    let error = classify_port_error(chrome::disconnect_reason(port).as_deref());
    let waiters = WORKER.with(|worker| {
        let mut worker = worker.borrow_mut();
        if worker
            .connection
            .as_ref()
            .is_some_and(|c| c.generation == generation)
        {
            worker.connection = None;
        }
        worker.pending.take_connection(generation)
    });
    fail_all(waiters, &error);
}

/// Register and post `request`; the receiver ends with its answer.
fn start_request(request: &Request) -> Result<(u64, oneshot::Receiver<Answer>), ErrorBody> {
    WORKER.with(|cell| {
        let mut worker = cell.borrow_mut();
        let generation = worker.ensure_connected()?;
        let (waiter, answer) = oneshot::channel();
        let id = worker.pending.register(generation, waiter);
        let message =
            chrome::from_json_text(&request.to_envelope(&RequestId::number(id)).to_string());
        let posted = match &worker.connection {
            Some(connection) => connection.port.post_message(&message),
            None => Err(JsValue::from_str("the port closed")),
        };
        if let Err(e) = posted {
            // The port died before its onDisconnect ran: forget it so the next request
            // reconnects, and end everything sent on it.
            if let Some(connection) = worker.connection.take() {
                connection.port.disconnect();
            }
            let waiters = worker.pending.take_connection(generation);
            drop(worker);
            fail_all(waiters, &classify_port_error(Some(&chrome::error_text(&e))));
        }
        Ok((id, answer))
    })
}

/// Send one request to the host and wait for its answer (or its timeout,
/// [`messages::timeout_ms`]).
async fn request(request: &Request) -> Answer {
    let (id, answer) = start_request(request)?;
    let ms = messages::timeout_ms(request);
    let timeout = Closure::once_into_js(move || {
        if let Some(waiter) = WORKER.with(|worker| worker.borrow_mut().pending.take(id)) {
            waiter.send(Err(messages::timeout_error(ms)));
        }
    });
    chrome::set_timeout(timeout.unchecked_ref(), ms);
    answer.await.unwrap_or_else(|| {
        Err(ErrorBody::new(
            ErrorCode::Internal,
            "the request was dropped without an answer",
        ))
    })
}

/// `hello`, then `status`: what the popup shows.
async fn connection_state() -> ConnectionState {
    match messages::accept_hello(request(&Request::hello()).await) {
        Ok(hello) => messages::connected(hello, request(&Request::Status).await),
        Err(error) => ConnectionState::Failed { error },
    }
}

/// Called once by `background.js` after the module loaded. The port is opened lazily,
/// so that waking the worker does not start a host process.
#[wasm_bindgen]
pub fn background_start() {}

/// Answer a message from an extension page; `background.js` passes the result to
/// `sendResponse`. Every message gets an answer, so the page never waits in vain.
#[wasm_bindgen]
pub async fn handle_message(message: JsValue) -> JsValue {
    let text = chrome::to_json_text(&message).unwrap_or_default();
    let answer = match messages::decode_page_request(&text) {
        Ok(PageRequest::ConnectionState) => {
            serde_json::to_string(&connection_state().await).unwrap_or_default()
        }
        Ok(PageRequest::Switch(switch)) => {
            let settings = crate::storage::settings().await;
            let profile = settings.profile.clone();
            let ask = move |r: Request| {
                let r = r.with_default_profile(profile.as_deref());
                async move { request(&r).await }
            };
            let done = crate::switching::switch(switch, settings.switch_method, ask)
                .await
                .and_then(|done| {
                    serde_json::to_value(done)
                        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))
                });
            messages::encode_page_answer(done)
        }
        Ok(PageRequest::LiveSessions) => {
            let live = crate::switching::live_sessions().await.and_then(|live| {
                serde_json::to_value(live)
                    .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))
            });
            messages::encode_page_answer(live)
        }
        Ok(page_request) => match page_request.to_host() {
            Some(host_request) => {
                // The profile chosen on the options page, unless the page named one.
                let profile = crate::storage::settings().await.profile;
                let host_request = host_request.with_default_profile(profile.as_deref());
                messages::encode_page_answer(request(&host_request).await)
            }
            None => String::new(),
        },
        Err(error) => serde_json::to_string(&PageError { error }).unwrap_or_default(),
    };
    if answer.is_empty() {
        JsValue::UNDEFINED
    } else {
        chrome::from_json_text(&answer)
    }
}
