//! JSON paths of policy elements as the document wrote them (`Statement` as one object or
//! an array, `Action` as a string or an array), read from the decoded JSON value.

use serde_json::Value;

/// The written shape of a policy document, for naming places in findings.
pub(crate) struct Shape<'v> {
    statement: Option<&'v Value>,
}

impl<'v> Shape<'v> {
    pub(crate) fn new(doc: &'v Value) -> Shape<'v> {
        Shape {
            statement: doc.get("Statement"),
        }
    }

    fn statement_value(&self, index: usize) -> Option<&'v Value> {
        match self.statement? {
            Value::Array(items) => items.get(index),
            v => Some(v),
        }
    }

    /// `$.Statement[i]`, or `$.Statement` for a lone statement object.
    pub(crate) fn statement(&self, index: usize) -> String {
        match self.statement {
            Some(Value::Array(_)) => format!("$.Statement[{index}]"),
            _ => "$.Statement".to_string(),
        }
    }

    /// `Statement[i].Element`.
    pub(crate) fn element(&self, index: usize, element: &str) -> String {
        format!("{}.{element}", self.statement(index))
    }

    /// `Statement[i].Element[j]` where item j is `item`, or `Statement[i].Element` when the
    /// element is a lone string.
    pub(crate) fn item(&self, index: usize, element: &str, item: &str) -> String {
        let base = self.element(index, element);
        let value = self.statement_value(index).and_then(|s| s.get(element));
        match value {
            Some(Value::Array(items)) => {
                match items.iter().position(|v| v.as_str() == Some(item)) {
                    Some(j) => format!("{base}[{j}]"),
                    None => base,
                }
            }
            _ => base,
        }
    }

    /// `Statement[i].Condition.Operator.key`.
    pub(crate) fn condition(&self, index: usize, operator: &str, key: &str) -> String {
        format!("{}.Condition.{operator}.{key}", self.statement(index))
    }

    /// `Statement[i].Condition.Operator.key[j]` for the j-th value of a condition, or
    /// `Statement[i].Condition.Operator.key` when the values are one lone scalar.
    pub(crate) fn condition_value(
        &self,
        index: usize,
        operator: &str,
        key: &str,
        value: usize,
    ) -> String {
        let base = self.condition(index, operator, key);
        let written = self
            .statement_value(index)
            .and_then(|s| s.get("Condition"))
            .and_then(|c| c.get(operator))
            .and_then(|o| o.get(key));
        match written {
            Some(Value::Array(_)) => format!("{base}[{value}]"),
            _ => base,
        }
    }

    /// `Statement[i].Principal.AWS[j]` where item j is `item`, `Statement[i].Principal.AWS`
    /// for a lone string.
    pub(crate) fn principal_item(
        &self,
        index: usize,
        element: &str,
        ty: &str,
        item: &str,
    ) -> String {
        let base = format!("{}.{ty}", self.element(index, element));
        let written = self
            .statement_value(index)
            .and_then(|s| s.get(element))
            .and_then(|p| p.get(ty));
        match written {
            Some(Value::Array(items)) => {
                match items.iter().position(|v| v.as_str() == Some(item)) {
                    Some(j) => format!("{base}[{j}]"),
                    None => base,
                }
            }
            _ => base,
        }
    }
}
