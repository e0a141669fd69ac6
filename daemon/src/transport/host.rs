//! The native-messaging host: started by the browser for each connection, it checks the
//! caller, then relays frames between stdio and the daemon until the browser closes
//! stdin. It holds no state and makes no AWS call. It reads each request as the daemon
//! will (`parse_request`) and relays only the types the extension sends
//! ([`RELAYED_TYPES`](switchyard_shared::extension_ids::RELAYED_TYPES)); anything else is
//! answered here.

use std::io::{Read, Write};

use switchyard_shared::extension_ids::{is_allowed_caller, is_relayed};
use switchyard_shared::protocol::{
    parse_request, peek_request_id, ErrorBody, ErrorCode, Reply, RequestId, MAX_INCOMING_MESSAGE,
    MAX_OUTGOING_MESSAGE,
};

use crate::transport::client::Client;
use crate::transport::framing::{read_frame, write_frame, FrameError};

/// How a host session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// The browser closed stdin between frames.
    Closed,
    /// The input ended inside a frame; an error reply was sent.
    Truncated,
    /// The caller is not an allowed extension; an error reply was sent.
    CallerRefused,
    /// stdin or stdout failed.
    IoFailed,
}

/// Whether any argument the browser passed names an allowed extension.
pub fn caller_allowed(args: &[String]) -> bool {
    args.iter().any(|arg| is_allowed_caller(arg))
}

/// Run the relay loop. `forward` sends one request to the daemon and returns the reply's
/// bytes.
pub fn run(
    args: &[String],
    input: &mut impl Read,
    output: &mut impl Write,
    mut forward: impl FnMut(Vec<u8>) -> Vec<u8>,
) -> Ending {
    if !caller_allowed(args) {
        let reply = Reply::error(
            RequestId::unknown(),
            ErrorBody::new(
                ErrorCode::OriginNotAllowed,
                format!(
                    "switchyard-host refuses caller {:?}: only the Switchyard extension may use it",
                    args.first().map(String::as_str).unwrap_or("(none)")
                ),
            ),
        );
        let _ = write_frame(output, &reply.to_bytes());
        return Ending::CallerRefused;
    }
    loop {
        let reply = match read_frame(input, MAX_INCOMING_MESSAGE) {
            Ok(None) => return Ending::Closed,
            Ok(Some(message)) => match relayed(&message) {
                Ok(()) => bounded(forward(message)),
                Err(refusal) => refusal,
            },
            Err(FrameError::TooLarge { len, cap }) => Reply::error(
                RequestId::unknown(),
                ErrorBody::new(
                    ErrorCode::MessageTooLarge,
                    format!("a {len}-byte message is over the host's {cap}-byte limit"),
                ),
            )
            .to_bytes(),
            Err(FrameError::Truncated { got, expected }) => {
                let reply = Reply::error(
                    RequestId::unknown(),
                    ErrorBody::new(
                        ErrorCode::FrameTruncated,
                        format!("the input ended inside a frame ({got} of {expected} bytes)"),
                    ),
                );
                let _ = write_frame(output, &reply.to_bytes());
                return Ending::Truncated;
            }
            Err(FrameError::Io(_)) => return Ending::IoFailed,
        };
        if write_frame(output, &reply).is_err() {
            return Ending::IoFailed;
        }
    }
}

/// Whether to relay `message`: it must be a request the daemon can read (else the error
/// it would answer, answered here), of a type the extension sends.
fn relayed(message: &[u8]) -> Result<(), Vec<u8>> {
    let envelope = parse_request(message).map_err(|r| r.into_reply().to_bytes())?;
    let kind = serde_json::to_value(&envelope.request)
        .ok()
        .and_then(|v| v.get("type")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    if is_relayed(&kind) {
        return Ok(());
    }
    Err(Reply::error(
        envelope.id,
        ErrorBody::new(
            ErrorCode::TypeNotRelayed,
            format!(
                "switchyard-host does not relay `{kind}`: the extension never sends it. \
                 Run the `switchyard` command instead"
            ),
        ),
    )
    .to_bytes())
}

/// Replace a reply the browser would refuse (over 1 MB) by an error with the same id.
fn bounded(reply: Vec<u8>) -> Vec<u8> {
    let len = reply.len();
    if len <= MAX_OUTGOING_MESSAGE {
        return reply;
    }
    Reply::error(
        peek_request_id(&reply),
        ErrorBody::new(
            ErrorCode::ReplyTooLarge,
            format!("the reply is {len} bytes; the browser accepts at most {MAX_OUTGOING_MESSAGE}"),
        ),
    )
    .to_bytes()
}

/// Forward one message through `client`, turning transport failures into error replies.
/// A reply is relayed as the daemon wrote it, once it is known to be a reply: its bytes
/// are checked to be one JSON value with a `status` (without building a tree of it).
pub async fn forward(client: &mut Client, message: Vec<u8>) -> Vec<u8> {
    let id = peek_request_id(&message);
    let error =
        |code, message: String| Reply::error(id.clone(), ErrorBody::new(code, message)).to_bytes();
    match client.send(message).await {
        Ok(bytes) => match serde_json::from_slice::<ReplyShape>(&bytes) {
            Ok(_) => bytes.to_vec(),
            Err(e) => error(
                ErrorCode::Internal,
                format!("the daemon sent an unreadable reply: {e}"),
            ),
        },
        Err(e) => error(e.code(), e.to_string()),
    }
}

/// What a reply must at least have; the rest is skipped unread.
#[derive(serde::Deserialize)]
struct ReplyShape {
    #[allow(dead_code)]
    status: serde::de::IgnoredAny,
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::transport::framing::write_frame;

    const ORIGIN: &str = "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/";

    fn frames(bodies: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for body in bodies {
            write_frame(&mut out, body).unwrap();
        }
        out
    }

    fn replies(output: &[u8]) -> Vec<String> {
        let mut cursor = Cursor::new(output);
        let mut all = Vec::new();
        while let Some(frame) = read_frame(&mut cursor, usize::MAX).unwrap() {
            all.push(String::from_utf8(frame).unwrap());
        }
        all
    }

    fn echo_daemon(message: Vec<u8>) -> Vec<u8> {
        let state = crate::transport::dispatch::DaemonState::new(
            crate::aws::env::AwsEnv::default(),
            std::path::Path::new("/nonexistent"),
        );
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(crate::transport::dispatch::handle_bytes(&state, &message))
    }

    fn run_with(args: &[&str], input: Vec<u8>) -> (Ending, Vec<String>) {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let mut output = Vec::new();
        let ending = run(&args, &mut Cursor::new(input), &mut output, echo_daemon);
        (ending, replies(&output))
    }

    #[test]
    fn relays_until_the_browser_closes() {
        let input = frames(&[
            br#"{"id":1,"type":"status"}"#,
            b"[]",
            br#"{"id":2,"type":"nope"}"#,
        ]);
        let (ending, out) = run_with(&[ORIGIN], input);
        assert_eq!(ending, Ending::Closed);
        assert_eq!(out.len(), 3);
        assert!(out[0].starts_with(r#"{"id":1,"status":"ok""#), "{}", out[0]);
        assert!(out[1].contains("not_an_object"));
        assert!(out[2].contains(r#""id":2"#) && out[2].contains("unknown_type"));
    }

    /// What the extension never sends is answered by the host, not relayed: the daemon
    /// (here a recorder) sees only the relayed types.
    #[test]
    fn only_the_extensions_message_types_are_relayed() {
        let args = vec![ORIGIN.to_owned()];
        let mut seen = Vec::new();
        let mut output = Vec::new();
        let input = frames(&[
            br#"{"id":1,"type":"ping"}"#,
            br#"{"id":2,"type":"jobs.cancel","job":"j-1"}"#,
            br#"{"id":3,"type":"credentials.rotate"}"#,
            br#"{"id":4,"type":"jobs.list"}"#,
            // A second "type" is read as the daemon reads it (the last one counts).
            br#"{"id":5,"type":"status","type":"jobs.resume","job":"j-1"}"#,
            br#"{"id":6,"type":"hello","protocol_version":1}"#,
            br#"{"id":7,"type":"identity","profile":"work"}"#,
        ]);
        run(&args, &mut Cursor::new(input), &mut output, |message| {
            seen.push(String::from_utf8(message).unwrap());
            Reply::ok(RequestId::number(0), &"relayed").to_bytes()
        });
        let out = replies(&output);
        for (i, reply) in out.iter().take(5).enumerate() {
            assert!(
                reply.contains(&format!(r#""id":{}"#, i + 1))
                    && reply.contains(r#""code":"type_not_relayed""#),
                "{reply}"
            );
        }
        assert!(out[0].contains("does not relay `ping`"), "{}", out[0]);
        assert_eq!(
            seen,
            [
                r#"{"id":6,"type":"hello","protocol_version":1}"#,
                r#"{"id":7,"type":"identity","profile":"work"}"#
            ]
        );
    }

    #[test]
    fn firefox_passes_the_addon_id_second() {
        let input = frames(&[br#"{"id":1,"type":"status"}"#]);
        let (ending, out) = run_with(
            &[
                "/path/to/manifest.json",
                "{b59b782c-3e62-4c41-b9d4-f195cc4615a3}",
            ],
            input,
        );
        assert_eq!(ending, Ending::Closed);
        assert!(out[0].contains(r#""status":"ok""#), "{}", out[0]);
    }

    #[test]
    fn an_unknown_caller_is_refused_with_an_error_frame() {
        let (ending, out) = run_with(&["chrome-extension://evil/"], frames(&[b"{}"]));
        assert_eq!(ending, Ending::CallerRefused);
        assert!(out[0].contains("origin_not_allowed"), "{}", out[0]);
        let (ending, _) = run_with(&[], Vec::new());
        assert_eq!(ending, Ending::CallerRefused);
    }

    #[test]
    fn oversized_message_gets_an_error_and_the_host_keeps_serving() {
        let big = vec![b' '; MAX_INCOMING_MESSAGE + 1];
        let input = frames(&[&big, br#"{"id":5,"type":"status"}"#]);
        let (ending, out) = run_with(&[ORIGIN], input);
        assert_eq!(ending, Ending::Closed);
        assert!(out[0].contains("message_too_large"), "{}", out[0]);
        assert!(out[1].contains(r#""status":"ok""#), "{}", out[1]);
    }

    #[test]
    fn truncated_input_gets_an_error_and_the_host_exits() {
        let mut input = frames(&[
            br#"{"id":1,"type":"status"}"#,
            br#"{"id":2,"type":"status"}"#,
        ]);
        input.truncate(input.len() - 3);
        let (ending, out) = run_with(&[ORIGIN], input);
        assert_eq!(ending, Ending::Truncated);
        assert!(out[0].contains(r#""status":"ok""#), "{}", out[0]);
        assert!(out[1].contains("frame_truncated"), "{}", out[1]);

        let (ending, out) = run_with(&[ORIGIN], vec![1, 0]);
        assert_eq!(ending, Ending::Truncated);
        assert!(out[0].contains("frame_truncated"));
    }

    #[test]
    fn malformed_bodies_get_structured_errors() {
        let deep = format!(r#"{{"id":1,"type":"ping","x":{}}}"#, "[".repeat(5000));
        let cases: [(&[u8], &str); 5] = [
            (b"", "invalid_json"),
            (b"\xc3\x28", "invalid_utf8"),
            (b"42", "not_an_object"),
            (br#"{"id":1,"type":"teleport"}"#, "unknown_type"),
            (deep.as_bytes(), "nesting_too_deep"),
        ];
        let bodies: Vec<&[u8]> = cases.iter().map(|(body, _)| *body).collect();
        let (ending, out) = run_with(&[ORIGIN], frames(&bodies));
        assert_eq!(ending, Ending::Closed);
        for ((_, code), reply) in cases.iter().zip(&out) {
            assert!(
                reply.contains(&format!(r#""code":"{code}""#)),
                "{code}: {reply}"
            );
        }
    }

    #[test]
    fn oversized_replies_are_replaced_by_an_error() {
        let args = vec![ORIGIN.to_owned()];
        let mut output = Vec::new();
        let input = frames(&[br#"{"id":9,"type":"status"}"#]);
        run(&args, &mut Cursor::new(input), &mut output, |_| {
            Reply::ok(RequestId::number(9), &"x".repeat(MAX_OUTGOING_MESSAGE)).to_bytes()
        });
        let out = replies(&output);
        assert!(
            out[0].contains(r#""id":9"#) && out[0].contains("reply_too_large"),
            "{}",
            out[0]
        );
    }
}
