//! The nerve model's tools, `hh-fd solve` and `hh-pinn train`, run as a user runs them: outputs,
//! refusals, byte-identical reruns, and property tests of both command lines.

mod fd;
mod fd_props;
mod pinn;
mod pinn_props;
mod props;
