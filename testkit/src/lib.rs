//! What the runtime's tests, the benches, the stress job and the fuzzers share, so each has
//! one copy: synthetic modules (`synth`), a C-library driver for real modules (`driver`),
//! fixtures (`fixtures`: hand-written guests and trusted JS bombs; `hostile`: guests that push
//! one budget each), the heap model's check of a measured peak (`heap`), cross-engine comparison
//! (`compare`), property tests that count the cases reaching their property (`property`), the
//! real-module cache (`real`), memory readings (`rss`), a seeded byte stream (`rng`),
//! V8's compilation tiers (`tiers`) and C programs compiled to wasm32-wasi (`wasi_c`).

pub mod compare;
pub mod driver;
pub mod fixtures;
pub mod heap;
pub mod hostile;
pub mod property;
pub mod real;
pub mod rng;
pub mod rss;
pub mod synth;
pub mod tiers;
pub mod wasi_c;
