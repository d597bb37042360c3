//! Native functions on the runner context's `__host` object: how the runner's JS reaches
//! Rust. Each native is a fn item (V8 needs a zero-sized callback type), installed by name
//! with `install_natives!`; modules own their natives and the per-run state they read from
//! an isolate slot.

/// The global object the natives live on.
pub(crate) const HOST_OBJECT: &str = "__host";

/// `install_natives!(scope, object, { "name" => function, ... })` sets each function as a
/// property of `object`; evaluates to `None` (with `?`) if V8 refuses one.
macro_rules! install_natives {
    ($scope:expr, $object:expr, { $($name:literal => $f:expr),* $(,)? }) => {{
        $(
            let function = v8::Function::new($scope, $f)?;
            let key = v8::String::new($scope, $name)?;
            $object.set($scope, key.into(), function.into())?;
        )*
    }};
}
pub(crate) use install_natives;
