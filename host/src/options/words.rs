//! The user argument as words: HVR's escapes kept through shell-like splitting, and clap's
//! errors told without any value the user typed (a value may be a secret).

/// HVR's separators are written with C-like escapes (`--field-separator \t`). A shell would
/// turn an unquoted `\t` into the letter `t`; here it stays `\t`, as inside double quotes.
pub(super) fn keep_escapes(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len() + 4);
    let mut quote: Option<char> = None;
    let mut chars = arg.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') => match chars.peek() {
                Some('t' | 'n' | 'r' | 'x' | '0'..='9') => out.push_str("\\\\"),
                Some(_) => {
                    out.push(c);
                    out.push(chars.next().expect("peeked"));
                }
                None => out.push(c),
            },
            (None, '"' | '\'') => {
                quote = Some(c);
                out.push(c);
            }
            (Some('"'), '\\') => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            (Some(q), _) if c == q => {
                quote = None;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// clap's error without any value the user typed: a word that is not an option is often half
/// of an unquoted connection string (`Driver={PostgreSQL Unicode};...;Pwd=...`), and a value
/// given to the wrong option may be a secret. Option names are shown; values never are.
pub(super) fn describe_parse_error(e: &clap::Error, words: &[String]) -> String {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind| e.get(kind).map(|v| v.to_string());
    let arg = context(ContextKind::InvalidArg).unwrap_or_default();
    // `--connect-strng=Pwd=x` names an option; keep only the name.
    let name = arg.split(['=', ' ']).next().unwrap_or("").to_string();
    let position = words.iter().position(|w| *w == arg).map(|i| i + 1);
    let at = position.map(|p| format!(" (word {p})")).unwrap_or_default();
    match e.kind() {
        ErrorKind::UnknownArgument if name.starts_with('-') => {
            let hint = context(ContextKind::SuggestedArg)
                .map(|s| format!("; did you mean {s}?"))
                .unwrap_or_default();
            format!("unknown option {name}{at} in the user argument{hint}")
        }
        ErrorKind::UnknownArgument => format!(
            "a word of the user argument{at} is neither an option nor an option's value (not shown: it may hold a secret); quote values that contain spaces, e.g. --connect-string \"Driver={{...}};...\""
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let valid = context(ContextKind::ValidValue)
                .map(|v| format!("; possible values: {v}"))
                .unwrap_or_default();
            format!("invalid value for {name} (not shown){valid}")
        }
        ErrorKind::MissingRequiredArgument | ErrorKind::ArgumentConflict => {
            secrets_free(&one_line(&e.render().to_string()))
        }
        kind => format!("{kind} at {name}{at}"),
    }
}

/// clap's own text for errors that quote option names only, masked all the same.
fn secrets_free(text: &str) -> String {
    crate::secrets::mask_assignments(text)
}

fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::keep_escapes;

    #[test]
    fn escapes_outside_quotes_survive_splitting() {
        let split = |a: &str| shell_words::split(&keep_escapes(a)).unwrap();
        assert_eq!(
            split(r"--field-separator \t -x"),
            ["--field-separator", r"\t", "-x"]
        );
        assert_eq!(
            split(r#"--field-separator "\t""#),
            ["--field-separator", r"\t"]
        );
        assert_eq!(split(r"--null '\N'"), ["--null", r"\N"]);
        assert_eq!(split(r"a\ b \x1f"), ["a b", r"\x1f"]);
        assert_eq!(split(r#""q\"x" y"#), [r#"q"x"#, "y"]);
    }
}
