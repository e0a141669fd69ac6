//! Who the console tab is signed in as, from what the console page itself says: its
//! `awsc-session-data` meta tag (`accountId`, and a `sessionARN` in newer consoles) and its
//! `aws-userInfo` cookie (URL-encoded JSON with the principal's `arn` and the account's
//! `alias`). Either may be missing or malformed; what can be read is used.

use serde::Deserialize;

/// The principal a console tab is signed in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub account_id: String,
    /// The role, for an assumed-role session.
    pub role_name: Option<String>,
    /// The user or session name (`alice`), when known.
    pub principal: Option<String>,
    /// The account's alias, when the cookie names it.
    pub alias: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default, rename = "sessionARN")]
    session_arn: Option<String>,
}

#[derive(Deserialize, Default)]
struct UserInfo {
    #[serde(default)]
    arn: Option<String>,
    #[serde(default)]
    alias: Option<String>,
}

/// Why a console page's session could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error(
        "the page has neither the console's session data (its awsc-session-data meta tag) nor \
         its aws-userInfo cookie: it may be signed out, or still loading"
    )]
    Missing,
    #[error("the page's session data is not what the AWS console writes: {0}")]
    Garbage(&'static str),
}

/// [`read`], saying why nothing could be read.
pub fn read_checked(
    session_meta: Option<&str>,
    user_info: Option<&str>,
) -> Result<ConsoleSession, Unreadable> {
    let meta = session_meta.filter(|m| !m.trim().is_empty());
    let info = user_info.filter(|i| !i.trim().is_empty());
    if meta.is_none() && info.is_none() {
        return Err(Unreadable::Missing);
    }
    if let Some(session) = read(meta, info) {
        return Ok(session);
    }
    let meta_json = meta.map(serde_json::from_str::<serde_json::Value>);
    Err(Unreadable::Garbage(match (meta_json, info) {
        (Some(Err(_)), _) => "its awsc-session-data meta tag is not JSON",
        (Some(Ok(serde_json::Value::Object(_))), None) => {
            "its awsc-session-data meta tag names no 12-digit accountId"
        }
        (Some(Ok(_)), None) => "its awsc-session-data meta tag is not a JSON object",
        (_, Some(_)) => "neither its meta tag nor its aws-userInfo cookie names an account",
        (None, None) => "nothing names an account",
    }))
}

/// Read the session from the meta tag's content and the `aws-userInfo` cookie's value.
pub fn read(session_meta: Option<&str>, user_info: Option<&str>) -> Option<ConsoleSession> {
    let meta: Meta = session_meta
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let info: UserInfo = user_info.and_then(decode_user_info).unwrap_or_default();
    let principal = info
        .arn
        .as_deref()
        .or(meta.session_arn.as_deref())
        .and_then(parse_principal);
    let account_id = meta
        .account_id
        .filter(|id| is_account_id(id))
        .or_else(|| principal.as_ref().map(|p| p.0.clone()))?;
    let (role_name, name) = match principal {
        Some((arn_account, role, name)) if arn_account == account_id => (role, name),
        _ => (None, None),
    };
    Some(ConsoleSession {
        account_id,
        role_name,
        principal: name,
        alias: info.alias.filter(|a| !a.is_empty()),
    })
}

/// The cookie is URL-encoded JSON (sometimes encoded twice); a value that is not JSON
/// (an older console) gives nothing.
fn decode_user_info(value: &str) -> Option<UserInfo> {
    let mut text = value.trim().trim_matches('"').to_owned();
    for _ in 0..3 {
        if let Ok(info) = serde_json::from_str::<UserInfo>(&text) {
            return Some(info);
        }
        let decoded = percent_encoding::percent_decode_str(&text)
            .decode_utf8()
            .ok()?
            .into_owned();
        if decoded == text {
            return None;
        }
        text = decoded;
    }
    None
}

fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` → (account, Some(role), Some(session));
/// `arn:aws:iam::ACCOUNT:user/path/NAME` → (account, None, Some(name)); `…:root` → no name.
fn parse_principal(arn: &str) -> Option<(String, Option<String>, Option<String>)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(_region), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if !is_account_id(account) || !matches!(service, "sts" | "iam") {
        return None;
    }
    let pieces: Vec<&str> = rest.split('/').collect();
    let (role, name) = match pieces.as_slice() {
        ["assumed-role", role, session] => (Some((*role).to_owned()), Some((*session).to_owned())),
        ["root"] => (None, None),
        [_, .., last] if !last.is_empty() => (None, Some((*last).to_owned())),
        _ => (None, None),
    };
    Some((account.to_owned(), role, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASSUMED: &str = "arn:aws:sts::111111111111:assumed-role/Admin/alice";

    fn cookie(json: &str) -> String {
        percent_encoding::utf8_percent_encode(json, percent_encoding::NON_ALPHANUMERIC).to_string()
    }

    #[test]
    fn an_assumed_role_from_the_cookie() {
        let value = cookie(&format!(
            r#"{{"alias":"acme-prod","arn":"{ASSUMED}","username":"assumed-role%2FAdmin%2Falice"}}"#
        ));
        let meta = r#"{"accountId":"111111111111","prismModeEnabled":false}"#;
        assert_eq!(
            read(Some(meta), Some(&value)),
            Some(ConsoleSession {
                account_id: "111111111111".into(),
                role_name: Some("Admin".into()),
                principal: Some("alice".into()),
                alias: Some("acme-prod".into()),
            })
        );
        // Encoded twice, and without the meta tag.
        let twice = cookie(&value);
        assert_eq!(
            read(None, Some(&twice)).map(|s| s.role_name),
            Some(Some("Admin".into()))
        );
    }

    #[test]
    fn the_meta_tag_alone() {
        let meta =
            r#"{"accountId":"222222222222","sessionARN":"arn:aws:iam::222222222222:user/ops/bob"}"#;
        let session = read(Some(meta), Some("alice")).unwrap();
        assert_eq!(session.account_id, "222222222222");
        assert_eq!(session.role_name, None);
        assert_eq!(session.principal.as_deref(), Some("bob"));
        assert_eq!(session.alias, None);
    }

    #[test]
    fn a_cookie_of_another_account_names_no_role() {
        // After a switch the meta tag is the truth for the account; an ARN of another
        // account (a stale cookie) must not lend it a role.
        let value = cookie(&format!(r#"{{"arn":"{ASSUMED}"}}"#));
        let session = read(Some(r#"{"accountId":"999999999999"}"#), Some(&value)).unwrap();
        assert_eq!(session.account_id, "999999999999");
        assert_eq!(session.role_name, None);
    }

    #[test]
    fn missing_and_garbage_session_data_are_told_apart() {
        assert_eq!(read_checked(None, None), Err(Unreadable::Missing));
        assert_eq!(read_checked(Some("  "), Some("")), Err(Unreadable::Missing));
        for (meta, cookie, says) in [
            (Some("<script>alert(1)</script>"), None, "not JSON"),
            (
                Some(r#"{"accountId":"DROP TABLE"}"#),
                None,
                "no 12-digit accountId",
            ),
            (Some("[1,2]"), None, "not a JSON object"),
            (Some(r#"{"accountId":"1"}"#), Some("%%%garbage"), "neither"),
            (None, Some("not-json"), "neither"),
        ] {
            let error = read_checked(meta, cookie).unwrap_err();
            assert!(error.to_string().contains(says), "{error}");
        }
        assert_eq!(
            read_checked(Some(r#"{"accountId":"123456789012"}"#), None).map(|s| s.account_id),
            Ok("123456789012".to_owned())
        );
    }

    #[test]
    fn nothing_readable_gives_nothing() {
        assert_eq!(read(None, None), None);
        assert_eq!(read(Some("not json"), Some("%%%")), None);
        assert_eq!(read(Some(r#"{"accountId":"12345"}"#), None), None);
        let bad_arn = cookie(r#"{"arn":"arn:aws:s3:::bucket"}"#);
        assert_eq!(read(None, Some(&bad_arn)), None);
        let root = cookie(r#"{"arn":"arn:aws:iam::333333333333:root"}"#);
        assert_eq!(
            read(None, Some(&root)),
            Some(ConsoleSession {
                account_id: "333333333333".into(),
                role_name: None,
                principal: None,
                alias: None,
            })
        );
    }
}
