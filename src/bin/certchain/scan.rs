//! A tolerant PEM reader for `check`: unlike `Bundle::parse`, which stops at the first error, it
//! walks every block, notes each problem with its line, and keeps going, so one run reports
//! everything that is wrong with a file.

use base64ct::{Base64, Encoding as _};

/// One `-----BEGIN X-----` … `-----END X-----` block.
#[derive(Debug)]
pub struct Block {
    /// 1-based position among the file's blocks.
    pub index: usize,
    /// Line of the BEGIN boundary (1-based).
    pub line: usize,
    /// The label (`CERTIFICATE`, `PRIVATE KEY`, …).
    pub label: String,
    /// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`), as written.
    pub headers: Vec<(String, String)>,
    /// The decoded body, when it decodes.
    pub der: Option<Vec<u8>>,
    /// Whether a problem was already reported for this block.
    pub had_problem: bool,
}

impl Block {
    /// Whether the block is encrypted the traditional OpenSSL way (`Proc-Type: 4,ENCRYPTED`).
    pub fn proc_type_encrypted(&self) -> bool {
        self.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("Proc-Type") && v.to_ascii_uppercase().contains("ENCRYPTED")
        })
    }
}

/// A malformed spot in the file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The line it is on (1-based).
    pub line: usize,
    /// The block it belongs to, if any.
    pub block: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Every block, in file order.
    pub blocks: Vec<Block>,
    /// Every problem, in file order.
    pub problems: Vec<Problem>,
    /// Whether the scan stopped at the block limit, leaving the rest of the file unread.
    pub cut_short: bool,
}

/// Whether the input looks like DER (a SEQUENCE with a long-form length), not PEM text.
pub fn looks_like_der(bytes: &[u8]) -> bool {
    let bytes = strip_bom(bytes);
    matches!(bytes, [0x30, 0x80..=0x84, ..])
}

/// Whether the input holds bytes that never occur in PEM text.
pub fn looks_binary(bytes: &[u8]) -> bool {
    strip_bom(bytes)
        .iter()
        .take(4096)
        .any(|&b| b == 0 || b >= 0x80)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

struct Open {
    index: usize,
    line: usize,
    label: String,
    headers: Vec<(String, String)>,
    body: String,
    body_started: bool,
    problem: bool,
}

/// Scan PEM text. Never fails: everything wrong is a [`Problem`].
pub fn scan(bytes: &[u8]) -> Scan {
    let bytes = strip_bom(bytes);
    let mut out = Scan::default();
    let mut open: Option<Open> = None;
    let mut count = 0usize;
    let mut last_line = 0usize;

    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        last_line = line_no;
        // A hostile file may hold a million blocks: as many as a bundle may hold certificates.
        if count > certchain::MAX_BUNDLE_CERTIFICATES {
            let from = open.take().map_or(line_no, |b| b.line);
            out.problem(
                from,
                None,
                &format!(
                    "more than {} PEM blocks: the rest of the file, from line {from}, is not read",
                    certchain::MAX_BUNDLE_CERTIFICATES
                ),
            );
            out.cut_short = true;
            break;
        }
        let line = String::from_utf8_lossy(trim_end(raw));
        let line = line.as_ref();
        // A BEGIN counts at the start of a line, or after indentation (which OpenSSL does not
        // accept: reported); prose that mentions "-----BEGIN" is text.
        let begin_anywhere = line.find("-----BEGIN ");
        let begin = begin_anywhere.filter(|p| line.get(..*p).is_some_and(|t| t.trim().is_empty()));
        let end = line.find("-----END ");

        if let Some(mut block) = open.take() {
            if let Some(epos) = end.filter(|e| begin.is_none_or(|b| *e < b)) {
                let begin = begin_anywhere.filter(|b| *b > epos);
                if epos != 0 && !block.problem {
                    out.problem(
                        line_no,
                        Some(block.index),
                        "text before the END boundary on its line (the END line must start with -----END)",
                    );
                    block.problem = true;
                }
                let end_part = line.get(epos..).unwrap_or_default();
                let label = boundary_label(end_part, "-----END ");
                if label.as_deref() != Some(block.label.as_str()) && !block.problem {
                    let found = label.unwrap_or_else(|| "(unreadable)".into());
                    out.problem(
                        line_no,
                        Some(block.index),
                        &format!(
                            "END {found} does not close BEGIN {} from line {}",
                            block.label, block.line
                        ),
                    );
                    block.problem = true;
                }
                out.finish(block);
                if let Some(bpos) = begin {
                    // `-----END X----------BEGIN Y-----`: report it once, on this line, then
                    // read the next block as if the line had been split.
                    out.problem(
                        line_no,
                        None,
                        "END and BEGIN on one line (put a line break between the two boundaries)",
                    );
                    count += 1;
                    open = Some(start_block(
                        &mut out,
                        count,
                        line_no,
                        line.get(bpos..).unwrap_or_default(),
                        true,
                    ));
                }
            } else if let Some(bpos) = begin {
                if !block.problem {
                    out.problem(
                        block.line,
                        Some(block.index),
                        &format!(
                            "block {} starting at line {} is truncated: no END line before the next BEGIN on line {line_no}",
                            block.label, block.line
                        ),
                    );
                    block.problem = true;
                }
                out.finish(block);
                count += 1;
                let rest = line.get(bpos..).unwrap_or_default();
                let ok_start = bpos == 0;
                if !ok_start {
                    out.problem(
                        line_no,
                        Some(count),
                        "the BEGIN boundary does not start its line, so OpenSSL (and nginx) skips the block",
                    );
                }
                open = Some(start_block(&mut out, count, line_no, rest, !ok_start));
            } else {
                body_line(&mut out, &mut block, line, line_no);
                open = Some(block);
            }
        } else if let Some(bpos) = begin {
            count += 1;
            if bpos != 0 {
                out.problem(
                    line_no,
                    Some(count),
                    "the BEGIN boundary does not start its line, so OpenSSL (and nginx) skips the block",
                );
            }
            let rest = line.get(bpos..).unwrap_or_default();
            open = Some(start_block(&mut out, count, line_no, rest, bpos != 0));
        } else if end == Some(0) {
            if let Some(label) = boundary_label(line, "-----END ") {
                // The block's BEGIN had text before it on its line, so it was read as prose.
                out.problem(
                    line_no,
                    None,
                    &format!(
                        "END {label} without a BEGIN boundary at the start of a line: text before -----BEGIN makes OpenSSL (and nginx) skip the block"
                    ),
                );
            }
        }
    }
    // The file's last line (a final LF ends a line, it does not start another).
    if bytes.ends_with(b"\n") {
        last_line = last_line.saturating_sub(1);
    }
    if let Some(mut block) = open {
        if !block.problem {
            out.problem(
                block.line,
                Some(block.index),
                &format!(
                    "block {} starting at line {} is truncated: the file ends (line {last_line}) before its END line",
                    block.label, block.line
                ),
            );
            block.problem = true;
        }
        out.finish(block);
    }
    out
}

fn start_block(out: &mut Scan, index: usize, line: usize, text: &str, problem: bool) -> Open {
    let label = boundary_label(text, "-----BEGIN ");
    let mut problem = problem;
    if label.is_none() && !problem {
        out.problem(
            line,
            Some(index),
            "malformed BEGIN boundary (expected -----BEGIN LABEL-----)",
        );
        problem = true;
    } else if !problem && text.get(11..).is_some_and(|t| t.contains("-----END ")) {
        out.problem(
            line,
            Some(index),
            "BEGIN and END on one line: a PEM block needs its base64 body on lines of its own",
        );
        problem = true;
    }
    let label = label.unwrap_or_else(|| {
        text.trim_start_matches("-----BEGIN ")
            .trim_end_matches('-')
            .trim()
            .to_string()
    });
    Open {
        index,
        line,
        label,
        headers: Vec::new(),
        body: String::new(),
        body_started: false,
        problem,
    }
}

fn body_line(out: &mut Scan, block: &mut Open, line: &str, line_no: usize) {
    if line.is_empty() {
        return;
    }
    if !block.body_started {
        // RFC 1421 headers come before the body: `Name: value`, continued by indented lines.
        if let Some((k, v)) = line.split_once(':') {
            if !k.is_empty() && !k.contains(char::is_whitespace) {
                block.headers.push((k.to_string(), v.trim().to_string()));
                return;
            }
        }
        if line.starts_with([' ', '\t']) && !block.headers.is_empty() {
            if let Some(last) = block.headers.last_mut() {
                last.1.push_str(line.trim());
            }
            return;
        }
    }
    block.body_started = true;
    let text = line.trim_start();
    if let Some((col, bad)) = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
    {
        if !block.problem {
            out.problem(
                line_no,
                Some(block.index),
                &format!(
                    "character {bad:?} at column {} is not base64 (block {} starting at line {})",
                    col + 1 + (line.len() - text.len()),
                    block.label,
                    block.line
                ),
            );
            block.problem = true;
        }
        return;
    }
    block.body.push_str(text);
}

impl Scan {
    fn problem(&mut self, line: usize, block: Option<usize>, message: &str) {
        self.problems.push(Problem {
            line,
            block,
            message: message.to_string(),
        });
    }

    fn finish(&mut self, block: Open) {
        let mut had_problem = block.problem;
        let der = match Base64::decode_vec(&block.body) {
            Ok(d) if !d.is_empty() => Some(d),
            _ if had_problem => None,
            _ if block.body.trim().is_empty() => {
                self.problem(
                    block.line,
                    Some(block.index),
                    &format!(
                        "block {} starting at line {} is empty (nothing between BEGIN and END)",
                        block.label, block.line
                    ),
                );
                had_problem = true;
                None
            }
            _ => {
                self.problem(
                    block.line,
                    Some(block.index),
                    &format!(
                        "the base64 body of block {} starting at line {} does not decode (cut short or corrupted)",
                        block.label, block.line
                    ),
                );
                had_problem = true;
                None
            }
        };
        self.blocks.push(Block {
            index: block.index,
            line: block.line,
            label: block.label,
            headers: block.headers,
            der,
            had_problem,
        });
    }
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line.get(end - 1), Some(b' ' | b'\t' | b'\r')) {
        end -= 1;
    }
    line.get(..end).unwrap_or(line)
}

/// `LABEL` from `-----BEGIN LABEL-----` (or END), when well formed.
fn boundary_label(text: &str, prefix: &str) -> Option<String> {
    let rest = text.strip_prefix(prefix)?;
    let end = rest.find("-----")?;
    let label = rest.get(..end)?;
    if label.is_empty()
        || !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'-')
    {
        return None;
    }
    Some(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn clean_blocks_decode() {
        let text = format!("hello\n{}{}", pem("CERTIFICATE", "AAEC"), pem("X", "AwQ="));
        let s = scan(text.as_bytes());
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.blocks.len(), 2);
        assert_eq!(s.blocks[0].line, 2);
        assert_eq!(s.blocks[0].der.as_deref(), Some(&[0u8, 1, 2][..]));
        assert_eq!(s.blocks[1].index, 2);
        assert_eq!(s.blocks[1].label, "X");
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "-----BEGIN A-----\nAA!C\n-----END A-----\n-----BEGIN B-----\nAAEC\n-----BEGIN C-----\nAAEC\n-----END C----------BEGIN D-----\nAAEC\n-----END D-----\n-----BEGIN E-----\nAAEC\n";
        let s = scan(text.as_bytes());
        let lines: Vec<usize> = s.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 4, 8, 11], "{:?}", s.problems);
        assert!(s.problems[0].message.contains("'!'"));
        assert!(s.problems[1].message.contains("truncated"));
        assert!(s.problems[2].message.contains("END and BEGIN on one line"));
        assert_eq!(s.blocks.len(), 5);
        assert!(s.blocks[0].der.is_none());
        assert!(s.blocks[2].der.is_some() && s.blocks[3].der.is_some());
    }

    #[test]
    fn headers_are_kept_and_mismatched_end_reported() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n-----BEGIN X-----\nAAEC\n-----END Y-----\n";
        let s = scan(text.as_bytes());
        assert!(s.blocks[0].proc_type_encrypted());
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.problems[0].line, 9);
        assert!(s.problems[0]
            .message
            .contains("END Y does not close BEGIN X"));
    }

    #[test]
    fn prose_is_not_a_block_but_indentation_is_reported() {
        let s = scan(b"no -----BEGIN line here\n");
        assert!(s.blocks.is_empty() && s.problems.is_empty());
        let s = scan(b"  -----BEGIN X-----\nAAEC\n-----END X-----\n");
        assert_eq!(s.blocks.len(), 1);
        assert_eq!(s.problems.len(), 1);
        assert!(s.problems[0].message.contains("does not start its line"));
    }

    #[test]
    fn der_and_binary_detection() {
        assert!(looks_like_der(&[0x30, 0x82, 1, 2]));
        assert!(!looks_like_der(b"-----BEGIN"));
        assert!(looks_binary(&[0x30, 0x03, 0xff]));
        assert!(!looks_binary(b"text\n"));
    }
}
