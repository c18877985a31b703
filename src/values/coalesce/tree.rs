//! A values tree with Go's reference semantics for maps.
//!
//! Helm's coalescing works on `map[string]any` values, which are references: a shallow copy of a
//! map (as `coalesceGlobals` makes) shares its nested maps, and a table imported by
//! `import-values` stays the same object as the child's subtree it came from. Some of Helm's
//! observable results depend on that sharing (a subchart's nested global defaults flowing back
//! into the parent's globals, two imports into one parent path merging into the child's table).
//! [`Node`] reproduces it: tables are reference-counted cells, cloning a [`Node`] clones the
//! reference, and [`Table::deep_copy`] is Helm's `copystructure.Copy`.
//!
//! Tables are never borrowed across calls: every accessor copies out what it needs, so aliased
//! tables (a table merged into itself, a table that ends up inside itself) cannot panic a borrow.
//! Recursion is bounded by [`MAX_DEPTH`] so that a cyclic tree is an error, not a stack overflow.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::values::ValuesError;

/// The deepest nesting of tables the coalescing code follows before giving up. Real values files
/// are a few levels deep; only a cycle built by pathological `import-values` gets here.
pub(crate) const MAX_DEPTH: usize = 256;

/// One value: null, a non-map value (scalar or list, never descended into), or a shared table.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// YAML/JSON `null` (Go's `nil`).
    Null,
    /// A bool, number, string or list: replaced as a whole, never merged nor changed in place,
    /// so shared (a large list is copied once into the tree and once out of it, not at every
    /// step of the coalescing).
    Leaf(Rc<Value>),
    /// A map, shared by reference like a Go map.
    Table(Table),
}

/// A map shared by reference, with sorted keys (the order Helm's JSON/YAML output uses).
#[derive(Debug, Clone, Default)]
pub(crate) struct Table(Rc<RefCell<BTreeMap<String, Node>>>);

/// Checks one more level of nesting against [`MAX_DEPTH`].
pub(crate) fn deeper(depth: usize, at: &str) -> Result<usize, ValuesError> {
    if depth >= MAX_DEPTH {
        return Err(ValuesError::new(
            if at.is_empty() { "values" } else { at },
            format!(
                "values are nested more than {MAX_DEPTH} levels deep (a cycle made by import-values?)"
            ),
        ));
    }
    Ok(depth + 1)
}

impl Node {
    /// Builds a fresh tree (no sharing) from JSON.
    pub(crate) fn from_json(value: &Value, depth: usize) -> Result<Node, ValuesError> {
        Ok(match value {
            Value::Null => Node::Null,
            Value::Object(map) => Node::Table(Table::from_map(map, depth)?),
            other => Node::Leaf(Rc::new(other.clone())),
        })
    }

    /// Converts back to JSON (shared tables are written out once per place they appear).
    pub(crate) fn to_json(&self, depth: usize) -> Result<Value, ValuesError> {
        Ok(match self {
            Node::Null => Value::Null,
            Node::Leaf(v) => Value::clone(v),
            Node::Table(t) => Value::Object(t.to_map(depth)?),
        })
    }

    /// The value, if this is a leaf.
    pub(crate) fn leaf(&self) -> Option<&Value> {
        match self {
            Node::Leaf(v) => Some(v),
            _ => None,
        }
    }

    /// The table, if this is one (Go's `istable`).
    pub(crate) fn as_table(&self) -> Option<&Table> {
        match self {
            Node::Table(t) => Some(t),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    /// A short rendering for warnings.
    pub(crate) fn describe(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Leaf(v) => v.to_string(),
            Node::Table(_) => "a table".into(),
        }
    }
}

impl Table {
    /// A new empty table.
    pub(crate) fn new() -> Table {
        Table::default()
    }

    /// Builds a fresh table (no sharing) from a JSON map.
    pub(crate) fn from_map(map: &Map<String, Value>, depth: usize) -> Result<Table, ValuesError> {
        let depth = deeper(depth, "")?;
        let mut out = BTreeMap::new();
        for (k, v) in map {
            out.insert(k.clone(), Node::from_json(v, depth)?);
        }
        Ok(Table(Rc::new(RefCell::new(out))))
    }

    /// Converts to a JSON map.
    pub(crate) fn to_map(&self, depth: usize) -> Result<Map<String, Value>, ValuesError> {
        let depth = deeper(depth, "")?;
        let mut out = Map::new();
        // Read in place: nothing is changed meanwhile (shared borrows of aliased tables are
        // fine, and a cycle ends at the depth limit).
        for (k, v) in self.0.borrow().iter() {
            out.insert(k.clone(), v.to_json(depth)?);
        }
        Ok(out)
    }

    /// [`Table::to_map`] for a tree that is no longer needed: what nothing else holds is moved
    /// out instead of copied.
    pub(crate) fn into_map(self, depth: usize) -> Result<Map<String, Value>, ValuesError> {
        let depth = deeper(depth, "")?;
        let entries = match Rc::try_unwrap(self.0) {
            Ok(cell) => cell.into_inner(),
            Err(shared) => return Table(shared).to_map(depth - 1),
        };
        let mut out = Map::new();
        for (k, v) in entries {
            let value = match v {
                Node::Null => Value::Null,
                Node::Leaf(v) => Rc::try_unwrap(v).unwrap_or_else(|shared| Value::clone(&shared)),
                Node::Table(t) => Value::Object(t.into_map(depth)?),
            };
            out.insert(k, value);
        }
        Ok(out)
    }

    /// Helm's `copystructure.Copy`: every nested table becomes a new, unshared table.
    pub(crate) fn deep_copy(&self, depth: usize) -> Result<Table, ValuesError> {
        let depth = deeper(depth, "")?;
        let mut out = BTreeMap::new();
        for (k, v) in self.entries() {
            let copied = match v {
                Node::Table(t) => Node::Table(t.deep_copy(depth)?),
                other => other,
            };
            out.insert(k, copied);
        }
        Ok(Table(Rc::new(RefCell::new(out))))
    }

    /// A new table with the same entries (nested tables shared), like Go's `maps.Copy`.
    pub(crate) fn shallow_copy(&self) -> Table {
        Table(Rc::new(RefCell::new(self.0.borrow().clone())))
    }

    /// Whether both handles point at the same map.
    pub(crate) fn same(&self, other: &Table) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// The value at `key` (a shared handle when it is a table).
    pub(crate) fn get(&self, key: &str) -> Option<Node> {
        self.0.borrow().get(key).cloned()
    }

    /// Sets `key`.
    pub(crate) fn insert(&self, key: impl Into<String>, value: Node) {
        self.0.borrow_mut().insert(key.into(), value);
    }

    /// Removes `key`.
    pub(crate) fn remove(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// A snapshot of the entries, so that callers can mutate tables while walking them.
    pub(crate) fn entries(&self) -> Vec<(String, Node)> {
        self.0
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Helm's `Values.Table`: the table at a dotted path (`a.b`), if every step is a table.
    pub(crate) fn table_at(&self, path: &str) -> Option<Table> {
        let mut table = self.clone();
        for step in path.split('.') {
            table = table.get(step)?.as_table()?.clone();
        }
        Some(table)
    }

    /// Helm's `Values.PathValue`: the non-table value at a dotted path (`a.b.enabled`).
    pub(crate) fn path_value(&self, path: &str) -> Option<Node> {
        if path.is_empty() {
            return None;
        }
        let (table, key) = match path.rsplit_once('.') {
            Some((head, key)) => (self.table_at(head)?, key),
            None => (self.clone(), path),
        };
        table.get(key).filter(|v| v.as_table().is_none())
    }

    /// Recursively removes null entries in place (Helm's `cleanNilValues`).
    pub(crate) fn clean_nulls(&self, depth: usize) -> Result<(), ValuesError> {
        let depth = deeper(depth, "")?;
        for (k, v) in self.entries() {
            match v {
                Node::Null => self.remove(&k),
                Node::Table(t) => t.clean_nulls(depth)?,
                Node::Leaf(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(v: Value) -> Table {
        Table::from_map(v.as_object().unwrap(), 0).unwrap()
    }

    #[test]
    fn round_trips_json() {
        let v = json!({"a": {"b": [1, {"c": null}], "d": null}, "e": "x"});
        assert_eq!(Value::Object(table(v.clone()).to_map(0).unwrap()), v);
    }

    #[test]
    fn clone_shares_and_deep_copy_does_not() {
        let t = table(json!({"a": {"b": 1}}));
        let shallow = t.shallow_copy();
        let deep = t.deep_copy(0).unwrap();
        shallow.insert("top", Node::Null);
        assert!(t.get("top").is_none(), "the shallow copy is a new map");
        let nested = shallow.get("a").unwrap().as_table().unwrap().clone();
        nested.insert("c", Node::Leaf(Rc::new(json!(2))));
        assert_eq!(
            Value::Object(t.to_map(0).unwrap()),
            json!({"a": {"b": 1, "c": 2}}),
            "nested tables of a shallow copy are shared"
        );
        assert_eq!(
            Value::Object(deep.to_map(0).unwrap()),
            json!({"a": {"b": 1}})
        );
    }

    #[test]
    fn path_value_follows_helm() {
        let t = table(json!({"a": {"b": {"on": true}, "n": null}, "top": false, "tab": {}}));
        assert_eq!(
            t.path_value("a.b.on").as_ref().and_then(Node::leaf),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            t.path_value("top").as_ref().and_then(Node::leaf),
            Some(&Value::Bool(false))
        );
        assert!(matches!(t.path_value("a.n"), Some(Node::Null)));
        assert!(t.path_value("tab").is_none(), "a table is not a value");
        assert!(t.path_value("a.missing").is_none());
        assert!(t.path_value("top.x").is_none(), "a scalar is not a table");
        assert!(t.path_value("").is_none());
    }

    #[test]
    fn table_at_needs_tables_all_the_way() {
        let t = table(json!({"a": {"b": {"c": 1}}, "s": 1}));
        assert_eq!(t.table_at("a.b").unwrap().len(), 1);
        assert!(t.table_at("a.b.c").is_none());
        assert!(t.table_at("s").is_none());
        assert!(t.table_at("a.").is_none());
    }

    #[test]
    fn clean_nulls_is_recursive() {
        let t = table(json!({"a": null, "b": {"c": null, "d": [null]}}));
        t.clean_nulls(0).unwrap();
        assert_eq!(
            Value::Object(t.to_map(0).unwrap()),
            json!({"b": {"d": [null]}})
        );
    }

    #[test]
    fn into_map_equals_to_map_shared_or_not() {
        let t = table(json!({"a": {"b": [1, 2], "c": null}, "l": ["x"], "s": "v"}));
        let want = t.to_map(0).unwrap();
        let shared = t.get("a").unwrap();
        let other = t.deep_copy(0).unwrap();
        assert_eq!(
            t.into_map(0).unwrap(),
            want,
            "a nested table still held elsewhere"
        );
        assert!(shared.as_table().is_some());
        assert_eq!(other.into_map(0).unwrap(), want, "nothing shared");
    }

    #[test]
    fn a_cycle_is_an_error_not_a_crash() {
        let t = table(json!({"a": {}}));
        let a = t.get("a").unwrap().as_table().unwrap().clone();
        a.insert("self", Node::Table(t.clone()));
        let err = t.to_map(0).unwrap_err();
        assert!(err.message.contains("nested more than"), "{err}");
        assert!(t.deep_copy(0).is_err());
        // Break the cycle so the test does not leak it.
        a.remove("self");
    }
}
