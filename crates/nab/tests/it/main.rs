//! Integration tests of `tickflow-nab` against the NAB corpus in `../shared/nab`.

mod published;
