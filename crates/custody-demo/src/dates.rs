//! The demo's calendar: Berlin summer times of 2022 as Unix seconds, computed
//! at compile time so the catalog's dates are constants.

/// Unix seconds of an August 2022 Berlin time (CEST, UTC+2).
pub const fn aug(day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    cest(8, day, hour, minute, second)
}

/// Unix seconds of a September 2022 Berlin time (CEST, UTC+2).
pub const fn sep(day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    cest(9, day, hour, minute, second)
}

const fn cest(month: i64, day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    days_from_civil(2022, month, day) * 86_400 + (hour - 2) * 3_600 + minute * 60 + second
}

/// Days from 1970-01-01 to a Gregorian date (Howard Hinnant's `days_from_civil`).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
