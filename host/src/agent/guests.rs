//! The call's guests: the connector and the transforms, compiled once, instantiated once per
//! lane (and again for a lane whose guest a limit stopped).

use std::sync::Mutex;

use super::AgentError;
use crate::connectors::{self, Origin};
use crate::domain::{ConnectorInfo, Planner, TransformFailure, Transformer};
use crate::options::Options;
use crate::runtime::{CacheStatus, Compiled, ConnectorInstance, Sandbox, SandboxError};
use crate::table::lanes::Lane;

/// One lane's guest instances.
pub(super) type LaneGuests = (ConnectorInstance, Vec<Box<dyn Transformer>>);

pub(super) struct Guests {
    sandbox: Sandbox,
    connector: (String, Compiled),
    transforms: Vec<(String, Compiled)>,
    info: ConnectorInfo,
    /// The instances made while loading, handed to the first lane.
    first: Mutex<Option<LaneGuests>>,
}

impl Guests {
    /// Compiles and checks the connector (contract version, style) and the transforms.
    pub(super) fn load(options: &Options) -> Result<Guests, AgentError> {
        let bytes = connectors::resolve(&options.connector, options.connector_dir.as_deref())?;
        let sandbox = Sandbox::new(options.limits(), options.compile_cache())?;
        let compiled = sandbox.compile(&bytes.name, &bytes.wasm)?;
        if let CacheStatus::NotStored(why) = &compiled.cache {
            say!("W_JX0E00: compiled connector not cached: {why}");
        }
        let transforms = options
            .transforms
            .iter()
            .filter(|t| !t.is_empty())
            .map(|path| {
                let bytes = connectors::read_transform(path)?;
                let compiled = sandbox.compile_transform(&bytes.name, &bytes.wasm)?;
                Ok((bytes.name, compiled))
            })
            .collect::<Result<Vec<_>, AgentError>>()?;
        let connector = (bytes.name, compiled);
        let first = instantiate(&sandbox, &connector, &transforms)?;
        let info = first.0.info().clone();
        check_style(options, &info)?;
        if options.verbose {
            let origin = match &bytes.origin {
                Origin::BuiltIn => "built in".to_string(),
                Origin::File(p) => p.display().to_string(),
            };
            say!("connector {} {} ({origin})", info.name, info.version);
        }
        Ok(Guests {
            sandbox,
            connector,
            transforms,
            info,
            first: Mutex::new(Some(first)),
        })
    }

    pub(super) fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// The instances made while loading (once), then fresh ones.
    pub(super) fn lane(&self) -> Result<LaneGuests, SandboxError> {
        match self.first.lock().expect("never poisoned").take() {
            Some(first) => Ok(first),
            None => self.instantiate(),
        }
    }

    /// A lane over `target`, with the guests of [`Guests::lane`].
    pub(super) fn lane_with<D>(&self, target: D) -> Result<Lane<D>, SandboxError> {
        let (connector, transforms) = self.lane()?;
        Ok(Lane {
            db: target,
            planner: Box::new(connector),
            transforms,
        })
    }

    fn instantiate(&self) -> Result<LaneGuests, SandboxError> {
        instantiate(&self.sandbox, &self.connector, &self.transforms)
    }

    /// Each transform's own `--transform-option`s, in chain order.
    pub(super) fn route_transform_options(
        &self,
        given: &[(String, String)],
    ) -> Result<Vec<Vec<(String, String)>>, TransformFailure> {
        let first = self.first.lock().expect("never poisoned");
        let transforms = first
            .as_ref()
            .map(|(_, t)| t.as_slice())
            .unwrap_or_default();
        crate::pipeline::route_options(transforms, given)
    }
}

/// One lane's instances of the compiled connector and transforms.
fn instantiate(
    sandbox: &Sandbox,
    (name, compiled): &(String, Compiled),
    transforms: &[(String, Compiled)],
) -> Result<LaneGuests, SandboxError> {
    let connector = sandbox.instantiate(name, compiled)?;
    let transforms = transforms
        .iter()
        .map(|(name, compiled)| {
            sandbox
                .instantiate_transform(name, compiled)
                .map(|t| Box::new(t) as Box<dyn Transformer>)
        })
        .collect::<Result<_, _>>()?;
    Ok((connector, transforms))
}

fn check_style(options: &Options, info: &ConnectorInfo) -> Result<(), AgentError> {
    let wanted = options.style();
    if info.styles.contains(&wanted) {
        return Ok(());
    }
    Err(AgentError::Style {
        connector: info.name.clone(),
        style: wanted.name(),
        supported: info
            .styles
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A connector resolved, compiled and described as a cycle loads it, for the commands that
/// only look at it (`check`, `selftest`, `build`).
pub struct Described {
    pub origin: Origin,
    /// The contract it targets, e.g. `hvrwasm:connector@0.4.0`.
    pub contract: String,
    pub info: ConnectorInfo,
}

pub fn describe_connector(options: &Options) -> Result<Described, AgentError> {
    let bytes = connectors::resolve(&options.connector, options.connector_dir.as_deref())?;
    let sandbox = Sandbox::new(options.limits(), options.compile_cache())?;
    let compiled = sandbox.compile(&bytes.name, &bytes.wasm)?;
    let instance = sandbox.instantiate(&bytes.name, &compiled)?;
    Ok(Described {
        origin: bytes.origin,
        contract: compiled.contract.clone(),
        info: instance.info().clone(),
    })
}
