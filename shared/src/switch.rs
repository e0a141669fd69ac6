//! Switching the AWS console to another account and role, without I/O: the sign-in and
//! console hosts of each partition, the checks a target passes before any request, and
//! the three ways to switch as data the extension or the daemon sends as-is:
//!
//! 1. classic: a POST of hidden form fields to `https://{sign-in host}/switchrole`
//!    ([`classic_form`]);
//! 2. multi-session: a JSON POST to
//!    `https://{signInEndpoint}/sessions/{sessionDifferentiator}/v1/switchrole`
//!    ([`multi_session_request`]), when the console page's `awsc-session-data` meta tag
//!    says multi-session is on ([`SessionData::parse`]);
//! 3. federation: `getSigninToken` with temporary credentials, then a one-time login URL
//!    ([`signin_token_url`], [`login_url`]), which the extension and the CLI check before
//!    opening or printing it ([`check_login_url`]).
//!
//! Also: the "Copy switch link" URL ([`switch_link`]) and where to land after a switch
//! ([`destination_after_switch`]).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use crate::protocol::roles::Target;
use crate::targets::{is_role_name, parse_role_arn};

/// The longest display name the console accepts.
pub const MAX_DISPLAY_NAME: usize = 64;

/// The longest session AWS federation allows for role credentials (12 hours), and the
/// shortest (15 minutes), in seconds.
pub const MAX_SESSION_DURATION: u32 = 43_200;
pub const MIN_SESSION_DURATION: u32 = 900;

/// What `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// An AWS partition with its own sign-in and console hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Partition {
    #[serde(rename = "aws")]
    Aws,
    #[serde(rename = "aws-us-gov")]
    AwsUsGov,
    #[serde(rename = "aws-cn")]
    AwsCn,
    /// The AWS European Sovereign Cloud (region `eusc-de-east-1`): sign-in only at
    /// regional hosts (`{region}.signin.amazonaws-eusc.eu`, as the SDKs' endpoint rules
    /// have it), the console at `console.amazonaws-eusc.eu`.
    #[serde(rename = "aws-eusc")]
    AwsEusc,
}

impl Partition {
    pub const ALL: [Partition; 4] = [
        Partition::Aws,
        Partition::AwsUsGov,
        Partition::AwsCn,
        Partition::AwsEusc,
    ];

    /// The partition named in ARNs (`aws`, `aws-us-gov`, `aws-cn`, `aws-eusc`).
    pub fn from_name(name: &str) -> Option<Partition> {
        Partition::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsCn => "aws-cn",
            Partition::AwsEusc => "aws-eusc",
        }
    }

    /// The partition whose regions start so (`cn-…`, `us-gov-…`, `eusc-…`; `aws` for the
    /// rest).
    pub fn of_region(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::AwsCn
        } else if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else if region.starts_with("eusc-") {
            Partition::AwsEusc
        } else {
            Partition::Aws
        }
    }

    /// The region the partition's sign-in goes to when none is known: the European
    /// Sovereign Cloud has no global sign-in host.
    pub fn default_region(self) -> Option<&'static str> {
        match self {
            Partition::AwsEusc => Some("eusc-de-east-1"),
            _ => None,
        }
    }

    /// The sign-in host for a switch made from a console page in `region` (the page's
    /// region, or the partition's default): `eu-west-1.signin.aws.amazon.com`; the global
    /// host for `us-east-1` (AWS's sign-in endpoint there) or without a region.
    pub fn signin_host_for(self, region: Option<&str>) -> String {
        let region = region
            .filter(|r| is_region(r) && Partition::of_region(r) == self)
            .or(self.default_region());
        match region {
            Some("us-east-1") | None => self.signin_host().to_owned(),
            Some(region) => format!("{region}.{}", self.signin_host()),
        }
    }

    /// The DNS suffix of the partition's service endpoints (`oidc.REGION.SUFFIX`).
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
            Partition::AwsCn => "amazonaws.com.cn",
            Partition::AwsEusc => "amazonaws.eu",
        }
    }

    /// The global sign-in host.
    pub fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::AwsUsGov => "signin.amazonaws-us-gov.com",
            Partition::AwsCn => "signin.amazonaws.cn",
            Partition::AwsEusc => "signin.amazonaws-eusc.eu",
        }
    }

    /// The global console host.
    pub fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
            Partition::AwsCn => "console.amazonaws.cn",
            Partition::AwsEusc => "console.amazonaws-eusc.eu",
        }
    }

    /// The sign-in host for a region (`us-east-1.signin.aws.amazon.com`), or the global one
    /// without a region or with a region that is not a plain region name.
    pub fn signin_host_in(self, region: Option<&str>) -> String {
        match region.filter(|r| is_region(r)) {
            Some(region) => format!("{region}.{}", self.signin_host()),
            None => self.signin_host().to_owned(),
        }
    }

    /// The console host for a region (`eu-west-1.console.aws.amazon.com`), or the global one.
    pub fn console_host_in(self, region: Option<&str>) -> String {
        match region.filter(|r| is_region(r)) {
            Some(region) => format!("{region}.{}", self.console_host()),
            None => self.console_host().to_owned(),
        }
    }
}

/// A region name as AWS spells them: lowercase letters, digits and dashes, 4 to 25
/// characters, starting with a letter and ending with a digit (`us-east-1`).
pub fn is_region(region: &str) -> bool {
    (4..=25).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region.ends_with(|c: char| c.is_ascii_digit())
        && !region.contains("--")
}

/// The Regions this build knows, with their partitions (AWS's published list when this
/// was written). A setting is checked against it, so a typo is caught; a Region newer
/// than this build can still be written into `config.toml` by hand.
pub const KNOWN_REGIONS: &[(&str, Partition)] = &[
    ("af-south-1", Partition::Aws),
    ("ap-east-1", Partition::Aws),
    ("ap-east-2", Partition::Aws),
    ("ap-northeast-1", Partition::Aws),
    ("ap-northeast-2", Partition::Aws),
    ("ap-northeast-3", Partition::Aws),
    ("ap-south-1", Partition::Aws),
    ("ap-south-2", Partition::Aws),
    ("ap-southeast-1", Partition::Aws),
    ("ap-southeast-2", Partition::Aws),
    ("ap-southeast-3", Partition::Aws),
    ("ap-southeast-4", Partition::Aws),
    ("ap-southeast-5", Partition::Aws),
    ("ap-southeast-6", Partition::Aws),
    ("ap-southeast-7", Partition::Aws),
    ("ca-central-1", Partition::Aws),
    ("ca-west-1", Partition::Aws),
    ("eu-central-1", Partition::Aws),
    ("eu-central-2", Partition::Aws),
    ("eu-north-1", Partition::Aws),
    ("eu-south-1", Partition::Aws),
    ("eu-south-2", Partition::Aws),
    ("eu-west-1", Partition::Aws),
    ("eu-west-2", Partition::Aws),
    ("eu-west-3", Partition::Aws),
    ("il-central-1", Partition::Aws),
    ("me-central-1", Partition::Aws),
    ("me-south-1", Partition::Aws),
    ("mx-central-1", Partition::Aws),
    ("sa-east-1", Partition::Aws),
    ("us-east-1", Partition::Aws),
    ("us-east-2", Partition::Aws),
    ("us-west-1", Partition::Aws),
    ("us-west-2", Partition::Aws),
    ("cn-north-1", Partition::AwsCn),
    ("cn-northwest-1", Partition::AwsCn),
    ("us-gov-east-1", Partition::AwsUsGov),
    ("us-gov-west-1", Partition::AwsUsGov),
];

/// The partition of a Region this build knows.
pub fn region_partition(region: &str) -> Option<Partition> {
    KNOWN_REGIONS
        .iter()
        .find(|(name, _)| *name == region)
        .map(|(_, partition)| *partition)
}

/// Whether `host` is a sign-in host (global or region-prefixed) and of which partition.
pub fn signin_partition(host: &str) -> Option<Partition> {
    let host = host.to_ascii_lowercase();
    Partition::ALL.into_iter().find(|p| {
        let base = p.signin_host();
        host == base
            || host
                .strip_suffix(base)
                .and_then(|prefix| prefix.strip_suffix('.'))
                .is_some_and(is_region)
    })
}

/// What a console host says: its partition, region (when region-prefixed) and multi-session
/// prefix (`123456789012-abcd1234.` before the region), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleHost {
    pub partition: Partition,
    pub region: Option<String>,
    pub session_prefix: Option<String>,
}

/// Read a console host name: `console.aws.amazon.com`, `eu-west-1.console.aws.amazon.com`,
/// `SESSION.eu-west-1.console.aws.amazon.com`. Anything else is not a console host.
pub fn console_host(host: &str) -> Option<ConsoleHost> {
    let host = host.to_ascii_lowercase();
    for partition in Partition::ALL {
        let base = partition.console_host();
        if host == base {
            return Some(ConsoleHost {
                partition,
                region: None,
                session_prefix: None,
            });
        }
        let Some(prefix) = host.strip_suffix(base).and_then(|p| p.strip_suffix('.')) else {
            continue;
        };
        let labels: Vec<&str> = prefix.split('.').collect();
        let (session, region) = match labels.as_slice() {
            [region] => (None, *region),
            [session, region] => (Some(*session), *region),
            _ => return None,
        };
        if !is_region(region) || session.is_some_and(|s| !is_host_label(s)) {
            return None;
        }
        return Some(ConsoleHost {
            partition,
            region: Some(region.to_owned()),
            session_prefix: session.map(str::to_owned),
        });
    }
    None
}

fn is_host_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Why a target cannot be switched to. Checked before any request is made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTarget {
    #[error("{0:?} is not a role ARN like arn:aws:iam::123456789012:role/NAME")]
    RoleArn(String),
    #[error("{0:?} is not a partition Switchyard knows (aws, aws-us-gov, aws-cn, aws-eusc)")]
    Partition(String),
    #[error("{0:?} is not an AWS account id (12 digits)")]
    AccountId(String),
    #[error("{0:?} is not an IAM role name (1 to 64 letters, digits and +=,.@_-)")]
    RoleName(String),
    #[error(
        "the display name is longer than {MAX_DISPLAY_NAME} characters or holds control characters"
    )]
    DisplayName,
    #[error("{0:?} is not a color (six hex digits, RRGGBB)")]
    Color(String),
}

/// A target that passed every check: safe to put in a form, a URL or a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchTarget {
    pub partition: Partition,
    pub account_id: String,
    /// The role's name, with its path when it has one (`path/to/Name`), as the console's
    /// switchrole takes it.
    pub role_name: String,
    pub display_name: String,
    /// `rrggbb` (lowercase, no `#`), or none.
    pub color: Option<String>,
    /// Where the switched console lands (a list's `region`), when one is given: the
    /// console page's region otherwise.
    pub region: Option<String>,
}

impl SwitchTarget {
    /// Check each part. An empty display name becomes `Role @ account`; an empty color
    /// means none; a leading `#` on the color is dropped.
    pub fn new(
        partition: &str,
        account_id: &str,
        role_name: &str,
        display_name: &str,
        color: &str,
    ) -> Result<SwitchTarget, InvalidTarget> {
        let partition = Partition::from_name(partition)
            .ok_or_else(|| InvalidTarget::Partition(partition.to_owned()))?;
        if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidTarget::AccountId(account_id.to_owned()));
        }
        let segments: Vec<&str> = role_name.split('/').collect();
        if role_name.len() > 512 || !segments.iter().all(|s| is_role_name(s)) {
            return Err(InvalidTarget::RoleName(role_name.to_owned()));
        }
        if display_name.chars().count() > MAX_DISPLAY_NAME
            || display_name.chars().any(char::is_control)
        {
            return Err(InvalidTarget::DisplayName);
        }
        let display_name = match display_name.trim() {
            "" => {
                let name = segments.last().copied().unwrap_or(role_name);
                crate::targets::display_name(name, None, account_id)
            }
            name => name.to_owned(),
        };
        let hex = color.strip_prefix('#').unwrap_or(color);
        let color = match hex {
            "" => None,
            hex if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(hex.to_ascii_lowercase())
            }
            _ => return Err(InvalidTarget::Color(color.to_owned())),
        };
        Ok(SwitchTarget {
            partition,
            account_id: account_id.to_owned(),
            role_name: role_name.to_owned(),
            display_name,
            color,
            region: None,
        })
    }

    /// Land in `region` after switching (ignored unless a region of the target's
    /// partition).
    pub fn landing_in(mut self, region: Option<&str>) -> SwitchTarget {
        self.region = region
            .filter(|r| is_region(r) && Partition::of_region(r) == self.partition)
            .map(str::to_owned);
        self
    }

    /// From a role ARN: partition, account and role (with its path) come from the ARN.
    pub fn from_arn(
        role_arn: &str,
        display_name: &str,
        color: &str,
    ) -> Result<SwitchTarget, InvalidTarget> {
        let arn =
            parse_role_arn(role_arn).ok_or_else(|| InvalidTarget::RoleArn(role_arn.into()))?;
        let path = role_arn
            .split_once(":role/")
            .map(|(_, path)| path)
            .ok_or_else(|| InvalidTarget::RoleArn(role_arn.into()))?;
        SwitchTarget::new(arn.partition, arn.account_id, path, display_name, color)
    }

    /// From a target of `roles.list`: its own account id and role name are checked too,
    /// and must agree with its ARN.
    pub fn from_target(target: &Target) -> Result<SwitchTarget, InvalidTarget> {
        if target.account_id.len() != 12 || !target.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidTarget::AccountId(target.account_id.clone()));
        }
        if !is_role_name(&target.role_name) {
            return Err(InvalidTarget::RoleName(target.role_name.clone()));
        }
        let switch = SwitchTarget::from_arn(&target.role_arn, &target.display_name, &target.color)?
            .landing_in(target.region.as_deref());
        let name = switch.role_name.rsplit('/').next().unwrap_or_default();
        if switch.account_id != target.account_id || name != target.role_name {
            return Err(InvalidTarget::RoleArn(target.role_arn.clone()));
        }
        Ok(switch)
    }

    /// `arn:PARTITION:iam::ACCOUNT:role/ROLE`.
    pub fn role_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:role/{}",
            self.partition.name(),
            self.account_id,
            self.role_name
        )
    }

    fn color_field(&self) -> String {
        self.color.clone().unwrap_or_default()
    }
}

/// A form to POST (`application/x-www-form-urlencoded`), fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormPost {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl FormPost {
    /// The encoded body, as a browser would send it.
    pub fn body(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.fields)
            .finish()
    }
}

/// The classic switch: the console's own nav form, as hidden fields POSTed to
/// `https://{signin_host}/switchrole`. `redirect_uri` is sent the way the console sends
/// it: URI-component-encoded inside the form field.
pub fn classic_form(
    target: &SwitchTarget,
    signin_host: &str,
    redirect_uri: &str,
    csrf: &str,
    mfa_needed: bool,
) -> FormPost {
    let field = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    FormPost {
        action: format!("https://{signin_host}/switchrole"),
        fields: vec![
            field("action", "switchFromBasis"),
            field("src", "nav"),
            field("roleName", &target.role_name),
            field("account", &target.account_id),
            field("displayName", &target.display_name),
            field("color", &target.color_field()),
            field("redirect_uri", &encode_component(redirect_uri)),
            field("mfaNeeded", if mfa_needed { "1" } else { "0" }),
            field("csrf", csrf),
        ],
    }
}

/// `encodeURIComponent`.
pub fn encode_component(text: &str) -> String {
    utf8_percent_encode(text, URI_COMPONENT).to_string()
}

/// What the console page's `<meta name="awsc-session-data" content="…">` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionData {
    /// `prismModeEnabled` is exactly `true` or `"true"`.
    pub multi_session: bool,
    /// The sign-in host the page names, when it is a real sign-in host.
    pub signin_endpoint: Option<String>,
    pub session_differentiator: Option<String>,
    pub account_id: Option<String>,
}

impl SessionData {
    /// Read the meta tag's content. Malformed content, or a sign-in endpoint that is not a
    /// sign-in host, reads as "nothing known" (classic), never as an error.
    pub fn parse(content: &str) -> SessionData {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(content) else {
            return SessionData::default();
        };
        let text = |key: &str| map.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let multi_session = matches!(
            map.get("prismModeEnabled"),
            Some(serde_json::Value::Bool(true))
        ) || text("prismModeEnabled").as_deref() == Some("true");
        SessionData {
            multi_session,
            signin_endpoint: text("signInEndpoint")
                .map(|h| h.to_ascii_lowercase())
                .filter(|h| signin_partition(h).is_some()),
            session_differentiator: text("sessionDifferentiator").filter(|s| !s.is_empty()),
            account_id: text("accountId"),
        }
    }
}

/// A JSON POST to make with the page's cookies and `X-CSRF-PROTECTION: 1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonPost {
    pub url: String,
    pub body: String,
}

/// Why a multi-session switch cannot be made from this page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotMultiSession {
    #[error("the console page is not in multi-session mode")]
    Off,
    #[error("the console page names no sign-in endpoint or session")]
    Incomplete,
}

/// The multi-session switch: `POST https://{signInEndpoint}/sessions/{id}/v1/switchrole`
/// with `{account, roleName, displayName, color, redirectUri}`. The redirect loses the
/// current session's host prefix.
pub fn multi_session_request(
    target: &SwitchTarget,
    session: &SessionData,
    current_url: &str,
) -> Result<JsonPost, NotMultiSession> {
    if !session.multi_session {
        return Err(NotMultiSession::Off);
    }
    let (Some(endpoint), Some(id)) = (&session.signin_endpoint, &session.session_differentiator)
    else {
        return Err(NotMultiSession::Incomplete);
    };
    let body = serde_json::json!({
        "account": target.account_id,
        "roleName": target.role_name,
        "displayName": target.display_name,
        "color": target.color_field(),
        "redirectUri": landing(current_url, target),
    });
    Ok(JsonPost {
        url: format!(
            "https://{endpoint}/sessions/{}/v1/switchrole",
            encode_component(id)
        ),
        body: body.to_string(),
    })
}

/// The destination in a multi-session switch reply (`{"destination": "https://…"}`), only
/// when it is an HTTPS console URL of the partition.
pub fn multi_session_destination(reply: &str, partition: Partition) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(reply).ok()?;
    let destination = value.get("destination")?.as_str()?;
    let url = SimpleUrl::parse(destination)?;
    let host = console_host(url.host)?;
    (host.partition == partition && url.port.is_none()).then(|| destination.to_owned())
}

/// What the extension read from the console page before switching.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFacts {
    /// The `awsc-session-data` meta tag's content.
    #[serde(default)]
    pub session_meta: Option<String>,
    /// The page's CSRF token (`AWSC.Auth.getMbtc()`).
    #[serde(default)]
    pub csrf: Option<String>,
    /// The console's `aws-userInfo` cookie (who is signed in; read by the popup through
    /// `crate::console_session`).
    #[serde(default)]
    pub user_info: Option<String>,
}

/// How a switch is made from a tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Submit this form in the console tab.
    Classic(FormPost),
    /// POST this JSON from the console tab, then open the destination it returns.
    MultiSession(JsonPost),
    /// Ask the daemon for a federated login URL (`switch.federate`) with this destination.
    Federate { destination: String },
}

/// Choose the way to switch: multi-session when the console page says so, classic when
/// it is a console page of the target's partition with a CSRF token, else federation
/// (a page that is not the console, a page that could not be read, another partition).
pub fn plan(target: &SwitchTarget, tab_url: &str, page: Option<&PageFacts>) -> Plan {
    let federate = Plan::Federate {
        destination: match target.region {
            Some(_) => landing(tab_url, target),
            None => tab_url.to_owned(),
        },
    };
    let on_console = SimpleUrl::parse(tab_url)
        .and_then(|url| console_host(url.host))
        .is_some_and(|host| host.partition == target.partition);
    let Some(page) = page.filter(|_| on_console) else {
        return federate;
    };
    let tab_region = SimpleUrl::parse(tab_url)
        .and_then(|url| console_host(url.host))
        .and_then(|host| host.region);
    let session = page
        .session_meta
        .as_deref()
        .map(SessionData::parse)
        .unwrap_or_default();
    if session
        .signin_endpoint
        .as_deref()
        .is_some_and(|host| signin_partition(host) != Some(target.partition))
    {
        return federate;
    }
    if let Ok(post) = multi_session_request(target, &session, tab_url) {
        return Plan::MultiSession(post);
    }
    match page.csrf.as_deref().filter(|c| !c.is_empty()) {
        Some(csrf) if !session.multi_session => {
            // The page's own sign-in endpoint is a hint; without it (a console page that
            // lost its meta tag) the host follows from the partition and the page's region.
            let host = session
                .signin_endpoint
                .clone()
                .unwrap_or_else(|| target.partition.signin_host_for(tab_region.as_deref()));
            let redirect = landing(tab_url, target);
            Plan::Classic(classic_form(target, &host, &redirect, csrf, false))
        }
        _ => federate,
    }
}

/// What to do for a switch, given the user's preferred method (options page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preferred {
    /// Switch this way from the tab.
    Plan(Plan),
    /// The preference needs a console page and the tab is none: open this console
    /// address (the console home of the target's partition) and plan again once it has
    /// loaded.
    OpenConsole(String),
    /// The preference needs a console session and the console page has none that can
    /// switch (signed out, or not a page of the target's partition).
    NoConsoleSession,
}

/// [`plan`], honouring the preferred method: `Auto` is [`plan`]; `Federation` always
/// federates; `Console` never federates: from another page it asks for the console to be
/// opened first, and on a console page that cannot switch it says so.
pub fn plan_preferring(
    method: crate::settings::SwitchMethod,
    target: &SwitchTarget,
    tab_url: &str,
    page: Option<&PageFacts>,
) -> Preferred {
    use crate::settings::SwitchMethod;
    match method {
        SwitchMethod::Auto => Preferred::Plan(plan(target, tab_url, page)),
        SwitchMethod::Federation => Preferred::Plan(Plan::Federate {
            destination: tab_url.to_owned(),
        }),
        SwitchMethod::Console => match plan(target, tab_url, page) {
            Plan::Federate { .. } => {
                let on_console = SimpleUrl::parse(tab_url)
                    .and_then(|url| console_host(url.host))
                    .is_some_and(|host| host.partition == target.partition);
                if on_console {
                    Preferred::NoConsoleSession
                } else {
                    Preferred::OpenConsole(console_home(target.partition, None))
                }
            }
            console => Preferred::Plan(console),
        },
    }
}

/// "Copy switch link": the link AWS tells admins to give users.
pub fn switch_link(target: &SwitchTarget) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("roleName", &target.role_name)
        .append_pair("account", &target.account_id)
        .append_pair("displayName", &target.display_name);
    if let Some(color) = &target.color {
        query.append_pair("color", color);
    }
    format!(
        "https://{}/switchrole?{}",
        target.partition.signin_host_for(None),
        query.finish()
    )
}

/// The session JSON `getSigninToken` takes.
pub fn federation_session_json(
    access_key_id: &str,
    secret_access_key: &str,
    token: &str,
) -> String {
    serde_json::json!({
        "sessionId": access_key_id,
        "sessionKey": secret_access_key,
        "sessionToken": token,
    })
    .to_string()
}

/// `https://{signin}/federation?Action=getSigninToken&SessionDuration=…&Session=…`.
/// `base` is `https://signin.aws.amazon.com` or an override; the duration is clamped to
/// what AWS accepts, and left out when `None` (AWS then applies its default).
pub fn signin_token_url(base: &str, session_json: &str, duration_secs: Option<u32>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("Action", "getSigninToken");
    if let Some(secs) = duration_secs {
        let secs = secs.clamp(MIN_SESSION_DURATION, MAX_SESSION_DURATION);
        query.append_pair("SessionDuration", &secs.to_string());
    }
    query.append_pair("Session", session_json);
    format!(
        "{}/federation?{}",
        base.trim_end_matches('/'),
        query.finish()
    )
}

/// Why a `getSigninToken` reply was not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sign-in endpoint's reply holds no SigninToken")]
pub struct NoSigninToken;

/// Read `{"SigninToken": "…"}`.
pub fn parse_signin_token(reply: &str) -> Result<String, NoSigninToken> {
    let value: serde_json::Value = serde_json::from_str(reply).map_err(|_| NoSigninToken)?;
    value
        .get("SigninToken")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or(NoSigninToken)
}

/// `https://{signin}/federation?Action=login&Issuer=…&Destination=…&SigninToken=…`.
pub fn login_url(base: &str, issuer: &str, destination: &str, token: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "login")
        .append_pair("Issuer", issuer)
        .append_pair("Destination", destination)
        .append_pair("SigninToken", token)
        .finish();
    format!("{}/federation?{query}", base.trim_end_matches('/'))
}

/// Why a login URL from the daemon is not opened (or printed). The URL itself is never
/// repeated: it holds a sign-in token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the daemon's login URL is not an AWS sign-in address for partition {partition} ({why}); \
     it was not opened. The process answering on the daemon's socket may not be Switchyard: \
     run `switchyard doctor`"
)]
pub struct UnsafeLoginUrl {
    pub partition: &'static str,
    pub why: &'static str,
}

/// Check a `switch.federate` login URL before it is opened: `https://`, no user info, no
/// port other than 443, the host one of `partition`'s sign-in hosts (global or a region's),
/// the path `/federation`, `Action=login` (once), a `SigninToken`, and a `Destination`
/// (when given) on the partition's console. Anything a browser would read differently
/// from this strict reading (backslashes, spaces or control characters, escapes in the
/// host, non-ASCII) is refused rather than interpreted.
///
/// A `signin_endpoint` override in `config.toml` needs no exception: the daemon sends the
/// browser to the override only when it is itself a sign-in host of the partition
/// (`aws::federation::signin_endpoints`), which this check accepts.
pub fn check_login_url(url: &str, partition: Partition) -> Result<(), UnsafeLoginUrl> {
    let refuse = |why: &'static str| {
        Err(UnsafeLoginUrl {
            partition: partition.name(),
            why,
        })
    };
    if !url.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
        return refuse("it holds spaces, backslashes, control or non-ASCII characters");
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return refuse("it is not an https:// address");
    };
    if rest.contains('#') {
        return refuse("it has a fragment");
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(end);
    if authority.contains('@') {
        return refuse("it names a user before the host");
    }
    if authority.contains('%') {
        return refuse("its host is percent-encoded");
    }
    let host = match authority.split_once(':') {
        Some((host, "443")) => host,
        Some(_) => return refuse("it names a port"),
        None => authority,
    };
    if signin_partition(host) != Some(partition) {
        return refuse("its host is not the partition's sign-in host");
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != "/federation" {
        return refuse("its path is not /federation");
    }
    let mut actions = 0;
    let mut tokens = 0;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "Action" if value == "login" => actions += 1,
            "Action" => return refuse("its Action is not login"),
            "SigninToken" if !value.is_empty() => tokens += 1,
            "Destination" if !is_console_url(&value, partition) => {
                return refuse("its Destination is not the partition's console")
            }
            _ => {}
        }
    }
    match (actions, tokens) {
        (1, 1) => Ok(()),
        (0, _) => refuse("it has no Action=login"),
        (_, 0) => refuse("it has no SigninToken"),
        _ => refuse("it repeats Action or SigninToken"),
    }
}

/// Whether `url` is an `https://` address on one of `partition`'s console hosts.
fn is_console_url(url: &str, partition: Partition) -> bool {
    url.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && SimpleUrl::parse(url).is_some_and(|u| {
            u.port.is_none()
                && !u.host.contains('%')
                && console_host(u.host).is_some_and(|h| h.partition == partition)
        })
}

/// The console's sign-out URL of a partition (federation needs no live console session).
pub fn logout_url(partition: Partition) -> String {
    format!(
        "https://{}/oauth?Action=logout",
        partition.signin_host_for(None)
    )
}

/// Where to send a tab to use a federated `login_url`. A tab on the partition's console has
/// a console session, and the console refuses a federated login over a live session of
/// another account: sign out first, with the login URL as where sign-out returns to.
pub fn federated_entry(login_url: &str, partition: Partition, tab_url: &str) -> String {
    let on_console = SimpleUrl::parse(tab_url)
        .and_then(|url| console_host(url.host))
        .is_some_and(|host| host.partition == partition);
    if !on_console {
        return login_url.to_owned();
    }
    let next = form_urlencoded::Serializer::new(String::new())
        .append_pair("redirect_uri", login_url)
        .finish();
    format!("{}&{next}", logout_url(partition))
}

/// Where `target` lands when switched to from `current_url`: as
/// [`destination_after_switch`], in the target's own region when it has one.
pub fn landing(current_url: &str, target: &SwitchTarget) -> String {
    let destination = destination_after_switch(current_url, target.partition);
    let Some(region) = target.region.as_deref() else {
        return destination;
    };
    // The same service, in the target's region.
    let service = SimpleUrl::parse(&destination).map(|url| url.path.to_owned());
    let host = target.partition.console_host_in(Some(region));
    match service.as_deref() {
        Some(path) if path != "/" && !path.is_empty() && path != "/console/home" => {
            format!("https://{host}{path}?region={region}")
        }
        _ => console_home(target.partition, Some(region)),
    }
}

/// Where to land after switching from `current_url`: the same service and region on a
/// console host without a session prefix (`https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1`),
/// leaving out anything naming a resource of the old account (the rest of the path, the
/// fragment, other query parameters). Anything else: the console home of the partition,
/// in the current region when there is one.
pub fn destination_after_switch(current_url: &str, partition: Partition) -> String {
    let url = SimpleUrl::parse(current_url);
    let host = url.as_ref().and_then(|u| console_host(u.host));
    let Some((url, host)) = url
        .zip(host)
        .filter(|(u, h)| h.partition == partition && u.port.is_none())
    else {
        return console_home(partition, None);
    };
    let region = url
        .query_param("region")
        .filter(|r| is_region(r))
        .or(host.region.clone());
    let segments: Vec<&str> = url.path.split('/').filter(|s| !s.is_empty()).collect();
    let service_path = match segments.as_slice() {
        [service, "home", ..] if is_service(service) => format!("/{service}/home"),
        [service, version, "home", ..] if is_service(service) && is_version(version) => {
            format!("/{service}/{version}/home")
        }
        _ => return console_home(partition, region.as_deref()),
    };
    let host = partition.console_host_in(region.as_deref());
    match region {
        Some(region) => format!("https://{host}{service_path}?region={region}"),
        None => format!("https://{host}{service_path}"),
    }
}

/// `https://{region.}console…/console/home[?region=…]`.
pub fn console_home(partition: Partition, region: Option<&str>) -> String {
    let host = partition.console_host_in(region);
    match region.filter(|r| is_region(r)) {
        Some(region) => format!("https://{host}/console/home?region={region}"),
        None => format!("https://{host}/console/home"),
    }
}

fn is_service(segment: &str) -> bool {
    (1..=40).contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .is_some_and(|n| (1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Just enough of an `https://` URL: host, port, path, query (no user info accepted).
struct SimpleUrl<'a> {
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: &'a str,
}

impl<'a> SimpleUrl<'a> {
    fn parse(url: &'a str) -> Option<SimpleUrl<'a>> {
        let rest = url.strip_prefix("https://")?;
        let rest = rest.split('#').next().unwrap_or_default();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(end);
        if authority.contains('@') || authority.is_empty() {
            return None;
        }
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some(SimpleUrl {
            host,
            port,
            path,
            query,
        })
    }

    fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

#[cfg(test)]
mod tests;
