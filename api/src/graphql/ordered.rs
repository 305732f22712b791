//! Responses as the GraphQL specification shapes them: each object's keys in
//! the order its selection set asks for them (CollectFields), and a field
//! that resolved to an error present as `null`. async-graphql resolves the
//! fields of an object concurrently and keeps them in the order they finish,
//! leaving out the ones that failed; this puts the response right afterwards,
//! in one walk over what is sent.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value};

/// One response key of a selection set, with every selection set merged under it.
struct Collected<'a> {
    key: &'a str,
    sets: Vec<&'a SelectionSet>,
    /// Under `@skip`/`@include`: absent means skipped, not failed.
    conditional: bool,
}

fn collect<'a>(set: &'a SelectionSet, doc: &'a ExecutableDocument, conditional: bool, out: &mut Vec<Collected<'a>>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let key = f.node.response_key().node.as_str();
                let conditional = conditional || !f.node.directives.is_empty();
                let sub = &f.node.selection_set.node;
                match out.iter_mut().find(|c| c.key == key) {
                    Some(c) => {
                        c.sets.push(sub);
                        c.conditional &= conditional;
                    }
                    None => out.push(Collected {
                        key,
                        sets: vec![sub],
                        conditional,
                    }),
                }
            }
            Selection::InlineFragment(f) => collect(
                &f.node.selection_set.node,
                doc,
                conditional || !f.node.directives.is_empty(),
                out,
            ),
            Selection::FragmentSpread(s) => {
                if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                    collect(
                        &fragment.node.selection_set.node,
                        doc,
                        conditional || !s.node.directives.is_empty(),
                        out,
                    );
                }
            }
        }
    }
}

/// Puts `value` (the result of `sets`, merged) in selection order.
fn order(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::List(items) => items.iter_mut().for_each(|item| order(item, sets, doc)),
        Value::Object(map) => {
            let mut fields = Vec::new();
            for set in sets {
                collect(set, doc, false, &mut fields);
            }
            let mut ordered = IndexMap::with_capacity(map.len());
            for field in fields {
                let name = Name::new(field.key);
                let mut v = match map.swap_remove(&name) {
                    Some(v) => v,
                    None if field.conditional => continue,
                    None => Value::Null,
                };
                if field.sets.iter().any(|s| !s.items.is_empty()) {
                    order(&mut v, &field.sets, doc);
                }
                ordered.insert(name, v);
            }
            // Nothing else should be there; keep it rather than lose it.
            ordered.extend(map.drain(..));
            *map = ordered;
        }
        _ => {}
    }
}

/// The selections of the operation `operation_name` (or the only one) of `doc`.
pub(crate) fn operation<'a>(doc: &'a ExecutableDocument, operation_name: Option<&str>) -> Option<&'a SelectionSet> {
    doc.operations
        .iter()
        .find(|(name, _)| operation_name.is_none() || name.map(|n| n.as_str()) == operation_name)
        .map(|(_, op)| &op.node.selection_set.node)
}

/// Orders the data of the operation `operation_name` (or the only one) of `doc`.
pub(crate) fn in_selection_order(data: &mut Value, doc: &ExecutableDocument, operation_name: Option<&str>) {
    if let Some(selections) = operation(doc, operation_name) {
        order(data, &[selections], doc);
    }
}
