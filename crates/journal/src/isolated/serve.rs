//! The reader process's side: the journal to open, then one request after
//! another, each answered in frames (see `../wire.rs`) by the index reader
//! when it can and by libsystemd otherwise.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::os::fd::AsFd;

use super::super::files::Outcome;
use super::super::libsystemd::{LibsystemdSource, Prepared};
use super::super::wire::{
    self, BOOT, CHECKING, DAMAGE, DONE, EMPTY, FAILED, OUTLINE, Request, SKIPPED, TRACE, WARNING,
};
use super::super::{EntrySource, Filter, HeaderScan, JournalError};
use super::{BACKEND_ENV, libsystemd_asked_for};

/// The reader process: the journal to open, then requests until stdin
/// closes. Exit status 0 after the last request, 2 on a broken request.
pub(super) fn reader_main() -> i32 {
    let pipes = || -> std::io::Result<(File, File)> {
        Ok((
            File::from(std::io::stdin().as_fd().try_clone_to_owned()?),
            File::from(std::io::stdout().as_fd().try_clone_to_owned()?),
        ))
    };
    let Ok((input, output)) = pipes() else {
        return 2;
    };
    let mut input = BufReader::new(input);
    let mut out = BufWriter::with_capacity(1 << 16, output);
    let Ok(prepared) = Prepared::decode(&mut input) else {
        return 2;
    };
    loop {
        let request = match wire::read_u8(&mut input) {
            Ok(tag) => Request::from_tag(tag),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return 0,
            Err(_) => return 2,
        };
        let (Some(request), Ok(filter)) = (request, wire::read_filter(&mut input)) else {
            return 2;
        };
        if serve(prepared.copy_for_child(), request, filter, &mut out).is_err() {
            // The parent stopped listening; nothing left to do.
            return 0;
        }
    }
}

/// One request, answered by the index reader when it can and by
/// libsystemd otherwise: the one place the backend is chosen. Writes
/// frames, says how the read ended, and with the trace on, which backend
/// answered and why.
fn serve<W: Write>(
    prepared: Prepared,
    request: Request,
    filter: Filter,
    out: &mut W,
) -> std::io::Result<()> {
    let tracing = super::super::trace::enabled();
    let what = prepared.what.clone();
    let kind = match request {
        Request::Entries => "entries",
        Request::BootHeaders => "boot sums",
        Request::Outline => "outline",
        Request::Damage => "damage",
    };
    let trace = |out: &mut W, line: String| -> std::io::Result<()> {
        if tracing {
            wire::write_string(out, TRACE, &format!("{what}: {kind}: {line}"))?;
        }
        Ok(())
    };
    if request == Request::Damage {
        // Said whichever reader answers: libsystemd steps over it too.
        if let Some(paths) = prepared.paths() {
            damage(&paths, out)?;
        }
        return done_without_skips(out);
    }
    let forced = libsystemd_asked_for();
    let paths = prepared.paths().filter(|_| !forced);
    let count = match &paths {
        Some(super::super::files::Paths::Files(f)) => f.len(),
        Some(super::super::files::Paths::Found(f)) => f.len(),
        None => 0,
    };
    let index_answered = |out: &mut W| trace(out, format!("index reader: {count} files"));
    // Why the index reader left (part of) a request to libsystemd.
    let declined = || {
        super::super::files::declined()
            .unwrap_or_else(|| "the index reader does not redo this request".to_string())
    };
    if request == Request::Outline {
        match paths
            .as_ref()
            .and_then(|paths| super::super::files::outline(paths, &filter))
        {
            Some(outline) => {
                index_answered(out)?;
                out.write_all(&[OUTLINE])?;
                outline.encode(out)?;
            }
            None => trace(
                out,
                format!("none (the caller reads instead): {}", declined()),
            )?,
        }
        return done_without_skips(out);
    }
    if request == Request::BootHeaders
        && let Some((boots, _)) = paths
            .as_ref()
            .and_then(|paths| super::super::files::boot_headers(paths, &filter))
    {
        // Read from the files themselves; any doubt reads with libsystemd below.
        index_answered(out)?;
        for boot in boots {
            out.write_all(&[BOOT])?;
            boot.encode(out)?;
        }
        return done_without_skips(out);
    }
    // Matched reads through the files' index; libsystemd reads whatever is
    // left, skipping the entries already sent.
    let mut already_sent = 0u64;
    if request == Request::Entries
        && let Some(paths) = &paths
    {
        match super::super::files::read_matched(paths, &filter, |entry| {
            wire::write_entry(out, &entry)
        })? {
            Outcome::Done => {
                index_answered(out)?;
                return done_without_skips(out);
            }
            Outcome::LeftToLibsystemd { delivered } => already_sent = delivered,
        }
    }
    let why = match &paths {
        None if forced => format!("{BACKEND_ENV}=libsystemd"),
        None => "the files could not be made safe to map".to_string(),
        Some(_) => declined(),
    };
    if already_sent > 0 {
        trace(
            out,
            format!("index reader for {already_sent} entries, libsystemd for the rest: {why}"),
        )?;
    } else {
        trace(out, format!("libsystemd: {why}"))?;
    }
    let mut source = match LibsystemdSource::open(prepared, filter) {
        Ok(s) => s,
        Err(e) => {
            wire::write_string(out, FAILED, &failure_text(&e))?;
            return out.flush();
        }
    };
    let mut warned = 0;
    let mut headers = HeaderScan::default();
    loop {
        let next = source.next_entry();
        let d = source.diagnostics();
        for w in &d.warnings[warned..] {
            wire::write_string(out, WARNING, w)?;
        }
        warned = d.warnings.len();
        match next {
            Ok(Some(_)) if already_sent > 0 => already_sent -= 1,
            Ok(Some(entry)) => match request {
                Request::Entries => wire::write_entry(out, &entry)?,
                Request::BootHeaders => headers.observe(&entry),
                Request::Outline | Request::Damage => unreachable!("answered above"),
            },
            Ok(None) => {
                for boot in std::mem::take(&mut headers).finish() {
                    out.write_all(&[BOOT])?;
                    boot.encode(out)?;
                }
                out.write_all(&[SKIPPED])?;
                wire::write_u64(out, d.skipped)?;
                out.write_all(&[DONE])?;
                break;
            }
            Err(JournalError::Empty { skipped, .. }) => {
                out.write_all(&[EMPTY])?;
                wire::write_u64(out, skipped)?;
                break;
            }
            Err(e) => {
                wire::write_string(out, FAILED, &failure_text(&e))?;
                break;
            }
        }
    }
    out.flush()
}

/// Walks each file for damage, saying which before it starts.
fn damage(paths: &super::super::files::Paths, out: &mut impl Write) -> std::io::Result<()> {
    for (i, (_, open, access)) in paths.each().into_iter().enumerate() {
        out.write_all(&[CHECKING])?;
        wire::write_u64(out, i as u64)?;
        // Sent now: if the walk kills this process, the parent knows where.
        out.flush()?;
        if let Some(found) = super::super::files::verify::inspect(&open, access) {
            out.write_all(&[DAMAGE])?;
            wire::write_u64(out, i as u64)?;
            wire::write_bytes(out, found.sentence.as_bytes())?;
            wire::write_u64(out, u64::from(found.index_misses))?;
        }
    }
    Ok(())
}

/// Ends a request the files answered themselves: nothing skipped, done.
fn done_without_skips(out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(&[SKIPPED])?;
    wire::write_u64(out, 0)?;
    out.write_all(&[DONE])?;
    out.flush()
}

/// The parent wraps a failure as "libsystemd could not read WHAT: …", so a
/// libsystemd error travels as its cause only.
fn failure_text(e: &JournalError) -> String {
    match e {
        JournalError::Libsystemd { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}
