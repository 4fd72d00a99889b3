//! `check`'s file location check: `HVR_FILE_LOC` can be listed, written, read and deleted
//! in, with a probe object that is deleted again.

use super::Report;
use crate::hvr::HvrEnv;
use crate::options::Options;
use crate::store::FileLocation;

pub(super) fn check(options: &Options, env: &HvrEnv, report: &mut Report) {
    let Some(location) = env.raw("HVR_FILE_LOC").filter(|l| !l.is_empty()) else {
        return report.ok(
            "files",
            "HVR_FILE_LOC is not set: the file location is not checked",
        );
    };
    let probe = format!("hvrwasmagent-check-{}.probe", std::process::id());
    let settings = match options.store_settings() {
        Ok(s) => s,
        Err(e) => return report.fail("files", e, "fix --store-config"),
    };
    let files = match FileLocation::connect(location, &settings, &probe) {
        Ok(f) => f,
        Err(e) => {
            return report.fail(
                "files",
                e,
                "check HVR_FILE_LOC, --store-endpoint and the credentials in --store-config (or the provider's variables)",
            );
        }
    };
    let place = files.describe();
    if let Err(e) = files.put(&probe, b"hvrwasmagent check probe\n") {
        return report.fail(
            "files",
            e,
            "HVR writes the files here; the credentials need the right to write (and read, list and delete)",
        );
    }
    let read = files.open(&probe).and_then(|mut r| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut r, &mut text).map_err(|e| {
            crate::store::LocationError::Settings(format!("reading the probe: {e}"))
        })?;
        Ok(text)
    });
    let listed = files.list().map(|names| names.iter().any(|n| n == &probe));
    let deleted = files.delete(&probe).and_then(|()| files.stat(&probe));
    match (read, listed, deleted) {
        (Ok(text), Ok(true), Ok(None)) if text.starts_with("hvrwasmagent check") => {
            report.ok("files", format!("{place}: list, write, read and delete work"));
        }
        (Err(e), _, _) => report.fail("files", e, "the credentials need the right to read objects"),
        (_, Err(e), _) => report.fail(
            "files",
            e,
            "the credentials need the right to list (stale-file clean-up and checks use it)",
        ),
        (_, Ok(false), _) => report.fail(
            "files",
            format!("{place}: the probe {probe} was written but is not listed"),
            "check that HVR_FILE_LOC names the folder itself, not a parent",
        ),
        (_, _, Err(e)) => report.fail(
            "files",
            format!("{e} (the probe object {probe} is left there)"),
            "the agent deletes each file once its rows are committed: grant delete (S3 s3:DeleteObject, Azure SAS 'd', GCS storage.objects.delete)",
        ),
        (_, _, Ok(Some(_))) => report.fail(
            "files",
            format!("{place}: the probe {probe} is still there after deleting it"),
            "the agent deletes each file once its rows are committed: grant delete",
        ),
        (Ok(_), Ok(true), Ok(None)) => report.fail(
            "files",
            format!("{place}: the probe read back differently"),
            "check that nothing rewrites objects in this location",
        ),
    }
}
