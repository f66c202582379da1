//! Reading the files a run names: regular files only, opened without blocking, at most the
//! run's size limit. The limit is a value each run carries ([`Reader`]), not global state.

/// The largest file read by default, in MiB (a policy is a few KiB; a template a few MiB).
pub const MAX_FILE_SIZE_MIB: u64 = 64;

/// Reads files and standard input within a size limit (`--max-file-size`, `[files]
/// max-file-size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The limit, in bytes.
    pub limit: u64,
}

impl Default for Reader {
    fn default() -> Self {
        Reader::mib(None)
    }
}

impl Reader {
    /// A reader with this limit in MiB (the default without one).
    pub fn mib(mib: Option<u64>) -> Self {
        Reader {
            limit: mib.unwrap_or(MAX_FILE_SIZE_MIB).saturating_mul(1024 * 1024),
        }
    }

    /// Read a regular file of a reasonable size: a FIFO or device would block or never end. The
    /// file is opened without blocking and checked through the opened handle, so a file swapped
    /// for a FIFO between the check and the read is still refused, and at most the limit (plus
    /// one byte, to tell a larger file) is read whatever the file claims its size is.
    pub fn read(&self, path: &std::path::Path) -> Result<Vec<u8>, String> {
        read_limited(path, self.limit)
    }

    /// Read standard input, at most the limit.
    pub fn read_stdin(&self, stdin: &mut dyn std::io::Read) -> Result<Vec<u8>, String> {
        use std::io::Read;
        let limit = self.limit;
        let mut buf = Vec::new();
        stdin
            .take(limit.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| e.to_string())?;
        if buf.len() as u64 > limit {
            return Err(format!(
                "it has more than the {} MiB finops-lint reads (`--max-file-size` raises the limit)",
                limit / (1024 * 1024)
            ));
        }
        Ok(buf)
    }
}

/// [`Reader::read`] with an explicit limit in bytes.
pub fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let not_regular = "it is not a regular file (a FIFO, device or socket is not read)";
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(not_regular.to_string());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(not_regular.to_string());
    }
    let too_large = |len: u64| {
        format!(
            "it has {len} bytes, more than the {} MiB finops-lint reads (`--max-file-size` raises the limit)",
            limit / (1024 * 1024)
        )
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > limit {
        return Err(too_large(buf.len() as u64));
    }
    Ok(buf)
}
