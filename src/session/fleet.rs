//! `fleet findings`: every host of many journal directories analysed
//! several at a time on the [`pool`], each on a view of its own boots.
//!
//! Each host runs the single-host pipeline on a view of its own boots, so a
//! host's findings are exactly what `jforensics -D DIR -M HOST findings`
//! prints. Memory stays bounded: a worker holds one host's boots while it
//! reads them and keeps only boots and findings afterwards.

use std::path::PathBuf;

use super::{Result, Session, pool};
use crate::findings::Options;
use crate::fleet::Host;
use crate::journal::{SourceSpec, libsystemd};
use crate::machines::{self, Machine};

/// A view per machine of the directories, each over only the files that
/// hold that machine: libsystemd steps through every open file for each
/// entry, so reading one host with all hosts' files open would make a fleet
/// cost grow with hosts × files. Which machines a file holds is read once
/// per file, in parallel. `machine` (`-M`) keeps one of them.
pub fn host_views(
    base: &Session,
    dirs: &[PathBuf],
    machine: Option<&str>,
    jobs: usize,
) -> Result<Vec<Session>> {
    let mut files = Vec::new();
    for dir in dirs {
        let what = SourceSpec::Directory(dir.clone()).describe();
        files.extend(libsystemd::journal_files_in(dir, &what)?);
    }
    let listed = parallel(base, &files, jobs, "files listed", |file| {
        base.with_spec(SourceSpec::Files(vec![file.clone()]))
            .machines()
    });
    // Each machine with its boots and the files holding them, in file order.
    let mut machines: Vec<(Machine, Vec<PathBuf>)> = Vec::new();
    for (file, result) in files.iter().zip(listed) {
        let found = match result {
            Ok(found) => found,
            Err(e) => {
                base.say(&format!(
                    "jforensics: warning: {} left out: {e}",
                    file.display()
                ));
                continue;
            }
        };
        for m in found {
            match machines.iter_mut().find(|(known, _)| known.id == m.id) {
                Some((known, paths)) => {
                    for b in &m.boots {
                        if !known.boots.contains(b) {
                            known.boots.push(*b);
                        }
                    }
                    if m.hostname.is_some() {
                        known.hostname = m.hostname.clone();
                    }
                    paths.push(file.clone());
                }
                None => machines.push((m, vec![file.clone()])),
            }
        }
    }
    // By machine id, the machine without one last, as `machines::Owners::group`
    // orders them: data only, never file names or which file was read first.
    machines.sort_by_key(|(m, _)| (m.id.is_none(), m.id));
    if let Some(spec) = machine {
        let all: Vec<Machine> = machines.iter().map(|(m, _)| m.clone()).collect();
        let wanted = machines::resolve(&all, spec)?.id;
        machines.retain(|(m, _)| m.id == wanted);
    }
    if machines.is_empty() {
        return Err("no journal entries in the directories: check the paths".into());
    }
    Ok(machines
        .into_iter()
        .map(|(m, paths)| base.with_spec(SourceSpec::Files(paths)).view(&m))
        .collect())
}

/// Every view on `jobs` threads; results in the views' order. A host that
/// cannot be read is warned of and left out, not fatal to the rest.
pub fn analyse(views: &[Session], options: &Options, jobs: usize) -> Result<Vec<Host>> {
    let Some(first) = views.first() else {
        return Err("no host could be analysed; the warnings above say why".into());
    };
    let results = parallel(first, views, jobs, "hosts analysed", |view| {
        host(view, options)
    });
    let mut hosts = Vec::new();
    for (view, result) in views.iter().zip(results) {
        let label = view.machine().map(|m| m.label()).unwrap_or_default();
        match result {
            Ok(h) => hosts.push(h),
            Err(e) => view.say(&format!("jforensics: warning: host {label} left out: {e}")),
        }
    }
    if hosts.is_empty() {
        return Err("no host could be analysed; the warnings above say why".into());
    }
    Ok(hosts)
}

fn host(view: &Session, options: &Options) -> Result<Host> {
    let boots = view.boots()?;
    let selected = super::ids(&boots);
    let findings = view.detect(&boots, &selected, options)?;
    Ok(Host {
        machine: view
            .machine()
            .cloned()
            .ok_or("a fleet view has a machine")?,
        source: view.spec.describe(),
        boots,
        findings,
    })
}

/// `work` over `items` on the pool, counted for `session`'s observer;
/// errors as text.
fn parallel<T: Sync, R: Send>(
    session: &Session,
    items: &[T],
    jobs: usize,
    what: &str,
    work: impl Fn(&T) -> Result<R> + Sync,
) -> Vec<std::result::Result<R, String>> {
    let observer = &session.observer;
    let results = pool::map(
        items,
        jobs.max(1),
        |item| work(item).map_err(|e| e.to_string()),
        |done| observer.counted(what, done, items.len()),
    );
    observer.counted_all();
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not analysed".to_string())))
        .collect()
}
