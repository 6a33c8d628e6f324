//! The lottery runner (pending).
