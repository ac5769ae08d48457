//! Which machine each boot belongs to, for journals that hold many hosts.
//!
//! A central log host collects every host's journal into one directory
//! (`systemd-journal-remote` writes `remote-HOST.journal` files), and a
//! ticket may carry several hosts' dumps. Everything after the read stage
//! assumes one machine: boot order, "the boot before", lost at reboot. So a
//! fleet journal is split before the pipeline runs, and each part runs the
//! unchanged single-host analysis.
//!
//! A host is its `_MACHINE_ID`, not its hostname: hostnames get reused when
//! a machine is rebuilt. A boot id belongs to one machine, so a machine is
//! also the set of its boots, and reading one machine is reading its boots —
//! a filter every source already applies (libsystemd by index, streams per
//! record). Each boot's machine is read from its last entry only.

use std::collections::BTreeMap;

use crate::journal::{EntrySource, Filter, Id128, JournalError};

const TAIL: usize = 8;

/// One host in the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// `_MACHINE_ID`, or None when the entries do not carry one (hand-made
    /// streams): such boots form one machine of their own.
    pub id: Option<Id128>,
    /// `_HOSTNAME` of the newest boot's last entry.
    pub hostname: Option<String>,
    /// Its boots, in the order given (oldest first).
    pub boots: Vec<Id128>,
}

impl Machine {
    /// The id as printed: 32 hex digits, or "unknown".
    pub fn id_text(&self) -> String {
        self.id
            .map(|i| i.to_string())
            .unwrap_or_else(|| "unknown".to_string())
    }

    /// "web-3 (4f1c09a2)": hostname and short id, for headings.
    pub fn label(&self) -> String {
        let id = self
            .id
            .map(|i| i.short())
            .unwrap_or_else(|| "no machine id".to_string());
        match &self.hostname {
            Some(h) => format!("{h} ({id})"),
            None => id,
        }
    }
}

/// The filter that reads each boot's last entries, whose `_MACHINE_ID` and
/// `_HOSTNAME` say whose boot it is. Several, because the very last one of
/// an unclean boot may be a torn record without trusted fields.
pub fn tails_filter(boots: &[Id128]) -> Filter {
    Filter {
        boots: boots.to_vec(),
        last: Some(TAIL),
        last_per_boot: true,
        ..Filter::all()
    }
}

/// Groups `boots` (ids, oldest first) by machine, reading `tails` (opened with
/// [`tails_filter`]). Machines are ordered by hostname, then id, so the
/// order does not depend on file names or read order.
pub fn group(boots: &[Id128], tails: &mut dyn EntrySource) -> Result<Vec<Machine>, JournalError> {
    let mut owner: BTreeMap<Id128, (Option<Id128>, Option<String>)> = BTreeMap::new();
    while let Some(entry) = tails.next_entry()? {
        if let Some(id) = entry.machine_id() {
            let host = entry.str("_HOSTNAME").map(str::to_string);
            owner.insert(entry.boot_id, (Some(id), host));
        }
    }
    // A boot none of whose last entries names a machine belongs to the only
    // machine there is, if there is one.
    let known: Vec<Option<Id128>> = {
        let mut ids: Vec<Option<Id128>> = owner.values().map(|(id, _)| *id).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut machines: Vec<Machine> = Vec::new();
    for boot in boots {
        let (id, host) = match owner.get(boot) {
            Some(o) => o.clone(),
            None if known.len() == 1 => (known[0], None),
            None => (None, None),
        };
        match machines.iter_mut().find(|m| m.id == id) {
            Some(m) => {
                m.boots.push(*boot);
                if host.is_some() {
                    m.hostname = host;
                }
            }
            None => machines.push(Machine {
                id,
                hostname: host,
                boots: vec![*boot],
            }),
        }
    }
    machines.sort_by(|a, b| (&a.hostname, a.id).cmp(&(&b.hostname, b.id)));
    Ok(machines)
}

/// The machine `-M` names: a machine id (its first 8 digits will do) or a
/// hostname. A hostname used by several machines is an error that lists
/// them, as is a name that matches nothing.
pub fn resolve<'a>(machines: &'a [Machine], spec: &str) -> Result<&'a Machine, String> {
    let wanted = spec.to_ascii_lowercase().replace('-', "");
    let by_id: Vec<&Machine> = if wanted.len() >= 8 && wanted.bytes().all(|b| b.is_ascii_hexdigit())
    {
        machines
            .iter()
            .filter(|m| m.id.is_some_and(|i| i.to_string().starts_with(&wanted)))
            .collect()
    } else {
        Vec::new()
    };
    let found: Vec<&Machine> = if by_id.is_empty() {
        machines
            .iter()
            .filter(|m| m.hostname.as_deref() == Some(spec))
            .collect()
    } else {
        by_id
    };
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no machine '{spec}' in the journal; its machines are: {} (give a machine id or a hostname)",
            listing(machines)
        )),
        many => Err(format!(
            "'{spec}' names {} machines: {}; give the machine id instead",
            many.len(),
            many.iter()
                .map(|m| m.id_text())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// "web-1 (4f1c09a2), web-2 (77aa01bc)", shortened after ten.
pub fn listing(machines: &[Machine]) -> String {
    const SHOWN: usize = 10;
    let mut names: Vec<String> = machines.iter().take(SHOWN).map(Machine::label).collect();
    if machines.len() > SHOWN {
        names.push(format!("… {} more", machines.len() - SHOWN));
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(id: u8, host: &str) -> Machine {
        Machine {
            id: Some(Id128([id; 16])),
            hostname: Some(host.to_string()),
            boots: vec![Id128([id + 100; 16])],
        }
    }

    #[test]
    fn machines_are_named_by_id_prefix_or_hostname() {
        let ms = vec![machine(0x11, "web-1"), machine(0x22, "web-2")];
        assert_eq!(resolve(&ms, "web-2").unwrap().id, ms[1].id);
        assert_eq!(resolve(&ms, "11111111").unwrap().id, ms[0].id);
        assert_eq!(
            resolve(&ms, &"11".repeat(16)).unwrap().hostname.as_deref(),
            Some("web-1")
        );
        let err = resolve(&ms, "db-1").unwrap_err();
        assert!(err.contains("web-1 (11111111)"), "{err}");
    }

    #[test]
    fn a_reused_hostname_asks_for_the_machine_id() {
        let ms = vec![machine(0x11, "web-1"), machine(0x22, "web-1")];
        let err = resolve(&ms, "web-1").unwrap_err();
        assert!(err.contains(&"22".repeat(16)), "{err}");
        assert!(err.contains("machine id"), "{err}");
    }
}
