//! Sample transform: drops the rows whose column equals a value (or is NULL), e.g. test
//! accounts or one country's rows.
//!
//! Options: `column=country` (required) and either `equals=XX` or `is-null=true`.

use hvrwasm_sdk::transform::{
    BatchBuilder, RowBatch, Transform, TransformInfo, TransformOptions, option, value,
};

pub struct Filter;

impl Transform for Filter {
    fn describe() -> TransformInfo {
        TransformInfo {
            name: "filter".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn transform(
        _table: &str,
        batch: RowBatch,
        options: &TransformOptions,
    ) -> Result<RowBatch, String> {
        let column =
            option(options, "column").ok_or("filter needs --transform-option column=NAME")?;
        let Some(index) = batch
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(column))
        else {
            return Ok(batch);
        };
        let drop_null = option(options, "is-null") == Some("true");
        let equals = option(options, "equals");
        if !drop_null && equals.is_none() {
            return Err("filter needs --transform-option equals=VALUE or is-null=true".into());
        }
        let mut out = BatchBuilder::new(batch.names.clone());
        for row in 0..batch.num_rows as usize {
            let v = value(&batch.columns[index], row);
            let drop = match v {
                None => drop_null,
                Some(v) => equals == Some(v),
            };
            if !drop {
                out.push_row(batch.columns.iter().map(|c| value(c, row)));
            }
        }
        Ok(out.finish())
    }
}

hvrwasm_sdk::export_transform!(Filter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_matching_rows_only() {
        let mut b = BatchBuilder::new(vec!["id".into(), "country".into()]);
        b.push_row([Some("1"), Some("XX")]);
        b.push_row([Some("2"), Some("NL")]);
        b.push_row([Some("3"), None]);
        let options = vec![
            ("column".to_string(), "country".to_string()),
            ("equals".into(), "XX".into()),
        ];
        let out = Filter::transform("t", b.finish(), &options).unwrap();
        assert_eq!(out.num_rows, 2);
        assert_eq!(value(&out.columns[0], 0), Some("2"));
        assert_eq!(value(&out.columns[1], 1), None);
    }
}
