//! Bounds checked before async-graphql parses or validates a request, so that
//! no request can exhaust the stack or spin a worker: the nesting of the query
//! text and of the variables (linear scans, before any recursive parser runs),
//! then, on the parsed document, fragment cycles, the nesting that fragment
//! spreads add, and the number of field selections and aliases, each counted
//! once per fragment (memoised), so the walk is linear in the document.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// The deepest nesting of `[`, `{` and `(` in GraphQL text, outside strings and
/// comments. Stops at the first level past `limit`, so the scan is linear and
/// never longer than the text.
pub(crate) fn query_nesting(query: &str, limit: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut i, mut depth, mut deepest) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if bytes[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        // An unterminated string: the parser refuses it; scan on.
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
                continue;
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// The deepest nesting of arrays and objects in JSON text, outside strings
/// (the request object itself is level 1). Stops at the first level past `limit`.
pub(crate) fn json_nesting(json: &[u8], limit: usize) -> usize {
    let (mut i, mut depth, mut deepest) = (0usize, 0usize, 0usize);
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                while i < json.len() {
                    match json[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// What a document adds up to, fragments expanded where they are spread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Field selections, aliased or not, each time they are reached.
    pub fields: usize,
    /// Aliased field selections in the operations.
    pub aliases: usize,
}

/// Why a document was refused before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A fragment spreads itself, directly or through others.
    Cycle(String),
    /// Selections and fragment spreads nest deeper than the limit.
    TooDeep,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    fields: usize,
    aliases: usize,
    /// How many levels (selection sets, fragment spreads, inline fragments)
    /// the selection set reaches below itself.
    height: usize,
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    limit: usize,
    /// `None` while a fragment is being counted (a spread of it then is a cycle).
    memo: HashMap<&'a str, Option<Counts>>,
}

impl<'a> Walk<'a> {
    /// Counts a selection set placed `depth` levels below its operation (or
    /// fragment definition); levels are counted as async-graphql's recursion
    /// depth counts them, so a document passing here passes there.
    fn set(&mut self, set: &'a SelectionSet, depth: usize) -> Result<Counts, Refusal> {
        if depth > self.limit {
            return Err(Refusal::TooDeep);
        }
        let mut total = Counts::default();
        for item in &set.items {
            let (own_fields, own_aliases, below) = match &item.node {
                Selection::Field(f) => {
                    let below = if f.node.selection_set.node.items.is_empty() {
                        None
                    } else {
                        Some(self.set(&f.node.selection_set.node, depth + 1)?)
                    };
                    (1, usize::from(f.node.alias.is_some()), below)
                }
                Selection::InlineFragment(f) => (0, 0, Some(self.set(&f.node.selection_set.node, depth + 1)?)),
                Selection::FragmentSpread(s) => (0, 0, Some(self.fragment(&s.node.fragment_name.node, depth + 1)?)),
            };
            total.fields = total.fields.saturating_add(own_fields);
            total.aliases = total.aliases.saturating_add(own_aliases);
            if let Some(below) = below {
                total.fields = total.fields.saturating_add(below.fields);
                total.aliases = total.aliases.saturating_add(below.aliases);
                total.height = total.height.max(below.height + 1);
            }
        }
        Ok(total)
    }

    /// Counts a fragment whose selection set is placed `depth` levels down,
    /// once per document.
    fn fragment(&mut self, name: &'a str, depth: usize) -> Result<Counts, Refusal> {
        match self.memo.get(name) {
            Some(Some(counts)) if depth + counts.height > self.limit => Err(Refusal::TooDeep),
            Some(Some(counts)) => Ok(*counts),
            Some(None) => Err(Refusal::Cycle(name.to_owned())),
            None => {
                // An unknown fragment is async-graphql's error to report.
                let Some(definition) = self.doc.fragments.get(name) else {
                    return Ok(Counts::default());
                };
                self.memo.insert(name, None);
                let counts = self.set(&definition.node.selection_set.node, depth)?;
                self.memo.insert(name, Some(counts));
                Ok(counts)
            }
        }
    }
}

/// Walks every operation, then every fragment no operation spreads (validation
/// visits those too, with their spreads expanded), in time linear in the
/// document. `fields` adds them all up; `aliases` counts the operations only.
pub(crate) fn shape(doc: &ExecutableDocument, nesting: usize) -> Result<Shape, Refusal> {
    let mut walk = Walk {
        doc,
        limit: nesting,
        memo: HashMap::new(),
    };
    let mut shape = Shape::default();
    for (_, operation) in doc.operations.iter() {
        let counts = walk.set(&operation.node.selection_set.node, 0)?;
        shape.fields = shape.fields.saturating_add(counts.fields);
        shape.aliases = shape.aliases.saturating_add(counts.aliases);
    }
    let unspread: Vec<&str> = doc
        .fragments
        .keys()
        .map(|name| name.as_str())
        .filter(|name| !walk.memo.contains_key(name))
        .collect();
    for name in unspread {
        let counts = walk.fragment(name, 0)?;
        shape.fields = shape.fields.saturating_add(counts.fields);
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn text_nesting_skips_strings_and_comments() {
        assert_eq!(query_nesting("{ a(x: [[1]]) { b } }", 32), 4);
        assert_eq!(query_nesting(r#"{ a(x: "[[[[\"[[") }"#, 32), 2);
        assert_eq!(query_nesting("{ a(x: \"\"\" [[[ \\\"\"\" [[[ \"\"\") }", 32), 2);
        assert_eq!(query_nesting("{ a # [[[[[\n { b } }", 32), 2);
        assert_eq!(query_nesting(&"[".repeat(10_000), 32), 33);
    }

    #[test]
    fn json_nesting_skips_strings() {
        assert_eq!(
            json_nesting(br#"{"query": "{ [[[[ }", "variables": {"a": [[1]]}}"#, 32),
            4
        );
        assert_eq!(json_nesting(br#"{"q": "\"[[[", "v": [1]}"#, 32), 2);
        assert_eq!(json_nesting("[".repeat(10_000).as_bytes(), 32), 33);
    }

    #[test]
    fn fragments_are_counted_each_time_they_are_spread() {
        let doc = parse("{ a: x { ...F } ...F } fragment F on Q { y z: w { v } }");
        // x, then F's three fields twice.
        assert_eq!(shape(&doc, 32), Ok(Shape { fields: 7, aliases: 3 }));
        // A fragment no operation spreads still counts (validation walks it).
        let doc = parse("{ x } fragment F on Q { y ...G ...G } fragment G on Q { z }");
        assert_eq!(shape(&doc, 32), Ok(Shape { fields: 5, aliases: 0 }));
    }

    #[test]
    fn a_fragment_cycle_is_refused() {
        let doc = parse("query { ...F } fragment F on QueryRoot { ...F ...F }");
        assert_eq!(shape(&doc, 32), Err(Refusal::Cycle("F".into())));
        let doc = parse("{ ...A } fragment A on Q { x { ...B } } fragment B on Q { ...A }");
        assert!(matches!(shape(&doc, 32), Err(Refusal::Cycle(_))));
    }

    #[test]
    fn a_doubling_chain_is_counted_without_expanding_it() {
        let mut query = String::from("{ ...F0 }");
        for i in 0..30 {
            query.push_str(&format!(" fragment F{i} on Q {{ ...F{} ...F{} }}", i + 1, i + 1));
        }
        query.push_str(" fragment F30 on Q { x }");
        let shape = shape(&parse(&query), 32).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(shape.fields >= 1 << 30, "{shape:?}");
    }

    #[test]
    fn spreads_count_toward_the_nesting_whichever_path_comes_first() {
        // F is first reached shallow, then deep: the deep path still counts.
        let doc = parse("{ ...F a { b { c { ...F } } } } fragment F on Q { d { e } }");
        assert!(shape(&doc, 5).is_ok());
        assert_eq!(shape(&doc, 4), Err(Refusal::TooDeep));
        let mut chain = String::from("{ ...F0 }");
        for i in 0..100 {
            chain.push_str(&format!(" fragment F{i} on Q {{ ...F{} }}", i + 1));
        }
        chain.push_str(" fragment F100 on Q { x }");
        assert_eq!(shape(&parse(&chain), 32), Err(Refusal::TooDeep));
    }
}
