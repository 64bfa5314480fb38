//! Counting from the kernel's netlink sock_diag dump (`--source netlink`):
//! one dump per family through [`netlink::dump`], each socket shown to the
//! filter and the sample; a kernel without IPv6 has no IPv6 sockets.

use std::io;

use tcpcount_core::{Counts, Family, TcpSocket};

use super::{Reader, netlink};
use crate::failure::Failure;
use crate::sample::{Origin, Sample};
use crate::signals;

impl Reader {
    /// Refills `sample` from the netlink dump of this network namespace.
    pub(super) fn netlink(&mut self, sample: &mut Sample) -> Result<(), Failure> {
        sample.clear(Origin::Netlink);
        let mask = netlink::state_mask(self.filter.states.map(|s| s.mask()));
        for family in [Family::Ipv4, Family::Ipv6] {
            if self.filter.family.is_some_and(|f| f != family) {
                continue;
            }
            let mut counts = Counts::new();
            let filter = &self.filter;
            let shows = sample.shows_rows();
            let result = netlink::dump(family, mask, &mut self.buffer, |socket| {
                if filter.matches(socket) {
                    counts.add_code(socket.state_code());
                    if shows {
                        sample.visit(socket);
                    }
                }
            });
            match result {
                Err(e) if family == Family::Ipv6 && netlink::is_no_ipv6(&e) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted && signals::stop_requested() => {
                    return Err(Failure::Interrupted);
                }
                other => other.map_err(Failure::Netlink)?,
            }
            *sample.tables.family_mut(family) = counts;
        }
        Ok(())
    }
}
