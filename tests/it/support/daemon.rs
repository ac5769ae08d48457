//! Real servers from Debian packages (Alertmanager, node_exporter) run for a
//! test on 127.0.0.1, and a plain HTTP GET to read them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on now (the server binds it a moment later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when dropped (also when the test fails).
pub struct Daemon {
    child: Child,
    pub port: u16,
    log: std::path::PathBuf,
}

impl Daemon {
    /// Starts `program` with `args` (which must make it listen on
    /// 127.0.0.1:`port`) and waits until GET `ready` answers 200.
    pub fn start(
        program: &str,
        args: &[String],
        port: u16,
        ready: &str,
        log: &std::path::Path,
    ) -> Daemon {
        let out = std::fs::File::create(log).unwrap();
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{program} is needed for this test ({e}); scripts/setup.sh installs it")
            });
        let mut daemon = Daemon {
            child,
            port,
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, _)) = get(port, ready) {
                return daemon;
            }
            if let Ok(Some(status)) = daemon.child.try_wait() {
                panic!("{program} exited ({status}): {}", daemon.log());
            }
            assert!(
                Instant::now() < deadline,
                "{program} never got ready: {}",
                daemon.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> String {
        let (status, body) = get(self.port, path).unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET http://127.0.0.1:port/path: the status and the body.
pub fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\n\r\n"
    )?;
    let mut data = Vec::new();
    stream.read_to_end(&mut data)?;
    let text = String::from_utf8_lossy(&data);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_string()))
}
