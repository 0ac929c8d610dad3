//! The server half of the enrollment flow (being written).
