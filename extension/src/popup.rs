//! The popup: the switch list first, then the connection and account panel.
//!
//! On open it reads the settings, favorites, recently used targets and the last known
//! list from `chrome.storage.local` and draws the list at once; meanwhile it asks the
//! service worker for the connection state, runs the account panel
//! (`crate::view::account_panel`: who is signed in, the MFA code form, the
//! organization's accounts), and, once connected, reads `roles.list` page by page: first
//! the hand-written lists alone (no key needed, so a person without one gets their list,
//! and the first open ever paints at once), then, when a key can add to it, the whole
//! decided list; each replaces the list without losing the filter, the cursor or the
//! scroll position.
//!
//! The list is `crate::view::popup_list`: this module keeps its state, draws only
//! the rows in view (a virtualized list: a spacer as tall as every row, and the rows of
//! the window moved into place), and turns keys and clicks into its operations. Typing
//! filters; ↑/↓ and PageUp/PageDown move; Enter switches (Ctrl/⌘+Enter in a new tab,
//! or always with the "new tab" setting); Ctrl/⌘+D stars; Esc clears the filter. A click
//! switches, Ctrl/⌘-click or a middle click opens a new tab, "Link" copies the switch
//! link, "Users" opens the account's users page.
//!
//! It also reads the active console tab (`readPage`) to say which account and role it is
//! signed in as, and shows what waits on the daemon (`crate::waiting`: a command's MFA
//! code, queued account closures). Elements missing from the page are skipped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::view::account_panel::{self, Command, Event, Panel, PanelView};
use crate::view::popup::{view, ConnectionState, PopupView, Tone};
use crate::view::popup_list::{
    empty_view, listing, scroll_to_show, session_line, summary, window, CachedList, Catalog,
    Listing, Marks, RowView, ViewOptions, CACHE_KEY, FAVORITES_KEY, RECENT_KEY,
};
use crate::view::search::{Searcher, Span};
use crate::view::sso_panel;
use crate::view::team_look::{self, TeamLookForm};
use switchyard_shared::connection::uptime;
use switchyard_shared::console_session::{self, ConsoleSession};
use switchyard_shared::protocol::aws::AccountsSetData;
use switchyard_shared::protocol::roles::{LookOrigin, RolesData, Target};
use switchyard_shared::protocol::sso::{SsoLoginData, SsoStatusData};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::settings::{Settings, STORAGE_KEY as SETTINGS_KEY};
use switchyard_shared::switch::{switch_link, SwitchTarget};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, KeyboardEvent};

use crate::chrome;
use crate::messages::{self, PageRequest, SwitchDone, SwitchMethod, SwitchRequest};
use crate::page::{ask, ask_worker};
use crate::storage;
use crate::switching;

/// Rows drawn above and below the visible ones, so a fast scroll shows no gap.
const OVERSCAN: usize = 8;
/// The row height when it cannot be measured (CSS sets `--row-h`).
const FALLBACK_ROW_PX: f64 = 30.0;
/// At most this many `roles.list` pages (a guard against a daemon that never ends).
const MAX_PAGES: usize = 200;
/// `chrome.storage.local` key of the first screen of the unfiltered list: its rows as the
/// popup drew them (HTML), the count line and the list's height. `popup.js` shows it
/// before this module has even compiled; [`restore`] then draws the live list.
const SNAPSHOT_KEY: &str = "roles_snapshot";
/// Rows in the snapshot (more than a screen).
const SNAPSHOT_ROWS: usize = 16;

#[wasm_bindgen]
extern "C" {
    /// `performance.mark(name)`: the e2e test reads these to time the popup.
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    fn perf_mark(name: &str);

    /// `performance.measure(name, startMark, endMark)`.
    #[wasm_bindgen(catch, js_namespace = performance, js_name = measure)]
    fn perf_measure(name: &str, start: &str, end: &str) -> Result<JsValue, JsValue>;
}

thread_local! {
    static PANEL: RefCell<Panel> = RefCell::new(Panel::default());
    static LIST: RefCell<List> = RefCell::new(List::default());
    /// The "Edit name and color for the team" form, while open.
    static TEAM_FORM: RefCell<Option<TeamLookForm>> = const { RefCell::new(None) };
}

/// The switch list's state.
#[derive(Default)]
struct List {
    catalog: Catalog,
    marks: Marks,
    settings: Settings,
    searcher: Searcher,
    listing: Listing,
    /// The row the keyboard is on.
    cursor: Option<usize>,
    /// Storage was read (settings and marks are known).
    restored: bool,
    /// The daemon answered `roles.list` in this popup.
    fresh: bool,
    /// `roles.list` was asked for.
    requested: bool,
    /// When the stored list was saved (Unix seconds), while it is the one shown.
    saved_at: Option<u64>,
    notices: Vec<String>,
    /// The signed-in account's alias (from `identity`).
    aliases: HashMap<String, String>,
    session: Option<ConsoleSession>,
    /// Why the console tab's session could not be read, when it is a console page.
    session_problem: Option<String>,
    /// How many identities are signed in now, in multi-session mode (`3 of 5 sessions
    /// signed in`).
    live: Option<String>,
    row_px: f64,
    /// Bumped whenever the rows change, so the drawn window is redrawn.
    generation: u64,
    drawn: Option<(Range<usize>, u64)>,
}

impl List {
    /// Filter with `query`; the cursor goes to the best match.
    fn filter(&mut self, query: &str) {
        self.listing = listing(&self.catalog, &self.marks, &mut self.searcher, query);
        self.cursor = self.listing.first();
        self.generation += 1;
    }

    /// Show `catalog` with the same filter, the cursor on the same target if it is there.
    fn replace(&mut self, mut catalog: Catalog) {
        let key = self
            .cursor
            .and_then(|row| self.listing.key(&self.catalog, row));
        let was = self.cursor;
        catalog.scope(self.session.as_ref(), self.settings.only_reachable);
        self.catalog = catalog;
        self.searcher.forget();
        self.relist(key, was);
    }

    /// Make the listing again (marks changed), keeping the cursor's target.
    fn refresh(&mut self) {
        let key = self
            .cursor
            .and_then(|row| self.listing.key(&self.catalog, row));
        let was = self.cursor;
        self.searcher.forget();
        self.relist(key, was);
    }

    fn relist(&mut self, key: Option<crate::view::popup_list::RowKey>, was: Option<usize>) {
        let query = self.listing.query.clone();
        self.listing = listing(&self.catalog, &self.marks, &mut self.searcher, &query);
        self.cursor = self
            .listing
            .relocate(&self.catalog, key.as_ref(), was)
            .or_else(|| self.listing.first());
        self.generation += 1;
    }

    fn cursor_target(&self) -> Option<Target> {
        let target = self.listing.target(self.cursor?)?;
        self.catalog.targets.get(target).cloned()
    }
}

fn now_secs() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Called by `popup.js` once the module loaded, with the promise of its early
/// `chrome.storage.local.get` of the popup's keys (read while the module compiled).
#[wasm_bindgen]
pub fn popup_start(stored: JsValue) {
    perf_mark("popup-start");
    render(&view(&ConnectionState::Connecting));
    wire_events();
    focus_filter();
    wasm_bindgen_futures::spawn_local(restore(stored));
    wasm_bindgen_futures::spawn_local(async {
        let answer = ask_worker(&PageRequest::ConnectionState).await;
        let state = messages::decode_connection_state(answer);
        render(&view(&state));
        match state {
            ConnectionState::Connected { .. } => {
                // The lists need no key and no sign-in: read them at once, beside the
                // account panel (which may be asking for a key or an MFA code).
                request_roles();
                dispatch(Event::Connected);
                wasm_bindgen_futures::spawn_local(async {
                    load_sso().await;
                });
                // A command waiting for an MFA code, queued closures.
                crate::waiting::start(|| dispatch(Event::Connected));
            }
            _ => render_list(),
        }
    });
    wasm_bindgen_futures::spawn_local(read_tab_session());
}

/// Settings, marks and the last known list from storage (`early`: a promise of them, or
/// anything else to read them now); the list drawn at once.
async fn restore(early: JsValue) {
    let keys = [SETTINGS_KEY, FAVORITES_KEY, RECENT_KEY, CACHE_KEY];
    let found = match early.dyn_into::<js_sys::Promise>() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    let stored = match found {
        Some(found) => storage::texts(&found, &keys),
        None => storage::read(&keys).await,
    };
    perf_mark("cache-read");
    let text = |key: &str| stored.get(key).map(String::as_str);
    let cached = CachedList::from_stored(text(CACHE_KEY));
    perf_mark("cache-parsed");
    LIST.with(|list| {
        let mut list = list.borrow_mut();
        list.settings = Settings::from_stored(text(SETTINGS_KEY));
        list.marks = Marks::from_stored(text(FAVORITES_KEY), text(RECENT_KEY));
        list.restored = true;
        // A list kept for another profile than the one chosen now is not shown.
        let chosen = list.settings.profile.clone();
        let cached = cached.filter(|c| chosen.as_ref().is_none_or(|p| *p == c.profile));
        match cached {
            // A list the daemon sent meanwhile is newer.
            Some(cached) if !list.fresh => {
                list.saved_at = Some(cached.saved_at);
                list.notices = cached.notices;
                let catalog = Catalog::new(cached.targets, &list.aliases);
                perf_mark("catalog-built");
                list.replace(catalog);
            }
            _ => list.refresh(),
        }
    });
    // Typed while the module loaded (over the snapshot): filter with it.
    let typed = filter_text();
    if !typed.trim().is_empty() {
        LIST.with(|list| list.borrow_mut().filter(&typed));
    }
    render_list();
    perf_mark("rows-rendered");
    after_paint(|| {
        perf_mark("rows-painted");
        prepare_soon();
    });
}

/// Make the list searchable right after the browser paints (not at the next keystroke).
fn prepare_soon() {
    let prepare = Closure::once_into_js(|| LIST.with(|list| list.borrow().catalog.prepare()));
    chrome::set_timeout(prepare.unchecked_ref(), 0);
}

/// Run `then` in the next animation frame (just before the browser paints).
fn after_paint(then: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let callback = Closure::once_into_js(then);
        let _ = window.request_animation_frame(callback.unchecked_ref());
    }
}

/// Which account and role the active console tab is signed in as (from the page itself:
/// its session data and cookie, never a stored key); the list is scoped to it.
async fn read_tab_session() {
    let Ok(tab) = switching::active_tab().await else {
        return;
    };
    let on_console = tab
        .url
        .as_deref()
        .and_then(|url| url.strip_prefix("https://"))
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .and_then(switchyard_shared::switch::console_host)
        .is_some();
    let page = switching::read_page(&tab).await;
    let multi = page
        .as_ref()
        .and_then(|p| p.session_meta.as_deref())
        .map(switchyard_shared::switch::SessionData::parse)
        .is_some_and(|s| s.multi_session);
    let (session, problem) = match page {
        Some(page) => match console_session::read_checked(
            page.session_meta.as_deref(),
            page.user_info.as_deref(),
        ) {
            Ok(session) => (Some(session), None),
            Err(e) => (
                None,
                Some(format!(
                    "This console page's session could not be read ({e}); every role is listed."
                )),
            ),
        },
        None if on_console => (
            None,
            Some(
                "This console page could not be read (reload it and open Switchyard again); \
                 every role is listed."
                    .to_owned(),
            ),
        ),
        None => return,
    };
    LIST.with(|list| {
        let mut list = list.borrow_mut();
        list.session = session;
        list.session_problem = problem;
        let (session, only) = (list.session.clone(), list.settings.only_reachable);
        list.catalog.scope(session.as_ref(), only);
        list.refresh();
    });
    render_list();
    if multi {
        let (live, who) = match ask::<messages::LiveSessions>(PageRequest::LiveSessions).await {
            Ok(live) if live.full => (
                format!(
                    "{} (the console's limit: sign out of one to open another)",
                    live.summary
                ),
                live.sessions.join("\n"),
            ),
            Ok(live) => (live.summary, live.sessions.join("\n")),
            Err(e) => (
                format!(
                    "which sessions are signed in could not be read ({})",
                    e.message
                ),
                String::new(),
            ),
        };
        LIST.with(|list| list.borrow_mut().live = Some(live));
        render_list();
        // Who they are, on hover (the line stays short).
        if let Some(line) = by_id::<Element>("tab-session-text") {
            let _ = line.set_attribute("title", &who);
        }
    }
}

/// Apply `event` to the panel, render it, and start the command it asks for.
fn dispatch(event: Event) {
    let command = PANEL.with(|panel| panel.borrow_mut().update(event));
    render_panel();
    if let Some(command) = command {
        wasm_bindgen_futures::spawn_local(run(command));
    }
}

async fn run(command: Command) {
    let event = match command {
        Command::AskIdentity => Event::Identity(ask(PageRequest::Identity).await),
        Command::AskAccounts => Event::Accounts(ask(PageRequest::AccountsList).await),
        Command::SubmitMfa(code) => Event::MfaAnswer(
            ask(PageRequest::MfaSubmit {
                code,
                profile: None,
            })
            .await,
        ),
    };
    dispatch(event);
}

fn page() -> Option<Document> {
    web_sys::window().and_then(|window| window.document())
}

fn by_id<T: JsCast>(id: &str) -> Option<T> {
    page()?.get_element_by_id(id)?.dyn_into::<T>().ok()
}

fn focus_filter() {
    if let Some(input) = by_id::<HtmlElement>("filter") {
        let _ = input.focus();
    }
}

fn filter_text() -> String {
    by_id::<HtmlInputElement>("filter")
        .map(|input| input.value())
        .unwrap_or_default()
}

/// Add `handler` for `event` on the element with this id.
fn listen(id: &str, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    let Some(element) = page().and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    let handler = Closure::<dyn FnMut(web_sys::Event)>::new(handler).into_js_value();
    let _ = element.add_event_listener_with_callback(event, handler.unchecked_ref());
}

/// The MFA form's submit, "Try again", the filter's keys, the list's clicks and scroll,
/// and typing anywhere going to the filter.
fn wire_events() {
    listen("mfa-form", "submit", |event| {
        event.prevent_default();
        let code = by_id::<HtmlInputElement>("mfa-code")
            .map(|input| input.value())
            .unwrap_or_default();
        dispatch(Event::MfaEntered(code));
    });
    listen("retry", "click", |_| dispatch(Event::Retry));
    listen("note-retry", "click", |_| dispatch(Event::Retry));
    listen("team-form", "submit", |event| {
        event.prevent_default();
        save_team_look();
    });
    listen("team-form", "input", |_| on_team_input());
    listen("team-form", "change", |_| on_team_input());
    listen("team-cancel", "click", |_| close_team_form());
    listen("filter", "input", |_| on_filter_input());
    listen("filter", "keydown", on_filter_key);
    listen("roles-scroll", "scroll", |_| draw_rows(false));
    listen("roles-list", "click", |event| on_list_click(event, false));
    listen("roles-list", "auxclick", |event| on_list_click(event, true));
    // Clicking a row keeps the focus (and the keys) in the filter.
    listen("roles-list", "mousedown", |event| event.prevent_default());
    if let Some(document) = page() {
        let on_key = Closure::<dyn FnMut(web_sys::Event)>::new(on_page_key).into_js_value();
        let _ = document.add_event_listener_with_callback("keydown", on_key.unchecked_ref());
    }
}

/// A printable key pressed outside any field starts filtering.
fn on_page_key(event: web_sys::Event) {
    let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    let in_field = page().and_then(|d| d.active_element()).is_some_and(|e| {
        matches!(
            e.tag_name().as_str(),
            "INPUT" | "TEXTAREA" | "BUTTON" | "SUMMARY" | "A"
        )
    });
    let printable =
        key.key().chars().count() == 1 && !key.ctrl_key() && !key.meta_key() && !key.alt_key();
    if !in_field
        && printable
        && by_id::<Element>("roles").is_some_and(|r| !r.has_attribute("hidden"))
    {
        focus_filter();
    }
}

fn on_filter_input() {
    perf_mark("filter-start");
    let query = filter_text();
    LIST.with(|list| list.borrow_mut().filter(&query));
    perf_mark("filter-searched");
    let _ = perf_measure("filter-search", "filter-start", "filter-searched");
    if let Some(scroller) = by_id::<Element>("roles-scroll") {
        scroller.set_scroll_top(0);
    }
    render_list();
    perf_mark("filter-end");
    let _ = perf_measure("filter", "filter-start", "filter-end");
}

/// How many rows one PageUp/PageDown moves.
fn page_rows() -> isize {
    let viewport = by_id::<Element>("roles-scroll").map_or(0, |s| s.client_height());
    let row = LIST.with(|list| list.borrow().row_px).max(1.0);
    ((f64::from(viewport) / row) as isize - 1).max(1)
}

fn on_filter_key(event: web_sys::Event) {
    let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    if key.is_composing() {
        return;
    }
    let modifier = key.ctrl_key() || key.meta_key();
    let steps = match key.key().as_str() {
        "ArrowDown" => Some(1),
        "ArrowUp" => Some(-1),
        "PageDown" => Some(page_rows()),
        "PageUp" => Some(-page_rows()),
        "Home" if modifier => Some(isize::MIN / 2),
        "End" if modifier => Some(isize::MAX / 2),
        "Enter" => {
            event.prevent_default();
            activate(modifier);
            return;
        }
        "Escape" => {
            if !filter_text().is_empty() {
                event.prevent_default();
                if let Some(input) = by_id::<HtmlInputElement>("filter") {
                    input.set_value("");
                }
                on_filter_input();
            }
            return;
        }
        "d" | "D" if modifier => {
            event.prevent_default();
            toggle_favorite(None);
            return;
        }
        _ => None,
    };
    if let Some(steps) = steps {
        event.prevent_default();
        LIST.with(|list| {
            let mut list = list.borrow_mut();
            list.cursor = list.listing.step(list.cursor, steps);
        });
        reveal_cursor();
        draw_rows(true);
    }
}

/// Switch to the cursor's target.
fn activate(modifier: bool) {
    let chosen = LIST.with(|list| {
        let list = list.borrow();
        list.cursor_target()
            .map(|t| (t, list.settings.open_mode.new_tab(modifier)))
    });
    if let Some((target, new_tab)) = chosen {
        mark_body_clicked();
        wasm_bindgen_futures::spawn_local(switch_to(target, new_tab));
    }
}

fn mark_body_clicked() {
    if let Some(body) = page().and_then(|d| d.body()) {
        let _ = body.set_attribute("data-clicked-at", &js_sys::Date::now().to_string());
    }
}

/// Star or unstar the target of `row` (the cursor's when `None`), and keep it.
fn toggle_favorite(row: Option<usize>) {
    let favorites = LIST.with(|list| {
        let mut list = list.borrow_mut();
        if row.is_some() {
            list.cursor = row;
        }
        let target = list.cursor_target()?;
        list.marks.toggle_favorite(&target.role_arn);
        list.refresh();
        Some(list.marks.favorites_json())
    });
    if let Some(favorites) = favorites {
        reveal_cursor();
        render_list();
        save_snapshot();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = storage::set_text(FAVORITES_KEY, &favorites).await {
                chrome::warn(&format!("switchyard: favorites not saved: {e}"));
            }
        });
    }
}

/// Scroll the list so the cursor's row is in view.
fn reveal_cursor() {
    let Some(scroller) = by_id::<Element>("roles-scroll") else {
        return;
    };
    let (cursor, row_px) = LIST.with(|list| {
        let list = list.borrow();
        (list.cursor, list.row_px)
    });
    let Some(cursor) = cursor else { return };
    let viewport = f64::from(scroller.client_height());
    let top = f64::from(scroller.scroll_top());
    if let Some(to) = scroll_to_show(cursor, row_px, top, viewport) {
        scroller.set_scroll_top(to.round() as i32);
    }
}

/// The row height in CSS pixels, measured once from the probe row.
fn measure_row() -> f64 {
    let measured = by_id::<HtmlElement>("row-probe")
        .map(|probe| f64::from(probe.offset_height()))
        .filter(|h| *h > 0.0)
        .unwrap_or(FALLBACK_ROW_PX);
    LIST.with(|list| list.borrow_mut().row_px = measured);
    measured
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Busy => "tone-busy",
        Tone::Good => "tone-good",
        Tone::Bad => "tone-bad",
    }
}

fn set_hidden(element: &Element, hidden: bool) {
    set_flag(element, "hidden", hidden);
}

/// Set or remove a boolean attribute (`hidden`, `disabled`, `readonly`).
fn set_flag(element: &Element, name: &str, on: bool) {
    // Setting or removing a plain attribute cannot fail.
    let _ = if on {
        element.set_attribute(name, "")
    } else {
        element.remove_attribute(name)
    };
}

/// Replace the connection summary with `shown`.
fn render(shown: &PopupView) {
    let Some(document) = page() else { return };
    let by_id = |id: &str| document.get_element_by_id(id);

    if let Some(summary) = by_id("summary") {
        let busy = if shown.tone == Tone::Busy {
            "true"
        } else {
            "false"
        };
        let _ = summary.set_attribute("aria-busy", busy);
    }
    if let Some(headline) = by_id("headline") {
        headline.set_class_name(tone_class(shown.tone));
        headline.set_text_content(Some(&shown.headline));
    }
    if let Some(facts) = by_id("facts") {
        facts.set_text_content(None);
        for (label, value) in &shown.facts {
            let _ = append_text(&document, &facts, "dt", label);
            let _ = append_text(&document, &facts, "dd", value);
        }
    }
    if let Some(connection) = by_id("connection") {
        set_hidden(&connection, shown.facts.is_empty());
    }
    if let Some(action) = by_id("action") {
        set_rich_text(
            &document,
            &action,
            shown.action.as_deref().unwrap_or_default(),
        );
        set_hidden(&action, shown.action.is_none());
    }
    if let Some(code) = by_id("code") {
        code.set_text_content(shown.code.as_deref());
    }
    if let Some(code_line) = by_id("code-line") {
        set_hidden(&code_line, shown.code.is_none());
    }
}

/// Render the account panel's current state; once signed in, ask for the roles.
fn render_panel() {
    let now = now_secs();
    let (shown, alias) = PANEL.with(|panel| {
        let panel = panel.borrow();
        let alias = match &*panel {
            Panel::SignedIn { identity, .. } => identity
                .account_alias
                .clone()
                .map(|alias| (identity.account_id.clone(), alias)),
            _ => None,
        };
        (account_panel::view(&panel, now), alias)
    });
    if let Some(document) = page() {
        render_account(&document, &shown);
    }
    if shown.identity.is_some() {
        if let Some((id, alias)) = alias {
            LIST.with(|list| list.borrow_mut().aliases.insert(id, alias));
        }
        request_roles();
    }
    // Whether account rows offer the team's edit follows the panel: redraw them.
    LIST.with(|list| list.borrow_mut().generation += 1);
    render_list();
}

/// Ask `sso.status` and draw the IAM Identity Center line; the answer, if any.
async fn load_sso() -> Option<SsoStatusData> {
    let data: SsoStatusData = ask(PageRequest::SsoStatus).await.ok()?;
    render_sso(&data);
    Some(data)
}

/// Draw one line per Identity Center session, with its "Sign in" button where needed.
fn render_sso(data: &SsoStatusData) {
    let (Some(document), Some(section), Some(list)) = (
        page(),
        by_id::<Element>("sso"),
        by_id::<Element>("sso-list"),
    ) else {
        return;
    };
    let rows = sso_panel::rows(data, now_secs());
    set_hidden(&section, rows.is_empty());
    list.set_text_content(None);
    for row in rows {
        let Ok(item) = document.create_element("li") else {
            continue;
        };
        item.set_class_name(if row.problem { "sso problem" } else { "sso" });
        append_text(&document, &item, "strong", &row.title);
        append_text(&document, &item, "span", &row.state);
        if let Some(label) = row.action {
            if let Some(button) = append_text(&document, &item, "button", label) {
                let _ = button.set_attribute("type", "button");
                let _ = button.set_attribute("data-session", &row.session);
                let session = row.session.clone();
                let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                    wasm_bindgen_futures::spawn_local(sign_in_sso(session.clone()));
                });
                let _ = button
                    .add_event_listener_with_callback("click", handler.as_ref().unchecked_ref());
                handler.forget();
            }
        }
        let _ = list.append_child(&item);
    }
}

/// "Sign in with IAM Identity Center": the daemon starts the sign-in, the popup opens its
/// page in a new tab and asks again until the session is signed in, then reads the list.
async fn sign_in_sso(session: String) {
    let started: Result<SsoLoginData, ErrorBody> = ask(PageRequest::SsoLogin {
        session: session.clone(),
    })
    .await;
    let data = match started {
        Ok(data) => data,
        Err(error) => {
            if let Some(document) = page() {
                status(
                    &document,
                    Status::Bad,
                    &error.message,
                    None,
                    Some(error.code),
                );
            }
            return;
        }
    };
    if data.started {
        crate::page::open_sign_in_page(&data.url).await;
    }
    while now_secs() <= data.expires_at + 2 {
        switching::sleep(1000).await;
        let Some(now) = load_sso().await else { return };
        if !sso_panel::waiting(&now, &session) {
            // Signed in (or refused, which the line says): read the list again.
            LIST.with(|list| list.borrow_mut().requested = false);
            request_roles();
            return;
        }
    }
}

/// Start reading `roles.list`, unless a reading is under way or done.
fn request_roles() {
    let first = LIST.with(|list| !std::mem::replace(&mut list.borrow_mut().requested, true));
    if first {
        wasm_bindgen_futures::spawn_local(load_roles());
    }
}

/// Every page of one `roles.list` reading. With `paint_first`, the first page is drawn as
/// soon as it comes (when no list is shown yet), so a first open paints rows before the
/// rest of a long list has travelled.
async fn read_pages(
    lists_only: bool,
    paint_first: bool,
) -> Result<(Vec<Target>, RolesData), ErrorBody> {
    let mut targets = Vec::new();
    let mut offset = 0;
    let mut last: Option<RolesData> = None;
    for _ in 0..MAX_PAGES {
        // Later pages name the first page's reading, so they come from the same list.
        let reading = last
            .as_ref()
            .and_then(|page: &RolesData| page.reading.clone());
        let mut page = ask::<RolesData>(PageRequest::RolesList {
            offset,
            lists_only,
            reading,
        })
        .await?;
        perf_mark("roles-page");
        let nothing_shown = LIST.with(|list| list.borrow().catalog.targets.is_empty());
        if paint_first && offset == 0 && nothing_shown {
            LIST.with(|list| {
                let mut list = list.borrow_mut();
                let catalog = Catalog::new(page.targets.clone(), &list.aliases);
                list.replace(catalog);
            });
            render_list();
            perf_mark("roles-first");
        }
        targets.append(&mut page.targets);
        let next = page.next_offset.filter(|&n| n > offset);
        last = Some(page);
        match next {
            Some(n) => offset = n,
            None => break,
        }
    }
    let data = last.ok_or_else(|| {
        ErrorBody::new(ErrorCode::Internal, "the daemon answered no page of roles")
    })?;
    Ok((targets, data))
}

/// Read `roles.list`: first the hand-written lists alone (no key, no AWS call: painted at
/// once, even on the first open ever), then, when the daemon says a key could add to
/// them (`partial`), the whole decided list in the background; show and keep each.
async fn load_roles() {
    render_list();
    let quick = read_pages(true, true).await;
    let whole_follows = match quick {
        Ok((targets, data)) => {
            let partial = data.partial;
            // A decided list kept from the last popup is better than the undecided lists:
            // it stays until the whole answer replaces it.
            let cached_shown = LIST.with(|list| {
                let list = list.borrow();
                list.saved_at.is_some() && !list.catalog.targets.is_empty()
            });
            if !(partial && cached_shown) {
                show_roles(targets, data, "roles-listed").await;
            }
            partial
        }
        // An older daemon (no `lists_only`) or a failure: the whole reading says.
        Err(_) => true,
    };
    if !whole_follows {
        perf_mark("roles-refreshed");
        return;
    }
    match read_pages(false, false).await {
        Ok((targets, data)) => show_roles(targets, data, "roles-refreshed").await,
        Err(error) => {
            // Asking for a key or an MFA code is the account panel's; the lists stay.
            let panel_says = matches!(
                error.code,
                ErrorCode::MfaRequired
                    | ErrorCode::CredentialsMissing
                    | ErrorCode::KeyringUnavailable
            );
            let shown = LIST.with(|list| list.borrow().fresh);
            if !(panel_says && shown) {
                if let Some(document) = page() {
                    status(
                        &document,
                        Status::Bad,
                        &error.message,
                        None,
                        Some(error.code),
                    );
                }
            }
            // Asked again once the panel signs in.
            LIST.with(|list| list.borrow_mut().requested = false);
            render_list();
        }
    }
}

/// Show a list the daemon answered (then set the `performance` mark `drawn`), and keep it
/// (and the first screen) for the next popup.
async fn show_roles(targets: Vec<Target>, data: RolesData, drawn: &str) {
    // Kept in the catalog's order, so the next popup need not sort it.
    let cached = LIST.with(|list| {
        let mut list = list.borrow_mut();
        list.fresh = true;
        list.saved_at = None;
        let catalog = Catalog::new(targets, &list.aliases);
        let cached = CachedList::new(&data.profile, &catalog.targets, &data.notices, now_secs());
        list.notices = data.notices;
        list.replace(catalog);
        cached
    });
    keep_place(render_list);
    perf_mark(drawn);
    after_paint(prepare_soon);
    save_snapshot();
    if let Err(e) = storage::set_text(CACHE_KEY, &cached.to_stored()).await {
        chrome::warn(&format!("switchyard: the role list was not saved: {e}"));
    }
}

/// Keep the first screen of the unfiltered list for the next popup to show at once.
fn save_snapshot() {
    let Some(document) = page() else { return };
    let snapshot = LIST.with(|list| {
        let list = list.borrow();
        let mut searcher = Searcher::default();
        let shown = listing(&list.catalog, &list.marks, &mut searcher, "");
        let holder = document.create_element("ul").ok()?;
        let options = ViewOptions {
            hide_account_ids: list.settings.hide_account_ids,
            show_colors: list.settings.show_colors,
            current: None,
            edit_team_look: false,
        };
        for row in 0..shown.rows.len().min(SNAPSHOT_ROWS) {
            let view = crate::view::popup_list::row_view(
                &list.catalog,
                &shown,
                row,
                &list.marks,
                &mut searcher,
                options,
            )?;
            let selected = shown.first() == Some(row);
            let item = row_element(&document, &view, row, selected, &list.catalog)?;
            holder.append_child(&item).ok()?;
        }
        let snapshot = serde_json::json!({
            "count": summary(&list.catalog, &shown),
            "rows": holder.inner_html(),
            "height": shown.rows.len() as f64 * list.row_px,
        });
        Some(snapshot.to_string())
    });
    if let Some(text) = snapshot {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = storage::set_text(SNAPSHOT_KEY, &text).await {
                chrome::warn(&format!("switchyard: the first screen was not saved: {e}"));
            }
        });
    }
}

/// Run `change`, keeping the cursor's row where it was on screen.
fn keep_place(change: impl FnOnce()) {
    let scroller = by_id::<Element>("roles-scroll");
    let before = LIST.with(|list| {
        let list = list.borrow();
        list.cursor.map(|c| c as f64 * list.row_px)
    });
    let offset = scroller
        .as_ref()
        .zip(before)
        .map(|(s, at)| at - f64::from(s.scroll_top()));
    change();
    let after = LIST.with(|list| {
        let list = list.borrow();
        list.cursor.map(|c| c as f64 * list.row_px)
    });
    if let (Some(scroller), Some(offset), Some(at)) = (scroller, offset, after) {
        scroller.set_scroll_top((at - offset).max(0.0).round() as i32);
        draw_rows(true);
    }
}

/// Show the list part: the console tab's session, the count, the rows or why there are none.
/// Nothing before storage was read (the snapshot may be showing).
fn render_list() {
    let Some(document) = page() else { return };
    if !LIST.with(|list| list.borrow().restored) {
        return;
    }
    let show = |id: &str, visible: bool| {
        if let Some(element) = document.get_element_by_id(id) {
            set_hidden(&element, !visible);
        }
    };
    let text = |id: &str, value: &str| {
        if let Some(element) = document.get_element_by_id(id) {
            element.set_text_content(Some(value));
        }
    };
    if LIST.with(|list| list.borrow().row_px) <= 0.0 {
        measure_row();
    }
    let (visible, session, count, empty, rows) = LIST.with(|list| {
        let list = list.borrow();
        let visible = !list.catalog.targets.is_empty() || list.requested;
        let session = list
            .session
            .as_ref()
            .map(|s| session_line(s, &list.catalog, list.settings.hide_account_ids))
            .or_else(|| list.session_problem.clone())
            .map(|line| match &list.live {
                Some(live) => format!("{line} · {live}"),
                None => line,
            });
        let mut count = summary(&list.catalog, &list.listing);
        if let Some(saved) = list.saved_at {
            let age = uptime(now_secs().saturating_sub(saved));
            count.push_str(&format!(" · listed {age} ago"));
            if list.requested {
                count.push_str(", refreshing…");
            }
        }
        let empty = empty_view(&list.catalog, &list.listing, list.fresh, &list.notices);
        (visible, session, count, empty, list.listing.rows.len())
    });
    show("tab-session", session.is_some());
    text("tab-session-text", session.as_deref().unwrap_or_default());
    let appears = visible
        && document
            .get_element_by_id("roles")
            .is_some_and(|r| r.has_attribute("hidden"));
    show("roles", visible);
    // Typing goes to the filter from the first keystroke, unless a field (the MFA code)
    // has the focus.
    let idle = document
        .active_element()
        .is_none_or(|e| e.tag_name() == "BODY");
    if appears && idle {
        focus_filter();
    }
    text("roles-count", if rows > 0 { &count } else { "" });
    show("roles-scroll", rows > 0);
    show("roles-hint", rows > 0);
    show("roles-empty", empty.is_some());
    if let Some(empty) = empty {
        text("roles-empty-title", &empty.title);
        if let Some(lines) = document.get_element_by_id("roles-empty-lines") {
            lines.set_text_content(None);
            for line in &empty.lines {
                if let Some(p) = append_text(&document, &lines, "p", "") {
                    set_rich_text(&document, &p, line);
                }
            }
        }
    }
    let row_px = LIST.with(|list| list.borrow().row_px);
    if let Some(spacer) = document.get_element_by_id("roles-spacer") {
        let _ = spacer.set_attribute("style", &format!("height: {}px", rows as f64 * row_px));
    }
    draw_rows(false);
}

/// Draw the rows in view (again, when `force` or the rows changed).
fn draw_rows(force: bool) {
    let Some(document) = page() else { return };
    let (Some(scroller), Some(list_element)) = (
        document.get_element_by_id("roles-scroll"),
        document.get_element_by_id("roles-list"),
    ) else {
        return;
    };
    let viewport = f64::from(scroller.client_height());
    let top = f64::from(scroller.scroll_top());
    LIST.with(|list| {
        let mut list = list.borrow_mut();
        let list = &mut *list;
        let range = window(
            list.listing.rows.len(),
            list.row_px,
            top,
            viewport,
            OVERSCAN,
        );
        if !force && list.drawn == Some((range.clone(), list.generation)) {
            return;
        }
        list.drawn = Some((range.clone(), list.generation));
        let _ = list_element.set_attribute(
            "style",
            &format!(
                "transform: translateY({}px)",
                range.start as f64 * list.row_px
            ),
        );
        list_element.set_text_content(None);
        let options = ViewOptions {
            hide_account_ids: list.settings.hide_account_ids,
            show_colors: list.settings.show_colors,
            current: list.session.as_ref(),
            edit_team_look: PANEL.with(|panel| panel.borrow().signed_in()),
        };
        for row in range {
            let shown = crate::view::popup_list::row_view(
                &list.catalog,
                &list.listing,
                row,
                &list.marks,
                &mut list.searcher,
                options,
            );
            if let Some(shown) = shown {
                if let Some(item) = row_element(
                    &document,
                    &shown,
                    row,
                    list.cursor == Some(row),
                    &list.catalog,
                ) {
                    let _ = list_element.append_child(&item);
                }
            }
        }
        if let Some(input) = document.get_element_by_id("filter") {
            match list.cursor {
                Some(cursor) => {
                    let _ = input.set_attribute("aria-activedescendant", &format!("opt-{cursor}"));
                }
                None => {
                    let _ = input.remove_attribute("aria-activedescendant");
                }
            }
        }
    });
}

/// Append `spans` to `parent`, the matched characters in `<mark>`.
fn append_spans(document: &Document, parent: &Element, spans: &[Span]) {
    for span in spans {
        if span.hit {
            let _ = append_text(document, parent, "mark", &span.text);
        } else {
            let _ = parent.insert_adjacent_text("beforeend", &span.text);
        }
    }
}

/// A `<tag class=class>` holding `spans`, appended to `parent` (nothing when empty).
fn append_spans_in(document: &Document, parent: &Element, tag: &str, class: &str, spans: &[Span]) {
    if spans.is_empty() {
        return;
    }
    if let Some(element) = append_text(document, parent, tag, "") {
        element.set_class_name(class);
        append_spans(document, &element, spans);
    }
}

/// The `<li>` of one row.
fn row_element(
    document: &Document,
    shown: &RowView,
    row: usize,
    selected: bool,
    catalog: &Catalog,
) -> Option<Element> {
    let item = document.create_element("li").ok()?;
    let _ = item.set_attribute("data-row", &row.to_string());
    match shown {
        RowView::Heading { text } => {
            item.set_class_name("row heading");
            let _ = item.set_attribute("role", "presentation");
            item.set_text_content(Some(text));
        }
        RowView::Account {
            account_id,
            name,
            alias,
            id,
            roles,
            badge,
            look,
            editable,
        } => {
            item.set_class_name("row account");
            let _ = item.set_attribute("role", "presentation");
            let _ = item.set_attribute("title", look);
            let _ = item.set_attribute("data-account", account_id);
            append_spans_in(document, &item, "span", "name", name);
            if let Some(badge) = badge {
                if let Some(element) = append_text(document, &item, "span", badge) {
                    element.set_class_name("look");
                    let _ = element.set_attribute("title", look);
                }
            }
            append_spans_in(document, &item, "span", "alias", alias);
            append_spans_in(document, &item, "code", "id", id);
            if let Some(count) = append_text(document, &item, "span", roles) {
                count.set_class_name("count");
            }
            if *editable {
                if let Some(edit) = append_text(document, &item, "button", "✎") {
                    edit.set_class_name("edit-look");
                    let label = "Edit name and color for the team";
                    for (attr, value) in [
                        ("type", "button"),
                        ("tabindex", "-1"),
                        ("title", label),
                        ("data-account", account_id.as_str()),
                    ] {
                        let _ = edit.set_attribute(attr, value);
                    }
                    let name: String = name.iter().map(|s| s.text.as_str()).collect();
                    let _ = edit.set_attribute("aria-label", &format!("{label}: {name}"));
                }
            }
            if let Some(link) = append_text(document, &item, "a", "Users") {
                link.set_class_name("users");
                let _ = link.set_attribute("href", &users_url(account_id));
                let _ = link.set_attribute("target", "_blank");
                let _ = link.set_attribute("data-account", account_id);
                let name: String = name.iter().map(|s| s.text.as_str()).collect();
                let _ = link.set_attribute("aria-label", &format!("IAM users of {name}"));
            }
        }
        RowView::Target {
            target,
            role,
            display,
            account,
            id,
            color,
            color_from,
            source,
            note,
            favorite,
            current,
            label,
        } => {
            let t = catalog.targets.get(*target)?;
            item.set_class_name(if account.is_empty() {
                "row target"
            } else {
                "row target apart"
            });
            item.set_id(&format!("opt-{row}"));
            for (name, value) in [
                ("role", "option"),
                ("aria-selected", if selected { "true" } else { "false" }),
                ("aria-label", label.as_str()),
                ("title", t.role_arn.as_str()),
                ("data-arn", t.role_arn.as_str()),
                ("data-display-name", t.display_name.as_str()),
                ("data-color", t.color.as_str()),
            ] {
                let _ = item.set_attribute(name, value);
            }
            if *current {
                let _ = item.set_attribute("data-current", "");
            }
            if let Some(color) = color {
                let _ = item.set_attribute("style", &format!("--chip: #{color}"));
                if let Some(chip) = append_text(document, &item, "span", "") {
                    chip.set_class_name("chip");
                    if let Some(from) = color_from {
                        let _ = chip.set_attribute("title", from);
                    }
                }
            }
            // The import's image (AESR's `image`, checked https:// when read), sent no
            // referrer.
            if let Some(src) = t.image.as_deref().filter(|i| i.starts_with("https://")) {
                if let Ok(img) = document.create_element("img") {
                    for (name, value) in [
                        ("src", src),
                        ("class", "image"),
                        ("alt", ""),
                        ("width", "16"),
                        ("height", "16"),
                        ("loading", "lazy"),
                        ("referrerpolicy", "no-referrer"),
                    ] {
                        let _ = img.set_attribute(name, value);
                    }
                    let _ = item.append_child(&img);
                }
            }
            let main = append_text(document, &item, "span", "")?;
            main.set_class_name("main");
            append_spans_in(document, &main, "span", "role", role);
            append_spans_in(document, &main, "span", "display", display);
            if !account.is_empty() {
                if let Some(place) = append_text(document, &main, "span", "") {
                    place.set_class_name("acct");
                    append_spans(document, &place, account);
                    append_spans_in(document, &place, "code", "id", id);
                }
            }
            if *current {
                if let Some(now) = append_text(document, &item, "span", "signed in") {
                    now.set_class_name("now");
                }
            }
            if let Some(note) = note {
                if let Some(element) = append_text(document, &item, "span", note) {
                    element.set_class_name("note");
                }
            }
            if let Some(src) = append_text(document, &item, "span", source) {
                src.set_class_name("src");
            }
            if let Some(star) =
                append_text(document, &item, "button", if *favorite { "★" } else { "☆" })
            {
                star.set_class_name("star");
                for (name, value) in [
                    ("type", "button"),
                    ("tabindex", "-1"),
                    ("aria-pressed", if *favorite { "true" } else { "false" }),
                    ("title", "Favorite (Ctrl+D)"),
                    ("aria-label", "Favorite"),
                ] {
                    let _ = star.set_attribute(name, value);
                }
            }
            if let Some(copy) = append_text(document, &item, "button", "Link") {
                copy.set_class_name("copy-link");
                for (name, value) in [
                    ("type", "button"),
                    ("tabindex", "-1"),
                    ("title", "Copy the switch link"),
                ] {
                    let _ = copy.set_attribute(name, value);
                }
                let _ = copy.set_attribute(
                    "aria-label",
                    &format!("Copy the switch link for {}", t.display_name),
                );
            }
        }
    }
    Some(item)
}

/// The users page of an account (another page of this extension).
fn users_url(account_id: &str) -> String {
    format!(
        "users.html?account={}",
        js_sys::encode_uri_component(account_id)
    )
}

#[derive(Clone, Copy)]
enum Status {
    Busy,
    Good,
    Bad,
    Info,
}

/// Show what the last click did: a sentence, maybe a link to copy, maybe an error code.
fn status(
    document: &Document,
    tone: Status,
    text: &str,
    link: Option<&str>,
    code: Option<ErrorCode>,
) {
    let Some(element) = document.get_element_by_id("switch-status") else {
        return;
    };
    element.set_class_name(match tone {
        Status::Busy => "tone-busy",
        Status::Good => "tone-good",
        Status::Bad => "tone-bad",
        Status::Info => "muted",
    });
    set_rich_text(document, &element, text);
    if let Some(link) = link {
        if let Some(code) = append_text(document, &element, "code", link) {
            code.set_id("switch-link");
        }
    }
    match code {
        Some(code) => {
            let _ = element.set_attribute("data-code", code.as_str());
            if let Some(line) = append_text(document, &element, "small", "Error code ") {
                line.set_class_name("code-line");
                let _ = append_text(document, &line, "code", code.as_str());
            }
        }
        None => {
            let _ = element.remove_attribute("data-code");
        }
    }
    set_hidden(&element, false);
}

/// A click (or middle click) in the switch list.
fn on_list_click(event: web_sys::Event, auxiliary: bool) {
    let Some(mouse) = event.dyn_ref::<web_sys::MouseEvent>() else {
        return;
    };
    if auxiliary && mouse.button() != 1 {
        return;
    }
    let Some(clicked) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if let Some(edit) = clicked.closest("button.edit-look").ok().flatten() {
        event.prevent_default();
        if let Some(account) = edit.get_attribute("data-account") {
            open_team_form(&account);
        }
        return;
    }
    if let Some(link) = clicked.closest("a.users").ok().flatten() {
        event.prevent_default();
        if let Some(account) = link.get_attribute("data-account") {
            let url = users_url(&account);
            wasm_bindgen_futures::spawn_local(async move {
                let properties =
                    chrome::from_json_text(&serde_json::json!({ "url": url }).to_string());
                if let Err(e) = chrome::tabs_create(&properties).await {
                    chrome::warn(&format!(
                        "switchyard: cannot open the users page: {}",
                        chrome::error_text(&e)
                    ));
                }
            });
        }
        return;
    }
    let Some(item) = clicked.closest("li.target").ok().flatten() else {
        return;
    };
    let Some(row) = item
        .get_attribute("data-row")
        .and_then(|r| r.parse::<usize>().ok())
    else {
        return;
    };
    event.prevent_default();
    let button = clicked.closest("button").ok().flatten();
    if button.as_ref().is_some_and(|b| b.class_name() == "star") {
        return toggle_favorite(Some(row));
    }
    let chosen = LIST.with(|list| {
        let mut list = list.borrow_mut();
        list.cursor = Some(row);
        let modifier = auxiliary || mouse.ctrl_key() || mouse.meta_key();
        list.cursor_target()
            .map(|t| (t, list.settings.open_mode.new_tab(modifier)))
    });
    draw_rows(true);
    let Some((target, new_tab)) = chosen else {
        return;
    };
    mark_body_clicked();
    if button.is_some_and(|b| b.class_name() == "copy-link") {
        wasm_bindgen_futures::spawn_local(copy_link(target));
    } else {
        wasm_bindgen_futures::spawn_local(switch_to(target, new_tab));
    }
}

async fn copy_link(target: Target) {
    let Some(document) = page() else { return };
    let link = match SwitchTarget::from_target(&target) {
        Ok(checked) => switch_link(&checked),
        Err(e) => {
            let text = format!("No link for this role: {e}");
            return status(
                &document,
                Status::Bad,
                &text,
                None,
                Some(ErrorCode::InvalidTarget),
            );
        }
    };
    match chrome::clipboard_write_text(&link).await {
        Ok(_) => status(
            &document,
            Status::Good,
            "Copied the switch link: ",
            Some(&link),
            None,
        ),
        Err(_) => status(
            &document,
            Status::Info,
            "Copy this switch link: ",
            Some(&link),
            None,
        ),
    }
}

async fn switch_to(target: Target, new_tab: bool) {
    let Some(document) = page() else { return };
    // Checked here too, so a bad target never leaves the popup.
    if let Err(e) = SwitchTarget::from_target(&target) {
        let text = format!("Cannot switch to this role: {e}");
        return status(
            &document,
            Status::Bad,
            &text,
            None,
            Some(ErrorCode::InvalidTarget),
        );
    }
    let recent = LIST.with(|list| {
        let mut list = list.borrow_mut();
        list.marks.used(&target.role_arn);
        list.marks.recent_json()
    });
    if let Err(e) = storage::set_text(RECENT_KEY, &recent).await {
        chrome::warn(&format!("switchyard: recently used not saved: {e}"));
    }
    let text = format!("Switching to {}…", target.display_name);
    status(&document, Status::Busy, &text, None, None);
    let request = SwitchRequest {
        role_arn: target.role_arn.clone(),
        display_name: target.display_name.clone(),
        color: target.color.clone(),
        new_tab,
        region: target.region.clone(),
        base: target.base.clone(),
        sso: target.sso.clone(),
        identity_center: target.is_identity_center_role(),
    };
    match ask::<SwitchDone>(PageRequest::Switch(request)).await {
        Ok(done) => {
            let how = match done.method {
                SwitchMethod::Classic => "console switch",
                SwitchMethod::MultiSession => "multi-session console",
                SwitchMethod::Federation => "federated sign-in",
            };
            let text = format!("Switched to {} ({how}).", target.display_name);
            status(&document, Status::Good, &text, None, None);
        }
        Err(error) => status(
            &document,
            Status::Bad,
            &error.message,
            None,
            Some(error.code),
        ),
    }
}

fn render_account(document: &Document, shown: &PanelView) {
    let by_id = |id: &str| document.get_element_by_id(id);
    let text = |id: &str, value: Option<&str>| {
        if let Some(element) = by_id(id) {
            element.set_text_content(value);
        }
    };
    let show = |id: &str, visible: bool| {
        if let Some(element) = by_id(id) {
            set_hidden(&element, !visible);
        }
    };

    show("account", shown != &PanelView::default());
    text("account-busy", shown.busy.as_deref());

    show("account-error", shown.error.is_some());
    if let Some(error) = &shown.error {
        text("account-error-title", Some(&error.title));
        if let Some(message) = by_id("account-error-message") {
            set_rich_text(document, &message, &error.message);
        }
        text("account-error-code", Some(&error.code));
        show("retry", error.retry);
    }

    show("account-note", shown.note.is_some());
    if let Some(note) = &shown.note {
        text("account-note-title", Some(&note.title));
        if let Some(message) = by_id("account-note-message") {
            set_rich_text(document, &message, &note.message);
        }
    }

    // A waiting command's code form (`crate::waiting`) goes first; after its code the
    // panel reloads.
    let asking = crate::waiting::asking();
    show("mfa-form", shown.mfa.is_some() && !asking);
    if let (Some(mfa), false) = (&shown.mfa, asking) {
        text("mfa-intro", Some(&mfa.intro));
        text("mfa-error", mfa.error.as_deref());
        if let Some(button) = by_id("mfa-submit") {
            set_flag(&button, "disabled", mfa.submitting);
        }
        if let Some(input) = by_id("mfa-code") {
            let _ = input.set_attribute(
                "aria-invalid",
                if mfa.error.is_some() { "true" } else { "false" },
            );
            // Read-only rather than disabled, so the field keeps its focus.
            set_flag(&input, "readonly", mfa.submitting);
            if !mfa.submitting {
                if let Ok(field) = input.dyn_into::<HtmlInputElement>() {
                    let _ = field.focus();
                    if mfa.error.is_some() {
                        // Typing the next code replaces the refused one.
                        field.select();
                    }
                }
            }
        }
    } else {
        text("mfa-error", None);
    }

    show("identity", shown.identity.is_some());
    if let Some(identity) = &shown.identity {
        text("identity-name", Some(&identity.name));
        text("identity-arn", Some(&identity.arn));
        text("identity-account", Some(&identity.account));
        text("identity-mfa", identity.mfa.as_deref());
        show("identity-mfa-label", identity.mfa.is_some());
        show("identity-mfa", identity.mfa.is_some());
    }

    show("accounts", shown.accounts.is_some());
    if let Some(accounts) = &shown.accounts {
        text("accounts-summary", Some(&accounts.summary));
        text("accounts-freshness", accounts.freshness.as_deref());
        show("accounts-freshness", accounts.freshness.is_some());
        text("accounts-notice", accounts.notice.as_deref());
        show("accounts-notice", accounts.notice.is_some());
        if let Some(list) = by_id("accounts-list") {
            list.set_text_content(None);
            for row in &accounts.rows {
                let Ok(item) = document.create_element("li") else {
                    continue;
                };
                if row.current {
                    let _ = item.set_attribute("aria-current", "true");
                }
                let state_class = if row.unusual {
                    "state unusual"
                } else {
                    "state"
                };
                if let Some(color) = row.color.as_deref().map(crate::view::popup_list::css_color) {
                    if let Some(chip) = append_text(document, &item, "span", "") {
                        chip.set_class_name("chip");
                        let _ = chip.set_attribute("style", &format!("--chip: #{color}"));
                    }
                }
                for (tag, class, value) in [
                    ("span", "name", &row.name),
                    ("code", "id", &row.id),
                    ("span", state_class, &row.state),
                ] {
                    if let Some(cell) = append_text(document, &item, tag, value) {
                        cell.set_class_name(class);
                    }
                }
                if let Some(look) = &row.look {
                    if let Some(cell) = append_text(document, &item, "span", look) {
                        cell.set_class_name("look");
                    }
                }
                let _ = list.append_child(&item);
            }
        }
    }
}

/// Open the team's name-and-color form for an account of the list, filled with what the
/// team set (the organization's account and its tags when the panel has them).
fn open_team_form(account_id: &str) {
    let (shown_name, listed) = LIST.with(|list| {
        let list = list.borrow();
        let group = list
            .catalog
            .groups
            .iter()
            .find(|g| g.account_id == account_id);
        let name = group.map_or_else(|| account_id.to_owned(), |g| g.name.clone());
        let team_name = group
            .filter(|g| g.name_from == Some(LookOrigin::Team))
            .map(|g| g.name.clone());
        let team_color = group.and_then(|g| {
            g.targets
                .iter()
                .map(|&t| &list.catalog.targets[t])
                .find(|t| t.color_from == Some(LookOrigin::Team))
                .map(|t| t.color.clone())
        });
        (name, (team_name, team_color))
    });
    let form = PANEL.with(|panel| {
        let panel = panel.borrow();
        let account = panel
            .accounts()
            .and_then(|data| data.accounts.iter().find(|a| a.id == account_id));
        TeamLookForm::open(
            account_id,
            &shown_name,
            account,
            (listed.0.as_deref(), listed.1.as_deref()),
        )
    });
    let (name, color) = (form.name.clone(), form.color.clone());
    TEAM_FORM.with(|slot| *slot.borrow_mut() = Some(form));
    if let Some(input) = by_id::<HtmlInputElement>("team-name") {
        input.set_value(&name);
    }
    if let Some(input) = by_id::<HtmlInputElement>("team-color") {
        input.set_value(&color);
    }
    if let Some(input) = by_id::<HtmlInputElement>("team-console") {
        input.set_checked(false);
    }
    render_team_form();
    if let Some(input) = by_id::<HtmlElement>("team-name") {
        let _ = input.focus();
    }
}

fn close_team_form() {
    TEAM_FORM.with(|slot| *slot.borrow_mut() = None);
    render_team_form();
    focus_filter();
}

/// A field of the form changed: read them all into the form.
fn on_team_input() {
    let name = by_id::<HtmlInputElement>("team-name").map(|i| i.value());
    let color = by_id::<HtmlInputElement>("team-color").map(|i| i.value());
    let console = by_id::<HtmlInputElement>("team-console").map(|i| i.checked());
    TEAM_FORM.with(|slot| {
        if let Some(form) = slot.borrow_mut().as_mut() {
            form.name = name.unwrap_or_default();
            form.color = color.unwrap_or_default();
            form.console_color = console.unwrap_or_default();
            form.edited();
        }
    });
    render_team_form();
}

/// Save pressed: send `accounts.set` (when the fields are good), then show the answer;
/// on success the panel's accounts and the switch list are read again to show it.
fn save_team_look() {
    on_team_input();
    let params = TEAM_FORM.with(|slot| slot.borrow_mut().as_mut().and_then(TeamLookForm::submit));
    render_team_form();
    let Some(params) = params else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let answer = ask::<AccountsSetData>(PageRequest::AccountsSet(params)).await;
        let saved = answer.is_ok();
        TEAM_FORM.with(|slot| {
            if let Some(form) = slot.borrow_mut().as_mut() {
                form.answer(answer);
            }
        });
        render_team_form();
        if saved {
            dispatch(Event::AccountsChanged);
            // The whole list again (not the quick one from the lists alone, which would
            // blank the organization's roles meanwhile), drawn in place.
            if let Ok((targets, data)) = read_pages(false, false).await {
                show_roles(targets, data, "roles-refreshed").await;
            }
        }
    });
}

fn render_team_form() {
    let Some(document) = page() else { return };
    let by_id = |id: &str| document.get_element_by_id(id);
    let shown = TEAM_FORM.with(|slot| slot.borrow().as_ref().map(team_look::view));
    if let Some(form) = by_id("team-form") {
        set_hidden(&form, shown.is_none());
    }
    let Some(shown) = shown else { return };
    let text = |id: &str, value: Option<&str>| {
        if let Some(element) = by_id(id) {
            element.set_text_content(value);
        }
    };
    text("team-heading", Some(&shown.heading));
    text("team-name-error", shown.name_error.as_deref());
    text("team-color-error", shown.color_error.as_deref());
    for (input, error) in [
        ("team-name", shown.name_error.is_some()),
        ("team-color", shown.color_error.is_some()),
    ] {
        if let Some(field) = by_id(input) {
            let _ = field.set_attribute("aria-invalid", if error { "true" } else { "false" });
        }
    }
    if let Some(swatch) = by_id("team-swatch") {
        match &shown.swatch {
            Some(rgb) => {
                let _ = swatch.set_attribute("style", &format!("--chip: #{rgb}"));
                set_hidden(&swatch, false);
            }
            None => set_hidden(&swatch, true),
        }
    }
    if let Some(button) = by_id("team-save") {
        set_flag(&button, "disabled", shown.saving);
    }
    text(
        "team-busy",
        shown.saving.then_some("Writing the account's tags…"),
    );
    if let Some(problem) = by_id("team-error") {
        set_hidden(&problem, shown.error.is_none());
        if let Some((message, code)) = &shown.error {
            if let Some(line) = by_id("team-error-message") {
                set_rich_text(&document, &line, message);
            }
            text("team-error-code", Some(code));
        }
    }
    if let Some(done) = by_id("team-done") {
        set_hidden(&done, shown.done.is_none());
        done.set_text_content(shown.done.as_deref());
    }
}

/// Replace `element`'s content with `text`, showing `backticked` commands as code.
fn set_rich_text(document: &Document, element: &Element, text: &str) {
    element.set_text_content(None);
    for span in messages::code_spans(text) {
        if span.code {
            let _ = append_text(document, element, "code", span.text);
        } else {
            let _ = element.insert_adjacent_text("beforeend", span.text);
        }
    }
}

/// Append a `<tag>text</tag>` to `parent`; the new element, unless creating it failed.
fn append_text(document: &Document, parent: &Element, tag: &str, text: &str) -> Option<Element> {
    let child = document.create_element(tag).ok()?;
    child.set_text_content(Some(text));
    parent.append_child(&child).ok()?;
    Some(child)
}
