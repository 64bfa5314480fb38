//! The netlink transport `netlink.rs` (sock_diag) and `ctnetlink.rs`
//! (conntrack) share: the `nlmsghdr` layout and a dump request's header,
//! host-order field access, and [`dump`], the one function that opens a
//! netlink socket, sends a request and reads the replies through the
//! caller's buffer; it holds all of the two sources' `unsafe`. Every
//! constant and call comes from `libc`, so it is right on every
//! architecture.

use std::io;
use std::mem::size_of;
use std::ops::Range;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// How long [`dump`] waits for each datagram before giving up, in
/// milliseconds (a `poll` timeout: no `timeval`, whose layout varies with
/// the C library's time size).
pub const RECV_TIMEOUT_MS: libc::c_int = 10_000;
/// The sequence number of our one request.
const SEQUENCE: u32 = 1;

/// Byte offsets of `struct nlmsghdr` (host byte order).
pub mod header {
    use std::ops::Range;
    /// nlmsg_len: length of the message, header included.
    pub const LEN: Range<usize> = 0..4;
    /// nlmsg_type.
    pub const KIND: Range<usize> = 4..6;
    /// nlmsg_flags.
    pub const FLAGS: Range<usize> = 6..8;
    /// nlmsg_seq.
    pub const SEQ: Range<usize> = 8..12;
    /// Size of the header.
    pub const SIZE: usize = 16;
}

const _: () = assert!(size_of::<libc::nlmsghdr>() == header::SIZE);

/// Writes the `nlmsghdr` of a dump request of type `kind` at the start of
/// `request`, whose whole length is the message's.
pub fn put_dump_header(request: &mut [u8], kind: u16) {
    let len = u32::try_from(request.len()).unwrap_or(u32::MAX);
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    put(request, header::LEN, &len.to_ne_bytes());
    put(request, header::KIND, &kind.to_ne_bytes());
    put(request, header::FLAGS, &flags.to_ne_bytes());
    put(request, header::SEQ, &SEQUENCE.to_ne_bytes());
}

/// Opens a netlink socket of `protocol`, sends `request` and shows each
/// datagram of the reply to `read` until it returns true (the dump is done).
/// Waits at most [`RECV_TIMEOUT_MS`] for each datagram; a datagram larger
/// than `buffer` is an error, never cut short; EINTR is returned (the caller
/// decides whether a signal means stop).
pub fn dump<E: From<io::Error>>(
    protocol: libc::c_int,
    request: &[u8],
    buffer: &mut [u8],
    mut read: impl FnMut(&[u8]) -> Result<bool, E>,
) -> Result<(), E> {
    // SAFETY: plain syscall with constant arguments; the result is checked.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            protocol,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error().into());
    }
    // SAFETY: `fd` is a socket we just opened and own; OwnedFd closes it.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: the pointer and length describe `request`, alive for the call.
    let sent = unsafe { libc::send(fd.as_raw_fd(), request.as_ptr().cast(), request.len(), 0) };
    if sent < 0 {
        return Err(io::Error::last_os_error().into());
    }
    loop {
        if read(receive(&fd, buffer)?)? {
            return Ok(());
        }
    }
}

/// Waits for the next datagram on `fd` and receives it whole into `buffer`.
fn receive<'b>(fd: &OwnedFd, buffer: &'b mut [u8]) -> io::Result<&'b [u8]> {
    let mut ready = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, alive for the call.
    let polled = unsafe { libc::poll(&raw mut ready, 1, RECV_TIMEOUT_MS) };
    if polled < 0 {
        return Err(io::Error::last_os_error());
    }
    if polled == 0 {
        return Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no reply from the kernel within {RECV_TIMEOUT_MS} ms"),
        ));
    }
    // SAFETY: the pointer and length describe `buffer`, which the kernel
    // writes at most `len` bytes into; MSG_TRUNC only changes the returned
    // length to the datagram's real one.
    let got = unsafe {
        libc::recv(
            fd.as_raw_fd(),
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            libc::MSG_TRUNC,
        )
    };
    if got < 0 {
        return Err(io::Error::last_os_error());
    }
    let len = got.unsigned_abs();
    if len > buffer.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "a {len}-byte datagram does not fit the {}-byte buffer",
                buffer.len()
            ),
        ));
    }
    match buffer.get(..len) {
        Some(received) if !received.is_empty() => Ok(received),
        _ => Err(no_done()),
    }
}

/// The error of a dump that ends before NLMSG_DONE.
pub fn no_done() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "netlink dump ended without NLMSG_DONE",
    )
}

/// Copies `value` into `bytes[at]`, if it is there.
pub fn put(bytes: &mut [u8], at: Range<usize>, value: &[u8]) {
    if let Some(field) = bytes.get_mut(at) {
        field.copy_from_slice(value);
    }
}

/// The byte at `at`, zero past the end.
pub fn byte(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// The host-order u16 at `at` (zero bytes past the end).
pub fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([byte(bytes, at), byte(bytes, at + 1)])
}

/// The host-order u32 at `at` (zero bytes past the end).
pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([
        byte(bytes, at),
        byte(bytes, at + 1),
        byte(bytes, at + 2),
        byte(bytes, at + 3),
    ])
}
