//! The naive reference reading of a conntrack table (`/proc/net/nf_conntrack`,
//! the legacy `/proc/net/ip_conntrack`, or `conntrack -L -o extended` text)
//! and of the listings captured beside the fixtures (`oracle.txt`,
//! `expected.txt`): split each line on whitespace; the family is the first
//! word (a legacy line starts with the protocol and is IPv4), the protocol
//! the next name, the tcp state the word after the timeout unless an offload
//! flag says otherwise. Counts are keyed as the listings write them:
//! `FAMILY KIND NAME`, e.g. `ipv4 state ESTABLISHED`.

use std::collections::BTreeMap;

/// Non-zero counts keyed `FAMILY KIND NAME` (`KIND` is `state`, `protocol`
/// or `flag`), as in the `oracle.txt` files.
pub type Listing = BTreeMap<String, u32>;

/// The tcp state words `conntrack` prints; any other is counted as `UNKNOWN`.
pub const STATES: [&str; 10] = [
    "NONE",
    "SYN_SENT",
    "SYN_RECV",
    "ESTABLISHED",
    "FIN_WAIT",
    "CLOSE_WAIT",
    "LAST_ACK",
    "TIME_WAIT",
    "CLOSE",
    "SYN_SENT2",
];

/// Counts the entries of a conntrack table, one per line: `None` if a line
/// is too short to hold a family, a protocol and (for tcp) a state.
pub fn conntrack(text: &str) -> Option<Listing> {
    let mut out = Listing::new();
    let mut add = |family: &str, kind: &str, name: &str| {
        *out.entry(format!("{family} {kind} {name}")).or_default() += 1;
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (family, rest) = match *words.first()? {
            family @ ("ipv4" | "ipv6") => (family, words.get(2..)?),
            _ => ("ipv4", &words[..]),
        };
        let protocol = match *rest.first()? {
            p @ ("tcp" | "udp" | "icmp" | "icmpv6") => p,
            _ => "other",
        };
        add(family, "protocol", protocol);
        for flag in ["UNREPLIED", "ASSURED"] {
            if words.contains(&format!("[{flag}]").as_str()) {
                add(family, "flag", flag);
            }
        }
        if protocol == "tcp" {
            let state = if words.contains(&"[HW_OFFLOAD]") {
                "HW_OFFLOAD"
            } else if words.contains(&"[OFFLOAD]") {
                "OFFLOAD"
            } else {
                let word = *rest.get(3)?;
                if STATES.contains(&word) {
                    word
                } else {
                    "UNKNOWN"
                }
            };
            add(family, "state", state);
        }
    }
    Some(out)
}

/// Adds the non-zero `counts` of one `family` and `kind` to `out`, keyed as
/// a listing writes them: how a test lists the counts it checks.
pub fn list<'a>(
    out: &mut Listing,
    family: &str,
    kind: &str,
    counts: impl IntoIterator<Item = (&'a str, u32)>,
) {
    for (name, n) in counts {
        if n > 0 {
            out.insert(format!("{family} {kind} {name}"), n);
        }
    }
}

/// Reads a listing, `FAMILY KIND NAME COUNT` a line, `#` starting a comment
/// line: `None` if a line does not end in a count.
pub fn listing(text: &str) -> Option<Listing> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (key, n) = l.rsplit_once(' ')?;
            Some((key.to_owned(), n.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn counts_families_protocols_flags_and_states() {
        let text = "\
ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED] mark=0 use=2
ipv6     10 udp      17 29 src=::1 dst=::1 sport=1 dport=2 [UNREPLIED] src=::1 dst=::1 sport=2 dport=1 use=1
ipv4     2 tcp      6 10 WEIRD src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2 [OFFLOAD] use=1
ipv4     2 tcp      6 10 BOGUS src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2 use=1
tcp      6 431999 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED] use=1
ipv4     2 gre      47 10 src=1.2.3.4 use=1
";
        let want = listing(
            "# comment\n\
             ipv4 protocol tcp 4\nipv4 protocol other 1\nipv6 protocol udp 1\n\
             ipv4 flag ASSURED 1\nipv4 flag UNREPLIED 1\nipv6 flag UNREPLIED 1\n\
             ipv4 state ESTABLISHED 1\nipv4 state OFFLOAD 1\nipv4 state UNKNOWN 1\n\
             ipv4 state SYN_SENT 1",
        );
        assert_eq!(conntrack(text), want);
        assert_eq!(want.map(|w| w.values().sum::<u32>()), Some(13));
    }

    #[test]
    fn lists_only_what_is_not_zero() {
        let mut out = Listing::new();
        list(&mut out, "ipv6", "flag", [("ASSURED", 0), ("UNREPLIED", 3)]);
        assert_eq!(out, listing("ipv6 flag UNREPLIED 3").unwrap());
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert_eq!(conntrack("\n"), None);
        assert_eq!(conntrack("ipv4 2"), None);
        assert_eq!(conntrack("ipv4 2 tcp 6 10"), None);
        assert_eq!(listing("ipv4 state ESTABLISHED x"), None);
        assert_eq!(listing("nospace"), None);
    }
}
