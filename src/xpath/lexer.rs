//! The XPath 1.0 lexer, with the disambiguation rules of §3.7: `*` and `and`/`or`/`mod`/`div`
//! are operators only after a token that can end an operand; a name followed by `(` is a
//! function name or node type; a name followed by `::` is an axis name.

use std::ops::Range;

use crate::xpath::error::XPathError;

/// A token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `@`
    At,
    /// `,`
    Comma,
    /// `::`
    ColonColon,
    /// `/`
    Slash,
    /// `//`
    DoubleSlash,
    /// `|`
    Pipe,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `=`
    Eq,
    /// `!=`
    Neq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `*` as multiplication
    Multiply,
    /// `and`
    And,
    /// `or`
    Or,
    /// `mod`
    Mod,
    /// `div`
    Div,
    /// A name test: `*`, `prefix:*`, `name`, `prefix:name` (`local` is `None` for `*`).
    NameTest {
        /// The prefix, if any.
        prefix: Option<String>,
        /// The local name, `None` for a wildcard.
        local: Option<String>,
    },
    /// `comment`, `text`, `processing-instruction` or `node` before `(`.
    NodeType(String),
    /// A function name before `(`.
    FunctionName {
        /// The prefix, if any.
        prefix: Option<String>,
        /// The local name.
        local: String,
    },
    /// An axis name before `::`.
    AxisName(String),
    /// A string literal.
    Literal(String),
    /// A number.
    Number(f64),
    /// `$name`
    Variable {
        /// The prefix, if any.
        prefix: Option<String>,
        /// The local name.
        local: String,
    },
}

/// A token and its byte range in the expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Where it is.
    pub span: Range<usize>,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '.' || c == '-' || c == '\u{B7}'
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits an expression into tokens.
pub fn tokenize(src: &str) -> Result<Vec<Token>, XPathError> {
    let mut lx = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
    };
    lx.run()?;
    Ok(lx.out)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    /// The next non-space character after byte position `from`.
    fn next_nonspace_from(&self, from: usize) -> Option<(usize, char)> {
        self.src[from..]
            .char_indices()
            .find(|(_, c)| !is_space(*c))
            .map(|(i, c)| (from + i, c))
    }

    /// Whether the previous token means the next one is an operator (§3.7).
    fn operator_expected(&self) -> bool {
        match self.out.last() {
            None => false,
            Some(t) => !matches!(
                t.tok,
                Tok::At
                    | Tok::ColonColon
                    | Tok::LParen
                    | Tok::LBracket
                    | Tok::Comma
                    | Tok::And
                    | Tok::Or
                    | Tok::Mod
                    | Tok::Div
                    | Tok::Multiply
                    | Tok::Slash
                    | Tok::DoubleSlash
                    | Tok::Pipe
                    | Tok::Plus
                    | Tok::Minus
                    | Tok::Eq
                    | Tok::Neq
                    | Tok::Lt
                    | Tok::Le
                    | Tok::Gt
                    | Tok::Ge
            ),
        }
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.out.push(Token {
            tok,
            span: start..self.pos,
        });
    }

    fn ncname(&mut self) -> Option<String> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_name_start(c) => self.pos += c.len_utf8(),
            _ => return None,
        }
        while let Some(c) = self.peek() {
            if !is_name_char(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        Some(self.src[start..self.pos].to_owned())
    }

    fn run(&mut self) -> Result<(), XPathError> {
        loop {
            self.skip_space();
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Ok(());
            };
            let simple = |t: Tok, n: usize| (t, n);
            let (tok, len) = match c {
                '(' => simple(Tok::LParen, 1),
                ')' => simple(Tok::RParen, 1),
                '[' => simple(Tok::LBracket, 1),
                ']' => simple(Tok::RBracket, 1),
                '@' => simple(Tok::At, 1),
                ',' => simple(Tok::Comma, 1),
                '|' => simple(Tok::Pipe, 1),
                '+' => simple(Tok::Plus, 1),
                '-' => simple(Tok::Minus, 1),
                '=' => simple(Tok::Eq, 1),
                '!' if self.peek_at(1) == Some('=') => simple(Tok::Neq, 2),
                '<' if self.peek_at(1) == Some('=') => simple(Tok::Le, 2),
                '<' => simple(Tok::Lt, 1),
                '>' if self.peek_at(1) == Some('=') => simple(Tok::Ge, 2),
                '>' => simple(Tok::Gt, 1),
                '/' if self.peek_at(1) == Some('/') => simple(Tok::DoubleSlash, 2),
                '/' => simple(Tok::Slash, 1),
                ':' if self.peek_at(1) == Some(':') => simple(Tok::ColonColon, 2),
                '.' if self.peek_at(1) == Some('.') => simple(Tok::DotDot, 2),
                '.' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => {
                    self.number(start);
                    continue;
                }
                '.' => simple(Tok::Dot, 1),
                '0'..='9' => {
                    self.number(start);
                    continue;
                }
                '"' | '\'' => {
                    let body = start + 1;
                    match self.src[body..].find(c) {
                        Some(end) => {
                            self.pos = body + end + 1;
                            let lit = self.src[body..body + end].to_owned();
                            self.push(Tok::Literal(lit), start);
                            continue;
                        }
                        None => {
                            return Err(XPathError::syntax(
                                "unterminated string literal",
                                start..self.src.len(),
                            ));
                        }
                    }
                }
                '$' => {
                    self.pos += 1;
                    let (prefix, local) = match self.qname() {
                        Some(q) => q,
                        None => {
                            return Err(XPathError::syntax(
                                "expected a variable name after '$'",
                                start..self.pos,
                            ));
                        }
                    };
                    self.push(Tok::Variable { prefix, local }, start);
                    continue;
                }
                '*' => {
                    if self.operator_expected() {
                        simple(Tok::Multiply, 1)
                    } else {
                        simple(
                            Tok::NameTest {
                                prefix: None,
                                local: None,
                            },
                            1,
                        )
                    }
                }
                c if is_name_start(c) => {
                    self.name(start)?;
                    continue;
                }
                other => {
                    return Err(XPathError::syntax(
                        format!("unexpected character '{other}'"),
                        start..start + other.len_utf8(),
                    ));
                }
            };
            self.pos += len;
            self.push(tok, start);
        }
    }

    fn number(&mut self, start: usize) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.peek() == Some('.') && self.peek_at(1) != Some('.') {
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let n = self.src[start..self.pos].parse::<f64>().unwrap_or(f64::NAN);
        self.push(Tok::Number(n), start);
    }

    /// `NCName (':' NCName)?` with no space around the colon.
    fn qname(&mut self) -> Option<(Option<String>, String)> {
        let first = self.ncname()?;
        if self.peek() == Some(':') && self.peek_at(1).is_some_and(is_name_start) {
            self.pos += 1;
            let local = self.ncname()?;
            return Some((Some(first), local));
        }
        Some((None, first))
    }

    fn name(&mut self, start: usize) -> Result<(), XPathError> {
        let first = self.ncname().expect("called on a name start");
        // An operator name where an operator is expected.
        if self.operator_expected() {
            let op = match first.as_str() {
                "and" => Some(Tok::And),
                "or" => Some(Tok::Or),
                "mod" => Some(Tok::Mod),
                "div" => Some(Tok::Div),
                _ => None,
            };
            return match op {
                Some(op) => {
                    self.push(op, start);
                    Ok(())
                }
                None => Err(XPathError::syntax(
                    format!("expected an operator, found '{first}'"),
                    start..self.pos,
                )),
            };
        }
        // prefix:* or prefix:local
        let (prefix, local) = if self.peek() == Some(':') && self.peek_at(1) == Some('*') {
            self.pos += 2;
            self.push(
                Tok::NameTest {
                    prefix: Some(first),
                    local: None,
                },
                start,
            );
            return Ok(());
        } else if self.peek() == Some(':') && self.peek_at(1).is_some_and(is_name_start) {
            self.pos += 1;
            let local = self.ncname().expect("checked");
            (Some(first), local)
        } else {
            (None, first)
        };
        let after = self.next_nonspace_from(self.pos);
        match after {
            Some((i, '(')) => {
                let _ = i;
                if prefix.is_none()
                    && matches!(
                        local.as_str(),
                        "comment" | "text" | "processing-instruction" | "node"
                    )
                {
                    self.push(Tok::NodeType(local), start);
                } else {
                    self.push(Tok::FunctionName { prefix, local }, start);
                }
            }
            Some((i, ':')) if prefix.is_none() && self.src[i..].starts_with("::") => {
                self.push(Tok::AxisName(local), start);
            }
            _ => self.push(
                Tok::NameTest {
                    prefix,
                    local: Some(local),
                },
                start,
            ),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn name(s: &str) -> Tok {
        Tok::NameTest {
            prefix: None,
            local: Some(s.into()),
        }
    }

    #[test]
    fn star_and_operator_names_depend_on_the_previous_token() {
        assert_eq!(
            toks("* * *"),
            vec![
                Tok::NameTest {
                    prefix: None,
                    local: None
                },
                Tok::Multiply,
                Tok::NameTest {
                    prefix: None,
                    local: None
                }
            ]
        );
        assert_eq!(
            toks("div div div"),
            vec![name("div"), Tok::Div, name("div")]
        );
        assert_eq!(toks("and and or"), vec![name("and"), Tok::And, name("or")]);
        assert_eq!(
            toks("@*"),
            vec![
                Tok::At,
                Tok::NameTest {
                    prefix: None,
                    local: None
                }
            ]
        );
        assert!(tokenize("a b").is_err());
    }

    #[test]
    fn names_with_dots_and_dashes() {
        assert_eq!(
            toks("/configuration/system.webServer"),
            vec![
                Tok::Slash,
                name("configuration"),
                Tok::Slash,
                name("system.webServer")
            ]
        );
        assert_eq!(toks("a-b"), vec![name("a-b")]);
        assert_eq!(toks("a -b"), vec![name("a"), Tok::Minus, name("b")]);
    }

    #[test]
    fn function_names_node_types_and_axes() {
        assert_eq!(
            toks("text ( )"),
            vec![Tok::NodeType("text".into()), Tok::LParen, Tok::RParen]
        );
        assert_eq!(
            toks("child :: x"),
            vec![Tok::AxisName("child".into()), Tok::ColonColon, name("x")]
        );
        assert_eq!(
            toks("ext:f()"),
            vec![
                Tok::FunctionName {
                    prefix: Some("ext".into()),
                    local: "f".into()
                },
                Tok::LParen,
                Tok::RParen
            ]
        );
        assert_eq!(
            toks("p:*"),
            vec![Tok::NameTest {
                prefix: Some("p".into()),
                local: None
            }]
        );
    }

    #[test]
    fn numbers_literals_variables() {
        assert_eq!(
            toks("1.5 .5 3."),
            vec![Tok::Number(1.5), Tok::Number(0.5), Tok::Number(3.0)]
        );
        assert_eq!(
            toks("'a\"b' \"c'd\""),
            vec![Tok::Literal("a\"b".into()), Tok::Literal("c'd".into())]
        );
        assert_eq!(
            toks("$p:v"),
            vec![Tok::Variable {
                prefix: Some("p".into()),
                local: "v".into()
            }]
        );
        assert_eq!(toks("..."), vec![Tok::DotDot, Tok::Dot]);
    }

    #[test]
    fn errors_have_spans() {
        let e = tokenize("a = 'x").unwrap_err();
        assert_eq!(e.span.start, 4);
        assert_eq!(e.code, "XPST0003");
        let e = tokenize("a # b").unwrap_err();
        assert_eq!(e.span, 2..3);
    }
}
