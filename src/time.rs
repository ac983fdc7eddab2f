//! RFC 3339 formatting and parsing of Unix times (UTC only).

use std::time::Duration;

use der::DateTime;

/// 9999-12-31T23:59:59Z, the last instant X.509 can express (GeneralizedTime has four digits).
const MAX_TIME: u64 = 253_402_300_799;

/// `2021-03-14T02:38:27Z` for a Unix time (out-of-range values are clamped to 9999-12-31).
pub fn rfc3339(unix: u64) -> String {
    DateTime::from_unix_duration(Duration::from_secs(unix))
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "9999-12-31T23:59:59Z".to_string())
}

/// Parse `YYYY-MM-DDTHH:MM:SSZ` (also with a `+00:00` offset, a space for `T`, or fractional
/// seconds, which are dropped) or `@UNIX` into Unix seconds.
pub fn parse_time(s: &str) -> Option<u64> {
    if let Some(n) = s.strip_prefix('@') {
        // no later than 9999-12-31T23:59:59Z, the last instant a certificate can name
        return n.parse().ok().filter(|t| *t <= MAX_TIME);
    }
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = frac.get(digits..)?;
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let (sign, hm) = match rest.as_bytes().first()? {
                b'+' => (1, rest.get(1..)?),
                b'-' => (-1, rest.get(1..)?),
                _ => return None,
            };
            let (h, m) = hm.split_once(':')?;
            if h.len() != 2
                || m.len() != 2
                || !(h.bytes().chain(m.bytes())).all(|c| c.is_ascii_digit())
            {
                return None;
            }
            let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
            // RFC 3339 time-numoffset: hours 00-23, minutes 00-59
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let dt = DateTime::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        u8::try_from(hour).ok()?,
        u8::try_from(min).ok()?,
        u8::try_from(sec).ok()?,
    )
    .ok()?;
    let secs = i64::try_from(dt.unix_duration().as_secs()).ok()? - offset;
    u64::try_from(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(rfc3339(1615689507), "2021-03-14T02:38:27Z");
        assert_eq!(parse_time("2021-03-14T02:38:27Z"), Some(1615689507));
        assert_eq!(parse_time("@1615689507"), Some(1615689507));
        assert_eq!(parse_time("@253402300799"), Some(253402300799));
        assert_eq!(parse_time("@253402300800"), None);
        assert_eq!(parse_time("2021-03-14T02:38:27+99:99"), None);
        assert_eq!(parse_time("2021-03-14T02:38:27+24:00"), None);
        assert_eq!(parse_time("2021-03-14T02:38:27-0a:00"), None);
        assert_eq!(parse_time("2021-03-14T15:37:27+13:00"), Some(1615689447));
        assert_eq!(parse_time("@9223372036854775808"), None);
        assert_eq!(parse_time("2021-03-14T03:38:27+01:00"), Some(1615689507));
        assert_eq!(parse_time("2021-03-14T02:38:27.5Z"), Some(1615689507));
        assert_eq!(parse_time("2021-02-30T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("@-5"), None);
    }
}
