//! The one rule for file names HVR hands over, for every kind of location: a relative,
//! `/`-separated name that stays inside the location. A local directory follows the same rule
//! as an object store, so a `RenameExpression` that ends in a substitution cannot reach a file
//! outside `HVR_FILE_LOC` (`t/../../outside/x.csv`, `/etc/passwd`).

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
#[error("file name {name:?} {why}; names must be relative to HVR_FILE_LOC and stay inside it")]
pub struct NameError {
    pub name: String,
    pub why: &'static str,
}

/// Checks a file name from `HVR_FILE_NAMES`.
pub fn check(name: &str) -> Result<(), NameError> {
    let refuse = |why| {
        Err(NameError {
            name: name.to_string(),
            why,
        })
    };
    if name.is_empty() {
        return refuse("is empty");
    }
    if name.starts_with('/') || name.starts_with('\\') || name.contains(":\\") {
        return refuse("is absolute");
    }
    if name.contains('\0') {
        return refuse("contains a NUL character");
    }
    for part in name.split(['/', '\\']) {
        match part {
            ".." => return refuse("contains a '..' component"),
            "" => return refuse("contains an empty component ('//')"),
            "." => return refuse("contains a '.' component"),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn relative_names_inside_the_location_pass() {
        for ok in [
            "a.csv",
            "t/2024-a.csv",
            "x/y/z.csv.gz",
            "a..b.csv",
            ".hidden",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn names_that_leave_the_location_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "\\share\\x.csv",
            "C:\\x.csv",
            "..",
            "../x.csv",
            "t/../../outside/x.csv",
            "t/..",
            "a//b.csv",
            "./a.csv",
            "a\0b",
            "t\\..\\x.csv",
        ] {
            assert!(check(bad).is_err(), "{bad:?} passed");
        }
    }
}
