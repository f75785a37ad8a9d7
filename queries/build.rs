//! `queries`' tests link Z3 through `solver`: give them the rpath to the wheel's library
//! folder so they run without LD_LIBRARY_PATH (see ../shared/notes/z3.md).

include!("../solver/z3_link.rs");

fn main() {
    link_z3();
}
