//! The pure planner and the mass-change brake: desired vs observed vs links → actions.
//! No I/O and no clock read: `now` is a parameter.
