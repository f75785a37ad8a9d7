//! `rules`: the Datalog program (crepe) over the fact tables of `facts`.
