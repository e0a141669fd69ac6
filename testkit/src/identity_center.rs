//! A local stand-in for IAM Identity Center's OIDC service and portal, which moto does
//! not implement. It answers the SDK's REST-JSON requests as the API references shape
//! them (SSO OIDC: `POST /client/register`, `/device_authorization`, `/token`, and the
//! browser's `GET /authorize`; the portal: `GET /assignment/accounts`,
//! `/assignment/roles`, `/federation/credentials`, `POST /logout`, the token in the
//! `x-amz-sso_bearer_token` header), with the errors as AWS words them (the
//! `x-amzn-ErrorType` header and an `error` / `message` body).
//!
//! The authorize page has an "Allow" and a "Deny" button, posted back as a form: a test
//! drives it in headless Chromium or with plain HTTP ([`IdentityCenter::approve`]).
//! PKCE is checked (S256). GetRoleCredentials hands out the credentials the test set for
//! the role ([`IdentityCenter::set_role_credentials`]): minted by moto's STS, so the
//! calls made with them, and the chains from them, run against moto for real.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use sha2::Digest;

#[derive(Clone, Debug)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

#[derive(Default)]
struct State {
    next: u64,
    /// client id → (secret, redirect uris)
    clients: HashMap<String, (String, Vec<String>)>,
    /// pending authorization codes: code → (client id, challenge, redirect uri)
    codes: HashMap<String, (String, String, String)>,
    /// device code → (client id, user code, approved)
    devices: HashMap<String, (String, String, bool)>,
    /// access token → expires at (unix s)
    access: HashMap<String, u64>,
    /// refresh token → client id
    refresh: HashMap<String, String>,
    /// account id → (name, roles)
    accounts: BTreeMap<String, (String, Vec<String>)>,
    role_credentials: HashMap<(String, String), RoleCredentials>,
    /// How long new access tokens last (seconds).
    access_ttl: u64,
    /// Answer the next N portal requests with TooManyRequestsException.
    throttle_portal: usize,
    /// Requests seen, as `METHOD path grant` lines.
    log: Vec<String>,
    /// Every secret handed out (client secrets, codes, access and refresh tokens).
    issued: Vec<String>,
}

pub struct IdentityCenter {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl IdentityCenter {
    pub fn start() -> IdentityCenter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            access_ttl: 3600,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        IdentityCenter { endpoint, state }
    }

    /// Grant `roles` (permission set names) in `account` named `name`.
    pub fn grant(&self, account: &str, name: &str, roles: &[&str]) {
        let mut state = self.state.lock().unwrap();
        let entry = state
            .accounts
            .entry(account.to_owned())
            .or_insert_with(|| (name.to_owned(), Vec::new()));
        for role in roles {
            if !entry.1.iter().any(|r| r == role) {
                entry.1.push((*role).to_owned());
            }
        }
    }

    /// Take every grant of `account` away (a role that disappeared).
    pub fn revoke_account(&self, account: &str) {
        self.state.lock().unwrap().accounts.remove(account);
    }

    pub fn set_role_credentials(&self, account: &str, role: &str, credentials: RoleCredentials) {
        self.state
            .lock()
            .unwrap()
            .role_credentials
            .insert((account.to_owned(), role.to_owned()), credentials);
    }

    /// New access tokens last this long.
    pub fn set_access_ttl(&self, secs: u64) {
        self.state.lock().unwrap().access_ttl = secs;
    }

    /// End every access token now (as an hour passing would).
    pub fn expire_access_tokens(&self) {
        let mut state = self.state.lock().unwrap();
        for end in state.access.values_mut() {
            *end = 0;
        }
    }

    /// Revoke every refresh token (an administrator ended the user's sessions).
    pub fn revoke_refresh_tokens(&self) {
        self.state.lock().unwrap().refresh.clear();
    }

    pub fn throttle_portal(&self, times: usize) {
        self.state.lock().unwrap().throttle_portal = times;
    }

    /// Every secret handed out so far (client secrets, codes, tokens, refresh tokens).
    pub fn secrets(&self) -> Vec<String> {
        self.state.lock().unwrap().issued.clone()
    }

    /// How many requests' log lines contain `needle` (`POST /token refresh_token`, …).
    pub fn count(&self, needle: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Play the browser: open the authorize page at `url` (as the daemon answered it),
    /// press "Allow" (or "Deny"), and follow the redirect to the loopback address. The
    /// loopback's answer (status, body).
    pub fn approve(&self, url: &str, allow: bool) -> (u16, String) {
        let (status, _, page) = http("GET", url, "", &[]);
        assert_eq!(status, 200, "authorize page: {page}");
        let form = between(&page, "<form method=\"post\" action=\"", "\"").unwrap();
        let fields: Vec<(String, String)> = page
            .match_indices("<input type=\"hidden\" name=\"")
            .map(|(at, _)| {
                let rest = &page[at..];
                let name = between(rest, "name=\"", "\"").unwrap();
                let value = between(rest, "value=\"", "\"").unwrap();
                (name, html_unescape(&value))
            })
            .collect();
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &fields {
            body.append_pair(name, value);
        }
        body.append_pair("decision", if allow { "allow" } else { "deny" });
        let post = format!("{}{}", origin(url), form);
        let (status, headers, text) = http(
            "POST",
            &post,
            &body.finish(),
            &[("Content-Type", "application/x-www-form-urlencoded")],
        );
        assert_eq!(status, 302, "approve: {text}");
        let location = headers.get("location").expect("a redirect").clone();
        let (status, _, text) = http("GET", &location, "", &[]);
        (status, text)
    }

    /// Approve a device sign-in by its user code (the verification page's "Allow").
    pub fn approve_device(&self, user_code: &str) {
        let mut state = self.state.lock().unwrap();
        for device in state.devices.values_mut() {
            if device.1 == user_code {
                device.2 = true;
            }
        }
    }
}

fn origin(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    url[..host_end].to_owned()
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].to_owned())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A plain HTTP/1.1 request (the test's browser): status, lower-case headers, body.
pub fn http(
    method: &str,
    url: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, HashMap<String, String>, String) {
    let rest = url.strip_prefix("http://").expect("http:// only");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut found = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            found.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let mut text = String::new();
    let _ = reader.read_to_string(&mut text);
    (status, found, text)
}

struct Request {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    headers: HashMap<String, String>,
    body: String,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Ok(Request {
        method,
        path: path.to_owned(),
        query: form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn json(status: u16, body: serde_json::Value) -> Answer {
    Answer {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

/// An error as the OIDC service words it (`error`, `error_description`).
fn oidc_error(status: u16, kind: &str, error: &str, description: &str) -> Answer {
    let mut answer = json(
        status,
        serde_json::json!({ "error": error, "error_description": description }),
    );
    answer
        .headers
        .push(("x-amzn-ErrorType".into(), kind.into()));
    answer
}

/// An error as the portal words it (`message`).
fn portal_error(status: u16, kind: &str, message: &str) -> Answer {
    let mut answer = json(status, serde_json::json!({ "message": message }));
    answer
        .headers
        .push(("x-amzn-ErrorType".into(), kind.into()));
    answer
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let request = read_request(&stream)?;
    let answer = answer(&request, state);
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(answer.body.as_bytes())?;
    stream.flush()
}

fn token(state: &mut State, prefix: &str) -> String {
    state.next += 1;
    let token = format!("{prefix}-{}-{}", state.next, unix_now());
    if prefix != "client" {
        state.issued.push(token.clone());
    }
    token
}

fn answer(request: &Request, state: &Mutex<State>) -> Answer {
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap_or_default();
    let field = |name: &str| {
        body.get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mut state = state.lock().unwrap();
    let grant = field("grantType");
    state
        .log
        .push(format!("{} {} {grant}", request.method, request.path));
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/client/register") => {
            let id = token(&mut state, "client");
            let secret = token(&mut state, "client-secret");
            let redirects: Vec<String> = body
                .get("redirectUris")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            state
                .clients
                .insert(id.clone(), (secret.clone(), redirects));
            let now = unix_now();
            json(
                200,
                serde_json::json!({
                    "clientId": id,
                    "clientSecret": secret,
                    "clientIdIssuedAt": now,
                    "clientSecretExpiresAt": now + 90 * 24 * 3600,
                }),
            )
        }
        ("POST", "/device_authorization") => {
            if !client_ok(&state, &field("clientId"), &field("clientSecret")) {
                return oidc_error(
                    401,
                    "InvalidClientException",
                    "invalid_client",
                    "unknown client",
                );
            }
            let device = token(&mut state, "device");
            state.next += 1;
            let user_code = format!("ABCD-{:04}", state.next);
            state.devices.insert(
                device.clone(),
                (field("clientId"), user_code.clone(), false),
            );
            json(
                200,
                serde_json::json!({
                    "deviceCode": device,
                    "userCode": user_code,
                    "verificationUri": "https://device.sso.eu-west-1.amazonaws.com/",
                    "verificationUriComplete": format!("https://device.sso.eu-west-1.amazonaws.com/?user_code={user_code}"),
                    "expiresIn": 600,
                    "interval": 1,
                }),
            )
        }
        ("GET", "/authorize") => authorize_page(&request.query, &state),
        ("POST", "/authorize") => {
            let form: BTreeMap<String, String> = form_urlencoded::parse(request.body.as_bytes())
                .into_owned()
                .collect();
            let get = |name: &str| form.get(name).cloned().unwrap_or_default();
            let redirect = get("redirect_uri");
            let state_value = get("state");
            let mut location = form_urlencoded::Serializer::new(String::new());
            if get("decision") == "allow" {
                let code = token(&mut state, "code");
                state.codes.insert(
                    code.clone(),
                    (get("client_id"), get("code_challenge"), redirect.clone()),
                );
                location.append_pair("code", &code);
            } else {
                location.append_pair("error", "access_denied");
                location.append_pair("error_description", "The user denied the request");
            }
            location.append_pair("state", &state_value);
            Answer {
                status: 302,
                headers: vec![(
                    "Location".into(),
                    format!("{redirect}?{}", location.finish()),
                )],
                body: String::new(),
            }
        }
        ("POST", "/token") => create_token(&mut state, &field),
        (method, path)
            if path.starts_with("/assignment/")
                || path.starts_with("/federation/")
                || path == "/logout" =>
        {
            let bearer = request
                .headers
                .get("x-amz-sso_bearer_token")
                .cloned()
                .unwrap_or_default();
            portal(&mut state, method, path, &request.query, &bearer)
        }
        _ => json(404, serde_json::json!({ "message": "not found" })),
    }
}

fn client_ok(state: &State, id: &str, secret: &str) -> bool {
    state.clients.get(id).is_some_and(|(s, _)| s == secret)
}

fn authorize_page(query: &BTreeMap<String, String>, state: &State) -> Answer {
    let get = |name: &str| query.get(name).cloned().unwrap_or_default();
    let client = get("client_id");
    let redirect = get("redirect_uri");
    let registered = state.clients.get(&client).map(|(_, r)| r.clone());
    let Some(registered) = registered else {
        return json(400, serde_json::json!({ "message": "unknown client_id" }));
    };
    // RFC 8252 §7.3: a loopback redirect matches its registration whatever the port.
    let without_port = |uri: &str| {
        let rest = uri.trim_start_matches("http://127.0.0.1");
        let rest = rest
            .trim_start_matches(':')
            .trim_start_matches(|c: char| c.is_ascii_digit());
        rest.to_owned()
    };
    if !registered
        .iter()
        .any(|r| without_port(r) == without_port(&redirect))
        || !redirect.starts_with("http://127.0.0.1:")
    {
        return json(
            400,
            serde_json::json!({ "message": "redirect_uri not registered" }),
        );
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return json(
            400,
            serde_json::json!({ "message": "PKCE S256 is required" }),
        );
    }
    let hidden: String = ["client_id", "redirect_uri", "state", "code_challenge"]
        .iter()
        .map(|name| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                html_escape(&get(name))
            )
        })
        .collect();
    Answer {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Allow access (Identity Center stand-in)</title></head>\
             <body><h1>Allow Switchyard to access your data?</h1>\
             <form method=\"post\" action=\"/authorize\">{hidden}\
             <button id=\"allow\" name=\"decision\" value=\"allow\">Allow access</button>\
             <button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form></body></html>"
        ),
    }
}

fn create_token(state: &mut State, field: &dyn Fn(&str) -> String) -> Answer {
    let client = field("clientId");
    if !client_ok(state, &client, &field("clientSecret")) {
        return oidc_error(
            401,
            "InvalidClientException",
            "invalid_client",
            "unknown client",
        );
    }
    match field("grantType").as_str() {
        "authorization_code" => {
            let Some((for_client, challenge, redirect)) = state.codes.remove(&field("code")) else {
                return oidc_error(
                    400,
                    "InvalidGrantException",
                    "invalid_grant",
                    "unknown code",
                );
            };
            let verifier = field("codeVerifier");
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            if for_client != client || computed != challenge || redirect != field("redirectUri") {
                return oidc_error(
                    400,
                    "InvalidGrantException",
                    "invalid_grant",
                    "code_verifier or redirect_uri does not match",
                );
            }
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            match state.devices.get(&field("deviceCode")) {
                Some((c, _, true)) if *c == client => {
                    state.devices.remove(&field("deviceCode"));
                }
                Some((c, _, false)) if *c == client => {
                    return oidc_error(
                        400,
                        "AuthorizationPendingException",
                        "authorization_pending",
                        "pending",
                    )
                }
                _ => return oidc_error(400, "ExpiredTokenException", "expired_token", "expired"),
            }
        }
        "refresh_token" => {
            if state.refresh.remove(&field("refreshToken")).as_deref() != Some(client.as_str()) {
                return oidc_error(
                    400,
                    "InvalidGrantException",
                    "invalid_grant",
                    "refresh token is invalid or revoked",
                );
            }
        }
        other => {
            return oidc_error(
                400,
                "UnsupportedGrantTypeException",
                "unsupported_grant_type",
                other,
            )
        }
    }
    let access = token(state, "access");
    let refresh = token(state, "refresh");
    let ttl = state.access_ttl;
    state.access.insert(access.clone(), unix_now() + ttl);
    state.refresh.insert(refresh.clone(), client);
    json(
        200,
        serde_json::json!({
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": ttl,
            "refreshToken": refresh,
        }),
    )
}

fn portal(
    state: &mut State,
    method: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    bearer: &str,
) -> Answer {
    if state.throttle_portal > 0 {
        state.throttle_portal -= 1;
        return portal_error(429, "TooManyRequestsException", "Rate exceeded");
    }
    let live = state
        .access
        .get(bearer)
        .is_some_and(|end| *end > unix_now());
    if !live {
        return portal_error(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        );
    }
    let get = |name: &str| query.get(name).cloned().unwrap_or_default();
    let page = |items: Vec<serde_json::Value>, key: &str| {
        let size: usize = get("max_result").parse().unwrap_or(100).clamp(1, 100);
        let start: usize = get("next_token").parse().unwrap_or(0);
        let end = (start + size).min(items.len());
        let mut body = serde_json::json!({ key: items[start.min(end)..end] });
        if end < items.len() {
            body["nextToken"] = serde_json::json!(end.to_string());
        }
        json(200, body)
    };
    match (method, path) {
        ("GET", "/assignment/accounts") => {
            let items = state
                .accounts
                .iter()
                .map(|(id, (name, _))| {
                    serde_json::json!({
                        "accountId": id,
                        "accountName": name,
                        "emailAddress": format!("{id}@example.com"),
                    })
                })
                .collect();
            page(items, "accountList")
        }
        ("GET", "/assignment/roles") => {
            let account = get("account_id");
            let items = state
                .accounts
                .get(&account)
                .map(|(_, roles)| {
                    roles
                        .iter()
                        .map(|r| serde_json::json!({ "roleName": r, "accountId": account }))
                        .collect()
                })
                .unwrap_or_default();
            page(items, "roleList")
        }
        ("GET", "/federation/credentials") => {
            let (account, role) = (get("account_id"), get("role_name"));
            let granted = state
                .accounts
                .get(&account)
                .is_some_and(|(_, roles)| roles.contains(&role));
            let credentials = state.role_credentials.get(&(account.clone(), role.clone()));
            match (granted, credentials) {
                (true, Some(c)) => json(
                    200,
                    serde_json::json!({ "roleCredentials": {
                        "accessKeyId": c.access_key_id,
                        "secretAccessKey": c.secret_access_key,
                        "sessionToken": c.session_token,
                        "expiration": (unix_now() + 3600) * 1000,
                    }}),
                ),
                _ => portal_error(
                    404,
                    "ResourceNotFoundException",
                    "No access to the requested role",
                ),
            }
        }
        ("POST", "/logout") => {
            state.access.remove(bearer);
            Answer {
                status: 200,
                headers: Vec::new(),
                body: String::new(),
            }
        }
        _ => json(404, serde_json::json!({ "message": "not found" })),
    }
}
