//! What identifies a user, a machine or a moment, and how to find it in a
//! core's output.
//!
//! The specification forbids a core to embed personally identifiable
//! information: output is "structure only". A careless core writes the
//! user's login, home directory, host name, process id or the time into
//! its payloads, as text or as a binary number. Each child check reports
//! these facts about itself ([`Facts`], one `I` line each); the verifier
//! then looks for them in the outputs of small inputs, where a few bytes
//! of identity cannot hide among megabytes of chance matches, and in the
//! bytes where the outputs of two different processes differ.

use std::fmt;
use std::ops::RangeInclusive;
use std::time::{SystemTime, UNIX_EPOCH};

/// One kind of identifying fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The login name (the password database's, `$USER`, `$LOGNAME`).
    User,
    /// The home directory.
    Home,
    /// The host name.
    Host,
    /// The process id.
    Pid,
    /// Seconds since the epoch.
    Seconds,
    /// Milliseconds since the epoch.
    Milliseconds,
    /// Minutes since the epoch.
    Minutes,
    /// Hours since the epoch.
    Hours,
    /// Days since the epoch.
    Days,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::User,
        Kind::Home,
        Kind::Host,
        Kind::Pid,
        Kind::Seconds,
        Kind::Milliseconds,
        Kind::Minutes,
        Kind::Hours,
        Kind::Days,
    ];

    fn key(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Home => "home",
            Kind::Host => "host",
            Kind::Pid => "pid",
            Kind::Seconds => "seconds",
            Kind::Milliseconds => "milliseconds",
            Kind::Minutes => "minutes",
            Kind::Hours => "hours",
            Kind::Days => "days",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::User => "the user name",
            Kind::Home => "the home directory",
            Kind::Host => "the host name",
            Kind::Pid => "the process id",
            Kind::Seconds => "the time (seconds since the epoch)",
            Kind::Milliseconds => "the time (milliseconds since the epoch)",
            Kind::Minutes => "the time (minutes since the epoch)",
            Kind::Hours => "the time (hours since the epoch)",
            Kind::Days => "the date (days since the epoch)",
        })
    }
}

/// How a fact can be written into bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// As text (ASCII or UTF-8; numbers in decimal).
    Text,
    /// As UTF-16, little-endian (strings only).
    Utf16,
    /// A 16-bit number, little-endian.
    U16Le,
    /// A 16-bit number, big-endian.
    U16Be,
    /// A 32-bit number, little-endian.
    U32Le,
    /// A 32-bit number, big-endian.
    U32Be,
    /// A 64-bit number, little-endian.
    U64Le,
    /// A 64-bit number, big-endian.
    U64Be,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Text => "as text",
            Encoding::Utf16 => "as UTF-16 text",
            Encoding::U16Le => "16-bit little-endian",
            Encoding::U16Be => "16-bit big-endian",
            Encoding::U32Le => "32-bit little-endian",
            Encoding::U32Be => "32-bit big-endian",
            Encoding::U64Le => "64-bit little-endian",
            Encoding::U64Be => "64-bit big-endian",
        })
    }
}

impl Kind {
    /// The encodings a fact of this kind is looked for in. A number is
    /// looked for in 16 bits only when it fits (days since the epoch), and
    /// then only in tiny outputs ([`TINY_OUTPUT`]): two bytes match by
    /// chance once in every 32 KiB.
    fn encodings(self) -> &'static [Encoding] {
        use Encoding::*;
        match self {
            Kind::User | Kind::Home | Kind::Host => &[Text, Utf16],
            Kind::Days => &[Text, U16Le, U16Be, U32Le, U32Be, U64Le, U64Be],
            _ => &[Text, U32Le, U32Be, U64Le, U64Be],
        }
    }
}

/// Only the outputs of inputs up to this size are searched: identity
/// written into every payload shows in them, and their outputs are small
/// enough that a 32-bit number does not match by chance.
pub const SCANNED_INPUT: usize = 4096;

/// Outputs up to this long are searched for 16-bit numbers.
pub const TINY_OUTPUT: usize = 64;

/// A fact's value: some strings, or the numbers it may have had while the
/// process ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Any of these strings.
    Text(Vec<Vec<u8>>),
    /// Any number in this range.
    Number(RangeInclusive<u64>),
}

/// The identifying facts of one process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    entries: Vec<(Kind, Value)>,
}

/// Strings shorter than this are not looked for: two letters occur by
/// chance.
const MIN_TEXT: usize = 3;

/// The smallest number worth looking for: smaller ones are everywhere.
const MIN_NUMBER: u64 = 256;

impl Facts {
    /// The facts of this process, for a run that started at `started`
    /// (seconds since the epoch) and ends now.
    pub fn of_this_process(started: u64) -> Facts {
        let now = unix_seconds();
        let mut facts = Facts::default();
        let mut users = Vec::new();
        let mut homes = Vec::new();
        if let Ok(Some(user)) = nix::unistd::User::from_uid(nix::unistd::getuid()) {
            users.push(user.name.into_bytes());
            homes.push(user.dir.into_os_string().into_encoded_bytes());
        }
        let variable = |name: &str| std::env::var_os(name).map(|v| v.into_encoded_bytes());
        users.extend(variable("USER"));
        users.extend(variable("LOGNAME"));
        homes.extend(variable("HOME"));
        // "/" is in every path a core might write; it identifies no one.
        homes.retain(|h| h.as_slice() != b"/");
        let host = nix::unistd::gethostname()
            .ok()
            .map(|h| h.into_encoded_bytes());
        facts.push_text(Kind::User, users);
        facts.push_text(Kind::Home, homes);
        facts.push_text(Kind::Host, host.into_iter().collect());
        let pid = u64::from(std::process::id());
        facts.push_number(Kind::Pid, pid..=pid);
        // A few seconds of slack either side: a core may read the clock
        // once at load, before the run's first reading.
        let (from, to) = (started.saturating_sub(5), now + 5);
        facts.push_number(Kind::Seconds, from..=to);
        facts.push_number(Kind::Milliseconds, from * 1000..=to * 1000 + 999);
        facts.push_number(Kind::Minutes, from / 60..=to / 60);
        facts.push_number(Kind::Hours, from / 3600..=to / 3600);
        facts.push_number(Kind::Days, from / 86_400..=to / 86_400);
        facts
    }

    fn push_text(&mut self, kind: Kind, mut values: Vec<Vec<u8>>) {
        values.retain(|v| v.len() >= MIN_TEXT);
        values.sort();
        values.dedup();
        if !values.is_empty() {
            self.entries.push((kind, Value::Text(values)));
        }
    }

    fn push_number(&mut self, kind: Kind, range: RangeInclusive<u64>) {
        if *range.start() >= MIN_NUMBER {
            self.entries.push((kind, Value::Number(range)));
        }
    }

    /// The facts as protocol lines (`KEY VALUE`, text in hex).
    pub fn to_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (kind, value) in &self.entries {
            match value {
                Value::Text(list) => {
                    for text in list {
                        lines.push(format!("{} text {}", kind.key(), hex(text)));
                    }
                }
                Value::Number(range) => {
                    lines.push(format!(
                        "{} number {} {}",
                        kind.key(),
                        range.start(),
                        range.end()
                    ));
                }
            }
        }
        lines
    }

    /// Adds one line written by [`to_lines`](Self::to_lines); ignores
    /// lines it cannot read.
    pub fn add_line(&mut self, line: &str) {
        let mut words = line.split(' ');
        let (Some(key), Some(form)) = (words.next(), words.next()) else {
            return;
        };
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.key() == key) else {
            return;
        };
        match form {
            "text" => {
                if let Some(text) = words.next().and_then(unhex) {
                    if let Some((_, Value::Text(list))) =
                        self.entries.iter_mut().find(|(k, _)| *k == kind)
                    {
                        list.push(text);
                    } else {
                        self.entries.push((kind, Value::Text(vec![text])));
                    }
                }
            }
            "number" => {
                let numbers: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
                if let [from, to] = numbers[..] {
                    self.entries.push((kind, Value::Number(from..=to)));
                }
            }
            _ => {}
        }
    }

    /// Where in `bytes` a fact of `kind` is written, and how: the first
    /// match, or `None`.
    pub fn find(&self, kind: Kind, bytes: &[u8]) -> Option<(usize, Encoding)> {
        (0..bytes.len()).find_map(|at| self.match_at(kind, bytes, at).map(|e| (at, e)))
    }

    /// Whether a fact of `kind` starts at `at` in `bytes`, and how (in
    /// 16 bits only in a tiny output).
    pub fn match_at(&self, kind: Kind, bytes: &[u8], at: usize) -> Option<Encoding> {
        self.match_at_sized(kind, bytes, at, bytes.len() <= TINY_OUTPUT)
    }

    /// [`match_at`](Self::match_at), with 16-bit numbers looked for
    /// whatever the output's size when `short_numbers`.
    fn match_at_sized(
        &self,
        kind: Kind,
        bytes: &[u8],
        at: usize,
        short_numbers: bool,
    ) -> Option<Encoding> {
        let tiny = short_numbers;
        self.entries
            .iter()
            .filter(|(k, _)| *k == kind)
            .find_map(|(_, value)| {
                kind.encodings()
                    .iter()
                    .copied()
                    .filter(|e| tiny || !matches!(e, Encoding::U16Le | Encoding::U16Be))
                    .find(|&e| encoded_at(value, bytes, at, e))
            })
    }

    /// The kinds this process has facts of.
    pub fn kinds(&self) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = self.entries.iter().map(|(k, _)| *k).collect();
        kinds.dedup();
        kinds
    }

    /// Whether `encoding` of a fact of `kind` starts at `at` in `bytes`.
    pub fn matches_with(&self, kind: Kind, bytes: &[u8], at: usize, encoding: Encoding) -> bool {
        self.entries
            .iter()
            .filter(|(k, _)| *k == kind)
            .any(|(_, value)| encoded_at(value, bytes, at, encoding))
    }
}

/// Seconds since the epoch, now.
pub fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn encoded_at(value: &Value, bytes: &[u8], at: usize, encoding: Encoding) -> bool {
    let rest = &bytes[at.min(bytes.len())..];
    match value {
        Value::Text(list) => list.iter().any(|text| match encoding {
            Encoding::Text => rest.starts_with(text),
            Encoding::Utf16 => {
                rest.len() >= text.len() * 2
                    && text
                        .iter()
                        .zip(rest.chunks_exact(2))
                        .all(|(&c, pair)| pair == [c, 0])
            }
            _ => false,
        }),
        Value::Number(range) => {
            let number = match encoding {
                Encoding::Text => {
                    // A whole decimal number: not the tail of a longer one.
                    if at > 0 && bytes[at - 1].is_ascii_digit() {
                        return false;
                    }
                    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                    if digits == 0 || digits > 19 {
                        return false;
                    }
                    std::str::from_utf8(&rest[..digits])
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                }
                Encoding::Utf16 => None,
                Encoding::U16Le => rest
                    .first_chunk::<2>()
                    .map(|b| u64::from(u16::from_le_bytes(*b))),
                Encoding::U16Be => rest
                    .first_chunk::<2>()
                    .map(|b| u64::from(u16::from_be_bytes(*b))),
                Encoding::U32Le => rest
                    .first_chunk::<4>()
                    .map(|b| u64::from(u32::from_le_bytes(*b))),
                Encoding::U32Be => rest
                    .first_chunk::<4>()
                    .map(|b| u64::from(u32::from_be_bytes(*b))),
                Encoding::U64Le => rest.first_chunk::<8>().map(|b| u64::from_le_bytes(*b)),
                Encoding::U64Be => rest.first_chunk::<8>().map(|b| u64::from_be_bytes(*b)),
            };
            number.is_some_and(|n| range.contains(&n))
        }
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of lower- or upper-case hexadecimal; `None` if it is not.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What scanning found: a fact of `kind`, written `encoding`, in the
/// output of `input` at `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sighting {
    /// What was found.
    pub kind: Kind,
    /// How it was written.
    pub encoding: Encoding,
    /// In the output of which input.
    pub input: String,
    /// Where.
    pub offset: usize,
}

/// How many different outputs must hold a fact before it counts: one
/// could be chance, the same fact in several small outputs is not.
pub const SIGHTINGS_NEEDED: usize = 3;

/// Looks for every fact in the outputs of small inputs, skipping outputs
/// whose input itself holds the fact (a stored core copies its input). A
/// kind counts when [`SIGHTINGS_NEEDED`] outputs hold it; returns the
/// first sighting of each kind that counts.
pub fn scan<'a>(
    facts: &Facts,
    outputs: impl Iterator<Item = (&'a str, &'a [u8], &'a [u8])>,
) -> Vec<Sighting> {
    let outputs: Vec<_> = outputs.collect();
    let mut found = Vec::new();
    for kind in facts.kinds() {
        let sightings: Vec<Sighting> = outputs
            .iter()
            .filter(|(_, input, _)| facts.find(kind, input).is_none())
            .filter_map(|(name, _, output)| {
                facts.find(kind, output).map(|(offset, encoding)| Sighting {
                    kind,
                    encoding,
                    input: name.to_string(),
                    offset,
                })
            })
            .collect();
        if sightings.len() >= SIGHTINGS_NEEDED {
            found.push(sightings[0].clone());
        }
    }
    found
}

/// Where two outputs differ: the offset of the first differing byte and
/// the lengths of the differing middles (what is left of each once their
/// common start and common end are taken away).
pub fn differing_middle(a: &[u8], b: &[u8]) -> (usize, usize, usize) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    (prefix, a.len() - prefix - suffix, b.len() - prefix - suffix)
}

/// Whether the difference between `a` (from a process with facts
/// `facts_a`) and `b` (from one with `facts_b`) is each process writing
/// its own fact of some kind at the same place; the kind, encoding and
/// offset if so.
pub fn explain(
    a: &[u8],
    facts_a: &Facts,
    b: &[u8],
    facts_b: &Facts,
) -> Option<(Kind, Encoding, usize)> {
    let (start, _, _) = differing_middle(a, b);
    // An encoding that covers the first differing byte starts at most 19
    // bytes before it (a 19-digit number) and at most at it.
    let first = start.saturating_sub(19);
    // Two processes each writing their own value at the same place is no
    // chance match, so 16-bit numbers count here in any output.
    for kind in facts_a.kinds() {
        for at in first..=start.min(a.len()) {
            if let Some(encoding) = facts_a.match_at_sized(kind, a, at, true)
                && facts_b.matches_with(kind, b, at, encoding)
            {
                return Some((kind, encoding, at));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(pid: u64, host: &str, seconds: u64) -> Facts {
        let mut f = Facts::default();
        f.push_number(Kind::Pid, pid..=pid);
        f.push_text(Kind::Host, vec![host.as_bytes().to_vec()]);
        f.push_number(Kind::Seconds, seconds..=seconds + 3);
        f.push_number(Kind::Days, seconds / 86_400..=seconds / 86_400);
        f
    }

    #[test]
    fn facts_survive_their_lines() {
        let a = facts(4321, "builder-7", 1_767_225_600);
        let mut b = Facts::default();
        for line in a.to_lines() {
            b.add_line(&line);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn numbers_and_names_are_found_in_every_encoding() {
        let f = facts(4321, "builder-7", 1_767_225_600);
        let mut out = b"xx".to_vec();
        out.extend_from_slice(&4321u32.to_be_bytes());
        assert_eq!(f.find(Kind::Pid, &out), Some((2, Encoding::U32Be)));
        assert_eq!(
            f.find(Kind::Seconds, b"t=1767225602;"),
            Some((2, Encoding::Text))
        );
        // Not the tail of a longer number.
        assert_eq!(f.find(Kind::Seconds, b"91767225602"), None);
        assert_eq!(
            f.find(Kind::Host, b"..builder-7.."),
            Some((2, Encoding::Text))
        );
        let utf16: Vec<u8> = "builder-7".bytes().flat_map(|b| [b, 0]).collect();
        assert_eq!(f.find(Kind::Host, &utf16), Some((0, Encoding::Utf16)));
        assert_eq!(
            f.find(Kind::Days, &20_454u16.to_be_bytes()),
            Some((0, Encoding::U16Be))
        );
    }

    #[test]
    fn a_fact_counts_only_in_several_outputs_whose_inputs_lack_it() {
        let f = facts(4321, "builder-7", 1_767_225_600);
        let with = b"RLEbuilder-7".to_vec();
        let empty: &[u8] = b"";
        let twice = [("a", empty, &with[..]), ("b", empty, &with[..])];
        assert!(scan(&f, twice.iter().copied()).is_empty());
        let thrice = [
            ("a", empty, &with[..]),
            ("b", empty, &with[..]),
            ("c", empty, &with[..]),
        ];
        assert_eq!(scan(&f, thrice.iter().copied())[0].kind, Kind::Host);
        // The input holds the name: a stored core may copy it.
        let copied = [
            ("a", &with[..], &with[..]),
            ("b", &with[..], &with[..]),
            ("c", &with[..], &with[..]),
        ];
        assert!(scan(&f, copied.iter().copied()).is_empty());
    }

    #[test]
    fn a_difference_is_explained_by_each_process_writing_its_own_pid() {
        let (fa, fb) = (facts(70_001, "h", 1_000_000), facts(70_412, "h", 1_000_000));
        let out = |pid: u32| {
            let mut v = vec![1, 2, 3];
            v.extend_from_slice(&pid.to_le_bytes());
            v.extend_from_slice(b"payload");
            v
        };
        assert_eq!(
            explain(&out(70_001), &fa, &out(70_412), &fb),
            Some((Kind::Pid, Encoding::U32Le, 3))
        );
        assert_eq!(explain(&out(70_001), &fa, &out(70_413), &fb), None);
        assert_eq!(differing_middle(b"abcXYdef", b"abcZdef"), (3, 2, 1));
    }
}
