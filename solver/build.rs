//! Links the Z3 5.4 shared library of the PyPI wheel (see ../shared/notes/z3.md).

include!("z3_link.rs");

fn main() {
    link_z3();
}
