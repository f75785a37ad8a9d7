//! Where each statement of a policy document sits in its JSON text: AWS's simulator reports
//! `StartPosition` and `EndPosition` (`{"Line", "Column"}`) for each matched statement
//! (IAM API Reference, "Statement", "Position"). Lines and columns count from 1; the end
//! is the statement's closing brace.

use std::collections::HashMap;

/// A line and column in a policy document's text, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Position {
    /// The line.
    pub line: u32,
    /// The column (in characters).
    pub column: u32,
}

/// Statement positions by AWS source policy id (`PolicyInputList.1`, `ResourcePolicy`...),
/// one `(start, end)` per statement, in `Statement` order.
pub type StatementPositions = HashMap<String, Vec<(Position, Position)>>;

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    at: Position,
    last: Position,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn bump(&mut self) {
        let Some(c) = self.peek() else { return };
        self.last = self.at;
        self.i += 1;
        if c == b'\n' {
            self.at.line += 1;
            self.at.column = 1;
        } else if c & 0xC0 != 0x80 {
            // Count characters, not the continuation bytes of UTF-8.
            self.at.column += 1;
        }
        // Skip the continuation bytes so `last` stays on the character's first byte.
        while self.peek().is_some_and(|c| c & 0xC0 == 0x80) {
            self.i += 1;
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.bump();
        }
    }

    /// A string at the cursor; its text with `\"` and `\\` unescaped (enough for keys).
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.bump();
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.bump();
                    return Some(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.bump();
                    out.push(self.peek()?);
                    self.bump();
                }
                c => {
                    out.push(c);
                    let start = self.i;
                    self.bump();
                    out.extend_from_slice(self.b.get(start + 1..self.i).unwrap_or_default());
                }
            }
        }
    }

    /// Skip one JSON value.
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'{' | b'[' => {
                let close = if self.peek()? == b'{' { b'}' } else { b']' };
                self.bump();
                loop {
                    self.ws();
                    match self.peek()? {
                        c if c == close => {
                            self.bump();
                            return Some(());
                        }
                        b',' | b':' => self.bump(),
                        _ => self.value()?,
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.bump();
                }
                Some(())
            }
        }
    }

    /// One element: its start and end (the position of its last character).
    fn spanned(&mut self) -> Option<(Position, Position)> {
        self.ws();
        let start = self.at;
        self.value()?;
        Some((start, self.last))
    }
}

/// The `(start, end)` of each statement of the policy document `text`; empty when the text
/// is not a policy object with a `Statement`.
pub fn statement_positions(text: &str) -> Vec<(Position, Position)> {
    let first = Position { line: 1, column: 1 };
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
        at: first,
        last: first,
    };
    scan_policy(&mut s).unwrap_or_default()
}

fn scan_policy(s: &mut Scan<'_>) -> Option<Vec<(Position, Position)>> {
    s.ws();
    if s.peek()? != b'{' {
        return None;
    }
    s.bump();
    loop {
        s.ws();
        match s.peek()? {
            b'}' => return None,
            b',' => s.bump(),
            b'"' => {
                let key = s.string()?;
                s.ws();
                if s.peek()? != b':' {
                    return None;
                }
                s.bump();
                s.ws();
                if key != "Statement" {
                    s.value()?;
                    continue;
                }
                if s.peek()? != b'[' {
                    return Some(vec![s.spanned()?]);
                }
                s.bump();
                let mut out = Vec::new();
                loop {
                    s.ws();
                    match s.peek()? {
                        b']' => return Some(out),
                        b',' => s.bump(),
                        _ => out.push(s.spanned()?),
                    }
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn statements_of_a_pretty_and_a_one_line_policy() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Sid\": \"é\\\"]\",\n      \"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": [\"*\"]\n    }\n  ]\n}";
        assert_eq!(
            statement_positions(text),
            vec![(p(4, 5), p(4, 58)), (p(5, 5), p(8, 5))]
        );
        let one = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        assert_eq!(statement_positions(one), vec![(p(1, 14), p(1, 59))]);
        assert!(statement_positions("not json").is_empty());
    }
}
