//! Findings of `check`: a stable id, a severity, where it is (file, block, line, depth, subject),
//! what is wrong and one sentence on how to fix it; rendered for people or as JSON.

use serde_json::{json, Value};

use crate::style::{pad, Style};

/// How bad a finding is. Only errors make `check` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The deployment is broken (or will be refused by clients or nginx).
    Error,
    /// It works, but something should be fixed.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    fn styled(self, style: Style, text: &str) -> String {
        match self {
            Severity::Error => style.error(text),
            Severity::Warning => style.warning(text),
            Severity::Info => style.info(text),
        }
    }
}

/// Where a finding is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// The file (as given on the command line or in the nginx configuration).
    pub file: Option<String>,
    /// 1-based index of the PEM block (or DER certificate) in the file.
    pub block: Option<usize>,
    /// 1-based line (the BEGIN line for a block).
    pub line: Option<usize>,
    /// Depth on the certificate path (0 = leaf).
    pub depth: Option<usize>,
    /// The certificate's subject.
    pub subject: Option<String>,
}

impl Loc {
    /// A spot in a file.
    pub fn file(file: &str) -> Loc {
        Loc {
            file: Some(file.to_string()),
            ..Loc::default()
        }
    }

    /// The same place, with a line.
    pub fn line(mut self, line: usize) -> Loc {
        self.line = (line > 0).then_some(line);
        self
    }

    /// The same place, with a block index.
    pub fn block(mut self, block: usize) -> Loc {
        self.block = Some(block);
        self
    }

    /// The same place, at a path depth.
    pub fn depth(mut self, depth: usize) -> Loc {
        self.depth = Some(depth);
        self
    }

    /// The same place, about a certificate.
    pub fn subject(mut self, subject: &str) -> Loc {
        self.subject = Some(subject.to_string());
        self
    }

    /// `block 2 (line 24), depth 1 (CN=…)`; the file is named when it is not `main`.
    pub fn describe(&self, main: &str) -> String {
        let mut parts = Vec::new();
        if let Some(f) = self.file.as_deref().filter(|f| *f != main) {
            parts.push(f.to_string());
        }
        match (self.block, self.line) {
            (Some(b), Some(l)) => parts.push(format!("block {b} (line {l})")),
            (Some(b), None) => parts.push(format!("block {b}")),
            (None, Some(l)) => parts.push(format!("line {l}")),
            (None, None) => {}
        }
        if let Some(d) = self.depth {
            parts.push(format!("depth {d}"));
        }
        let mut s = parts.join(", ");
        if let Some(subject) = &self.subject {
            if s.is_empty() {
                s = subject.clone();
            } else {
                s = format!("{s} ({subject})");
            }
        }
        s
    }
}

/// One thing wrong (or worth knowing) with a deployment.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The stable id, e.g. `missing-intermediate`.
    pub id: String,
    /// The severity.
    pub severity: Severity,
    /// Where.
    pub loc: Loc,
    /// What is wrong.
    pub message: String,
    /// One sentence on how to fix it.
    pub fix: String,
}

impl Finding {
    /// A finding.
    pub fn new(
        id: &str,
        severity: Severity,
        loc: Loc,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            id: id.to_string(),
            severity,
            loc,
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "severity": self.severity.as_str(),
            "file": self.loc.file,
            "block": self.loc.block,
            "line": self.loc.line,
            "depth": self.loc.depth,
            "subject": self.loc.subject,
            "message": self.message,
            "fix": self.fix,
        })
    }
}

/// Counts per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Info.
    pub info: usize,
}

impl Counts {
    /// Count `findings`.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }

    /// Add another count.
    pub fn add(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.info += other.info;
    }

    /// As JSON.
    pub fn to_json(self) -> Value {
        json!({"errors": self.errors, "warnings": self.warnings, "info": self.info})
    }

    /// `2 errors, 1 warning, 0 info`.
    pub fn sentence(self, style: Style) -> String {
        let plural = |n: usize, w: &str| {
            if n == 1 {
                format!("{n} {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        let errors = plural(self.errors, "error");
        let warnings = plural(self.warnings, "warning");
        let errors = if self.errors > 0 {
            style.error(&errors)
        } else {
            errors
        };
        let warnings = if self.warnings > 0 {
            style.warning(&warnings)
        } else {
            warnings
        };
        format!("{errors}, {warnings}, {} info", self.info)
    }
}

/// Sort findings: errors first, then warnings, then info; the order of discovery otherwise.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| f.severity);
}

/// One line per finding (`severity  id  where: message`) and an indented fix hint, aligned.
pub fn write_findings(
    out: &mut impl std::io::Write,
    findings: &[Finding],
    main: &str,
    indent: &str,
    style: Style,
) -> std::io::Result<()> {
    let id_width = findings.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for f in findings {
        let sev = f.severity.styled(style, &pad(f.severity.as_str(), 7));
        let id = style.bold(&pad(&f.id, id_width));
        let place = f.loc.describe(main);
        let place = if place.is_empty() {
            String::new()
        } else {
            format!("{place}: ")
        };
        // places and messages may quote nginx configuration values and file names: printed
        // with their control characters escaped, like certificate names
        let line = format!("{place}{}", f.message);
        writeln!(out, "{indent}{sev}  {id}  {}", certchain::printable(&line))?;
        let hint_indent = " ".repeat(7 + 2 + id_width + 2);
        writeln!(
            out,
            "{indent}{hint_indent}{}",
            style.dim(&certchain::printable(&format!("fix: {}", f.fix)))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_naturally() {
        let l = Loc::file("a.pem")
            .block(2)
            .line(24)
            .depth(1)
            .subject("CN=I");
        assert_eq!(l.describe("a.pem"), "block 2 (line 24), depth 1 (CN=I)");
        assert_eq!(
            l.describe("b.pem"),
            "a.pem, block 2 (line 24), depth 1 (CN=I)"
        );
        assert_eq!(Loc::file("a.pem").line(3).describe("a.pem"), "line 3");
        assert_eq!(
            Loc::default().subject("CN=R").depth(2).describe("x"),
            "depth 2 (CN=R)"
        );
    }

    #[test]
    fn errors_sort_first_and_lines_align() {
        let mut f = vec![
            Finding::new("b", Severity::Info, Loc::default(), "m1", "f1"),
            Finding::new(
                "long-id",
                Severity::Error,
                Loc::file("x").line(2),
                "m2",
                "f2",
            ),
        ];
        sort(&mut f);
        assert_eq!(f[0].id, "long-id");
        let mut out = Vec::new();
        write_findings(&mut out, &f, "x", "", Style::for_stdout()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "error    long-id  line 2: m2\n                  fix: f2\ninfo     b        m1\n                  fix: f1\n"
        );
        assert_eq!(
            Counts::of(&f).sentence(Style::for_stdout()),
            "1 error, 0 warnings, 1 info"
        );
    }
}
