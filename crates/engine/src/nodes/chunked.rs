//! [`Chunked`]: a queue kept in fixed-size chunks, for the buffers of windowing nodes.
//!
//! A `VecDeque` grows by doubling: a window that buffers a day of points reallocates its
//! whole buffer again and again, briefly holding old and new copies, and leaves every
//! abandoned buffer to the allocator (mimalloc keeps them resident). Chunks never move
//! once allocated and are freed as soon as the queue has passed them, so a buffer costs
//! its points and at most one partly filled chunk at each end.

use std::collections::VecDeque;

/// How many items one chunk holds.
const CHUNK: usize = 1024;

/// A first-in, first-out queue stored in chunks of [`CHUNK`] items.
#[derive(Debug, Clone)]
pub(crate) struct Chunked<T> {
    chunks: VecDeque<VecDeque<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: VecDeque::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// How many items are queued.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `item` at the back.
    pub(crate) fn push_back(&mut self, item: T) {
        let chunk = match self.chunks.back_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk,
            _ => {
                self.chunks.push_back(VecDeque::with_capacity(CHUNK));
                self.chunks.back_mut().expect("a chunk was just pushed")
            }
        };
        chunk.push_back(item);
        self.len += 1;
    }

    /// Takes the item at the front.
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let chunk = self.chunks.front_mut()?;
        let item = chunk.pop_front();
        if chunk.is_empty() {
            self.chunks.pop_front();
        }
        self.len -= usize::from(item.is_some());
        item
    }

    /// The item at the front.
    pub(crate) fn front(&self) -> Option<&T> {
        self.chunks.front()?.front()
    }

    /// The item at the back.
    pub(crate) fn back(&self) -> Option<&T> {
        self.chunks.back()?.back()
    }

    /// The items, front to back.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// Moves the first `n` items (all of them if there are fewer) into `out`, front to
    /// back, a chunk at a time.
    pub(crate) fn take_front_into(&mut self, mut n: usize, out: &mut impl Extend<T>) {
        while n > 0 {
            let Some(chunk) = self.chunks.front_mut() else {
                return;
            };
            let taken = n.min(chunk.len());
            if taken == chunk.len() {
                out.extend(self.chunks.pop_front().into_iter().flatten());
            } else {
                out.extend(chunk.drain(..taken));
            }
            n -= taken;
            self.len -= taken;
        }
    }
}

impl<T> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut queue = Chunked::new();
        items.into_iter().for_each(|item| queue.push_back(item));
        queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_deque_across_chunks() {
        let mut queue: Chunked<usize> = (0..2500).collect();
        let mut model: VecDeque<usize> = (0..2500).collect();
        assert_eq!(queue.len(), 2500);
        let mut taken = Vec::new();
        queue.take_front_into(1100, &mut taken);
        assert_eq!(taken, model.drain(..1100).collect::<Vec<_>>());
        for i in 0..1500 {
            queue.push_back(i);
            model.push_back(i);
            if i % 3 == 0 {
                assert_eq!(queue.pop_front(), model.pop_front());
            }
        }
        assert_eq!(queue.front(), model.front());
        assert_eq!(queue.back(), model.back());
        assert!(queue.iter().eq(model.iter()));
        assert_eq!(queue.len(), model.len());
        assert!(queue.chunks.len() <= model.len() / CHUNK + 2);
        while queue.pop_front().is_some() {}
        assert!(queue.len() == 0 && queue.chunks.is_empty());
        queue.take_front_into(3, &mut taken);
        assert_eq!(taken.len(), 1100);
    }
}
