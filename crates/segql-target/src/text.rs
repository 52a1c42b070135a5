//! Arrow results as the text segql prints: each value written as the embedded DuckDB
//! writes it (`CAST(x AS VARCHAR)`), so that a target's output reads like a local run's.
//! Sorting happens on the Arrow values, before any text: keys sort as numbers or by
//! their bytes (DuckDB's order), whatever the server's collation.

use crate::client::Results;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, TimeUnit};
use segql_syntax::time::{format_date, format_timestamp};

/// Rows of text cells (`None` for NULL).
pub type Rows = Vec<Vec<Option<String>>>;

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`, as DuckDB casts a timestamp to text.
pub fn timestamp_text(micros: i64) -> String {
    format_timestamp(micros)
        .trim_end_matches('Z')
        .replacen('T', " ", 1)
}

fn micros(unit: &TimeUnit, v: i64) -> i64 {
    match unit {
        TimeUnit::Second => v.saturating_mul(1_000_000),
        TimeUnit::Millisecond => v.saturating_mul(1_000),
        TimeUnit::Microsecond => v,
        TimeUnit::Nanosecond => v.div_euclid(1_000),
    }
}

/// A decimal's unscaled value and scale as text (`12345`, 2 → `123.45`).
pub fn decimal_text(v: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut s = v.to_string();
        if v != 0 {
            s.push_str(&"0".repeat(usize::from(scale.unsigned_abs())));
        }
        return s;
    }
    let scale = usize::from(scale.unsigned_abs());
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = digits.split_at(digits.len() - scale);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

/// A float as DuckDB writes a DOUBLE: shortest round-trip digits, `2.0` for a whole
/// number.
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        "nan".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{v:?}")
    }
}

/// One column's values as text.
pub fn column_text(a: &ArrayRef) -> Result<Vec<Option<String>>, ArrowError> {
    let n = a.len();
    let mut out = Vec::with_capacity(n);
    macro_rules! each {
        ($arr:expr, $f:expr) => {{
            let arr = $arr;
            for i in 0..n {
                out.push(if arr.is_null(i) {
                    None
                } else {
                    Some($f(arr.value(i)))
                });
            }
        }};
    }
    match a.data_type() {
        DataType::Null => out.resize(n, None),
        DataType::Boolean => each!(a.as_boolean(), |v: bool| v.to_string()),
        DataType::Int8 => each!(a.as_primitive::<Int8Type>(), |v: i8| v.to_string()),
        DataType::Int16 => each!(a.as_primitive::<Int16Type>(), |v: i16| v.to_string()),
        DataType::Int32 => each!(a.as_primitive::<Int32Type>(), |v: i32| v.to_string()),
        DataType::Int64 => each!(a.as_primitive::<Int64Type>(), |v: i64| v.to_string()),
        DataType::UInt8 => each!(a.as_primitive::<UInt8Type>(), |v: u8| v.to_string()),
        DataType::UInt16 => each!(a.as_primitive::<UInt16Type>(), |v: u16| v.to_string()),
        DataType::UInt32 => each!(a.as_primitive::<UInt32Type>(), |v: u32| v.to_string()),
        DataType::UInt64 => each!(a.as_primitive::<UInt64Type>(), |v: u64| v.to_string()),
        DataType::Float32 => each!(a.as_primitive::<Float32Type>(), |v: f32| float_text(
            f64::from(v)
        )),
        DataType::Float64 => each!(a.as_primitive::<Float64Type>(), float_text),
        DataType::Decimal128(_, s) => {
            let s = *s;
            each!(a.as_primitive::<Decimal128Type>(), |v: i128| decimal_text(
                v, s
            ))
        }
        DataType::Utf8 => each!(a.as_string::<i32>(), |v: &str| v.to_string()),
        DataType::LargeUtf8 => each!(a.as_string::<i64>(), |v: &str| v.to_string()),
        DataType::Utf8View => each!(a.as_string_view(), |v: &str| v.to_string()),
        DataType::Date32 => each!(a.as_primitive::<Date32Type>(), format_date),
        DataType::Date64 => each!(a.as_primitive::<Date64Type>(), |v: i64| format_date(
            v.div_euclid(86_400_000) as i32
        )),
        DataType::Timestamp(unit, _) => {
            let unit = *unit;
            match unit {
                TimeUnit::Second => {
                    each!(a.as_primitive::<TimestampSecondType>(), |v| timestamp_text(
                        micros(&unit, v)
                    ))
                }
                TimeUnit::Millisecond => each!(a.as_primitive::<TimestampMillisecondType>(), |v| {
                    timestamp_text(micros(&unit, v))
                }),
                TimeUnit::Microsecond => each!(a.as_primitive::<TimestampMicrosecondType>(), |v| {
                    timestamp_text(micros(&unit, v))
                }),
                TimeUnit::Nanosecond => each!(a.as_primitive::<TimestampNanosecondType>(), |v| {
                    timestamp_text(micros(&unit, v))
                }),
            }
        }
        other => {
            return Err(ArrowError::NotYetImplemented(format!(
                "segql cannot show a value of type {other}"
            )))
        }
    }
    Ok(out)
}

/// The column names and every row as text.
pub fn rows(r: &Results) -> Result<(Vec<String>, Rows), ArrowError> {
    let names: Vec<String> = r.schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut out: Rows = Vec::with_capacity(r.num_rows());
    for b in &r.batches {
        let cols: Vec<Vec<Option<String>>> = b
            .columns()
            .iter()
            .map(column_text)
            .collect::<Result<_, _>>()?;
        for i in 0..b.num_rows() {
            out.push(cols.iter().map(|c| c[i].clone()).collect());
        }
    }
    Ok((names, out))
}

/// The result in one batch, its rows ordered by the first column (NULLs last), as
/// `ORDER BY 1` does on DuckDB: numbers as numbers, text by its bytes.
pub fn sorted_by_first(r: &Results) -> Result<Results, ArrowError> {
    if r.batches.is_empty() || r.schema.fields().is_empty() {
        return Ok(r.clone());
    }
    let all: RecordBatch = arrow_select::concat::concat_batches(&r.schema, &r.batches)?;
    let idx = arrow_ord::sort::sort_to_indices(
        all.column(0),
        Some(arrow_schema::SortOptions {
            descending: false,
            nulls_first: false,
        }),
        None,
    )?;
    let cols: Vec<ArrayRef> = all
        .columns()
        .iter()
        .map(|c| arrow_select::take::take(c.as_ref(), &idx, None))
        .collect::<Result<_, _>>()?;
    Ok(Results {
        schema: r.schema.clone(),
        batches: vec![RecordBatch::try_new(r.schema.clone(), cols)?],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        Decimal128Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
    };
    use arrow_schema::{Field, Schema};
    use std::sync::Arc;

    #[test]
    fn values_read_as_duckdb_writes_them() {
        assert_eq!(decimal_text(300_000_000, 9), "0.300000000");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(12, 0), "12");
        assert_eq!(float_text(2.0), "2.0");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(timestamp_text(1_704_103_200_000_000), "2024-01-01 10:00:00");
        assert_eq!(
            timestamp_text(1_704_103_200_500_000),
            "2024-01-01 10:00:00.5"
        );
        let ts: ArrayRef =
            Arc::new(TimestampMicrosecondArray::from(vec![Some(0), None]).with_timezone("UTC"));
        assert_eq!(
            column_text(&ts).unwrap(),
            vec![Some("1970-01-01 00:00:00".to_string()), None]
        );
        let d: ArrayRef = Arc::new(
            Decimal128Array::from(vec![1500])
                .with_precision_and_scale(38, 3)
                .unwrap(),
        );
        assert_eq!(column_text(&d).unwrap(), vec![Some("1.500".to_string())]);
    }

    #[test]
    fn sorting_is_by_value_then_bytes() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let b1 = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("b"), Some("B")])),
                Arc::new(Int64Array::from(vec![1, 2])),
            ],
        )
        .unwrap();
        let b2 = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![None, Some("a")])),
                Arc::new(Int64Array::from(vec![3, 4])),
            ],
        )
        .unwrap();
        let r = sorted_by_first(&Results {
            schema,
            batches: vec![b1, b2],
        })
        .unwrap();
        let (_, rows) = rows(&r).unwrap();
        let keys: Vec<Option<String>> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(
            keys,
            vec![Some("B".into()), Some("a".into()), Some("b".into()), None]
        );
        let nums = Arc::new(Schema::new(vec![Field::new("n", DataType::Float64, true)]));
        let b = RecordBatch::try_new(
            nums.clone(),
            vec![Arc::new(Float64Array::from(vec![10.0, 9.0]))],
        )
        .unwrap();
        let (_, rows) = super::rows(
            &sorted_by_first(&Results {
                schema: nums,
                batches: vec![b],
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(rows[0][0].as_deref(), Some("9.0"));
    }
}
