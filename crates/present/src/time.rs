//! Time as people read it in a report.

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};

/// Which zone to print wall-clock times in (journalctl prints local time;
/// `--utc` switches, as there).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Local,
    Utc,
}

fn to_datetime<Tz: TimeZone>(usec: u64, tz: &Tz) -> Option<DateTime<Tz>> {
    let secs = i64::try_from(usec / 1_000_000).ok()?;
    let nanos = (usec % 1_000_000) as u32 * 1000;
    tz.timestamp_opt(secs, nanos).single()
}

/// "2022-10-24 04:04:26".
pub fn wall(usec: u64, zone: Zone) -> String {
    let fmt = "%Y-%m-%d %H:%M:%S";
    match zone {
        Zone::Utc => to_datetime(usec, &Utc).map(|d| d.format(fmt).to_string()),
        Zone::Local => to_datetime(usec, &Local).map(|d| d.format(fmt).to_string()),
    }
    .unwrap_or_else(|| format!("@{usec}us"))
}

/// "04:04:26" when `usec` falls on the same day as `reference`, else [`wall`].
pub fn wall_near(usec: u64, reference: u64, zone: Zone) -> String {
    let full = wall(usec, zone);
    if full.get(..10) == wall(reference, zone).get(..10) {
        full[11..].to_string()
    } else {
        full
    }
}

/// RFC 3339 with microseconds, always UTC: the form JSON documents use.
pub fn rfc3339(usec: u64) -> String {
    to_datetime(usec, &Utc)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// "4h 31min", "12.3s", "850ms": the largest two units that matter.
pub fn span(usec: u64) -> String {
    let ms = usec / 1000;
    let s = usec / 1_000_000;
    match s {
        0 if ms == 0 => format!("{usec}us"),
        0 => format!("{ms}ms"),
        1..=59 => format!("{:.1}s", usec as f64 / 1e6),
        60..=3599 => format!("{}min {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}min", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(850), "850us");
        assert_eq!(span(12_300_000), "12.3s");
        assert_eq!(span(271_000_000), "4min 31s");
        assert_eq!(span(3 * 3600 * 1_000_000 + 120_000_000), "3h 2min");
        assert_eq!(span(2 * 86_400 * 1_000_000), "2d 0h");
    }

    #[test]
    fn rfc3339_keeps_microseconds() {
        assert_eq!(
            rfc3339(1_666_569_600_994_371),
            "2022-10-24T00:00:00.994371Z"
        );
        assert_eq!(
            wall(1_666_569_600_994_371, Zone::Utc),
            "2022-10-24 00:00:00"
        );
    }
}
