//! The files source: captured tables named on the command line (`-` is
//! standard input), each counted under the family of its rows, read again
//! for every sample.

use std::path::Path;

use super::Reader;
use crate::failure::Failure;
use crate::sample::{Origin, Sample};

impl Reader {
    /// Refills `sample` from the tables at `paths`.
    pub(super) fn files(
        &mut self,
        paths: &[std::path::PathBuf],
        sample: &mut Sample,
    ) -> Result<(), Failure> {
        sample.clear(Origin::Files(paths.to_vec()));
        for path in paths {
            self.count_file(path, sample)?;
        }
        Ok(())
    }

    /// Adds the table at `path` to `sample`, under the family of its rows.
    fn count_file(&mut self, path: &Path, sample: &mut Sample) -> Result<(), Failure> {
        let (family, counts) = self.count_path(path, sample)?;
        if let Some(family) = family {
            *sample.tables.family_mut(family) += counts;
        }
        Ok(())
    }
}
