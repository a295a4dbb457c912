//! `|trickle()`: a batch edge to a stream edge (kapacitor-compat.md, nodes §4.13). Each point of a
//! batch goes on as a stream point with the batch's name and group and its own tags,
//! fields and time; a point reaching it is passed on as it is.

use tickflow_model::Message;

use crate::node::{Context, Node, NodeError};

/// The running trickle node.
pub(crate) struct Trickle;

impl Node for Trickle {
    fn message(
        &mut self,
        _: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Batch(batch) => batch.to_points().for_each(|p| ctx.emit(Message::Point(p))),
            other => ctx.emit(other),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{
        Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupId, GroupInfo, Str, Tags, Time,
    };

    use super::*;
    use crate::nodes::testing::run;

    #[test]
    fn each_batch_point_becomes_a_point_of_the_batch_group() {
        let tags = Tags::from_pairs([("cpu", "cpu0")]);
        let dimensions = Dimensions::by_tags(["cpu"]);
        let info = GroupInfo {
            id: GroupId::new("m", &tags, &dimensions),
            tags: tags.clone(),
            dimensions,
        };
        let mut batch = Batch::new(Str::from("m"), info, Time::from_nanos(9));
        for t in [1, 2] {
            batch.points.push(BatchPoint {
                fields: Fields::from_pairs([("v", FieldValue::Float(t as f64))]),
                tags: tags.clone(),
                time: Time::from_nanos(t),
            });
        }
        let (out, errors) = run(&mut Trickle, vec![Message::Batch(batch)]);
        assert!(errors.is_empty());
        let points: Vec<_> = out
            .iter()
            .map(|m| match m {
                Message::Point(p) => (p.name.as_str(), p.group.as_str(), p.time.nanos()),
                other => panic!("not a point: {other:?}"),
            })
            .collect();
        assert_eq!(points, [("m", "cpu=cpu0", 1), ("m", "cpu=cpu0", 2)]);
    }
}
