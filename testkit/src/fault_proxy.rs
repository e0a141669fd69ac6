//! A fault-injecting HTTP proxy in front of moto, for AWS behaviour moto lacks (throttling,
//! rejected MFA codes, expired sessions). A request whose text (head and body) contains a
//! rule's needle gets the rule's canned answer; everything else goes to moto unchanged,
//! one connection per request. A request matching a "drop" needle reaches moto, but its
//! answer is dropped (the connection closes): a call AWS processed whose answer was lost.
//! A request matching a "hold" needle waits, neither forwarded nor answered, until the
//! test releases it (then it goes on to moto), and a "stall" needle's request is never
//! answered (an AWS that accepted the connection and went silent) until released, when
//! its connection closes without it reaching moto.
//! Every request's text is kept, so a test can check what was sent ([`FaultProxy::requests`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

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
    /// Needles counted in every request (answered or forwarded), with their counts.
    counts: Arc<Mutex<Vec<(String, usize)>>>,
    holds: Arc<Holds>,
}

/// Requests kept waiting until the test releases them.
#[derive(Default)]
struct Holds {
    list: Mutex<Vec<Hold>>,
    changed: Condvar,
}

struct Hold {
    needle: String,
    /// How many more requests it catches.
    left: usize,
    /// How many it caught.
    caught: usize,
    released: bool,
    /// On release: forward to moto (hold), or close the connection (stall).
    forward: bool,
}

impl Holds {
    /// Wait while a hold matching `text` keeps the request; whether to forward it then.
    fn wait(&self, text: &str) -> bool {
        let mut list = self.list.lock().unwrap();
        let Some(i) = list
            .iter()
            .position(|h| h.left > 0 && text.contains(h.needle.as_str()))
        else {
            return true;
        };
        list[i].left -= 1;
        list[i].caught += 1;
        self.changed.notify_all();
        while !list[i].released {
            list = self.changed.wait(list).unwrap();
        }
        list[i].forward
    }
}

impl FaultProxy {
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let hits: Arc<Mutex<Vec<usize>>> = Arc::default();
        let drops: Arc<Mutex<Vec<(String, usize, usize)>>> = Arc::default();
        let holds: Arc<Holds> = Arc::default();
        let counts: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, h, d) = (Arc::clone(&rules), Arc::clone(&hits), Arc::clone(&drops));
        let (k, c, l) = (Arc::clone(&holds), Arc::clone(&counts), Arc::clone(&log));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, h, d) = (Arc::clone(&r), Arc::clone(&h), Arc::clone(&d));
                let (k, c, l) = (Arc::clone(&k), Arc::clone(&c), Arc::clone(&l));
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    let seen = Seen {
                        holds: &k,
                        counts: &c,
                        log: &l,
                    };
                    let _ = serve(stream, &upstream, &r, &h, &d, &seen);
                });
            }
        });
        FaultProxy {
            endpoint,
            rules,
            hits,
            drops,
            holds,
            counts,
            log,
        }
    }

    /// Keep the next `times` requests containing `needle` waiting (not forwarded, not
    /// answered) until [`FaultProxy::release`]; then they go on to moto. Its index.
    pub fn hold(&self, needle: &str, times: usize) -> usize {
        self.add_hold(needle, times, true)
    }

    /// Never answer the next `times` requests containing `needle` (the connection stays
    /// open, silent) until [`FaultProxy::release`], which closes it; moto never sees
    /// them. Its index.
    pub fn stall(&self, needle: &str, times: usize) -> usize {
        self.add_hold(needle, times, false)
    }

    fn add_hold(&self, needle: &str, times: usize, forward: bool) -> usize {
        let mut list = self.holds.list.lock().unwrap();
        list.push(Hold {
            needle: needle.to_owned(),
            left: times,
            caught: 0,
            released: false,
            forward,
        });
        list.len() - 1
    }

    /// How many requests hold `i` has caught.
    pub fn caught(&self, i: usize) -> usize {
        self.holds.list.lock().unwrap()[i].caught
    }

    /// Wait until hold `i` has caught `n` requests; false after `timeout` without.
    pub fn wait_caught(&self, i: usize, n: usize, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let mut list = self.holds.list.lock().unwrap();
        while list[i].caught < n {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            list = self.holds.changed.wait_timeout(list, left).unwrap().0;
        }
        true
    }

    /// Let hold `i`'s requests go (and stop it catching more).
    pub fn release(&self, i: usize) {
        let mut list = self.holds.list.lock().unwrap();
        list[i].released = true;
        list[i].left = 0;
        self.holds.changed.notify_all();
    }

    /// Count the requests containing `needle` from now on (canned or forwarded); the
    /// counter's number for [`FaultProxy::counted`].
    pub fn count(&self, needle: &str) -> usize {
        let mut counts = self.counts.lock().unwrap();
        counts.push((needle.to_owned(), 0));
        counts.len() - 1
    }

    /// How many requests counter `i` has seen.
    pub fn counted(&self, i: usize) -> usize {
        self.counts.lock().unwrap()[i].1
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

impl Drop for FaultProxy {
    /// Let every held request go, so no thread waits for ever.
    fn drop(&mut self) {
        let mut list = self.holds.list.lock().unwrap();
        for hold in list.iter_mut() {
            hold.released = true;
            hold.left = 0;
        }
        self.holds.changed.notify_all();
    }
}

/// What the proxy keeps about the requests it sees: the holds that wait on them, the
/// counters and the log of their texts.
struct Seen<'a> {
    holds: &'a Holds,
    counts: &'a Mutex<Vec<(String, usize)>>,
    log: &'a Mutex<Vec<String>>,
}

fn serve(
    client: TcpStream,
    upstream: &str,
    rules: &Mutex<Vec<Rule>>,
    hits: &Mutex<Vec<usize>>,
    drops: &Mutex<Vec<(String, usize, usize)>>,
    seen: &Seen<'_>,
) -> std::io::Result<()> {
    let Seen { holds, counts, log } = *seen;
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
    for (needle, seen) in counts.lock().unwrap().iter_mut() {
        if text.contains(needle.as_str()) {
            *seen += 1;
        }
    }
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
    if !holds.wait(&text) {
        return out.shutdown(std::net::Shutdown::Both);
    }
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
