//! Dates of the `Date…` condition operators: ISO 8601 (`2024-05-01`,
//! `2024-05-01T12:00:00Z`, with fractional seconds or a `±hh:mm` offset) or epoch seconds,
//! as seconds since 1970-01-01T00:00:00Z.

/// Seconds since the Unix epoch, or `None` when `text` is not a date IAM accepts.
pub(crate) fn parse(text: &str) -> Option<f64> {
    let text = text.trim();
    let epoch_like = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && !text[1..].contains('-');
    if epoch_like {
        return text.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year: i64 = digits(parts.next()?, 4)?;
    let month: i64 = digits(parts.next()?, 2)?;
    let day: i64 = digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = (days_from_civil(year, month, day) * 86_400) as f64;
    if let Some(time) = time {
        let (clock, offset) = split_zone(time)?;
        let mut fields = clock.split(':');
        let hour: i64 = digits(fields.next()?, 2)?;
        let minute: i64 = digits(fields.next()?, 2)?;
        let second: f64 = match fields.next() {
            Some(s) => {
                let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
                let whole: i64 = digits(whole, 2)?;
                if !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                format!("{whole}.{frac}0").parse().ok()?
            }
            None => 0.0,
        };
        if fields.next().is_some() || hour > 24 || minute > 59 || second >= 61.0 {
            return None;
        }
        seconds += (hour * 3600 + minute * 60 - offset) as f64 + second;
    }
    Some(seconds)
}

/// Split `12:00:00+02:00` into the clock and the offset in seconds east of UTC.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    match time.rfind(['+', '-']) {
        Some(at) => {
            let (clock, zone) = time.split_at(at);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zone = zone[1..].replace(':', "");
            if zone.len() != 4 || !zone.is_ascii() {
                return None;
            }
            let hours: i64 = digits(&zone[..2], 2)?;
            let minutes: i64 = digits(&zone[2..], 2)?;
            Some((clock, sign * (hours * 3600 + minutes * 60)))
        }
        None => Some((time, 0)),
    }
}

fn digits(text: &str, len: usize) -> Option<i64> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn forms() {
        assert_eq!(parse("1970-01-01"), Some(0.0));
        assert_eq!(parse("2024-05-01T00:00:00Z"), Some(1_714_521_600.0));
        assert_eq!(parse("2024-05-01T02:00:00+02:00"), Some(1_714_521_600.0));
        assert_eq!(parse("2024-05-01T02:00:00+0200"), Some(1_714_521_600.0));
        assert_eq!(parse("2024-04-30T22:00:00-02:00"), Some(1_714_521_600.0));
        assert_eq!(parse("2024-05-01T00:00:00.5Z"), Some(1_714_521_600.5));
        assert_eq!(parse("2024-05-01T00:00Z"), Some(1_714_521_600.0));
        assert_eq!(parse("1714521600"), Some(1_714_521_600.0));
        assert_eq!(parse("2024-02-29"), Some(1_709_164_800.0));
        assert_eq!(parse("2023-02-29"), None);
        assert_eq!(parse("2024-13-01"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("-"), None);
        assert_eq!(parse("2024-05-01T00:00:00+2"), None);
        assert_eq!(parse("2024-05-01T00:00:00+aé1"), None);
    }
}
