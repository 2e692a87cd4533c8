//! Reading stream entries out of raw Redis replies (RESP2 and RESP3 shapes alike).

use fred::prelude::Value;
use std::collections::HashMap;

/// One stream entry: its id and its fields.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub id: String,
    pub fields: HashMap<String, String>,
}

fn fields(value: Value) -> HashMap<String, String> {
    match value {
        Value::Array(items) => items
            .chunks(2)
            .filter_map(|pair| match pair {
                [key, value] => Some((key.as_string()?, value.as_string()?)),
                _ => None,
            })
            .collect(),
        Value::Map(map) => map
            .inner()
            .into_iter()
            .filter_map(|(key, value)| Some((key.as_str()?.to_owned(), value.as_string()?)))
            .collect(),
        _ => HashMap::new(),
    }
}

/// `[[id, [field, value, …]], …]`; deleted entries (nil) are skipped.
pub(crate) fn entries(value: Value) -> Vec<Entry> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Array(mut pair) if pair.len() == 2 => {
                    let fields = fields(pair.pop()?);
                    let id = pair.pop()?.as_string()?;
                    Some(Entry { id, fields })
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The reply of `XREADGROUP` for one stream: `[[stream, entries]]` or `{stream: entries}`.
pub(crate) fn read_reply(value: Value) -> Vec<Entry> {
    match value {
        Value::Array(streams) => streams
            .into_iter()
            .flat_map(|stream| match stream {
                Value::Array(mut pair) if pair.len() == 2 => pair.pop().map(entries),
                _ => None,
            })
            .flatten()
            .collect(),
        Value::Map(map) => map.inner().into_values().flat_map(entries).collect(),
        _ => Vec::new(),
    }
}

/// The reply of `XAUTOCLAIM`: `[next, entries, deleted?]`.
pub(crate) fn autoclaim_reply(value: Value) -> (String, Vec<Entry>) {
    match value {
        Value::Array(mut parts) if parts.len() >= 2 => {
            let claimed = entries(parts.remove(1));
            let next = parts.remove(0).as_string().unwrap_or_else(|| "0-0".into());
            (next, claimed)
        }
        _ => ("0-0".into(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    #[test]
    fn entries_are_read_and_nils_skipped() {
        let reply = Value::Array(vec![
            Value::Array(vec![s("1-0"), Value::Array(vec![s("job"), s("{}")])]),
            Value::Null,
        ]);
        let parsed = entries(reply);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].id, "1-0");
        assert_eq!(parsed[0].fields["job"], "{}");
    }

    #[test]
    fn an_autoclaim_reply_gives_the_cursor_and_the_entries() {
        let reply = Value::Array(vec![
            s("0-0"),
            Value::Array(vec![Value::Array(vec![
                s("2-0"),
                Value::Array(vec![s("job"), s("x")]),
            ])]),
            Value::Array(vec![]),
        ]);
        let (next, claimed) = autoclaim_reply(reply);
        assert_eq!(next, "0-0");
        assert_eq!(claimed[0].id, "2-0");
    }
}
