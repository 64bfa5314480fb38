//! The exit status, as a type: [`Exit`] names every outcome and
//! [`Exit::code`] is the one place that turns it into a number.

use std::process::ExitCode;

use crate::format::check::Status;

/// How the command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: counted and printed (a reader that went away counts as success,
    /// and so does a stop requested by SIGINT/SIGTERM).
    Ok,
    /// 1: a table could not be read or parsed, or the output not written.
    Failure,
    /// 2: bad command line (clap's own exit code).
    Usage,
    /// Check mode: the monitoring-plugin status (0 OK, 1 WARNING,
    /// 2 CRITICAL, 3 UNKNOWN).
    Check(Status),
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Check(Status::Ok) => 0,
            Exit::Check(Status::Warning) => 1,
            Exit::Check(Status::Critical) => 2,
            Exit::Check(Status::Unknown) => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        let cases = [
            (Exit::Ok, 0),
            (Exit::Failure, 1),
            (Exit::Usage, 2),
            (Exit::Check(Status::Ok), 0),
            (Exit::Check(Status::Warning), 1),
            (Exit::Check(Status::Critical), 2),
            (Exit::Check(Status::Unknown), 3),
        ];
        for (exit, code) in cases {
            assert_eq!(exit.code(), code, "{exit:?}");
        }
    }
}
