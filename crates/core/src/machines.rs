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
//! record).
//!
//! Which machine a boot belongs to is decided from the data alone, so the
//! same journals give the same hosts whatever the read order or thread
//! timing: every `_MACHINE_ID` its last entries name (not only the very
//! last one, which may be a torn record), then, for a boot none of those
//! name, any of its entries ([`Owners::unnamed`] says which boots to read
//! whole), then the header machine id of the files holding it. A boot that
//! still names no machine among several is not guessed: the caller warns,
//! naming its files, and lists it under a machine without an id.

use std::collections::{BTreeMap, BTreeSet};

use crate::journal::{EntrySource, Fields, Filter, Id128, JournalError};

const TAIL: usize = 8;

/// One host in the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// `_MACHINE_ID`, or None when the entries do not carry one (hand-made
    /// streams, or boots whose machine cannot be decided): such boots form
    /// one machine of their own.
    pub id: Option<Id128>,
    /// `_HOSTNAME` of the newest boot that names one.
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

/// The filter that reads `boots` whole, but only the two fields that name
/// a machine: for boots whose last entries name none.
pub fn whole_boots_filter(boots: &[Id128]) -> Filter {
    Filter {
        boots: boots.to_vec(),
        fields: Fields::Named(vec!["_MACHINE_ID".into(), "_HOSTNAME".into()]),
        ..Filter::all()
    }
}

/// What the entries read so far say of each boot's machine.
#[derive(Debug, Default)]
pub struct Owners {
    boots: BTreeMap<Id128, Owner>,
}

#[derive(Debug, Default)]
struct Owner {
    /// Every machine id its entries name: more than one is a contradiction.
    ids: BTreeSet<Id128>,
    /// The id its newest entry that names one names.
    last: Option<Id128>,
    /// `_HOSTNAME` of its newest entry that names one.
    hostname: Option<String>,
}

/// A boot whose entries name several machines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub boot: Id128,
    pub ids: Vec<Id128>,
    /// The one it is listed under: its newest entry's.
    pub chosen: Id128,
}

/// Boots grouped by machine, and what could not be decided.
#[derive(Clone, Debug, Default)]
pub struct Grouping {
    /// Ordered by machine id, the machine without an id last: data only,
    /// never file names or read order.
    pub machines: Vec<Machine>,
    /// Boots that name no machine while the journal holds several; listed
    /// under the machine without an id. The caller must say so.
    pub undecided: Vec<Id128>,
    pub conflicts: Vec<Conflict>,
}

impl Owners {
    /// Adds every entry of `source` (entries oldest first within a boot).
    pub fn read(&mut self, source: &mut dyn EntrySource) -> Result<(), JournalError> {
        while let Some(entry) = source.next_entry()? {
            let Some(id) = entry.machine_id() else {
                continue;
            };
            let owner = self.boots.entry(entry.boot_id).or_default();
            owner.ids.insert(id);
            owner.last = Some(id);
            if let Some(host) = entry.str("_HOSTNAME") {
                owner.hostname = Some(host.to_string());
            }
        }
        Ok(())
    }

    /// Those of `boots` no entry read so far names a machine for.
    pub fn unnamed(&self, boots: &[Id128]) -> Vec<Id128> {
        boots
            .iter()
            .filter(|b| !self.boots.contains_key(b))
            .copied()
            .collect()
    }

    /// Every machine id named so far.
    pub fn known(&self) -> BTreeSet<Id128> {
        self.boots
            .values()
            .flat_map(|o| o.ids.iter().copied())
            .collect()
    }

    /// Decides `boot` for `machine`, from outside the entries (a file header).
    pub fn assign(&mut self, boot: Id128, machine: Id128) {
        let owner = self.boots.entry(boot).or_default();
        owner.ids.insert(machine);
        owner.last = Some(machine);
    }

    /// Groups `boots` (ids, oldest first) by machine. A boot that names no
    /// machine belongs to the only machine there is, if there is one (a
    /// stream whose entries carry no id is one machine without an id).
    pub fn group(&self, boots: &[Id128]) -> Grouping {
        let known = self.known();
        let mut out = Grouping::default();
        let mut machines: BTreeMap<Option<Id128>, Machine> = BTreeMap::new();
        for boot in boots {
            let (id, host) = match self.boots.get(boot) {
                Some(owner) => {
                    if owner.ids.len() > 1
                        && let Some(chosen) = owner.last
                    {
                        out.conflicts.push(Conflict {
                            boot: *boot,
                            ids: owner.ids.iter().copied().collect(),
                            chosen,
                        });
                    }
                    (owner.last, owner.hostname.clone())
                }
                None if known.len() == 1 => (known.first().copied(), None),
                None => {
                    if known.len() > 1 {
                        out.undecided.push(*boot);
                    }
                    (None, None)
                }
            };
            let m = machines.entry(id).or_insert_with(|| Machine {
                id,
                hostname: None,
                boots: Vec::new(),
            });
            m.boots.push(*boot);
            if host.is_some() {
                m.hostname = host;
            }
        }
        // BTreeMap puts None first; the machine without an id goes last.
        let none = machines.remove(&None);
        out.machines = machines.into_values().chain(none).collect();
        out
    }
}

/// Groups `boots` (ids, oldest first) by machine, reading `tails` (opened
/// with [`tails_filter`]); see [`Owners::group`].
pub fn group(boots: &[Id128], tails: &mut dyn EntrySource) -> Result<Vec<Machine>, JournalError> {
    let mut owners = Owners::default();
    owners.read(tails)?;
    Ok(owners.group(boots).machines)
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

    /// Entries of `boot` naming `machine` (None: no `_MACHINE_ID`).
    fn entries(list: &[(u8, Option<u8>, &str)]) -> Vec<crate::journal::Entry> {
        list.iter()
            .map(|(boot, machine, host)| {
                let mut e = crate::journal::Entry::new(1, Id128([*boot; 16]));
                if let Some(m) = machine {
                    e.push_field("_MACHINE_ID", Id128([*m; 16]).to_string().as_bytes());
                }
                e.push_field("_HOSTNAME", host.as_bytes());
                e
            })
            .collect()
    }

    struct List(std::vec::IntoIter<crate::journal::Entry>);
    impl EntrySource for List {
        fn next_entry(&mut self) -> Result<Option<crate::journal::Entry>, JournalError> {
            Ok(self.0.next())
        }
        fn diagnostics(&self) -> &crate::journal::Diagnostics {
            unreachable!("not asked")
        }
    }

    fn owners(list: &[(u8, Option<u8>, &str)]) -> Owners {
        let mut o = Owners::default();
        o.read(&mut List(entries(list).into_iter())).unwrap();
        o
    }

    #[test]
    fn a_torn_last_entry_does_not_hide_the_machine_the_others_name() {
        let o = owners(&[(1, Some(0x22), "b"), (1, None, ""), (2, Some(0x11), "a")]);
        let g = o.group(&[Id128([1; 16]), Id128([2; 16])]);
        // Ordered by machine id, not by hostname or boot order.
        let ids: Vec<_> = g.machines.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![Some(Id128([0x11; 16])), Some(Id128([0x22; 16]))]);
        assert!(g.undecided.is_empty() && g.conflicts.is_empty());
    }

    #[test]
    fn a_boot_naming_no_machine_among_several_is_undecided_not_guessed() {
        let mut o = owners(&[(1, Some(0x22), "b"), (2, Some(0x11), "a"), (3, None, "c")]);
        let boots = [Id128([1; 16]), Id128([2; 16]), Id128([3; 16])];
        assert_eq!(o.unnamed(&boots), vec![Id128([3; 16])]);
        let g = o.group(&boots);
        assert_eq!(g.undecided, vec![Id128([3; 16])]);
        let last = g.machines.last().unwrap();
        assert_eq!((last.id, last.boots.clone()), (None, vec![Id128([3; 16])]));
        // A file header that names one of the machines decides it.
        o.assign(Id128([3; 16]), Id128([0x11; 16]));
        let g = o.group(&boots);
        assert!(g.undecided.is_empty());
        assert_eq!(g.machines[0].boots, vec![Id128([2; 16]), Id128([3; 16])]);
    }

    #[test]
    fn with_one_machine_an_unnamed_boot_is_its_and_a_contradiction_is_reported() {
        let o = owners(&[(1, Some(0x11), "a"), (2, None, "")]);
        let g = o.group(&[Id128([1; 16]), Id128([2; 16])]);
        assert_eq!(g.machines.len(), 1);
        assert!(g.undecided.is_empty());
        let o = owners(&[(1, Some(0x11), "a"), (1, Some(0x22), "b")]);
        let g = o.group(&[Id128([1; 16])]);
        assert_eq!(g.conflicts.len(), 1);
        assert_eq!(g.conflicts[0].chosen, Id128([0x22; 16]));
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
