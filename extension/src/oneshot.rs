//! A single-threaded one-shot channel: how a reply that arrives in a port callback
//! reaches the `async` code that sent the request.
//!
//! Plain Rust (no browser API), tested natively. wasm32 has one thread, so `Rc` and
//! `RefCell` suffice; futures-channel would add a dependency for the same few lines.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Shared<T> {
    value: Option<T>,
    waker: Option<Waker>,
    sender_gone: bool,
}

/// The sending half; sending or dropping it wakes the receiver.
pub struct Sender<T>(Rc<RefCell<Shared<T>>>);

/// The receiving half: a future of `Some(value)`, or `None` if the sender was dropped.
pub struct Receiver<T>(Rc<RefCell<Shared<T>>>);

/// A connected pair.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(RefCell::new(Shared {
        value: None,
        waker: None,
        sender_gone: false,
    }));
    (Sender(shared.clone()), Receiver(shared))
}

impl<T> Sender<T> {
    /// Deliver `value`; the receiver's task is woken (not polled in this call).
    pub fn send(self, value: T) {
        self.0.borrow_mut().value = Some(value);
        // Drop wakes the receiver.
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut shared = self.0.borrow_mut();
            shared.sender_gone = true;
            shared.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut shared = self.0.borrow_mut();
        if let Some(value) = shared.value.take() {
            Poll::Ready(Some(value))
        } else if shared.sender_gone {
            Poll::Ready(None)
        } else {
            shared.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll<T>(receiver: &mut Receiver<T>) -> Poll<Option<T>> {
        let mut cx = Context::from_waker(Waker::noop());
        Pin::new(receiver).poll(&mut cx)
    }

    #[test]
    fn delivers_a_value_sent_later() {
        let (tx, mut rx) = channel();
        assert_eq!(poll(&mut rx), Poll::Pending);
        tx.send(7);
        assert_eq!(poll(&mut rx), Poll::Ready(Some(7)));
    }

    #[test]
    fn a_dropped_sender_ends_the_wait() {
        let (tx, mut rx) = channel::<u8>();
        assert_eq!(poll(&mut rx), Poll::Pending);
        drop(tx);
        assert_eq!(poll(&mut rx), Poll::Ready(None));
    }
}
