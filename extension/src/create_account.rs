//! The create-account page (`create-account.html`, opened by the "Create client
//! account…" context-menu entry) and that entry itself.
//!
//! A thin DOM layer: what the form checks, defaults and shows is
//! `crate::view::provision_form`'s. The page first asks `provision.allowed` and
//! shows the form only when the user's policies allow `organizations:CreateAccount`
//! (else why not); the e-mail is checked live (`account.check_email`, debounced); a
//! submitted form becomes `account.create`, and the job is followed with `job.watch`
//! long-polls on a native port of the page's own ([`PagePort`]), each step shown as it
//! happens. The host relays one request at a time per port, so the page keeps three:
//! quick requests, the lists (users, accounts, Identity Center's choices), and the watch.
//! When the organization has an Identity Center instance (`identity_center.options`),
//! the form offers an Identity Center permission set for an Identity Center group instead
//! of (or beside) the IAM group. "Root user of an account" asks `account.root` (by itself
//! for a new account) and offers its tasks, or the manual reset's steps. A "Close an
//! account" section sends `account.close` once the name is typed, and offers to queue the
//! closure when the quota has no room. Requests act for the profile chosen on the options
//! page.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use crate::view::provision_form::{
    self as form, close_confirmed, defaults, email_to_check, field_messages, Access, CloseOutcome,
    Field, FormInput, Gate, IdentityCenterOffer, MENU_ID, MENU_TITLE,
};
use serde::de::DeserializeOwned;
use switchyard_shared::protocol::aws::{AccountsData, MfaSubmitParams, ProfileParams};
use switchyard_shared::protocol::provision::{
    CheckEmailData, CheckEmailParams, CloseAccountData, CloseAccountParams, IdentityCenterData,
    IdentityCenterOptions, Job, JobState, JobWatchData, JobWatchParams, ProvisionAllowedData,
    RootAccessData, RootAccessParams, RootTask, StepState,
};
use switchyard_shared::protocol::users::{UsersListData, UsersTarget};
use switchyard_shared::protocol::{AccountsListParams, ErrorBody, ErrorCode, Request};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use crate::chrome;
use crate::page_port::PagePort;

/// How long the page waits for quick requests, for the users and accounts lists, for a
/// watch (its wait plus slack) and for closing (followed up to a minute by the daemon).
const QUICK_MS: u32 = 30_000;
const LIST_MS: u32 = 60_000;
const WATCH_MS: u32 = 40_000;
const CLOSE_MS: u32 = 90_000;
/// The pause after the last keystroke before the e-mail is looked up.
const EMAIL_DEBOUNCE_MS: u32 = 400;

#[wasm_bindgen]
extern "C" {
    /// `chrome.contextMenus.create(properties, callback)`.
    #[wasm_bindgen(js_namespace = ["chrome", "contextMenus"], js_name = create)]
    fn context_menus_create(properties: &JsValue, callback: &js_sys::Function);
}

/// Register the "Create client account…" entry (called by `background.js` when the
/// extension is installed or updated).
#[wasm_bindgen]
pub fn context_menu_register() {
    let properties = chrome::from_json_text(
        &serde_json::json!({"id": MENU_ID, "title": MENU_TITLE, "contexts": ["all"]}).to_string(),
    );
    // Reading lastError in the callback marks a duplicate id (an update) as handled.
    let done = Closure::once_into_js(|| {
        let _ = chrome::last_error_message();
    });
    context_menus_create(&properties, done.unchecked_ref());
}

/// The entry was clicked (`info` is the browser's OnClickData): open the form in a new
/// tab with the selected text as the name.
#[wasm_bindgen]
pub async fn menu_clicked(info: JsValue) -> Result<(), JsValue> {
    let field = |name: &str| {
        js_sys::Reflect::get(&info, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    if field("menuItemId").as_deref() != Some(MENU_ID) {
        return Ok(());
    }
    let url = form::form_url(field("selectionText").as_deref());
    let properties = chrome::from_json_text(&serde_json::json!({ "url": url }).to_string());
    chrome::tabs_create(&properties).await.map(|_| ())
}

#[derive(Default)]
struct State {
    allowed: Option<ProvisionAllowedData>,
    /// Fields the user typed in, which no longer follow the name.
    edited: BTreeSet<Field>,
    /// Fields whose problems are shown (typed in, or all after a submit).
    touched: BTreeSet<Field>,
    /// Who uses the e-mail, when the live check found it used.
    email_used_by: Option<String>,
    /// Member accounts for the close and root sections: id → name.
    accounts: BTreeMap<String, String>,
    /// Their root users' e-mail addresses, where known: id → e-mail.
    emails: BTreeMap<String, String>,
    /// The organization's Identity Center choices (none: no instance, or not read yet).
    identity_center: Option<IdentityCenterOptions>,
    /// The account whose root user was checked for a finished job (checked once).
    root_checked_for: Option<String>,
    /// The account the root panel shows.
    root_account: Option<String>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static PORT: PagePort = PagePort::default();
    static WATCH_PORT: PagePort = PagePort::default();
    /// For the users and accounts lists, which can take seconds in a large account, so
    /// the live e-mail check never queues behind them.
    static LIST_PORT: PagePort = PagePort::default();
    static EMAIL_TOKEN: Cell<u32> = const { Cell::new(0) };
}

fn page() -> Option<Document> {
    web_sys::window().and_then(|window| window.document())
}

fn by_id(id: &str) -> Option<Element> {
    page().and_then(|d| d.get_element_by_id(id))
}

fn get_prop(id: &str, prop: &str) -> JsValue {
    by_id(id)
        .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str(prop)).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// The `value` of an input, textarea or select.
fn value(id: &str) -> String {
    get_prop(id, "value").as_string().unwrap_or_default()
}

fn set_value(id: &str, text: &str) {
    if let Some(element) = by_id(id) {
        let _ = js_sys::Reflect::set(&element, &"value".into(), &JsValue::from_str(text));
    }
}

fn set_text(id: &str, text: &str) {
    if let Some(element) = by_id(id) {
        element.set_text_content(Some(text));
    }
}

/// Set or remove a boolean attribute (`hidden`, `disabled`).
fn set_flag(id: &str, name: &str, on: bool) {
    if let Some(element) = by_id(id) {
        let _ = if on {
            element.set_attribute(name, "")
        } else {
            element.remove_attribute(name)
        };
    }
}

fn show(id: &str, shown: bool) {
    set_flag(id, "hidden", !shown);
}

fn focus(id: &str) {
    if let Some(element) = by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

fn on(id: &str, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    if let Some(element) = by_id(id) {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler).into_js_value();
        let _ = element.add_event_listener_with_callback(event, closure.unchecked_ref());
    }
}

async fn ask_on<T: DeserializeOwned>(
    port: &'static std::thread::LocalKey<PagePort>,
    request: Request,
    timeout_ms: u32,
) -> Result<T, ErrorBody> {
    let port = port.with(Clone::clone);
    let data = port.request(&request, timeout_ms).await?;
    serde_json::from_value(data).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("the daemon's answer has an unexpected shape ({e}): update the older of the extension and switchyard"),
        )
    })
}

async fn ask<T: DeserializeOwned>(request: Request, timeout_ms: u32) -> Result<T, ErrorBody> {
    ask_on(&PORT, request, timeout_ms).await
}

fn profile() -> Option<String> {
    STATE.with(|s| s.borrow().allowed.as_ref().map(|a| a.profile.clone()))
}

/// Called by `create-account.js` once the module loaded.
#[wasm_bindgen]
pub fn create_account_start() {
    let search = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"location".into()).ok())
        .and_then(|l| js_sys::Reflect::get(&l, &"search".into()).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    set_value(Field::Name.id(), &form::name_from_query(&search));
    wire();
    wasm_bindgen_futures::spawn_local(gate());
}

fn wire() {
    on("create-form", "input", |event| {
        let id = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|e| e.id())
            .unwrap_or_default();
        on_input(&id);
    });
    on("create-form", "change", |event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if target.has_attribute("data-user") {
            STATE.with(|s| s.borrow_mut().touched.insert(Field::Users));
            validate();
        } else if target.get_attribute("name").as_deref() == Some("access") {
            apply_access();
            validate();
        } else if let Some(field) = [Field::PermissionSet, Field::SsoGroup]
            .into_iter()
            .find(|f| f.id() == target.id())
        {
            STATE.with(|s| s.borrow_mut().touched.insert(field));
            validate();
        }
    });
    on("create-form", "submit", |event| {
        event.prevent_default();
        submit();
    });
    on("mfa-form", "submit", |event| {
        event.prevent_default();
        wasm_bindgen_futures::spawn_local(submit_mfa());
    });
    on("gate-retry", "click", |_| {
        wasm_bindgen_futures::spawn_local(gate())
    });
    on("close-account", "change", |_| close_ready());
    on("close-confirm", "input", |_| close_ready());
    on("close-submit", "click", |_| {
        wasm_bindgen_futures::spawn_local(close_account(false))
    });
    on("close-queue", "click", |_| {
        wasm_bindgen_futures::spawn_local(close_account(true))
    });
    on("root-check", "click", |_| {
        let account = value("root-account");
        wasm_bindgen_futures::spawn_local(check_root(account, None));
    });
    on("root-account", "change", |_| show("root-panel", false));
    on("root-confirm", "input", |_| root_delete_ready());
    on("root-allow", "click", |_| {
        if let Some(account) = STATE.with(|s| s.borrow().root_account.clone()) {
            wasm_bindgen_futures::spawn_local(check_root(
                account,
                Some(RootTask::AllowPasswordRecovery),
            ));
        }
    });
    on("root-delete", "click", |_| {
        if let Some(account) = STATE.with(|s| s.borrow().root_account.clone()) {
            wasm_bindgen_futures::spawn_local(check_root(
                account,
                Some(RootTask::DeleteCredentials),
            ));
        }
    });
}

/// Ask whether the user may create accounts, then show the form or why not.
async fn gate() {
    show("gate-busy", true);
    show("unavailable", false);
    show("mfa-form", false);
    // The profile chosen on the options page (the daemon's default when none is); every
    // later request names the profile this answer is for.
    let profile = crate::storage::settings().await.profile;
    let allowed: Result<ProvisionAllowedData, ErrorBody> = ask(
        Request::ProvisionAllowed(ProfileParams { profile }),
        LIST_MS,
    )
    .await;
    show("gate-busy", false);
    let allowed = match allowed {
        Ok(allowed) => allowed,
        Err(e) if e.code == ErrorCode::MfaRequired => {
            show("mfa-form", true);
            focus("mfa-code");
            return;
        }
        Err(e) => return unavailable(&e.message, Some(e.code.as_str())),
    };
    match form::gate(&allowed) {
        Gate::Unavailable { why } => unavailable(&why, None),
        Gate::Form { notice } => {
            set_text("gate-notice", notice.as_deref().unwrap_or_default());
            show("gate-notice", notice.is_some());
            set_text("caller-arn", &allowed.caller_arn);
            STATE.with(|s| s.borrow_mut().allowed = Some(allowed));
            show("create-form", true);
            follow_name();
            if !value(Field::Name.id()).is_empty() {
                STATE.with(|s| s.borrow_mut().touched.insert(Field::Name));
            }
            validate();
            schedule_email_check();
            focus(Field::Name.id());
            wasm_bindgen_futures::spawn_local(async {
                // One at a time on the lists' port, the quickest first.
                load_identity_center().await;
                load_users().await;
                load_accounts().await;
            });
        }
    }
}

fn unavailable(why: &str, code: Option<&str>) {
    set_text("unavailable-why", why);
    set_text("unavailable-code", code.unwrap_or_default());
    show("unavailable-code-line", code.is_some());
    show("unavailable", true);
}

async fn submit_mfa() {
    let code = value("mfa-code");
    if let Err(message) = switchyard_shared::protocol::aws::check_mfa_code(&code) {
        return set_text("mfa-error", &message);
    }
    let answer: Result<serde_json::Value, ErrorBody> = ask(
        Request::MfaSubmit(MfaSubmitParams {
            profile: crate::storage::settings().await.profile,
            code: code.trim().to_owned(),
        }),
        QUICK_MS,
    )
    .await;
    match answer {
        Ok(_) => {
            set_text("mfa-error", "");
            gate().await;
        }
        Err(e) => set_text("mfa-error", &e.message),
    }
}

async fn load_users() {
    let answer: Result<UsersListData, ErrorBody> = ask_on(
        &LIST_PORT,
        Request::UsersList(UsersTarget {
            profile: profile(),
            ..UsersTarget::default()
        }),
        LIST_MS,
    )
    .await;
    let me = STATE.with(|s| {
        s.borrow()
            .allowed
            .as_ref()
            .and_then(|a| a.user_name.clone())
    });
    let (Some(document), Some(list)) = (page(), by_id("users-list")) else {
        return;
    };
    match answer {
        Ok(data) => {
            show("users-busy", false);
            list.set_text_content(None);
            for user in &data.users {
                let Ok(item) = document.create_element("li") else {
                    continue;
                };
                let Ok(label) = document.create_element("label") else {
                    continue;
                };
                label.set_class_name("check");
                let Ok(input) = document.create_element("input") else {
                    continue;
                };
                let _ = input.set_attribute("type", "checkbox");
                let _ = input.set_attribute("data-user", &user.user_name);
                let _ = input.set_attribute("value", &user.user_name);
                if me.as_deref() == Some(user.user_name.as_str()) {
                    let _ = input.set_attribute("checked", "");
                }
                let _ = label.append_child(&input);
                let _ = label.append_with_str_1(&user.user_name);
                let _ = item.append_child(&label);
                let _ = list.append_child(&item);
            }
            if data.users.is_empty() {
                set_text("users-busy", "The management account has no IAM users.");
                show("users-busy", true);
            }
        }
        Err(e) => set_text(
            "users-busy",
            &format!("The users could not be read: {}", e.message),
        ),
    }
}

/// The users ticked.
fn chosen_users() -> Vec<String> {
    let Some(list) = by_id("users-list") else {
        return Vec::new();
    };
    let Ok(boxes) = list.query_selector_all("input[data-user]") else {
        return Vec::new();
    };
    (0..boxes.length())
        .filter_map(|i| boxes.item(i))
        .filter(|node| {
            js_sys::Reflect::get(node, &"checked".into())
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        })
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .filter_map(|e| e.get_attribute("data-user"))
        .collect()
}

/// Ask whether the organization has an Identity Center instance, and offer its choices.
async fn load_identity_center() {
    let answer: Result<IdentityCenterData, ErrorBody> = ask_on(
        &LIST_PORT,
        Request::IdentityCenterOptions(ProfileParams { profile: profile() }),
        LIST_MS,
    )
    .await;
    let data = match answer {
        Ok(data) => data,
        Err(e) => {
            // Without the lists only the IAM group can be offered; say why.
            set_text(
                "access-busy",
                &format!(
                    "Identity Center could not be read ({}): accounts get the IAM group.",
                    e.message
                ),
            );
            return;
        }
    };
    show("access-busy", false);
    match form::identity_center_offer(&data) {
        IdentityCenterOffer::NotOffered => show("access-field", false),
        IdentityCenterOffer::Offered {
            permission_sets,
            groups,
            note,
        } => {
            fill_select(
                "permission-set",
                "Choose a permission set…",
                &permission_sets,
            );
            fill_select("sso-group", "Choose a group…", &groups);
            set_text("ic-note", note.as_deref().unwrap_or_default());
            show("ic-note", note.is_some());
            STATE.with(|s| s.borrow_mut().identity_center = data.identity_center);
            show("access-field", true);
            apply_access();
        }
    }
}

/// Replace a `<select>`'s options with an empty first choice (`prompt`) and `choices`.
fn fill_select(id: &str, prompt: &str, choices: &[form::Choice]) {
    let (Some(document), Some(select)) = (page(), by_id(id)) else {
        return;
    };
    select.set_text_content(None);
    let first = std::iter::once(("", prompt));
    let rest = choices.iter().map(|c| (c.value.as_str(), c.label.as_str()));
    for (value, label) in first.chain(rest) {
        if let Ok(option) = document.create_element("option") {
            let _ = option.set_attribute("value", value);
            option.set_text_content(Some(label));
            let _ = select.append_child(&option);
        }
    }
}

/// The access radio button chosen.
fn chosen_access() -> Access {
    page()
        .and_then(|d| {
            d.query_selector("input[name=access]:checked")
                .ok()
                .flatten()
        })
        .and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .map(|v| Access::from_value(&v))
        .unwrap_or_default()
}

/// Show the fields the chosen access uses.
fn apply_access() {
    let access = chosen_access();
    show("ic-fields", access.uses_identity_center());
    show("group-fields", access.uses_group());
    show("users-field", access.uses_group());
}

fn read_form() -> FormInput {
    FormInput {
        name: value(Field::Name.id()),
        email: value(Field::Email.id()),
        role_name: value(Field::RoleName.id()),
        group_name: value(Field::GroupName.id()),
        policy_name: value(Field::PolicyName.id()),
        users: chosen_users(),
        tags: value(Field::Tags.id()),
        ou_id: value(Field::OuId.id()),
        role_policies: value(Field::RolePolicies.id()),
        billing: value("billing"),
        display_name: value(Field::DisplayName.id()),
        color: value(Field::Color.id()),
        access: chosen_access(),
        permission_set: value(Field::PermissionSet.id()),
        sso_group: value(Field::SsoGroup.id()),
    }
}

/// Fill the fields the user has not typed in with the name's defaults.
fn follow_name() {
    let name = value(Field::Name.id());
    let (edited, template) = STATE.with(|s| {
        let s = s.borrow();
        (
            s.edited.clone(),
            s.allowed.as_ref().and_then(|a| a.email_template.clone()),
        )
    });
    let d = defaults(&name, template.as_deref());
    for (field, text) in [
        (Field::RoleName, Some(d.role_name)),
        (Field::GroupName, Some(d.group_name)),
        (Field::PolicyName, Some(d.policy_name)),
        (Field::Email, d.email),
    ] {
        if let (false, Some(text)) = (edited.contains(&field), text) {
            set_value(field.id(), &text);
        }
    }
}

fn on_input(id: &str) {
    let Some(field) = Field::ALL.iter().copied().find(|f| f.id() == id) else {
        return;
    };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.touched.insert(field);
        if field != Field::Name {
            s.edited.insert(field);
        }
    });
    if field == Field::Name {
        follow_name();
    }
    if matches!(field, Field::Name | Field::Email) {
        STATE.with(|s| s.borrow_mut().email_used_by = None);
        schedule_email_check();
    }
    validate();
}

/// Show the problems of the touched fields; the request when there are none at all.
fn validate() -> Option<switchyard_shared::protocol::provision::CreateAccountParams> {
    let input = read_form();
    let (touched, used_by, profile, identity_center) = STATE.with(|s| {
        let s = s.borrow();
        (
            s.touched.clone(),
            s.email_used_by.clone(),
            s.allowed.as_ref().map(|a| a.profile.clone()),
            s.identity_center.clone(),
        )
    });
    let checked = form::check_with(&input, profile.as_deref(), identity_center.as_ref());
    let mut messages = match &checked {
        Ok(_) => BTreeMap::new(),
        Err(problems) => field_messages(problems),
    };
    if let Some(by) = &used_by {
        messages.entry(Field::Email).or_insert_with(|| {
            format!("{by} already uses this address: choose another (e.g. a +suffix address)")
        });
    }
    for field in Field::ALL {
        let message = messages
            .get(field)
            .filter(|_| touched.contains(field))
            .cloned()
            .unwrap_or_default();
        set_text(&format!("{}-error", field.id()), &message);
        if let Some(input) = by_id(field.id()) {
            let _ = input.set_attribute(
                "aria-invalid",
                if message.is_empty() { "false" } else { "true" },
            );
        }
    }
    match checked {
        Ok(params) if used_by.is_none() => Some(params),
        _ => None,
    }
}

/// Look the e-mail up once typing stops (a newer keystroke makes older answers moot).
fn schedule_email_check() {
    let token = EMAIL_TOKEN.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    set_text("email-status", "");
    let later = Closure::once_into_js(move || {
        wasm_bindgen_futures::spawn_local(check_email(token));
    });
    chrome::set_timeout(later.unchecked_ref(), EMAIL_DEBOUNCE_MS);
}

async fn check_email(token: u32) {
    let current = || EMAIL_TOKEN.with(Cell::get) == token;
    if !current() {
        return;
    }
    let Some(email) = email_to_check(&value(Field::Email.id())) else {
        return;
    };
    set_status("", "Checking the organization…");
    let answer: Result<CheckEmailData, ErrorBody> = ask(
        Request::AccountCheckEmail(CheckEmailParams {
            profile: profile(),
            email,
        }),
        QUICK_MS,
    )
    .await;
    if !current() {
        return;
    }
    match answer {
        Ok(data) => {
            let used = data.used_by.clone().filter(|_| data.in_use);
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.email_used_by = used.clone();
                s.touched.insert(Field::Email);
            });
            match used {
                Some(by) => set_status("used", &format!("Already used by {by}.")),
                None => set_status(
                    "free",
                    &format!("No account of the organization uses {}.", data.email),
                ),
            }
            validate();
        }
        Err(e) => set_status("", &format!("Could not check the address: {}", e.message)),
    }
}

fn set_status(class: &str, text: &str) {
    if let Some(status) = by_id("email-status") {
        status.set_class_name(&format!("status {class}"));
        status.set_text_content(Some(text));
    }
}

fn submit() {
    STATE.with(|s| s.borrow_mut().touched.extend(Field::ALL.iter().copied()));
    let Some(params) = validate() else {
        if let Some(field) = Field::ALL.iter().copied().find(|f| has_error(*f)) {
            if matches!(field, Field::Tags | Field::OuId | Field::RolePolicies) {
                set_flag("optional", "open", true);
            }
            focus(field.id());
        }
        return;
    };
    set_flag("create-submit", "disabled", true);
    show("form-error", false);
    wasm_bindgen_futures::spawn_local(async move {
        let answer: Result<Job, ErrorBody> = ask(Request::AccountCreate(params), LIST_MS).await;
        set_flag("create-submit", "disabled", false);
        match answer {
            Ok(job) => {
                show("create-form", false);
                show("progress", true);
                render_job(&job);
                follow(job.id.clone()).await;
            }
            Err(e) => {
                set_text(
                    "form-error",
                    &format!("{} ({})", e.message, e.code.as_str()),
                );
                show("form-error", true);
            }
        }
    });
}

fn has_error(field: Field) -> bool {
    by_id(&format!("{}-error", field.id()))
        .and_then(|e| e.text_content())
        .is_some_and(|t| !t.is_empty())
}

/// Follow the job with `job.watch` until it stops, rendering each answer as it comes.
async fn follow(id: String) {
    let mut after = 0;
    let mut failures = 0;
    loop {
        let request = Request::JobWatch(JobWatchParams {
            job: id.clone(),
            after,
            wait_secs: None,
        });
        match ask_on::<JobWatchData>(&WATCH_PORT, request, WATCH_MS).await {
            Ok(watched) => {
                failures = 0;
                after = watched.seq;
                log_events(&watched);
                render_job(&watched.job);
                if watched.job.state != JobState::Running {
                    return;
                }
            }
            Err(e) if e.code == ErrorCode::JobNotFound || failures >= 3 => {
                set_text(
                    "progress-headline",
                    &format!("Lost track of the job: {}", e.message),
                );
                return;
            }
            // A dropped port or a slow daemon: ask again (the journal has every event).
            Err(_) => failures += 1,
        }
    }
}

fn log_events(watched: &JobWatchData) {
    let (Some(document), Some(log)) = (page(), by_id("progress-log")) else {
        return;
    };
    for event in &watched.events {
        if let Ok(item) = document.create_element("li") {
            item.set_text_content(Some(&event.describe()));
            let _ = item.set_attribute("data-seq", &event.seq.to_string());
            let _ = log.append_child(&item);
        }
    }
}

fn render_job(job: &Job) {
    set_text("progress-headline", &form::headline(job));
    if let Some(heading) = by_id("progress-headline") {
        let _ = heading.set_attribute("data-state", job.state.as_str());
    }
    let (Some(document), Some(list)) = (page(), by_id("progress-steps")) else {
        return;
    };
    list.set_text_content(None);
    for line in form::progress(job) {
        let Ok(item) = document.create_element("li") else {
            continue;
        };
        item.set_class_name(line.state.as_str());
        let _ = item.set_attribute("data-state", line.state.as_str());
        if let Ok(state) = document.create_element("span") {
            state.set_class_name("state");
            state.set_text_content(Some(match line.state {
                StepState::Pending => "waiting",
                StepState::Running => "running…",
                StepState::Done => "done",
                StepState::Skipped => "skipped",
                StepState::Failed => "failed",
            }));
            let _ = item.append_child(&state);
        }
        let _ = item.append_with_str_1(line.title);
        if let (Some(detail), Ok(span)) = (&line.detail, document.create_element("span")) {
            span.set_class_name("detail");
            span.set_text_content(Some(detail));
            let _ = item.append_child(&span);
        }
        let _ = list.append_child(&item);
    }
    if let Some(link) = &job.switch_link {
        if let Some(anchor) = by_id("switch-link") {
            let _ = anchor.set_attribute("href", link);
            anchor.set_text_content(Some(link));
        }
        show("switch-link-row", true);
    }
    if let (JobState::Done, Some(account)) = (job.state, &job.account_id) {
        let first = STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.accounts.insert(account.clone(), job.plan.name.clone());
            s.emails.insert(account.clone(), job.plan.email.clone());
            let first = s.root_checked_for.as_ref() != Some(account);
            s.root_checked_for = Some(account.clone());
            first
        });
        fill_close_accounts(Some(account));
        if first {
            // The runbook's last manual step: what the new root user needs, and the tasks.
            show("root-section", true);
            set_flag("root-section", "open", true);
            wasm_bindgen_futures::spawn_local(check_root(account.clone(), None));
        }
    }
}

/// Ask `account.root` for `account` (running `task` when given) and draw the answer.
async fn check_root(account: String, task: Option<RootTask>) {
    if account.is_empty() {
        return;
    }
    STATE.with(|s| s.borrow_mut().root_account = Some(account.clone()));
    set_value("root-account", &account);
    set_text(
        "root-busy",
        match task {
            None => "Looking at the root user…",
            Some(RootTask::AllowPasswordRecovery) => "Allowing root password recovery…",
            Some(RootTask::DeleteCredentials) => "Deleting the root credentials…",
        },
    );
    set_text("root-result", "");
    for id in ["root-check", "root-allow", "root-delete"] {
        set_flag(id, "disabled", true);
    }
    let answer: Result<RootAccessData, ErrorBody> = ask(
        Request::AccountRoot(RootAccessParams {
            profile: profile(),
            account_id: account.clone(),
            task,
        }),
        QUICK_MS,
    )
    .await;
    set_text("root-busy", "");
    set_flag("root-check", "disabled", false);
    set_flag("root-allow", "disabled", false);
    match answer {
        Ok(data) => render_root(&data),
        Err(e) => set_text(
            "root-result",
            &format!("{} ({})", e.message, e.code.as_str()),
        ),
    }
    root_delete_ready();
}

fn render_root(data: &RootAccessData) {
    let email = STATE.with(|s| s.borrow().emails.get(&data.account_id).cloned());
    let view = form::root_view(data, email.as_deref());
    set_text("root-headline", &view.headline);
    fill_list("root-steps", &view.manual_steps);
    show("root-steps", !view.manual_steps.is_empty());
    set_text("root-advice", view.advice.as_deref().unwrap_or_default());
    show("root-advice", view.advice.is_some());
    for task in &view.tasks {
        let (button, explain) = match task.task {
            RootTask::AllowPasswordRecovery => ("root-allow", "root-allow-explain"),
            RootTask::DeleteCredentials => ("root-delete", "root-delete-explain"),
        };
        set_text(button, task.label);
        set_text(explain, task.explain);
    }
    show("root-tasks", !view.tasks.is_empty());
    fill_list("root-done", &view.done);
    show("root-done", !view.done.is_empty());
    if let Some(panel) = by_id("root-panel") {
        let _ = panel.set_attribute(
            "data-centralized",
            if data.centralized { "true" } else { "false" },
        );
    }
    show("root-panel", true);
}

/// Replace a list's items with `lines`.
fn fill_list(id: &str, lines: &[String]) {
    let (Some(document), Some(list)) = (page(), by_id(id)) else {
        return;
    };
    list.set_text_content(None);
    for line in lines {
        if let Ok(item) = document.create_element("li") {
            item.set_text_content(Some(line));
            let _ = list.append_child(&item);
        }
    }
}

/// Deleting the root credentials needs the account's name typed exactly.
fn root_delete_ready() {
    let name = STATE.with(|s| {
        let s = s.borrow();
        s.root_account
            .as_ref()
            .and_then(|id| s.accounts.get(id).cloned())
            .unwrap_or_default()
    });
    set_flag(
        "root-delete",
        "disabled",
        !close_confirmed(&value("root-confirm"), &name),
    );
}

async fn load_accounts() {
    let answer: Result<AccountsData, ErrorBody> = ask_on(
        &LIST_PORT,
        Request::AccountsList(AccountsListParams {
            profile: profile(),
            refresh: false,
        }),
        LIST_MS,
    )
    .await;
    let Ok(data) = answer else { return };
    let management = data
        .organization
        .as_ref()
        .map(|o| o.management_account_id.clone());
    let members: Vec<_> = data
        .accounts
        .into_iter()
        .filter(|a| Some(&a.id) != management.as_ref())
        .filter(|a| a.state.as_deref().is_none_or(|s| s == "ACTIVE"))
        .collect();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        for account in members {
            if let Some(email) = account.email {
                s.emails.insert(account.id.clone(), email);
            }
            s.accounts.insert(account.id, account.name);
        }
    });
    fill_close_accounts(None);
    show("close-section", true);
    show("root-section", true);
}

/// The member accounts into the close and root sections' lists (`selected` chosen).
fn fill_close_accounts(selected: Option<&str>) {
    let accounts = STATE.with(|s| s.borrow().accounts.clone());
    let mut sorted: Vec<(String, String)> = accounts.into_iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    let choices: Vec<form::Choice> = sorted
        .into_iter()
        .map(|(id, name)| form::Choice {
            label: format!("{name} ({id})"),
            value: id,
        })
        .collect();
    for id in ["close-account", "root-account"] {
        let (Some(document), Some(select)) = (page(), by_id(id)) else {
            continue;
        };
        let keep = selected.map(str::to_owned).unwrap_or_else(|| value(id));
        select.set_text_content(None);
        for choice in &choices {
            if let Ok(option) = document.create_element("option") {
                let _ = option.set_attribute("value", &choice.value);
                option.set_text_content(Some(&choice.label));
                let _ = select.append_child(&option);
            }
        }
        if !keep.is_empty() {
            set_value(id, &keep);
        }
    }
    close_ready();
}

fn close_ready() {
    show("close-queue-offer", false);
    let id = value("close-account");
    let name = STATE.with(|s| s.borrow().accounts.get(&id).cloned().unwrap_or_default());
    set_flag(
        "close-submit",
        "disabled",
        !close_confirmed(&value("close-confirm"), &name),
    );
}

/// Close the chosen account; with `queue`, queue the closure when the quota has no room.
async fn close_account(queue: bool) {
    let remove_group = get_prop("close-remove-group", "checked")
        .as_bool()
        .unwrap_or(false);
    let params = CloseAccountParams {
        profile: profile(),
        account_id: value("close-account"),
        confirm: value("close-confirm"),
        remove_group,
        queue,
    };
    set_flag("close-submit", "disabled", true);
    show("close-queue-offer", false);
    set_text("close-result", if queue { "Queueing…" } else { "Closing…" });
    let answer: Result<CloseAccountData, ErrorBody> =
        ask(Request::AccountClose(params), CLOSE_MS).await;
    match answer {
        Ok(data) if data.queued.is_some() => {
            let now = (js_sys::Date::now() / 1000.0) as u64;
            let line = data
                .queued
                .as_ref()
                .map(|q| crate::view::closures::closure_line(q, now))
                .unwrap_or_default();
            set_text(
                "close-result",
                &format!(
                    "{line}. The daemon closes it when the quota allows (closures in the \
                     rolling 30 days: {} of {}).",
                    data.quota.used, data.quota.limit
                ),
            );
            STATE.with(|s| s.borrow_mut().accounts.remove(&data.account_id));
            set_value("close-confirm", "");
            fill_close_accounts(None);
        }
        Ok(data) => {
            let mut text = format!(
                "{} ({}) is {}. Closures left in the rolling 30 days: {} of {}.",
                data.name, data.account_id, data.state, data.quota.remaining, data.quota.limit
            );
            if !data.removed.is_empty() {
                text.push_str(&format!(" Removed: {}.", data.removed.join(", ")));
            }
            set_text("close-result", &text);
            STATE.with(|s| s.borrow_mut().accounts.remove(&data.account_id));
            set_value("close-confirm", "");
            fill_close_accounts(None);
        }
        Err(e) => {
            close_ready();
            match form::close_refused(&e) {
                CloseOutcome::Said(text) => set_text("close-result", &text),
                CloseOutcome::OfferQueue { why } => {
                    set_text("close-result", "");
                    set_text("close-queue-why", &why);
                    show("close-queue-offer", true);
                }
            }
        }
    }
}
