//! A native-messaging port owned by an extension page (the create-account page), apart
//! from the service worker's: the host relays one request at a time, so a `job.watch`
//! long-poll on the worker's port would hold up the popup's requests behind it. A page
//! that follows a job opens a port of its own for that (one more host process for the
//! page's life) and one for its quick requests.
//!
//! Requests are numbered and matched to replies like the worker's ([`Pending`]); each
//! ends once: with its reply, its timeout, or the port's disconnect error.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use switchyard_shared::connection::classify_port_error;
use switchyard_shared::extension_ids::HOST_NAME;
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Request, RequestId};
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::messages::{self, Incoming};
use crate::oneshot;
use crate::pending::Pending;

type Answer = Result<Value, ErrorBody>;

#[derive(Default)]
struct Inner {
    port: Option<(u64, chrome::Port)>,
    generations: u64,
    pending: Pending<oneshot::Sender<Answer>>,
}

/// A lazily opened port to `switchyard-host`, reopened after a disconnect.
#[derive(Clone, Default)]
pub struct PagePort(Rc<RefCell<Inner>>);

fn fail_all(waiters: Vec<oneshot::Sender<Answer>>, error: &ErrorBody) {
    for waiter in waiters {
        waiter.send(Err(error.clone()));
    }
}

impl PagePort {
    fn connect(&self) -> Result<u64, ErrorBody> {
        let mut inner = self.0.borrow_mut();
        if let Some((generation, _)) = &inner.port {
            return Ok(*generation);
        }
        let port = chrome::connect_native(HOST_NAME)
            .map_err(|e| classify_port_error(Some(&chrome::error_text(&e))))?;
        inner.generations += 1;
        let generation = inner.generations;
        let me = self.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
            me.on_message(generation, &message);
        })
        .into_js_value();
        let me = self.clone();
        let on_disconnect = Closure::<dyn FnMut(JsValue)>::new(move |_port: JsValue| {
            me.on_disconnect(generation);
        })
        .into_js_value();
        port.on_message().add_listener(on_message.unchecked_ref());
        port.on_disconnect()
            .add_listener(on_disconnect.unchecked_ref());
        inner.port = Some((generation, port));
        Ok(generation)
    }

    fn on_message(&self, generation: u64, message: &JsValue) {
        let Some(text) = chrome::to_json_text(message) else {
            return;
        };
        match messages::decode_host_message(&text) {
            Incoming::Reply { id, result } => {
                let waiter = self.0.borrow_mut().pending.take(id);
                if let Some(waiter) = waiter {
                    waiter.send(result);
                }
            }
            Incoming::Unaddressed(error) => {
                let waiters = self.0.borrow_mut().pending.take_connection(generation);
                fail_all(waiters, &error);
            }
            Incoming::Ignored(why) => chrome::warn(&format!("switchyard: {why}")),
        }
    }

    fn on_disconnect(&self, generation: u64) {
        let error = classify_port_error(chrome::last_error_message().as_deref());
        let waiters = {
            let mut inner = self.0.borrow_mut();
            if inner.port.as_ref().is_some_and(|(g, _)| *g == generation) {
                inner.port = None;
            }
            inner.pending.take_connection(generation)
        };
        fail_all(waiters, &error);
    }

    /// Send `request` and wait for its reply's data, at most `timeout_ms`.
    pub async fn request(&self, request: &Request, timeout_ms: u32) -> Answer {
        let generation = self.connect()?;
        let (waiter, answer) = oneshot::channel();
        let id = {
            let mut inner = self.0.borrow_mut();
            let id = inner.pending.register(generation, waiter);
            let message =
                chrome::from_json_text(&request.to_envelope(&RequestId::number(id)).to_string());
            let posted = match &inner.port {
                Some((_, port)) => port.post_message(&message),
                None => Err(JsValue::from_str("the port closed")),
            };
            if let Err(e) = posted {
                if let Some((_, port)) = inner.port.take() {
                    port.disconnect();
                }
                let waiters = inner.pending.take_connection(generation);
                drop(inner);
                fail_all(waiters, &classify_port_error(Some(&chrome::error_text(&e))));
            }
            id
        };
        let me = self.clone();
        let timeout = Closure::once_into_js(move || {
            let waiter = me.0.borrow_mut().pending.take(id);
            if let Some(waiter) = waiter {
                waiter.send(Err(messages::timeout_error(timeout_ms)));
            }
        });
        chrome::set_timeout(timeout.unchecked_ref(), timeout_ms);
        answer.await.unwrap_or_else(|| {
            Err(ErrorBody::new(
                ErrorCode::Internal,
                "the request was dropped without an answer",
            ))
        })
    }
}
