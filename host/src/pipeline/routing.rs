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
        // `NAME.` where NAME is a transform's file stem or declared name (which may hold dots).
        let addressed: Vec<(usize, &str)> = transforms
            .iter()
            .enumerate()
            .filter_map(|(k, t)| {
                [t.name(), t.info().name.as_str()]
                    .into_iter()
                    .find_map(|name| key.strip_prefix(name)?.strip_prefix('.'))
                    .map(|rest| (k, rest))
            })
            .collect();
        match addressed.as_slice() {
            [(k, rest)] => routed[*k].push((rest.to_string(), value.clone())),
            [_, _, ..] => {
                return Err(TransformFailure::AmbiguousOption {
                    option: key.clone(),
                });
            }
            [] if transforms.is_empty() => {
                return Err(TransformFailure::NoTransform {
                    option: key.clone(),
                });
            }
            [] if transforms.len() == 1 => routed[0].push((key.clone(), value.clone())),
            [] => {
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
