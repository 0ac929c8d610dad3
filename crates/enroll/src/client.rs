//! The client half of the enrollment flow (being written).
