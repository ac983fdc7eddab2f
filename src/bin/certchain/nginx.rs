//! `certchain check --nginx nginx.conf`: read an nginx configuration the way nginx does (comments,
//! quotes, blocks, `include` with globs), find every TLS `server` block, and check each
//! `ssl_certificate` / `ssl_certificate_key` pair against that block's `server_name`s.
//!
//! Relative paths (in `include` and in `ssl_certificate*`) are resolved against the directory
//! of the main configuration file, which is nginx's configuration prefix when it is started
//! with `-c FILE`. Server blocks without their own `ssl_certificate*` inherit the `http` (or
//! `stream`) level ones, as nginx does. Values with `$variables` or `data:` are reported, not
//! checked; `server_name`s with wildcards or regular expressions are reported, not guessed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use certchain::{printable, rfc3339, ServerName};
use serde_json::{json, Value};

use crate::check::{self, Context, Host, Report};
use crate::report::{self, Counts, Finding, Loc, Severity};
use crate::style::{pad, Style};
use crate::Format;

/// Limits against include loops and hostile configurations.
const MAX_INCLUDE_DEPTH: usize = 16;
const MAX_FILES: usize = 1000;
const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;
/// Blocks inside blocks, per file (nginx itself needs 3 or 4: http, server, location, if).
const MAX_BLOCK_NESTING: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Semi,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// Split nginx configuration text into words, `{`, `}` and `;`.
fn tokenize(src: &str, file: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = src.chars().peekable();
    let mut line = 1usize;
    while let Some(&c) = chars.peek() {
        match c {
            '\n' => {
                line += 1;
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => {
                while let Some(&c) = chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    chars.next();
                }
            }
            '{' => {
                out.push(Token {
                    tok: Tok::Open,
                    line,
                });
                chars.next();
            }
            '}' => {
                out.push(Token {
                    tok: Tok::Close,
                    line,
                });
                chars.next();
            }
            ';' => {
                out.push(Token {
                    tok: Tok::Semi,
                    line,
                });
                chars.next();
            }
            '"' | '\'' => {
                let quote = c;
                let start = line;
                chars.next();
                let mut word = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\'' | '\\')) => word.push(e),
                            Some('n') => word.push('\n'),
                            Some('t') => word.push('\t'),
                            Some('r') => word.push('\r'),
                            Some(other) => {
                                if other == '\n' {
                                    line += 1;
                                }
                                word.push('\\');
                                word.push(other);
                            }
                            None => {}
                        },
                        c if c == quote => {
                            closed = true;
                            break;
                        }
                        '\n' => {
                            line += 1;
                            word.push('\n');
                        }
                        c => word.push(c),
                    }
                }
                if !closed {
                    return Err(format!("{file}:{start}: unterminated {quote} string"));
                }
                out.push(Token {
                    tok: Tok::Word(word),
                    line: start,
                });
            }
            _ => {
                let mut word = String::new();
                let mut in_var_brace = false;
                while let Some(&c) = chars.peek() {
                    if in_var_brace {
                        word.push(c);
                        chars.next();
                        if c == '}' {
                            in_var_brace = false;
                        }
                        continue;
                    }
                    if c.is_whitespace() || matches!(c, ';' | '}') {
                        break;
                    }
                    if c == '{' {
                        if word.ends_with('$') {
                            in_var_brace = true;
                        } else {
                            break;
                        }
                    }
                    if c == '\\' {
                        chars.next();
                        if let Some(e) = chars.next() {
                            word.push(e);
                        }
                        continue;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token {
                    tok: Tok::Word(word),
                    line,
                });
            }
        }
    }
    Ok(out)
}

/// One directive: `name args… ;` or `name args… { children }`.
#[derive(Debug, Clone)]
struct Directive {
    name: String,
    args: Vec<String>,
    file: String,
    line: usize,
    children: Option<Vec<Directive>>,
}

struct Loader {
    base: PathBuf,
    files: Vec<String>,
}

impl Loader {
    fn load(&mut self, path: &Path, depth: usize) -> Result<Vec<Directive>, String> {
        let display = path.display().to_string();
        if depth > MAX_INCLUDE_DEPTH {
            return Err(format!(
                "{display}: includes nested more than {MAX_INCLUDE_DEPTH} deep (an include loop?)"
            ));
        }
        if self.files.len() >= MAX_FILES {
            return Err(format!(
                "{display}: more than {MAX_FILES} configuration files"
            ));
        }
        let meta = std::fs::metadata(path).map_err(|e| format!("{display}: {e}"))?;
        if meta.is_dir() {
            return Err(format!("{display}: is a directory"));
        }
        if meta.len() > MAX_CONFIG_BYTES {
            return Err(format!("{display}: larger than {MAX_CONFIG_BYTES} bytes"));
        }
        // metadata says 0 bytes for /dev/zero and the like: read one byte past the limit, no more
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("{display}: {e}"))?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(format!("{display}: larger than {MAX_CONFIG_BYTES} bytes"));
        }
        let text = String::from_utf8_lossy(&bytes);
        self.files.push(display.clone());
        let tokens = tokenize(&text, &display)?;
        let mut pos = 0usize;
        let parsed = self.parse_block(&tokens, &mut pos, &display, depth, None, 0)?;
        Ok(parsed)
    }

    fn parse_block(
        &mut self,
        tokens: &[Token],
        pos: &mut usize,
        file: &str,
        depth: usize,
        opened_at: Option<usize>,
        nesting: usize,
    ) -> Result<Vec<Directive>, String> {
        let mut out = Vec::new();
        let mut words: Vec<(String, usize)> = Vec::new();
        while let Some(t) = tokens.get(*pos) {
            *pos += 1;
            match &t.tok {
                Tok::Word(w) => words.push((w.clone(), t.line)),
                Tok::Semi => {
                    let Some(((name, line), args)) = words.split_first() else {
                        return Err(format!("{file}:{}: unexpected \";\"", t.line));
                    };
                    let args: Vec<String> = args.iter().map(|(a, _)| a.clone()).collect();
                    if name == "include" {
                        let pattern = args.first().ok_or_else(|| {
                            format!("{file}:{line}: include needs a file name or pattern")
                        })?;
                        for f in expand(pattern, &self.base)
                            .map_err(|e| format!("{file}:{line}: include {pattern}: {e}"))?
                        {
                            // name the include that led there (the innermost one only: a
                            // loop 64 deep would otherwise repeat it 64 times)
                            let loaded = self.load(&f, depth + 1).map_err(|e| {
                                if e.contains("(included from ") {
                                    e
                                } else {
                                    format!("{e} (included from {file}:{line})")
                                }
                            })?;
                            out.extend(loaded);
                        }
                    } else {
                        out.push(Directive {
                            name: name.clone(),
                            args,
                            file: file.to_string(),
                            line: *line,
                            children: None,
                        });
                    }
                    words.clear();
                }
                Tok::Open => {
                    let Some(((name, line), args)) = words.split_first() else {
                        return Err(format!("{file}:{}: unexpected \"{{\"", t.line));
                    };
                    let (name, line) = (name.clone(), *line);
                    let args: Vec<String> = args.iter().map(|(a, _)| a.clone()).collect();
                    words.clear();
                    if nesting >= MAX_BLOCK_NESTING {
                        return Err(format!(
                            "{file}:{}: blocks nested more than {MAX_BLOCK_NESTING} deep",
                            t.line
                        ));
                    }
                    let children =
                        self.parse_block(tokens, pos, file, depth, Some(t.line), nesting + 1)?;
                    out.push(Directive {
                        name,
                        args,
                        file: file.to_string(),
                        line,
                        children: Some(children),
                    });
                }
                Tok::Close => {
                    if !words.is_empty() {
                        return Err(format!(
                            "{file}:{}: unexpected \"}}\" (missing \";\" after {}?)",
                            t.line,
                            words.first().map(|w| w.0.as_str()).unwrap_or_default()
                        ));
                    }
                    return match opened_at {
                        Some(_) => Ok(out),
                        None => Err(format!("{file}:{}: unexpected \"}}\"", t.line)),
                    };
                }
            }
        }
        if let Some((w, l)) = words.first() {
            return Err(format!(
                "{file}:{l}: unexpected end of file after \"{w}\" (missing \";\")"
            ));
        }
        if let Some(l) = opened_at {
            return Err(format!(
                "{file}:{l}: the block opened here is never closed (missing \"}}\")"
            ));
        }
        Ok(out)
    }
}

/// The files an `include` pattern names, sorted (as glob(3) does), relative to `base`.
fn expand(pattern: &str, base: &Path) -> Result<Vec<PathBuf>, String> {
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        base.join(pattern)
    };
    if !pattern.contains(['*', '?', '[']) {
        if !full.exists() {
            return Err("no such file".into());
        }
        return Ok(vec![full]);
    }
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in full.components() {
        let part = comp.as_os_str().to_string_lossy().into_owned();
        if !part.contains(['*', '?', '[']) {
            for c in &mut current {
                c.push(comp.as_os_str());
            }
            continue;
        }
        let mut next = Vec::new();
        for dir in &current {
            let Ok(rd) = std::fs::read_dir(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| (!n.starts_with('.') || part.starts_with('.')) && glob_match(&part, n))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        current = next;
    }
    let mut files: Vec<PathBuf> = current.into_iter().filter(|p| p.is_file()).collect();
    files.sort();
    Ok(files)
}

/// Shell-style matching of one path component: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`. Iterative,
/// backtracking only to the last `*`, so no pattern can make it slow.
fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let c = n.get(ni).copied().unwrap_or_default();
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => {
                pi += 1;
                ni += 1;
                continue;
            }
            Some('[') => {
                if let Some((hit, len)) = class_match(p.get(pi + 1..).unwrap_or_default(), c) {
                    if hit {
                        pi += 1 + len;
                        ni += 1;
                        continue;
                    }
                } else if c == '[' {
                    // no closing bracket: a literal '['
                    pi += 1;
                    ni += 1;
                    continue;
                }
            }
            Some(x) if *x == c => {
                pi += 1;
                ni += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|x| *x == '*')
}

/// Match `c` against the class starting after `[`: (whether it matches, chars consumed incl.
/// the closing `]`), or `None` when the class is not closed.
fn class_match(class: &[char], c: char) -> Option<(bool, usize)> {
    let close = class
        .iter()
        .skip(1)
        .position(|x| *x == ']')
        .map(|i| i + 1)?;
    let body = class.get(..close)?;
    let (negate, body) = match body.split_first() {
        Some(('!' | '^', r)) => (true, r),
        _ => (false, body),
    };
    let mut hit = false;
    let mut i = 0;
    while let Some(&x) = body.get(i) {
        if body.get(i + 1) == Some(&'-') {
            if let Some(&y) = body.get(i + 2) {
                hit |= x <= c && c <= y;
                i += 3;
                continue;
            }
        }
        hit |= x == c;
        i += 1;
    }
    Some((hit != negate, close + 1))
}

/// A value from the configuration and where it was written.
#[derive(Debug, Clone)]
struct Val {
    raw: String,
    file: String,
    line: usize,
}

/// A TLS server block.
#[derive(Debug)]
struct Server {
    context: &'static str,
    file: String,
    line: usize,
    names: Vec<Val>,
    listens: Vec<String>,
    certs: Vec<Val>,
    keys: Vec<Val>,
    certs_inherited: bool,
    keys_inherited: bool,
}

fn values(ds: &[Directive], name: &str) -> Vec<Val> {
    ds.iter()
        .filter(|d| d.name == name && d.children.is_none())
        .filter_map(|d| {
            d.args.first().map(|a| Val {
                raw: a.clone(),
                file: d.file.clone(),
                line: d.line,
            })
        })
        .collect()
}

/// `443` → `*:443`; other forms as written.
fn socket(listen: &str) -> String {
    if listen.bytes().all(|b| b.is_ascii_digit()) {
        format!("*:{listen}")
    } else {
        listen.to_string()
    }
}

/// The TLS server blocks of `http` and `stream` contexts.
fn tls_servers(top: &[Directive]) -> Vec<Server> {
    let mut out = Vec::new();
    for ctx in top
        .iter()
        .filter(|d| d.name == "http" || d.name == "stream")
    {
        let context = if ctx.name == "http" { "http" } else { "stream" };
        let body = ctx.children.as_deref().unwrap_or_default();
        let outer_certs = values(body, "ssl_certificate");
        let outer_keys = values(body, "ssl_certificate_key");
        let servers: Vec<&Directive> = body.iter().filter(|d| d.name == "server").collect();
        // `ssl` on a listen socket applies to every server block on that socket
        let mut ssl_sockets: Vec<String> = Vec::new();
        for s in &servers {
            for l in s
                .children
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter(|d| d.name == "listen")
            {
                if l.args.iter().skip(1).any(|a| a == "ssl" || a == "quic") {
                    if let Some(addr) = l.args.first() {
                        ssl_sockets.push(socket(addr));
                    }
                }
            }
        }
        for s in servers {
            let inner = s.children.as_deref().unwrap_or_default();
            let listens: Vec<String> = inner
                .iter()
                .filter(|d| d.name == "listen")
                .map(|d| d.args.join(" "))
                .collect();
            let ssl_on = inner
                .iter()
                .any(|d| d.name == "ssl" && d.args.first().is_some_and(|a| a == "on"));
            let tls = ssl_on
                || inner.iter().filter(|d| d.name == "listen").any(|d| {
                    d.args
                        .first()
                        .is_some_and(|a| ssl_sockets.contains(&socket(a)))
                });
            if !tls {
                continue;
            }
            let own_certs = values(inner, "ssl_certificate");
            let own_keys = values(inner, "ssl_certificate_key");
            let names: Vec<Val> = inner
                .iter()
                .filter(|d| d.name == "server_name")
                .flat_map(|d| {
                    d.args.iter().map(|a| Val {
                        raw: a.clone(),
                        file: d.file.clone(),
                        line: d.line,
                    })
                })
                .collect();
            out.push(Server {
                context,
                file: s.file.clone(),
                line: s.line,
                names,
                listens,
                certs_inherited: own_certs.is_empty() && !outer_certs.is_empty(),
                keys_inherited: own_keys.is_empty() && !outer_keys.is_empty(),
                certs: if own_certs.is_empty() {
                    outer_certs.clone()
                } else {
                    own_certs
                },
                keys: if own_keys.is_empty() {
                    outer_keys.clone()
                } else {
                    own_keys
                },
            });
        }
    }
    out
}

/// One certificate/key pair of a server block, checked.
struct Pair {
    cert: Val,
    key: Option<Val>,
    cert_path: String,
    key_path: Option<String>,
    report: Option<Report>,
}

struct ServerResult {
    server: Server,
    findings: Vec<Finding>,
    pairs: Vec<Pair>,
}

impl ServerResult {
    fn counts(&self) -> Counts {
        let mut c = Counts::of(&self.findings);
        for p in &self.pairs {
            if let Some(r) = &p.report {
                c.add(Counts::of(&r.findings));
            }
        }
        c
    }
}

fn val_loc(v: &Val) -> Loc {
    Loc::file(&v.file).line(v.line)
}

fn resolve(base: &Path, raw: &str) -> String {
    let p = Path::new(raw);
    if p.is_absolute() {
        raw.to_string()
    } else {
        base.join(p).display().to_string()
    }
}

fn not_checked(v: &Val, what: &str) -> Option<Finding> {
    let why = if v.raw.contains('$') {
        "uses variables, resolved per connection"
    } else if v.raw.starts_with("data:") {
        "is inline data:"
    } else {
        return None;
    };
    Some(Finding::new(
        "certificate-not-checked",
        Severity::Info,
        val_loc(v),
        format!("{what} {} {why}; it is not checked", v.raw),
        "check the files it can resolve to with certchain check --cert FILE --key FILE",
    ))
}

fn check_server(server: Server, base: &Path, ctx: &Context) -> ServerResult {
    let mut findings = Vec::new();
    let server_loc = Loc::file(&server.file).line(server.line);
    // host names: plain names are checked; wildcards and regexes are reported, not guessed
    let mut hosts = Vec::new();
    for n in &server.names {
        let raw = n.raw.as_str();
        if raw.is_empty() || raw == "_" {
            continue;
        }
        let why = if raw.starts_with('~') {
            Some("a regular expression")
        } else if raw.contains('*') || raw.starts_with('.') {
            Some("a wildcard")
        } else if raw.contains('$') {
            Some("a variable")
        } else {
            None
        };
        match why {
            Some(why) => findings.push(Finding::new(
                "server-name-not-checked",
                Severity::Info,
                val_loc(n),
                format!(
                    "server_name {raw} is {why}; certchain does not guess which names it serves"
                ),
                "check the concrete names with certchain check --cert FILE --host NAME",
            )),
            None => match ServerName::parse(raw) {
                Ok(name) => hosts.push(Host {
                    name,
                    raw: raw.to_string(),
                }),
                Err(_) => findings.push(Finding::new(
                    "server-name-not-checked",
                    Severity::Info,
                    val_loc(n),
                    format!("server_name {raw} is not a host name certchain can check"),
                    "check the concrete names with certchain check --cert FILE --host NAME",
                )),
            },
        }
    }
    if server.certs.is_empty() {
        findings.push(Finding::new(
            "no-ssl-certificate",
            Severity::Error,
            server_loc.clone(),
            "a TLS server block without ssl_certificate (nor one at the http level); nginx refuses the configuration",
            "add ssl_certificate and ssl_certificate_key to the server block",
        ));
    }
    let mut pairs = Vec::new();
    for (i, cert) in server.certs.iter().enumerate() {
        let key = server.keys.get(i).cloned();
        if key.is_none() {
            findings.push(Finding::new(
                "no-ssl-certificate-key",
                Severity::Error,
                val_loc(cert),
                format!("no ssl_certificate_key for ssl_certificate {}; nginx refuses the configuration", cert.raw),
                "add an ssl_certificate_key line for every ssl_certificate line, in the same order",
            ));
        }
        let skip_cert = not_checked(cert, "ssl_certificate");
        let skip_key = key
            .as_ref()
            .and_then(|k| not_checked(k, "ssl_certificate_key"));
        let cert_path = resolve(base, &cert.raw);
        let key_path = key.as_ref().map(|k| resolve(base, &k.raw));
        if let Some(f) = skip_cert {
            findings.push(f);
            findings.extend(skip_key);
            continue;
        }
        let key_arg = if skip_key.is_some() {
            None
        } else {
            key_path.as_deref()
        };
        findings.extend(skip_key);
        let report = match check::check_files(&cert_path, key_arg, &hosts, ctx) {
            Ok(r) => Some(r),
            Err(e) => {
                findings.push(Finding::new(
                    "unreadable-file",
                    Severity::Error,
                    val_loc(cert),
                    format!("{e}; nginx cannot start with this server block"),
                    "fix the path (relative paths are relative to the directory of the main nginx.conf) or the file's permissions",
                ));
                None
            }
        };
        pairs.push(Pair {
            cert: cert.clone(),
            key,
            cert_path,
            key_path,
            report,
        });
    }
    report::sort(&mut findings);
    ServerResult {
        server,
        findings,
        pairs,
    }
}

/// Run `check --nginx CONF`.
pub fn run(conf: &str, ctx: &Context, format: Format, style: Style) -> u8 {
    let conf_path = Path::new(conf);
    let base = match conf_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut loader = Loader {
        base: base.clone(),
        files: Vec::new(),
    };
    let top = match loader.load(conf_path, 0) {
        Ok(t) => t,
        Err(e) => {
            match format {
                Format::Text => eprintln!("certchain check: {}", printable(&e)),
                Format::Json => println!("{}", json!({"error": e, "servers": []})),
            }
            return 2;
        }
    };
    let results: Vec<ServerResult> = tls_servers(&top)
        .into_iter()
        .map(|s| check_server(s, &base, ctx))
        .collect();
    let mut total = Counts::default();
    for r in &results {
        total.add(r.counts());
    }
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Text => write_text(&mut out, conf, &loader.files, &results, total, ctx, style),
        Format::Json => writeln!(
            out,
            "{}",
            to_json(conf, &loader.files, &results, total, ctx)
        ),
    };
    drop(out);
    if crate::output_failed(written) {
        2
    } else if total.errors > 0 {
        1
    } else {
        0
    }
}

fn write_text(
    out: &mut impl Write,
    conf: &str,
    files: &[String],
    results: &[ServerResult],
    total: Counts,
    ctx: &Context,
    style: Style,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {conf}: {} TLS server block{} in {} file{}",
        style.bold(&pad("nginx", 8)),
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    )?;
    writeln!(
        out,
        "{} {}  {} {}",
        style.bold(&pad("at", 8)),
        rfc3339(ctx.time),
        style.bold("roots"),
        ctx.store_desc
    )?;
    for r in results {
        let s = &r.server;
        let names: Vec<&str> = s.names.iter().map(|n| n.raw.as_str()).collect();
        writeln!(out)?;
        // values from the configuration are printed with control characters escaped
        writeln!(
            out,
            "{} {}:{}  {}  {}",
            style.bold("server"),
            printable(&s.file),
            s.line,
            if names.is_empty() {
                "(no server_name)".to_string()
            } else {
                printable(&names.join(" ")).into_owned()
            },
            style.dim(&printable(&format!("listen {}", s.listens.join(", "))))
        )?;
        for p in &r.pairs {
            let inherited = if s.certs_inherited || s.keys_inherited {
                format!(" (from the {} level)", s.context)
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {} {}:{}: ssl_certificate {}{inherited}",
                style.dim("from"),
                printable(&p.cert.file),
                p.cert.line,
                printable(&p.cert.raw)
            )?;
            if let Some(r) = &p.report {
                check::write_report_body(out, r, ctx, style, "  ", false)?;
            }
        }
        if !r.findings.is_empty() {
            report::write_findings(out, &r.findings, &s.file, "  ", style)?;
        }
        let c = r.counts();
        let verdict = if c.errors > 0 {
            style.error("NOT READY")
        } else {
            style.ok("OK")
        };
        writeln!(out, "  {verdict}: {}", c.sentence(style))?;
    }
    let verdict = if total.errors > 0 {
        style.error("NOT READY")
    } else {
        style.ok("ready to deploy")
    };
    writeln!(out, "\n{verdict}: {}", total.sentence(style))
}

fn to_json(
    conf: &str,
    files: &[String],
    results: &[ServerResult],
    total: Counts,
    ctx: &Context,
) -> Value {
    let servers: Vec<Value> = results
        .iter()
        .map(|r| {
            let s = &r.server;
            let pairs: Vec<Value> = r
                .pairs
                .iter()
                .map(|p| {
                    json!({
                        "ssl_certificate": p.cert.raw,
                        "ssl_certificate_key": p.key.as_ref().map(|k| k.raw.clone()),
                        "cert_path": p.cert_path,
                        "key_path": p.key_path,
                        "inherited": s.certs_inherited || s.keys_inherited,
                        "report": p.report.as_ref().map(|rep| check::report_json(rep, ctx)),
                    })
                })
                .collect();
            json!({
                "file": s.file,
                "line": s.line,
                "context": s.context,
                "server_names": s.names.iter().map(|n| n.raw.clone()).collect::<Vec<_>>(),
                "listen": s.listens,
                "findings": r.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
                "certificates": pairs,
                "summary": r.counts().to_json(),
            })
        })
        .collect();
    json!({
        "nginx": conf,
        "files": files,
        "time": rfc3339(ctx.time),
        "roots": ctx.store_desc,
        "servers": servers,
        "summary": total.to_json(),
        "error": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Tok> {
        tokenize(src, "t")
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn tokens_quotes_comments_and_variables() {
        let w = |s: &str| Tok::Word(s.to_string());
        assert_eq!(
            words("a 'b c' \"d\\\"e\" # comment ; {\nf ${g}h;}"),
            vec![
                w("a"),
                w("b c"),
                w("d\"e"),
                w("f"),
                w("${g}h"),
                Tok::Semi,
                Tok::Close
            ]
        );
        assert!(tokenize("a \"b;", "t")
            .unwrap_err()
            .contains("t:1: unterminated"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.conf", "a.conf"));
        assert!(!glob_match("*.conf", "a.conf.bak"));
        assert!(glob_match("site-?.conf", "site-1.conf"));
        assert!(glob_match("[a-c]*", "beta"));
        assert!(!glob_match("[!a-c]*", "beta"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a[", "a["));
        assert!(glob_match("*.c*f", "x.conf"));
        assert!(!glob_match("?", ""));
        assert!(glob_match("[]]", "]"));
        // a pattern that makes naive backtracking exponential
        let name = "a".repeat(60);
        assert!(!glob_match("*a*a*a*a*a*a*a*a*a*a*b", &name));
    }

    #[test]
    fn parse_errors_name_file_and_line() {
        let mut l = Loader {
            base: PathBuf::from("."),
            files: Vec::new(),
        };
        let toks = tokenize("http {\n server {\n listen 443 ssl\n }\n}\n", "x.conf").unwrap();
        let mut pos = 0;
        let e = l
            .parse_block(&toks, &mut pos, "x.conf", 0, None, 0)
            .unwrap_err();
        assert_eq!(
            e,
            "x.conf:4: unexpected \"}\" (missing \";\" after listen?)"
        );
        let toks = tokenize("http {\n", "x.conf").unwrap();
        let mut pos = 0;
        let e = l
            .parse_block(&toks, &mut pos, "x.conf", 0, None, 0)
            .unwrap_err();
        assert!(
            e.starts_with("x.conf:1: the block opened here is never closed"),
            "{e}"
        );
    }

    #[test]
    fn tls_servers_inherit_and_share_sockets() {
        let mut l = Loader {
            base: PathBuf::from("."),
            files: Vec::new(),
        };
        let src = "http { ssl_certificate a.pem; ssl_certificate_key a.key;\n\
                   server { listen 443 ssl; server_name one; }\n\
                   server { listen 443; server_name two; ssl_certificate b.pem; ssl_certificate_key b.key; }\n\
                   server { listen 80; server_name plain; } }";
        let toks = tokenize(src, "n.conf").unwrap();
        let mut pos = 0;
        let top = l
            .parse_block(&toks, &mut pos, "n.conf", 0, None, 0)
            .unwrap();
        let s = tls_servers(&top);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].certs[0].raw, "a.pem");
        assert!(s[0].certs_inherited);
        assert_eq!(s[1].certs[0].raw, "b.pem");
        assert!(!s[1].certs_inherited);
        assert_eq!(s[1].names[0].raw, "two");
        assert_eq!(s[1].line, 3);
    }
}
