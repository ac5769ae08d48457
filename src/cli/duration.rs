//! One way to write a duration on the command line, everywhere: systemd's
//! time spans (`systemd.time(7)`), as users already write them in unit
//! files — "90" (seconds), "1.5s", "500ms", "10min", "1h 30min", "7d", "2w".
//! `-S -1w`, `--loop-window 1w` and `--ttl 1w` all read the same.

/// systemd's span words and what they are worth in µs; a month and a year
/// are systemd's averages (30.44 and 365.25 days).
const UNITS: &[(&[&str], f64)] = &[
    (&["us", "usec", "µs"], 1.0),
    (&["ms", "msec"], 1e3),
    (&["s", "sec", "second", "seconds"], 1e6),
    (&["m", "min", "minute", "minutes"], 60e6),
    (&["h", "hr", "hour", "hours"], 3600e6),
    (&["d", "day", "days"], 86_400e6),
    (&["w", "week", "weeks"], 604_800e6),
    (&["M", "month", "months"], 2_629_800e6),
    (&["y", "year", "years"], 31_557_600e6),
];

/// The span `text` names, in µs.
pub fn parse(text: &str) -> Result<u64, String> {
    let bad =
        || format!("'{text}' is not a duration: write e.g. 30s, 10min, 1h, 1h 30min, 7d or 2w");
    let compact: String = text.split_whitespace().collect();
    if compact.is_empty() {
        return Err(bad());
    }
    let mut total = 0.0;
    let mut rest = compact.as_str();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let word = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..word] {
            "" => 1e6,
            w => UNITS
                .iter()
                .find(|(words, _)| words.contains(&w))
                .map(|(_, f)| *f)
                .ok_or_else(bad)?,
        };
        rest = &rest[word..];
        total += number * factor;
    }
    if !total.is_finite() || total > u64::MAX as f64 / 2.0 {
        return Err(bad());
    }
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn durations_read_like_systemds() {
        assert_eq!(parse("90"), Ok(90_000_000));
        assert_eq!(parse("1.5s"), Ok(1_500_000));
        assert_eq!(parse("500ms"), Ok(500_000));
        assert_eq!(parse("10min"), Ok(600_000_000));
        assert_eq!(parse("1h 30min"), Ok(5_400_000_000));
        assert_eq!(parse("1h30min"), Ok(5_400_000_000));
        assert_eq!(parse("7d"), Ok(604_800_000_000));
        assert_eq!(parse("1w"), Ok(604_800_000_000));
        assert_eq!(parse("2 weeks"), Ok(1_209_600_000_000));
        assert_eq!(parse("1M"), Ok(2_629_800_000_000));
        assert_eq!(parse("1m"), Ok(60_000_000));
        assert!(parse("soon").is_err());
        assert!(parse("").is_err());
        assert!(parse("5 parsecs").is_err());
        assert!(parse("1e400y").is_err());
    }
}
