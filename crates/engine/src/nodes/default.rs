//! `|default()`: sets fields and tags that are absent (a tag also when empty) (spec:
//! kapacitor-compat.md, nodes §4.3).
//!
//! On a point, defaulting a dimension tag changes its group. On a batch, the points get
//! the defaults and the batch's group tags get the tag defaults, which makes those tags
//! dimensions of the batch and changes its group.

use tickflow_model::{Batch, FieldValue, Fields, Point, Str, Tags};
use tickflow_pipeline::nodes::default::DefaultNode;

use crate::node::Context;
use crate::nodes::group_transform::Rewrite;
use crate::nodes::regroup_batch;

/// The default transform (stateless).
pub(crate) struct Default {
    fields: Vec<(Str, FieldValue)>,
    tags: Vec<(Str, Str)>,
}

impl Default {
    /// A default transform for a validated spec.
    pub(crate) fn new(spec: &DefaultNode) -> Self {
        Default {
            fields: super::str_pairs(&spec.fields, Clone::clone),
            tags: super::str_pairs(&spec.tags, |v| Str::from(v.as_str())),
        }
    }

    /// Sets the absent fields.
    fn fields(&self, fields: &mut Fields) {
        for (key, value) in &self.fields {
            if !fields.contains_key(key) {
                fields.insert(key.clone(), value.clone());
            }
        }
    }

    /// Sets the absent or empty tags; returns whether any was set.
    fn tags(&self, tags: &mut Tags) -> bool {
        let mut changed = false;
        for (key, value) in &self.tags {
            if tags.get(key).is_none_or(|v| v.is_empty()) {
                tags.insert(key.clone(), value.clone());
                changed = true;
            }
        }
        changed
    }
}

impl Rewrite for Default {
    fn rewrite_point(&mut self, point: &mut Point, _ctx: &mut Context<'_>) {
        self.fields(&mut point.fields);
        if self.tags(&mut point.tags) {
            point.regroup();
        }
    }

    fn rewrite_batch(&mut self, batch: &mut Batch, _ctx: &mut Context<'_>) {
        for p in batch.points.make_mut() {
            self.fields(&mut p.fields);
            self.tags(&mut p.tags);
        }
        if self.tags(&mut batch.tags) {
            regroup_batch(batch);
        }
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Dimensions, Message, Time};

    use super::*;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{point, points, run};

    fn node() -> PerGroup<Default> {
        PerGroup::new(Default::new(&DefaultNode {
            fields: vec![("value".into(), FieldValue::Float(0.0))],
            tags: vec![("host".into(), "unknown".into())],
        }))
    }

    #[test]
    fn sets_absent_fields_and_absent_or_empty_tags_only() {
        let present = point(0, &[("host", "a")], &[("value", FieldValue::Integer(7))]);
        let mut empty_tag = point(1, &[("host", "")], &[]);
        empty_tag.set_dimensions(Dimensions::by_tags(["host"]));
        let out = points(
            run(
                &mut node(),
                vec![Message::Point(present.clone()), Message::Point(empty_tag)],
            )
            .0,
        );
        assert_eq!(out[0], present);
        assert_eq!(out[1].fields.get("value"), Some(&FieldValue::Float(0.0)));
        assert_eq!(out[1].tags.get("host").map(|v| &**v), Some("unknown"));
        assert_eq!(out[1].group.as_str(), "host=unknown");
    }

    #[test]
    fn a_batch_tag_default_becomes_a_dimension() {
        let p = point(0, &[], &[]);
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
        batch.points.push(BatchPoint::from(&p));
        let (out, _) = run(&mut node(), vec![Message::Batch(batch)]);
        let [Message::Batch(batch)] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        assert_eq!(batch.group.as_str(), "host=unknown");
        assert_eq!(batch.dimensions.tag_names().len(), 1);
        assert_eq!(
            batch.points[0].tags.get("host").map(|v| &**v),
            Some("unknown")
        );
        assert_eq!(
            batch.points[0].fields.get("value"),
            Some(&FieldValue::Float(0.0))
        );
    }
}
