//! `/proc/net/tcp` and `/proc/net/tcp6`, bottom up: [`layout`] names the
//! columns, [`swar`] checks fixed-width bytes a word at a time, [`row`] parses
//! one line into a [`Row`], and [`parser`] turns chunks into lines and lines
//! into counts. Each module imports only those before it.

pub(crate) mod layout;
pub(crate) mod parser;
pub(crate) mod row;
pub(crate) mod swar;

pub use layout::{Family, Field, LINE_CAPACITY};
pub use parser::Parser;
pub use row::Row;
