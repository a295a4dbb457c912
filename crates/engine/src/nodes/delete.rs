//! `|delete()`: removes fields and tags (kapacitor-compat.md, nodes §4.4).
//!
//! A deleted tag that is a dimension of a point leaves its dimensions too (the group
//! changes); deleting a batch's group tag re-derives the batch's dimensions.

use tickflow_model::{Batch, Dimensions, Fields, Point, Str, Tags};
use tickflow_pipeline::nodes::delete::DeleteNode;

use crate::node::Context;
use crate::nodes::group_transform::Rewrite;
use crate::nodes::regroup_batch;

/// The delete transform (stateless).
pub(crate) struct Delete {
    fields: Vec<Str>,
    tags: Vec<Str>,
}

impl Delete {
    /// A delete transform for a validated spec.
    pub(crate) fn new(spec: &DeleteNode) -> Self {
        let strs = |names: &[String]| names.iter().map(|n| Str::from(n.as_str())).collect();
        Delete {
            fields: strs(&spec.fields),
            tags: strs(&spec.tags),
        }
    }

    /// Whether `name` is one of the tags to delete.
    fn deletes_tag(&self, name: &str) -> bool {
        self.tags.iter().any(|t| &**t == name)
    }

    /// Removes the fields and tags to delete.
    fn strip(&self, fields: &mut Fields, tags: &mut Tags) {
        for field in &self.fields {
            fields.remove(field);
        }
        for tag in &self.tags {
            tags.remove(tag);
        }
    }
}

impl Rewrite for Delete {
    fn rewrite_point(&mut self, point: &mut Point, _ctx: &mut Context<'_>) {
        self.strip(&mut point.fields, &mut point.tags);
        let names = point.dimensions.tag_names();
        if names.iter().any(|n| self.deletes_tag(n)) {
            let kept = names.iter().filter(|n| !self.deletes_tag(n)).cloned();
            let dimensions = Dimensions::by_tags(kept).with_by_name(point.dimensions.by_name);
            point.set_dimensions(dimensions);
        }
    }

    fn rewrite_batch(&mut self, batch: &mut Batch, _ctx: &mut Context<'_>) {
        for p in batch.points.make_mut() {
            self.strip(&mut p.fields, &mut p.tags);
        }
        if batch.tags.keys().any(|k| self.deletes_tag(k)) {
            batch.tags.retain(|k, _| !self.deletes_tag(k));
            regroup_batch(batch);
        }
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, FieldValue, Message, Time};

    use super::*;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{point, points, run};

    fn node() -> PerGroup<Delete> {
        PerGroup::new(Delete::new(&DeleteNode {
            fields: vec!["value".into(), "absent".into()],
            tags: vec!["host".into()],
        }))
    }

    fn grouped() -> Point {
        let mut p = point(
            0,
            &[("host", "a"), ("dc", "eu")],
            &[
                ("value", FieldValue::Float(1.0)),
                ("other", FieldValue::Float(2.0)),
            ],
        );
        p.set_dimensions(Dimensions::by_tags(["host", "dc"]));
        p
    }

    #[test]
    fn a_deleted_dimension_tag_leaves_the_group() {
        let out = points(run(&mut node(), vec![Message::Point(grouped())]).0);
        let p = &out[0];
        assert!(p.fields.get("value").is_none());
        assert!(p.fields.get("other").is_some());
        assert!(p.tags.get("host").is_none());
        assert_eq!(p.group.as_str(), "dc=eu");
    }

    #[test]
    fn deleting_a_batch_tag_rederives_its_group() {
        let p = grouped();
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
        batch.points.push(BatchPoint::from(&p));
        let (out, _) = run(&mut node(), vec![Message::Batch(batch)]);
        let [Message::Batch(batch)] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        assert_eq!(batch.group.as_str(), "dc=eu");
        assert!(batch.points[0].tags.get("host").is_none());
        assert!(batch.points[0].fields.get("value").is_none());
    }
}
