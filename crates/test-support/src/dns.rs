//! A tiny authoritative DNS server over UDP for tests: answers TXT questions from a table
//! the test edits while it runs (so a record can be created, then lost), NXDOMAIN for
//! names not in the table, and optionally stays silent (to hit a resolver's timeout).
//! Enough of RFC 1035 for one question per message; nothing else.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;

/// A running local DNS server; dropped with the test's runtime.
#[derive(Clone)]
pub struct LocalDns {
    pub addr: SocketAddr,
    records: Arc<Mutex<HashMap<String, Vec<String>>>>,
    silent: Arc<Mutex<bool>>,
}

impl LocalDns {
    /// Binds 127.0.0.1 on a free port and serves until the runtime ends.
    pub async fn start() -> LocalDns {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind a UDP port");
        let dns = LocalDns {
            addr: socket.local_addr().expect("local address"),
            records: Arc::default(),
            silent: Arc::default(),
        };
        let served = dns.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else { return };
                if *served.silent.lock().expect("lock") {
                    continue;
                }
                if let Some(answer) = served.answer(&buf[..n]) {
                    let _ = socket.send_to(&answer, peer).await;
                }
            }
        });
        dns
    }

    /// Replaces the TXT records at `name` (lower-case, no trailing dot); empty removes the name.
    pub fn set_txt(&self, name: &str, records: Vec<String>) {
        let mut table = self.records.lock().expect("lock");
        if records.is_empty() {
            table.remove(name);
        } else {
            table.insert(name.to_owned(), records);
        }
    }

    /// When on, queries are read and never answered.
    pub fn set_silent(&self, silent: bool) {
        *self.silent.lock().expect("lock") = silent;
    }

    fn answer(&self, query: &[u8]) -> Option<Vec<u8>> {
        if query.len() < 12 {
            return None;
        }
        // The question: labels from byte 12, then QTYPE and QCLASS.
        let mut i = 12;
        let mut labels = Vec::new();
        loop {
            let len = *query.get(i)? as usize;
            i += 1;
            if len == 0 {
                break;
            }
            labels.push(String::from_utf8_lossy(query.get(i..i + len)?).to_lowercase());
            i += len;
        }
        let qtype = u16::from_be_bytes([*query.get(i)?, *query.get(i + 1)?]);
        let question_end = i + 4;
        let name = labels.join(".");
        let records = self.records.lock().expect("lock").get(&name).cloned();
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(&query[0..2]);
        // QR, opcode 0, AA, RD copied; RA; RCODE 3 (NXDOMAIN) when the name is unknown.
        let rd = query[2] & 0x01;
        out.push(0x84 | rd);
        out.push(if records.is_some() { 0x80 } else { 0x83 });
        let answers: Vec<&String> = match (&records, qtype) {
            (Some(r), 16) => r.iter().collect(),
            _ => Vec::new(),
        };
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&(answers.len() as u16).to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(query.get(12..question_end)?);
        for record in answers {
            let mut rdata = Vec::new();
            for chunk in record.as_bytes().chunks(255) {
                rdata.push(chunk.len() as u8);
                rdata.extend_from_slice(chunk);
            }
            if record.is_empty() {
                rdata.push(0);
            }
            out.extend_from_slice(&[0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60]);
            out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
            out.extend_from_slice(&rdata);
        }
        Some(out)
    }
}
