//! What an alert event adds to the point or batch the node emits: the `.levelTag()`,
//! `.idTag()`, `.levelField()`, `.messageField()`, `.idField()` and `.durationField()`
//! its spec names (an empty name adds nothing).

use tickflow_alert::AlertData;
use tickflow_model::{FieldValue, Fields, Str, Tags};
use tickflow_pipeline::nodes::alert::AlertNode;

/// Sets the tags and fields `spec` asks for from the event `data`.
pub(crate) fn augment(spec: &AlertNode, tags: &mut Tags, fields: &mut Fields, data: &AlertData) {
    set_tag(tags, &spec.level_tag, data.level.as_str());
    set_tag(tags, &spec.id_tag, &data.id);
    set_field(
        fields,
        &spec.level_field,
        FieldValue::string(data.level.as_str()),
    );
    set_field(
        fields,
        &spec.message_field,
        FieldValue::string(data.message.as_str()),
    );
    set_field(fields, &spec.id_field, FieldValue::string(data.id.as_str()));
    set_field(
        fields,
        &spec.duration_field,
        FieldValue::Integer(data.duration.nanos()),
    );
}

/// Sets tag `key`, unless the name is empty.
fn set_tag(tags: &mut Tags, key: &str, value: &str) {
    if !key.is_empty() {
        tags.insert(Str::from(key), Str::from(value));
    }
}

/// Sets field `key`, unless the name is empty.
fn set_field(fields: &mut Fields, key: &str, value: FieldValue) {
    if !key.is_empty() {
        fields.insert(Str::from(key), value);
    }
}
