//! Writing output files: never over an input, and atomically (a temporary file in the same
//! directory, flushed to disk, then renamed over the target).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The path `p` resolves to (symbolic links followed), also when the file does not exist yet.
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = fs::canonicalize(p) {
        return Some(c);
    }
    let name = p.file_name()?;
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::canonicalize(parent).ok().map(|d| d.join(name))
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

/// The files and directories `--roots system` may read: `$SSL_CERT_FILE`, each directory of
/// `$SSL_CERT_DIR`, and the usual bundle and directory paths.
pub fn system_store_paths() -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    if let Some(f) = std::env::var_os("SSL_CERT_FILE") {
        paths.push(f.to_string_lossy().into_owned());
    }
    if let Some(dirs) = std::env::var_os("SSL_CERT_DIR") {
        paths.extend(std::env::split_paths(&dirs).map(|d| d.to_string_lossy().into_owned()));
    }
    paths.extend(
        certchain::SYSTEM_BUNDLE_PATHS
            .iter()
            .chain(certchain::SYSTEM_DIR_PATHS)
            .map(|p| (*p).to_string()),
    );
    paths
}

/// An error when `out` is (or would overwrite) one of `inputs` — by name, through a symbolic
/// link, or as a hard link to the same file.
pub fn refuse_if_input(out: &str, inputs: &[&str]) -> Result<(), String> {
    let out_path = Path::new(out);
    if out == "-" || out.is_empty() {
        return Err(format!("--fix-chain needs a file name, not {out:?}"));
    }
    if out_path.is_dir() {
        return Err(format!("--fix-chain {out}: is a directory"));
    }
    if fs::metadata(out_path).is_ok_and(|m| !m.is_file()) {
        return Err(format!(
            "--fix-chain {out}: exists and is not a regular file (a device, FIFO or socket); write the fixed chain to a new file"
        ));
    }
    let target = resolved(out_path)
        .ok_or_else(|| format!("--fix-chain {out}: its directory does not exist"))?;
    for input in inputs.iter().filter(|i| **i != "-") {
        let p = Path::new(input);
        let same = resolved(p).is_some_and(|r| r == target) || same_inode(p, out_path);
        if same {
            return Err(format!(
                "--fix-chain {out} is the input {input}; write the fixed chain to a new file"
            ));
        }
        // A trust-store directory: every file in it is an input, and a new file there could
        // become a trust anchor the next time the directory is read.
        if p.is_dir() && resolved(p).is_some_and(|d| target.parent() == Some(d.as_path())) {
            return Err(format!(
                "--fix-chain {out} is inside the trust-store directory {input}; write the fixed chain outside it"
            ));
        }
    }
    Ok(())
}

/// Write `data` to `out` atomically: a temporary file next to it, fsync, rename, fsync of the
/// directory. The temporary file is removed if anything fails.
///
/// Through a symbolic link (certbot's `live/*.pem`), the file it points to is replaced, not the
/// link. An existing target that is not a regular file (a device such as `/dev/null`, a FIFO, a
/// socket) is refused: renaming over it would replace the node itself.
pub fn write_atomically(out: &str, data: &[u8]) -> Result<(), String> {
    let out_path = match fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(out)
            .map_err(|e| format!("{out}: a symbolic link that does not resolve ({e})"))?,
        _ => PathBuf::from(out),
    };
    if let Ok(m) = fs::metadata(&out_path) {
        if !m.is_file() {
            return Err(format!(
                "{out}: exists and is not a regular file (a directory, device, FIFO or socket); write the fixed chain to a new file"
            ));
        }
    }
    let out_path = out_path.as_path();
    let dir = match out_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out_path
        .file_name()
        .ok_or_else(|| format!("{out}: not a file name"))?
        .to_string_lossy()
        .into_owned();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{name}.certchain-{}-{attempt}.tmp",
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(format!("{}: {e}", tmp.display())),
        }
    };
    let result = (|| -> std::io::Result<()> {
        file.write_all(data)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, out_path)?;
        // make the rename itself durable
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("{out}: {e}")
    })
}
