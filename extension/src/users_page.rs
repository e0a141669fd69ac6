//! The "Users" page (`users.html?account=ID`, or `users.html` for the profile's own
//! account): lists the account's IAM users, creates one (console and/or API access,
//! groups, policies, tags; the "API-only user" action), shows the hand-over once, removes
//! a user after the typed name, and sets up MFA for the signed-in user (QR code, two
//! codes). Every decision is `crate::view::users_page`'s; this module reads the
//! DOM, relays through the service worker and renders.
//!
//! The hand-over and the MFA seed live only in the DOM: never in extension storage or a
//! log, and cleared on `pagehide` so a page restored from the back/forward cache does not
//! show them again.

use std::cell::RefCell;

use crate::view::users_page::{self as logic, CreateForm, ErrorPlace, FormProblems, QrMatrix};
use serde::de::DeserializeOwned;
use switchyard_shared::protocol::aws::{AccountsData, IdentityData, MfaSessionData};
use switchyard_shared::protocol::users::{
    MfaEnableData, MfaEnableParams, MfaSetupData, MfaSetupParams, PasswordPolicy, UsersCreateData,
    UsersCreateParams, UsersListData, UsersRemoveData, UsersRemoveParams, UsersTarget,
};
use switchyard_shared::protocol::ErrorBody;
use switchyard_shared::users::DEFAULT_MEMBER_ROLE;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::chrome;
use crate::messages::PageRequest;

/// What the page remembers while it is open (no secret: the hand-over and the seed are
/// only in the DOM).
#[derive(Default)]
struct Page {
    target: UsersTarget,
    list: Option<UsersListData>,
    identity: Option<IdentityData>,
    accounts: Option<AccountsData>,
    /// The create form is open; the API-only action when `true`.
    creating: Option<bool>,
    /// Submit was pressed once: every problem is shown, empty fields too.
    submitted: bool,
    /// The user whose removal is being confirmed.
    removing: Option<String>,
    /// The new MFA device waiting for its two codes.
    mfa_serial: Option<String>,
    /// What to do again once an MFA code unlocked the profile.
    after_mfa: Option<Action>,
}

/// A request the page may have to repeat after an MFA code.
#[derive(Clone)]
enum Action {
    Load,
    Create(Box<UsersCreateParams>),
    Remove(UsersRemoveParams),
    MfaSetup(MfaSetupParams),
    MfaEnable(MfaEnableParams),
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page::default());
}

fn document() -> Option<Document> {
    web_sys::window().and_then(|w| w.document())
}

fn by_id(id: &str) -> Option<Element> {
    document().and_then(|d| d.get_element_by_id(id))
}

fn set_text(id: &str, text: &str) {
    if let Some(element) = by_id(id) {
        element.set_text_content(Some(text));
    }
}

fn show(id: &str, visible: bool) {
    if let Some(element) = by_id(id) {
        let _ = if visible {
            element.remove_attribute("hidden")
        } else {
            element.set_attribute("hidden", "")
        };
    }
}

fn set_flag(id: &str, name: &str, on: bool) {
    if let Some(element) = by_id(id) {
        let _ = if on {
            element.set_attribute(name, "")
        } else {
            element.remove_attribute(name)
        };
    }
}

fn input(id: &str) -> Option<HtmlInputElement> {
    by_id(id).and_then(|e| e.dyn_into().ok())
}

fn value(id: &str) -> String {
    if let Some(field) = input(id) {
        return field.value();
    }
    by_id(id)
        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default()
}

fn set_value(id: &str, text: &str) {
    if let Some(field) = input(id) {
        field.set_value(text);
    } else if let Some(area) = by_id(id).and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok()) {
        area.set_value(text);
    }
}

fn checked(id: &str) -> bool {
    input(id).is_some_and(|i| i.checked())
}

fn set_checked(id: &str, on: bool) {
    if let Some(field) = input(id) {
        field.set_checked(on);
    }
}

fn append(parent: &Element, tag: &str, text: &str) -> Option<Element> {
    let element = document()?.create_element(tag).ok()?;
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    parent.append_child(&element).ok()?;
    Some(element)
}

/// Listen to `event` on the element `id`.
fn on(id: &str, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    if let Some(element) = by_id(id) {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler).into_js_value();
        let _ = element.add_event_listener_with_callback(event, closure.unchecked_ref());
    }
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Relay `request` to the daemon through the service worker.
async fn ask<T: DeserializeOwned>(request: &PageRequest) -> Result<T, ErrorBody> {
    crate::page::ask(request.clone()).await
}

fn busy(text: Option<&str>) {
    set_text("busy", text.unwrap_or_default());
    show("busy", text.is_some());
}

/// Show `error` where it can be fixed: beside a field, in the problem box `problem_box`,
/// or as the MFA code form (then `action` runs again once a code unlocked the profile).
fn place_error(error: &ErrorBody, action: Action, problem_box: &str) {
    match logic::error_place(error) {
        ErrorPlace::UserName => field_error("user-name-error", Some(&error.message)),
        ErrorPlace::Password => field_error("password-error", Some(&error.message)),
        ErrorPlace::NeedsMfa => {
            PAGE.with(|p| p.borrow_mut().after_mfa = Some(action));
            set_text(
                "mfa-intro",
                "Your key is protected by MFA. Enter the 6-digit code from your authenticator \
                 app to start a session.",
            );
            set_text("mfa-error", "");
            show("mfa-form", true);
            if let Some(field) = input("mfa-code") {
                field.set_value("");
                let _ = field.focus();
            }
        }
        ErrorPlace::Problem { title } => {
            let prefix = problem_box;
            set_text(&format!("{prefix}-title"), &title);
            set_text(&format!("{prefix}-message"), &error.message);
            set_text(&format!("{prefix}-code"), error.code.as_str());
            show(prefix, true);
        }
    }
}

fn field_error(id: &str, message: Option<&str>) {
    set_text(id, message.unwrap_or_default());
    if let Some(field) = id.strip_suffix("-error") {
        let _ = by_id(field).map(|f| {
            if message.is_some() {
                f.set_attribute("aria-invalid", "true")
            } else {
                f.remove_attribute("aria-invalid")
            }
        });
    }
}

/// Called by `users.js` once the module loaded.
#[wasm_bindgen]
pub fn users_page_start() {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    wire_events();
    match logic::target_from_query(&query) {
        Ok(target) => {
            PAGE.with(|p| p.borrow_mut().target = target);
            run(Action::Load);
        }
        Err(message) => {
            set_text("problem-title", "This page's address is not valid");
            set_text("problem-message", &message);
            set_text("problem-code", "invalid_params");
            show("problem", true);
        }
    }
}

fn run(action: Action) {
    wasm_bindgen_futures::spawn_local(perform(action));
}

async fn perform(action: Action) {
    match action.clone() {
        Action::Load => load(action).await,
        Action::Create(params) => create(*params, action).await,
        Action::Remove(params) => remove(params, action).await,
        Action::MfaSetup(params) => mfa_setup(params, action).await,
        Action::MfaEnable(params) => mfa_enable(params, action).await,
    }
}

async fn load(action: Action) {
    show("problem", false);
    busy(Some("Reading the account's users…"));
    let target = PAGE.with(|p| p.borrow().target.clone());
    let answer = ask::<UsersListData>(&PageRequest::UsersList(target)).await;
    busy(None);
    match answer {
        Ok(list) => {
            PAGE.with(|p| p.borrow_mut().list = Some(list));
            render_list();
            render_title();
            // Who is signed in (MFA status, the own account) and the organization's
            // accounts (the picker, names): good to have, not needed for the list.
            if let Ok(identity) = ask::<IdentityData>(&PageRequest::Identity).await {
                PAGE.with(|p| p.borrow_mut().identity = Some(identity));
            }
            render_mfa_status();
            if let Ok(accounts) = ask::<AccountsData>(&PageRequest::AccountsList).await {
                PAGE.with(|p| p.borrow_mut().accounts = Some(accounts));
            }
            render_title();
            render_picker();
        }
        Err(error) => {
            // A list that could not be read again is not shown as if it were current.
            show("users", false);
            place_error(&error, action, "problem");
        }
    }
}

fn render_title() {
    let (title, role) = PAGE.with(|p| {
        let page = p.borrow();
        let account = page.list.as_ref().map(|l| l.account_id.clone());
        let title = account
            .map(|id| {
                format!(
                    "Users in {}",
                    logic::account_title(&id, page.accounts.as_ref())
                )
            })
            .unwrap_or_else(|| "Users".to_owned());
        let role = page.target.account_id.as_ref().map(|_| {
            page.target
                .role_name
                .clone()
                .unwrap_or_else(|| DEFAULT_MEMBER_ROLE.to_owned())
        });
        (title, role)
    });
    set_text("title", &title);
    if let Some(document) = document() {
        document.set_title(&format!("{title} · Switchyard"));
    }
    match role {
        Some(role) => set_text(
            "via",
            &format!("Acting through the role {role} in this account."),
        ),
        None => set_text("via", "Acting with your own profile's key in its account."),
    }
}

fn render_picker() {
    let Some(select) = by_id("account-picker").and_then(|e| e.dyn_into::<HtmlSelectElement>().ok())
    else {
        return;
    };
    let options = PAGE.with(|p| {
        let page = p.borrow();
        let own = page.identity.as_ref()?.account_id.clone();
        let shown = page.list.as_ref()?.account_id.clone();
        Some(logic::picker(page.accounts.as_ref()?, &own, &shown))
    });
    let Some(options) = options else { return };
    select.set_text_content(None);
    for option in options {
        if let Some(element) = append(&select, "option", &option.label) {
            let _ = element.set_attribute("value", &option.href);
            if option.selected {
                let _ = element.set_attribute("selected", "");
            }
        }
    }
    show("picker", true);
}

fn render_list() {
    let Some(list) = PAGE.with(|p| p.borrow().list.clone()) else {
        return;
    };
    set_text("users-summary", &logic::users_summary(&list));
    let Some(body) = by_id("users-rows") else {
        return;
    };
    body.set_text_content(None);
    for row in logic::user_rows(&list.users, now()) {
        let Some(tr) = append(&body, "tr", "") else {
            continue;
        };
        let _ = tr.set_attribute("data-user", &row.name);
        if let Some(th) = append(&tr, "th", &row.name) {
            let _ = th.set_attribute("scope", "row");
            let _ = th.set_attribute("title", &row.arn);
        }
        for (class, text) in [
            ("groups", &row.groups),
            ("policies", &row.policies),
            ("console", &row.console),
        ] {
            if let Some(td) = append(&tr, "td", text) {
                td.set_class_name(class);
            }
        }
        if let Some(td) = append(&tr, "td", "") {
            td.set_class_name("keys");
            if row.keys.is_empty() {
                let _ = append(&td, "span", "none");
            }
            for key in &row.keys {
                let _ = append(&td, "div", key);
            }
        }
        if let Some(td) = append(&tr, "td", &row.mfa) {
            td.set_class_name("mfa");
        }
        if let Some(td) = append(&tr, "td", "") {
            if let Some(button) = append(&td, "button", "Remove…") {
                let _ = button.set_attribute("type", "button");
                let _ = button.set_attribute("data-remove", &row.name);
                let _ = button.set_attribute("aria-label", &format!("Remove {}", row.name));
            }
        }
    }
    show("users", true);
    render_groups(&list.groups);
    let policy = list.password_policy.unwrap_or(PasswordPolicy::AWS_DEFAULT);
    let rules = match list.password_policy {
        Some(_) => format!(
            "The account's password policy: {}.",
            logic::policy_summary(&policy)
        ),
        None => format!(
            "The account's password policy could not be read; AWS's default is checked here \
             ({}), the account's own when the user is made.",
            logic::policy_summary(&policy)
        ),
    };
    set_text("password-rules", &rules);
}

fn render_groups(groups: &[String]) {
    let Some(holder) = by_id("groups") else {
        return;
    };
    holder.set_text_content(None);
    if groups.is_empty() {
        let _ =
            append(&holder, "p", "This account has no groups.").map(|p| p.set_class_name("muted"));
    }
    for group in groups {
        let Some(label) = append(&holder, "label", "") else {
            continue;
        };
        if let Some(check) = append(&label, "input", "") {
            let _ = check.set_attribute("type", "checkbox");
            let _ = check.set_attribute("data-group", group);
        }
        let _ = append(&label, "span", group);
    }
}

fn chosen_groups() -> Vec<String> {
    let Some(holder) = by_id("groups") else {
        return Vec::new();
    };
    let Ok(checks) = holder.query_selector_all("input[data-group]") else {
        return Vec::new();
    };
    (0..checks.length())
        .filter_map(|i| checks.item(i))
        .filter_map(|node| node.dyn_into::<HtmlInputElement>().ok())
        .filter(|check| check.checked())
        .filter_map(|check| check.get_attribute("data-group"))
        .collect()
}

fn read_form() -> CreateForm {
    let api_only = PAGE.with(|p| p.borrow().creating == Some(true));
    CreateForm {
        user_name: value("user-name").trim().to_owned(),
        console: checked("console"),
        type_password: checked("password-type"),
        password: value("password"),
        api: checked("api"),
        groups: chosen_groups(),
        policies: value("policies"),
        tags: value("tags"),
        store_profile: value("store-profile"),
        api_only,
    }
}

fn policy_and_target() -> (PasswordPolicy, UsersTarget) {
    PAGE.with(|p| {
        let page = p.borrow();
        (
            page.list
                .as_ref()
                .and_then(|l| l.password_policy)
                .unwrap_or(PasswordPolicy::AWS_DEFAULT),
            page.target.clone(),
        )
    })
}

fn render_problems(problems: &FormProblems) {
    for (id, problem) in [
        ("user-name-error", &problems.user_name),
        ("access-error", &problems.access),
        ("password-error", &problems.password),
        ("groups-error", &problems.groups),
        ("policies-error", &problems.policies),
        ("tags-error", &problems.tags),
        ("store-profile-error", &problems.store_profile),
    ] {
        field_error(id, problem.as_deref());
    }
}

/// Re-check the form as it is typed, and show which options apply.
fn on_form_input() {
    let form = read_form();
    show("console-options", form.console && !form.api_only);
    show("password", form.type_password);
    show("api-options", form.api || form.api_only);
    let (policy, target) = policy_and_target();
    let submitted = PAGE.with(|p| p.borrow().submitted);
    let problems = match logic::check_form(&form, &policy, &target) {
        Ok(_) => FormProblems::default(),
        Err(problems) if submitted => *problems,
        Err(problems) => problems.live(&form),
    };
    render_problems(&problems);
}

fn open_form(api_only: bool) {
    PAGE.with(|p| {
        let mut page = p.borrow_mut();
        page.creating = Some(api_only);
        page.submitted = false;
    });
    for id in ["user-name", "password", "policies", "tags", "store-profile"] {
        set_value(id, "");
    }
    set_checked("console", !api_only);
    set_checked("password-generate", true);
    set_checked("password-type", false);
    set_checked("api", api_only);
    if let Some(list) = PAGE.with(|p| p.borrow().list.clone()) {
        render_groups(&list.groups);
    }
    show("console-choice", !api_only);
    let title = if api_only {
        "API-only user: an access key, no console password"
    } else {
        "New user"
    };
    set_text("create-title", title);
    show("create-problem", false);
    on_form_input();
    show("create-form", true);
    if let Some(field) = input("user-name") {
        let _ = field.focus();
    }
}

fn close_form() {
    PAGE.with(|p| p.borrow_mut().creating = None);
    set_value("password", "");
    show("create-form", false);
}

fn on_create_submit() {
    PAGE.with(|p| p.borrow_mut().submitted = true);
    on_form_input();
    let (policy, target) = policy_and_target();
    if let Ok(params) = logic::check_form(&read_form(), &policy, &target) {
        show("create-problem", false);
        run(Action::Create(Box::new(params)));
    }
}

async fn create(params: UsersCreateParams, action: Action) {
    set_flag("create-submit", "disabled", true);
    busy(Some(&format!("Creating {}…", params.user_name)));
    let answer = ask::<UsersCreateData>(&PageRequest::UsersCreate(params)).await;
    busy(None);
    set_flag("create-submit", "disabled", false);
    match answer {
        Ok(data) => {
            close_form();
            render_handover(&data);
            run(Action::Load);
        }
        Err(error) => place_error(&error, action, "create-problem"),
    }
}

/// Show the hand-over once: each field with a copy button.
fn render_handover(data: &UsersCreateData) {
    let shown = logic::handover(data);
    set_text("handover-title", &shown.title);
    if let Some(list) = by_id("handover-fields") {
        list.set_text_content(None);
        for field in &shown.fields {
            let _ = append(&list, "dt", field.label);
            let Some(dd) = append(&list, "dd", "") else {
                continue;
            };
            if let Some(code) = append(&dd, "code", &field.value) {
                let _ = code.set_attribute("id", &format!("handover-{}", field.id));
                if field.secret {
                    code.set_class_name("secret");
                }
            }
            if let Some(button) = append(&dd, "button", "Copy") {
                let _ = button.set_attribute("type", "button");
                let _ = button.set_attribute("data-copy", &format!("handover-{}", field.id));
                let _ = button.set_attribute("aria-label", &format!("Copy {}", field.label));
            }
        }
    }
    if let Some(notes) = by_id("handover-notes") {
        notes.set_text_content(None);
        for note in &shown.notes {
            let _ = append(&notes, "li", note);
        }
    }
    show("handover", true);
    if let Some(section) = by_id("handover") {
        section.scroll_into_view();
    }
}

/// Forget the hand-over and the MFA seed (the page is left, or "Done" was pressed).
fn clear_secrets() {
    for id in ["handover-fields", "handover-notes", "mfa-qr", "mfa-seed"] {
        if let Some(element) = by_id(id) {
            element.set_text_content(None);
        }
    }
    show("handover", false);
    show("mfa-device", false);
    set_value("password", "");
}

async fn copy(source_id: String, button: Element) {
    let text = by_id(&source_id)
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    let done = chrome::clipboard_write_text(&text).await.is_ok();
    button.set_text_content(Some(if done { "Copied" } else { "Copy failed" }));
}

fn on_remove_request(name: String) {
    PAGE.with(|p| p.borrow_mut().removing = Some(name.clone()));
    set_text("remove-name", &name);
    set_value("remove-confirm", "");
    set_text("remove-error", "");
    show("remove-problem", false);
    show("remove-form", true);
    if let Some(field) = input("remove-confirm") {
        let _ = field.focus();
    }
}

fn on_remove_submit() {
    let Some(name) = PAGE.with(|p| p.borrow().removing.clone()) else {
        return;
    };
    let target = PAGE.with(|p| p.borrow().target.clone());
    match logic::check_removal(&name, &value("remove-confirm"), &target) {
        Ok(params) => {
            field_error("remove-confirm-error", None);
            run(Action::Remove(params));
        }
        Err(message) => field_error("remove-confirm-error", Some(&message)),
    }
}

async fn remove(params: UsersRemoveParams, action: Action) {
    set_flag("remove-submit", "disabled", true);
    busy(Some(&format!("Removing {}…", params.user_name)));
    let answer = ask::<UsersRemoveData>(&PageRequest::UsersRemove(params)).await;
    busy(None);
    set_flag("remove-submit", "disabled", false);
    match answer {
        Ok(data) => {
            PAGE.with(|p| p.borrow_mut().removing = None);
            show("remove-form", false);
            set_text(
                "notice",
                &format!(
                    "Removed {} from account {} ({}).",
                    data.user_name,
                    data.account_id,
                    data.removed.join(", ")
                ),
            );
            show("notice", true);
            run(Action::Load);
        }
        Err(error) => place_error(&error, action, "remove-problem"),
    }
}

fn render_mfa_status() {
    let (identity, shown) = PAGE.with(|p| {
        let page = p.borrow();
        (
            page.identity.clone(),
            page.list.as_ref().map(|l| l.account_id.clone()),
        )
    });
    let Some(identity) = identity else { return };
    let name = crate::view::account_panel::principal_name(&identity.arn);
    let status = match &identity.mfa.serial {
        Some(serial) => format!(
            "You sign in as {name} (profile {}); MFA is on: {}.",
            identity.profile,
            logic::short_name(serial)
        ),
        None => format!(
            "You sign in as {name} (profile {}) without MFA. Set up a virtual MFA device: \
             Switchyard then asks for its code before it uses your key.",
            identity.profile
        ),
    };
    set_text("mfa-status", &status);
    // Your own MFA belongs to your own account's page, and only an IAM user has one.
    let own_page = shown.as_deref() == Some(identity.account_id.as_str());
    show(
        "mfa-section",
        own_page && switchyard_shared::users::user_name_of(&identity.arn).is_some(),
    );
}

async fn mfa_setup(params: MfaSetupParams, action: Action) {
    set_flag("mfa-start", "disabled", true);
    set_text("mfa-setup-error", "");
    busy(Some("Creating a virtual MFA device…"));
    let answer = ask::<MfaSetupData>(&PageRequest::MfaSetup(params)).await;
    busy(None);
    set_flag("mfa-start", "disabled", false);
    match answer {
        Ok(data) => {
            let svg = QrMatrix::encode(&data.otpauth_uri).map(|m| m.svg(240));
            if let Some(holder) = by_id("mfa-qr") {
                match &svg {
                    Ok(svg) => holder.set_inner_html(svg),
                    Err(e) => holder.set_text_content(Some(e)),
                }
            }
            set_text("mfa-seed", &logic::grouped_seed(&data.seed));
            set_text("mfa-device-name", logic::short_name(&data.serial));
            PAGE.with(|p| p.borrow_mut().mfa_serial = Some(data.serial));
            for id in ["mfa-code1", "mfa-code2"] {
                set_value(id, "");
            }
            set_text("mfa-enable-error", "");
            show("mfa-device", true);
            show("mfa-done", false);
        }
        Err(error) => match logic::error_place(&error) {
            ErrorPlace::NeedsMfa => place_error(&error, action, "problem"),
            _ => set_text("mfa-setup-error", &error.message),
        },
    }
}

fn on_mfa_enable_submit() {
    let Some(serial) = PAGE.with(|p| p.borrow().mfa_serial.clone()) else {
        return;
    };
    match logic::check_enable_codes(&serial, &value("mfa-code1"), &value("mfa-code2"), None) {
        Ok(params) => {
            set_text("mfa-enable-error", "");
            run(Action::MfaEnable(params));
        }
        Err(message) => set_text("mfa-enable-error", &message),
    }
}

async fn mfa_enable(params: MfaEnableParams, action: Action) {
    set_flag("mfa-enable-submit", "disabled", true);
    busy(Some("Enabling the MFA device…"));
    let answer = ask::<MfaEnableData>(&PageRequest::MfaEnable(params)).await;
    busy(None);
    set_flag("mfa-enable-submit", "disabled", false);
    match answer {
        Ok(data) => {
            PAGE.with(|p| p.borrow_mut().mfa_serial = None);
            clear_secrets();
            set_text(
                "mfa-done",
                &format!(
                    "MFA is on: profile {} now signs in with {} and asks for its code.",
                    data.profile,
                    logic::short_name(&data.serial)
                ),
            );
            show("mfa-done", true);
            // The profile's next request needs a session from the new device.
            run(Action::Load);
        }
        Err(error) => match logic::error_place(&error) {
            ErrorPlace::NeedsMfa => place_error(&error, action, "problem"),
            _ => set_text("mfa-enable-error", &error.message),
        },
    }
}

fn on_mfa_code_submit() {
    let code = value("mfa-code");
    if let Err(message) = switchyard_shared::protocol::aws::check_mfa_code(&code) {
        set_text("mfa-error", &message);
        set_flag("mfa-code", "aria-invalid", true);
        return;
    }
    set_flag("mfa-code", "aria-invalid", false);
    let code = code.trim().to_owned();
    wasm_bindgen_futures::spawn_local(async move {
        set_flag("mfa-submit", "disabled", true);
        let answer = ask::<MfaSessionData>(&PageRequest::MfaSubmit {
            code,
            profile: None,
        })
        .await;
        set_flag("mfa-submit", "disabled", false);
        match answer {
            Ok(_) => {
                show("mfa-form", false);
                let again = PAGE.with(|p| p.borrow_mut().after_mfa.take());
                run(again.unwrap_or(Action::Load));
            }
            Err(error) => set_text("mfa-error", &error.message),
        }
    });
}

fn prevent(event: &web_sys::Event) {
    event.prevent_default();
}

fn wire_events() {
    on("new-user", "click", |_| open_form(false));
    on("new-api-user", "click", |_| open_form(true));
    on("create-cancel", "click", |_| close_form());
    on("create-form", "input", |_| on_form_input());
    on("create-form", "change", |_| on_form_input());
    on("create-form", "submit", |event| {
        prevent(&event);
        on_create_submit();
    });
    on("users-rows", "click", |event| {
        let name = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("button[data-remove]").ok().flatten())
            .and_then(|b| b.get_attribute("data-remove"));
        if let Some(name) = name {
            on_remove_request(name);
        }
    });
    on("remove-form", "submit", |event| {
        prevent(&event);
        on_remove_submit();
    });
    on("remove-cancel", "click", |_| {
        PAGE.with(|p| p.borrow_mut().removing = None);
        show("remove-form", false);
    });
    on("handover", "click", |event| {
        let button = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("button[data-copy]").ok().flatten());
        if let Some(button) = button {
            if let Some(source) = button.get_attribute("data-copy") {
                wasm_bindgen_futures::spawn_local(copy(source, button));
            }
        }
    });
    on("handover-done", "click", |_| clear_secrets());
    on("mfa-form", "submit", |event| {
        prevent(&event);
        on_mfa_code_submit();
    });
    on("retry", "click", |_| run(Action::Load));
    on("account-picker", "change", |event| {
        let href = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            .map(|s| s.value());
        if let (Some(href), Some(window)) = (href, web_sys::window()) {
            let _ = window.location().set_href(&href);
        }
    });
    on("mfa-start", "click", |_| {
        let name = value("mfa-device-name-input").trim().to_owned();
        run(Action::MfaSetup(MfaSetupParams {
            profile: None,
            device_name: Some(name).filter(|n| !n.is_empty()),
        }));
    });
    on("mfa-enable-form", "submit", |event| {
        prevent(&event);
        on_mfa_enable_submit();
    });
    on("mfa-cancel", "click", |_| {
        PAGE.with(|p| p.borrow_mut().mfa_serial = None);
        clear_secrets();
    });
    // Leaving the page (or it going into the back/forward cache) forgets the secrets.
    if let Some(window) = web_sys::window() {
        let closure =
            Closure::<dyn FnMut(web_sys::Event)>::new(|_: web_sys::Event| clear_secrets())
                .into_js_value();
        let _ = window.add_event_listener_with_callback("pagehide", closure.unchecked_ref());
    }
}
