//! The extension's view models: what each page shows and how it answers a key or a click,
//! as plain data, decided without the DOM so it is unit-tested natively.
//!
//! Nothing here touches `web-sys`, `js-sys` or `wasm-bindgen` (the tidy test in
//! `xtask/src/tidy.rs` checks it): the browser layer beside this folder reads the DOM and
//! storage, calls these functions and renders what they return. The rules both sides of
//! the wire need (switching, provisioning plans, IAM user rules) stay in
//! `switchyard_shared`; what is here only the extension shows.
//!
//! - [`popup`]: the connection summary; [`account_panel`]: who is signed in, MFA, the
//!   account list; [`popup_list`] and [`search`]: the switch list and its filter;
//!   [`team_look`]: the form that sets an account's name and color for the whole team.
//!   [`sso_panel`]: the IAM Identity Center sessions and their "Sign in" buttons.
//! - [`closures`]: queued account closures in words (the popup, the create-account page);
//!   [`pending_mfa`]: a command waiting for an MFA code, asked for in the popup.
//! - [`options`]: the options page; [`provision_form`]: the create-account form;
//!   [`users_page`]: the Users page.

pub mod account_panel;
pub mod closures;
pub mod options;
pub mod pending_mfa;
pub mod popup;
pub mod popup_list;
pub mod provision_form;
pub mod search;
pub mod sso_panel;
pub mod team_look;
pub mod users_page;

/// `text` with a capital first letter and a full stop (unless it already ends a sentence
/// or a parenthesis), as a sentence on its own.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?', ')']) {
        out.push('.');
    }
    out
}
