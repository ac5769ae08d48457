//! Delivery to `--webhook URL`: each record POSTed as JSON; anything but a
//! 2xx answer fails the run with the records still in the state's outbox,
//! so they are sent again next time. `--alertmanager` posts through the same
//! client (see `alertmanager`).
//!
//! A minimal HTTP/1.1 client over `std::net::TcpStream`, for `http://` URLs
//! only: HTTPS would need a TLS stack this tool does not otherwise carry.
//! Point the webhook at a local relay (an nginx or stunnel proxy, a
//! collector's HTTP listener on localhost) to reach an HTTPS endpoint.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

/// An `http://host[:port][/path]` URL, checked when the flag is parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        if text.starts_with("https://") {
            return Err(format!(
                "'{text}': https:// is not supported; point it at an http:// relay on this host (nginx, stunnel) that forwards to it"
            ));
        }
        let rest = text.strip_prefix("http://").ok_or_else(|| {
            format!("'{text}' is not an http:// URL: write e.g. http://127.0.0.1:8080/hook")
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        // IPv6 literals are not supported: name the host or use IPv4.
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("'{text}': the port '{p}' is not a number"))?,
            ),
            None => (authority, 80),
        };
        if host.is_empty() {
            return Err(format!("'{text}' names no host"));
        }
        Ok(Url {
            host: host.to_string(),
            port,
            path: path.to_string(),
        })
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "http://{}:{}{}", self.host, self.port, self.path)
    }
}

/// POSTs `body` (JSON); Ok only for a 2xx status.
pub fn post(url: &Url, body: &str) -> Result<(), String> {
    post_as("webhook", url, body)
}

/// POSTs `body` (JSON) to `url`, naming the receiver `what` in errors; Ok
/// only for a 2xx status. A refusal quotes the start of the answer's body,
/// where receivers such as Alertmanager say what they disliked.
pub fn post_as(what: &str, url: &Url, body: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{what} {url}: {e}");
    let addr = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(fail)?
        .next()
        .ok_or_else(|| format!("{what} {url}: the host has no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(fail)?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(fail)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(fail)?;
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: jforensics/{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        url.path,
        url.host,
        url.port,
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(fail)?;
    let mut status_line = String::new();
    let mut reader = BufReader::new(&stream);
    reader.read_line(&mut status_line).map_err(fail)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("{what} {url}: not an HTTP answer: {:?}", status_line.trim()))?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    // Headers, then the body (Connection: close ends it); a few hundred
    // bytes are enough to say why, and a broken answer still gets its status.
    let mut rest = Vec::new();
    let _ = reader.take(8192).read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    let said: String = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .trim()
        .chars()
        .take(300)
        .collect();
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    Err(format!(
        "{what} {url} answered {}{said}",
        status_line.trim()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            Url::parse("http://127.0.0.1:8080/hook").unwrap(),
            Url {
                host: "127.0.0.1".into(),
                port: 8080,
                path: "/hook".into()
            }
        );
        assert_eq!(Url::parse("http://example.org").unwrap().port, 80);
        assert!(
            Url::parse("https://example.org/x")
                .unwrap_err()
                .contains("not supported")
        );
        assert!(Url::parse("ftp://x").is_err());
        assert!(Url::parse("http://h:notaport/").is_err());
    }
}
