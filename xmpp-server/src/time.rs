//! Wall-clock time as the host passes it in: [`Timestamp`], and its XEP-0082 form.

use std::fmt;

/// A wall-clock instant: milliseconds since the Unix epoch (UTC), as read by the
/// host. The router never reads a clock; it only copies this value into delay
/// stamps (XEP-0203) of offline messages.
///
/// ```
/// use xmpp_server::Timestamp;
/// let t = Timestamp::from_unix_millis(1_031_699_305_000);
/// assert_eq!(t.to_xep0082(), "2002-09-10T23:08:25.000Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix_millis(millis: u64) -> Timestamp {
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> u64 {
        self.0
    }

    /// The XEP-0082 `DateTime` profile in UTC with milliseconds:
    /// `CCYY-MM-DDThh:mm:ss.sssZ`.
    pub fn to_xep0082(self) -> String {
        let millis = self.0 % 1000;
        let secs = self.0 / 1000;
        let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
        let (year, month, day) = civil_from_days(secs / 86_400);
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{millis:03}Z")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_xep0082())
    }
}

/// The proleptic Gregorian date of day `days` after 1970-01-01 (H. Hinnant's
/// `civil_from_days`, restricted to non-negative day counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(
            Timestamp::from_unix_millis(0).to_xep0082(),
            "1970-01-01T00:00:00.000Z"
        );
        // Leap day and a millisecond part.
        assert_eq!(
            Timestamp::from_unix_millis(951_782_400_123).to_xep0082(),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(1_709_251_199_999).to_xep0082(),
            "2024-02-29T23:59:59.999Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(4_102_444_800_000).to_xep0082(),
            "2100-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn never_panics_at_the_end_of_time() {
        assert!(
            Timestamp::from_unix_millis(u64::MAX)
                .to_xep0082()
                .ends_with('Z')
        );
    }
}
