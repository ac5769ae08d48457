//! `--since`/`--until` values, in journalctl's syntax (systemd.time(7)).

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a time like journalctl: "2022-10-24 04:05:00", "2022-10-24",
/// "04:05", "today", "yesterday", "now", "-1h", "+30min", "@1666569600",
/// RFC 3339. Times without a zone are local (UTC with `utc`).
pub fn parse(text: &str, utc: bool, now: DateTime<Utc>) -> Result<u64, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "'{text}' is not a time: use e.g. \"2024-05-01 13:00:00\", \"2024-05-01\", \"13:00\", today, yesterday, -2h, +30min or @UNIX_SECONDS"
        )
    };
    let to_usec = |dt: DateTime<Utc>| u64::try_from(dt.timestamp_micros()).map_err(|_| bad());
    let local = |naive: NaiveDateTime| -> Result<DateTime<Utc>, String> {
        if utc {
            Ok(Utc.from_utc_datetime(&naive))
        } else {
            Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(bad)
        }
    };
    let midnight = |days_from_today: i64| -> Result<DateTime<Utc>, String> {
        let today = if utc {
            now.date_naive()
        } else {
            now.with_timezone(&Local).date_naive()
        };
        local((today + Duration::days(days_from_today)).and_time(NaiveTime::MIN))
    };
    match t {
        "now" => return to_usec(now),
        "today" => return to_usec(midnight(0)?),
        "yesterday" => return to_usec(midnight(-1)?),
        "tomorrow" => return to_usec(midnight(1)?),
        _ => {}
    }
    if let Some(secs) = t.strip_prefix('@') {
        let secs: f64 = secs.parse().map_err(|_| bad())?;
        return if secs >= 0.0 {
            Ok((secs * 1e6) as u64)
        } else {
            Err(bad())
        };
    }
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('+')) {
        let amount = relative(rest.trim()).ok_or_else(bad)?;
        let when = if t.starts_with('-') {
            now - amount
        } else {
            now + amount
        };
        return to_usec(when);
    }
    if let Some(rest) = t.strip_suffix(" ago") {
        return to_usec(now - relative(rest.trim()).ok_or_else(bad)?);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return to_usec(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return to_usec(local(naive)?);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return to_usec(local(date.and_time(NaiveTime::MIN))?);
    }
    for fmt in ["%H:%M:%S", "%H:%M"] {
        if let Ok(time) = NaiveTime::parse_from_str(t, fmt) {
            let today = if utc {
                now.date_naive()
            } else {
                now.with_timezone(&Local).date_naive()
            };
            return to_usec(local(today.and_time(time))?);
        }
    }
    Err(bad())
}

/// "1h", "30min", "2d 3h", "90s", "1w": the spans every duration option reads.
fn relative(text: &str) -> Option<Duration> {
    let usec = super::duration::parse(text).ok()?;
    Duration::microseconds(i64::try_from(usec).ok()?).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
    }

    #[test]
    fn journalctl_forms_parse() {
        let at = |s| parse(s, true, now()).unwrap();
        assert_eq!(at("2022-10-24 04:05:00"), 1_666_584_300_000_000);
        assert_eq!(at("2022-10-24"), 1_666_569_600_000_000);
        assert_eq!(at("@1666569600"), 1_666_569_600_000_000);
        assert_eq!(at("2022-10-24T04:05:00Z"), 1_666_584_300_000_000);
        assert_eq!(at("now"), 1_795_262_400_000_000);
        assert_eq!(at("-1h"), 1_795_262_400_000_000 - 3_600_000_000);
        assert_eq!(at("2h 30min ago"), 1_795_262_400_000_000 - 9_000_000_000);
        assert_eq!(at("today"), 1_795_219_200_000_000);
        assert_eq!(at("yesterday"), 1_795_219_200_000_000 - 86_400_000_000);
        assert_eq!(at("12:30"), 1_795_264_200_000_000);
    }

    #[test]
    fn nonsense_is_rejected_with_examples() {
        let err = parse("last tuesday", true, now()).unwrap_err();
        assert!(err.contains("yesterday"), "{err}");
        assert!(parse("-5 parsecs", true, now()).is_err());
    }
}
