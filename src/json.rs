//! Just enough JSON writing for `--json` output: objects built in order,
//! strings escaped per RFC 8259.

use std::fmt::Write;

/// A JSON value to print.
pub enum Value {
    Null,
    Bool(bool),
    Str(String),
    Int(u64),
    Float(f64),
    Array(Vec<Value>),
    Object(Vec<(&'static str, Value)>),
}

impl Value {
    /// The compact JSON text of this value.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Str(s) => write_str(out, s),
            Value::Int(n) => write!(out, "{n}").unwrap(),
            Value::Float(x) if x.is_finite() => write!(out, "{x}").unwrap(),
            Value::Float(_) => out.push_str("null"),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_escapes() {
        let v = Value::Object(vec![
            ("name", Value::Str("a \"b\"\\\n\u{1}é".into())),
            ("n", Value::Int(42)),
            ("r", Value::Float(1.5)),
            ("nan", Value::Float(f64::NAN)),
            (
                "list",
                Value::Array(vec![Value::Int(1), Value::Array(vec![])]),
            ),
        ]);
        let text = v.render();
        assert_eq!(
            text,
            r#"{"name":"a \"b\"\\\n\u0001é","n":42,"r":1.5,"nan":null,"list":[1,[]]}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["name"], "a \"b\"\\\n\u{1}é");
    }
}
