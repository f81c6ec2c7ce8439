//! Facts that arrive after import (`info_received --set FIELD=VALUE`): each
//! value is text, read by the same rules as a CSV cell of that field, put
//! into the ticket as received, and the whole ticket validated again as an
//! import line would be — there is no second parser for a field.

use super::csv_rows::cell_value;
use serde::Serialize;
use serde_json::{Map, Value};

/// The fields of SPEC §1, dotted as in CSV.
pub const FIELDS: &[&str] = &[
    "id",
    "received_at",
    "product",
    "account.id",
    "account.name",
    "account.status",
    "package.name",
    "package.billing",
    "package.source",
    "package.sdk_app_id",
    "package.purchased_at",
    "package.activated_at",
    "package.expires_at",
    "package.term_days",
    "package.total_units",
    "package.used_units",
    "package.gifted_units_used",
    "payment.currency",
    "payment.cash",
    "payment.commission_credit",
    "payment.free_credit",
    "payment.voucher",
    "payment.discount",
    "payment.frozen",
    "payment.invoice_issued_at",
    "contract.number",
    "contract.signed_at",
    "contract.overrides_policy",
    "incident.started_at",
    "incident.unresolved_hours",
    "incident.outage_hours",
    "incident.provider_caused",
    "incident.quality_gap_confirmed",
    "reason",
    "requested_amount",
    "contact.email",
    "contact.language",
    "subject",
    "description",
    "evidence",
];

/// One field as it was and as it is now (`null`: absent).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Whether `field` may be set after import: a SPEC §1 field other than the
/// id, which names the ticket and so never changes.
pub fn check_field(field: &str) -> Result<(), String> {
    if field == "id" {
        return Err("the ticket's id cannot be changed".into());
    }
    if !FIELDS.contains(&field) {
        return Err(format!(
            "{field:?} is not a ticket field (SPEC §1 names them dotted, e.g. package.expires_at)"
        ));
    }
    Ok(())
}

/// The ticket as received with `sets` applied, and what changed. An empty
/// value makes the field absent, as an empty CSV cell is. The result is not
/// yet validated: the caller reads it as an import line
/// (`Ticket::from_text`), which judges each value and their contradictions.
pub fn set_facts(raw: &Value, sets: &[(&str, &str)]) -> Result<(Value, Vec<FactChange>), String> {
    let mut value = raw.clone();
    let root = value
        .as_object_mut()
        .ok_or("the stored ticket is not a JSON object")?;
    let mut changes: Vec<FactChange> = Vec::new();
    for (i, (field, text)) in sets.iter().enumerate() {
        check_field(field)?;
        if sets[..i].iter().any(|(f, _)| f == field) {
            return Err(format!(
                "{field} is given twice (which value is meant cannot be known)"
            ));
        }
        let after = if text.is_empty() {
            Value::Null
        } else {
            cell_value(field, text)
        };
        let before = put(root, field, after.clone())?;
        if before != after {
            changes.push(FactChange {
                field: field.to_string(),
                before,
                after,
            });
        }
    }
    Ok((value, changes))
}

/// Puts `value` at the dotted `path` (`null` removes it); returns what was
/// there (`null` when absent). A `null` object on the way counts as absent.
fn put(root: &mut Map<String, Value>, path: &str, value: Value) -> Result<Value, String> {
    let (parents, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let mut cur = root;
    for part in parents.into_iter().flat_map(|p| p.split('.')) {
        let slot = cur
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        cur = slot
            .as_object_mut()
            .ok_or_else(|| format!("{path}: the ticket's {part} is not an object"))?;
    }
    let before = if value.is_null() {
        cur.remove(last)
    } else {
        cur.insert(last.to_string(), value)
    };
    Ok(before.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_read_as_csv_cells_of_their_field_and_changes_are_recorded() {
        let raw = json!({"id": "C-1", "package": {"billing": "monthly", "term_days": 30},
                         "contract": null});
        let (v, changes) = set_facts(
            &raw,
            &[
                ("package.term_days", "90"),
                ("package.expires_at", "2026-12-01T00:00:00+08:00"),
                ("contract.overrides_policy", "true"),
                ("incident.outage_hours", "2.5"),
                ("package.billing", "monthly"),
            ],
        )
        .unwrap();
        assert_eq!(v["package"]["term_days"], json!(90));
        assert_eq!(v["package"]["expires_at"], "2026-12-01T00:00:00+08:00");
        assert_eq!(v["contract"]["overrides_policy"], json!(true));
        assert_eq!(v["incident"]["outage_hours"].to_string(), "2.5");
        // An unchanged value is no change.
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "package.term_days",
                "package.expires_at",
                "contract.overrides_policy",
                "incident.outage_hours"
            ]
        );
        assert_eq!(changes[0].before, json!(30));
        assert_eq!(changes[1].before, Value::Null);
        // Empty: absent again.
        let (v, changes) = set_facts(&v, &[("package.expires_at", "")]).unwrap();
        assert!(v["package"].get("expires_at").is_none());
        assert_eq!(changes[0].after, Value::Null);
    }

    #[test]
    fn only_known_fields_other_than_the_id_once_each() {
        let raw = json!({"id": "C-1"});
        assert!(set_facts(&raw, &[("id", "C-2")])
            .unwrap_err()
            .contains("id cannot be changed"));
        assert!(set_facts(&raw, &[("package.colour", "red")])
            .unwrap_err()
            .contains("not a ticket field"));
        assert!(
            set_facts(&raw, &[("reason", "unused"), ("reason", "other")])
                .unwrap_err()
                .contains("given twice")
        );
        let text = json!({"id": "C-1", "package": "monthly"});
        assert!(set_facts(&text, &[("package.billing", "monthly")])
            .unwrap_err()
            .contains("not an object"));
    }
}
