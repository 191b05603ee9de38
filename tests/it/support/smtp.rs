//! A small in-process SMTP sink for tests: accepts EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP and
//! QUIT without TLS (it offers AUTH but refuses it), and records each command's verb and each
//! accepted message. A knob makes RCPT answer a
//! given failure (e.g. `451` transient, `550` permanent) instead.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct SinkMail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA as received (headers and body, dot-unstuffed, CRLF line ends).
    pub data: String,
}

impl SinkMail {
    /// The body after the header block, with quoted-printable soft breaks and `=3D` undone.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        if self.header("Content-Transfer-Encoding").as_deref() == Some("quoted-printable") {
            body.replace("=\r\n", "").replace("=3D", "=")
        } else {
            body.to_string()
        }
    }

    /// A header's value (first occurrence, case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split_once("\r\n\r\n").map_or("", |(h, _)| h);
        head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// The first `https://…/redeem?rd=…` URL in the body.
    pub fn redeem_url(&self) -> Option<String> {
        let body = self.body();
        let start = body.find("https://login.microsoftonline.com/redeem?rd=")?;
        let url: String = body[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        Some(url)
    }
}

#[derive(Default)]
struct State {
    mails: Vec<SinkMail>,
    rcpt_failure: Option<String>,
    /// The verb of every command received (EHLO, AUTH, MAIL, …), in order.
    verbs: Vec<String>,
}

/// A running sink.
#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    /// Cancelled when the last handle is dropped: the port closes.
    _stop: Arc<tokio_util::sync::DropGuard>,
}

impl SmtpSink {
    /// Binds 127.0.0.1 on a free port and serves until the last handle is dropped.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = CancellationToken::new();
        let (st, cancel) = (state.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((socket, _)) = accepted else { return };
                        let st = st.clone();
                        tokio::spawn(async move { let _ = serve(socket, st).await; });
                    }
                    _ = cancel.cancelled() => return,
                }
            }
        });
        Self {
            addr,
            state,
            _stop: Arc::new(stop.drop_guard()),
        }
    }

    /// The messages accepted so far.
    pub fn mails(&self) -> Vec<SinkMail> {
        self.state.lock().unwrap().mails.clone()
    }

    /// The verbs of every command received so far, in order.
    pub fn verbs(&self) -> Vec<String> {
        self.state.lock().unwrap().verbs.clone()
    }

    /// Makes RCPT answer `reply` (e.g. `"451 try later"`); `None` accepts again.
    pub fn fail_rcpt(&self, reply: Option<&str>) {
        self.state.lock().unwrap().rcpt_failure = reply.map(str::to_string);
    }
}

async fn serve(socket: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Some(line) = lines.next_line().await? {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        state.lock().unwrap().verbs.push(verb.clone());
        let reply: String = match verb.as_str() {
            // AUTH is offered (and refused if tried): a client that would authenticate in
            // plain text shows in the verbs.
            "EHLO" => "250-sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME".into(),
            "HELO" | "NOOP" => "250 OK".into(),
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                "250 OK".into()
            }
            "MAIL" => {
                from = address(&line);
                "250 OK".into()
            }
            "RCPT" => match state.lock().unwrap().rcpt_failure.clone() {
                Some(failure) => failure,
                None => {
                    to.push(address(&line));
                    "250 OK".into()
                }
            },
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                    data.push_str("\r\n");
                }
                let mail = SinkMail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                };
                state.lock().unwrap().mails.push(mail);
                "250 queued".into()
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 not implemented".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line.rfind('>').unwrap_or(line.len());
    line.get(start..end).unwrap_or("").to_string()
}
