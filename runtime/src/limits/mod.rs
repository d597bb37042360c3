//! Every bound the runtime enforces, in one place, with where its value comes from.
//!
//! The runner's own V8 heap (`RunnerLimits`) is sized apart from anything a guest may
//! use: raising it must never widen what a guest can allocate.

pub mod costs;
pub mod env;
pub mod guest;
pub mod heap_model;
pub mod inventory;
pub mod runner;

pub use guest::GuestLimits;
pub use heap_model::{heap_bound, HeapBound};
pub use inventory::{LimitClass, LimitEntry, INVENTORY};
pub use runner::{HeapLimitSource, RunnerLimits};
