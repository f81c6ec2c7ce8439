//! Pure domain: no I/O, no terminal, no SQL.

pub mod calendar;
pub mod demo;
pub mod letter;
pub mod money;
pub mod policy;
pub mod ticket;
pub mod ticket_wire;
pub mod workflow;
