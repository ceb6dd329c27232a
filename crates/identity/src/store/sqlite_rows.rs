//! The SQLite sign-in writer's values and rows (`sqlite_writer`): bound exactly as sqlx binds
//! them on the pool's connections, read back by column name.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value as SqlValue;
use sea_orm::{DbErr, Value};

/// A value as sqlx binds it on SQLite (`sea-query-sqlx`, then sqlx-sqlite's encoders).
pub(crate) fn bind_value(value: Value) -> Result<SqlValue, DbErr> {
    let integer = |i: Option<i64>| i.map_or(SqlValue::Null, SqlValue::Integer);
    Ok(match value {
        Value::Bool(b) => integer(b.map(i64::from)),
        Value::TinyInt(i) => integer(i.map(i64::from)),
        Value::SmallInt(i) => integer(i.map(i64::from)),
        Value::Int(i) => integer(i.map(i64::from)),
        Value::BigInt(i) => integer(i),
        Value::TinyUnsigned(i) => integer(i.map(i64::from)),
        Value::SmallUnsigned(i) => integer(i.map(i64::from)),
        Value::Unsigned(i) => integer(i.map(i64::from)),
        Value::BigUnsigned(i) => match i {
            Some(i) => SqlValue::Integer(
                i64::try_from(i).map_err(|_| DbErr::Custom(format!("{i} does not fit SQLite's integer")))?,
            ),
            None => SqlValue::Null,
        },
        Value::Float(f) => f.map_or(SqlValue::Null, |f| SqlValue::Real(f64::from(f))),
        Value::Double(d) => d.map_or(SqlValue::Null, SqlValue::Real),
        Value::String(s) => s.map_or(SqlValue::Null, SqlValue::Text),
        Value::Char(c) => c.map_or(SqlValue::Null, |c| SqlValue::Text(c.to_string())),
        Value::Bytes(b) => b.map_or(SqlValue::Null, SqlValue::Blob),
        Value::ChronoDateTimeUtc(t) => {
            t.map_or(SqlValue::Null, |t| SqlValue::Text(t.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
        }
        Value::Uuid(u) => u.map_or(SqlValue::Null, |u| SqlValue::Blob(u.as_bytes().to_vec())),
        Value::Json(j) => j.map_or(SqlValue::Null, |j| SqlValue::Text(j.to_string())),
        other => return Err(DbErr::Custom(format!("the SQLite sign-in writer cannot bind {other:?}"))),
    })
}

/// A row a writer's statement produced, read by column name.
#[derive(Debug)]
pub(crate) struct WrittenRow {
    pub(crate) names: Vec<String>,
    pub(crate) values: Vec<SqlValue>,
}

impl WrittenRow {
    pub(crate) fn value(&self, column: &str) -> Result<&SqlValue, DbErr> {
        self.names
            .iter()
            .position(|n| n == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| DbErr::Type(format!("the row has no column {column:?}")))
    }

    fn mismatch(column: &str, wanted: &str, found: &SqlValue) -> DbErr {
        DbErr::Type(format!("column {column:?}: expected {wanted}, found {:?}", found.data_type()))
    }
}

impl super::Columns for WrittenRow {
    fn text(&self, column: &str) -> Result<Option<String>, DbErr> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Text(s) => Ok(Some(s.clone())),
            other => Err(Self::mismatch(column, "text", other)),
        }
    }

    fn uuid(&self, column: &str) -> Result<Option<uuid::Uuid>, DbErr> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Blob(b) => {
                uuid::Uuid::from_slice(b).map(Some).map_err(|e| DbErr::Type(format!("column {column:?}: {e}")))
            }
            other => Err(Self::mismatch(column, "a UUID (16-byte blob)", other)),
        }
    }

    fn time(&self, column: &str) -> Result<Option<DateTime<Utc>>, DbErr> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Text(s) => {
                parse_time(s).map(Some).ok_or_else(|| DbErr::Type(format!("column {column:?}: {s:?} is not a time")))
            }
            other => Err(Self::mismatch(column, "a time (text)", other)),
        }
    }

    fn flag(&self, column: &str) -> Result<bool, DbErr> {
        match self.value(column)? {
            SqlValue::Integer(i) => Ok(*i != 0),
            other => Err(Self::mismatch(column, "a boolean (integer)", other)),
        }
    }
}

/// A time as sqlx stores one (RFC 3339), or as SQLite's own functions write one
/// (`YYYY-MM-DD HH:MM:SS[.fff][+HH:MM]`, UTC when no offset).
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok().map(|t| t.and_utc())
}
