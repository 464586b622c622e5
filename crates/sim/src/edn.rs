//! A small reader for EDN (extensible data notation, the text form of Clojure data), enough
//! for Jepsen histories: maps, vectors, lists, sets, keywords, strings, numbers, `nil`,
//! booleans, symbols, comments, and tagged literals (`#inst "…"`, read as the value they
//! tag). Every form remembers the line it starts on, so errors can say where.
//!
//! Nothing here panics on bad input: [`parse_all`] answers an [`EdnError`] naming the line,
//! what was found and what would fix it.

use std::fmt;

/// One EDN value.
#[derive(Clone, Debug, PartialEq)]
pub enum Edn {
    Nil,
    Bool(bool),
    /// An integer that fits an `i64`.
    Int(i64),
    /// Any other number (a float, a ratio, a big integer), as written.
    Number(String),
    Str(String),
    /// `:name`, without the colon.
    Keyword(String),
    Symbol(String),
    Vector(Vec<Form>),
    List(Vec<Form>),
    Set(Vec<Form>),
    /// Key-value pairs, in the order written.
    Map(Vec<(Form, Form)>),
}

/// A value and the line (from 1) where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub value: Edn,
    pub line: usize,
}

impl Form {
    /// The value of keyword `key` in this map (`None` if this is not a map, or it has none).
    pub fn get(&self, key: &str) -> Option<&Form> {
        match &self.value {
            Edn::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| matches!(&k.value, Edn::Keyword(name) if name == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

impl fmt::Display for Edn {
    /// Written back as EDN.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = |f: &mut fmt::Formatter<'_>, open: &str, items: &[Form], close: &str| {
            write!(f, "{open}")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " ")?;
                }
                write!(f, "{}", item.value)?;
            }
            write!(f, "{close}")
        };
        match self {
            Edn::Nil => write!(f, "nil"),
            Edn::Bool(b) => write!(f, "{b}"),
            Edn::Int(n) => write!(f, "{n}"),
            Edn::Number(n) | Edn::Symbol(n) => write!(f, "{n}"),
            Edn::Str(s) => write!(f, "{}", quote(s)),
            Edn::Keyword(k) => write!(f, ":{k}"),
            Edn::Vector(items) => seq(f, "[", items, "]"),
            Edn::List(items) => seq(f, "(", items, ")"),
            Edn::Set(items) => seq(f, "#{", items, "}"),
            Edn::Map(pairs) => {
                write!(f, "{{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{} {}", k.value, v.value)?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// `s` as an EDN string literal (EDN's escapes are JSON's).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    crate::json::write::write_str(s, &mut out);
    out
}

/// What is wrong with an EDN text, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdnError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for EdnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Every top-level form of `text`, in order.
pub fn parse_all(text: &str) -> Result<Vec<Form>, EdnError> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
        depth: 0,
    };
    let mut forms = Vec::new();
    loop {
        reader.skip_blank();
        if reader.peek().is_none() {
            return Ok(forms);
        }
        forms.push(reader.form()?);
    }
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 200;

struct Reader {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    depth: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn error(&self, line: usize, message: String) -> EdnError {
        EdnError { line, message }
    }

    /// Skip whitespace, commas (whitespace in EDN), `;` comments and `#_` discarded forms.
    fn skip_blank(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == ',' {
                self.bump();
            } else if c == ';' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else {
                return;
            }
        }
    }

    fn form(&mut self) -> Result<Form, EdnError> {
        self.skip_blank();
        let line = self.line;
        let Some(c) = self.peek() else {
            return Err(self.error(
                line,
                "the text ends where a value was expected; is a closing bracket or quote \
                 missing?"
                    .into(),
            ));
        };
        let value = match c {
            '{' | '[' | '(' => {
                self.bump();
                self.nested(line, c)?
            }
            '#' => {
                self.bump();
                match self.peek() {
                    Some('{') => {
                        self.bump();
                        self.nested(line, '#')?
                    }
                    Some('_') => {
                        self.bump();
                        self.form()?;
                        return self.form();
                    }
                    // A tagged literal: `#inst "…"`, `#uuid "…"`, `#jepsen.history.Op{…}`.
                    Some(c) if c.is_alphabetic() => {
                        self.token();
                        return self.form();
                    }
                    _ => {
                        return Err(self.error(
                            line,
                            "a '#' must start a set '#{…}', a discard '#_' or a tag such as \
                             '#inst'"
                                .into(),
                        ))
                    }
                }
            }
            '"' => {
                self.bump();
                Edn::Str(self.string(line)?)
            }
            '}' | ']' | ')' => {
                return Err(self.error(
                    line,
                    format!("unexpected '{c}': nothing open here to close; remove it"),
                ))
            }
            ':' => {
                self.bump();
                let name = self.token();
                if name.is_empty() {
                    return Err(self.error(line, "a ':' must be followed by a name".into()));
                }
                Edn::Keyword(name)
            }
            '\\' => {
                self.bump();
                let name = self.token();
                let c = match name.as_str() {
                    "newline" => "\n".to_string(),
                    "space" => " ".to_string(),
                    "tab" => "\t".to_string(),
                    "" => self.bump().map(String::from).unwrap_or_default(),
                    other => other.to_string(),
                };
                Edn::Str(c)
            }
            _ => {
                let token = self.token();
                if token.is_empty() {
                    self.bump();
                    return Err(self.error(line, format!("unexpected character '{c}'")));
                }
                atom(token)
            }
        };
        Ok(Form { value, line })
    }

    fn nested(&mut self, line: usize, open: char) -> Result<Edn, EdnError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(line, format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let close = match open {
            '[' => ']',
            '(' => ')',
            _ => '}',
        };
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            match self.peek() {
                None => {
                    return Err(self.error(
                        line,
                        format!("'{open}' opened here is never closed; add a '{close}'"),
                    ))
                }
                Some(c) if c == close => {
                    self.bump();
                    break;
                }
                Some(c @ ('}' | ']' | ')')) => {
                    return Err(self.error(
                        self.line,
                        format!(
                            "'{c}' closes the '{open}' opened on line {line}; expected '{close}'"
                        ),
                    ))
                }
                Some(_) => items.push(self.form()?),
            }
        }
        self.depth -= 1;
        Ok(match open {
            '[' => Edn::Vector(items),
            '(' => Edn::List(items),
            '#' => Edn::Set(items),
            _ => {
                if items.len() % 2 == 1 {
                    return Err(self.error(
                        line,
                        "a map needs an even number of forms (key value pairs); one key has \
                         no value"
                            .into(),
                    ));
                }
                let mut pairs = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Edn::Map(pairs)
            }
        })
    }

    fn string(&mut self, line: usize) -> Result<String, EdnError> {
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self.error(
                        line,
                        "a string opened here is never closed; add a '\"'".into(),
                    ))
                }
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(c) => out.push(c),
                    None => {}
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// A run of characters up to whitespace or a delimiter.
    fn token(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, ',' | '{' | '}' | '[' | ']' | '(' | ')' | '"' | ';')
            {
                break;
            }
            out.push(c);
            self.bump();
        }
        out
    }
}

fn atom(token: String) -> Edn {
    match token.as_str() {
        "nil" => return Edn::Nil,
        "true" => return Edn::Bool(true),
        "false" => return Edn::Bool(false),
        _ => {}
    }
    let digits = token.strip_prefix(['-', '+']).unwrap_or(&token);
    if digits.starts_with(|c: char| c.is_ascii_digit()) {
        return match token.parse::<i64>() {
            Ok(n) => Edn::Int(n),
            Err(_) => Edn::Number(token),
        };
    }
    Edn::Symbol(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<Edn> {
        parse_all(text)
            .expect("valid")
            .into_iter()
            .map(|f| f.value)
            .collect()
    }

    #[test]
    fn reads_the_forms_of_a_jepsen_history() {
        let text = "{:process 0, :type :invoke, :f :cas, :value [1 2]}\n\
                    ; a comment\n\
                    {:process :nemesis :type :info :f :start :value nil :time 12}\n\
                    #jepsen.history.Op{:index 3 :value \"a\\\"b\"}";
        let forms = parse_all(text).expect("valid");
        assert_eq!(forms.len(), 3);
        assert_eq!(forms[1].line, 3);
        assert_eq!(
            forms[0].get("f").map(|f| &f.value),
            Some(&Edn::Keyword("cas".into()))
        );
        assert_eq!(
            forms[0].get("value").map(|f| f.value.to_string()),
            Some("[1 2]".into())
        );
        assert_eq!(
            forms[1].get("process").map(|f| &f.value),
            Some(&Edn::Keyword("nemesis".into()))
        );
        assert_eq!(
            forms[2].get("value").map(|f| &f.value),
            Some(&Edn::Str("a\"b".into()))
        );
        assert_eq!(
            values("nil true -3 2.5 x #{1} (1) #_ 9 #inst \"2020\""),
            vec![
                Edn::Nil,
                Edn::Bool(true),
                Edn::Int(-3),
                Edn::Number("2.5".into()),
                Edn::Symbol("x".into()),
                Edn::Set(vec![Form {
                    value: Edn::Int(1),
                    line: 1
                }]),
                Edn::List(vec![Form {
                    value: Edn::Int(1),
                    line: 1
                }]),
                Edn::Str("2020".into()),
            ]
        );
    }

    #[test]
    fn errors_name_the_line_and_the_fix() {
        let cases = [
            (
                "{:a 1}\n{:b [1 2}",
                2,
                "'}' closes the '[' opened on line 2; expected ']'",
            ),
            ("\n\n{:a 1", 3, "'{' opened here is never closed; add a '}'"),
            ("{:a}", 1, "a map needs an even number of forms"),
            ("]", 1, "unexpected ']'"),
            ("\"abc", 1, "never closed"),
            ("#?", 1, "a '#' must start"),
        ];
        for (text, line, message) in cases {
            let err = parse_all(text).expect_err(text);
            assert_eq!(err.line, line, "{text}: {err}");
            assert!(err.message.contains(message), "{text}: {err}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse_all(&deep).is_err());
    }
}
