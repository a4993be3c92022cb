//! Writing to standard output without panicking when the reader goes away.

use std::io::{self, Write};

use crate::error::CommandError;

/// Writes `text` to standard output. A closed pipe (`stackhop plan … | head`) is not an
/// error: the reader has what it wanted.
pub(crate) fn print(text: &str) -> Result<(), CommandError> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CommandError::Stdout(e)),
        Ok(()) => Ok(()),
    }
}
