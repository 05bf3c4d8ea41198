//! HTTP_GET / SSL_GET (`check_http.c`, `lib/html.c`): keepalived's request
//! bytes, its (lenient) response reading and its digest, so digests made by
//! `genhash` keep matching. Notably the body is hashed as received — no
//! chunked decoding — capped by the first `Content-Length:` text found, and
//! the response is read until the server closes the connection.

use crate::messages;
use std::net::SocketAddr;
use std::time::Duration;

use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::connect::{self, ConnectError};
use super::{ProbeOutcome, Target};
use crate::config::model::{Checker, CheckerKind, RealServer, Url, VirtualServer};

/// keepalived reads into a 4096-byte buffer (one byte kept for a NUL); a
/// header that does not fit is treated as "no data".
const MAX_BUFFER_LENGTH: usize = 4096;
/// How much body a regex URL keeps for matching.
const REGEX_BODY_LIMIT: usize = 1 << 20;

/// `http_protocol`: the request version and whether `Connection: close` is
/// sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpProtocol {
    #[default]
    V10,
    V10Close,
    V11,
}

impl HttpProtocol {
    /// The keyword's value; anything unknown is 1.0 (the parser rejects it).
    pub fn from_keyword(s: Option<&str>) -> HttpProtocol {
        match s {
            Some("1.0C") | Some("1.0c") => HttpProtocol::V10Close,
            Some("1.1") => HttpProtocol::V11,
            _ => HttpProtocol::V10,
        }
    }
}

/// One `url` block, resolved.
#[derive(Debug, Clone)]
pub struct UrlSpec {
    pub path: String,
    /// Lower-case hex MD5 expected of the body.
    pub digest: Option<String>,
    /// Accepted status codes (inclusive ranges).
    pub status_codes: Vec<(u16, u16)>,
    /// The Host: value: url → checker → real server → virtual server.
    pub vhost: Option<String>,
    /// The SNI name when enabled: url → checker → virtual server (keepalived
    /// skips the real server's here).
    pub sni: Option<String>,
    pub regex: Option<RegexSpec>,
}

/// A url's `regex` with its options. The `regex` crate stands in for PCRE2:
/// common patterns behave the same; look-around and backreferences are not
/// supported (such a pattern never matches).
#[derive(Debug, Clone)]
pub struct RegexSpec {
    pub re: Option<regex::bytes::Regex>,
    pub no_match: bool,
    pub min_offset: usize,
    /// Last acceptable match start, as written in the configuration.
    pub max_offset: Option<usize>,
}

/// Everything an HTTP_GET / SSL_GET attempt needs.
#[derive(Debug, Clone)]
pub struct HttpSpec {
    pub urls: Vec<UrlSpec>,
    pub protocol: HttpProtocol,
    pub tls: bool,
    pub enable_sni: bool,
}

impl HttpSpec {
    pub fn resolve(vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> HttpSpec {
        let ext = ck.ext();
        let urls = ext
            .urls
            .iter()
            .map(|u| UrlSpec::resolve(u, vs, rs, ck))
            .collect();
        HttpSpec {
            urls,
            protocol: HttpProtocol::from_keyword(ext.http_protocol.as_deref()),
            tls: ck.kind == CheckerKind::SslGet,
            enable_sni: ext.enable_sni,
        }
    }
}

impl UrlSpec {
    fn resolve(u: &Url, vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> UrlSpec {
        let status_codes = if u.status_codes.is_empty() {
            vec![(200, 299)]
        } else {
            u.status_codes.clone()
        };
        UrlSpec {
            path: u.path.clone().unwrap_or_default(),
            digest: u.digest.as_ref().map(|d| d.to_ascii_lowercase()),
            status_codes,
            vhost: u
                .virtualhost
                .clone()
                .or_else(|| ck.ext().virtualhost.clone())
                .or_else(|| rs.opts().virtualhost.clone())
                .or_else(|| vs.opts().virtualhost.clone()),
            sni: u
                .virtualhost
                .clone()
                .or_else(|| ck.ext().virtualhost.clone())
                .or_else(|| vs.opts().virtualhost.clone()),
            regex: u.regex.as_ref().map(|pat| RegexSpec {
                re: build_regex(pat, &u.regex_options),
                no_match: u.regex_no_match,
                min_offset: u.regex_min_offset.unwrap_or(0) as usize,
                max_offset: u.regex_max_offset.map(|m| m as usize),
            }),
        }
    }

    fn accepts(&self, code: u16) -> bool {
        self.status_codes
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&code))
    }
}

/// Compiles a url regex, mapping the PCRE2 option words the regex crate has
/// equivalents for.
fn build_regex(pattern: &str, options: &[String]) -> Option<regex::bytes::Regex> {
    let mut b = regex::bytes::RegexBuilder::new(pattern);
    for o in options {
        match o.as_str() {
            "caseless" => b.case_insensitive(true),
            "multiline" => b.multi_line(true),
            "dotall" => b.dot_matches_new_line(true),
            "extended" => b.ignore_whitespace(true),
            "ungreedy" => b.swap_greed(true),
            _ => &mut b,
        };
    }
    b.build().ok()
}

/// The request keepalived sends (`request_template` in check_http.c): the
/// Host is the virtual host when one applies, otherwise the connect address
/// and port (IPv6 in brackets).
pub fn request_bytes(
    path: &str,
    vhost: Option<&str>,
    dst: SocketAddr,
    protocol: HttpProtocol,
) -> String {
    let minor = if protocol == HttpProtocol::V11 { 1 } else { 0 };
    let close = if protocol == HttpProtocol::V10 {
        ""
    } else {
        "Connection: close\r\n"
    };
    let host = match (vhost, dst) {
        (Some(v), _) => v.to_string(),
        (None, SocketAddr::V4(a)) => format!("{}:{}", a.ip(), a.port()),
        (None, SocketAddr::V6(a)) => format!("[{}]:{}", a.ip(), a.port()),
    };
    format!(
        "GET {path} HTTP/1.{minor}\r\nUser-Agent: KeepAliveClient\r\n{close}Host: {host}\r\n\r\n"
    )
}

/// What was read of one response, fed chunk by chunk as it arrives
/// (keepalived's `http_process_response`).
#[derive(Debug)]
pub struct ResponseReader {
    /// Bytes before the end of the header was found.
    head: Vec<u8>,
    extracted: bool,
    status_code: u16,
    content_len: Option<usize>,
    rx_bytes: usize,
    md5: Md5,
    body: Option<Vec<u8>>,
    /// genhash `-v`: what keepalived would dump, read by read.
    trace: Option<Vec<Trace>>,
}

/// What `genhash -v` shows of a response, in the order keepalived prints
/// it as the reads arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trace {
    /// A read before the header end was found.
    HeaderRead,
    /// The header, up to and including its blank line.
    Header(Vec<u8>),
    /// The hashed body bytes of the read that completed the header.
    FirstBody(Vec<u8>),
    /// The hashed bytes of a later read.
    Body(Vec<u8>),
}

/// A complete response as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// No header end (`\r\n\r\n`) was ever seen: "no data received".
    pub empty: bool,
    /// 0 when the status line does not parse.
    pub status_code: u16,
    pub content_len: Option<usize>,
    /// Body bytes received (all of them, even beyond Content-Length).
    pub rx_bytes: usize,
    /// Lower-case hex MD5 of the body as keepalived hashes it.
    pub digest: String,
    /// The body kept for regex matching (when asked for).
    pub body: Vec<u8>,
    /// The raw MD5 (genhash prints it as a hex dump too).
    pub md5: [u8; 16],
    /// See [`ResponseReader::traced`]; empty otherwise.
    pub trace: Vec<Trace>,
}

impl ResponseReader {
    /// `keep_body`: retain the body (up to 1 MiB) for a regex.
    pub fn new(keep_body: bool) -> ResponseReader {
        ResponseReader {
            head: Vec::new(),
            extracted: false,
            status_code: 0,
            content_len: None,
            rx_bytes: 0,
            md5: Md5::new(),
            body: keep_body.then(Vec::new),
            trace: None,
        }
    }

    /// Also record a [`Trace`] of the reads (for `genhash -v`).
    pub fn traced(mut self) -> ResponseReader {
        self.trace = Some(Vec::new());
        self
    }

    fn record(&mut self, t: Trace) {
        if let Some(tr) = &mut self.trace {
            tr.push(t);
        }
    }

    /// Whether the header buffer is full without a header end (keepalived
    /// then reads 0 bytes, i.e. sees end of stream).
    pub fn header_overflow(&self) -> bool {
        !self.extracted && self.head.len() >= MAX_BUFFER_LENGTH - 1
    }

    /// How much the next read may take: keepalived reads into the rest of
    /// its 4 KiB buffer (one byte kept for a NUL), so read sizes, and what
    /// `genhash -v` shows per read, match its.
    pub fn read_room(&self) -> usize {
        (MAX_BUFFER_LENGTH - 1 - self.head.len()).max(1)
    }

    pub fn feed(&mut self, data: &[u8]) {
        let tracing = self.trace.is_some();
        if self.extracted {
            let n = self.body_bytes(data);
            if tracing && n > 0 {
                self.record(Trace::Body(data[..n].to_vec()));
            }
            return;
        }
        self.record(Trace::HeaderRead);
        let room = (MAX_BUFFER_LENGTH - 1).saturating_sub(self.head.len());
        let (now, later) = data.split_at(data.len().min(room));
        self.head.extend_from_slice(now);
        if let Some(end) = find(&self.head, b"\r\n\r\n") {
            self.extracted = true;
            let body_start = end + 4;
            self.status_code = extract_status_code(&self.head);
            // keepalived searches the whole buffer, body included, up to the
            // first NUL (it is used as a C string).
            let upto = memchr::memchr(0, &self.head).unwrap_or(self.head.len());
            self.content_len = extract_content_length(&self.head[..upto]);
            let mut head = std::mem::take(&mut self.head);
            let first = head.split_off(body_start);
            if tracing {
                self.record(Trace::Header(head));
            }
            let n = self.body_bytes(&first);
            let m = if later.is_empty() {
                0
            } else {
                self.body_bytes(later)
            };
            if tracing && n + m > 0 {
                let mut hashed = first[..n].to_vec();
                hashed.extend_from_slice(&later[..m]);
                self.record(Trace::FirstBody(hashed));
            }
        }
    }

    /// Hashes (and keeps) body bytes; returns how many were hashed.
    fn body_bytes(&mut self, data: &[u8]) -> usize {
        let hash_len = match self.content_len {
            None => data.len(),
            Some(cl) => cl.saturating_sub(self.rx_bytes).min(data.len()),
        };
        self.md5.update(&data[..hash_len]);
        if let Some(body) = &mut self.body {
            let room = REGEX_BODY_LIMIT.saturating_sub(body.len());
            body.extend_from_slice(&data[..data.len().min(room)]);
        }
        self.rx_bytes += data.len();
        hash_len
    }

    pub fn finish(self) -> Response {
        let digest: [u8; 16] = self.md5.finalize().into();
        Response {
            empty: !self.extracted,
            status_code: self.status_code,
            content_len: self.content_len,
            rx_bytes: self.rx_bytes,
            digest: hex(&digest),
            body: self.body.unwrap_or_default(),
            md5: digest,
            trace: self.trace.unwrap_or_default(),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Lower-case hex, as `genhash` prints digests.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `extract_status_code()`: the three digits after the first space of the
/// status line, followed by a space; 0 otherwise.
pub fn extract_status_code(buf: &[u8]) -> u16 {
    let mut i = 0;
    while i < buf.len() && buf[i] != b' ' && buf[i] != b'\r' {
        i += 1;
    }
    if buf.get(i) != Some(&b' ') {
        return 0;
    }
    let code = &buf[i + 1..];
    if code.len() <= 3 || code[0] == b' ' || code[3] != b' ' {
        return 0;
    }
    if !code[..3].iter().all(u8::is_ascii_digit) {
        return 0;
    }
    code[..3]
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'))
}

/// `extract_content_length()`: the number after the first (case-sensitive)
/// `Content-Length:`; `None` when absent or followed by anything but a line
/// end.
pub fn extract_content_length(buf: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"Content-Length:";
    let at = find(buf, TAG)? + TAG.len();
    let rest = &buf[at..];
    // strtoul: leading white space, then digits.
    let ws = rest
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .count();
    let digits = rest[ws..].iter().take_while(|c| c.is_ascii_digit()).count();
    let (value, end) = if digits == 0 {
        (0usize, 0) // no conversion: end is the start
    } else {
        let v = rest[ws..ws + digits].iter().fold(0usize, |acc, d| {
            acc.saturating_mul(10).saturating_add(usize::from(d - b'0'))
        });
        (v, ws + digits)
    };
    match rest.get(end) {
        None | Some(b'\r') | Some(b'\n') => Some(value),
        Some(_) => None,
    }
}

/// Why a url check failed, as keepalived's `timeout_epilog` names it.
fn failure(msg: &str, rs: &str) -> ProbeOutcome {
    ProbeOutcome::Down(crate::messages::http_failed(msg, rs))
}

/// Judges a complete response against `url` (`http_handle_response`).
pub fn judge(url: &UrlSpec, resp: &Response) -> Result<(), &'static str> {
    if resp.empty {
        return Err(messages::http_no_data());
    }
    if !url.accepts(resp.status_code) {
        return Err(messages::http_status_error());
    }
    if let Some(d) = &url.digest
        && *d != resp.digest
    {
        return Err(messages::http_digest_error());
    }
    if let Some(r) = &url.regex {
        let matched = r.re.as_ref().is_some_and(|re| {
            let start = r.min_offset.min(resp.body.len());
            re.find_at(&resp.body, start)
                .is_some_and(|m| r.max_offset.is_none_or(|max| m.start() <= max))
        });
        if matched == r.no_match {
            return Err(messages::http_regex_failed());
        }
    }
    Ok(())
}

/// Sends the request for `url` on `stream` and reads the response until the
/// server closes, each wait bounded by `timeout`. `Err` is keepalived's
/// failure text (without the server part).
pub async fn exchange<S>(
    stream: &mut S,
    request: &[u8],
    mut reader: ResponseReader,
    timeout: Duration,
    tls: bool,
) -> Result<Response, &'static str>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match tokio::time::timeout(timeout, stream.write_all(request)).await {
        Err(_) => return Err(messages::http_write_timeout()),
        Ok(Err(_)) => return Err(messages::http_send_failed()),
        Ok(Ok(())) => {}
    }
    let _ = tokio::time::timeout(timeout, stream.flush()).await;
    let mut buf = vec![0u8; MAX_BUFFER_LENGTH];
    let mut first = true;
    loop {
        if reader.header_overflow() {
            break;
        }
        let room = reader.read_room();
        let r = match tokio::time::timeout(timeout, stream.read(&mut buf[..room])).await {
            Err(_) if tls => return Err(messages::http_ssl_read_timeout()),
            Err(_) if first => return Err(messages::http_web_read_timeout()),
            Err(_) => return Err(messages::http_read_timeout()),
            Ok(Err(_)) if tls => {
                // A peer closing without close_notify is the usual end of
                // an SSL_GET response; keepalived treats it as the end too.
                break;
            }
            Ok(Err(_)) => return Err(messages::http_read_error()),
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
        };
        first = false;
        reader.feed(&buf[..r]);
    }
    Ok(reader.finish())
}

fn connect_failure(e: ConnectError) -> &'static str {
    match e {
        ConnectError::Timeout => messages::http_connect_timeout(),
        ConnectError::Failed(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::ENETUNREACH) | Some(libc::EHOSTUNREACH)
            ) =>
        {
            messages::http_unreachable()
        }
        // The connect was started and SO_ERROR reports why it failed
        // (keepalived's `connect_fail`), e.g. refused.
        ConnectError::Failed(_) => messages::http_connect_failed(),
        ConnectError::Setup(_) => messages::http_connect_failed(),
    }
}

/// One attempt of every url in turn (each on its own connection); the first
/// failure is the outcome.
pub async fn probe(target: &Target, rs: &str, spec: &HttpSpec) -> ProbeOutcome {
    for url in &spec.urls {
        if let Err(msg) = check_url(target, spec, url).await {
            return failure(msg, rs);
        }
    }
    ProbeOutcome::Up
}

async fn check_url(target: &Target, spec: &HttpSpec, url: &UrlSpec) -> Result<(), &'static str> {
    let mut stream = connect::tcp(target).await.map_err(connect_failure)?;
    let request = request_bytes(&url.path, url.vhost.as_deref(), target.dst, spec.protocol);
    let keep_body = url.regex.is_some();
    let resp = if spec.tls {
        let sni = if spec.enable_sni {
            url.sni.as_deref()
        } else {
            None
        };
        let mut tls = super::tls::handshake(stream, sni, target.timeout)
            .await
            .map_err(|e| match e {
                super::tls::TlsError::Timeout => messages::http_connect_timeout(),
                _ => messages::http_ssl_error(),
            })?;
        exchange(
            &mut tls,
            request.as_bytes(),
            ResponseReader::new(keep_body),
            target.timeout,
            true,
        )
        .await?
    } else {
        exchange(
            &mut stream,
            request.as_bytes(),
            ResponseReader::new(keep_body),
            target.timeout,
            false,
        )
        .await?
    };
    judge(url, &resp)
}

/// `genhash` / `keepalived -T`: the response to `path` at `target`, read
/// and hashed as the checker does (traced for `-v`); `Err` is the failure
/// text genhash prints. `tls_sni`: `None` for plain HTTP, else TLS with
/// that SNI name (if any).
pub async fn genhash(
    target: &Target,
    path: &str,
    vhost: Option<&str>,
    protocol: HttpProtocol,
    tls_sni: Option<Option<&str>>,
) -> Result<Response, &'static str> {
    let mut stream = connect::tcp(target).await.map_err(connect_failure)?;
    let request = request_bytes(path, vhost, target.dst, protocol);
    let reader = ResponseReader::new(false).traced();
    match tls_sni {
        Some(sni) => {
            let mut tls = super::tls::handshake(stream, sni, target.timeout)
                .await
                .map_err(|e| match e {
                    super::tls::TlsError::Timeout => messages::http_connect_timeout(),
                    _ => messages::http_ssl_error(),
                })?;
            exchange(&mut tls, request.as_bytes(), reader, target.timeout, true).await
        }
        None => {
            exchange(
                &mut stream,
                request.as_bytes(),
                reader,
                target.timeout,
                false,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bytes_match_keepalived() {
        let dst: SocketAddr = "192.0.2.2:80".parse().unwrap();
        assert_eq!(
            request_bytes("/x", None, dst, HttpProtocol::V10),
            "GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 192.0.2.2:80\r\n\r\n"
        );
        assert_eq!(
            request_bytes("/", Some("www"), dst, HttpProtocol::V11),
            "GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www\r\n\r\n"
        );
        let dst6: SocketAddr = "[2001:db8::1]:8080".parse().unwrap();
        assert_eq!(
            request_bytes("/", None, dst6, HttpProtocol::V10Close),
            "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [2001:db8::1]:8080\r\n\r\n"
        );
    }

    #[test]
    fn status_code_parsing_is_strict_like_keepalived() {
        assert_eq!(extract_status_code(b"HTTP/1.0 200 OK\r\n"), 200);
        assert_eq!(extract_status_code(b"HTTP/1.0 200\r\n"), 0);
        assert_eq!(extract_status_code(b"HTTP/1.0 20x OK\r\n"), 0);
        assert_eq!(extract_status_code(b"garbage\r\n"), 0);
    }

    #[test]
    fn content_length_parsing() {
        assert_eq!(extract_content_length(b"Content-Length: 12\r\n"), Some(12));
        assert_eq!(extract_content_length(b"content-length: 12\r\n"), None);
        assert_eq!(extract_content_length(b"Content-Length: 12x\r\n"), None);
        assert_eq!(extract_content_length(b"X: 1\r\n"), None);
    }

    #[test]
    fn digest_is_capped_by_content_length_and_not_dechunked() {
        let mut r = ResponseReader::new(false);
        r.feed(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nab");
        r.feed(b"cdef");
        let resp = r.finish();
        assert_eq!(resp.digest, hex(&Md5::digest(b"abc")));
        assert_eq!(resp.rx_bytes, 6);

        let mut r = ResponseReader::new(false);
        r.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assert_eq!(
            r.finish().digest,
            hex(&Md5::digest(b"3\r\nabc\r\n0\r\n\r\n"))
        );
    }

    #[test]
    fn no_header_end_is_no_data() {
        let mut r = ResponseReader::new(false);
        r.feed(b"HTTP/1.0 200 OK\r\n");
        assert!(r.finish().empty);
    }
}
