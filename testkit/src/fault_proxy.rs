//! A fault-injecting HTTP proxy in front of moto, for AWS behaviour moto lacks (throttling,
//! rejected MFA codes, expired sessions). A request whose text (head and body) contains a
//! rule's needle gets the rule's canned answer; everything else goes to moto unchanged,
//! one connection per request. A request matching a "drop" needle reaches moto, but its
//! answer is dropped (the connection closes): a call AWS processed whose answer was lost.
//! Every request's text is kept, so a test can check what was sent ([`FaultProxy::requests`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A canned AWS answer for requests containing `needle`, `times` times (forever if None).
#[derive(Clone, Debug)]
pub struct Rule {
    pub needle: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub times: Option<usize>,
}

impl Rule {
    /// An error of a query-protocol service (STS, IAM), as AWS words it.
    pub fn query_error(needle: &str, status: u16, code: &str, message: &str) -> Rule {
        Rule {
            needle: needle.to_owned(),
            status,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            ),
            times: None,
        }
    }

    /// A successful Organizations answer (JSON protocol) to the operation `needle`.
    pub fn organizations_json(needle: &str, body: serde_json::Value) -> Rule {
        Rule {
            needle: format!("AWSOrganizationsV20161128.{needle}"),
            status: 200,
            headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
            body: body.to_string(),
            times: None,
        }
    }

    /// A successful answer of a query-protocol service (STS, IAM) to `action`, its result
    /// element holding `result` (XML), shaped as the API reference shows it.
    pub fn query_ok(action: &str, result: &str) -> Rule {
        Rule {
            needle: format!("Action={action}&"),
            status: 200,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: format!(
                "<{action}Response><{action}Result>{result}</{action}Result>\
                 <ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata>\
                 </{action}Response>"
            ),
            times: None,
        }
    }

    pub fn times(mut self, n: usize) -> Rule {
        self.times = Some(n);
        self
    }
}

pub struct FaultProxy {
    pub endpoint: String,
    rules: Arc<Mutex<Vec<Rule>>>,
    /// How many requests each rule has answered.
    hits: Arc<Mutex<Vec<usize>>>,
    /// Needles whose answers are dropped after moto processed them, with how many more
    /// times, and how many were dropped.
    drops: Arc<Mutex<Vec<(String, usize, usize)>>>,
    /// Every request's text (head and body), in the order received.
    log: Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let hits: Arc<Mutex<Vec<usize>>> = Arc::default();
        let drops: Arc<Mutex<Vec<(String, usize, usize)>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, h, d, l) = (
            Arc::clone(&rules),
            Arc::clone(&hits),
            Arc::clone(&drops),
            Arc::clone(&log),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, h, d, l) = (
                    Arc::clone(&r),
                    Arc::clone(&h),
                    Arc::clone(&d),
                    Arc::clone(&l),
                );
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &upstream, &r, &h, &d, &l);
                });
            }
        });
        FaultProxy {
            endpoint,
            rules,
            hits,
            drops,
            log,
        }
    }

    /// The requests (head and body, URL-encoded as sent) whose text contains `needle`.
    pub fn requests(&self, needle: &str) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|text| text.contains(needle))
            .cloned()
            .collect()
    }

    pub fn add(&self, rule: Rule) {
        self.rules.lock().unwrap().push(rule);
        self.hits.lock().unwrap().push(0);
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
        self.hits.lock().unwrap().clear();
        self.drops.lock().unwrap().clear();
    }

    /// Forward the next `times` requests containing `needle` to moto, then close the
    /// connection without their answer.
    pub fn drop_answer(&self, needle: &str, times: usize) {
        self.drops
            .lock()
            .unwrap()
            .push((needle.to_owned(), times, 0));
    }

    /// How many answers the `i`th drop (in the order added) has dropped.
    pub fn dropped(&self, i: usize) -> usize {
        self.drops.lock().unwrap()[i].2
    }

    /// How often rule `i` (in the order added) has answered.
    pub fn hits(&self, i: usize) -> usize {
        self.hits.lock().unwrap()[i]
    }
}

fn serve(
    client: TcpStream,
    upstream: &str,
    rules: &Mutex<Vec<Rule>>,
    hits: &Mutex<Vec<usize>>,
    drops: &Mutex<Vec<(String, usize, usize)>>,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let end = line == "\r\n";
        if !line.to_ascii_lowercase().starts_with("connection:") {
            head.extend_from_slice(line.as_bytes());
        }
        if end {
            break;
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&head),
        String::from_utf8_lossy(&body)
    );
    log.lock().unwrap().push(text.clone());
    let canned = {
        let mut rules = rules.lock().unwrap();
        let mut hits = hits.lock().unwrap();
        let found = rules
            .iter()
            .position(|r| text.contains(&r.needle) && r.times.is_none_or(|n| n > 0));
        found.map(|i| {
            hits[i] += 1;
            if let Some(n) = &mut rules[i].times {
                *n -= 1;
            }
            rules[i].clone()
        })
    };
    let mut out = client;
    if let Some(rule) = canned {
        let mut response = format!("HTTP/1.1 {} Fault\r\n", rule.status);
        for (name, value) in &rule.headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
            rule.body.len(),
            rule.body
        ));
        return out.write_all(response.as_bytes());
    }
    // Forward: the request with "Connection: close" (head ends with the blank line).
    let mut up = TcpStream::connect(upstream)?;
    head.truncate(head.len() - 2);
    head.extend_from_slice(b"Connection: close\r\n\r\n");
    up.write_all(&head)?;
    up.write_all(&body)?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    let drop = {
        let mut drops = drops.lock().unwrap();
        let found = drops
            .iter_mut()
            .find(|(needle, left, _)| *left > 0 && text.contains(needle.as_str()));
        found.map(|(_, left, dropped)| {
            *left -= 1;
            *dropped += 1;
        })
    };
    if drop.is_some() {
        return out.shutdown(std::net::Shutdown::Both);
    }
    out.write_all(&response)
}
