//! Which `--transform-option` goes to which transform: `NAME.key=value` to the transform
//! named NAME (its file stem or its declared name); a bare `key=value` only when the call has
//! one transform, since sending it to every transform of a chain alike is how one transform's
//! setting changes another's behaviour.

use crate::domain::{TransformFailure, Transformer};

/// The options of each transform, in chain order, keys without the `NAME.` prefix.
pub fn route_options(
    transforms: &[Box<dyn Transformer>],
    options: &[(String, String)],
) -> Result<Vec<Vec<(String, String)>>, TransformFailure> {
    let mut routed = vec![Vec::new(); transforms.len()];
    for (key, value) in options {
        let addressed = key.split_once('.').and_then(|(prefix, rest)| {
            transforms
                .iter()
                .position(|t| t.name() == prefix || t.info().name == prefix)
                .map(|k| (k, rest))
        });
        match addressed {
            Some((k, rest)) => routed[k].push((rest.to_string(), value.clone())),
            None if transforms.is_empty() => {
                return Err(TransformFailure::NoTransform {
                    option: key.clone(),
                });
            }
            None if transforms.len() == 1 => routed[0].push((key.clone(), value.clone())),
            None => {
                return Err(TransformFailure::UnaddressedOption {
                    option: key.clone(),
                    names: transforms
                        .iter()
                        .map(|t| t.name().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    }
    Ok(routed)
}

/// Refuses keys a transform did not declare (transforms of contracts that cannot declare
/// options get theirs unchecked).
pub(super) fn check_declared(
    transform: &str,
    declared: Option<&[String]>,
    given: &[(String, String)],
) -> Result<(), TransformFailure> {
    let Some(declared) = declared else {
        return Ok(());
    };
    match given.iter().find(|(k, _)| !declared.contains(k)) {
        None => Ok(()),
        Some((key, _)) => Err(TransformFailure::UnknownOption {
            transform: transform.to_string(),
            key: key.clone(),
            known: if declared.is_empty() {
                "none".into()
            } else {
                declared.join(", ")
            },
        }),
    }
}
