//! The `iamlogic` executable links Z3 through `solver`: give it the rpath to the wheel's
//! library folder so it runs without LD_LIBRARY_PATH (see ../shared/notes/z3.md).

include!("solver/z3_link.rs");

fn main() {
    link_z3();
}
