//! JSON text (RFC 8259) into a [`Json`] tree. Strict: no comments, no trailing commas, no
//! leading zeros, no lone surrogates. Numbers are kept as written, so an integer is never
//! rounded through a float. Nesting is bounded by [`MAX_DEPTH`], so no input can exhaust
//! the stack.

use super::{Json, JsonError, MAX_DEPTH};

/// Parse a whole document: one value, with nothing but whitespace around it.
pub(super) fn parse(text: &str) -> Result<Json, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.unexpected());
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consume `byte` (after whitespace) or fail on whatever is there instead.
    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        self.skip_whitespace();
        if self.peek() != Some(byte) {
            return Err(self.unexpected());
        }
        self.pos += 1;
        Ok(())
    }

    fn value(&mut self) -> Result<Json, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.nested(Parser::object),
            Some(b'[') => self.nested(Parser::array),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true").map(|()| Json::Bool(true)),
            Some(b'f') => self.literal("false").map(|()| Json::Bool(false)),
            Some(b'n') => self.literal("null").map(|()| Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected()),
        }
    }

    fn nested(
        &mut self,
        read: fn(&mut Self) -> Result<Json, JsonError>,
    ) -> Result<Json, JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error(format!("more than {MAX_DEPTH} levels of nesting")));
        }
        self.depth += 1;
        self.pos += 1; // the opening bracket
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn object(&mut self) -> Result<Json, JsonError> {
        let mut fields = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected());
            }
            let name = self.string()?;
            self.expect(b':')?;
            fields.push((name, self.value()?));
            if self.list_ends(b'}')? {
                return Ok(Json::Object(fields));
            }
        }
    }

    fn array(&mut self) -> Result<Json, JsonError> {
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.list_ends(b']')? {
                return Ok(Json::Array(items));
            }
        }
    }

    /// After an item: a comma (more follow) or the closing bracket (`true`).
    fn list_ends(&mut self, close: u8) -> Result<bool, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// Consume exactly `literal` (`true`, `\u`...).
    fn literal(&mut self, literal: &str) -> Result<(), JsonError> {
        for &b in literal.as_bytes() {
            if self.peek() != Some(b) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            self.digits()?;
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.digits()?;
        }
        // Only ASCII bytes were consumed, so both ends are character boundaries.
        Ok(Json::Number(self.text[start..self.pos].to_string()))
    }

    /// One or more decimal digits.
    fn digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.unexpected());
        }
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            match self.peek() {
                Some(b'"') => {
                    out.push_str(&self.text[run_start..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run_start..self.pos]);
                    self.pos += 1;
                    out.push(self.escape()?);
                    run_start = self.pos;
                }
                Some(0x20..) => self.pos += 1,
                // A control character (JSON wants them escaped) or the end of the text.
                _ => return Err(self.unexpected()),
            }
        }
    }

    /// The character an escape after `\` stands for.
    fn escape(&mut self) -> Result<char, JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let code = match first {
                    // The high half of a surrogate pair: `\uD83D\uDE00`.
                    0xD800..0xDC00 if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") => {
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return Err(self.unpaired_surrogate());
                        }
                        0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                    }
                    _ => first,
                };
                return char::from_u32(code).ok_or_else(|| self.unpaired_surrogate());
            }
            _ => return Err(self.unexpected()),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.unexpected())?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    fn unpaired_surrogate(&self) -> JsonError {
        self.error("half of a surrogate pair in a “\\u” escape".to_string())
    }

    /// What is at the current position, as the reason the text is not JSON.
    fn unexpected(&self) -> JsonError {
        let problem = match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            None => "the text ends too soon".to_string(),
            Some(c) if c.is_control() => "unexpected control character".to_string(),
            Some(c) => {
                let mut problem = String::from("unexpected “");
                problem.push(c);
                problem.push('”');
                problem
            }
        };
        self.error(problem)
    }

    fn error(&self, problem: String) -> JsonError {
        JsonError::syntax(problem, self.text, self.pos)
    }
}
