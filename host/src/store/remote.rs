//! A location in a cloud store: object names are `<dir of HVR_FILE_LOC>/<file name>`. Calls
//! are blocking for the rest of the host; a small tokio runtime drives object_store inside.

use std::io::Read;
use std::sync::Arc;

use futures::TryStreamExt as _;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _};
use tokio::runtime::Runtime;

use super::FileIdentity;
use super::client::{self, StoreSettings};
use super::stream::ObjectReader;
use super::url::CloudUrl;
use super::{LocationError, STATE_DIR};

pub struct RemoteLocation {
    store: Arc<dyn ObjectStore>,
    /// Directory inside the bucket or container, without slashes at either end.
    prefix: String,
    describe: String,
    runtime: Runtime,
}

impl RemoteLocation {
    pub fn connect(
        url: &CloudUrl,
        settings: &StoreSettings,
    ) -> Result<RemoteLocation, LocationError> {
        let client = client::build(&url.store, settings)?;
        for warning in &client.warnings {
            say!("{warning}");
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hvrwasm-store")
            .enable_all()
            .build()
            .map_err(|e| LocationError::Settings(format!("cannot start the I/O runtime: {e}")))?;
        Ok(RemoteLocation {
            store: client.store,
            prefix: url.prefix.clone(),
            describe: client.describe,
            runtime,
        })
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    fn path(&self, name: &str) -> Result<Path, LocationError> {
        let key = self.key(name);
        Path::parse(&key).map_err(|e| {
            LocationError::Settings(format!(
                "file name {name:?} is not a valid object name in {}: {e}",
                self.describe
            ))
        })
    }

    fn failed(&self, action: &'static str, name: &str, e: &object_store::Error) -> LocationError {
        LocationError::Store {
            store: self.describe.clone(),
            action,
            object: self.key(name),
            cause: explain(e),
        }
    }

    /// One listing of the location's directory: finds a missing bucket, a refused key or an
    /// unreachable endpoint before any file is read, and says so in words. A HEAD alone
    /// cannot: its 404 carries no body, so a missing bucket looks like a missing file.
    ///
    /// Credentials may allow reading and deleting but not listing (a narrow SAS token or
    /// bucket policy); then a HEAD of the first file that succeeds lets the call go on.
    pub fn probe(&self, first_file: &str) -> Result<(), LocationError> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let Err(e) = self
            .runtime
            .block_on(self.store.list_with_delimiter(prefix.as_ref()))
        else {
            return Ok(());
        };
        let listing_failed = self.failed("listing the location before reading", first_file, &e);
        if classify(&e) == Cause::Refused
            && let Ok(path) = self.path(first_file)
            && self.runtime.block_on(self.store.head(&path)).is_ok()
        {
            say!(
                "W_JX0E00: {}: listing is not allowed, reading is; going on",
                self.describe
            );
            return Ok(());
        }
        Err(listing_failed)
    }

    /// Size, ETag and version: every store gives a new ETag to every write of an object.
    pub fn stat(&self, name: &str) -> Result<Option<FileIdentity>, LocationError> {
        let path = self.path(name)?;
        match self.runtime.block_on(self.store.head(&path)) {
            Ok(meta) => Ok(Some(FileIdentity(format!(
                "size={} etag={} version={} modified={}",
                meta.size,
                meta.e_tag.as_deref().unwrap_or("-"),
                meta.version.as_deref().unwrap_or("-"),
                meta.last_modified.timestamp_nanos_opt().unwrap_or_default()
            )))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.failed("checking", name, &e)),
        }
    }

    pub fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError> {
        let path = self.path(name)?;
        let result = self
            .runtime
            .block_on(self.store.get(&path))
            .map_err(|e| self.failed("reading", name, &e))?;
        Ok(Box::new(ObjectReader::new(
            self.runtime.handle().clone(),
            result.into_stream(),
            format!("{}: reading '{}' failed", self.describe, self.key(name)),
        )))
    }

    /// Bytes `start..start + len` of the object, in one ranged GET (no HEAD first: the
    /// caller knows the size and keeps the range inside it).
    pub fn read_range(&self, name: &str, start: u64, len: usize) -> Result<Vec<u8>, LocationError> {
        let path = self.path(name)?;
        if len == 0 {
            return Ok(Vec::new());
        }
        self.runtime
            .block_on(self.store.get_range(&path, start..start + len as u64))
            .map(|b| b.to_vec())
            .map_err(|e| self.failed("reading", name, &e))
    }

    pub fn size(&self, name: &str) -> Result<u64, LocationError> {
        let path = self.path(name)?;
        self.runtime
            .block_on(self.store.head(&path))
            .map(|meta| meta.size)
            .map_err(|e| self.failed("checking", name, &e))
    }

    /// Deleting an object that is already gone succeeds (S3 says so itself, Azure answers
    /// 404): the state asked for is reached, e.g. when a killed call's DELETE did land.
    pub fn delete(&self, name: &str) -> Result<(), LocationError> {
        let path = self.path(name)?;
        match self.runtime.block_on(self.store.delete(&path)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed("deleting", name, &e)),
        }
    }

    /// Writes a small object (`check`'s probe).
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<(), LocationError> {
        let path = self.path(name)?;
        let payload = object_store::PutPayload::from(bytes.to_vec());
        self.runtime
            .block_on(self.store.put(&path, payload))
            .map(|_| ())
            .map_err(|e| self.failed("writing", name, &e))
    }

    /// Every object below the location, as names relative to it; HVR's state directory is
    /// left out.
    pub fn list(&self) -> Result<Vec<String>, LocationError> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let metas: Vec<_> = self
            .runtime
            .block_on(self.store.list(prefix.as_ref()).try_collect())
            .map_err(|e| self.failed("listing", "", &e))?;
        let strip = if self.prefix.is_empty() {
            0
        } else {
            self.prefix.len() + 1
        };
        Ok(metas
            .into_iter()
            .map(|m| m.location.as_ref()[strip..].to_string())
            .filter(|name| !name.starts_with(STATE_DIR))
            .collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    NoBucket,
    Refused,
    Unreachable,
    NoObject,
    Other,
}

/// The error's text with its sources, as one line.
fn full_text(e: &object_store::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    one_line(&text)
}

fn classify(e: &object_store::Error) -> Cause {
    let text = full_text(e);
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if has(&[
        "NoSuchBucket",
        "ContainerNotFound",
        "The specified bucket does not exist",
    ]) {
        Cause::NoBucket
    } else if matches!(
        e,
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. }
    ) || has(&[
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AuthenticationFailed",
        "AuthorizationFailure",
        "AuthorizationPermissionMismatch",
        "AccessDenied",
        "403 Forbidden",
        "401 Unauthorized",
    ]) {
        Cause::Refused
    } else if has(&[
        "error sending request",
        "Connection refused",
        "dns error",
        "connect timeout",
        "operation timed out",
        "tcp connect error",
    ]) {
        Cause::Unreachable
    } else if matches!(e, object_store::Error::NotFound { .. }) {
        Cause::NoObject
    } else {
        Cause::Other
    }
}

/// object_store's error in words a user can act on, keeping the store's own text (minus
/// secrets) for the details.
fn explain(e: &object_store::Error) -> String {
    let detail = crate::secrets::redact(&full_text(e));
    let reason = match classify(e) {
        Cause::NoBucket => "the bucket or container does not exist",
        Cause::Refused => {
            "the store refused the credentials; check the key (HVR_FILE_LOC, --store-config, \
             then the provider's environment variables, in that order)"
        }
        Cause::Unreachable => "the endpoint cannot be reached",
        Cause::NoObject => "the object does not exist",
        Cause::Other => return detail,
    };
    format!("{reason} ({})", truncate(&detail, 400))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}
