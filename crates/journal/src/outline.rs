//! What a journal's index alone tells about its boots, without reading
//! entries.
//!
//! A command about one boot (`since-boot`, `unit`) needs every boot's place
//! in the order (for `-b -1`, the boot before, the newest), but the full
//! facts (entry counts, ends, clock jumps, how it ended) of two or three
//! boots only. The order comes from sequence numbers, which the files'
//! index holds per boot: the first and last entry of each `_BOOT_ID=` value.
//! Whether the journal holds one machine is the number of `_MACHINE_ID=`
//! values. Reading those costs a few hash lookups per boot, where summing
//! every entry header costs a pass over the whole journal.

use std::io::{Read, Write};

use super::{Id128, wire};

/// Every boot's sequence-number span and how many machines the journal
/// names, as its files' index records them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// Sorted by boot id.
    pub boots: Vec<BootSpan>,
    /// Distinct `_MACHINE_ID` values over all files.
    pub machine_ids: usize,
}

/// One boot: its lowest and highest seqnum per sequence series (cursor
/// `s=`), as [`super::BootHeaders::seqnums`] holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BootSpan {
    pub boot_id: Id128,
    pub seqnums: Vec<(String, u64, u64)>,
}

impl Outline {
    pub(super) fn encode(&self, out: &mut impl Write) -> std::io::Result<()> {
        wire::write_u64(out, self.machine_ids as u64)?;
        wire::write_u64(out, self.boots.len() as u64)?;
        for boot in &self.boots {
            out.write_all(&boot.boot_id.0)?;
            wire::write_u64(out, boot.seqnums.len() as u64)?;
            for (series, lo, hi) in &boot.seqnums {
                wire::write_bytes(out, series.as_bytes())?;
                wire::write_u64(out, *lo)?;
                wire::write_u64(out, *hi)?;
            }
        }
        Ok(())
    }

    pub(super) fn decode(r: &mut impl Read) -> std::io::Result<Outline> {
        let machine_ids = usize::try_from(wire::read_u64(r)?).unwrap_or(usize::MAX);
        let mut outline = Outline {
            boots: Vec::new(),
            machine_ids,
        };
        for _ in 0..wire::read_u64(r)? {
            let mut id = [0u8; 16];
            r.read_exact(&mut id)?;
            let mut span = BootSpan {
                boot_id: Id128(id),
                seqnums: Vec::new(),
            };
            for _ in 0..wire::read_u64(r)? {
                let series = wire::read_string(r)?;
                span.seqnums
                    .push((series, wire::read_u64(r)?, wire::read_u64(r)?));
            }
            outline.boots.push(span);
        }
        Ok(outline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outline_survives_the_wire_and_a_cut_one_is_an_error() {
        let outline = Outline {
            boots: vec![
                BootSpan {
                    boot_id: Id128([1; 16]),
                    seqnums: vec![("aa".into(), 1, 9), ("bb".into(), 3, 4)],
                },
                BootSpan {
                    boot_id: Id128([2; 16]),
                    seqnums: vec![("aa".into(), 10, 12)],
                },
            ],
            machine_ids: 1,
        };
        let mut buf = Vec::new();
        outline.encode(&mut buf).unwrap();
        assert_eq!(Outline::decode(&mut buf.as_slice()).unwrap(), outline);
        for cut in 0..buf.len() {
            assert!(Outline::decode(&mut &buf[..cut]).is_err());
        }
    }
}
