//! Switchyard's browser extension, compiled to WebAssembly: the service worker that owns
//! the native-messaging port, and the popup that shows whether the daemon is reachable.
//!
//! The JavaScript shims in `static/` load this module and call the exported functions:
//! `background.js` calls [`background_start`] and forwards runtime messages to
//! [`handle_message`]; `popup.js` calls [`popup_start`]; `create-account.js` calls
//! [`create_account_start`], and `background.js` registers and answers the
//! "Create client account…" menu entry ([`context_menu_register`], [`menu_clicked`]).
//!
//! Modules split into a thin browser layer ([`chrome`], [`background`], [`popup`], the
//! pages) and plain Rust that is unit-tested natively: the view models in [`view`] (what
//! each page shows, decided without the DOM), and [`pending`], [`oneshot`], [`messages`].
//! [`page`] holds what every page needs (asking the worker, DOM helpers); the options
//! page is [`options`] (`options.js` calls [`options_start`]) and the Users page
//! [`users_page`].
//!
//! Built twice: whole (`pkg/`, the default `pages` feature: the service worker and every
//! page), and without `pages` for the popup alone (`pkg-popup/`), so the popup loads a
//! module of its own code only.

#[cfg(feature = "pages")]
pub mod background;
pub mod chrome;
#[cfg(feature = "pages")]
pub mod create_account;
pub mod messages;
pub mod oneshot;
#[cfg(feature = "pages")]
pub mod options;
pub mod page;
#[cfg(feature = "pages")]
pub mod page_port;
pub mod pending;
pub mod popup;
pub mod storage;
pub mod switching;
#[cfg(feature = "pages")]
pub mod users_page;
pub mod view;
pub mod waiting;

#[cfg(feature = "pages")]
pub use background::{background_start, handle_message};
#[cfg(feature = "pages")]
pub use create_account::{context_menu_register, create_account_start, menu_clicked};
#[cfg(feature = "pages")]
pub use options::options_start;
pub use popup::popup_start;
#[cfg(feature = "pages")]
pub use users_page::users_page_start;
