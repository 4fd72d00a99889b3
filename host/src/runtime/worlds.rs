//! The worlds a component can be linked against, and the checks made before any of a
//! component's code runs: which served interface it exports, at which version, and whether
//! the version policy (`version`) serves it.

use wasmtime::Engine;
use wasmtime::component::{Component, HasSelf, Linker};

use super::connector::{v0_1, v0_2, v0_3, v0_4};
use super::guest::GuestState;
use super::sandbox::SandboxError;
use super::transform;
use super::version::{self, Match, Version};

/// The worlds a component can be linked against.
#[derive(Clone, Copy)]
pub(super) enum World {
    ConnectorV0_4,
    ConnectorV0_3,
    ConnectorV0_2,
    ConnectorV0_1,
    Transform,
    TransformLegacy,
}

/// The linker of a world: WASI (the guest's std needs it; the store's WASI context grants
/// nothing) plus that world's imports.
pub(super) fn build_linker(
    engine: &Engine,
    world: World,
) -> Result<Linker<GuestState>, SandboxError> {
    let link = |e: wasmtime::Error| SandboxError::Compile {
        kind: "linker",
        name: "(linker)".into(),
        reason: format!("{e:#}"),
    };
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link)?;
    match world {
        World::ConnectorV0_4 => {
            v0_4::ConnectorGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
        }
        World::ConnectorV0_3 => {
            v0_3::ConnectorGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
        }
        World::ConnectorV0_2 => {
            v0_2::ConnectorGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
        }
        World::ConnectorV0_1 => {
            v0_1::ConnectorGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
        }
        World::Transform => {
            transform::current::TransformGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
        }
        World::TransformLegacy => {
            transform::legacy::TransformGuest::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
        }
    }
    .map_err(link)?;
    Ok(linker)
}

/// Which of `interfaces` (names without version) the component exports, and at which version.
pub(super) fn exported_interface(
    engine: &Engine,
    name: &str,
    component: &Component,
    kind: &'static str,
    interfaces: &[&str],
) -> Result<(String, String), SandboxError> {
    let ty = component.component_type();
    let exports: Vec<String> = ty.exports(engine).map(|(n, _)| n.to_string()).collect();
    interfaces
        .iter()
        .find_map(|interface| {
            let prefix = format!("{interface}@");
            exports.iter().find_map(|e| {
                e.strip_prefix(&prefix)
                    .map(|v| (interface.to_string(), v.to_string()))
            })
        })
        .ok_or_else(|| SandboxError::NotAGuest {
            name: name.to_string(),
            kind,
            interface: interfaces.join(" or "),
            exports: if exports.is_empty() {
                "none".into()
            } else {
                exports.join(", ")
            },
        })
}

/// The served version a component wanting `wanted` of `package` runs under, or a sentence.
pub(super) fn served_version(
    name: &str,
    kind: &'static str,
    wanted: &str,
    package: &str,
    served: &[Version],
) -> Result<Version, SandboxError> {
    let refuse = |why: String| SandboxError::Version {
        kind,
        name: name.to_string(),
        wanted: format!("{package}@{wanted}"),
        why,
    };
    match version::matching(wanted, served) {
        Match::Served(v) => Ok(v),
        Match::NewerPatch { known } => Err(refuse(format!(
            "this host knows {package} only up to {known}: the {kind} may use what was added since; update hvrwasmagent, or rebuild the {kind} with an SDK for {known}"
        ))),
        Match::Unserved | Match::Malformed => Err(refuse(format!(
            "this host serves {package}@{}; use a {kind} built for one of those, or a host that serves {wanted}",
            version::list(served)
        ))),
    }
}
